"""manage.py report_to_fixture: report in, reviewable fixture out; bad input gets one clear line and writes nothing."""

import datetime
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.factories import ForceFactory, ReportFactory
from tracker.importer import report_slug
from tracker.models import Action, Recommendation, Report
from tracker.report_parser import ParsedReport

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
from tests.seeds import SEEDS  # noqa: E402

SOURCES = {
    k: v
    for k, v in json.loads((ROOT / "fixtures" / "report-sources.json").read_text()).items()
    if not k.startswith("_")
}

SMALL_REPORT = """Police Integrity and Corruption

Testshire Police

March 2016

How well does the force prevent, identify and investigate corruption?

HMIC found the force had no policy on business interests.

Recommendations

Within three months, the force should publish a business interests policy.
"""


@pytest.fixture
def forces(db):
    call_command("loaddata", "fixtures/forces.json", verbosity=0)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_committed_fixture_is_what_the_parser_makes_from_the_seed(forces, tmp_path, name):
    source = SOURCES[name]
    out = tmp_path / name
    call_command(
        "report_to_fixture",
        str(SEEDS / source["seed"]),
        "--published",
        source["published"],
        "-o",
        str(out),
        stdout=open("/dev/null", "w"),
    )
    assert out.read_text() == (ROOT / "fixtures" / "reports" / name).read_text()


def test_every_shipped_report_fixture_is_listed_in_sources():
    shipped = {p.name for p in (ROOT / "fixtures" / "reports").glob("*.json")}
    assert shipped == set(SOURCES)


def test_fixture_uses_natural_keys_only(forces, tmp_path):
    fixture = json.loads((ROOT / "fixtures" / "reports" / "without-fear-or-favour-2011-national.json").read_text())
    assert all("pk" not in row for row in fixture)


def test_national_recommendation_fans_out_to_every_force(forces, tmp_path):
    call_command(
        "load_reports",
        str(ROOT / "fixtures" / "reports" / "without-fear-or-favour-2011-national.json"),
        stdout=open("/dev/null", "w"),
    )
    from tracker.models import Action, Recommendation

    first = Recommendation.objects.get(number=1)
    assert first.actions.count() == 43
    assert first.due_date is None
    assert Action.objects.get(recommendation__number=4).force.slug == "hmic"
    assert Recommendation.objects.get(number=4).due_date.isoformat() == "2012-10-31"


def test_summary_names_each_recommendation_with_its_due_date(forces, tmp_path, capsys):
    report = tmp_path / "testshire.txt"
    report.write_text(SMALL_REPORT)
    ForceFactory(name="Testshire Police", slug="testshire")
    call_command("report_to_fixture", str(report), "--published", "2016-03-10", "-o", str(tmp_path / "out.json"))
    out = capsys.readouterr().out
    assert "Subject:    Testshire Police" in out
    assert "1. Within three months → due 10 June 2016 → testshire" in out
    rows = json.loads((tmp_path / "out.json").read_text())
    assert [r["model"] for r in rows] == ["tracker.report", "tracker.recommendation", "tracker.action"]


