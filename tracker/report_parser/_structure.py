"""Find the recommendations and areas for improvement of a report in its blocks, whatever shape they take.

HMIC writes them in several shapes, often more than one in a report:
- a closing list under "Recommendations" (bullets, numbers, "Recommendation 3" headings, a table, or
  paragraphs), with or without an introduction;
- each recommendation again in the body, under a "Recommendation" heading after its evidence;
- "Cause of concern" sections, each followed by its recommendation(s);
- "Recommendation 3: …" / "Area for improvement 2: …" paragraphs anywhere;
- "HMIC recommends that: • … • …" lists, and lead-ins with sub-items ("Within three months, the force
  should: (a) …; (b) …"), which are one recommendation each.
Quoted recommendations of earlier reports and progress sections on them are not this report's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ._addressees import MODAL_RE
from ._checks import COUNT, WHOLE, Check, numbering_check
from ._dates import find_timeframes, opens_with_timeframe
from ._model import AREA_FOR_IMPROVEMENT, RECOMMENDATION
from ._text import Block, strip_enumerator

# Paragraphs allowed between a list heading and its first item.
_MAX_INTRO_BLOCKS = 4
_REC_LIKE_RE = re.compile(
    r"\b(?:should|must|needs?\s+to|is\s+recommended|recommends?|will\s+need\s+to)\b",
    re.IGNORECASE,
)
# "HMIC therefore recommends that:", "We make the following recommendations:": a list follows.
_RECOMMENDS_RE = re.compile(
    r"\b(?:we|HMICF?R?S?|the\s+inspectorate)\s+(?:therefore\s+|also\s+|further\s+)?"
    r"(?:recommends?|makes?\s+the\s+following\s+(?:\w+\s+)?recommendations?)\b",
    re.IGNORECASE,
)
_FOLLOWING_RE = re.compile(r"\bfollowing\s+(?:\w+\s+)?recommendations?\b|\brecommendations?\s+(?:are|is)\b", re.I)
# "HMIC recommends that, within six months, all forces should …": a recommendation stated on its own.
_RECOMMENDS_THAT_RE = re.compile(
    r"\b(?:we|HMICF?R?S?|the\s+inspectorate)\s+(?:therefore\s+|also\s+|further\s+|now\s+)?recommends?\s+that\b"
    r"(?!\s*:?$)",
    re.IGNORECASE,
)
# What an earlier report recommended, quoted: not a recommendation of this one.
_QUOTED_RE = re.compile(
    r"\b(?:we|HMICF?R?S?|the\s+inspectorate)\s+(?:\w+\s+)?(?:had\s+)?recommended\b"
    r"|\b(?:our|its|HMICF?R?S?['’]?s?)\s+(?:\d{4}|previous|earlier|last|original)\s+(?:\w+\s+){0,3}?"
    r"recommendations?\b"
    r"|\bin\s+(?:our|its|HMICF?R?S?['’]?s?)\s+(?:\d{4}|previous|earlier|last)\s+(?:\w+\s+){0,3}?"
    r"(?:report|inspection)\b[^.]*\brecommend",
    re.IGNORECASE,
)
# A section that reports progress on earlier recommendations.
_PROGRESS_HEADING_RE = re.compile(
    r"\b(?:progress|update|action\s+taken)\b.*\b(?:previous|earlier|last|prior|\d{4})\b.*\b"
    r"(?:recommendations?|areas?\s+for\s+improvement|causes?\s+of\s+concern)\b"
    r"|^(?:\d+[.:]?\s+)?(?:previous|earlier|prior)\s+(?:recommendations|areas\s+for\s+improvement)\b",
    re.IGNORECASE,
)
_SUB_ITEM_RE = re.compile(r"^(?:\(?[a-z][.)]|\([a-z]\)|\(?[ivx]{1,4}[.)]|\([ivx]{1,4}\))\s+")
# The letter, roman or number a sub-item is printed with, kept in its text ("(a)", "ii.", "2)").
_SUB_MARKER_RE = re.compile(r"^(\(?(?:[a-z]{1,4}|\d{1,2})[.)]|\((?:[a-z]{1,4}|\d{1,2})\))\s+")
_ENDS_WITH_JOIN_RE = re.compile(r"(?:[;,]|;\s*(?:and|or)|,\s*(?:and|or))$")


@dataclass
class Item:
    """Hold one recommendation or area for improvement found in the text."""

    blocks: list[Block]
    text: str
    heading: Block
    group_size: int
    kind: str = RECOMMENDATION
    # As printed ("3." / "Recommendation 3"), for the numbering check.
    printed_number: int | None = None
    # A table's timeframe column, used when the text itself states none.
    timeframe_hint: str = ""
    from_table: bool = False

    @property
    def block(self) -> Block:
        """Return the block the item starts in."""
        return self.blocks[0]


@dataclass
class Found:
    """Hold the statements of one kind, the lists among them, and what was left out on purpose."""

    statements: list[Item] = field(default_factory=list)  # in document order
    lists: list[list[Item]] = field(default_factory=list)  # the items of each "Recommendations" list
    # One line each, for the import's warnings: nothing is left out without saying so.
    left_out: list[str] = field(default_factory=list)


def looks_like_recommendation(text: str) -> bool:
    """Tell whether a paragraph reads like a recommendation."""
    return bool(_REC_LIKE_RE.search(text)) or bool(find_timeframes(text))


def is_quoted(text: str) -> bool:
    """Tell whether a paragraph quotes what an earlier report recommended."""
    return bool(_QUOTED_RE.search(text))


def _heading_form(block: Block, kind: str) -> str | None:
    return block.rec_heading if kind == RECOMMENDATION else block.afi_heading


def _label_kind(block: Block) -> str | None:
    if not block.label:
        return None
    return RECOMMENDATION if block.label[0] == "recommendation" else AREA_FOR_IMPROVEMENT


def _is_lead_in(block: Block) -> bool:
    """Tell whether a block asks somebody to act and ends in a colon: its sub-items follow."""
    text = block.clean
    if not text.endswith(":") or is_quoted(text):
        return False
    # The sentence that ends in the colon asks for action, and is no "we make the following recommendations:".
    last = re.split(r"(?<=[.!?])\s+", text)[-1]
    return bool(MODAL_RE.search(last)) and not _FOLLOWING_RE.search(last)


def _is_list_intro(block: Block) -> bool:
    """Tell whether a block announces a list of recommendations ("HMIC therefore recommends that:")."""
    text = block.clean
    return text.endswith((":", ";")) and bool(_RECOMMENDS_RE.search(text)) and not MODAL_RE.search(text)


def _is_sub_item(block: Block, previous: Block, lead: Block) -> bool:
    """Tell whether a list item continues the lead-in or sub-item before it."""
    if _SUB_ITEM_RE.match(block.lines[0]):
        return True
    if not block.bullet or (block.enumerator is not None and lead.enumerator is not None):
        return False  # "2." after "1. … should:" is the next recommendation
    if block.clean[:1].islower():
        return True
    symbol = block.lines[0][:1]
    if lead.bullet and lead.enumerator is None and not lead.lines[0][:1].isalnum() and symbol != lead.lines[0][:1]:
        return True
    return bool(_ENDS_WITH_JOIN_RE.search(previous.clean)) or previous.clean.endswith(":")


def _with_sub_items(lead: Block, following: list[Block], *, all_bullets: bool) -> list[Block]:
    """Return the lead-in and the blocks that are its sub-items."""
    taken = [lead]
    for block in following:
        if block.heading or block.footnote or block.table_row or block.label:
            break
        if all_bullets and (block.bullet or _SUB_ITEM_RE.match(block.lines[0])):
            taken.append(block)
            continue
        if not _is_sub_item(block, taken[-1], lead):
            break
        taken.append(block)
    return taken


def _statement(
    block: Block,
    following: list[Block],
    heading: Block,
    kind: str,
    *,
    all_bullets: bool,
    number: int | None = None,
    hint: str = "",
) -> Item:
    """Return the item that starts at `block`: with its sub-items when it is a lead-in ("… should:")."""
    taken = _with_sub_items(block, following, all_bullets=all_bullets) if _is_lead_in(block) else [block]
    return Item(taken, _item_text(taken), heading, 1, kind, number, hint)


def _item_text(blocks: list[Block]) -> str:
    """Return an item's text; a lead-in keeps its sub-items, one a line."""
    first = strip_enumerator(blocks[0].clean)
    if len(blocks) == 1:
        return first
    lines = [first]
    for block in blocks[1:]:
        marker = _SUB_MARKER_RE.match(block.lines[0])
        lines.append(f"{marker.group(1) if marker else '•'} {strip_enumerator(block.clean)}")
    return "\n".join(lines)


