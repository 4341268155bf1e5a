"""Read-side queries shared by views, exports and the admin: per-force counts and action timelines."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from tracker.dates import long_date
from tracker.models import (
    Action,
    Counts,
    Force,
    ForceSummary,
    ProgressNote,
    Recommendation,
    Report,
    ResponseCounts,
    Theme,
    User,
    attention_ordering,
    completed_late_q,
    effective_due_q,
    extension_requests_prefetch,
    of_kind_q,
    overdue_q,
    recheck_due_q,
    summary_counts,
    visible_force_ids,
)
from tracker.workflow import TRANSITIONS

RECENTLY_DUE_CACHE_SECONDS = 24 * 60 * 60  # a day's counts are of no use the next day


def force_summaries(
    forces: QuerySet[Force], today: datetime.date | None = None, due_soon_days: int = 30
) -> list[Force]:
    """Return `forces`, each with its action counts recounted from every action, in one query.

    open_count and overdue_count count every action; recommendation_open_count, afi_open_count and their
    overdue pair split them between recommendations and areas for improvement (summary_counts() and
    _with_rates() name them all). For one force's page, and the reference the national dashboard's
    kept_force_summaries() is tested against.
    """
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=due_soon_days)
    is_open = Q(actions__status__in=Action.OPEN_STATUSES)
    overdue = overdue_q(today, "actions__")
    counted = forces.annotate(
        **summary_counts("actions__"),
        overdue_count=Count("actions", filter=overdue),
        due_soon_count=Count(
            "actions",
            filter=is_open & effective_due_q("gte", today, "actions__") & effective_due_q("lte", until, "actions__"),
        ),
        afi_overdue_count=Count(
            "actions", filter=overdue & of_kind_q(Recommendation.Kind.AREA_FOR_IMPROVEMENT, "actions__")
        ),
        recheck_due_count=Count("actions", filter=recheck_due_q(today, "actions__")),
    )
    return [_with_rates(force) for force in counted]


def kept_force_summaries(today: datetime.date | None = None, due_soon_days: int = 30) -> list[Force]:
    """
    Return the forces with actions, counted as force_summaries() counts them, each with `overdue_ages` too, in
    queries whose cost does not grow with history: each force's kept summary (ForceSummary), and, unless counted
    at the same revisions today already, its open actions due within the last two years or later
    (ForceSummary.counts_on() works out the rest), with its verified actions whose re-check has come.
    """
    today = today or timezone.localdate()
    forces = list(Force.objects.filter(summary__total_count__gt=0).select_related("summary"))
    recent = _recently_due_counts([force.summary for force in forces], today, due_soon_days)
    for force in forces:
        for name, count in force.summary.counts_on(recent.get(force.pk, {})).items():
            setattr(force, name, count)
        _with_rates(force)
    return forces


def with_response_counts(forces: list[Force], today: datetime.date | None = None) -> list[Force]:
    """Give each force `response_due_count` and `response_overdue_count`: its commissioner's responses awaited,
    within the 56 days and past them (Report.objects.response_counts, one query)."""
    counts = Report.objects.response_counts(today)
    for force in forces:
        force.response_due_count = counts.get(force.pk, ResponseCounts()).due
        force.response_overdue_count = counts.get(force.pk, ResponseCounts()).overdue
    return forces


def overdue_count(user: User, today: datetime.date | None = None) -> int:
    """Return how many actions `user` may see are overdue, as the dashboard counts them (kept_force_summaries)."""
    today = today or timezone.localdate()
    summaries = list(
        ForceSummary.objects.filter(total_count__gt=0).only("revision", "open_count", "open_undated_count")
    )
    # With the dashboard's due-soon days, so that both read the day's counts from one cache entry.
    recent = _recently_due_counts(summaries, today, settings.DUE_SOON_DAYS)
    visible = visible_force_ids(user)
    return sum(
        summary.overdue_on(recent.get(summary.force_id, {}))
        for summary in summaries
        if visible is None or summary.force_id in visible
    )


def _recently_due_counts(summaries: list[ForceSummary], today: datetime.date, due_soon_days: int) -> dict[int, Counts]:
    """
    Return Action.objects.recently_due_counts(today, due_soon_days), with each force's "recheck_due_count", from
    the cache when the forces' `summaries` are at the revisions it was counted at: any change to a force's actions
    gives its summary a new revision in the same transaction (a check-again date set or cleared moves its
    recheck_pending_count), so a cached count is never of actions that have changed since.
    """
    at = sorted((summary.force_id, str(summary.revision)) for summary in summaries)
    revisions = hashlib.sha256(" ".join(f"{force_id}:{revision}" for force_id, revision in at).encode()).hexdigest()
    key = f"dashboard:recently-due:{today.isoformat()}:{due_soon_days}:{revisions}"
    counts = cache.get(key)
    if counts is None:
        counts = Action.objects.recently_due_counts(today, due_soon_days)
        # And the re-checks due: the few verified actions with a check-again date, read by an index range.
        for force_id, n in Action.objects.recheck_due_counts(today).items():
            counts.setdefault(force_id, {})["recheck_due_count"] = n
        cache.set(key, counts, timeout=RECENTLY_DUE_CACHE_SECONDS)
    return counts


def _with_rates(force: Force) -> Force:
    force.completed_on_time_count = force.completed_count - force.completed_late_count
    force.recommendation_open_count = force.open_count - force.afi_open_count
    force.recommendation_overdue_count = force.overdue_count - force.afi_overdue_count
    force.on_time_rate = force.completed_on_time_count / force.completed_count if force.completed_count else None
    return force


def sorted_forces(forces: Iterable[Force], order: str) -> list[Force]:
    """Return `forces` sorted by the count `order` names ("-open_count": most first, "name"), then by name."""
    name = order.removeprefix("-")
    ranked = sorted(forces, key=lambda force: force.name)
    missing_last = [f for f in ranked if getattr(f, name) is None]
    present = sorted(
        (f for f in ranked if getattr(f, name) is not None),
        key=lambda f: getattr(f, name),
        reverse=order.startswith("-"),
    )
    return present + missing_last


@dataclass(frozen=True)
class ChartBar:
    """One force's bar on a chart: its count, and the bar's length as a percentage of the longest."""

    force: Force
    count: int
    percent: int


def overdue_recommendations_chart(forces: Iterable[Force]) -> list[ChartBar]:
    """
    Return a bar for each of `forces` (counted by force_summaries) with overdue recommendations, most first;
    areas for improvement are left out, as in the dashboard's "Overdue recommendations" column.
    """
    overdue = sorted(
        (force for force in forces if force.recommendation_overdue_count),
        key=lambda force: (-force.recommendation_overdue_count, force.name),
    )
    most = overdue[0].recommendation_overdue_count if overdue else 0
    return [
        ChartBar(force, force.recommendation_overdue_count, round(100 * force.recommendation_overdue_count / most))
        for force in overdue
    ]


@dataclass(frozen=True)
class OverdueAges:
    """How many of a force's actions (or every force's, for force None) are overdue by each of OVERDUE_AGES."""

    force: Force | None
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


def overdue_ages_by_force(forces: Iterable[Force]) -> list[OverdueAges]:
    """
    Return how long the overdue actions of each of `forces` (counted by kept_force_summaries()) have been overdue,
    most overdue first, then the total over them all (force None); nothing when none is overdue.
    """
    rows = sorted(
        (OverdueAges(force, force.overdue_ages) for force in forces if force.overdue_count),
        key=lambda row: (-row.total, row.force.name),
    )
    if not rows:
        return []
    return [*rows, OverdueAges(None, tuple(sum(column) for column in zip(*(r.counts for r in rows), strict=True)))]


def force_reports(force: Force, today: datetime.date | None = None) -> QuerySet[Report]:
    """Return the reports with actions for `force`, counted; those with overdue, then open, actions first.

    Each count is of every action, and again (afi_…) of the actions on areas for improvement: counts_by_kind()
    splits them.
    """
    today = today or timezone.localdate()
    prefix = "recommendations__actions__"
    reports = Report.objects.filter(recommendations__actions__force=force).select_related("subject_force")
    counts = {
        "overdue_count": overdue_q(today, prefix),
        "open_count": Q(**{f"{prefix}status__in": Action.OPEN_STATUSES}),
        "awaiting_review_count": Q(**{f"{prefix}status": Action.Status.COMPLETED}),
        "verified_count": Q(**{f"{prefix}status": Action.Status.VERIFIED}),
    }
    # The rows already join each action's recommendation, so its kind costs no further join.
    is_afi = Q(recommendations__kind=Recommendation.Kind.AREA_FOR_IMPROVEMENT)
    # filter() before annotate(): the counts are of this force's actions only.
    counted = reports.annotate(
        total_count=Count("recommendations__actions"),
        afi_total_count=Count("recommendations__actions", filter=is_afi),
        **{name: Count("recommendations__actions", filter=q) for name, q in counts.items()},
        **{f"afi_{name}": Count("recommendations__actions", filter=q & is_afi) for name, q in counts.items()},
    ).annotate(action_count=F("total_count"))
    return counted.order_by(
        Case(When(overdue_count__gt=0, then=0), When(open_count__gt=0, then=1), default=2),
        F("published_on").desc(nulls_last=True),
        "title",
        "pk",
    )


@dataclass(frozen=True)
class KindCounts:
    """One kind's actions, counted: "Areas for improvement: 1 overdue, 2 open, 0 awaiting review, of 4"."""

    kind: str
    total: int
    overdue: int
    open: int
    awaiting_review: int
    verified: int


