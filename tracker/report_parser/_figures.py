"""Read the "force in numbers" key figures of a force report."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ._model import KeyFigure
from ._text import Block

_SECTION_RE = re.compile(r"\bin\s+numbers$", re.IGNORECASE)
_NATIONAL_RE = re.compile(r"\s*[-–—]?\s*England\s+and\s+Wales\s*$", re.IGNORECASE)
_PERIOD_RE = re.compile(
    r",?\s*(?:in\s+)?(?:the\s+)?\d+\s+months\s+to\s+[A-Z][a-z]+\s+\d{4}\s*,?",
    re.IGNORECASE,
)
_PER_100_RE = re.compile(r"per\s+100\s+workforce", re.IGNORECASE)
# Stable codes for the figures HMIC prints; anything else gets a slug.
_KNOWN_CODES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"complaint", re.IGNORECASE), "public-complaints"),
    (re.compile(r"conduct", re.IGNORECASE), "conduct-cases"),
    (re.compile(r"\bapplications?\b", re.IGNORECASE), "business-interest-applications"),
    (re.compile(r"\bapprovals?\b", re.IGNORECASE), "business-interest-approvals"),
    (re.compile(r"PSD|ACU|proportion\s+of\s+workforce", re.IGNORECASE), "workforce-in-psd-acu"),
)
# Long prose means the figures section is over.
_MAX_LABEL_WORDS = 30


def _code_for(label: str, unit: str) -> str:
    """Return a stable slug for a figure label."""
    base = _PERIOD_RE.sub(" ", _NATIONAL_RE.sub("", label))
    base = _PER_100_RE.sub(" ", base)
    code = next((known for regex, known in _KNOWN_CODES if regex.search(base)), "")
    if not code:
        code = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-") or "figure"
    return f"{code}-per-100-workforce" if unit == "per 100 workforce" else code


def _number(text: str) -> Decimal | None:
    """Parse "1,439", "13.1" or "0.5%" into a Decimal."""
    try:
        return Decimal(text.replace(",", "").replace("%", "").lstrip("£$").strip())
    except InvalidOperation:
        return None


def key_figures(blocks: list[Block]) -> tuple[KeyFigure, ...]:
    """Return the key figures of the "... in numbers" section, if there is one."""
    start = next((b.index for b in blocks if not b.has_tab and _SECTION_RE.search(b.clean)), None)
    if start is None:
        return ()
    figures: list[KeyFigure] = []
    label: Block | None = None
    for block in blocks[start + 1 :]:
        if block.rec_heading or block.question:
            break
        if not block.value:
            if len(block.clean.split()) > _MAX_LABEL_WORDS:
                break
            label = block
            continue
        if label is None:
            continue
        value = _number(block.clean)
        if value is None:
            continue
        text = label.clean
        if block.clean.endswith("%"):
            unit = "percent"
        elif _PER_100_RE.search(text):
            unit = "per 100 workforce"
        else:
            unit = "count"
        code = _code_for(text, unit)
        if _NATIONAL_RE.search(text):
            _attach_national(figures, code, value)
        else:
            taken = {f.code for f in figures}
            unique, n = code, 2
            while unique in taken:
                unique, n = f"{code}-{n}", n + 1
            figures.append(KeyFigure(unique, text, value, None, unit))
        label = None
    return tuple(figures)


def _attach_national(figures: list[KeyFigure], code: str, value: Decimal) -> None:
    """Set the England and Wales value on the force figure it belongs to."""
    for i in range(len(figures) - 1, -1, -1):
        figure = figures[i]
        if figure.code == code and figure.national_value is None:
            figures[i] = KeyFigure(figure.code, figure.label, figure.value, value, figure.unit)
            return
