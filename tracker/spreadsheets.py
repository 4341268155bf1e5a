"""
Spreadsheet writers, for every download the app offers (action lists, themes, the public register).

Rows are lists of cells; the writers stream CSV a chunk at a time and build Excel files on disk, so memory
stays flat however many rows there are. Text a spreadsheet would run as a formula is neutralised in both.
"""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

import xlsxwriter
from django.utils.text import slugify

CSV_LINES_PER_CHUNK = 500
# What a spreadsheet may read as the start of a formula (OWASP's list for CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The cells the csv module writes as csv_text would (None as nothing, whole numbers and dates by str()).
CSV_AS_IS = frozenset({type(None), int, datetime.date})
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | datetime.date | datetime.datetime | None
# How long a download's name may be before its date and extension: long enough for a list and a few filters.
FILENAME_WORDS_LIMIT = 100


def download_filename(words: Iterable[str], day: datetime.date, extension: str) -> str:
    """
    Return a download's file name: `words` (what the file holds) as lower-case ASCII joined by hyphens, then the date.

    E.g. ["Overdue actions", "west-midlands"] -> "overdue-actions-west-midlands-2026-12-01.csv". Only a-z, 0-9 and
    hyphens, and at most FILENAME_WORDS_LIMIT of them, cut between words, so the name is safe on every system.
    """
    name = "-".join(filter(None, (slugify(word.replace("_", " ")) for word in words)))
    if len(name) > FILENAME_WORDS_LIMIT:
        cut = name[: FILENAME_WORDS_LIMIT + 1]
        name = cut.rsplit("-", 1)[0] if "-" in cut else cut[:FILENAME_WORDS_LIMIT]
    return f"{name or 'download'}-{day:%Y-%m-%d}.{extension}"


def neutralise(value: Cell) -> Cell:
    """Return `value` with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_text(value: Cell) -> str:
    """Return one cell as CSV text: dates as ISO dates, moments to the minute, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(" ", "minutes")[:16]  # as strftime("%Y-%m-%d %H:%M"), four times faster
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(neutralise(value))


def csv_chunks(rows: Iterable[list[Cell]], columns: list[str]) -> Iterator[str]:
    """Yield a CSV file of `columns` then `rows` in chunks of text, starting with a byte-order mark for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # a byte-order mark, so Excel reads the file as UTF-8
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        # Only the cells csv_text would change go through it: a 100,000-row download has a million cells.
        writer.writerow(
            [
                value
                if (kind := value.__class__) in CSV_AS_IS or (kind is str and not value.startswith(FORMULA_PREFIXES))
                else csv_text(value)
                for value in row
            ]
        )
        if count % CSV_LINES_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(rows: Iterable[list[Cell]], columns: list[str], widths: list[int], sheet_name: str) -> IO[bytes]:
    """Return a temporary Excel file, at its start, with `columns` as a frozen, filterable header and then `rows`."""
    # XlsxWriter rather than openpyxl's write_only mode: it has no dependencies, and in constant_memory
    # mode it flushes each row to disk as the next begins, so 100,000 rows take no more memory than ten.
    # An xlsx file is a zip whose index comes last, so it must be finished before the first byte is sent.
    file = tempfile.TemporaryFile(suffix=".xlsx")  # deleted when closed
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
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "d mmm yyyy"})
    moment = workbook.add_format({"num_format": "d mmm yyyy hh:mm"})
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    for col, title in enumerate(columns):
        sheet.write_string(0, col, title, bold)
    last_row = 0
    for last_row, row in enumerate(rows, start=1):
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
    return file
