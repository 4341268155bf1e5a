"""
Trends: how many actions were open, overdue and completed at each month end, and on-time completion per
inspection round; for every action, or for recommendations or areas for improvement only.

The month-end counts come from history, not from a counter: an action's status and due dates at a
moment are those of its latest history row at or before that moment. An action counts under its
recommendation's kind as it is now: the kind is part of a recommendation's identity (its natural key), so
only an admin's correction changes it, and that leaves a row in the recommendations' history.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Case, Count, F, Max, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from tracker.charts import LineChart, line_chart
from tracker.dates import long_date
from tracker.models import Action, Recommendation, completed_late_q, of_kind_q, overdue_q

Status = Action.Status
Kind = Recommendation.Kind
DEFAULT_MONTHS = 24
MAX_MONTHS = 120
HISTORY_CHUNK_SIZE = 20_000
TRENDS_CACHE_SECONDS = 40 * 24 * 3600  # a month's counts outlive the month they are shown in

# What each status counts as at a month end; the closures without completion count as neither.
_OPEN, _COMPLETED = 0, 1
_CATEGORY = {
    Status.NOT_STARTED: _OPEN,
    Status.IN_PROGRESS: _OPEN,
    Status.COMPLETED: _COMPLETED,
    Status.VERIFIED: _COMPLETED,
}


@dataclass(frozen=True)
class MonthCounts:
    day: datetime.date
    open: int
    overdue: int
    completed: int


def month_ends(today: datetime.date, months: int = DEFAULT_MONTHS) -> list[datetime.date]:
    """Return the last day of each of the `months` - 1 months before today's month, then today, oldest first."""
    days = [today]
    for _ in range(months - 1):
        days.append(days[-1].replace(day=1) - datetime.timedelta(days=1))
    return days[::-1]


def months_param(raw: str | None) -> int:
    """Return the number of months asked for in the address, between 1 and MAX_MONTHS, else the default."""
    try:
        return min(max(int(raw), 1), MAX_MONTHS) if raw else DEFAULT_MONTHS
    except ValueError:
        return DEFAULT_MONTHS


def kind_param(raw: str | None) -> str | None:
    """Return the kind asked for in the address (recommendations or areas for improvement), else None: both."""
    return raw if raw in Kind.values else None


