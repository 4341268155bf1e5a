"""What a report's own text lets us check about its list, kept so that a corrected list can be checked again.

At import the parser reads the list and runs every check; in the editable preview the admin corrects the
list and the same checks run on the corrected one, so a problem goes away only when the list is right.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Protocol

from ._model import AREA_FOR_IMPROVEMENT, RECOMMENDATION
from ._text import MATCH_THRESHOLD, similarity

KIND_WORDS = {RECOMMENDATION: "recommendation", AREA_FOR_IMPROVEMENT: "area for improvement"}

COUNT = "count"  # "we make five recommendations": numbers = the counts the report states
NUMBERING = "numbering"  # items printed 1, 2, 4: numbers = as printed
IN_LIST = "in-list"  # a body statement the summary list must hold: text = the statement
WHOLE = "whole"  # no item stops mid-sentence: exempt = table cells, which need no full stop

_FUNCTION_WORD_END_RE = re.compile(
    r"(?<![;,])\s(?:a|an|and|any|as|at|be|by|for|from|in|is|its|of|on|or|than|that|the|their|to|was|were|which|who"
    r"|with|should|will|must)$",
    re.IGNORECASE,
)


class Listed(Protocol):
    kind: str
    text: str


@dataclass(frozen=True)
class Check:
    """Hold one check on one kind's list."""

    kind: str
    rule: str
    numbers: tuple[int, ...] = ()
    text: str = ""
    exempt: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """Return the check as plain JSON-able data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Check:
        """Return the check that to_dict() gave."""
        return cls(
            kind=str(data["kind"]),
            rule=str(data["rule"]),
            numbers=tuple(int(n) for n in data.get("numbers", ())),
            text=str(data.get("text", "")),
            exempt=tuple(str(t) for t in data.get("exempt", ())),
        )


def problems_for(checks: Sequence[Check], items: Sequence[Listed]) -> list[str]:
    """Return, one line each, what the checks find wrong with the items (both kinds, in list order)."""
    found: list[str] = []
    for check in checks:
        mine = [item for item in items if item.kind == check.kind]
        found += _RULES[check.rule](check, mine, KIND_WORDS[check.kind])
    return found


def _in_list(check: Check, items: list[Listed], word: str) -> list[str]:
    if any(similarity(check.text, item.text) >= MATCH_THRESHOLD for item in items):
        return []
    return [
        f"The {word} in the body ('{short(check.text)}') is missing from the closing list: "
        "the list may be cut by a page break; add it before loading."
    ]


def _numbering(check: Check, items: list[Listed], word: str) -> list[str]:
    printed = list(check.numbers)
    # Once the list holds as many as the highest number printed, the admin has put back what was missing.
    if len(items) >= max(printed):
        return []
    missing = sorted(set(range(1, max(printed) + 1)) - set(printed))
    repeated = sorted({n for n in printed if printed.count(n) > 1})
    detail = []
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        detail.append(f"{word.capitalize()}{'' if len(missing) == 1 else 's'} {_numbers(missing)} {verb} missing")
    if repeated:
        detail.append(f"{_numbers(repeated)} {'appears' if len(repeated) == 1 else 'appear'} twice")
    if not detail:
        detail.append("they are out of order")
    return [f"The {word}s are numbered {', '.join(map(str, printed))}: {'; '.join(detail)}."]


def _count(check: Check, items: list[Listed], word: str) -> list[str]:
    if len(items) in check.numbers:
        return []
    said = " or ".join(str(n) for n in sorted(check.numbers))
    return [f"The report says it makes {said} {word}s, but {len(items)} {'was' if len(items) == 1 else 'were'} found."]


def _whole(check: Check, items: list[Listed], word: str) -> list[str]:
    found = []
    for number, item in enumerate(items, start=1):
        text = item.text.rstrip("*_ ")
        if item.text in check.exempt or not (_FUNCTION_WORD_END_RE.search(text) or text.endswith("-")):
            continue
        found.append(
            f"{word.capitalize()} {number} stops mid-sentence ('…{' '.join(text.split()[-6:])}'): the list may be "
            "cut by a page break; complete it before loading."
        )
    return found


_RULES = {IN_LIST: _in_list, NUMBERING: _numbering, COUNT: _count, WHOLE: _whole}


def numbering_check(kind: str, printed: list[int]) -> Check | None:
    """Return the numbering check for items printed with these numbers, or None when they run 1, 2, 3…."""
    if len(printed) >= 2 and printed != list(range(1, len(printed) + 1)):
        return Check(kind, NUMBERING, numbers=tuple(printed))
    return None


def short(text: str, words: int = 8) -> str:
    """Return the first few words of a text for a message."""
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _numbers(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return str(numbers[0])
    return ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"
