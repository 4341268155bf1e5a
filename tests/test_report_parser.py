"""Rule-by-rule tests of the report parser on small synthetic reports (no Django)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest

from tracker.report_parser import (
    KeyFigure,
    ParsedReport,
    ReportError,
    due_date_for,
    extract_text_from_bytes,
    parse_report,
    read_report_text,
)

COVER = """\
Inspecting policing
in the public interest

Police Integrity and Corruption

Northshire Constabulary

November 2014

© HMIC 2014

ISBN: 978-1-78246-000-1

Contents

How well does the force prevent, identify and investigate corruption?\t4
Recommendations\t9
"""

NUMBERS = """\
The force/constabulary in numbers

Complaints

Total public complaints against officers and staff,
12 months to March 2014

1,234

Total public complaints against officers and staff,
12 months to March 2014, per 100 workforce

12.5

Total public complaints against officers and staff,
per 100 workforce – **England and Wales**

15.7

Business interests

Applications in 12 months
to March 2014

80

Approvals in 12 months
to March 2014

78

Resources

Proportion of workforce in
PSD/ACU

0.7%

Proportion of workforce in
PSD/ACU
– England and Wales

1.0%

Information above is sourced from data collections returned by forces.

Introduction

This inspection looked at integrity, and at what forces have done since 2012 to keep it.
"""

BODY = """\
How well does the force proactively look for, and effectively challenge and investigate misconduct?

Misconduct and unprofessional behaviour

An older paragraph that belongs to the previous sub-section.

Gifts and hospitality

The gifts register is held centrally but is not audited.

HMIC found a bottle of champagne recorded as refused and four watches accepted.

Recommendation

Within six months the force, should ensure that it has a policy on gifts and hospitality.

How well does the force prevent, identify and investigate corruption?

Vetting

1 A footnote that is not evidence.

Vetting does not comply with the national policy.

Recommendation

Within six months, the force should ensure it complies with the national vetting policy.
"""

CLOSING = """\
Recommendations

