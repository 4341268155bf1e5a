"""
Time the pages and tasks on the bench database through Django's test client; print one JSON list.

Each page is requested a few times to warm up, once more under CaptureQueriesContext to count its queries,
then BENCH_REPEAT times on the clock. Its floor (bench/floor.py) and, where it compares, the admin changelist
with the overdue filter are timed in the same run, interleaved, so machine load hits both alike.
"""

from __future__ import annotations

import datetime
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import floor  # noqa: E402
from bench.run import EXPORTS  # noqa: E402
from tracker.models import Action, Force, ForceSummary, User  # noqa: E402
from tracker.selectors import force_summaries  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "25"))
EXPORT_REPEAT = int(os.environ.get("BENCH_EXPORT_REPEAT", "3"))
REMINDER_REPEAT = int(os.environ.get("BENCH_REMINDER_REPEAT", "3"))
SEED_REPORT = Path(os.environ.get("SEEDS", settings.BASE_DIR.parent / "shared" / "seeds")) / "003_cdb7c5f2cfc2a177.txt"
SEED_FIXTURE = settings.BASE_DIR / "fixtures" / "reports" / "without-fear-or-favour-2011-national.json"
BACKEND = "django.contrib.auth.backends.ModelBackend"
FORCE = "west-midlands"


def percentile(samples: list[float], pct: int) -> float:
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


def stats(samples: list[float]) -> dict:
    return {"median_ms": round(statistics.median(samples), 1), "p95_ms": round(percentile(samples, 95), 1)}


def client_for(username: str) -> Client:
    client = Client(raise_request_exception=True)
    client.force_login(User.objects.get(username=username), backend=BACKEND)
    return client


def fetch(client: Client, url: str, method: str = "get", data: dict | None = None) -> int:
    """Request `url` and read the whole response (streamed or not); return the status code."""
    response = getattr(client, method)(url, data or {})
    if response.streaming:
        for _ in response.streaming_content:
            pass
    else:
        _ = response.content
    response.close()
    if response.status_code >= 400:
        raise RuntimeError(f"{method.upper()} {url} answered {response.status_code}")
    return response.status_code


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def measure(
    name: str,
    work: Callable[[], object],
    *,
    rows: int,
    repeat: int = REPEAT,
    floor_work: Callable[[], object] | None = None,
    admin_work: Callable[[], object] | None = None,
    warmup: int = 2,
) -> dict:
    """Time `work` (and its floor and the admin, interleaved) `repeat` times; return the result row."""
    for _ in range(warmup):
        work()
    queries = []
    samples, floor_samples, admin_samples = [], [], []
    # An execute wrapper rather than CaptureQueriesContext: it survives SQLite closing the connection after
    # each request (CONN_MAX_AGE=0).
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        if warmup:
            work()
        else:  # a slow task (an export, the reminders): its first timed run counts its queries too
            samples.append(timed(work))
    for _ in range(repeat - len(samples)):
        samples.append(timed(work))
        if floor_work:
            floor_samples.append(timed(floor_work))
        if admin_work:
            admin_samples.append(timed(admin_work))
    result = {"name": name, "database": connection.vendor, "rows": rows, **stats(samples), "queries": len(queries)}
    if floor_samples:
        result["floor_sql_ms"] = stats(floor_samples)["median_ms"]
        result["floor_sql_p95_ms"] = stats(floor_samples)["p95_ms"]
    if admin_samples:
        result["admin_ms"] = stats(admin_samples)["median_ms"]
        result["admin_p95_ms"] = stats(admin_samples)["p95_ms"]
    print(f"  {name}: {result['median_ms']} ms median", file=sys.stderr, flush=True)
    return result


def renew_a_revision() -> None:
    """Give one force's summary a new revision, as a change to its actions does (its one UPDATE timed with the page)."""
    ForceSummary.objects.filter(force__slug=FORCE).update(revision=uuid.uuid4())


def import_seed_report() -> int:
    """Import the national seed report as an admin would (parse, build the fixture, load it), then undo it."""
    from tracker.importer import build_fixture, load_fixture_text

    with transaction.atomic():
        if SEED_REPORT.exists():
            from tracker.report_parser import parse_report, read_report_text

            parsed = parse_report(read_report_text(str(SEED_REPORT)), published=datetime.date(2011, 12, 13))
            text = build_fixture(parsed, source_name=SEED_REPORT.name).to_json()
        else:
            text = SEED_FIXTURE.read_text(encoding="utf-8")
        loaded = load_fixture_text(text, label="seed report")
        transaction.set_rollback(True)  # each repetition imports into the same database
    return loaded


def group_a_report_into_themes() -> int:
    """Regroup the newest report with several recommendations against every other recommendation, then undo it."""
    from django.db.models import Count

    from tracker.models import Recommendation, Report
    from tracker.themes import assign_themes

    with transaction.atomic():
        report = Report.objects.annotate(n=Count("recommendations")).filter(n__gte=5).order_by("-published_on").first()
        recommendations = list(report.recommendations.all())
        Recommendation.objects.filter(report=report).update(theme=None)
        for recommendation in recommendations:
            recommendation.theme_id = None
        assign_themes(recommendations)
        transaction.set_rollback(True)
    return len(recommendations)


