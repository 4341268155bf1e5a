"""
Spreadsheet writers, for every download the app offers (action lists, themes, the public register).

Rows are lists of cells; the writers stream CSV a chunk at a time and build Excel files on disk, so memory
stays flat however many rows there are. Text a spreadsheet would run as a formula is neutralised in both.
"""

from __future__ import annotations

import datetime
import functools
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

import xlsxwriter
from django.utils.text import slugify

ROWS_PER_FETCH = 2000  # rows a download reads from the database at a time
CSV_LINES_PER_CHUNK = 500
CSV_TEXTS_KEPT = 10_000  # distinct texts a CSV download keeps as fields, at most
# What a spreadsheet may read as the start of a formula (OWASP's list for CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The kinds of cell whose csv_text is str(): whole numbers and dates (not moments, a subclass of date).
CSV_PLAIN = frozenset({int, datetime.date})
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
    if isinstance(value, str):
        return neutralise(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(" ", "minutes")[:16]  # as strftime("%Y-%m-%d %H:%M"), four times faster
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def csv_quoted(text: str) -> str:
    """Return `text` as a CSV field: in double quotes (those inside doubled) if it holds , " or a line break."""
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


def csv_line(fields: list[str]) -> str:
    """Return CSV fields as one line, exactly as the csv module writes them (its default dialect, excel)."""
    if len(fields) == 1 and not fields[0]:
        return '""\r\n'  # a lone empty field is quoted, so the line is not blank
    return ",".join(fields) + "\r\n"


def csv_chunks(rows: Iterable[list[Cell]], columns: list[str]) -> Iterator[str]:
    """Yield a CSV file of `columns` then `rows` in chunks of text, starting with a byte-order mark for Excel."""
    # Lines are joined here rather than by the csv module, which tests every character of every field against
    # its line terminator: writing 100,000 rows that way took longer than reading them from the database.
    lines = ["\ufeff" + csv_line([csv_quoted(title) for title in columns])]  # the mark: Excel then reads UTF-8
    # Texts repeat from row to row (forces, reports, recommendations, labels, owners): each is made a field once.
    text_field = functools.lru_cache(maxsize=CSV_TEXTS_KEPT)(lambda text: csv_quoted(csv_text(text)))
    for row in rows:
        # Numbers and dates never need quoting, and str() is their csv_text: they skip both calls.
        fields = [
            ""
            if value is None
            else str(value)
            if (kind := value.__class__) in CSV_PLAIN
            else text_field(value)
            if kind is str
            else csv_quoted(csv_text(value))
            for value in row
        ]
        lines.append(csv_line(fields))
        if len(lines) == CSV_LINES_PER_CHUNK:
            yield "".join(lines)
            lines = []
    yield "".join(lines)


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
