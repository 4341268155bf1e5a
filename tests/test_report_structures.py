"""The report parser on the shapes HMIC and HMICFRS give their recommendations (no Django).

Each text is a small report in one shape seen in real publications: causes of concern with their
recommendations, areas for improvement, labelled paragraphs, lead-ins with sub-items, tables, a
one-recommendation letter, quoted recommendations of earlier reports, and the checks that refuse a
document whose list cannot be trusted.
"""

from __future__ import annotations

from datetime import date

import pytest

from tracker.report_parser import AREA_FOR_IMPROVEMENT, RECOMMENDATION, parse_report

PUBLISHED = date(2018, 3, 22)

FORCE_COVER = """\
PEEL: Police effectiveness 2017

An inspection of Northshire Constabulary

March 2018

"""

NATIONAL_COVER = """\
Stalking and harassment

An inspection of how forces respond

March 2018

"""


def recs(report, kind=RECOMMENDATION):
    return [r for r in report.recommendations if r.kind == kind]


def texts(report, kind=RECOMMENDATION):
    return [r.text for r in recs(report, kind)]


# --- causes of concern, areas for improvement ---------------------------------------------------

PEEL_2017 = (
    FORCE_COVER
    + """\
How effective is the force at protecting vulnerable people?

Victims of domestic abuse

Officers do not always complete a risk assessment when they attend a domestic abuse incident.

Cause of concern

Northshire Constabulary does not consistently safeguard victims of domestic abuse.

Recommendations

To address this cause of concern, we recommend that the force should immediately:

• ensure that officers complete risk assessments at every domestic abuse incident;

• review how it supervises high-risk cases; and

• make sure that victims are kept informed.

Areas for improvement

• The force should improve how it records the reasons for not arresting suspects.

• The force should ensure that its neighbourhood teams have enough time for problem-solving.

How effective is the force at tackling serious and organised crime?

The force understands the threat well.
"""
)


def test_lead_in_with_sub_items_is_one_recommendation_that_keeps_them():
    report = parse_report(PEEL_2017, published=PUBLISHED)
    assert texts(report) == [
        "To address this cause of concern, we recommend that the force should immediately:\n"
        "• ensure that officers complete risk assessments at every domestic abuse incident;\n"
        "• review how it supervises high-risk cases; and\n"
        "• make sure that victims are kept informed."
    ]


def test_should_immediately_mid_sentence_is_due_on_publication():
    (rec,) = recs(parse_report(PEEL_2017, published=PUBLISHED))
    assert (rec.timeframe, rec.due_date, rec.due_precision) == ("immediately", PUBLISHED, "day")


def test_areas_for_improvement_are_their_own_kind_numbered_from_one():
    report = parse_report(PEEL_2017, published=PUBLISHED)
    afis = recs(report, AREA_FOR_IMPROVEMENT)
    assert [(a.number, a.text) for a in afis] == [
        (1, "The force should improve how it records the reasons for not arresting suspects."),
        (2, "The force should ensure that its neighbourhood teams have enough time for problem-solving."),
    ]


def test_area_for_improvement_without_timeframe_has_no_due_date_and_no_warning():
    report = parse_report(PEEL_2017, published=PUBLISHED)
    first = recs(report, AREA_FOR_IMPROVEMENT)[0]
    assert (first.timeframe, first.due_date) == ("", None)
    assert not any("Area for improvement 1" in w for w in report.warnings)
    assert report.problems == ()


PEEL_2021 = (
    FORCE_COVER
    + """\
Contents

Summary\t2
Causes of concern\t4
Areas for improvement ........ 9

Summary

We make two recommendations and identify two areas for improvement.

Protecting vulnerable people

Cause of concern

The force is not identifying repeat victims.

Recommendations

Within three months, the force should:

• make sure that call handlers check for repeat victimisation; and

• review its call-handling training.

Responding to the public

Cause of concern

Emergency calls are not answered quickly enough.

Recommendation

By 31 March 2022, the force should answer 90 percent of emergency calls within ten seconds.

Area for improvement 1

The force should improve how it records equality data.

Area for improvement 2

The force should make sure that its officers understand stop and search powers.
"""
)


