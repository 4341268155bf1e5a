"""Turn a report's pages into continuous text: drop page furniture and rejoin what a page break cut."""

from __future__ import annotations

import math
import re
from collections import Counter

# Lines looked at from each end of a page for headers, footers and page numbers.
EDGE_LINES = 3
# Runs of spaces this long inside a layout line are a tab stop (contents, tables), not a word gap.
_TAB_GAP_RE = re.compile(r"(?<=\S) {4,}(?=\S)")
# The narrowest gutter between two columns in fixed-width layout text, in characters.
_GUTTER = 3
_PAGE_NUMBER_RE = re.compile(r"^(?:[-–—]\s*)?(?:page\s+)?(?P<n>\d{1,4})(?:\s*[-–—])?$", re.IGNORECASE)
_ROMAN_RE = re.compile(r"^(?:page\s+)?(?P<n>[ivxlc]{1,7})$", re.IGNORECASE)
_PAGE_COUNTER_RE = re.compile(r"^(?:page\s+)?\d{1,4}\s*(?:/|of)\s*\d{1,4}$", re.IGNORECASE)
# The list markers that _text.split_blocks treats as bullets.
_BULLET_RE = re.compile(r"^(?:[-*•●▪◦]\s+|\(?\d{1,2}[.)]\s+|\(\d{1,2}\)\s+|[a-z][.)]\s+)")
_SENTENCE_END = frozenset(".!?:;\"'’”)")
# A one-line paragraph at least this long is a sentence cut short, not a heading.
_HEADING_MAX = 60
# Words a heading never ends on: a short line ending on one is a sentence cut short.
_FUNCTION_WORDS = frozenset(
    "a an and any as at be by for from in is it its of on only or than that the their to was were which who with"
    " ".split()
)
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def join_pages(pages: list[str], *, layout: bool = False) -> str:
    """Return the pages' text with headers, footers and page numbers removed, cut paragraphs rejoined."""
    if layout:
        pages = [_layout_page(page) for page in pages]
    split = [[line.rstrip() for line in page.split("\n")] for page in pages]
    if len(split) > 1:
        split = _drop_furniture(split)
    text = ""
    for lines in split:
        lines = _trim(lines)
        if not lines:
            continue
        if text:
            text += _separator(text.split("\n"), lines)
        text += "\n".join(lines)
    return text


def _layout_page(page: str) -> str:
    """Read a fixed-width layout page column by column, with wide gaps as tabs."""
    lines = [line.rstrip() for line in page.split("\n")]
    lines = _read_columns(lines)
    lines = _dedent(lines)
    return "\n".join(_TAB_GAP_RE.sub("\t", line) for line in lines)


def _dedent(lines: list[str]) -> list[str]:
    """Remove the left margin that all non-blank lines share."""
    margins = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    margin = min(margins, default=0)
    return [line[margin:] for line in lines]


def _read_columns(lines: list[str]) -> list[str]:
    """Return the lines of a two-column page left column first, full-width lines where they stand."""
    gutter = _find_gutter(lines)
    if gutter is None:
        return lines
    out: list[str] = []
    left: list[str] = []
    right: list[str] = []

    def flush() -> None:
        out.extend(left)
        if left and right:
            out.append("")
        out.extend(_dedent(right))
        left.clear()
        right.clear()

    for line in lines:
        if _crosses(line, gutter):
            flush()
            out.append(line)
        else:
            left.append(line[:gutter].rstrip())
            right.append(line[gutter:].rstrip())
    flush()
    return out


def _crosses(line: str, position: int) -> bool:
    """Tell whether text runs across a character position (a full-width line)."""
    return bool(line[max(0, position - 1) : position + 1].strip())


