"""CSV and Excel downloads of an action list: the same rows and columns as on screen, streamed."""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from collections.abc import Iterable, Iterator

import xlsxwriter
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from tracker.filters import ActionFilter
from tracker.models import Action
from tracker.selectors import ACTION_LIST_RELATED, ACTION_LISTS, action_list_queryset, days_ahead

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
CHUNK_SIZE = 2000
CSV_LINES_PER_CHUNK = 500
# What a spreadsheet may read as the start of a formula (OWASP's list for CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | datetime.date | datetime.datetime | None


def neutralise(value: Cell) -> Cell:
    """Return `value` with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


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


THEME_COLUMNS = ["Theme", *COLUMNS]


def theme_action_rows(queryset: QuerySet[Action]) -> Iterator[list[Cell]]:
    """Yield one row per action with its theme's title first, in THEME_COLUMNS order."""
    related = (*ACTION_LIST_RELATED, "recommendation__theme")
    for action in queryset.select_related(*related).iterator(chunk_size=CHUNK_SIZE):
        theme = action.recommendation.theme
        yield [theme.title if theme else "", *action_cells(action)]


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(neutralise(value))


def _csv_chunks(rows: Iterable[list[Cell]], columns: list[str] = COLUMNS) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # a byte-order mark, so Excel reads the file as UTF-8
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(value) for value in row])
        if count % CSV_LINES_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(queryset: QuerySet[Action], filename: str, *, themed: bool = False) -> StreamingHttpResponse:
    """Return a CSV download of `queryset`, written while it is sent so memory stays flat."""
    rows, columns = (theme_action_rows, THEME_COLUMNS) if themed else (action_rows, COLUMNS)
    response = StreamingHttpResponse(_csv_chunks(rows(queryset), columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(queryset: QuerySet[Action], filename: str, *, themed: bool = False) -> FileResponse:
    """Return an Excel download of `queryset`, built in a temporary file and then streamed from it."""
    # XlsxWriter rather than openpyxl's write_only mode: it has no dependencies, and in constant_memory
    # mode it flushes each row to disk as the next begins, so 100,000 rows take no more memory than ten.
    # An xlsx file is a zip whose index comes last, so it must be finished before the first byte is sent.
    file = tempfile.TemporaryFile(suffix=".xlsx")  # deleted when FileResponse closes it
    workbook = xlsxwriter.Workbook(
        file,
        {
            "constant_memory": True,
            # Text stays text: never turned into a formula or a hyperlink, whatever it starts with.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = workbook.add_worksheet("Actions")
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "d mmm yyyy"})
    moment = workbook.add_format({"num_format": "d mmm yyyy hh:mm"})
    rows, columns = (theme_action_rows, THEME_COLUMNS) if themed else (action_rows, COLUMNS)
    widths = [24, 40, 20, 10, 80, 22, 12, 12, 12, 8, 24, 16]
    for col, width in enumerate([40, *widths] if themed else widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    for col, title in enumerate(columns):
        sheet.write_string(0, col, title, bold)
    last_row = 0
    for last_row, row in enumerate(rows(queryset), start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime.datetime):
                sheet.write_datetime(last_row, col, value, moment)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(last_row, col, value, day)
            elif isinstance(value, int):
                sheet.write_number(last_row, col, value)
            else:
                sheet.write_string(last_row, col, neutralise(value))
    sheet.autofilter(0, 0, last_row, len(columns) - 1)
    workbook.close()
    file.seek(0)
    return FileResponse(
        file,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


EXPORTERS = {"csv": csv_response, "xlsx": xlsx_response}
EXPORT_LABELS = {"csv": "CSV", "xlsx": "Excel"}


def export_links(request, slug: str) -> list[tuple[str, str]]:
    """Return (label, address) pairs that download list `slug` with the page's filters, for its Download links."""
    query = request.GET.copy()
    query.pop("page", None)
    query["list"] = slug
    return [
        (label, f"{reverse('tracker:action_export', args=[fmt])}?{query.urlencode()}")
        for fmt, label in EXPORT_LABELS.items()
    ]


def exported_actions(request) -> QuerySet[Action]:
    """Return the actions the list page shows for this query string: the named list, scoped, then filtered."""
    slug = request.GET.get("list") or "all"
    if slug not in ACTION_LISTS:
        raise Http404("No such list.")
    scoped = action_list_queryset(request.user, slug, days=days_ahead(request.GET.get("days")))
    return ActionFilter(request.GET, queryset=scoped, user=request.user).qs


@login_required
@require_GET
def export_actions(request, fmt: str) -> HttpResponse:
    """Download the action list this user is looking at, with its filters, as CSV or Excel."""
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise Http404("No such format.")
    return exporter(exported_actions(request), filename=f"actions-{timezone.localdate():%Y-%m-%d}.{fmt}")
