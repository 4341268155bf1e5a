"""The parser on the seed reports, checked against a table written by hand from the texts (no Django).

tests/seed_expectations.csv was written by reading each report in shared/seeds, not from the parser's output
or the fixtures it generates, so a parser change that regenerates the fixtures cannot make these tests pass.
"""

from __future__ import annotations

import csv
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from tests.report_corpus import PUBLISHED  # the README's publication days, by hand
from tests.seeds import SEEDS, read_seed
from tracker.report_parser import ParsedReport, parse_report

TABLE = Path(__file__).with_name("seed_expectations.csv")

# Who is asked to act, in the reports' words, and the code the tracker stores for them.
ADDRESSEE_CODES = {
    "the force": "subject",
    "forces and authorities": "all-forces",
    "chief constables": "all-forces",
    "ACPO": "acpo",
    "HMIC": "hmic",
    "training course providers": "college-of-policing",
}


def expected_rows() -> dict[str, list[dict[str, str]]]:
    """Return the hand-written rows of the table, by seed, in the report's order."""
    rows: dict[str, list[dict[str, str]]] = {}
    with TABLE.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.setdefault(row["seed"], []).append(row)
    return rows


EXPECTED = expected_rows()
NAMES = sorted(EXPECTED)


@cache
def parsed(name: str) -> ParsedReport:
    """Return the parser's reading of a seed report, given its publication day."""
    return parse_report(read_seed(name), published=PUBLISHED[name])


def words(text: str) -> str:
    """Return the text with each run of whitespace as one space."""
    return " ".join(text.split())


def test_table_covers_every_seed_report():
    assert set(EXPECTED) == {path.name for path in SEEDS.glob("*.txt")} == set(PUBLISHED)


@pytest.mark.parametrize("name", NAMES)
def test_same_number_of_recommendations(name):
    assert len(parsed(name).recommendations) == len(EXPECTED[name])


@pytest.mark.parametrize("name", NAMES)
def test_each_recommendation_starts_with_its_first_words_in_the_reports_order(name):
    texts = [words(rec.text) for rec in parsed(name).recommendations]
    first_words = [words(row["first_words"]) for row in EXPECTED[name]]
    assert len(texts) == len(first_words)
    for text, start in zip(texts, first_words, strict=True):
        assert text.startswith(start), f"{text[:80]!r} does not start with {start!r}"


@pytest.mark.parametrize("name", NAMES)
def test_numbers_are_the_printed_ones_or_the_position_in_the_list(name):
    expected = [int(row["number"]) if row["number"] else position for position, row in enumerate(EXPECTED[name], 1)]
    assert [rec.number for rec in parsed(name).recommendations] == expected


@pytest.mark.parametrize("name", NAMES)
def test_timeframe_wording(name):
    assert [rec.timeframe for rec in parsed(name).recommendations] == [row["timeframe"] for row in EXPECTED[name]]


@pytest.mark.parametrize("name", NAMES)
def test_due_date_and_precision(name):
    expected = [
        (date.fromisoformat(row["due"]) if row["due"] else None, row["precision"] or None) for row in EXPECTED[name]
    ]
    assert [(rec.due_date, rec.due_precision) for rec in parsed(name).recommendations] == expected


@pytest.mark.parametrize("name", NAMES)
def test_addressees(name):
    expected = [
        tuple(dict.fromkeys(ADDRESSEE_CODES[who.strip()] for who in row["addressees"].split(";")))
        for row in EXPECTED[name]
    ]
    assert [rec.addressees for rec in parsed(name).recommendations] == expected