def test_each_cause_of_concern_keeps_its_own_recommendations_in_document_order():
    report = parse_report(PEEL_2021, published=date(2021, 10, 1))
    assert [r.text.splitlines()[0] for r in recs(report)] == [
        "Within three months, the force should:",
        "By 31 March 2022, the force should answer 90 percent of emergency calls within ten seconds.",
    ]
    assert [(r.due_date, r.due_precision) for r in recs(report)] == [
        (date(2022, 1, 1), "day"),
        (date(2022, 3, 31), "day"),
    ]
    assert report.problems == ()


def test_numbered_area_for_improvement_headings():
    report = parse_report(PEEL_2021, published=date(2021, 10, 1))
    assert texts(report, AREA_FOR_IMPROVEMENT) == [
        "The force should improve how it records equality data.",
        "The force should make sure that its officers understand stop and search powers.",
    ]


def test_evidence_of_a_cause_of_concern_recommendation_is_the_concern():
    report = parse_report(PEEL_2021, published=date(2021, 10, 1))
    assert recs(report)[1].evidence == "Emergency calls are not answered quickly enough."


# --- labelled paragraphs, lists, tables ------------------------------------------------------


def test_labelled_paragraphs_without_any_heading_are_recommendations():
    text = NATIONAL_COVER + (
        "Our findings show that forces do not recognise stalking.\n\n"
        "Recommendation 1: By 31 March 2019, chief constables should ensure that stalking is recorded correctly.\n\n"
        "Recommendation 2: Within six months, the College of Policing should publish guidance on stalking.\n\n"
        "Recommendation 3 – The Home Office should review the legal definition of stalking.\n"
    )
    report = parse_report(text, published=PUBLISHED)
    assert [(r.number, r.addressees, r.due_date) for r in recs(report)] == [
        (1, ("all-forces",), date(2019, 3, 31)),
        (2, ("college-of-policing",), date(2018, 9, 22)),
        (3, ("home-office",), None),
    ]
    assert texts(report)[0] == "By 31 March 2019, chief constables should ensure that stalking is recorded correctly."


def test_numbered_list_with_lettered_sub_items():
    text = FORCE_COVER + (
        "Recommendations\n\n"
        "1. Within six months, the force should:\n"
        "(a) review its vetting of officers in sensitive posts; and\n"
        "(b) publish its vetting policy.\n"
        "2. Within three months, the force should train all supervisors in the code of ethics.\n"
    )
    report = parse_report(text, published=PUBLISHED)
    assert texts(report) == [
        "Within six months, the force should:\n(a) review its vetting of officers in sensitive posts; and\n"
        "(b) publish its vetting policy.",
        "Within three months, the force should train all supervisors in the code of ethics.",
    ]
    assert report.problems == ()


def test_a_recommendation_paragraph_after_a_bullet_is_not_joined_to_it():
    text = NATIONAL_COVER + (
        "Recommendations\n\n"
        "- Within six months, all forces should publish their gifts registers.\n\n"
        "With immediate effect, all forces should stop accepting gifts from suppliers.\n\n"
        "- Within six months, the College of Policing should update its guidance.\n"
    )
    report = parse_report(text, published=PUBLISHED)
    assert [(r.timeframe, r.addressees) for r in recs(report)] == [
        ("Within six months", ("all-forces",)),
        ("With immediate effect", ("all-forces",)),
        ("Within six months", ("college-of-policing",)),
    ]


def test_markdown_table_gives_one_recommendation_a_row_with_its_timescale_column():
    text = FORCE_COVER + (
        "Recommendations\n\n"
        "| No. | Recommendation | Timescale |\n"
        "|---|---|---|\n"
        "| 1 | The force should review its vetting backlog. | Within three months |\n"
        "| 2 | The force should publish its gifts and hospitality register. | Not later than 31 March 2019 |\n"
    )
    report = parse_report(text, published=PUBLISHED)
    assert [(r.number, r.text, r.timeframe, r.due_date) for r in recs(report)] == [
        (1, "The force should review its vetting backlog.", "Within three months", date(2018, 6, 22)),
        (
            2,
            "The force should publish its gifts and hospitality register.",
            "Not later than 31 March 2019",
            date(2019, 3, 31),
        ),
    ]


