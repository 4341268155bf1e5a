"""
The floor: each page's numbers computed by one hand-written SQL query, fetched and thrown away.

No ORM, no templates, no middleware: what the database alone needs. A page within a small factor of its
floor spends its time where it must, in the database. Table names come from the models, so a renamed
table cannot silently make a floor measure nothing.
"""

from __future__ import annotations

import datetime

from django.db import connection

from tracker.models import Action, Force, ForceSummary, Recommendation, Report, User

OPEN = "('not_started', 'in_progress')"
EFFECTIVE_DUE = "COALESCE(a.revised_due_date, a.due_date)"


def _tables() -> dict[str, str]:
    return {
        "action": Action._meta.db_table,
        "force": Force._meta.db_table,
        "summary": ForceSummary._meta.db_table,
        "rec": Recommendation._meta.db_table,
        "report": Report._meta.db_table,
        "user": User._meta.db_table,
    }


def _local_completion_day() -> str:
    # PostgreSQL converts to the local day exactly; SQLite has no time zones, so its floor takes the UTC day
    # (cheaper than the exact rule Django applies there, which only makes the SQLite floor lower).
    if connection.vendor == "postgresql":
        return "(a.completed_at AT TIME ZONE 'Europe/London')::date"
    return "date(a.completed_at)"