def _table_item(row: Block, heading: Block, kind: str) -> Item | None:
    """Return the item a table row holds, or None for a header row."""
    cells = [cell for cell in row.cells if cell]
    if not cells:
        return None
    text = max(cells, key=len)
    if not looks_like_recommendation(text) or is_quoted(text):
        return None
    hint = next((c for c in cells if c is not text and len(c) < 80 and find_timeframes(c)), "")
    return Item([row], strip_enumerator(text), heading, 0, kind, row.enumerator, hint, from_table=True)


def _items_in(
    following: list[Block], heading: Block, kind: str, *, form: str, left_out: list[str] | None = None
) -> list[Item]:
    """Return the items of a list that starts right after a heading (or list introduction)."""
    left_out = [] if left_out is None else left_out
    if form in ("singular", "numbered"):
        first = following[0] if following else None
        if first is None or first.heading:
            return []
        if is_quoted(first.clean):
            left_out.append(_quoted_note(first))
            return []
        return [_statement(first, following[1:], heading, kind, all_bullets=not first.bullet, number=_printed(heading))]
    items: list[Item] = []
    position = 0
    # The introduction ("we make the following recommendations:") can span page breaks; a list
    # that follows closely starts at its first item.
    for offset, block in enumerate(following[: _MAX_INTRO_BLOCKS + 1]):
        if block.heading or _is_lead_in(block):
            break
        if block.bullet or block.table_row or block.label:
            position = offset
            break
    while not position and position < min(len(following), _MAX_INTRO_BLOCKS):
        block = following[position]
        if block.heading or block.bullet or block.table_row or block.label or _is_lead_in(block):
            break
        if not (block.clean.endswith(":") or not looks_like_recommendation(block.clean)):
            break
        position += 1
    rest = following[position:]
    in_bullets = False
    hint = ""
    index = 0
    while index < len(rest):
        block = rest[index]
        if block.item_heading and _heading_form(block, kind) == "numbered":
            nxt = rest[index + 1 : index + 2]
            if nxt and not nxt[0].heading:
                found = _items_in(rest[index + 1 :], block, kind, form="numbered", left_out=left_out)
                items += found
                index += 1 + sum(len(i.blocks) for i in found)
            else:
                index += 1
            continue
        if _timeframe_heading(block):
            # "Immediately" / "Within three months" over the items it applies to (crime data integrity reports).
            hint = block.clean.rstrip(":")
            index += 1
            continue
        if block.heading:
            break
        if block.table_row:
            item = _table_item(block, heading, kind)
            if item is not None:
                items.append(item)
            index += 1
            continue
        if block.label and _label_kind(block) != kind:
            break
        if is_quoted(block.clean):
            left_out.append(_quoted_note(block))
            index += 1
            continue
        if block.value or len(block.clean.split()) < 3:
            # A page number or a stray word left by a conversion inside a bullet list.
            if in_bullets and block.bullet:
                index += 1
                continue
            break
        if in_bullets and not (block.bullet or block.label) and not opens_with_timeframe(block.clean):
            break
        if not (block.bullet or block.label) and not looks_like_recommendation(block.clean):
            break
        in_bullets = in_bullets or block.bullet
        item = _statement(
            block, rest[index + 1 :], heading, kind, all_bullets=not block.bullet, number=block.enumerator, hint=hint
        )
        items.append(item)
        index += len(item.blocks)
    for item in items:
        item.group_size = len(items)
    return items