def test_one_recommendation_letter_without_headings():
    text = (
        "Vetting of police officers\n\nJune 2014\n\n"
        "Dear Chief Constable,\n\n"
        "Our inspection found that vetting is not always renewed.\n\n"
        "HMIC recommends that, not later than 31 March 2015, all forces should renew the vetting of officers "
        "in sensitive posts.\n\n"
        "Yours sincerely,\n"
    )
    report = parse_report(text)
    (rec,) = recs(report)
    assert rec.text.startswith("HMIC recommends that, not later than 31 March 2015, all forces should")
    assert (rec.due_date, rec.addressees) == (date(2015, 3, 31), ("all-forces",))


def test_hmic_recommends_names_the_recommender_not_the_addressee():
    text = (
        NATIONAL_COVER + "Recommendations\n\n- HMIC recommends that the Home Office should fund a stalking helpline.\n"
    )
    assert recs(parse_report(text, published=PUBLISHED))[0].addressees == ("home-office",)


def test_the_force_in_a_report_without_a_force_is_left_to_the_import():
    text = NATIONAL_COVER + "Recommendations\n\n- Within six months, the force should appoint a stalking lead.\n"
    assert recs(parse_report(text, published=PUBLISHED))[0].addressees == ("subject",)


@pytest.mark.parametrize(
    ("sentence", "addressees"),
    [
        ("Police and crime commissioners should hold chief constables to account for stalking.", ("all-pccs",)),
        ("The NPCC should publish a national stalking plan.", ("npcc",)),
        ("ACPO should lead this work in partnership with the College of Policing.", ("acpo",)),
        ("Each force should appoint a stalking lead.", ("all-forces",)),
        ("HMICFRS recommends that chief constables should review their training.", ("all-forces",)),
        ("A review should be carried out by HMIC by October 2019.", ("hmic",)),
    ],
)
def test_national_addressees(sentence, addressees):
    text = NATIONAL_COVER + f"Recommendations\n\n- {sentence}\n"
    assert recs(parse_report(text, published=PUBLISHED))[0].addressees == addressees


# --- not this report's recommendations ------------------------------------------------------


def test_quoted_recommendation_of_an_earlier_report_is_not_imported():
    text = FORCE_COVER + (
        "How well does the force protect victims?\n\n"
        "In our 2017 report we recommended that all forces should review their stalking training by July 2018. "
        "Progress has been slow.\n\n"
        "Recommendation\n\n"
        "Within six months, the force should train all call handlers in stalking.\n\n"
        "Recommendations\n\n"
        "- Within six months, the force should train all call handlers in stalking.\n"
    )
    report = parse_report(text, published=PUBLISHED)
    assert texts(report) == ["Within six months, the force should train all call handlers in stalking."]
    assert report.problems == ()


def test_progress_section_on_earlier_recommendations_is_not_imported():
    text = FORCE_COVER + (
        "Progress against our 2016 recommendations\n\n"
        "Recommendation 1\n\nWithin six months, the force should review its crime recording.\n\n"
        "The force has achieved this.\n\n"
        "How well does the force record crime?\n\n"
        "Recommendations\n\n"
        "- Within three months, the force should audit its crime records.\n"
    )
    report = parse_report(text, published=PUBLISHED)
    assert texts(report) == ["Within three months, the force should audit its crime records."]
    assert report.problems == ()


def test_contents_lines_are_not_headings():
    text = FORCE_COVER + (
        "Contents\n\nRecommendations ........ 12\nAreas for improvement\t14\n\n"
        "Recommendations\n\n- Within three months, the force should audit its crime records.\n"
    )
    report = parse_report(text, published=PUBLISHED)
    assert texts(report) == ["Within three months, the force should audit its crime records."]


# --- checks that refuse a list that cannot be trusted ---------------------------------------


def test_numbering_gap_is_a_blocking_problem():
    text = FORCE_COVER + (
        "Recommendations\n\n"
        "1. Within six months, the force should review its vetting.\n\n"
        "2. Within six months, the force should publish its policy.\n\n"
        "4. Within six months, the force should train its supervisors.\n"
    )
    report = parse_report(text, published=PUBLISHED)
    assert report.problems == ("The recommendations are numbered 1, 2, 4: Recommendation 3 is missing.",)


