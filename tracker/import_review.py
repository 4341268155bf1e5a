"""
The admin's corrections to a parsed report before it is loaded: edit an item's text, kind, timeframe, due
date and addressees; split, merge, drop or add items. The corrected list is numbered again per kind and
checked again by the same checks the parser ran on the document (a numbering gap, a stated count, an item
cut mid-sentence, a body recommendation missing from the list), so a problem goes away only when the list
is right. Pure data in, data out: the web import's views turn forms into these and back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tracker.loading import ImportProblem
from tracker.report_parser import (
    RECOMMENDATION,
    Check,
    KeyFigure,
    ParsedRecommendation,
    ParsedReport,
    due_date_for,
    find_timeframes,
    problems_for,
)


@dataclass
class ReviewItem:
    """Hold one recommendation or area for improvement as the admin sees and corrects it."""

    kind: str = RECOMMENDATION
    text: str = ""
    timeframe: str = ""
    due_date: date | None = None
    due_precision: str = ""
    addressees: tuple[str, ...] = ()
    inspection_question: str = ""
    evidence: str = ""


def items_from(parsed: ParsedReport) -> list[ReviewItem]:
    """Return the parsed report's items, in the order the preview lists them."""
    return [
        ReviewItem(
            kind=rec.kind,
            text=rec.text,
            timeframe=rec.timeframe,
            due_date=rec.due_date,
            due_precision=rec.due_precision or "",
            addressees=tuple(rec.addressees),
            inspection_question=rec.inspection_question,
            evidence=rec.evidence,
        )
        for rec in parsed.recommendations
    ]


def split(items: list[ReviewItem], index: int, parsed: ParsedReport) -> list[ReviewItem]:
    """Split item `index` in two where its text has a blank line; the second part reads its own timeframe."""
    item = items[index]
    text = item.text.replace("\r\n", "\n")
    if "\n\n" not in text.strip():
        raise ImportProblem("To split an item, put a blank line in its text where the split goes, then split.")
    first, second = (part.strip() for part in text.strip().split("\n\n", 1))
    found = find_timeframes(second)
    if found and found[0].known:
        due, precision = due_date_for(found[0].phrase, parsed.published, parsed.published_precision)
        tail = dataclasses.replace(item, text=second, timeframe=found[0].phrase, due_date=due, due_precision=precision)
    else:
        tail = dataclasses.replace(item, text=second)
    return [*items[:index], dataclasses.replace(item, text=first), tail, *items[index + 1 :]]


def merge(items: list[ReviewItem], index: int) -> list[ReviewItem]:
    """Merge item `index` with the one after it: one text, the first timeframe and due date, both addressees."""
    if index + 1 >= len(items):
        raise ImportProblem("The last item has nothing after it to merge with.")
    a, b = items[index], items[index + 1]
    merged = dataclasses.replace(
        a,
        text=f"{a.text.rstrip()}\n{b.text.lstrip()}",
        timeframe=a.timeframe or b.timeframe,
        due_date=a.due_date or b.due_date,
        due_precision=a.due_precision if a.due_date else b.due_precision,
        addressees=tuple(dict.fromkeys(a.addressees + b.addressees)),
        inspection_question=a.inspection_question or b.inspection_question,
        evidence=a.evidence or b.evidence,
    )
    return [*items[:index], merged, *items[index + 2 :]]


def remove(items: list[ReviewItem], index: int) -> list[ReviewItem]:
    """Drop item `index` (a heading, a quotation or a duplicate the parser took for a recommendation)."""
    return [*items[:index], *items[index + 1 :]]


def add(items: list[ReviewItem], parsed: ParsedReport) -> list[ReviewItem]:
    """Add an empty recommendation at the end, addressed as the report's others are."""
    addressees = items[-1].addressees if items else (("subject",) if parsed.subject else ())
    return [*items, ReviewItem(addressees=addressees)]


def with_due_dates(items: list[ReviewItem], parsed: ParsedReport) -> list[ReviewItem]:
    """Give each item with a timeframe but no due date the due date its timeframe means."""
    filled = []
    for item in items:
        if item.due_date is None and item.timeframe.strip():
            due, precision = due_date_for(item.timeframe, parsed.published, parsed.published_precision)
            item = dataclasses.replace(item, due_date=due, due_precision=precision or "")
        filled.append(item)
    return filled


def corrected(parsed: ParsedReport, items: list[ReviewItem]) -> ParsedReport:
    """Return the report with the corrected items, numbered per kind, and the problems the checks still find."""
    numbers: dict[str, int] = {}
    recommendations = []
    for item in items:
        numbers[item.kind] = numbers.get(item.kind, 0) + 1
        recommendations.append(
            ParsedRecommendation(
                number=numbers[item.kind],
                text=item.text.strip(),
                timeframe=item.timeframe.strip(),
                due_date=item.due_date,
                due_precision=(item.due_precision or "day") if item.due_date else None,
                addressees=item.addressees,
                inspection_question=item.inspection_question,
                evidence=item.evidence,
                kind=item.kind,
            )
        )
    # An item added but not yet written puts nothing back.
    problems = problems_for(parsed.checks, [rec for rec in recommendations if rec.text])
    return dataclasses.replace(parsed, recommendations=tuple(recommendations), problems=tuple(problems))


def report_data(parsed: ParsedReport) -> dict:
    """Return what the preview keeps of a parsed report besides its items, as JSON-able data."""
    return {
        "title": parsed.title,
        "series": parsed.series,
        "subject": parsed.subject,
        "is_national": parsed.is_national,
        "published": parsed.published.isoformat() if parsed.published else None,
        "published_precision": parsed.published_precision,
        "isbn": parsed.isbn,
        "key_figures": [
            {**dataclasses.asdict(f), "value": str(f.value), "national_value": _text(f.national_value)}
            for f in parsed.key_figures
        ],
        "warnings": list(parsed.warnings),
        "checks": [check.to_dict() for check in parsed.checks],
    }


def report_from_data(data: dict) -> ParsedReport:
    """Return the parsed report that report_data() gave, without items."""
    return ParsedReport(
        title=data["title"],
        series=data["series"],
        subject=data["subject"],
        is_national=data["is_national"],
        published=date.fromisoformat(data["published"]) if data["published"] else None,
        published_precision=data["published_precision"],
        isbn=data["isbn"],
        recommendations=(),
        key_figures=tuple(
            KeyFigure(
                **{
                    **figure,
                    "value": Decimal(figure["value"]),
                    "national_value": Decimal(figure["national_value"]) if figure["national_value"] else None,
                }
            )
            for figure in data["key_figures"]
        ),
        warnings=tuple(data["warnings"]),
        checks=tuple(Check.from_dict(check) for check in data["checks"]),
    )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
