"""Downloading an action list as CSV or Excel: the rows on screen, streamed, safe to open."""

import csv
import datetime
import io
import re
import zipfile
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ActionFactory, PsdLeadFactory, ReportFactory
from tracker.exports import COLUMNS, LIST_FILE_WORDS
from tracker.models import Action
from tracker.selectors import ACTION_LISTS
from tracker.spreadsheets import FILENAME_WORDS_LIMIT, download_filename, neutralise
from tracker.views.exports import export_links

pytestmark = pytest.mark.django_db
D = datetime.date
S = Action.Status


def _export(client, fmt, query=""):
    return client.get(f"{reverse('tracker:action_export', args=[fmt])}?{query}")


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _column(reference: str) -> int:
    """Return the 0-based column of a cell reference: A1 -> 0, Z1 -> 25, AA1 -> 26."""
    letters = re.match(r"[A-Z]+", reference).group()
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def _text(element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{SHEET}t"))


def _xlsx_rows(content: bytes) -> list[list[str]]:
    """Read the first sheet's cells as text from the file's XML (the app writes it with XlsxWriter)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        shared = []
        if "xl/sharedStrings.xml" in names:
            strings = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            shared = [_text(si) for si in strings.iter(f"{SHEET}si")]
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{SHEET}row"):
        cells = {}
        for cell in row.iter(f"{SHEET}c"):
            kind = cell.get("t")
            if kind == "inlineStr":
                value = _text(cell)
            elif kind == "s":
                value = shared[int(cell.find(f"{SHEET}v").text)]
            else:
                value = cell.find(f"{SHEET}v").text
            cells[_column(cell.get("r"))] = value
        rows.append([cells.get(i, "") for i in range(max(cells) + 1)] if cells else [])
    return rows


def _rows_of(response, fmt: str) -> list[list[str]]:
    """The rows of a downloaded CSV or Excel file, header first."""
    content = b"".join(response.streaming_content)
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return _xlsx_rows(content)


def _keys(actions) -> list[tuple[str, str, str, str]]:
    return [
        (a.force.name, a.recommendation.report.title, a.recommendation.get_kind_display(), str(a.recommendation.number))
        for a in actions
    ]


@pytest.fixture
def actions_a(today, force_a, psd_lead_a):
    """Three West Midlands actions: overdue and being progressed, due soon, and awaiting review."""
    return [
        ActionFactory(recommendation__report__subject_force=force_a, status=S.IN_PROGRESS, owner=psd_lead_a),
        ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 6, 20)),
        ActionFactory(recommendation__report__subject_force=force_a, status=S.COMPLETED, due_date=D(2015, 3, 1)),
    ]


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("tracker:action_list", "status=not_started&status=in_progress&sort=-due"),
        ("tracker:overdue", ""),
        ("tracker:upcoming", "days=60"),
        ("tracker:my_actions", ""),
    ],
)
def test_csv_rows_are_the_filtered_list_pages_rows(client, actions_a, psd_lead_a, page, query):
    client.force_login(psd_lead_a)
    on_screen = client.get(f"{reverse(page)}?{query}").context["page_obj"]
    slug = {"tracker:action_list": "all", "tracker:overdue": "overdue", "tracker:upcoming": "upcoming"}.get(
        page, "mine"
    )
    rows = _csv_rows(_export(client, "csv", f"{query}&list={slug}"))
    assert [tuple(row[:4]) for row in rows[1:]] == _keys(on_screen)
    assert len(rows) > 1


def test_csv_has_the_on_screen_columns_and_values(client, today, force_a, psd_lead_a):
    ActionFactory(
        recommendation__report__subject_force=force_a,
        recommendation__report__title="Police Integrity and Corruption",
        recommendation__number=4,
        recommendation__text="Within six months, the force should publish its policy.",
        status=S.IN_PROGRESS,
        due_date=D(2015, 5, 27),
        revised_due_date=D(2015, 5, 29),
        owner=psd_lead_a,
    )
    client.force_login(psd_lead_a)
    header, row = _csv_rows(_export(client, "csv"))
    assert header == COLUMNS
    assert row[:11] == [
        "West Midlands Police",
        "Police Integrity and Corruption",
        "Recommendation",
        "4",
        "Within six months, the force should publish its policy.",
        "Being progressed",
        "2015-05-27",
        "2015-05-29",
        "2015-05-29",
        "3",
        "Alice Ashby",
    ]
    assert row[11] == "2015-06-01 12:00"


def test_another_forces_actions_never_appear(client, today, force_a, force_b, psd_lead_a):
    ActionFactory(recommendation__report__subject_force=force_a)
    ActionFactory(recommendation__report__subject_force=force_b)
    client.force_login(psd_lead_a)
    for query in ["", "force=leicestershire", "list=overdue&force=leicestershire"]:
        rows = _csv_rows(_export(client, "csv", query))
        assert {row[0] for row in rows[1:]} == {"West Midlands Police"}, query


def test_reviewer_exports_every_force(client, today, force_a, force_b, reviewer):
    ActionFactory(recommendation__report__subject_force=force_a)
    ActionFactory(recommendation__report__subject_force=force_b)
    client.force_login(reviewer)
    rows = _csv_rows(_export(client, "csv"))
    assert sorted(row[0] for row in rows[1:]) == ["Leicestershire Police", "West Midlands Police"]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Police", "West-Midlands", "a=b", 5, -3, None, D(2015, 5, 27)])
def test_other_values_are_left_alone(value):
    assert neutralise(value) == value


def test_formula_injection_is_neutralised_in_csv(client, today, force_a, psd_lead_a):
    owner = PsdLeadFactory(first_name="@cmd", last_name="x", forces=[force_a])
    ActionFactory(
        recommendation__report__subject_force=force_a,
        recommendation__report__title='+HYPERLINK("http://evil")',
        recommendation__text='=HYPERLINK("http://evil.example","click")',
        owner=owner,
    )
    client.force_login(psd_lead_a)
    row = _csv_rows(_export(client, "csv"))[1]
    assert row[1] == '\'+HYPERLINK("http://evil")'
    assert row[4] == '\'=HYPERLINK("http://evil.example","click")'
    assert row[10] == "'@cmd x"


def test_formula_injection_is_neutralised_in_xlsx_and_stays_text(client, today, force_a, psd_lead_a):
    ActionFactory(recommendation__report__subject_force=force_a, recommendation__text="-2+3")
    client.force_login(psd_lead_a)
    content = b"".join(_export(client, "xlsx").streaming_content)
    assert _xlsx_rows(content)[1][4] == "'-2+3"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")  # no cell is a formula


def test_xlsx_opens_with_the_header_and_one_row_per_action(client, actions_a, psd_lead_a):
    client.force_login(psd_lead_a)
    response = _export(client, "xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = _xlsx_rows(b"".join(response.streaming_content))
    assert rows[0] == COLUMNS
    assert [row[0] for row in rows[1:]] == ["West Midlands Police"] * 3
    assert {row[5] for row in rows[1:]} == {"Being progressed", "Not started", "Awaiting review"}


@pytest.mark.parametrize(("fmt", "kind"), [("csv", StreamingHttpResponse), ("xlsx", FileResponse)])
def test_export_is_streamed_as_a_dated_download(client, actions_a, psd_lead_a, fmt, kind):
    client.force_login(psd_lead_a)
    response = _export(client, fmt)
    assert isinstance(response, kind) and response.streaming
    assert response["Content-Disposition"] == f'attachment; filename="actions-2015-06-01.{fmt}"'


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_query_count_does_not_grow_with_rows(
    client, today, force_a, psd_lead_a, fmt, django_assert_max_num_queries
):
    ActionFactory(recommendation__report__subject_force=force_a, owner=psd_lead_a)
    client.force_login(psd_lead_a)
    with CaptureQueriesContext(connection) as one_row:
        response = _export(client, fmt, "status=not_started")
        assert len(_rows_of(response, fmt)) == 1 + 1  # the header and the action
    ActionFactory.create_batch(25, recommendation__report__subject_force=force_a, owner=psd_lead_a)
    with django_assert_max_num_queries(len(one_row)):
        response = _export(client, fmt, "status=not_started")
        assert len(_rows_of(response, fmt)) == 1 + 26


def test_unknown_format_is_not_found(client, psd_lead_a):
    client.force_login(psd_lead_a)
    assert _export(client, "pdf").status_code == 404


def test_unknown_list_is_not_found(client, psd_lead_a):
    client.force_login(psd_lead_a)
    assert _export(client, "csv", "list=everything").status_code == 404


def test_anonymous_user_is_sent_to_log_in(client):
    response = _export(client, "csv")
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_post_is_not_allowed(client, psd_lead_a):
    client.force_login(psd_lead_a)
    assert client.post(reverse("tracker:action_export", args=["csv"])).status_code == 405


def test_export_links_keep_the_filters_and_name_the_list(rf, psd_lead_a):
    request = rf.get("/actions/overdue/", {"force": "west-midlands", "page": "3"})
    links = dict(export_links(request, "overdue"))
    assert links["CSV"] == "/actions/export.csv?force=west-midlands&list=overdue"
    assert links["Excel"] == "/actions/export.xlsx?force=west-midlands&list=overdue"


# File names: which list, which filters, which day


def _filename(response) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.endswith('"')
    return disposition.removeprefix('attachment; filename="').removesuffix('"')


@pytest.mark.parametrize(
    ("fmt", "query", "expected"),
    [
        ("csv", "list=overdue", "overdue-actions-2015-06-01.csv"),
        ("xlsx", "status=in_progress", "actions-status-in-progress-2015-06-01.xlsx"),
        ("csv", "list=upcoming&days=60", "upcoming-actions-next-60-days-2015-06-01.csv"),
        ("csv", "list=upcoming", "upcoming-actions-next-30-days-2015-06-01.csv"),
        ("csv", "list=mine&kind=area-for-improvement", "my-actions-areas-for-improvement-2015-06-01.csv"),
        (
            "csv",
            "status=not_started&status=completed&overdue=false",
            "actions-status-not-started-completed-not-overdue-2015-06-01.csv",
        ),
        (
            "csv",
            "due_after=2015-06-01&due_before=2015-12-31&sort=-due",
            "actions-due-from-2015-06-01-due-by-2015-12-31-2015-06-01.csv",
        ),
        ("csv", "owner={owner}", "actions-owner-alice-ashby-2015-06-01.csv"),
        ("csv", "moved=true&moved_months=6", "actions-due-date-moved-moved-over-6-months-2015-06-01.csv"),
        ("xlsx", "moved=false", "actions-due-date-not-moved-2015-06-01.xlsx"),
        (
            "csv",
            "q=Vetting+%26+%E2%80%9Ccall+handlers%E2%80%9D%21",
            "actions-containing-vetting-call-handlers-2015-06-01.csv",
        ),
        (
            "csv",
            "series=Police+Integrity+and+Corruption+2014",
            "actions-police-integrity-and-corruption-2014-2015-06-01.csv",
        ),
    ],
)
def test_download_is_named_after_its_list_and_the_filters_applied(client, actions_a, psd_lead_a, fmt, query, expected):
    client.force_login(psd_lead_a)
    response = _export(client, fmt, query.format(owner=psd_lead_a.pk))
    assert response.status_code == 200
    assert _filename(response) == expected


def test_a_force_chosen_from_the_filter_is_in_the_name(client, actions_a, reviewer):
    client.force_login(reviewer)
    response = _export(client, "csv", "list=overdue&force=west-midlands")
    assert _filename(response) == "overdue-actions-west-midlands-2015-06-01.csv"


def test_a_reports_actions_are_named_after_the_report(client, today, force_a, psd_lead_a):
    report = ReportFactory(subject_force=force_a, slug="west-midlands-pic-2014")
    ActionFactory(recommendation__report=report)
    client.force_login(psd_lead_a)
    response = _export(client, "csv", f"report={report.slug}&status=not_started")
    assert _filename(response) == "report-west-midlands-pic-2014-actions-status-not-started-2015-06-01.csv"


def test_filters_that_were_not_applied_are_not_in_the_name(client, actions_a, force_b, psd_lead_a):
    client.force_login(psd_lead_a)
    # Another force (not a choice for this PSD lead) and an unknown status are ignored, so not named either.
    response = _export(client, "csv", "list=overdue&force=leicestershire&status=lost&days=")
    assert _filename(response) == "overdue-actions-2015-06-01.csv"


def test_every_list_has_a_file_name():
    assert set(LIST_FILE_WORDS) == set(ACTION_LISTS)


def test_a_file_name_is_plain_ascii_words_however_the_filters_are_written():
    name = download_filename(
        ['Café “quoted” ../..\\evil\r\nX-Header: 1; filename="x"', "in_progress"], D(2015, 6, 1), "csv"
    )
    assert name == "cafe-quoted-evil-x-header-1-filenamex-in-progress-2015-06-01.csv"


def test_a_long_file_name_is_cut_between_words():
    words = ["containing " + "recommendation " * 20]
    name = download_filename(words, D(2015, 6, 1), "xlsx")
    stem = name.removesuffix("-2015-06-01.xlsx")
    assert len(stem) <= FILENAME_WORDS_LIMIT and stem.endswith("-recommendation")
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", stem)


def test_one_long_word_is_cut_at_the_limit():
    name = download_filename(["x" * 300], D(2015, 6, 1), "csv")
    assert name == "x" * FILENAME_WORDS_LIMIT + "-2015-06-01.csv"


def test_nothing_nameable_is_called_download():
    assert download_filename(["“…”"], D(2015, 6, 1), "csv") == "download-2015-06-01.csv"
