"""How each timeframe wording the report parser knows becomes a due date (tracker/report_parser/_dates.py).

Every expected date below was worked out by hand from the publication date, not with the code under test.
Due dates count from the report's publication, never from today, so no clock is frozen here.
"""

from __future__ import annotations

from datetime import date

import pytest

from tracker.report_parser._dates import (
    _NUMBER_WORDS,
    MONTHS,
    Timeframe,
    due_date_for,
    find_timeframes,
    opens_with_timeframe,
    parse_date_only,
)

# The 2014 integrity reports were published on 27 November 2014.
PUBLISHED = date(2014, 11, 27)
# Their covers print only the month: stored as the month's last day, precision "month".
PRINTED_MONTH = date(2014, 11, 30)


def case(timeframe, expected, precision, published=PUBLISHED, published_precision="day"):
    """Return one row: the wording, the publication date and precision, and the due date expected."""
    return pytest.param(timeframe, published, published_precision, (expected, precision), id=timeframe)


def phrases(text: str) -> list[tuple[str, bool]]:
    """Return the timeframe phrases found in a text, with whether each is understood."""
    return [(tf.phrase, tf.known) for tf in find_timeframes(text)]


# --- "within N days / weeks / months / years" from a day-precise publication ---------------------------


@pytest.mark.parametrize(
    ("timeframe", "published", "precision", "expected"),
    [
        case("within 1 day", date(2014, 11, 28), "day"),
        case("within one day", date(2014, 11, 28), "day"),
        case("within 14 days", date(2014, 12, 11), "day"),
        case("within 30 days", date(2014, 12, 27), "day"),
        case("within 31 days", date(2014, 12, 28), "day"),
        case("within 100 days", date(2015, 3, 7), "day"),
        case("within one week", date(2014, 12, 4), "day"),
        case("within 2 weeks", date(2014, 12, 11), "day"),
        case("Within six weeks", date(2015, 1, 8), "day"),
        case("within 12 weeks", date(2015, 2, 19), "day"),
        case("within a month", date(2014, 12, 27), "day"),
        case("within one month", date(2014, 12, 27), "day"),
        case("within 3 months", date(2015, 2, 27), "day"),
        case("Within six months", date(2015, 5, 27), "day"),
        case("within 12 months", date(2015, 11, 27), "day"),
        case("within a year", date(2015, 11, 27), "day"),
        case("within 1 year", date(2015, 11, 27), "day"),
        case("within two years", date(2016, 11, 27), "day"),
        case("within 3 years", date(2017, 11, 27), "day"),
        case("within the next 18 months", date(2016, 5, 27), "day"),
        case("Within the next six months", date(2015, 5, 27), "day"),
        case("WITHIN SIX MONTHS", date(2015, 5, 27), "day"),
    ],
)
def test_within_counts_from_the_publication_day(timeframe, published, precision, expected):
    assert due_date_for(timeframe, published, precision) == expected


@pytest.mark.parametrize(
    ("timeframe", "published", "precision", "expected"),
    [
        case("within one month", date(2015, 2, 28), "day", published=date(2015, 1, 31)),
        case("within one month", date(2016, 2, 29), "day", published=date(2016, 1, 31)),
        case("within one month", date(2015, 4, 30), "day", published=date(2015, 3, 31)),
        case("within four months", date(2015, 2, 28), "day", published=date(2014, 10, 31)),
        case("within one year", date(2017, 2, 28), "day", published=date(2016, 2, 29)),
        case("within 12 months", date(2015, 12, 31), "day", published=date(2014, 12, 31)),
        case("within eleven months", date(2015, 12, 15), "day", published=date(2015, 1, 15)),
        case("within two months", date(2015, 1, 15), "day", published=date(2014, 11, 15)),
        case("within 3 days", date(2015, 1, 2), "day", published=date(2014, 12, 30)),
    ],
)
def test_within_clamps_to_the_end_of_a_shorter_month_and_crosses_years(timeframe, published, precision, expected):
    assert due_date_for(timeframe, published, precision) == expected


# --- from a publication date known only to the month -------------------------------------------------


