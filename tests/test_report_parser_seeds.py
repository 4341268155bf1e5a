"""The report parser on the five seed reports in shared/seeds (no Django)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.seeds import SEEDS, read_seed  # noqa: E402
from tracker.report_parser import parse_report

SIX_MONTHS = "Within six months"
DUE_2014_DAY = (date(2015, 5, 27), "day")
DUE_2014_MONTH = (date(2015, 5, 31), "month")

# file, subject, printed month, exact publication day, recommendations as
# (first words, timeframe, due with the exact day, due from the printed month).
CASES = [
    (
        "000_53efe708a084475f.txt",
        "West Midlands Police",
        (2014, 11),
        date(2014, 11, 27),
        [
            ("Within six months, the force should ensure that it has communicated", SIX_MONTHS),
            ("Within six months, force should ensure that it has a policy", SIX_MONTHS),
            ("Within six months, the force should ensure it carries out regular audits", SIX_MONTHS),
            ("Within six months, the force should ensure it has formal arrangements", SIX_MONTHS),
            ("Within six months, the force should ensure all staff understand", SIX_MONTHS),
            ("Within six months, the force should ensure that it has the proactive capability", SIX_MONTHS),
            ("Within six months, the force should publish a policy", SIX_MONTHS),
            ("Within six months, the force should ensure it has an effective process", SIX_MONTHS),
        ],
    ),
    (
        "001_56e6d8f7efdea81c.txt",
        "Cambridgeshire Constabulary",
        (2014, 11),
        date(2014, 11, 27),
        [
            ("Within six months, the force should ensure that it has communicated", SIX_MONTHS),
            ("Within six months, the force should ensure that it has the proactive capability", SIX_MONTHS),
            ("Within six months, force should ensure that it has sufficient capability", SIX_MONTHS),
            ("Within six months, the force should ensure it complies", SIX_MONTHS),
            ("Within six months, the force should ensure that it has a tasking", SIX_MONTHS),
        ],
    ),
    (
        "002_0c17390bed78af83.txt",
        "Leicestershire Police",
        (2014, 11),
        date(2014, 11, 27),
        [
            ("Within six months, the force should ensure that it has communicated", SIX_MONTHS),
            ("Within six months, the force should publish a policy", SIX_MONTHS),
            ("Within six months, the force should work with the EMSOU", SIX_MONTHS),
            ("Within six months, the force should ensure that it has the proactive capability", SIX_MONTHS),
        ],
    ),
    (
        "004_b223533a9aa4004e.txt",
        "Metropolitan Police Service",
        (2014, 11),
        date(2014, 11, 27),
        [
            ("With immediate effect, the force should publish to all staff", "With immediate effect"),
            ("Within six months, the force should ensure that all staff in inspector", SIX_MONTHS),
            ("Within six months, the force should ensure an up-to-date register", SIX_MONTHS),
            ("Within six months, the force should ensure it has an effective process", SIX_MONTHS),
        ],
    ),
]


def test_seed_folder_is_present():
    assert SEEDS.is_dir(), f"seed folder missing: {SEEDS}"


@pytest.mark.parametrize(("name", "subject", "month", "published", "expected"), CASES, ids=[c[1] for c in CASES])
def test_force_report_with_exact_publication_day(name, subject, month, published, expected):
    report = parse_report(read_seed(name), published=published)
    assert report.subject == subject
    assert report.is_national is False
    assert report.title == "Police Integrity and Corruption"
    assert report.series == "Police Integrity and Corruption 2014"
    assert (report.published, report.published_precision) == (published, "day")
    assert len(report.recommendations) == len(expected)
    for rec, (first_words, timeframe) in zip(report.recommendations, expected, strict=True):
        assert rec.text.startswith(first_words)
        assert rec.timeframe == timeframe
        assert rec.addressees == ("subject",)
        assert rec.inspection_question.endswith("?")
        assert rec.evidence
        if timeframe == SIX_MONTHS:
            assert (rec.due_date, rec.due_precision) == DUE_2014_DAY
        else:
            assert (rec.due_date, rec.due_precision) == (published, "day")
    assert [r.number for r in report.recommendations] == list(range(1, len(expected) + 1))
    assert report.warnings == ()


@pytest.mark.parametrize(("name", "subject", "month", "published", "expected"), CASES, ids=[c[1] for c in CASES])
def test_force_report_with_printed_month_only(name, subject, month, published, expected):
    report = parse_report(read_seed(name))
    assert (report.published.year, report.published.month) == month
    assert report.published_precision == "month"
    assert len(report.recommendations) == len(expected)
    for rec, (_, timeframe) in zip(report.recommendations, expected, strict=True):
        if timeframe == SIX_MONTHS:
            assert (rec.due_date, rec.due_precision) == DUE_2014_MONTH
        else:
            assert (rec.due_date, rec.due_precision) == (date(2014, 11, 30), "month")


def test_metropolitan_has_one_immediate_recommendation():
    recs = parse_report(read_seed("004_b223533a9aa4004e.txt")).recommendations
    assert [r.timeframe for r in recs].count("With immediate effect") == 1


def test_isbns():
    assert parse_report(read_seed("000_53efe708a084475f.txt")).isbn == "978-1-78246-611-6"
    assert parse_report(read_seed("001_56e6d8f7efdea81c.txt")).isbn == "978-1-78246-573-7"
    assert parse_report(read_seed("003_cdb7c5f2cfc2a177.txt")).isbn == ""


def test_west_midlands_closing_order_kept_over_body_order():
    # The body states "lessons" before "suspension"; the closing list the reverse.
    report = parse_report(read_seed("000_53efe708a084475f.txt"))
    seventh, eighth = report.recommendations[6:8]
    assert "suspension, resignation and retirement" in seventh.text
    assert seventh.evidence.startswith("The force does not routinely and systematically audit decisions")
    assert "lessons to be learnt" in eighth.text
    assert eighth.evidence.endswith("monitoring where this requires a change in policy or procedure.")
    # Closing-list wording, not the body's "Within six months the force, should".
    assert report.recommendations[2].text.startswith("Within six months, the force should ensure it carries out")


def test_cambridgeshire_markdown_context():
    rec = parse_report(read_seed("001_56e6d8f7efdea81c.txt")).recommendations[3]
    assert rec.inspection_question == "How well does the force prevent, identify and investigate corruption?"
    assert "Vetting arrangements do not fully comply with the national vetting policy" in rec.evidence
    assert "**" not in rec.text and "**" not in rec.evidence


def test_west_midlands_key_figures():
    figures = {f.code: f for f in parse_report(read_seed("000_53efe708a084475f.txt")).key_figures}
    expected = {
        "public-complaints": (Decimal("1439"), None, "count"),
        "public-complaints-per-100-workforce": (Decimal("13.1"), Decimal("15.7"), "per 100 workforce"),
        "conduct-cases": (Decimal("260"), None, "count"),
        "conduct-cases-per-100-workforce": (Decimal("2.4"), Decimal("2.6"), "per 100 workforce"),
        "business-interest-applications": (Decimal("261"), None, "count"),
        "business-interest-approvals": (Decimal("257"), None, "count"),
        "workforce-in-psd-acu": (Decimal("0.5"), Decimal("1.0"), "percent"),
    }
    assert {code: (f.value, f.national_value, f.unit) for code, f in figures.items()} == expected


def test_metropolitan_key_figures_with_thousands_separators():
    figures = {f.code: f for f in parse_report(read_seed("004_b223533a9aa4004e.txt")).key_figures}
    assert figures["public-complaints"].value == Decimal("7029")
    assert figures["conduct-cases"].value == Decimal("1775")
    assert figures["business-interest-applications"].value == Decimal("1818")
    assert figures["business-interest-approvals"].value == Decimal("1808")
    assert figures["conduct-cases-per-100-workforce"].national_value == Decimal("2.6")


NATIONAL_EXPECTED = [
    ("Forces and authorities institute robust systems", ("all-forces",), "", None),
    ("There should be clear boundaries and thresholds", ("acpo",), "", None),
    (
        "Training courses should include appropriate input",
        ("college-of-policing", "all-forces"),
        "the Strategic Command Course in January 2012",
        date(2012, 1, 31),
    ),
    (
        "An assessment relating to these matters should be conducted by HMIC",
        ("hmic",),
        "by October 2012",
        date(2012, 10, 31),
    ),
]


@pytest.mark.parametrize("published", [date(2011, 12, 13), None], ids=["published", "printed"])
def test_national_review(published):
    report = parse_report(read_seed("003_cdb7c5f2cfc2a177.txt"), published=published)
    assert report.is_national is True
    assert report.subject == ""
    assert report.title == "Without fear or favour: a review of police relationships"
    assert report.series == "Without fear or favour 2011"
    if published:
        assert (report.published, report.published_precision) == (published, "day")
    else:
        # The cover's "October 2011", not the covering letter's 21 November 2011.
        assert (report.published, report.published_precision) == (date(2011, 10, 31), "month")
    assert len(report.recommendations) == 4
    for rec, (first_words, addressees, timeframe, due) in zip(report.recommendations, NATIONAL_EXPECTED, strict=True):
        assert rec.text.startswith(first_words)
        assert rec.addressees == addressees
        assert rec.timeframe == timeframe
        assert rec.due_date == due
        assert rec.due_precision == ("month" if due else None)
    first, second = report.recommendations[:2]
    assert first.due_date is None and second.due_date is None
    # Joined across the converter's line breaks, nothing else changed.
    assert first.text.endswith(
        "This area of work on national standards should be encouraged by the Home Office "
        "and promoted by leaders in the Service locally."
    )
    assert report.key_figures == ()
    assert report.warnings == (
        "Recommendation 1 states no timeframe; no due date set.",
        "Recommendation 2 states no timeframe; no due date set.",
    )