def monthly_counts(
    days: list[datetime.date], force_ids: Iterable[int] | None = None, kind: str | None = None
) -> dict[int | None, list[MonthCounts]]:
    """
    Return how many actions were open, overdue and completed at the end of each of `days` (ascending), per
    force id and in total (key None), from the actions' history; only the forces `force_ids` when given, and
    only the actions on recommendations of `kind` (Recommendation.Kind) when given.
    """
    # One pass over the history rows in time order, keeping each action's latest state in a dict and the
    # per-force counts up to date as it goes; at each month end the counts are copied out. A window-function
    # query ("the latest row of each action before each month end") would sort or probe the history once
    # per month end; this reads each row once, in one query streamed in chunks, with memory of one small
    # tuple per action. Two CASE expressions do the date work in the database, so no datetime or date is
    # built in Python (that conversion alone costs seconds at a million rows): the month end a row first
    # counts at, and the first month end its effective due date (revised, else original) is overdue at —
    # overdue at month end k when due < days[k]. Each open action is counted under that index, so the
    # overdue count at month end k is the sum of those counters up to k and no month end rescans the
    # actions. Scoping is by the force on each history row, which is what visible_to() scopes by, and
    # keeps the national query a plain range scan of the history_date index (the table is appended to in
    # time order) rather than a probe per action.
    #
    # An action counts from when it came into being, its created_at: for a report loaded after it was published,
    # the publication (loading.py), though its first history row is dated the day it was loaded. So a first row
    # counts from created_at when that is earlier, and one written after the last month end but counting before
    # it (an old report loaded this month) is read by a second, small query over the newest rows. Such a row
    # comes after month ends already copied out; it is added to those as well as to the running counts.
    tz = timezone.get_current_timezone()
    ends = [datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz) for day in days]
    history = Action.history.model.objects.filter(of_kind_q(kind))
    if force_ids is not None:
        history = history.filter(force_id__in=list(force_ids))
    history = history.annotate(
        effective_due=Coalesce("revised_due_date", "due_date"),
        counted_from=Case(
            When(history_type="+", created_at__lt=F("history_date"), then=F("created_at")), default=F("history_date")
        ),
    ).annotate(
        month=Case(*(When(counted_from__lt=end, then=Value(k)) for k, end in enumerate(ends))),
        first_overdue=Case(
            *(When(effective_due__lt=day, then=Value(k)) for k, day in enumerate(days)),
            default=Value(len(days)),  # no due date: never overdue
        ),
    )
    columns = ("id", "month", "history_type", "status", "force_id", "first_overdue")
    written_later = history.filter(history_date__gte=ends[-1], history_type="+", created_at__lt=ends[-1])
    rows = itertools.chain(
        history.filter(history_date__lt=ends[-1])
        .order_by("history_date", "history_id")
        .values_list(*columns)
        .iterator(chunk_size=HISTORY_CHUNK_SIZE),
        written_later.order_by("history_date", "history_id").values_list(*columns).iterator(),
    )
    # Per force: [open, completed, open actions first overdue at month end 0, 1, …, never].
    tallies: dict[int, list[int]] = {}
    state: dict[int, tuple[int, int, int]] = {}  # action id -> (force id, category, tally index)
    snapshots: list[dict[int, tuple[int, int, int]]] = []

    def snapshot() -> None:
        k = len(snapshots)
        snapshots.append({force: (t[0], sum(t[2 : 3 + k]), t[1]) for force, t in tallies.items()})

    for action_id, month, history_type, status, force_id, first_overdue in rows:
        while len(snapshots) < month:
            snapshot()
        previous = state.pop(action_id, None)
        if previous is not None:
            tally = tallies[previous[0]]
            tally[previous[1]] -= 1
            if previous[1] == _OPEN:
                tally[previous[2]] -= 1
        category = _CATEGORY.get(status)
        if history_type == "-" or category is None:
            continue  # deleted, or closed without completion: counted nowhere from now on
        for k in range(month, len(snapshots)):  # a first row counting from before month ends already copied out
            open_count, overdue, completed = snapshots[k].get(force_id, (0, 0, 0))
            if category == _OPEN:
                snapshots[k][force_id] = (open_count + 1, overdue + (first_overdue <= k), completed)
            else:
                snapshots[k][force_id] = (open_count, overdue, completed + 1)
        tally = tallies.get(force_id)
        if tally is None:
            tally = tallies[force_id] = [0] * (3 + len(days))
        tally[category] += 1
        if category == _OPEN:
            tally[2 + first_overdue] += 1
        state[action_id] = (force_id, category, 2 + first_overdue)
    while len(snapshots) < len(days):
        snapshot()

    forces = {force for counts in snapshots for force in counts}
    result: dict[int | None, list[MonthCounts]] = {force: [] for force in forces}
    result[None] = []
    for day, counts in zip(days, snapshots, strict=True):
        total = [0, 0, 0]
        for force in forces:
            open_count, overdue, completed = counts.get(force, (0, 0, 0))
            result[force].append(MonthCounts(day, open_count, overdue, completed))
            total = [total[0] + open_count, total[1] + overdue, total[2] + completed]
        result[None].append(MonthCounts(day, *total))
    return result


def current_counts(
    today: datetime.date, force_ids: Iterable[int] | None = None, kind: str | None = None
) -> dict[int, MonthCounts]:
    """Return today's open, overdue and completed actions per force id (of `kind` when given), as they stand."""
    actions = Action.objects.filter(of_kind_q(kind))
    if force_ids is not None:
        actions = actions.filter(force_id__in=list(force_ids))
    rows = (
        actions.order_by()
        .values("force_id")
        .annotate(
            open=Count("pk", filter=Q(status__in=Action.OPEN_STATUSES)),
            overdue=Count("pk", filter=overdue_q(today)),
            completed=Count("pk", filter=Q(status__in=[Status.COMPLETED, Status.VERIFIED])),
        )
    )
    return {row["force_id"]: MonthCounts(today, row["open"], row["overdue"], row["completed"]) for row in rows}