@pytest.mark.parametrize(
    ("timeframe", "published", "precision", "expected"),
    [
        case("Within six months", date(2015, 5, 31), "month", published=PRINTED_MONTH, published_precision="month"),
        case("within 3 months", date(2015, 2, 28), "month", published=PRINTED_MONTH, published_precision="month"),
        case("within one year", date(2015, 11, 30), "month", published=PRINTED_MONTH, published_precision="month"),
        case("within 14 days", date(2014, 12, 31), "month", published=PRINTED_MONTH, published_precision="month"),
        case("within one week", date(2014, 12, 31), "month", published=PRINTED_MONTH, published_precision="month"),
        case("within one month", date(2015, 2, 28), "month", published=date(2015, 1, 31), published_precision="month"),
        case("Within six months", date(2016, 2, 29), "month", published=date(2015, 8, 31), published_precision="month"),
        case("With immediate effect", PRINTED_MONTH, "month", published=PRINTED_MONTH, published_precision="month"),
    ],
)
def test_month_precise_publication_gives_the_month_the_deadline_lands_in(timeframe, published, precision, expected):
    assert due_date_for(timeframe, published, precision) == expected


def test_month_precise_publication_counts_from_the_last_day_of_that_month():
    # Only "November 2014" is known: the latest day it allows is 30 November, and 14 days later is in December.
    assert due_date_for("within 14 days", date(2014, 11, 1), "month") == (date(2014, 12, 31), "month")


# --- number words: every word in the parser's table, with the number written here by hand ----------------

# Each word, its number, and that many months after 15 January 2014.
NUMBER_WORDS = [
    ("a", 1, date(2014, 2, 15)),
    ("an", 1, date(2014, 2, 15)),
    ("one", 1, date(2014, 2, 15)),
    ("two", 2, date(2014, 3, 15)),
    ("three", 3, date(2014, 4, 15)),
    ("four", 4, date(2014, 5, 15)),
    ("five", 5, date(2014, 6, 15)),
    ("six", 6, date(2014, 7, 15)),
    ("seven", 7, date(2014, 8, 15)),
    ("eight", 8, date(2014, 9, 15)),
    ("nine", 9, date(2014, 10, 15)),
    ("ten", 10, date(2014, 11, 15)),
    ("eleven", 11, date(2014, 12, 15)),
    ("twelve", 12, date(2015, 1, 15)),
    ("thirteen", 13, date(2015, 2, 15)),
    ("fourteen", 14, date(2015, 3, 15)),
    ("fifteen", 15, date(2015, 4, 15)),
    ("sixteen", 16, date(2015, 5, 15)),
    ("seventeen", 17, date(2015, 6, 15)),
    ("eighteen", 18, date(2015, 7, 15)),
    ("nineteen", 19, date(2015, 8, 15)),
    ("twenty", 20, date(2015, 9, 15)),
    ("twenty-four", 24, date(2016, 1, 15)),
    ("thirty", 30, date(2016, 7, 15)),
    ("thirty-six", 36, date(2017, 1, 15)),
]


def test_every_number_word_the_parser_knows_is_tested_here():
    assert set(_NUMBER_WORDS) == {word for word, _, _ in NUMBER_WORDS}


@pytest.mark.parametrize(("word", "number", "due"), NUMBER_WORDS, ids=[word for word, _, _ in NUMBER_WORDS])
def test_number_word(word, number, due):
    assert due_date_for(f"within {word} months", date(2014, 1, 15), "day") == (due, "day")
    in_days, _ = due_date_for(f"within {word} days", date(2015, 1, 1), "day")
    assert (in_days - date(2015, 1, 1)).days == number


@pytest.mark.parametrize(
    ("timeframe", "published", "precision", "expected"),
    [
        case("Within Eighteen months", date(2016, 5, 27), "day"),
        case("WITHIN TWENTY-FOUR MONTHS", date(2016, 11, 27), "day"),
        case("within Thirty-Six months", date(2017, 11, 27), "day"),
    ],
)
def test_number_words_in_capitals(timeframe, published, precision, expected):
    assert due_date_for(timeframe, published, precision) == expected


# --- month names and abbreviations: every one in the parser's table ---------------------------------------

MONTH_NAMES = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}


def test_every_month_name_the_parser_knows_is_tested_here():
    assert set(MONTHS) == set(MONTH_NAMES)


@pytest.mark.parametrize(("name", "month"), MONTH_NAMES.items(), ids=list(MONTH_NAMES))
def test_month_name_in_a_day_date(name, month):
    assert due_date_for(f"by 1 {name.capitalize()} 2015", None, None) == (date(2015, month, 1), "day")


