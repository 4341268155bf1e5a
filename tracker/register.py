"""
The public register: published reports, their recommendations and each force's status, with no sign-in.

Only what a reviewer published is shown (Action.objects.public()), and of it only the recommendation as
HMIC published it, the force, the public status, the due date and the dated log of status changes: never
owners, notes, evidence, RAG ratings, extension requests, who made a change or why.

The pages are the same for everyone, so they are made for caching: an ETag that changes whenever anything
the register shows could have changed, "Cache-Control: public, max-age=300", and no cookies — the pages
never read the session (no signed-in navigation, no messages, no CSRF token), so no "Vary: Cookie" either.
"""

from __future__ import annotations

import csv
import datetime
import functools
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import django_filters
from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Prefetch, QuerySet
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe

from tracker.exports import neutralise
from tracker.filters import kind_filter
from tracker.models import Action, Force, Recommendation, Report, Theme
from tracker.selectors import in_sections

Status = Action.Status
CACHE_SECONDS = 300
PAGE_SIZE = 50
CSV_CHUNK_SIZE = 2000


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
    return Action.objects.public().select_related(
        "force", "recommendation", "recommendation__report", "recommendation__report__subject_force"
    )


def _with_public_status(actions) -> list[Action]:
    actions = list(actions)
    for action in actions:
        action.public_status = public_status(action.status)
    return actions