_KIND_COUNTED = ("total", "overdue", "open", "awaiting_review", "verified")


def counts_by_kind(counted: Force | Report) -> list[KindCounts]:
    """
    Return the counts force_summaries() or force_reports() made of `counted`, for recommendations and then
    areas for improvement; a kind without actions is left out.
    """
    afis = [getattr(counted, f"afi_{name}_count") for name in _KIND_COUNTED]
    everything = [getattr(counted, f"{name}_count") for name in _KIND_COUNTED]
    recommendations = [every - afi for every, afi in zip(everything, afis, strict=True)]
    plurals = Recommendation.KIND_PLURALS
    rows = [
        KindCounts(plurals[Recommendation.Kind.RECOMMENDATION], *recommendations),
        KindCounts(plurals[Recommendation.Kind.AREA_FOR_IMPROVEMENT], *afis),
    ]
    return [row for row in rows if row.total]


@dataclass(frozen=True)
class KindSection:
    """A report's recommendations of one kind, under their heading ("Areas for improvement")."""

    heading: str
    recommendations: list[Recommendation]


def in_sections(recommendations: Iterable[Recommendation]) -> list[KindSection]:
    """Return recommendations, then areas for improvement, each under its heading; a kind with none is left out."""
    by_kind: dict[str, list[Recommendation]] = {kind: [] for kind in Recommendation.KIND_PLURALS}
    for recommendation in recommendations:
        by_kind[recommendation.kind].append(recommendation)
    return [KindSection(Recommendation.KIND_PLURALS[kind], found) for kind, found in by_kind.items() if found]


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class TimelineEntry:
    when: datetime.datetime
    who: str
    summary: str
    reason: str = ""
    changes: list[Change] = field(default_factory=list)
    note: ProgressNote | None = None