def _has(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def dashboard_sql() -> str:
    t = _tables()
    # Whatever else the dashboard counts (priority recommendations, RAG ratings), the floor counts too.
    extra, join = "", ""
    if _has(Recommendation, "is_priority"):
        extra += f", COUNT(*) FILTER (WHERE a.status IN {OPEN} AND r.is_priority) AS priority_open_count"
        join = f"JOIN {t['rec']} r ON r.id = a.recommendation_id"
    if _has(Action, "rag"):
        for colour in ("red", "amber", "green"):
            extra += f", COUNT(*) FILTER (WHERE a.status IN {OPEN} AND a.rag = '{colour}') AS {colour}_count"
    if _has(Recommendation, "kind"):
        # Areas for improvement, open and overdue, counted apart.
        afi = "r.kind = 'area-for-improvement'"
        join = f"JOIN {t['rec']} r ON r.id = a.recommendation_id"
        extra += f", COUNT(*) FILTER (WHERE {afi} AND a.status IN {OPEN}) AS afi_open_count"
        extra += f", COUNT(*) FILTER (WHERE {afi} AND a.status IN {OPEN} AND {EFFECTIVE_DUE} < %(today)s)"
        extra += " AS afi_overdue_count"
    return f"""
        SELECT f.id, f.slug, f.name,
               COUNT(*) AS total,
               COUNT(*) FILTER (WHERE a.status IN {OPEN}) AS open_count,
               COUNT(*) FILTER (WHERE a.status IN {OPEN} AND {EFFECTIVE_DUE} < %(today)s) AS overdue_count,
               COUNT(*) FILTER (WHERE a.status IN {OPEN} AND {EFFECTIVE_DUE} BETWEEN %(today)s AND %(until)s)
                   AS due_soon_count,
               COUNT(*) FILTER (WHERE a.status = 'completed') AS awaiting_review_count,
               COUNT(*) FILTER (WHERE a.status = 'verified') AS verified_count,
               COUNT(a.completed_at) AS completed_count,
               COUNT(*) FILTER (WHERE {_local_completion_day()} > {EFFECTIVE_DUE}) AS completed_late_count
               {extra}
        FROM {t["force"]} f JOIN {t["action"]} a ON a.force_id = f.id {join}
        GROUP BY f.id, f.slug, f.name
        ORDER BY overdue_count DESC, f.name
    """


def dashboard_kept_sql() -> str:
    """The dashboard as it is drawn: each force's kept summary, and its open actions counted for today."""
    t = _tables()
    afi = "r.kind = 'area-for-improvement'"
    return f"""
        SELECT f.id, f.slug, f.name, s.*,
               COALESCE(o.overdue_count, 0), COALESCE(o.due_soon_count, 0), COALESCE(o.afi_overdue_count, 0)
        FROM {t["force"]} f
        JOIN {t["summary"]} s ON s.force_id = f.id
        LEFT JOIN (
            SELECT a.force_id,
                   COUNT(*) FILTER (WHERE {EFFECTIVE_DUE} < %(today)s) AS overdue_count,
                   COUNT(*) FILTER (WHERE {EFFECTIVE_DUE} BETWEEN %(today)s AND %(until)s) AS due_soon_count,
                   COUNT(*) FILTER (WHERE {afi} AND {EFFECTIVE_DUE} < %(today)s) AS afi_overdue_count
            FROM {t["action"]} a JOIN {t["rec"]} r ON r.id = a.recommendation_id
            WHERE a.status IN {OPEN}
            GROUP BY a.force_id
        ) o ON o.force_id = f.id
        WHERE s.total_count > 0
        ORDER BY 2 DESC, f.name
    """


def _rows_sql(where: str, order: str, limit: str = "") -> str:
    t = _tables()
    return f"""
        SELECT a.id, a.status, a.due_date, a.revised_due_date, a.updated_at, a.version,
               f.name, f.slug, r.number, r.text, r.due_precision, rep.title, rep.slug,
               u.first_name, u.last_name, u.username,
               (SELECT COUNT(*) FROM {t["action"]} a
                JOIN {t["force"]} f ON f.id = a.force_id
                JOIN {t["rec"]} r ON r.id = a.recommendation_id
                WHERE {where}) AS total
        FROM {t["action"]} a
        JOIN {t["force"]} f ON f.id = a.force_id
        JOIN {t["rec"]} r ON r.id = a.recommendation_id
        JOIN {t["report"]} rep ON rep.id = r.report_id
        LEFT JOIN {t["user"]} u ON u.id = a.owner_id
        WHERE {where}
        ORDER BY {order}
        {limit}
    """


def overdue_sql() -> str:
    return _rows_sql(
        f"a.status IN {OPEN} AND {EFFECTIVE_DUE} < %(today)s", f"f.name, {EFFECTIVE_DUE}, a.id", "LIMIT 50"
    )


def force_sql() -> str:
    """The force page: its first ten reports (overdue, then open, first; newest first), counted, with their actions."""
    t = _tables()
    is_open = f"a.status IN {OPEN}"
    return f"""
        WITH page AS (
            SELECT rep.id, rep.title, rep.slug, rep.published_on,
                   COUNT(*) AS total,
                   COUNT(*) FILTER (WHERE {is_open} AND {EFFECTIVE_DUE} < %(today)s) AS overdue_count,
                   COUNT(*) FILTER (WHERE {is_open}) AS open_count,
                   COUNT(*) FILTER (WHERE a.status = 'completed') AS awaiting_review_count
            FROM {t["action"]} a
            JOIN {t["rec"]} r ON r.id = a.recommendation_id
            JOIN {t["report"]} rep ON rep.id = r.report_id
            WHERE a.force_id = %(force_id)s
            GROUP BY rep.id, rep.title, rep.slug, rep.published_on
            ORDER BY CASE WHEN COUNT(*) FILTER (WHERE {is_open} AND {EFFECTIVE_DUE} < %(today)s) > 0 THEN 0
                          WHEN COUNT(*) FILTER (WHERE {is_open}) > 0 THEN 1 ELSE 2 END,
                     rep.published_on DESC, rep.title, rep.id
            LIMIT 10
        )
        SELECT a.id, a.status, a.due_date, a.revised_due_date, a.updated_at, a.version,
               r.number, r.text, r.due_precision, r.is_priority, page.*, u.first_name, u.last_name, u.username
        FROM {t["action"]} a
        JOIN {t["rec"]} r ON r.id = a.recommendation_id
        JOIN page ON page.id = r.report_id
        LEFT JOIN {t["user"]} u ON u.id = a.owner_id
        WHERE a.force_id = %(force_id)s
    """


def force_open_list_sql() -> str:
    return _rows_sql(
        f"a.force_id = %(force_id)s AND a.status IN {OPEN}",
        f"{EFFECTIVE_DUE} IS NULL, {EFFECTIVE_DUE}, a.id",
        "LIMIT 50",
    )


def text_search_sql() -> str:
    like = "UPPER(r.text) LIKE UPPER(%(like)s)" if connection.vendor == "postgresql" else "r.text LIKE %(like)s"
    return _rows_sql(f"a.status IN {OPEN} AND {like}", f"{EFFECTIVE_DUE} IS NULL, {EFFECTIVE_DUE}, a.id", "LIMIT 50")


def review_queue_sql() -> str:
    return _rows_sql("a.status = 'completed'", "a.completed_at, a.id", "LIMIT 25")


def export_sql() -> str:
    return _rows_sql("1 = 1", f"{EFFECTIVE_DUE} IS NULL, {EFFECTIVE_DUE}, a.id")


def run(sql: str, params: dict) -> int:
    """Run `sql` and fetch every row (in chunks, as a streamed export would); return how many there were."""
    count = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(2000):
            count += len(rows)
    return count


def params(today: datetime.date, due_soon_days: int, **extra) -> dict:
    return {
        "today": today.isoformat(),
        "until": (today + datetime.timedelta(days=due_soon_days)).isoformat(),
        **extra,
    }