def trend_counts(
    days: list[datetime.date], force_ids: Iterable[int] | None = None, kind: str | None = None
) -> dict[int | None, list[MonthCounts]]:
    """
    Return monthly_counts(days, force_ids, kind), where days ends with today: the month ends before this
    month from history (cached), today from the actions themselves (the latest history row of each is the
    action).

    A month that has ended never changes: history rows are only ever added, stamped with the time they are
    written. So its counts are cached with the highest history id they saw, and read again from history
    only when a row dated before this month has come in since (restoring a backup, generating demo data),
    or one counting from before this month (an action of a report published earlier, loaded now), or the
    history was replaced by an older one. Counts of one kind also keep the highest recommendation
    history id they saw, and are read again when any recommendation has changed since (its kind may have).
    """
    force_ids = None if force_ids is None else sorted(force_ids)
    closed, today = days[:-1], days[-1]
    past = {None: []}
    if closed:
        history = Action.history.model.objects
        this_month = datetime.datetime.combine(today.replace(day=1), datetime.time.min, timezone.get_current_timezone())
        # v2: actions count from created_at (migration 0009 dated loaded ones again), so older counts are stale.
        key = "trends:v2:" + hashlib.sha256(repr((closed, force_ids, kind)).encode()).hexdigest()
        last_id = history.aggregate(last=Max("pk"))["last"] or 0
        # Every action counts whatever its kind: the recommendations' history is read only for one kind.
        last_kind_id = (Recommendation.history.aggregate(last=Max("pk"))["last"] or 0) if kind else 0
        cached = cache.get(key)
        if (
            cached is None
            or cached[0] > last_id
            or cached[1] != last_kind_id
            or history.filter(
                Q(history_date__lt=this_month) | Q(history_type="+", created_at__lt=this_month), pk__gt=cached[0]
            ).exists()
        ):
            cached = (last_id, last_kind_id, monthly_counts(closed, force_ids, kind))
            cache.set(key, cached, timeout=TRENDS_CACHE_SECONDS)
        past = cached[2]
    now = current_counts(today, force_ids, kind)
    forces = (set(past) - {None}) | set(now)
    result: dict[int | None, list[MonthCounts]] = {}
    for force in forces:
        earlier = past.get(force) or [MonthCounts(day, 0, 0, 0) for day in closed]
        result[force] = [*earlier, now.get(force, MonthCounts(today, 0, 0, 0))]
    result[None] = [
        MonthCounts(day, *(sum(getattr(result[f][k], n) for f in forces) for n in ("open", "overdue", "completed")))
        for k, day in enumerate(days)
    ]
    return result


@dataclass(frozen=True)
class RoundRate:
    series: str
    completed: int
    late: int

    @property
    def on_time(self) -> int:
        return self.completed - self.late


def on_time_by_round(actions: QuerySet[Action]) -> list[RoundRate]:
    """Return, per inspection round, how many of `actions` were completed and how many of those late."""
    rows = (
        actions.order_by()
        .values("recommendation__report__series")
        .annotate(
            completed=Count("pk", filter=Q(completed_at__isnull=False)), late=Count("pk", filter=completed_late_q())
        )
        .order_by("recommendation__report__series")
    )
    return [RoundRate(row["recommendation__report__series"], row["completed"], row["late"]) for row in rows]


def trend_chart(series: list[MonthCounts]) -> LineChart:
    """Return the month-end counts as a line chart: open, overdue and completed, month by month up to today."""
    labels = [f"{m.day:%b %Y}" for m in series[:-1]] + ["Today"]
    titles = [f"{m.day:%B %Y}" for m in series[:-1]] + [f"{long_date(series[-1].day)} (today)"] if series else []
    return line_chart(
        labels,
        [
            ("Open", "open", [m.open for m in series]),
            ("Overdue", "overdue", [m.overdue for m in series]),
            ("Completed", "completed", [m.completed for m in series]),
        ],
        titles,
    )