@pytest.mark.parametrize(
    ("timeframe", "published", "precision", "expected"),
    [
        case("by 1 Jan. 2015", date(2015, 1, 1), "day"),
        case("by 30 Sept 2015", date(2015, 9, 30), "day"),
        case("by 30 Sept. 2015", date(2015, 9, 30), "day"),
        case("by Sept 2015", date(2015, 9, 30), "month"),
        case("by Jan. 2016", date(2016, 1, 31), "month"),
        case("by Feb 2016", date(2016, 2, 29), "month"),
        case("by NOVEMBER 2015", date(2015, 11, 30), "month"),
    ],
)
def test_abbreviated_and_capitalised_month_names(timeframe, published, precision, expected):
    assert due_date_for(timeframe, published, precision) == expected


# --- fixed dates: a full date keeps day precision, a month keeps month precision ------------------------


@pytest.mark.parametrize(
    ("timeframe", "published", "precision", "expected"),
    [
        case("by 31 March 2015", date(2015, 3, 31), "day"),
        case("By 1st April 2016", date(2016, 4, 1), "day"),
        case("by the 1st of April 2016", date(2016, 4, 1), "day"),
        case("by 2nd June 2015", date(2015, 6, 2), "day"),
        case("by 23rd June 2015", date(2015, 6, 23), "day"),
        case("no later than 31 March, 2015", date(2015, 3, 31), "day"),
        case("not later than 30 June 2015", date(2015, 6, 30), "day"),
        case("by October 2012", date(2012, 10, 31), "month"),
        case("no later than October 2012", date(2012, 10, 31), "month"),
        case("not later than April 2015", date(2015, 4, 30), "month"),
        case("by the end of March 2016", date(2016, 3, 31), "month"),
        case("by end of February 2016", date(2016, 2, 29), "month"),
        case("during October 2012", date(2012, 10, 31), "month"),
        case("During Sept. 2015", date(2015, 9, 30), "month"),
        case("in January 2012", date(2012, 1, 31), "month"),
        case("the Strategic Command Course in January 2012", date(2012, 1, 31), "month"),
        case("by the end of 2015", date(2015, 12, 31), "day"),
        case("no later than the end of 2016", date(2016, 12, 31), "day"),
    ],
)
def test_fixed_date(timeframe, published, precision, expected):
    assert due_date_for(timeframe, published, precision) == expected


def test_fixed_date_ignores_the_publication_date():
    assert due_date_for("by October 2012", date(2011, 12, 13), "day") == (date(2012, 10, 31), "month")
    assert due_date_for("by 31 March 2015", PRINTED_MONTH, "month") == (date(2015, 3, 31), "day")


def test_a_day_that_does_not_exist_gives_no_date():
    assert due_date_for("by 31 February 2015", PUBLISHED, "day") == (None, None)


# --- financial years: 31 March of the second year ------------------------------------------------------


@pytest.mark.parametrize(
    ("timeframe", "published", "precision", "expected"),
    [
        case("by the end of the 2015/16 financial year", date(2016, 3, 31), "day"),
        case("by the end of the 2015-16 financial year", date(2016, 3, 31), "day"),
        case("by the end of the 2015–16 financial year", date(2016, 3, 31), "day"),
        case("by the end of the 2015/2016 financial year", date(2016, 3, 31), "day"),
        case("by end of financial year 2015-16", date(2016, 3, 31), "day"),
        case("by the end of financial year 2014/15", date(2015, 3, 31), "day"),
        case("no later than the end of the 2015/16 financial year", date(2016, 3, 31), "day"),
        case("by the end of the 1999/00 financial year", date(2000, 3, 31), "day"),
        case("by the end of the 2015/17 financial year", None, None),
        case("by the end of the 2015/2017 financial year", None, None),
    ],
)
def test_financial_year(timeframe, published, precision, expected):
    assert due_date_for(timeframe, published, precision) == expected


def test_financial_year_is_not_read_as_a_calendar_year():
    assert phrases("By the end of the 2015/16 financial year, the force should audit.") == [
        ("By the end of the 2015/16 financial year", True)
    ]


def test_year_with_a_financial_year_suffix_is_not_read_as_the_calendar_year_end():
    # "2015/16" is a financial year; 31 December 2015 would be a misreading.
    assert phrases("By the end of 2015/16, the force should audit.") == [("By the end of 2015/16", False)]


