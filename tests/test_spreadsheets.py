"""
The CSV writer: every line is the line the csv module writes, each cell as text by the rule.

The rule (reference_csv_text) is nothing for None, ISO dates, moments to the minute, and a leading apostrophe on
text a spreadsheet would run as a formula. The app joins the lines itself rather than through the csv module,
which costs more than the database at 100,000 rows; these tests hold the two byte-identical.
"""

import csv
import datetime
import io

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import LONDON
from tracker.spreadsheets import FORMULA_PREFIXES, csv_chunks, neutralise

D = datetime.date


def reference_csv_text(value) -> str:
    """One cell as CSV text, by the rule."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(neutralise(value))


def reference_csv(rows, columns) -> bytes:
    """The CSV file of `rows` as the csv module writes it, each cell through reference_csv_text, after a BOM."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([reference_csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def _written(rows, columns) -> bytes:
    return "".join(csv_chunks(rows, columns)).encode("utf-8")


CELLS = [
    None,
    0,
    -7,
    1234567,
    D(2015, 6, 1),
    datetime.datetime(2015, 6, 1, 23, 59, 59, 999999),
    datetime.datetime(2015, 6, 1, 9, 5, tzinfo=LONDON),
    "",
    "plain text",
    "a comma, inside",
    'a "quoted" word',
    "a line\nbreak",
    "a carriage\rreturn",
    "a line\r\nend",
    *(f"{prefix}1+2" for prefix in FORMULA_PREFIXES),
    "Café – naïve, £100 ✓",
]


def test_each_kind_of_cell_is_written_as_the_csv_module_writes_its_text():
    rows = [CELLS, list(reversed(CELLS))]
    assert _written(rows, ["column"] * len(CELLS)) == reference_csv(rows, ["column"] * len(CELLS))


def test_a_row_of_one_empty_field_is_quoted_so_it_is_not_a_blank_line():
    rows = [[None], [""], ["x"]]
    assert _written(rows, ["only"]) == reference_csv(rows, ["only"]) == '\ufeffonly\r\n""\r\n""\r\nx\r\n'.encode()


def test_a_row_of_no_fields_is_an_empty_line():
    assert _written([[]], []) == reference_csv([[]], [])


def test_a_long_download_comes_in_chunks_that_join_to_the_whole_file():
    rows = [[n, f"text {n}, with a comma"] for n in range(1234)]
    chunks = list(csv_chunks(rows, ["n", "text"]))
    assert len(chunks) > 2
    assert "".join(chunks).encode("utf-8") == reference_csv(rows, ["n", "text"])


CELL = st.one_of(
    st.none(),
    st.integers(),
    st.dates(),
    st.datetimes(min_value=datetime.datetime(1000, 1, 1)),  # four-digit years, as strftime writes them here
    st.text(),
    st.text(alphabet=st.sampled_from(",\"\r\n =+-@\t'ab")),  # the characters that decide quoting and neutralising
)


@given(st.lists(st.lists(CELL, min_size=0, max_size=6), max_size=5), st.lists(st.text(), min_size=0, max_size=3))
def test_any_rows_are_written_as_the_csv_module_writes_their_text(rows, columns):
    assert _written(rows, columns) == reference_csv(rows, columns)