- **Within six months, the force should ensure it complies with the national vetting policy.**
- **Within six months, the force should ensure that it has a policy on gifts and hospitality.**
"""


def force_report(body: str = BODY, closing: str = CLOSING, cover: str = COVER) -> str:
    """Return a small force report in the shape of the 2014 integrity reports."""
    return "\n".join([cover, NUMBERS, body, closing])


def one_rec_report(rec: str, cover: str = COVER) -> str:
    """Return a force report with a single recommendation worded as given."""
    return cover + f"\nHow well does the force do things?\n\nEvidence.\n\nRecommendations\n\n- {rec}\n"


# --- due dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timeframe", "published", "precision", "expected"),
    [
        ("Within six months", date(2014, 11, 27), "day", (date(2015, 5, 27), "day")),
        ("Within six months", date(2014, 11, 30), "month", (date(2015, 5, 31), "month")),
        ("within 3 months", date(2015, 1, 10), "day", (date(2015, 4, 10), "day")),
        ("within twelve months", date(2015, 1, 10), "day", (date(2016, 1, 10), "day")),
        ("within one year", date(2015, 1, 10), "day", (date(2016, 1, 10), "day")),
        ("Within six weeks", date(2014, 11, 27), "day", (date(2015, 1, 8), "day")),
        ("within 8 weeks", date(2014, 11, 30), "month", (date(2015, 1, 31), "month")),
        ("With immediate effect", date(2014, 11, 27), "day", (date(2014, 11, 27), "day")),
        ("With immediate effect", date(2014, 11, 30), "month", (date(2014, 11, 30), "month")),
        ("by October 2012", date(2011, 12, 13), "day", (date(2012, 10, 31), "month")),
        ("by October 2012", None, None, (date(2012, 10, 31), "month")),
        ("by the end of March 2016", None, None, (date(2016, 3, 31), "month")),
        ("by 31 March 2015", date(2014, 11, 30), "month", (date(2015, 3, 31), "day")),
        ("By 1st April 2016", None, None, (date(2016, 4, 1), "day")),
        ("the Strategic Command Course in January 2012", None, None, (date(2012, 1, 31), "month")),
    ],
)
def test_due_date_rules(timeframe, published, precision, expected):
    assert due_date_for(timeframe, published, precision) == expected


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (date(2014, 8, 31), date(2015, 2, 28)),
        (date(2015, 8, 31), date(2016, 2, 29)),
        (date(2014, 3, 31), date(2014, 9, 30)),
    ],
)
def test_six_months_clamps_to_month_end(published, expected):
    assert due_date_for("Within six months", published, "day") == (expected, "day")


@pytest.mark.parametrize(
    ("timeframe", "published", "precision"),
    [
        ("", date(2014, 11, 27), "day"),
        ("As soon as practicable", date(2014, 11, 27), "day"),
        ("By the end of the financial year", date(2014, 11, 27), "day"),
        ("Within six months", None, None),
        ("Within six months", date(2014, 12, 31), "year"),
    ],
)
def test_due_date_unknown_or_unanchored_gives_none(timeframe, published, precision):
    assert due_date_for(timeframe, published, precision) == (None, None)


def test_month_precision_from_text_and_day_precision_from_published():
    text = force_report()
    report = parse_report(text)
    assert (report.published, report.published_precision) == (date(2014, 11, 30), "month")
    assert {(r.due_date, r.due_precision) for r in report.recommendations} == {(date(2015, 5, 31), "month")}

    report = parse_report(text, published=date(2014, 11, 27))
    assert (report.published, report.published_precision) == (date(2014, 11, 27), "day")
    assert {(r.due_date, r.due_precision) for r in report.recommendations} == {(date(2015, 5, 27), "day")}


def test_year_only_publication_date_gives_no_relative_due_dates():
    cover = COVER.replace("November 2014\n", "")
    rec = "Within six months, the force should vet staff and, by 31 March 2015, audit vetting."
    report = parse_report(one_rec_report(rec, cover=cover))
    assert (report.published, report.published_precision) == (date(2014, 12, 31), "year")
    assert report.recommendations[0].due_date is None
    assert any("known only to the year (2014)" in w for w in report.warnings)
    assert any("several timeframes; used 'Within six months'" in w for w in report.warnings)


def test_deadline_before_publication_is_flagged():
    report = parse_report(one_rec_report("By October 2012, the force should vet its staff."))
    assert report.recommendations[0].due_date == date(2012, 10, 31)
    assert any("is before the publication date" in w for w in report.warnings)


def test_exact_publication_date_on_cover_is_day_precise():
    cover = COVER.replace("November 2014\n", "Published 27 November 2014\n")
    report = parse_report(force_report(cover=cover))
    assert (report.published, report.published_precision) == (date(2014, 11, 27), "day")


def test_immediate_effect_and_dated_recommendations_in_a_report():
    text = force_report(
        body="",
        closing=(
            "Recommendations\n\n"
            "- With immediate effect, the force should publish the outcomes of hearings.\n"
            "- Within 12 weeks, the force should train its supervisors.\n"
            "- By 31 March 2015, the force should audit its registers.\n"
        ),
    )
    recs = parse_report(text, published=date(2014, 11, 27)).recommendations
    assert [(r.timeframe, r.due_date, r.due_precision) for r in recs] == [
        ("With immediate effect", date(2014, 11, 27), "day"),
        ("Within 12 weeks", date(2015, 2, 19), "day"),
        ("By 31 March 2015", date(2015, 3, 31), "day"),
    ]


def test_unknown_timeframe_gives_no_date_and_a_warning():
    report = parse_report(one_rec_report("As soon as practicable, the force should vet its staff."))
    rec = report.recommendations[0]
    assert (rec.timeframe, rec.due_date, rec.due_precision) == ("As soon as practicable", None, None)
    assert any("'As soon as practicable' not understood" in w for w in report.warnings)


def test_within_months_of_another_event_is_not_guessed():
    rec = "Within three months of the new code being published, the force should comply with it."
    report = parse_report(one_rec_report(rec), published=date(2014, 11, 27))
    first = report.recommendations[0]
    assert (first.timeframe, first.due_date) == ("Within three months of the new code being published", None)
    assert any("not understood" in w for w in report.warnings)
    rec = "Within six months of the publication of this report, the force should comply."
    first = parse_report(one_rec_report(rec), published=date(2014, 11, 27)).recommendations[0]
    assert (first.timeframe, first.due_date) == ("Within six months", date(2015, 5, 27))


def test_missing_timeframe_gives_no_date_and_a_warning():
    report = parse_report(one_rec_report("The force should vet its staff."))
    rec = report.recommendations[0]
    assert (rec.timeframe, rec.due_date) == ("", None)
    assert any("Recommendation 1 states no timeframe" in w for w in report.warnings)


def test_no_publication_date_warns_and_leaves_relative_due_dates_blank():
    cover = COVER.replace("November 2014\n", "").replace("© HMIC 2014\n", "")
    report = parse_report(one_rec_report("Within six months, the force should vet staff.", cover=cover))
    assert report.published is None and report.published_precision is None
    assert report.recommendations[0].due_date is None
    assert any("--published" in w for w in report.warnings)


# --- text normalisation ----------------------------------------------------------------------


def test_markdown_and_bold_bullet_markup_removed():
    text = (
        "# Police Integrity and Corruption\n\nNorthshire Police\n\nNovember 2014\n\n"
        "## Recommendations\n\n"
        "- **Within six months, the force should ensure that it has a *clear* policy.**\n"
        "* **Within six months, the force should publish  the\n  register.**\n"
    )
    report = parse_report(text)
    assert report.title == "Police Integrity and Corruption"
    assert [r.text for r in report.recommendations] == [
        "Within six months, the force should ensure that it has a clear policy.",
        "Within six months, the force should publish the register.",
    ]


def test_ocr_hyphenation_joined_but_compound_hyphens_kept():
    rec = (
        "Within six months, the force should review its organ-\n"
        "isation and its anti-\ncorruption unit, and co-ordinate tasking."
    )
    report = parse_report(one_rec_report(rec))
    assert report.recommendations[0].text == (
        "Within six months, the force should review its organisation and its "
        "anti-corruption unit, and co-ordinate tasking."
    )


def test_compound_written_elsewhere_with_hyphen_keeps_it():
    rec = "Within six months, the force should audit its integrity-\nrelated registers and its organ-\nisation."
    report = parse_report(one_rec_report(rec) + "\nOther integrity-related work was seen.\n")
    assert report.recommendations[0].text == (
        "Within six months, the force should audit its integrity-related registers and its organisation."
    )


def test_paragraphs_and_list_items_cut_by_page_breaks_are_rejoined():
    body = (
        "How well does the force do things?\n\n"
        "The staff survey suggested only\n\n50 percent of staff felt supported, and\n\n"
        "most felt unheard.\n\n"
        "Recommendation\n\nWithin six months, the force should support staff who report.\n"
    )
    closing = (
        "Recommendations\n\n"
        "- Within six months, the force should publish a gifts policy.\n\n"
        "It should cover declined gifts.\n\n"
        "- Within six months, the force should support staff who\n\nreport.\n"
    )
    report = parse_report(force_report(body=body, closing=closing))
    first, second = report.recommendations
    assert first.text == "Within six months, the force should publish a gifts policy. It should cover declined gifts."
    assert second.text == "Within six months, the force should support staff who report."
    assert (
        second.evidence == "The staff survey suggested only 50 percent of staff felt supported, and most felt unheard."
    )


def test_text_otherwise_kept_exactly():
    rec = "Within six months, force should ensure that it has a policy; including those declined (£20+)."
    assert parse_report(one_rec_report(rec)).recommendations[0].text == rec


# --- body / closing list matching ----------------------------------------------------------


def test_closing_order_and_wording_with_body_context():
    report = parse_report(force_report())
    first, second = report.recommendations
    assert [first.number, second.number] == [1, 2]
    assert first.text.startswith("Within six months, the force should ensure it complies")
    assert first.inspection_question == "How well does the force prevent, identify and investigate corruption?"
    assert first.evidence == "Vetting does not comply with the national policy."
    # Closing-list wording wins over the body's "Within six months the force, should".
    assert second.text == "Within six months, the force should ensure that it has a policy on gifts and hospitality."
    assert second.inspection_question.startswith("How well does the force proactively look for")
    assert second.evidence == (
        "The gifts register is held centrally but is not audited.\n\n"
        "HMIC found a bottle of champagne recorded as refused and four watches accepted."
    )
    assert second.addressees == ("subject",)
    assert not any("not found in the body" in w for w in report.warnings)


def test_evidence_is_capped_at_three_paragraphs():
    body = (
        "How well does the force do things?\n\n"
        + "".join(f"Finding number {n}.\n\n" for n in range(1, 6))
        + "Recommendation\n\nWithin six months, the force should do things.\n"
    )
    closing = "Recommendations\n\n- Within six months, the force should do things.\n"
    rec = parse_report(force_report(body=body, closing=closing)).recommendations[0]
    assert rec.evidence == "Finding number 3.\n\nFinding number 4.\n\nFinding number 5."


def test_closing_item_missing_from_body_warns():
    closing = CLOSING + "- **Within six months, the force should appoint an analyst to its counter-corruption unit.**\n"
    report = parse_report(force_report(closing=closing))
    assert len(report.recommendations) == 3
    assert report.recommendations[2].evidence == "" and report.recommendations[2].inspection_question == ""
    assert any("Recommendation 3" in w and "not found in the body" in w for w in report.warnings)


def test_body_item_missing_from_closing_list_is_a_blocking_problem():
    closing = CLOSING.splitlines(keepends=True)
    closing = "".join(closing[:3])
    report = parse_report(force_report(closing=closing))
    assert len(report.recommendations) == 1
    assert report.problems == (
        "The recommendation in the body ('Within six months the force, should ensure that…') is missing from the "
        "closing list: the list may be cut by a page break; add it before loading.",
    )


def test_without_closing_list_body_order_is_used_with_a_warning():
    report = parse_report(force_report(closing=""))
    assert [r.text[:40] for r in report.recommendations] == [
        "Within six months the force, should ensu",
        "Within six months, the force should ensu",
    ]
    assert report.recommendations[0].evidence.startswith("The gifts register")
    assert any("No closing 'Recommendations' list" in w for w in report.warnings)


def test_numbered_closing_list_of_a_later_report():
    cover = "PEEL: Police effectiveness 2016\n\nAn inspection of Kent Police\n\nMarch 2017\n\n"
    closing = (
        "Recommendations\n\n"
        "Recommendation 1\n\nBy 30 June 2017, the force should improve its crime recording.\n\n"
        "Recommendation 2\n\nWithin 3 months, the force should review its vetting backlog.\n"
    )
    report = parse_report(cover + closing)
    assert report.subject == "Kent Police" and not report.is_national
    assert report.title == "PEEL: Police effectiveness 2016"
    assert report.series == "PEEL: Police effectiveness 2016"
    assert [(r.number, r.due_date, r.due_precision) for r in report.recommendations] == [
        (1, date(2017, 6, 30), "day"),
        (2, date(2017, 6, 30), "month"),
    ]


def test_plain_numbered_list_and_introduction_skipped():
    closing = (
        "Recommendations\n\nWe make the following recommendations:\n\n"
        "1. Within six months, the force should ensure it complies with the national vetting policy.\n\n"
        "2. Within six months, the force should ensure that it has a policy on gifts and hospitality.\n"
    )
    recs = parse_report(force_report(closing=closing)).recommendations
    assert [r.text[:26] for r in recs] == ["Within six months, the for"] * 2
    assert recs[0].evidence == "Vetting does not comply with the national policy."


# --- cover -------------------------------------------------------------------------------


def test_cover_fields_of_a_force_report():
    report = parse_report(force_report())
    assert isinstance(report, ParsedReport)
    assert report.title == "Police Integrity and Corruption"
    assert report.series == "Police Integrity and Corruption 2014"
    assert report.subject == "Northshire Constabulary"
    assert report.is_national is False
    assert report.isbn == "978-1-78246-000-1"


# --- key figures -------------------------------------------------------------------------


def test_key_figures():
    figures = {f.code: f for f in parse_report(force_report()).key_figures}
    assert figures["public-complaints"] == KeyFigure(
        "public-complaints",
        "Total public complaints against officers and staff, 12 months to March 2014",
        Decimal("1234"),
        None,
        "count",
    )
    per_100 = figures["public-complaints-per-100-workforce"]
    assert (per_100.value, per_100.national_value, per_100.unit) == (
        Decimal("12.5"),
        Decimal("15.7"),
        "per 100 workforce",
    )
    assert figures["business-interest-applications"].value == Decimal("80")
    assert figures["business-interest-approvals"].value == Decimal("78")
    psd = figures["workforce-in-psd-acu"]
    assert (psd.value, psd.national_value, psd.unit) == (Decimal("0.7"), Decimal("1.0"), "percent")
    assert psd.label == "Proportion of workforce in PSD/ACU"


# --- national reports --------------------------------------------------------------------

NATIONAL = """\
Without fear or favour