_TRACKED = {
    "status": "Status",
    "owner": "Owner",
    "due_date": "Due date",
    "revised_due_date": "Revised due date",
    "recheck_on": "Check again on",
}


def _display(action_history_row, field_name: str, users: dict[int, str]) -> str:
    if field_name == "status":
        return Action.Status(action_history_row.status).label
    if field_name == "owner":
        return users.get(action_history_row.owner_id, "Nobody") if action_history_row.owner_id else "Nobody"
    value = getattr(action_history_row, field_name)
    return long_date(value) if value else "none"


def action_timeline(action: Action) -> list[TimelineEntry]:
    """Return the action's history and notes as one list, newest first, in a fixed number of queries."""
    from tracker.models import User

    rows = list(action.history.select_related("history_user").order_by("history_date", "history_id"))
    owner_ids = {r.owner_id for r in rows if r.owner_id}
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=owner_ids)}
    entries: list[TimelineEntry] = []
    previous = None
    for row in rows:
        who = str(row.history_user) if row.history_user else "System"
        if previous is None:
            summary = "Action created"
            changes = []
        else:
            changed = {change.field for change in row.diff_against(previous, included_fields=_TRACKED).changes}
            changes = [
                Change(label, _display(previous, name, users), _display(row, name, users))
                for name, label in _TRACKED.items()
                if name in changed
            ]
            summary = "; ".join(f"{c.field}: {c.old} → {c.new}" for c in changes) or "Updated"
        entries.append(TimelineEntry(row.history_date, who, summary, row.history_change_reason or "", changes))
        previous = row
    for note in action.notes.select_related("author"):
        entries.append(TimelineEntry(note.created_at, str(note.author), "Progress note", note=note))
    prefetch_related_objects([action], extension_requests_prefetch())  # none again if the page fetched them
    for request in action.extension_requests.all():
        entries.append(
            TimelineEntry(
                request.requested_at,
                str(request.requested_by),
                f"Asked for a revised due date of {long_date(request.requested_due_date)}",
                reason=request.reason,
            )
        )
        if request.decided_at:
            entries.append(
                TimelineEntry(
                    request.decided_at,
                    str(request.decided_by),
                    f"Extension request {request.get_decision_display().lower()}",
                    reason=request.decision_reason,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


ACTION_LIST_PAGE_SIZE = 50
ACTION_LIST_RELATED = ("force", "owner", "recommendation", "recommendation__report")
# Long texts no list shows: left out, so sorting thousands of rows does not carry them along.
ACTION_LIST_DEFERRED = (
    "recommendation__evidence",
    "recommendation__inspection_question",
    "owner__password",
    "owner__last_login",
    "owner__date_joined",
    "owner__calendar_token",
)

# What the action lists draw (tracker/action_list.html, _action_row.html, status_tag.html): only these are read
# (every column of a page's 250 model instances took about 1 ms of the overdue report's 16). A field a list
# draws and this leaves out costs a query per row, which the lists' query-count tests catch.
ACTION_LIST_FIELDS = (
    *("status", "due_date", "revised_due_date", "recheck_on", "updated_at"),
    *("force__slug", "force__name", "owner__username", "owner__first_name", "owner__last_name"),
    *("recommendation__kind", "recommendation__number", "recommendation__text", "recommendation__due_precision"),
    *("recommendation__is_priority", "recommendation__report__slug", "recommendation__report__title"),
)


@dataclass(frozen=True)
class ActionList:
    """A named list of actions: its title, what it is for, and how it narrows and orders the user's actions."""

    slug: str
    title: str
    description: str
    empty: str = "No actions match."  # what the list says when nothing is in it


ACTION_LISTS = {
    "all": ActionList("all", "All actions", "Every action you can see."),
    "overdue": ActionList(
        "overdue",
        "Overdue actions",
        "Open actions past their due date (the revised date where an extension was granted).",
    ),
    "upcoming": ActionList("upcoming", "Upcoming deadlines", "Open actions falling due in the next days."),
    "mine": ActionList(
        "mine",
        "My actions",
        "Actions you own, soonest due first.",
        "No action is yours yet, or none matches. An action becomes yours when you, a colleague or a reviewer "
        "sets you as its owner, under “Owner” on the action’s page.",
    ),
}


def days_ahead(raw: str | None) -> int:
    """Return the "days ahead" a list was asked for, between 1 and 366, else the configured default."""
    try:
        return min(max(int(raw), 1), 366) if raw else settings.DUE_SOON_DAYS
    except ValueError:
        return settings.DUE_SOON_DAYS


def action_list_queryset(user, slug: str, *, days: int = 30, today: datetime.date | None = None) -> QuerySet[Action]:
    """Return the named list's actions for `user`: scoped first, then narrowed and ordered."""
    today = today or timezone.localdate()
    actions = (
        Action.objects.visible_to(user)
        .select_related(*ACTION_LIST_RELATED)
        .only(*ACTION_LIST_FIELDS)
        .with_effective_due_date()
    )
    # Priority recommendations come first in every list, then the soonest due.
    by_due = ("-recommendation__is_priority", F("effective_due").asc(nulls_last=True), "pk")
    if slug == "overdue":
        return actions.overdue(today).order_by("force__name", *by_due)
    if slug == "upcoming":
        return actions.due_within(days, today).order_by(*by_due)
    if slug == "mine":
        return actions.filter(owner=user).order_by(*by_due)
    return actions.order_by(*by_due)


def theme_summaries(themes: QuerySet[Theme], today: datetime.date | None = None) -> QuerySet[Theme]:
    """Return `themes` with how many forces got each, and how many actions are done on time, late, open, overdue."""
    today = today or timezone.localdate()
    a = "recommendations__actions__"
    done = Q(**{f"{a}completed_at__isnull": False})
    return themes.annotate(
        # A theme's rows fan out by recommendation and then action, never twice to one action: no DISTINCT
        # is needed to count actions (it would make the database sort them), only to count forces.
        action_count=Count(f"{a}id"),
        force_count=Count(f"{a}force", distinct=True),
        recommendation_count=Count("recommendations", distinct=True),
        open_count=Count(f"{a}id", filter=Q(**{f"{a}status__in": Action.OPEN_STATUSES})),
        overdue_count=Count(f"{a}id", filter=overdue_q(today, a)),
        done_count=Count(f"{a}id", filter=done),
        done_late_count=Count(f"{a}id", filter=completed_late_q(a)),
    ).annotate(done_on_time_count=F("done_count") - F("done_late_count"))


def theme_action_previews(themes: list[Theme], limit: int) -> dict[int, list]:
    """Return, per theme id, its `limit` actions needing most attention, in two queries whatever the themes' size."""
    # The window ranks ids only, so the database sorts narrow rows; the few chosen are then read whole.
    chosen = (
        Action.objects.filter(recommendation__theme__in=[t.pk for t in themes])
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=F("recommendation__theme_id"),
                order_by=attention_ordering(),
            )
        )
        .filter(place__lte=limit)
        .values_list("pk", flat=True)
    )
    actions = (
        Action.objects.filter(pk__in=list(chosen))
        .select_related("force", "recommendation", "recommendation__report")
        .defer(*ACTION_LIST_DEFERRED)
        .by_attention()
    )
    previews: dict[int, list] = {t.pk: [] for t in themes}
    for action in actions:
        previews[action.recommendation.theme_id].append(action)
    return previews