class RegisterFilter(django_filters.FilterSet):
    """Filters for the register; every choice offered comes from published actions only."""

    force = django_filters.ModelChoiceFilter(
        queryset=Force.objects.none(), to_field_name="slug", label="Force", empty_label="All forces"
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="recommendation__theme", queryset=Theme.objects.none(), label="Theme", empty_label="All themes"
    )
    series = django_filters.ChoiceFilter(
        field_name="recommendation__report__series", label="Inspection round", choices=[], empty_label="All rounds"
    )
    kind = kind_filter()
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[(public.key, public.label) for public in PUBLIC_STATUSES],
        method="filter_status",
        empty_label="Any status",
    )

    class Meta:
        model = Action
        fields = ["force", "theme", "series", "kind", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An unpublished theme's title or force would otherwise be listed here; choosing it finds nothing.
        public = Action.objects.public()
        self.filters["force"].queryset = Force.objects.filter(pk__in=public.values("force_id"))
        self.filters["theme"].queryset = Theme.objects.filter(
            pk__in=Recommendation.objects.filter(pk__in=public.values("recommendation_id")).values("theme_id")
        )
        rounds = (
            Report.objects.filter(pk__in=public.values("recommendation__report_id"))
            .exclude(series="")
            .order_by("series")
            .values_list("series", flat=True)
            .distinct()
        )
        self.filters["series"].extra["choices"] = [(series, series) for series in rounds]

    def filter_status(self, queryset, name, value):
        public = _PUBLIC_BY_KEY.get(value)
        return queryset.filter(status__in=public.statuses) if public else queryset


def filtered_actions(request) -> tuple[RegisterFilter, QuerySet[Action]]:
    """Return the register's filter for this query string and the published actions it leaves."""
    actions = public_actions().order_by(
        "-recommendation__report__published_on",
        "recommendation__report__title",
        "-recommendation__kind",  # recommendations before areas for improvement
        "recommendation__number",
        "force__name",
    )
    register_filter = RegisterFilter(request.GET or None, queryset=actions)
    return register_filter, register_filter.qs


# Caching -------------------------------------------------------------------------------------------------


@functools.cache
def _code_version() -> str:
    """Return a digest of the templates and assets the register's pages are made from, so a deploy shows."""
    base = Path(settings.BASE_DIR) / "templates"
    digest = hashlib.sha256()
    for path in [*sorted((base / "register").glob("*.html")), *sorted((base / "includes").glob("*.html"))]:
        digest.update(path.read_bytes())
    digest.update((base / "base.html").read_bytes())
    digest.update(Path(__file__).read_bytes())
    for asset in ("dist/app.css", "dist/app.js", "dist/govuk-frontend.min.js"):
        digest.update(static(asset).encode())  # hashed names with the manifest storage
    return digest.hexdigest()


def register_etag(request, *args, **kwargs) -> str:
    """Return an ETag that changes whenever anything the register shows may have changed, in one query."""
    # Every change the register can show leaves a history row (status and due dates, publishing and
    # unpublishing an action or a report, a recommendation's text or theme, a theme's title, deletions),
    # and history_date is indexed, so each MAX is an index lookup. It is the latest change to ANY action,
    # not only to public ones: the latest change to a public action can be the one that unpublished it,
    # after which a "public only" maximum could fall back to an earlier value and revalidate stale pages.
    # Forces have no history (renamed only by fixtures): the short max-age bounds that staleness.
    quote = connection.ops.quote_name
    tables = [Action.history.model, Report.history.model, Recommendation.history.model, Theme.history.model]
    columns = ", ".join(f"(SELECT MAX(history_date) FROM {quote(model._meta.db_table)})" for model in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")  # noqa: S608 - table names from the models, nothing from the request
        latest = cursor.fetchone()
    return hashlib.sha256(f"{_code_version()}|{latest}".encode()).hexdigest()[:32]


def public_page(view):
    """Serve `view` to anyone by GET or HEAD, with an ETag (304 when unchanged) and a short public cache."""

    @functools.wraps(view)
    @require_safe
    @cache_control(public=True, max_age=CACHE_SECONDS)
    @condition(etag_func=register_etag)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    @functools.wraps(view)
    def keep_cached_policy(request, *args, **kwargs):
        response = wrapped(request, *args, **kwargs)
        if response.status_code == 304:
            # A 304's headers replace the cached copy's: a new Content-Security-Policy would carry a
            # different script nonce than the cached page, and its scripts would stop running.
            response._csp_exempt = True
        return response

    return keep_cached_policy


# Pages ---------------------------------------------------------------------------------------------------


@public_page
def register_home(request):
    """List the published reports and the forces' status on their recommendations, filtered."""
    register_filter, actions = filtered_actions(request)
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
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
    query = request.GET.copy()
    query.pop("page", None)
    export_url = reverse("tracker:register_export") + (f"?{query.urlencode()}" if query else "")
    context = {
        "filter": register_filter,
        "reports": reports,
        "page_obj": page,
        "actions": _with_public_status(page.object_list),
        "export_url": export_url,
        "statuses": PUBLIC_STATUSES,
    }
    return render(request, "register/home.html", context)


@public_page
def register_report(request, slug: str):
    """Show a report's published recommendations with each published force's status and due date."""
    public = Action.objects.public()
    report = get_object_or_404(
        Report.objects.select_related("subject_force").filter(pk__in=public.values("recommendation__report_id")),
        slug=slug,
    )
    recommendations = list(
        report.recommendations.filter(pk__in=public.values("recommendation_id"))
        .select_related("theme")
        .prefetch_related(
            Prefetch(
                "actions", queryset=public.select_related("force").order_by("force__name"), to_attr="public_actions"
            )
        )
    )
    for recommendation in recommendations:
        _with_public_status(recommendation.public_actions)
    return render(request, "register/report.html", {"report": report, "sections": in_sections(recommendations)})


@public_page
def register_action(request, pk: int):
    """Show one force's public status on one recommendation, with the dated log of its status changes."""
    action = get_object_or_404(public_actions().select_related("recommendation__theme"), pk=pk)
    action.public_status = public_status(action.status)
    context = {
        "action": action,
        "recommendation": action.recommendation,
        "report": action.recommendation.report,
        "log": list(reversed(public_log(action))),
    }
    return render(request, "register/action.html", context)


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
    "Register page",
]


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(neutralise(value))


def register_rows(actions: QuerySet[Action]) -> Iterator[list]:
    """Yield one row of CSV_COLUMNS per published action: the register's fields and nothing else."""
    site = settings.SITE_URL.rstrip("/")
    for action in actions.select_related("recommendation__theme").iterator(chunk_size=CSV_CHUNK_SIZE):
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
            site + reverse("tracker:register_action", args=[action.pk]),
        ]


def _csv_chunks(rows: Iterator[list]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # so Excel reads it as UTF-8
    writer.writerow(CSV_COLUMNS)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_value(value) for value in row])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@public_page
def register_export(request):
    """Download the register as filtered on its home page, as CSV."""
    _, actions = filtered_actions(request)
    response = StreamingHttpResponse(_csv_chunks(register_rows(actions)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="public-register.csv"'
    return response