A review of police relationships

October 2011

Recommendations

Against that background, we make the following principal recommendations:

- Forces and authorities institute robust systems to manage risks. This work should be
 encouraged by the Home Office and promoted locally.
- ACPO should lead this work in partnership with the College of Policing.
- Training courses should include integrity. The Strategic Command Course in January 2012
 should encompass these issues. Chief Constables should brief their staff.
- An assessment should be conducted by HMIC by October 2012 to inform incoming Police and Crime Commissioners.
- The NPCC and the Home Office should agree a national standard.
- There should be a national register.

Appendix A: Terms of reference
"""


def test_national_report_addressees_and_deadlines():
    report = parse_report(NATIONAL, published=date(2011, 12, 13))
    assert report.is_national and report.subject == ""
    assert report.title == "Without fear or favour: a review of police relationships"
    assert report.series == "Without fear or favour 2011"
    recs = report.recommendations
    assert [r.addressees for r in recs] == [
        ("all-forces",),
        ("acpo",),
        ("college-of-policing", "all-forces"),
        ("hmic",),
        ("npcc", "home-office"),
        ("all-forces",),
    ]
    assert [(r.due_date, r.due_precision) for r in recs[:4]] == [
        (None, None),
        (None, None),
        (date(2012, 1, 31), "month"),
        (date(2012, 10, 31), "month"),
    ]
    assert recs[2].timeframe == "The Strategic Command Course in January 2012"
    assert recs[3].timeframe == "by October 2012"
    assert any("Recommendation 6: no addressee recognised" in w for w in report.warnings)
    assert recs[0].text.endswith("This work should be encouraged by the Home Office and promoted locally.")


def test_missing_force_with_force_wording_warns():
    report = parse_report("Recommendations\n\n- Within six months, the force should vet its staff.\n")
    assert report.is_national
    assert any("No force named on the cover" in w for w in report.warnings)


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "r.txt", "The file is empty."),
        (b"  \n\t\n", "r.md", "The file is empty."),
        (b"\x00\x01\x02\xff\xfeGARBAGE" * 20, "r.txt", "This is a binary file, not text."),
        (bytes(range(1, 9)) * 50, "r.txt", "This is a binary file, not text."),
        ("Recommendations caf\u00e9".encode("latin-1"), "r.txt", "Not valid UTF-8 text (byte 0xE9 at position 19)"),
        (b"Recommendations", "r.docx", "Unsupported file type .docx"),
        (b"Recommendations", "report", "Unsupported file type (none)"),
        (b"not a pdf at all", "r.pdf", "Not a valid PDF"),
        (b"%PDF-1.4\n%garbage that is not a pdf\n", "r.pdf", "Cannot read the PDF ("),
    ],
)
def test_bad_input_is_a_one_line_report_error(data, name, message):
    with pytest.raises(ReportError) as caught:
        extract_text_from_bytes(data, name)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_utf8_with_bom_is_accepted():
    text = extract_text_from_bytes("\ufeffRecommendations café".encode(), "r.txt")
    assert text == "Recommendations café"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The report text is empty."),
        ("   \n\n", "The report text is empty."),
        ("Police Integrity and Corruption\n\nSome findings without any proposals.\n", "No recommendations found"),
    ],
)
def test_parse_report_rejects_text_without_recommendations(text, message):
    with pytest.raises(ReportError, match=message):
        parse_report(text)


def test_missing_file_is_a_report_error(tmp_path):
    with pytest.raises(ReportError, match="No such file"):
        read_report_text(tmp_path / "nope.txt")


# --- PDF ---------------------------------------------------------------------------------


def build_pdf(pages: list[list[str]]) -> bytes:
    """Hand-assemble a minimal PDF whose pages show the given lines ("" = gap)."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in once the pages are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for lines in pages:
        ops = ["BT", "/F1 11 Tf", "14 TL", "72 770 Td"]
        for line in lines:
            if line:
                escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
                ops.append(f"({escaped}) Tj")
            ops.append("T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content
        )
        kids.append(len(objects))
    refs = b" ".join(b"%d 0 R" % k for k in kids)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