def _find_gutter(lines: list[str]) -> int | None:
    """Return the character position of the gap between two columns, or None for one column."""
    filled = [line for line in lines if line.strip()]
    width = max((len(line) for line in filled), default=0)
    if len(filled) < 2 or width < 40:
        return None
    best: tuple[int, int] | None = None
    for position in range(width // 4, width * 3 // 4):
        both = crossing = 0
        for line in filled:
            if _crosses(line, position):
                crossing += 1
                continue
            before, after = line[:position], line[position:]
            # Both sides must carry prose, not a title and its page number.
            if len(before.strip()) >= 12 and len(after.strip()) >= 12 and before.endswith(" " * _GUTTER):
                both += 1
        if both >= max(2, len(filled) * 0.4) and crossing <= 2 + len(filled) // 10:
            if best is None or both > best[0]:
                best = (both, position)
    return best[1] if best else None


def _key(line: str) -> str:
    """Return a line's shape for comparing headers: lower case, digits as '#', single spaces."""
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def _edges(lines: list[str]) -> list[int]:
    """Return the positions of the first and last few non-blank lines of a page."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:EDGE_LINES] + filled[-EDGE_LINES:]))


def _roman(text: str) -> int | None:
    """Return the value of a lower- or upper-case roman numeral, or None."""
    values = [_ROMAN_VALUES.get(ch) for ch in text.lower()]
    if not values or None in values:
        return None
    total = 0
    for value, following in zip(values, [*values[1:], 0], strict=True):
        total += -value if value < following else value
    return total


def _number(line: str) -> tuple[str, int] | None:
    """Return ("arabic" or "roman", value) if the line is a lone page number."""
    text = line.strip()
    if match := _PAGE_NUMBER_RE.match(text):
        return "arabic", int(match.group("n"))
    if (match := _ROMAN_RE.match(text)) and (value := _roman(match.group("n"))):
        return "roman", value
    return None


def _page_offsets(pages: list[list[str]]) -> set[tuple[str, int]]:
    """Return the (style, number minus page position) pairs that lone numbers at page edges agree on."""
    offsets: Counter[tuple[str, int]] = Counter()
    for position, lines in enumerate(pages):
        numbers = [number for i in _edges(lines) if (number := _number(lines[i]))]
        offsets.update({(kind, value - position) for kind, value in numbers})
    # One page's number could be a figure; page numbers climb with the pages.
    least = 1 if len(pages) <= 2 else 2
    return {offset for offset, count in offsets.items() if count >= least}


def _drop_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Remove running headers, footers and page numbers from the ends of each page."""
    seen: Counter[str] = Counter()
    for lines in pages:
        seen.update({_key(lines[i]) for i in _edges(lines)})
    least = 2 if len(pages) <= 3 else max(3, math.ceil(len(pages) * 0.4))
    repeated = {key for key, count in seen.items() if count >= least}
    offsets = _page_offsets(pages)

    def furniture(line: str, position: int) -> bool:
        number = _number(line)
        if number is not None:
            kind, value = number
            return (kind, value - position) in offsets
        return _key(line) in repeated or bool(_PAGE_COUNTER_RE.match(line.strip()))

    cleaned = []
    for position, lines in enumerate(pages):
        lines = list(lines)
        for order in (range(len(lines)), range(len(lines) - 1, -1, -1)):
            checked = 0
            for i in order:
                if not lines[i].strip():
                    continue
                if checked == EDGE_LINES or not furniture(lines[i], position):
                    break
                lines[i] = ""
                checked += 1
        cleaned.append(lines)
    return cleaned


def _trim(lines: list[str]) -> list[str]:
    """Drop blank lines at both ends."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return lines[filled[0] : filled[-1] + 1] if filled else []


def _separator(before: list[str], after: list[str]) -> str:
    """Return "\\n" when the next page reads on from the last, "\\n\\n" when it starts a new paragraph."""
    last = before[-1].strip()
    first_raw = after[0]
    first = first_raw.strip()
    if _BULLET_RE.match(first):
        return "\n\n"
    if first[:1].islower():
        return "\n"
    start = len(before)
    while start > 0 and before[start - 1].strip():
        start -= 1
    paragraph = before[start:]
    in_item = bool(_BULLET_RE.match(paragraph[0].strip()))
    # A hanging indent under a list item is the rest of that item.
    if in_item and first_raw[:1] == " ":
        return "\n"
    ended = last.rstrip("*_")[-1:] in _SENTENCE_END
    cut_short = last.rsplit(" ", 1)[-1].lower() in _FUNCTION_WORDS
    heading = len(paragraph) == 1 and not in_item and len(last) <= _HEADING_MAX and not cut_short
    if not ended and not heading:
        return "\n"
    return "\n\n"
