"""Pure-Python parser for HMIC inspection reports (text or PDF in, data out).

No Django imports here: the importer and the views call this API.
"""

from ._addressees import ALL_FORCES, ALL_PCCS, SUBJECT
from ._checks import Check, problems_for
from ._dates import add_months, due_date_for, find_timeframes
from ._model import AREA_FOR_IMPROVEMENT, RECOMMENDATION, KeyFigure, ParsedRecommendation, ParsedReport, ReportError
from ._parse import parse_report
from ._reading import extract_text_from_bytes, read_report_text

__all__ = [
    "ALL_FORCES",
    "ALL_PCCS",
    "SUBJECT",
    "AREA_FOR_IMPROVEMENT",
    "Check",
    "RECOMMENDATION",
    "KeyFigure",
    "ParsedRecommendation",
    "ParsedReport",
    "ReportError",
    "add_months",
    "due_date_for",
    "extract_text_from_bytes",
    "find_timeframes",
    "parse_report",
    "problems_for",
    "read_report_text",
]
