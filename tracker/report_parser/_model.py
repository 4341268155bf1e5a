"""Data types returned by the report parser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._checks import Check


class ReportError(ValueError):
    """A user-facing, one-line problem with the input (message is shown as-is)."""


RECOMMENDATION = "recommendation"
AREA_FOR_IMPROVEMENT = "area-for-improvement"


@dataclass(frozen=True)
class KeyFigure:
    """Hold one "force in numbers" figure of a report."""

    code: str
    label: str
    value: Decimal
    national_value: Decimal | None
    unit: str


@dataclass(frozen=True)
class ParsedRecommendation:
    """Hold one recommendation as found in a report."""

    number: int
    text: str
    timeframe: str
    due_date: date | None
    due_precision: str | None
    addressees: tuple[str, ...]
    inspection_question: str
    evidence: str
    # RECOMMENDATION or AREA_FOR_IMPROVEMENT; numbers count within each kind.
    kind: str = RECOMMENDATION


@dataclass(frozen=True)
class ParsedReport:
    """Hold everything the parser extracted from one report."""

    title: str
    series: str
    subject: str
    is_national: bool
    published: date | None
    published_precision: str | None
    isbn: str
    recommendations: tuple[ParsedRecommendation, ...]
    key_figures: tuple[KeyFigure, ...]
    warnings: tuple[str, ...]
    # Checks the document lets us make that failed (a numbering gap, a list cut at a page break, "we make
    # five recommendations" but four found): one line each. A report with problems must not be loaded as is.
    problems: tuple[str, ...] = ()
    # The checks behind the problems, to run again on a list the admin has corrected (problems_for).
    checks: tuple[Check, ...] = ()