PDF_PAGES = [
    [
        "Police Integrity and Corruption",
        "",
        "Northshire Police",
        "",
        "November 2014",
        "",
        "How well does the force prevent, identify and investigate corruption?",
        "",
        "The force does not audit its registers of gifts and",
        "hospitality, nor its business interests.",
        "",
        "Recommendation",
        "",
        "Within six months the force, should ensure it carries out regular audits of its organ-",
        "isation and registers.",
    ],
    [
        "Recommendations",
        "",
        "- Within six months, the force should ensure it carries out regular audits of its",
        "organisation and registers.",
        "- With immediate effect, the force should publish hearing outcomes.",
    ],
]


def test_pdf_with_text_layer(tmp_path):
    path = tmp_path / "northshire.pdf"
    path.write_bytes(build_pdf(PDF_PAGES))
    report = parse_report(read_report_text(path), published=date(2014, 11, 27))
    assert report.subject == "Northshire Police"
    assert report.title == "Police Integrity and Corruption"
    first, second = report.recommendations
    assert first.text == (
        "Within six months, the force should ensure it carries out regular audits of its organisation and registers."
    )
    assert first.inspection_question == "How well does the force prevent, identify and investigate corruption?"
    assert (
        first.evidence == "The force does not audit its registers of gifts and hospitality, nor its business interests."
    )
    assert (first.due_date, second.due_date) == (date(2015, 5, 27), date(2014, 11, 27))