# --- immediate effect ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("With immediate effect, the force should publish the outcomes of hearings.", "With immediate effect"),
        ("Immediately, the force should publish the outcomes of hearings.", "Immediately"),
        ("The force should immediately publish the outcomes of hearings.", "immediately"),
        ("The force must immediately publish the outcomes of hearings.", "immediately"),
        ("The force needs to immediately publish the outcomes of hearings.", "immediately"),
    ],
    ids=["with immediate effect", "leading Immediately", "should immediately", "must immediately", "needs to"],
)
def test_immediate_wording_is_due_on_publication(text, phrase):
    assert phrases(text) == [(phrase, True)]
    assert due_date_for(phrase, PUBLISHED, "day") == (PUBLISHED, "day")


def test_immediately_in_the_middle_of_a_clause_is_not_a_timeframe():
    assert find_timeframes("The force should review cases referred immediately to the IPCC.") == []


# --- deadlines counted from another event -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        (
            "Within three months after the publication of the guidance, the force should adopt it.",
            "Within three months after the publication of the guidance",
        ),
        (
            "Within six months of the introduction of the new code, the force should train its staff.",
            "Within six months of the introduction of the new code",
        ),
        (
            "Within 12 months from the start of the contract, the force should audit it.",
            "Within 12 months from the start of the contract",
        ),
        (
            "Within six weeks following the launch of the policy, the force should brief its staff.",
            "Within six weeks following the launch of the policy",
        ),
        (
            "Within three months of the national guidance being issued by March 2015, the force should adopt it.",
            "Within three months of the national guidance being issued by March 2015",
        ),
    ],
    ids=["after", "of", "from", "following", "with a date inside"],
)
def test_deadline_counted_from_another_event_is_not_understood(text, phrase):
    assert phrases(text) == [(phrase, False)]
    assert due_date_for(phrase, PUBLISHED, "day") == (None, None)


@pytest.mark.parametrize(
    "text",
    [
        "Within six months of this report, the force should comply.",
        "Within six months of the publication of this report, the force should comply.",
        "Within six months from publication of this report, the force should comply.",
        "Within six months after the publication of this report, the force should comply.",
        "Within six months following this report, the force should comply.",
        "Within six months of the date of this report, the force should comply.",
    ],
    ids=["of this report", "of the publication", "from publication", "after", "following", "of the date"],
)
def test_deadline_counted_from_this_report_is_counted_from_publication(text):
    assert phrases(text) == [("Within six months", True)]
    assert due_date_for("Within six months", PUBLISHED, "day") == (date(2015, 5, 27), "day")


@pytest.mark.parametrize(
    ("text", "phrase", "expected"),
    [
        (
            "By 31 March 2015 following the publication of the guidance, the force should adopt it.",
            "By 31 March 2015",
            (date(2015, 3, 31), "day"),
        ),
        (
            "By October 2015 after the introduction of the new code, the force should train its staff.",
            "By October 2015",
            (date(2015, 10, 31), "month"),
        ),
        (
            "With immediate effect following the publication of the guidance, the force should adopt it.",
            "With immediate effect",
            (PUBLISHED, "day"),
        ),
    ],
    ids=["day date", "month date", "immediate"],
)
def test_fixed_date_in_the_same_sentence_shape_is_still_taken(text, phrase, expected):
    assert phrases(text) == [(phrase, True)]
    assert due_date_for(phrase, PUBLISHED, "day") == expected


# --- which phrases are found, and in what order -----------------------------------------------------------


def test_several_timeframes_are_listed_in_the_order_written():
    text = "By 31 March 2015, the force should audit vetting and, within six months, publish the results."
    assert phrases(text) == [("By 31 March 2015", True), ("within six months", True)]


def test_in_month_is_read_only_when_no_other_deadline_is_written():
    text = "By October 2012, leaders attending the Strategic Command Course in January 2012 should be briefed."
    assert phrases(text) == [("By October 2012", True)]


def test_in_month_keeps_a_capitalised_event_name():
    text = "Training should be included in the Strategic Command Course in January 2012."
    assert phrases(text) == [("the Strategic Command Course in January 2012", True)]