# Progress notes each card of the review queue shows, newest first.
REVIEW_QUEUE_NOTES = 3


def with_review_details(actions: list[Action]) -> list[Action]:
    """
    Give each of `actions` (awaiting review) what a reviewer checks before verifying, in three queries whatever
    their number: `completion_note` (what the PSD lead wrote when marking it complete; "" if the history has
    none), `recent_notes` (the newest REVIEW_QUEUE_NOTES progress notes, with their authors) and `evidence`
    (every note with an evidence file, newest first).
    """
    if not actions:
        return actions
    newest_first = ProgressNote.objects.select_related("author").order_by("-created_at", "-pk")
    prefetch_related_objects(
        actions,
        Prefetch("notes", queryset=newest_first[:REVIEW_QUEUE_NOTES], to_attr="recent_notes"),
        Prefetch("notes", queryset=newest_first.exclude(attachment=""), to_attr="evidence"),
    )
    complete = TRANSITIONS["complete"]
    reasons = (
        Action.history.filter(id__in=[a.pk for a in actions], history_change_reason__startswith=f"{complete.label}: ")
        .order_by("id", "-history_date", "-history_id")
        .values_list("id", "history_change_reason")
    )
    notes: dict[int, str] = {}
    for pk, reason in reasons:
        notes.setdefault(pk, complete.text_in(reason) or "")  # the first is the latest completion
    for action in actions:
        action.completion_note = notes.get(action.pk, "")
    return actions


