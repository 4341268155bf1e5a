"""What a download of an action list holds: the same rows and columns as on screen, read in chunks."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone

from tracker.models import Action
from tracker.selectors import ACTION_LIST_RELATED
from tracker.spreadsheets import Cell

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
CHUNK_SIZE = 2000


def action_cells(action: Action) -> list[Cell]:
    """Return one action's cells, in COLUMNS order."""
    recommendation = action.recommendation
    return [
        action.force.name,
        recommendation.report.title,
        recommendation.get_kind_display(),
        recommendation.number,
        recommendation.text,
        action.get_status_display(),
        action.due_date,
        action.revised_due_date,
        action.effective_due_date,
        action.days_overdue,
        str(action.owner) if action.owner_id else "",
        timezone.localtime(action.updated_at).replace(tzinfo=None, second=0, microsecond=0),
    ]


def action_rows(queryset: QuerySet[Action]) -> Iterator[list[Cell]]:
    """Yield one list of cells per action, in COLUMNS order, reading the queryset in chunks."""
    for action in queryset.select_related(*ACTION_LIST_RELATED).iterator(chunk_size=CHUNK_SIZE):
        yield action_cells(action)


def theme_action_rows(queryset: QuerySet[Action]) -> Iterator[list[Cell]]:
    """Yield one row per action with its theme's title first, in THEME_COLUMNS order."""
    related = (*ACTION_LIST_RELATED, "recommendation__theme")
    for action in queryset.select_related(*related).iterator(chunk_size=CHUNK_SIZE):
        theme = action.recommendation.theme
        yield [theme.title if theme else "", *action_cells(action)]