def test_in_month_without_an_event_name_is_just_the_month():
    assert phrases("Training should start at the next course in January 2012.") == [("in January 2012", True)]


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("As soon as possible, the force should vet its staff.", "As soon as possible"),
        ("Before the next inspection, the force should vet its staff.", "Before the next inspection"),
        ("Over the next year, the force should vet its staff.", "Over the next year"),
        ("In the next financial year, the force should vet its staff.", "In the next financial year"),
        ("During October, the force should vet its staff.", "During October"),
        ("From April, the force should vet its staff.", "From April"),
        ("Until the policy is published, the force should vet its staff.", "Until the policy is published"),
        ("At the earliest opportunity, the force should vet its staff.", "At the earliest opportunity"),
        ("Urgently, the force should vet its staff.", "Urgently"),
        ("As a matter of priority, the force should vet its staff.", "As a matter of priority"),
        ("By the end of the financial year, the force should vet its staff.", "By the end of the financial year"),
        ("Within a reasonable time, the force should vet its staff.", "Within a reasonable time"),
        ("No later than the next inspection, the force should vet its staff.", "No later than the next inspection"),
    ],
)
def test_unknown_opening_deadline_is_kept_but_not_understood(text, phrase):
    assert phrases(text) == [(phrase, False)]
    assert due_date_for(phrase, PUBLISHED, "day") == (None, None)


def test_unknown_opening_is_ignored_when_a_known_deadline_is_written():
    text = "As soon as possible, and by 31 March 2015 at the latest, the force should vet its staff."
    assert phrases(text) == [("by 31 March 2015", True)]


def test_text_without_a_deadline_has_no_timeframe():
    assert find_timeframes("The force should vet its staff, and audit the results.") == []


# --- does a text open with a deadline (used to tell a recommendation from its surroundings) ----------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Within six months, the force should vet its staff.", True),
        ("Within six months the force should vet its staff.", True),
        ("With immediate effect, the force should vet its staff.", True),
        ("Immediately, the force should vet its staff.", True),
        ("By 31 March 2015 the force should vet its staff.", True),
        ("As soon as possible, the force should vet its staff.", True),
        ("As soon as possible, and by 31 March 2015 at the latest, the force should vet its staff.", True),
        ("The force should, within six months, vet its staff.", False),
        ("The force should immediately vet its staff.", False),
        ("The force should vet its staff.", False),
    ],
)
def test_opens_with_timeframe(text, expected):
    assert opens_with_timeframe(text) is expected


# --- a date standing alone (the cover's publication date) ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27 November 2014", (date(2014, 11, 27), "day")),
        ("27th November, 2014", (date(2014, 11, 27), "day")),
        ("  1 Sept. 2014 ", (date(2014, 9, 1), "day")),
        ("November 2014", (date(2014, 11, 30), "month")),
        ("Sept. 2014", (date(2014, 9, 30), "month")),
        ("February 2016", (date(2016, 2, 29), "month")),
        ("Jan 2015", (date(2015, 1, 31), "month")),
        ("31 February 2014", None),
        ("Published November 2014", None),
        ("November", None),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_parse_date_only(text, expected):
    assert parse_date_only(text) == expected


# --- no wording, no date ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timeframe", "published", "precision"),
    [
        ("", PUBLISHED, "day"),
        ("   ", PUBLISHED, "day"),
        ("within six months", None, None),
        ("within six months", date(2014, 12, 31), "year"),
        ("With immediate effect", None, None),
        ("within six fortnights", PUBLISHED, "day"),
    ],
    ids=["empty", "blank", "no publication date", "year-precise publication", "immediate, undated", "fortnights"],
)
def test_no_due_date(timeframe, published, precision):
    assert due_date_for(timeframe, published, precision) == (None, None)


def test_a_month_named_mid_sentence_is_found_where_it_is_written():
    text = "Forces should, during March 2016, report their progress."
    assert find_timeframes(text) == [Timeframe("during March 2016", 15, True)]


def test_a_month_with_the_body_that_acts_starts_at_the_body():
    text = "By then the Home Office Working Group in March 2016 should agree a code."
    assert find_timeframes(text) == [Timeframe("the Home Office Working Group in March 2016", 8, True)]


def test_an_opening_deadline_we_cannot_date_is_kept_from_the_first_word():
    text = "As soon as practicable, the force should publish its policy."
    assert find_timeframes(text) == [Timeframe("As soon as practicable", 0, False)]


@pytest.mark.parametrize(("name_length", "opens"), [(102, True), (103, False)], ids=["ends-at-120", "ends-at-121"])
def test_an_opening_deadline_is_read_from_the_first_120_characters(name_length, opens):
    # "The <body> in March 2016" ends at character 18 + the body's length.
    text = f"The {'A' * name_length} in March 2016 should agree a code of practice with every force."
    assert opens_with_timeframe(text) is opens