@dataclass(frozen=True)
class OtherForces:
    """Other forces' actions on an action's theme, counted by status: most first, ties in workflow order."""

    actions: list[Action]
    count: int
    by_status: list[tuple[str, int]]


def recommendation_links(user, recommendation: Recommendation) -> tuple[Recommendation | None, list[Recommendation]]:
    """Return the earlier recommendation this one repeats or supersedes and the later ones that repeat or
    supersede it, each only if `user` may see it: a link never shows another force's recommendation."""
    visible = Recommendation.objects.visible_to(user).select_related("report")
    earlier = visible.filter(pk=recommendation.follows_id).first() if recommendation.follows_id else None
    return earlier, list(visible.filter(follows=recommendation))


def other_forces(user, action: Action, limit: int = 100) -> OtherForces | None:
    """Return who else was recommended the same (see also_recommended_to), counted by status; None if hidden."""
    actions = also_recommended_to(user, action, limit)
    if not actions:
        return None
    counted = (
        Action.objects.filter(recommendation__theme_id=action.recommendation.theme_id)
        .exclude(pk=action.pk)
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    order = list(Action.Status)
    by_status = sorted(counted, key=lambda row: (-row[1], order.index(row[0])))
    return OtherForces(
        actions,
        sum(n for _, n in by_status),
        [(Action.Status(status).label, n) for status, n in by_status],
    )


def also_recommended_to(user, action: Action, limit: int = 100) -> list[Action]:
    """Return the other forces' actions on the same theme, for reviewers (PSD leads only if settings allow)."""
    theme_id = action.recommendation.theme_id
    allowed = user.is_reviewer or settings.THEMES_SHOW_OTHER_FORCES_TO_PSD_LEADS
    if not theme_id or not allowed:
        return []
    others = (
        Action.objects.filter(recommendation__theme_id=theme_id)
        .exclude(pk=action.pk)
        .select_related("force", "recommendation", "recommendation__report")
        .order_by("force__name", "pk")
    )
    return list(others[:limit])


@dataclass(frozen=True)
class ReportContents:
    """What a report holds in the tracker: its recommendations, each force's actions, and the themes it joined."""

    recommendations: list[Recommendation]  # each with action_count and shared_with (other reports' in its theme)
    forces: list[Force]  # each with action_count, by name
    joined: list[Recommendation]  # in a theme with other reports' recommendations
    started: list[Recommendation]  # in a theme of their own

    @property
    def action_count(self) -> int:
        return sum(force.action_count for force in self.forces)

    @property
    def area_for_improvement_count(self) -> int:
        return sum(r.is_area_for_improvement for r in self.recommendations)

    @property
    def recommendation_count(self) -> int:
        return len(self.recommendations) - self.area_for_improvement_count


def report_contents(report: Report) -> ReportContents:
    """Return what `report` holds (see ReportContents), in two queries whatever its size."""
    shared_with = (
        Recommendation.objects.filter(theme=OuterRef("theme"))
        .exclude(report=report)
        .order_by()
        .values("theme")
        .annotate(n=Count("pk"))
        .values("n")
    )
    recommendations = list(
        report.recommendations.select_related("theme")
        .annotate(action_count=Count("actions"), shared_with=Coalesce(Subquery(shared_with), 0))
        .order_by("-kind", "number")  # recommendations, then areas for improvement
    )
    forces = list(
        Force.objects.filter(actions__recommendation__report=report)
        .annotate(action_count=Count("actions"))
        .order_by("name")
    )
    themed = [r for r in recommendations if r.theme_id]
    return ReportContents(
        recommendations,
        forces,
        joined=[r for r in themed if r.shared_with],
        started=[r for r in themed if not r.shared_with],
    )


def recommendations_with_visible_actions(report: Report, user) -> QuerySet[Recommendation]:
    """Return the report's recommendations, each with `visible_actions`: the actions `user` may see, by force."""
    visible = Action.objects.visible_to(user).select_related("force", "owner").order_by("force__name")
    return report.recommendations.prefetch_related(Prefetch("actions", queryset=visible, to_attr="visible_actions"))