def send_reminders_with_the_digest(counts: dict) -> None:
    """
    Choose and send today's reminders, the weekly digest included, by the locmem email backend, then undo the
    claims; note in `counts` the recipients, the emails, and the queries to choose them and to send them.
    """
    from django.core import mail

    from tracker import reminders

    today = timezone.localdate()
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        with transaction.atomic():  # each email's claim is a savepoint in here: SAVEPOINT, INSERT, RELEASE
            began = len(queries)  # SQLite's BEGIN
            due = reminders.reminders_for(today, digest=True)
            chosen = len(queries) - began
            outcome = reminders.send_all(due, today)
            transaction.set_rollback(True)
    if len(outcome.sent) != len(due):
        raise RuntimeError(f"{len(outcome.sent)} of {len(due)} reminders sent")
    mail.outbox.clear()
    counts.update(
        recipients=len({reminder.user.pk for reminder in due}),
        emails=len(due),
        choose_queries=chosen,
        send_queries=len(queries) - began - chosen,
    )


def main() -> None:
    today = timezone.localdate()
    due_soon = settings.DUE_SOON_DAYS
    reviewer, lead, admin = client_for("demo.reviewer"), client_for(f"demo.psd.{FORCE}"), client_for("demo.admin")
    force = Force.objects.get(slug=FORCE)
    total = Action.objects.count()
    overdue = Action.objects.overdue(today).count()
    admin_overdue = lambda: fetch(admin, "/admin/tracker/action/?overdue=yes")  # noqa: E731
    results = []

    results.append(
        measure(
            "National dashboard",
            lambda: fetch(reviewer, "/dashboard/"),
            rows=total,
            floor_work=lambda: floor.run(floor.dashboard_kept_sql(), floor.params(today, due_soon)),
            admin_work=admin_overdue,
        )
    )
    # The first load after a change to some force's counts or open due dates: the day's counts read afresh.
    results.append(
        measure(
            "National dashboard, after a change",
            lambda: (renew_a_revision(), fetch(reviewer, "/dashboard/")),
            rows=total,
            floor_work=lambda: floor.run(floor.dashboard_kept_sql(), floor.params(today, due_soon)),
        )
    )
    # The reference: the same counts recounted from every action ever, as the dashboard did before it kept them.
    results.append(
        measure(
            "Dashboard, full recount",
            lambda: list(force_summaries(Force.objects.with_actions(), today, due_soon)),
            rows=total,
            floor_work=lambda: floor.run(floor.dashboard_sql(), floor.params(today, due_soon)),
        )
    )
    results.append(
        measure(
            "Overdue report",
            lambda: fetch(reviewer, "/actions/overdue/"),
            rows=overdue,
            floor_work=lambda: floor.run(floor.overdue_sql(), floor.params(today, due_soon)),
            admin_work=admin_overdue,
        )
    )
    results.append(
        measure(
            "Admin changelist, overdue filter",
            admin_overdue,
            rows=overdue,
            floor_work=lambda: floor.run(floor.overdue_sql(), floor.params(today, due_soon)),
        )
    )
    results.append(
        measure(
            "Force page (PSD lead)",
            lambda: fetch(lead, force.get_absolute_url()),
            rows=Action.objects.filter(force=force).count(),
            floor_work=lambda: floor.run(floor.force_sql(), floor.params(today, due_soon, force_id=force.pk)),
        )
    )
    open_filter = f"/actions/?force={FORCE}&status=not_started&status=in_progress"
    results.append(
        measure(
            "List: one force's open actions",
            lambda: fetch(reviewer, open_filter),
            rows=Action.objects.open().filter(force=force).count(),
            floor_work=lambda: floor.run(floor.force_open_list_sql(), floor.params(today, due_soon, force_id=force.pk)),
        )
    )
    search = "/actions/?q=domestic+abuse&status=not_started&status=in_progress"
    results.append(
        measure(
            "List: text search, open",
            lambda: fetch(reviewer, search),
            rows=Action.objects.open().filter(recommendation__text__icontains="domestic abuse").count(),
            floor_work=lambda: floor.run(
                floor.text_search_sql(), floor.params(today, due_soon, like="%domestic abuse%")
            ),
        )
    )
    results.append(
        measure(
            "Review queue",
            lambda: fetch(reviewer, "/review/"),
            rows=Action.objects.awaiting_review().count(),
            floor_work=lambda: floor.run(floor.review_queue_sql(), floor.params(today, due_soon)),
        )
    )
    # Warm-up requests fill the cache of ended months, as the first visitor of a month would.
    results.append(measure("Trends, national (24 months)", lambda: fetch(reviewer, "/trends/"), rows=total))
    busy = (
        Action.objects.filter(force=force, status=Action.Status.IN_PROGRESS)
        .order_by("-version", "pk")
        .values_list("pk", "version")
        .first()
    )
    results.append(measure("Action page (history, notes)", lambda: fetch(lead, f"/actions/{busy[0]}/"), rows=busy[1]))
    results.append(
        measure(
            "Add a progress note (POST)",
            lambda: fetch(lead, f"/actions/{busy[0]}/notes/", "post", {"text": "Benchmark progress note."}),
            rows=1,
        )
    )
    for fmt, name in EXPORTS.items():
        results.append(
            measure(
                name,
                lambda fmt=fmt: fetch(reviewer, f"/actions/export.{fmt}?list=all"),
                rows=total,
                repeat=EXPORT_REPEAT,
                warmup=0,
                floor_work=lambda: floor.run(floor.export_sql(), floor.params(today, due_soon)),
            )
        )
    results.append(measure("Import a seed report", import_seed_report, rows=import_seed_report(), repeat=10))
    from tracker.models import Recommendation

    results.append(
        measure(
            "Group a report into themes",
            group_a_report_into_themes,
            rows=Recommendation.objects.count(),
            repeat=10,
        )
    )
    counts: dict = {}
    results.append(
        measure(
            "Send reminders (digest day)",
            lambda: send_reminders_with_the_digest(counts),
            rows=total,
            repeat=REMINDER_REPEAT,
            warmup=0,
        )
    )
    results[-1].update(counts)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