def test_pdf_list_split_across_pages_with_page_numbers(tmp_path):
    pages = [
        PDF_PAGES[0] + ["", "", "", "7"],
        ["8", "", "Recommendations", "", "- With immediate effect, the force should publish hearing outcomes and"],
        ["9", "", "their sanctions.", "", "- Within six months, the force should ensure it carries out regular audits"],
        ["of its organisation and registers.", "", "10"],
    ]
    path = tmp_path / "split.pdf"
    path.write_bytes(build_pdf(pages))
    recs = parse_report(read_report_text(path)).recommendations
    assert [r.text for r in recs] == [
        "With immediate effect, the force should publish hearing outcomes and their sanctions.",
        "Within six months, the force should ensure it carries out regular audits of its organisation and registers.",
    ]
    assert recs[1].evidence.startswith("The force does not audit its registers")


def test_pdf_upload_bytes():
    text = extract_text_from_bytes(build_pdf(PDF_PAGES), "upload.PDF")
    assert "Police Integrity and Corruption" in text


def test_pdf_without_text_layer(tmp_path):
    path = tmp_path / "scanned.pdf"
    path.write_bytes(build_pdf([[], []]))
    with pytest.raises(ReportError, match="^The PDF has no text layer"):
        read_report_text(path)


def test_pdf_content_wins_over_a_txt_name():
    text = extract_text_from_bytes(build_pdf(PDF_PAGES), "mislabelled.txt")
    assert "Recommendations" in text
