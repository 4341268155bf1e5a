"""Reading a report page by page: furniture removed, cut text rejoined, PDF leftovers normalised (no Django)."""

from __future__ import annotations

import pytest

from tests.report_corpus import (
    BROWSER_FOOTER,
    BROWSER_HEADER,
    INDENT,
    PUBLISHED,
    REPORT_FOOTER,
    REPORT_HEADER,
    SEED_NAMES,
    UNICODE_FONT,
    Line,
    as_text,
    closing_list,
    furnish,
    paginate,
    render_pdf,
    render_two_columns,
    seed_text,
    slug,
    wrap,
)
from tracker.report_parser import ReportError, extract_text_from_bytes, parse_report
from tracker.report_parser._pages import join_pages
from tracker.report_parser._text import join_hyphenation, prepare_text

BODY = "The force has a clear policy on gifts and hospitality which staff understand and follow."
# Different text for each page: real pages never repeat their body.
BODIES = [
    "Staff know how to report wrongdoing and trust that they will be supported.",
    "The counter-corruption unit has enough investigators for its caseload.",
    "Vetting is up to date for officers in posts that carry the most risk.",
    "Business interests are checked against the register every quarter.",
    "Lessons from misconduct hearings are published on the intranet.",
    "The chief officer group reviews integrity matters at each meeting.",
    "Gifts declined are recorded as well as gifts accepted by staff.",
]


def recommendations(text: str, name: str) -> list[tuple[str, object]]:
    """Return a seed's recommendations as (text, due date) pairs."""
    report = parse_report(text, published=PUBLISHED[name])
    return [(r.text, r.due_date) for r in report.recommendations]


def expected(name: str) -> list[tuple[str, object]]:
    """Return what the unpaginated seed gives."""
    return recommendations(seed_text(name), name)


def furnished(name: str, variant: str, break_before: int, lines: list[Line]) -> list[list[Line]]:
    """Return the seed's pages, one starting at break_before, with report or browser furniture."""
    pages = paginate(lines, break_before)
    if variant == "report":
        return furnish(pages, header=REPORT_HEADER, footer=REPORT_FOOTER, cover=False, subject="West Midlands Police")
    title = "Police Integrity and Corruption – West Midlands Police"
    return furnish(pages, header=BROWSER_HEADER, footer=BROWSER_FOOTER, title=title, slug=slug(name))


# --- the five seeds, paginated ------------------------------------------------------------


@pytest.mark.parametrize("name", SEED_NAMES)
def test_wrapped_seed_gives_the_seeds_recommendations(name):
    # The corpus's own line wrapping must not change the result, or the page tests below prove nothing.
    lines = wrap(seed_text(name))
    text = "\n".join(INDENT * line.indented + line.text for line in lines)
    assert recommendations(text, name) == expected(name)


@pytest.mark.parametrize("variant", ["report", "browser"])
@pytest.mark.parametrize("name", SEED_NAMES)
def test_form_feed_page_break_anywhere_in_the_closing_list_keeps_every_recommendation(name, variant):
    lines = wrap(seed_text(name))
    want = expected(name)
    wrong = [
        position
        for position in closing_list(lines)
        if recommendations(as_text(furnished(name, variant, position, lines)), name) != want
    ]
    assert wrong == [], f"page break before lines {wrong} of {name} changes the recommendations"


