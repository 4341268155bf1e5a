"""Downloads: an action list as CSV or Excel, and the responses every download of the app is sent in."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from tracker import exports
from tracker.filters import action_list_filter
from tracker.selectors import ACTION_LISTS, days_ahead
from tracker.spreadsheets import XLSX_CONTENT_TYPE, Cell, csv_chunks, xlsx_file

FORMATS = {"csv": "CSV", "xlsx": "Excel"}


def csv_download(rows: Iterable[list[Cell]], columns: list[str], filename: str) -> StreamingHttpResponse:
    """Return a CSV download of `rows`, written while it is sent so memory stays flat."""
    response = StreamingHttpResponse(csv_chunks(rows, columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def xlsx_download(
    rows: Iterable[list[Cell]], columns: list[str], widths: list[int], filename: str, *, sheet_name: str = "Actions"
) -> FileResponse:
    """Return an Excel download of `rows`, built in a temporary file and then streamed from it."""
    # FileResponse closes (and so deletes) the temporary file once it is sent.
    file = xlsx_file(rows, columns, widths, sheet_name)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def actions_download(actions, fmt: str, filename: str, *, themed: bool = False) -> HttpResponse:
    """Return `actions` as a download in `fmt` (csv or xlsx), with their theme first when `themed`."""
    if themed:
        rows, columns, widths = exports.theme_action_rows(actions), exports.THEME_COLUMNS, exports.THEME_WIDTHS
    else:
        rows, columns, widths = exports.action_rows(actions), exports.COLUMNS, exports.WIDTHS
    if fmt == "csv":
        return csv_download(rows, columns, filename)
    return xlsx_download(rows, columns, widths, filename)


def export_links(request, slug: str) -> list[tuple[str, str]]:
    """Return (label, address) pairs that download list `slug` with the page's filters, for its Download links."""
    query = request.GET.copy()
    query.pop("page", None)
    query["list"] = slug
    return [
        (label, f"{reverse('tracker:action_export', args=[fmt])}?{query.urlencode()}") for fmt, label in FORMATS.items()
    ]


@login_required
@require_GET
def export_actions(request, fmt: str) -> HttpResponse:
    """Download the action list this user is looking at, with its filters, as CSV or Excel."""
    slug = request.GET.get("list") or "all"
    if fmt not in FORMATS:
        raise Http404("No such format.")
    if slug not in ACTION_LISTS:
        raise Http404("No such list.")
    action_filter = action_list_filter(request.user, slug, request.GET)
    actions = action_filter.qs  # validates the filters, so cleaned_data holds those applied
    filename = exports.action_list_filename(
        slug,
        action_filter.form.cleaned_data,
        days=days_ahead(request.GET.get("days")),
        day=timezone.localdate(),
        fmt=fmt,
    )
    return actions_download(actions, fmt, filename)