def _timeframe_heading(block: Block) -> bool:
    """Tell whether a short heading is only a timeframe ("Immediately", "Within three months:")."""
    text = block.clean.rstrip(":").strip()
    if not text or len(text) > 60 or block.bullet or block.table_row or block.label:
        return False
    found = find_timeframes(text)
    return bool(found) and found[0].start == 0 and len(found[0].phrase) >= len(text) - 1


def _printed(heading: Block) -> int | None:
    match = re.search(r"(\d+)\s*:?$", heading.clean)
    return int(match.group(1)) if match else None


def _excluded(blocks: list[Block], left_out: list[str]) -> set[int]:
    """Return the indexes of blocks in sections that report progress on earlier recommendations."""
    excluded: set[int] = set()
    inside = False
    for block in blocks:
        if block.heading and _PROGRESS_HEADING_RE.search(block.clean) and len(block.clean) < 120:
            inside = True
            excluded.add(block.index)
            left_out.append(
                f"Not imported: the section '{block.clean}' reports on earlier recommendations; "
                "nothing in it was read as this report's."
            )
            continue
        if inside and (block.item_heading and block.rec_heading != "numbered" or block.question or block.md_heading):
            inside = False
        if inside:
            excluded.add(block.index)
    return excluded


def collect(blocks: list[Block], kind: str) -> Found:
    """Return every statement of one kind in document order, and which of them each plural list holds."""
    found = Found()
    excluded = _excluded(blocks, found.left_out if kind == RECOMMENDATION else [])
    visible = [b for b in blocks if b.index not in excluded and not b.footnote]
    position = {b.index: i for i, b in enumerate(visible)}
    used: set[int] = set()

    def add(items: list[Item], *, plural: Block | None = None) -> None:
        kept = []
        for item in items:
            if not any(b.index in used for b in item.blocks):
                used.update(b.index for b in item.blocks)
                kept.append(item)
        found.statements.extend(kept)
        if plural is not None and kept:
            found.lists.append(kept)

    for block in visible:
        if block.index in used:
            continue
        after = visible[position[block.index] + 1 :]
        form = _heading_form(block, kind)
        if form:
            add(
                _items_in(after, block, kind, form=form, left_out=found.left_out),
                plural=block if form == "plural" else None,
            )
        elif block.concern_heading and kind == RECOMMENDATION:
            add(_concern_items(after, block))
        elif _label_kind(block) == kind:
            if is_quoted(block.clean):
                found.left_out.append(_quoted_note(block))
                continue
            add([_statement(block, after, block, kind, all_bullets=False, number=block.enumerator)])
        elif kind == RECOMMENDATION and _is_list_intro(block) and not block.heading:
            add(_items_in(after, block, kind, form="plural", left_out=found.left_out), plural=block)
        elif kind == RECOMMENDATION and _RECOMMENDS_THAT_RE.search(block.clean):
            # "HMIC recommends that, within six months, all forces should …" standing alone.
            if is_quoted(block.clean) or block.heading or block.bullet:
                continue
            add([_statement(block, after, block, kind, all_bullets=True)])
    found.left_out = list(dict.fromkeys(found.left_out))
    return found