def test_default_output_is_under_fixtures_reports(forces, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report = tmp_path / "testshire.txt"
    report.write_text(SMALL_REPORT)
    ForceFactory(name="Testshire Police", slug="testshire")
    call_command("report_to_fixture", str(report), stdout=open("/dev/null", "w"))
    assert (tmp_path / "fixtures" / "reports" / "police-integrity-and-corruption-2016-testshire.json").exists()


def _fails(tmp_path, content: bytes, name: str, *args: str) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out.json"
    with pytest.raises(CommandError) as caught:
        call_command("report_to_fixture", str(path), "-o", str(out), *args)
    assert not out.exists()
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_empty_file_is_refused(forces, tmp_path):
    assert "empty" in _fails(tmp_path, b"", "empty.txt")


def test_binary_junk_is_refused(forces, tmp_path):
    assert "junk.txt" in _fails(tmp_path, bytes(range(256)) * 20, "junk.txt")


def test_non_utf8_text_is_refused(forces, tmp_path):
    assert "UTF-8" in _fails(tmp_path, SMALL_REPORT.replace("HMIC", "HMIC’").encode("cp1252"), "latin.txt")


def test_pdf_without_a_text_layer_is_refused(forces, tmp_path):
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = BytesIO()
    writer.write(buffer)
    assert "text" in _fails(tmp_path, buffer.getvalue(), "scan.pdf").lower()


def test_report_without_recommendations_is_refused(forces, tmp_path):
    text = SMALL_REPORT.split("Recommendations")[0]
    assert "recommendation" in _fails(tmp_path, text.encode(), "none.txt").lower()


def test_unknown_force_is_refused_with_what_to_do(forces, tmp_path):
    message = _fails(tmp_path, SMALL_REPORT.encode(), "testshire.txt")
    assert "Testshire Police" in message and "--force" in message


def test_unknown_force_slug_is_refused(forces, tmp_path):
    assert "atlantis" in _fails(tmp_path, SMALL_REPORT.encode(), "testshire.txt", "--force", "atlantis")


def test_force_option_names_the_inspected_force(forces, tmp_path):
    report = tmp_path / "testshire.txt"
    report.write_text(SMALL_REPORT)
    call_command(
        "report_to_fixture",
        str(report),
        "--force",
        "kent",
        "-o",
        str(tmp_path / "o.json"),
        stdout=open("/dev/null", "w"),
    )
    rows = json.loads((tmp_path / "o.json").read_text())
    assert rows[0]["fields"]["subject_force"] == ["kent"]


def test_bad_published_date_is_refused(forces, tmp_path):
    assert "2014-11-27" in _fails(tmp_path, SMALL_REPORT.encode(), "t.txt", "--published", "27/11/2014")


def test_missing_file_is_refused(forces, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("report_to_fixture", str(tmp_path / "nope.txt"))


def _untitled_national(published: datetime.date | None) -> ParsedReport:
    return ParsedReport(
        title="",
        series="",
        subject="",
        is_national=True,
        published=published,
        published_precision="day",
        isbn="",
        recommendations=(),
        key_figures=(),
        warnings=(),
    )


def test_two_untitled_national_reports_get_distinct_slugs(db):
    first = report_slug(_untitled_national(datetime.date(2016, 3, 10)), None)
    second = report_slug(_untitled_national(datetime.date(2017, 6, 1)), None)
    assert (first, second) == ("national-2016-03-10", "national-2017-06-01")


def test_an_untitled_report_published_the_same_day_as_another_is_numbered(db):
    ReportFactory(slug="national-2016-03-10", title="Something else", subject_force=None)
    assert report_slug(_untitled_national(datetime.date(2016, 3, 10)), None) == "national-2016-03-10-2"


def test_a_report_whose_slug_is_taken_by_another_report_gets_its_publication_date(forces, tmp_path):
    testshire = ForceFactory(name="Testshire Police", slug="testshire")
    ReportFactory(slug="police-integrity-and-corruption-2016-testshire", title="PEEL 2016", subject_force=testshire)
    report = tmp_path / "testshire.txt"
    report.write_text(SMALL_REPORT)
    call_command("report_to_fixture", str(report), "--published", "2016-03-10", "-o", str(tmp_path / "o.json"))
    rows = json.loads((tmp_path / "o.json").read_text())
    assert rows[0]["fields"]["slug"] == "police-integrity-and-corruption-2016-testshire-2016-03-10"


def test_importing_a_loaded_report_again_keeps_its_slug(forces, tmp_path):
    ForceFactory(name="Testshire Police", slug="testshire")
    report = tmp_path / "testshire.txt"
    report.write_text(SMALL_REPORT)
    for out in ("first.json", "second.json"):
        call_command("report_to_fixture", str(report), "--published", "2016-03-10", "-o", str(tmp_path / out))
        call_command("load_reports", str(tmp_path / out), stdout=open("/dev/null", "w"))
    assert (tmp_path / "first.json").read_text() == (tmp_path / "second.json").read_text()
    assert Report.objects.get().slug == "police-integrity-and-corruption-2016-testshire"


GAPPED_REPORT = SMALL_REPORT.replace(
    "Within three months, the force should publish a business interests policy.\n",
    "1. Within three months, the force should publish a business interests policy.\n\n"
    "3. Within three months, the force should audit its business interests register.\n",
)


def test_a_failed_check_exits_non_zero_with_one_line_and_still_writes_the_fixture_to_correct(forces, tmp_path):
    message = _fails(tmp_path, GAPPED_REPORT.encode(), "gapped.txt", "--force", "kent", "-o", str(tmp_path / "g.json"))
    assert message.startswith("gapped.txt: The recommendations are numbered 1, 3: Recommendation 2 is missing.")
    assert "\n" not in message
    rows = json.loads((tmp_path / "g.json").read_text())
    assert len([r for r in rows if r["model"] == "tracker.recommendation"]) == 2


NATIONAL_COVER_FORCE_WORDING = """Stalking and harassment: an inspection

March 2018

Recommendations

- Within six months, the force should appoint a stalking lead.
- Within six months, the College of Policing should publish stalking guidance.
"""


def test_force_option_routes_the_force_recommendations_of_a_report_without_a_force(forces, tmp_path):
    report = tmp_path / "stalking.txt"
    report.write_text(NATIONAL_COVER_FORCE_WORDING)
    out = tmp_path / "s.json"
    call_command("report_to_fixture", str(report), "--force", "kent", "-o", str(out), stdout=open("/dev/null", "w"))
    actions = [r["fields"] for r in json.loads(out.read_text()) if r["model"] == "tracker.action"]
    assert [(a["recommendation"][1], a["force"]) for a in actions] == [(1, ["kent"]), (2, ["college-of-policing"])]


def test_without_force_option_the_force_recommendations_are_refused_with_what_to_do(forces, tmp_path):
    message = _fails(tmp_path, NATIONAL_COVER_FORCE_WORDING.encode(), "stalking.txt")
    assert "Recommendation 1 is addressed to “the force”" in message and "--force" in message


AREAS_REPORT = """PEEL: Police effectiveness 2017

An inspection of Kent Police

March 2018

Recommendations

- Within three months, the force should review how it supervises high-risk domestic abuse cases.

Areas for improvement

- The force should improve how it records the reasons for not arresting suspects.
"""


def test_areas_for_improvement_become_their_own_kind_of_tracked_action(forces, tmp_path):
    report = tmp_path / "peel.txt"
    report.write_text(AREAS_REPORT)
    out = tmp_path / "p.json"
    call_command("report_to_fixture", str(report), "-o", str(out), stdout=open("/dev/null", "w"))
    call_command("load_reports", str(out), stdout=open("/dev/null", "w"))
    assert sorted(Recommendation.objects.values_list("kind", "number", "due_date")) == [
        ("area-for-improvement", 1, None),
        ("recommendation", 1, datetime.date(2018, 6, 30)),
    ]
    assert Action.objects.filter(force__slug="kent").count() == 2
