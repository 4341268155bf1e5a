"""
The public register: published reports, their recommendations and each force's status, with no sign-in.

Only what a reviewer published is shown (Action.objects.public()), and of it only the recommendation as
HMIC published it, the force, the public status, the due date and the dated log of status changes: never
owners, notes, evidence, RAG ratings, extension requests, who made a change or why.

This module works out what the register shows; its pages (and their caching) are in tracker/views/register.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from tracker.links import absolute_url
from tracker.models import Action, CommissionerResponse, Recommendation, Report, Theme
from tracker.spreadsheets import ROWS_PER_FETCH, Cell, download_filename

Status = Action.Status


@dataclass(frozen=True)
class PublicStatus:
    key: str
    label: str
    statuses: tuple[str, ...]
    tag_class: str  # the colour of the internal status it stands for (assets/scss/app.scss)


PUBLIC_STATUSES = (
    PublicStatus("being_progressed", "Being progressed", (Status.NOT_STARTED, Status.IN_PROGRESS), "in_progress"),
    PublicStatus("awaiting_review", "Awaiting review", (Status.COMPLETED,), "completed"),
    PublicStatus("complete", "Complete – authorised for closure", (Status.VERIFIED,), "verified"),
    PublicStatus("superseded", "Closed – superseded", (Status.SUPERSEDED,), "superseded"),
    PublicStatus("not_accepted", "Closed – not accepted", (Status.NOT_ACCEPTED,), "not_accepted"),
)
_PUBLIC_BY_STATUS = {status: public for public in PUBLIC_STATUSES for status in public.statuses}
_PUBLIC_BY_KEY = {public.key: public for public in PUBLIC_STATUSES}


def public_status(status: str) -> PublicStatus:
    """
    Return the public register's word for an internal status, in HMIC's public vocabulary.

    Not started and being progressed are both "Being progressed": as on HMIC's own register, a
    recommendation is with the force from the day it is made until the force says it is done, and
    whether work has begun is the force's internal business. "Awaiting review" means what it means on
    HMIC's register: the force says it is complete and HMIC has not yet reviewed it. "Complete –
    authorised for closure" is HMIC's verification. The two closures without completion are said plainly.
    """
    return _PUBLIC_BY_STATUS[status]


@dataclass(frozen=True)
class LogEntry:
    day: datetime.date
    status: PublicStatus


def public_log(action: Action) -> list[LogEntry]:
    """Return the dated changes of the action's public status, oldest first, starting with its first status."""
    # Only the date and the status are read: never history_user or the change reason, which may quote notes.
    rows = action.history.order_by("history_date", "history_id").values_list("history_date", "status")
    entries: list[LogEntry] = []
    for when, status in rows:
        public = public_status(status)
        if not entries or entries[-1].status != public:
            entries.append(LogEntry(timezone.localdate(when), public))
    return entries


def public_actions() -> QuerySet[Action]:
    """Return the register's actions with what its pages show of them, in one query."""
    return (
        Action.objects.public()
        .select_related("force", "recommendation", "recommendation__report", "recommendation__report__subject_force")
        .with_due_date_revision_count()
    )


def with_public_status(actions) -> list[Action]:
    actions = list(actions)
    for action in actions:
        action.public_status = public_status(action.status)
    return actions


def statuses_shown_as(key: str) -> tuple[str, ...]:
    """Return the internal statuses shown on the register as the public status `key` (none for an unknown key)."""
    public = _PUBLIC_BY_KEY.get(key)
    return public.statuses if public else ()


def status_counts_by_report(actions: QuerySet[Action]) -> list[Report]:
    """Return the reports of `actions`, each with `status_counts` [(public status, count)] and `action_count`."""
    counts: dict[int, dict[str, int]] = {}
    for report_id, status, number in (
        actions.order_by().values_list("recommendation__report_id", "status").annotate(n=Count("pk"))
    ):
        per_status = counts.setdefault(report_id, {public.key: 0 for public in PUBLIC_STATUSES})
        per_status[public_status(status).key] += number
    reports = list(Report.objects.filter(pk__in=list(counts)).select_related("subject_force"))
    for report in reports:
        report.status_counts = [(public, counts[report.pk][public.key]) for public in PUBLIC_STATUSES]
        report.action_count = sum(counts[report.pk].values())
    return reports


def published_reports() -> QuerySet[Report]:
    """Return the reports with at least one published action."""
    public = Action.objects.public()
    return Report.objects.select_related("subject_force").filter(pk__in=public.values("recommendation__report_id"))


def published_recommendations(report: Report) -> list[Recommendation]:
    """Return the report's recommendations with a published action, each with its `public_actions` by force."""
    public = Action.objects.public()
    recommendations = list(
        report.recommendations.filter(pk__in=public.values("recommendation_id"))
        .select_related("theme")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=public.select_related("force").with_due_date_revision_count().order_by("force__name"),
                to_attr="public_actions",
            )
        )
    )
    for recommendation in recommendations:
        with_public_status(recommendation.public_actions)
    return recommendations


def last_change() -> tuple:
    """Return when anything the register shows may last have changed, in one query (for the pages' ETag)."""
    # Every change the register can show leaves a history row (status and due dates, publishing and
    # unpublishing an action or a report, a recommendation's text or theme, a theme's title, deletions),
    # and history_date is indexed, so each MAX is an index lookup. It is the latest change to ANY action,
    # not only to public ones: the latest change to a public action can be the one that unpublished it,
    # after which a "public only" maximum could fall back to an earlier value and revalidate stale pages.
    # Forces have no history (renamed only by fixtures): the short max-age bounds that staleness.
    quote = connection.ops.quote_name
    tables = [
        Action.history.model,
        Report.history.model,
        Recommendation.history.model,
        Theme.history.model,
        CommissionerResponse.history.model,  # published once, then fixed
    ]
    columns = ", ".join(f"(SELECT MAX(history_date) FROM {quote(model._meta.db_table)})" for model in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")  # noqa: S608 - table names from the models, nothing from the request
        return cursor.fetchone()


CSV_COLUMNS = [
    "Report",
    "Inspection round",
    "Report published",
    "Force",
    "Kind",
    "Recommendation number",
    "Recommendation",
    "Theme",
    "Status",
    "Due date",
    "Original due date",
    "Times the due date moved",
    "Register page",
]


def register_rows(actions: QuerySet[Action]) -> Iterator[list[Cell]]:
    """Yield one row of CSV_COLUMNS per published action: the register's fields and nothing else."""
    for action in actions.select_related("recommendation__theme").iterator(chunk_size=ROWS_PER_FETCH):
        recommendation = action.recommendation
        report = recommendation.report
        yield [
            report.title,
            report.series,
            report.published_on,
            action.force.name,
            recommendation.get_kind_display(),
            recommendation.number,
            recommendation.text,
            recommendation.theme.title if recommendation.theme_id else "",
            public_status(action.status).label,
            action.effective_due_date,
            action.due_date,
            action.due_date_revision_count,
            absolute_url(reverse("tracker:register_action", args=[action.pk])),
        ]


def register_filename(applied: dict, *, day: datetime.date) -> str:
    """Return the file name of the register's CSV with the filters `applied` (RegisterFilter's cleaned data)."""
    words = ["public register"]
    if applied.get("force"):
        words.append(applied["force"].slug)
    if applied.get("theme"):
        words.append(f"theme {applied['theme'].title}")
    if applied.get("series"):
        words.append(applied["series"])
    if applied.get("kind"):
        words.append(Recommendation.KIND_PLURALS[applied["kind"]])
    if applied.get("status"):
        words.append(applied["status"])
    return download_filename(words, day, "csv")