def test_stated_count_that_differs_from_what_was_found_is_a_blocking_problem():
    text = FORCE_COVER + (
        "Summary\n\nWe make three recommendations to the force.\n\n"
        "Recommendations\n\n"
        "- Within six months, the force should review its vetting.\n"
        "- Within six months, the force should publish its policy.\n"
    )
    report = parse_report(text, published=PUBLISHED)
    assert report.problems == ("The report says it makes 3 recommendations, but 2 were found.",)


def test_stated_count_that_matches_is_no_problem():
    text = FORCE_COVER + (
        "Summary\n\nWe make two recommendations to the force.\n\n"
        "Recommendations\n\n"
        "- Within six months, the force should review its vetting.\n"
        "- Within six months, the force should publish its policy.\n"
    )
    assert parse_report(text, published=PUBLISHED).problems == ()


def test_list_cut_mid_sentence_is_a_blocking_problem():
    text = FORCE_COVER + (
        "Recommendations\n\n"
        "- Within six months, the force should review its vetting.\n"
        "- Within six months, the force should publish the policy on the\n"
    )
    report = parse_report(text, published=PUBLISHED)
    assert report.problems == (
        "Recommendation 2 stops mid-sentence ('…should publish the policy on the'): the list may be cut by a "
        "page break; complete it before loading.",
    )


@pytest.mark.parametrize(
    ("phrase", "due"),
    [
        ("Not later than 31 March 2019", date(2019, 3, 31)),
        ("By the end of the 2018/19 financial year", date(2019, 3, 31)),
        ("By the end of financial year 2018-19", date(2019, 3, 31)),
        ("By the end of June 2018", date(2018, 6, 30)),
        ("By the end of 2018", date(2018, 12, 31)),
        ("Within 28 days", date(2018, 4, 19)),
        ("Within 12 weeks", date(2018, 6, 14)),
    ],
)
def test_timeframes_as_hmic_writes_them(phrase, due):
    text = FORCE_COVER + f"Recommendations\n\n- {phrase}, the force should review its vetting.\n"
    assert recs(parse_report(text, published=PUBLISHED))[0].due_date == due


def test_unknown_timeframe_is_never_guessed():
    text = FORCE_COVER + "Recommendations\n\n- As soon as practicable, the force should review its vetting.\n"
    report = parse_report(text, published=PUBLISHED)
    assert recs(report)[0].due_date is None
    assert any("not understood" in w for w in report.warnings)


# --- line-end hyphens ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("broken", "whole"),
    [
        ("integrity-\nrelated", "integrity-related"),
        ("co-\nordination", "co-ordination"),
        ("organ-\nisation", "organisation"),
        ("communi-\ncated", "communicated"),
    ],
)
def test_line_end_hyphen_is_joined_only_where_the_joined_word_is_a_word(broken, whole):
    text = FORCE_COVER + (
        "How well does the force act with integrity?\n\nThe force related its findings to the board.\n\n"
        f"Recommendations\n\n- Within six months, the force should review its {broken} registers.\n"
    )
    assert recs(parse_report(text, published=PUBLISHED))[0].text == (
        f"Within six months, the force should review its {whole} registers."
    )


def test_tab_separated_table_gives_one_recommendation_a_row():
    text = FORCE_COVER + (
        "Recommendations\n\n"
        "No.\tRecommendation\tTimescale\n"
        "1\tThe force should review its vetting backlog.\tWithin three months\n"
        "2\tThe force should publish its gifts and hospitality register.\tWithin six months\n"
    )
    report = parse_report(text, published=PUBLISHED)
    assert [(r.number, r.text, r.due_date) for r in recs(report)] == [
        (1, "The force should review its vetting backlog.", date(2018, 6, 22)),
        (2, "The force should publish its gifts and hospitality register.", date(2018, 9, 22)),
    ]


def test_timeframe_subheadings_give_the_items_under_them_their_deadline():
    text = FORCE_COVER + (
        "Recommendations\n\n"
        "Immediately\n\n"
        "1. The force should stop recording crimes as no-crimes without a supervisor's review.\n\n"
        "Within three months\n\n"
        "2. The force should train its call handlers in the crime recording rules.\n\n"
        "3. The force should audit its crime records every month.\n"
    )
    report = parse_report(text, published=PUBLISHED)
    assert [(r.number, r.timeframe, r.due_date) for r in recs(report)] == [
        (1, "Immediately", PUBLISHED),
        (2, "Within three months", date(2018, 6, 22)),
        (3, "Within three months", date(2018, 6, 22)),
    ]
    assert report.problems == ()