def _quoted_note(block: Block) -> str:
    words = block.clean.split()
    short = " ".join(words[:10]) + ("…" if len(words) > 10 else "")
    return f"Not imported: '{short}' quotes a recommendation of an earlier report."


def _concern_items(following: list[Block], heading: Block) -> list[Item]:
    """Return the recommendations a cause of concern states before the next heading."""
    items: list[Item] = []
    index = 0
    while index < len(following):
        block = following[index]
        if block.heading:
            break
        text = block.clean
        if not is_quoted(text) and (_RECOMMENDS_THAT_RE.search(text) or _is_lead_in(block)):
            item = _statement(block, following[index + 1 :], heading, RECOMMENDATION, all_bullets=True)
            items.append(item)
            index += len(item.blocks)
            continue
        index += 1
    for item in items:
        item.group_size = len(items)
    return items


_NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
}
# "We make four recommendations", "this report makes 12 recommendations", "HMICFRS has identified three areas
# for improvement": what the report says it contains.
_COUNT_RE = re.compile(
    r"\b(?:we|HMICF?R?S?|the\s+inspectorate|this\s+(?:report|inspection))\s+"
    r"(?:make|makes|are\s+making|is\s+making|sets?\s+out|contains?|(?:has|have)\s+identified|identif(?:y|ies))\s+"
    r"(?:a\s+total\s+of\s+)?(?P<n>\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")\s+"
    r"(?:(?:main|principal|key|new|further|specific)\s+)?(?P<what>recommendations?|areas?\s+for\s+improvement)\b",
    re.IGNORECASE,
)


def list_checks(blocks: list[Block], items: list[Item], kind: str) -> list[Check]:
    """Return the checks the document allows on one kind's list: numbering, stated count, whole items."""
    checks = []
    numbering = numbering_check(kind, [item.printed_number for item in items if item.printed_number is not None])
    if numbering:
        checks.append(numbering)
    stated = _stated_counts(blocks, kind)
    if stated:
        checks.append(Check(kind, COUNT, numbers=tuple(sorted(stated))))
    checks.append(Check(kind, WHOLE, exempt=tuple(item.text for item in items if item.from_table)))
    return checks


def _stated_counts(blocks: list[Block], kind: str) -> set[int]:
    counts = set()
    for block in blocks:
        for match in _COUNT_RE.finditer(block.clean):
            what = match.group("what").lower()
            if (kind == RECOMMENDATION) != what.startswith("recommendation"):
                continue
            total = _count_value(match.group("n"))
            # "… 12 recommendations to forces and 3 to the Home Office": all of them are this report's.
            sentence = re.split(r"(?<=[.;])\s", block.clean[match.end() :], maxsplit=1)[0]
            total += sum(_count_value(more.group(1)) for more in _MORE_RE.finditer(sentence))
            counts.add(total)
    return counts


_MORE_RE = re.compile(
    r"\band\s+(\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")\s+(?:more\s+|further\s+|other\s+)?"
    r"(?:(?:recommendations?\s+)?(?:to|for)\b|recommendations?\b)",
    re.IGNORECASE,
)


def _count_value(raw: str) -> int:
    raw = raw.lower()
    return int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