def _pdf_positions(name: str, variant: str, lines: list[Line]) -> list[int]:
    """Return the break positions tried as PDFs: every line for the first seed's report layout, a sample elsewhere."""
    positions = list(closing_list(lines))
    if name == SEED_NAMES[0] and variant == "report":
        return positions
    # Rendering and reading a 40-page PDF costs a quarter of a second: a handful of positions per list.
    return [*positions[:: max(1, len(positions) // 4)], positions[-1]]


@pytest.mark.parametrize("variant", ["report", "browser"])
@pytest.mark.parametrize("name", SEED_NAMES)
def test_pdf_page_break_in_the_closing_list_keeps_every_recommendation(name, variant):
    lines = wrap(seed_text(name))
    want = expected(name)
    wrong = []
    for position in _pdf_positions(name, variant, lines):
        text = extract_text_from_bytes(render_pdf(furnished(name, variant, position, lines)), "report.pdf")
        if recommendations(text, name) != want:
            wrong.append(position)
    assert wrong == [], f"page break before lines {wrong} of {name} changes the recommendations"


def test_pdf_page_numbers_are_not_read_as_recommendations():
    name = SEED_NAMES[0]
    lines = wrap(seed_text(name))
    position = closing_list(lines)[3]
    text = extract_text_from_bytes(render_pdf(furnished(name, "report", position, lines)), "report.pdf")
    texts = [text for text, _ in recommendations(text, name)]
    assert not [t for t in texts if t.strip().isdigit()]


# --- furniture ------------------------------------------------------------------------------


def pages_with(top: list[str | None]) -> list[str]:
    """Return pages of different body text, each opened by its line in top (None: no line)."""
    return [(f"{line}\n\n" if line else "") + f"{BODIES[n]}\n\n{BODY}" for n, line in enumerate(top)]


def test_line_repeated_at_the_top_of_most_pages_is_removed():
    text = join_pages(pages_with(["Police Integrity and Corruption – Kent Police"] * 5 + [None]))
    assert "Kent Police" not in text


def test_header_with_changing_digits_is_removed():
    text = join_pages(pages_with([f"Chapter {n} – Findings" for n in range(1, 7)]))
    assert "Chapter" not in text


def test_sentence_that_recurs_at_the_top_of_two_pages_is_kept():
    sentence = "The force should ensure it audits its registers."
    text = join_pages(pages_with([sentence, None, None, sentence, None, None]))
    assert text.count(sentence) == 2


def test_lone_page_numbers_are_removed():
    pages = [f"{BODIES[n]}\n\n{n + 3}" for n in range(6)]
    assert join_pages(pages) == "\n\n".join(BODIES[:6])


def test_roman_page_numbers_on_front_matter_are_removed():
    pages = [f"{numeral}\n\n{body}" for numeral, body in zip(["i", "ii", "iii", "iv"], BODIES, strict=False)]
    assert join_pages(pages) == "\n\n".join(BODIES[:4])


def test_page_of_pages_counter_is_removed():
    pages = [f"{BODIES[n]}\n\nPage {n + 1} of 3" for n in range(3)]
    assert "Page" not in join_pages(pages)


def test_browser_print_header_and_footer_are_removed():
    pages = [
        f"01/12/2026, 14:03   Police Integrity and Corruption – West Midlands Police\n\n{BODIES[n]}\n\n"
        f"https://www.justiceinspectorates.gov.uk/hmic/publications/west-midlands/   {n + 1}/17"
        for n in range(4)
    ]
    assert join_pages(pages) == "\n\n".join(BODIES[:4])


def test_number_inside_the_text_is_kept():
    pages = [f"{BODIES[n]}\n\n12\n\n{BODIES[n + 1]}" for n in range(4)]
    assert join_pages(pages).count("\n12\n") == 4


def test_number_at_a_page_end_that_is_no_page_number_is_kept():
    pages = [BODIES[0], f"{BODIES[1]}\n\n1,439 officers\n\n42", BODIES[2], BODIES[3]]
    assert f"42\n\n{BODIES[2]}" in join_pages(pages)


def test_form_feed_text_loses_its_running_header():
    text = "\f".join(f"Kent Police – Integrity\n\n{BODIES[n]}\n\n{n + 1}" for n in range(4))
    assert prepare_text(text) == "\n\n".join(BODIES[:4])


def test_text_without_form_feeds_keeps_a_closing_number():
    text = f"{BODY}\n\n7"
    assert prepare_text(text) == text


# --- joining pages ---------------------------------------------------------------------------


def test_sentence_cut_by_a_page_break_reads_on():
    assert (
        join_pages(["The force should ensure that it", "Has a policy."])
        == "The force should ensure that it\nHas a policy."
    )


def test_finished_paragraph_at_a_page_end_is_followed_by_a_new_paragraph():
    assert join_pages(BODIES[:2]) == f"{BODIES[0]}\n\n{BODIES[1]}"


def test_heading_at_the_foot_of_a_page_stays_a_heading():
    assert join_pages([f"{BODY}\n\nCapability", "The force has specialists."]).endswith(
        "Capability\n\nThe force has specialists."
    )


def test_hanging_indent_after_a_page_break_continues_the_list_item():
    pages = ["- Within six months, the force should ensure it audits.", "   The audits should be recorded."]
    assert join_pages(pages) == f"{pages[0]}\n{pages[1]}"


def test_next_page_starting_lower_case_reads_on():
    assert join_pages(["He said so.", "and then left."]) == "He said so.\nand then left."


def test_hyphenated_word_at_a_page_end_is_joined():
    text = join_hyphenation(prepare_text("The force audits its organ-\n\n7\fisation and registers.\n\n8"))
    assert text.startswith("The force audits its organisation")


# --- PDF leftovers ---------------------------------------------------------------------------


def test_ligatures_read_as_plain_letters():
    assert (
        prepare_text("notiﬁable ﬂow, eﬀective, oﬃce, baﬄe, ﬆaff") == "notifiable flow, effective, office, baffle, staff"
    )


def test_space_before_punctuation_is_removed():
    assert (
        prepare_text("gather , respond ; act : now . Then (see this )") == "gather, respond; act: now. Then (see this)"
    )


def test_ellipsis_and_decimals_keep_their_space():
    assert prepare_text("and so on ... a rate of .5 per cent …") == "and so on ... a rate of .5 per cent …"


def test_soft_hyphens_and_non_breaking_spaces_are_normalised():
    assert prepare_text("inte\u00adgrity\u00a0policy") == "integrity policy"


def test_odd_quotes_are_left_alone():
    assert prepare_text("‘cooling off’ and „so“") == "‘cooling off’ and „so“"


def test_pdf_ligature_reads_as_plain_letters():
    if UNICODE_FONT is None:
        pytest.fail(
            "No TrueType font with ligature glyphs: install Debian's fonts-dejavu-core "
            "(`sudo apt-get install fonts-dejavu-core`).",
            pytrace=False,
        )
    data = render_pdf([[Line("Staff report notiﬁable associations.")]])
    assert "notifiable associations" in prepare_text(extract_text_from_bytes(data, "report.pdf"))


# --- columns ----------------------------------------------------------------------------------

LEFT = ["Left column opens here and", "carries on down the page.", "", "Left column ends here."]
RIGHT = ["Right column starts after", "the left one has been read.", "", "Right column ends here."]


def test_two_column_pdf_page_reads_the_left_column_first():
    text = extract_text_from_bytes(render_two_columns(LEFT, RIGHT), "report.pdf")
    assert text.index("Left column ends here.") < text.index("Right column starts after")


def test_two_column_pdf_page_keeps_each_columns_paragraphs():
    text = extract_text_from_bytes(render_two_columns(LEFT, RIGHT), "report.pdf")
    assert "Right column starts after\nthe left one has been read." in text


def test_contents_page_is_not_read_as_two_columns():
    page = "\n".join(
        f"{title:<60}{number}" for title, number in [("Introduction", 4), ("Findings", 9), ("Summary", 20)]
    )
    assert join_pages([page], layout=True).split("\n")[0] == "Introduction\t4"


# --- PDF errors -------------------------------------------------------------------------------


def test_password_protected_pdf_says_so():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.text(20, 20, "Recommendations")
    with pytest.raises(ReportError, match="^The PDF is password-protected"):
        extract_text_from_bytes(bytes(pdf.output()), "locked.pdf")