def test_stated_count_split_between_addressees_is_added_up():
    text = NATIONAL_COVER + (
        "Summary\n\nThis report makes two recommendations to forces and one to the Home Office.\n\n"
        "Recommendations\n\n"
        "- Within six months, all forces should record stalking correctly.\n"
        "- Within six months, all forces should appoint a stalking lead.\n"
        "- Within a year, the Home Office should review the law on stalking.\n"
    )
    assert parse_report(text, published=PUBLISHED).problems == ()


def test_what_is_left_out_as_an_earlier_reports_is_named_in_the_warnings():
    text = FORCE_COVER + (
        "Progress against our 2016 recommendations\n\n"
        "Recommendation 1\n\nWithin six months, the force should review its crime recording.\n\n"
        "How well does the force record crime?\n\n"
        "Recommendations\n\n"
        "- In our 2016 report we recommended that the force should audit its records.\n"
        "- Within three months, the force should audit its crime records.\n"
    )
    report = parse_report(text, published=PUBLISHED)
    assert texts(report) == ["Within three months, the force should audit its crime records."]
    assert [w for w in report.warnings if w.startswith("Not imported")] == [
        "Not imported: the section 'Progress against our 2016 recommendations' reports on earlier "
        "recommendations; nothing in it was read as this report's.",
        "Not imported: 'In our 2016 report we recommended that the force should…' quotes a "
        "recommendation of an earlier report.",
    ]


def test_a_recommendation_that_mentions_other_recommendations_is_still_imported():
    text = FORCE_COVER + (
        "Recommendations\n\n"
        "- Within six months, the force should implement the recommendations made in the College of Policing's "
        "vetting guidance.\n"
    )
    assert len(recs(parse_report(text, published=PUBLISHED))) == 1


CAUSES_OF_CONCERN = """\
Cause of concern

The force is not identifying repeat victims.

Recommendations

Within three months, the force should make sure that call handlers check for repeat victims.

Cause of concern

Emergency calls are not answered quickly enough.

Recommendations

Within six months, the force should answer emergency calls within ten seconds.

"""
# The summary at the front states each cause of concern and its recommendations; the section repeats them.
PEEL_SUMMARY_THEN_SECTIONS = (
    FORCE_COVER + "Overall summary\n\n" + CAUSES_OF_CONCERN + "Responding to the public\n\n" + CAUSES_OF_CONCERN
)


def test_causes_of_concern_summarised_and_then_repeated_are_each_imported_once():
    report = parse_report(PEEL_SUMMARY_THEN_SECTIONS, published=PUBLISHED)
    assert texts(report) == [
        "Within three months, the force should make sure that call handlers check for repeat victims.",
        "Within six months, the force should answer emergency calls within ten seconds.",
    ]
    assert report.problems == ()


# --- the same checks on a corrected list ------------------------------------------------------


def test_a_corrected_list_passes_the_checks_its_document_failed():
    from dataclasses import replace

    from tracker.report_parser import problems_for

    text = FORCE_COVER + (
        "Summary\n\nWe make three recommendations to the force.\n\n"
        "Recommendations\n\n"
        "1. Within six months, the force should review its vetting.\n\n"
        "3. Within six months, the force should publish the policy on the\n"
    )
    report = parse_report(text, published=PUBLISHED)
    assert len(report.problems) == 3
    first, last = report.recommendations
    corrected = [
        first,
        replace(first, text="Within six months, the force should train its supervisors."),
        replace(last, text="Within six months, the force should publish the policy on gifts."),
    ]
    assert problems_for(report.checks, corrected) == []
    assert problems_for(report.checks, [first, last]) == list(report.problems)


def test_numbered_sub_items_of_a_lead_in_keep_their_numbers():
    text = FORCE_COVER + (
        "Recommendations\n\n"
        "Within three months, the force should:\n\n"
        "1. review its vetting of officers in sensitive posts; and\n\n"
        "2. publish its vetting policy.\n"
    )
    assert texts(parse_report(text, published=PUBLISHED)) == [
        "Within three months, the force should:\n1. review its vetting of officers in sensitive posts; and\n"
        "2. publish its vetting policy."
    ]
