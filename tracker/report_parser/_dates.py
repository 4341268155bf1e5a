"""Find timeframe phrases and turn them into due dates."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
# Scoped flag: IN_MONTH_RE is case-sensitive elsewhere (capitalised names).
_MONTH = r"(?i:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "twenty-four": 24,
    "thirty": 30,
    "thirty-six": 36,
}
_NUMBER = r"(?:\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"

WITHIN_RE = re.compile(
    rf"\bwithin\s+(?:the\s+next\s+)?(?P<n>{_NUMBER})\s+(?P<unit>days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
# "Immediately" opening the text, or right after the modal verb ("the force should immediately: …").
IMMEDIATE_RE = re.compile(
    r"\bwith\s+immediate\s+effect\b|^immediately\b"
    r"|(?<=\bshould\s)immediately\b|(?<=\bmust\s)immediately\b|(?<=\bneeds\sto\s)immediately\b",
    re.IGNORECASE,
)
_BY = r"(?:by|no\s+later\s+than|not\s+later\s+than)"
BY_DAY_RE = re.compile(
    rf"\b{_BY}\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+"
    rf"(?:of\s+)?(?P<m>{_MONTH})\s*,?\s+(?P<y>\d{{4}})\b",
    re.IGNORECASE,
)
BY_MONTH_RE = re.compile(
    rf"\b{_BY}\s+(?:the\s+end\s+of\s+|end\s+of\s+)?"
    rf"(?P<m>{_MONTH})\s+(?P<y>\d{{4}})\b",
    re.IGNORECASE,
)
# "by the end of the 2015/16 financial year", "by the end of financial year 2015-16": 31 March of its second year.
FINANCIAL_YEAR_RE = re.compile(
    rf"\b{_BY}\s+(?:the\s+)?end\s+of\s+(?:the\s+)?"
    r"(?:(?P<a>(?:19|20)\d{2})\s*[/\-–]\s*(?P<b>\d{2}|\d{4})\s+financial\s+year"
    r"|financial\s+year\s+(?P<c>(?:19|20)\d{2})\s*[/\-–]\s*(?P<d>\d{2}|\d{4}))\b",
    re.IGNORECASE,
)
# "by the end of 2015": 31 December of that year.
BY_YEAR_END_RE = re.compile(
    rf"\b{_BY}\s+(?:the\s+)?end\s+of\s+(?P<y>(?:19|20)\d{{2}})\b"
    r"(?!\s*[/\-–]\s*\d)",
    re.IGNORECASE,
)
# "the Strategic Command Course in January 2012": keep a capitalised event name.
IN_MONTH_RE = re.compile(
    rf"(?P<lead>\b(?i:the)\s+(?:[A-Z][\w'’-]*\s+){{1,6}})?\b(?i:in|during)\s+"
    rf"(?P<m>{_MONTH})\s+(?P<y>\d{{4}})\b"
)
# Phrases that open a recommendation with a deadline we may not understand.
OPENER_RE = re.compile(
    r"^(?P<phrase>(?:within|by|before|no\s+later\s+than|as\s+soon\s+as|over\s+the\s+next|"
    r"in\s+the\s+next|during|immediately|from|until|at\s+the\s+earliest|urgently|"
    r"as\s+a\s+matter\s+of)\b[^,.;]{0,80}),",
    re.IGNORECASE,
)
# What a "within N months" counts from when it is not this report's publication.
_OTHER_ANCHOR_RE = re.compile(r"\s+(?:of|from|after|following)\b[^,.;]*", re.IGNORECASE)
_THIS_REPORT_RE = re.compile(
    r"\s+(?:of|from|after|following)\s+(?:the\s+)?(?:date\s+of\s+)?(?:publication\s+of\s+)?this\s+report\b",
    re.IGNORECASE,
)
DATE_ONLY_RE = re.compile(
    rf"^(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+)?(?P<m>{_MONTH})\s*,?\s+(?P<y>\d{{4}})$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Timeframe:
    """Hold a timeframe phrase found in a recommendation."""

    phrase: str
    start: int
    known: bool


def month_number(name: str) -> int:
    """Return the month number for an English month name or abbreviation."""
    return MONTHS[name.lower().rstrip(".")]


def end_of_month(year: int, month: int) -> date:
    """Return the last day of the given month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    """Add calendar months, clamping to the month's end (31 Aug + 6 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def parse_date_only(text: str) -> tuple[date, str] | None:
    """Parse "27 November 2014" (day) or "November 2014" (month) standing alone."""
    match = DATE_ONLY_RE.match(text.strip())
    if not match:
        return None
    year, month = int(match.group("y")), month_number(match.group("m"))
    try:
        if match.group("d"):
            return date(year, month, int(match.group("d"))), "day"
        return end_of_month(year, month), "month"
    except ValueError:
        return None


def _other_event(text: str, within: re.Match[str]) -> str:
    """Return the words after a "within N months" that name another event to count from, else ""."""
    anchor = _OTHER_ANCHOR_RE.match(text, within.end())
    if anchor and not _THIS_REPORT_RE.match(anchor.group(0)):
        return anchor.group(0).rstrip()
    return ""


def find_timeframes(text: str) -> list[Timeframe]:
    """Return the understood timeframe phrases in a recommendation, first first."""
    found: list[Timeframe] = []
    for regex in (WITHIN_RE, IMMEDIATE_RE, BY_DAY_RE, BY_MONTH_RE, FINANCIAL_YEAR_RE, BY_YEAR_END_RE):
        for match in regex.finditer(text):
            anchor = _other_event(text, match) if regex is WITHIN_RE else ""
            if anchor:
                # "within three months of the code's publication" counts from
                # an event we cannot date, not from this report.
                found.append(Timeframe(match.group(0) + anchor, match.start(), False))
            else:
                found.append(Timeframe(match.group(0), match.start(), True))
    # Overlapping matches of one phrase: keep the longest.
    found = [
        tf
        for tf in found
        if not any(
            o is not tf and o.start <= tf.start < o.start + len(o.phrase) and len(o.phrase) > len(tf.phrase)
            for o in found
        )
    ]
    if not found:
        for match in IN_MONTH_RE.finditer(text):
            start = match.start("lead") if match.group("lead") else match.start()
            phrase = text[start : match.end()]
            found.append(Timeframe(phrase, start, True))
    found.sort(key=lambda tf: tf.start)
    if not found:
        opener = OPENER_RE.match(text)
        if opener:
            found.append(Timeframe(opener.group("phrase").strip(), 0, False))
    return found


def opens_with_timeframe(text: str) -> bool:
    """Tell whether a text starts with a deadline ("Within six months, …", "With immediate effect, …")."""
    return bool(OPENER_RE.match(text)) or any(tf.start == 0 for tf in find_timeframes(text[:120]))


def _relative(timeframe: str) -> tuple[str, int] | None:
    """Return ("months"/"days", amount) for a relative timeframe, else None."""
    if IMMEDIATE_RE.search(timeframe):
        return "days", 0
    match = WITHIN_RE.search(timeframe)
    if not match:
        return None
    raw = match.group("n").lower()
    amount = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    unit = match.group("unit").lower().rstrip("s")
    if unit == "year":
        return "months", amount * 12
    if unit == "month":
        return "months", amount
    return "days", amount * 7 if unit == "week" else amount


def _financial_year_end(match: re.Match[str]) -> date | None:
    """Return 31 March that ends the financial year a FINANCIAL_YEAR_RE match names, if the years follow on."""
    first, second = (match.group("a"), match.group("b")) if match.group("a") else (match.group("c"), match.group("d"))
    start = int(first)
    end = int(second) if len(second) == 4 else start - start % 100 + int(second)
    if len(second) == 2 and end < start:
        end += 100  # "1999/00": the second year is in the next century.
    if end != start + 1:
        return None
    return date(end, 3, 31)


def _absolute(timeframe: str) -> tuple[date, str] | None:
    """Return the date written in an absolute timeframe, else None."""
    match = FINANCIAL_YEAR_RE.search(timeframe)
    if match:
        end = _financial_year_end(match)
        return (end, "day") if end else None
    match = BY_YEAR_END_RE.search(timeframe)
    if match:
        return date(int(match.group("y")), 12, 31), "day"
    match = BY_DAY_RE.search(timeframe)
    if match:
        try:
            day = date(int(match.group("y")), month_number(match.group("m")), int(match.group("d")))
        except ValueError:
            return None
        return day, "day"
    match = BY_MONTH_RE.search(timeframe) or IN_MONTH_RE.search(timeframe)
    if match:
        return end_of_month(int(match.group("y")), month_number(match.group("m"))), "month"
    return None


def due_date_for(timeframe: str, published: date | None, precision: str | None) -> tuple[date | None, str | None]:
    """Return the due date and its precision ("day"/"month") for a timeframe phrase."""
    # Relative phrases ("Within six months", "within 8 weeks", "With immediate
    # effect") count from the publication date: day-precise in, day-precise
    # out. From a month-precise date (stored as the month's last day) the
    # result is the last day of the month the deadline lands in, precision
    # "month", so it never claims more than the text says. Absolute phrases
    # ("by October 2012", "by 31 March 2015") ignore the publication date.
    # Unknown phrasing, or a relative one without a usable date: (None, None).
    if not timeframe or not timeframe.strip():
        return None, None
    within = WITHIN_RE.search(timeframe)
    if within and _other_event(timeframe, within):
        # Counted from an event we cannot date ("within three months of the code's publication"):
        # any date in the rest of the phrase is that event's, not the deadline.
        return None, None
    absolute = _absolute(timeframe)
    if absolute:
        return absolute
    relative = _relative(timeframe)
    if relative is None or published is None or precision not in ("day", "month"):
        return None, None
    unit, amount = relative
    if precision == "day":
        if unit == "months":
            return add_months(published, amount), "day"
        return published + timedelta(days=amount), "day"
    # Month precision: count from the month's last day, the latest date the
    # text allows, and report only the month the deadline lands in.
    base = end_of_month(published.year, published.month)
    if unit == "months":
        due = add_months(base, amount)
    else:
        due = base + timedelta(days=amount)
    return end_of_month(due.year, due.month), "month"
