"""What a download of an action list holds: the same rows and columns as on screen, read in chunks."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db import connections, models
from django.db.models import QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from tracker.models import Action, Recommendation, User
from tracker.spreadsheets import ROWS_PER_FETCH, Cell, download_filename

COLUMNS = [
    "Force",
    "Report",
    "Kind",
    "Recommendation number",
    "Recommendation text",
    "Status",
    "Due date",
    "Revised due date",
    "Effective due date",
    "Days overdue",
    "Owner",
    "Last update",
]
WIDTHS = [24, 40, 20, 10, 80, 22, 12, 12, 12, 8, 24, 16]  # Excel column widths, in COLUMNS order
THEME_COLUMNS = ["Theme", *COLUMNS]
THEME_WIDTHS = [40, *WIDTHS]


# What a row is read from: plain values in one query. Model instances would cost more than the database
# does at 100,000 rows; the models' rules still work out each cell from those values (the effective due
# date, days overdue, an owner's name: once per owner).
ROW_FIELDS = (
    "force__name",
    "recommendation__report__title",
    "recommendation__kind",
    "recommendation__number",
    "recommendation__text",
    "status",
    "due_date",
    "revised_due_date",
    "owner_id",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "updated_at",
)


STORED_AS_TEXT = frozenset({"due_date", "revised_due_date", "updated_at"})  # by SQLite


def _labels(model, name: str) -> dict[str, str]:
    return {value: str(label) for value, label in model._meta.get_field(name).flatchoices}


def _rows(queryset: QuerySet[Action], lead: tuple[str, ...]) -> Iterator[list[Cell]]:
    """Yield the `lead` values then one action's cells in COLUMNS order, per action of `queryset`, in chunks."""
    today, zone = timezone.localdate(), timezone.get_current_timezone()
    kinds, statuses = _labels(Recommendation, "kind"), _labels(Action, "status")
    effective_due_of, days_overdue_on = Action.effective_due_of, Action.days_overdue_on
    owners = {None: ""}
    database = connections[queryset.db]
    fields: tuple[Any, ...] = ROW_FIELDS
    # SQLite stores dates and moments (in UTC) as text, which Django parses in Python, a converter call per
    # cell: read as the text and parsed here by the standard library's ISO parsers, at a fraction of the cost.
    stored_as_text = database.vendor == "sqlite"
    if stored_as_text:
        fields = tuple(Cast(f, models.CharField()) if f in STORED_AS_TEXT else f for f in ROW_FIELDS)
    values = queryset.values_list(*lead, *fields).iterator(chunk_size=ROWS_PER_FETCH)
    width = len(lead)
    for row in values:
        force, title, kind, number, text, status, due, revised, owner_id, first, last, username, updated = row[width:]
        if stored_as_text:
            due, revised = due and datetime.date.fromisoformat(due), revised and datetime.date.fromisoformat(revised)
            updated = datetime.datetime.fromisoformat(updated).replace(tzinfo=database.timezone)
        if owner_id not in owners:
            owners[owner_id] = str(User(first_name=first, last_name=last, username=username))
        yield [
            *row[:width],
            force,
            title,
            kinds.get(kind, kind),
            number,
            text,
            statuses.get(status, status),
            due,
            revised,
            effective := effective_due_of(due, revised),
            days_overdue_on(today, status, effective),
            owners[owner_id],
            updated.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0),
        ]


def action_rows(queryset: QuerySet[Action]) -> Iterator[list[Cell]]:
    """Yield one list of cells per action, in COLUMNS order, reading the queryset in chunks."""
    return _rows(queryset, ())


def theme_action_rows(queryset: QuerySet[Action]) -> Iterator[list[Cell]]:
    """Yield one row per action with its theme's title first, in THEME_COLUMNS order."""
    for row in _rows(queryset, ("recommendation__theme__title",)):
        if row[0] is None:
            row[0] = ""
        yield row


# What each list's file is called (selectors.ACTION_LISTS), before the filters.
LIST_FILE_WORDS = {"all": "actions", "overdue": "overdue actions", "upcoming": "upcoming actions", "mine": "my actions"}


def action_filter_words(applied: dict[str, Any]) -> list[str]:
    """Return the words naming the filters applied to an action list (ActionFilter's cleaned data), in form order."""
    words = []
    if applied.get("force"):
        words.append(applied["force"].slug)
    if applied.get("series"):
        words.append(applied["series"])
    if applied.get("kind"):
        words.append(Recommendation.KIND_PLURALS[applied["kind"]])
    if applied.get("status"):
        words.append("status " + " ".join(applied["status"]))
    if applied.get("overdue") is not None:
        words.append("overdue" if applied["overdue"] else "not overdue")
    if applied.get("due_after"):
        words.append(f"due from {applied['due_after']:%Y-%m-%d}")
    if applied.get("due_before"):
        words.append(f"due by {applied['due_before']:%Y-%m-%d}")
    if applied.get("owner"):
        words.append(f"owner {applied['owner']}")
    if applied.get("moved") is not None:
        words.append("due date moved" if applied["moved"] else "due date not moved")
    if applied.get("moved_months") is not None:
        words.append(f"moved over {applied['moved_months']} months")
    if applied.get("q"):
        words.append(f"containing {applied['q']}")
    return words


def action_list_filename(slug: str, applied: dict[str, Any], *, days: int, day: datetime.date, fmt: str) -> str:
    """
    Return the file name of a download of action list `slug` with the filters `applied`, e.g.
    "overdue-actions-west-midlands-2015-06-01.csv" or "report-<slug>-actions-status-in-progress-2015-06-01.xlsx".
    """
    report = applied.get("report")
    words = [f"report {report.slug}"] if report else []
    words.append(LIST_FILE_WORDS[slug])
    if slug == "upcoming":
        words.append(f"next {days} days")
    return download_filename([*words, *action_filter_words(applied)], day, fmt)


def theme_list_filename(applied: dict[str, Any], *, day: datetime.date, fmt: str) -> str:
    """Return the file name of a download of the themes list with the filters `applied` (ThemeFilter's cleaned data)."""
    words = ["themes"]
    if applied.get("shared") is not None:
        words.append("shared" if applied["shared"] else "one force")
    if applied.get("series"):
        words.append(applied["series"])
    if applied.get("status"):
        words.append(f"status {applied['status']}")
    if applied.get("q"):
        words.append(f"containing {applied['q']}")
    return download_filename(words, day, fmt)
