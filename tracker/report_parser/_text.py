"""Split report text into paragraph blocks and strip conversion markup."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property

from ._dates import opens_with_timeframe
from ._pages import join_pages

# Bullets that conversions put in front of list items (never the en dash:
# the "force in numbers" labels use "– England and Wales" on its own line).
_BULLET_RE = re.compile(
    r"^(?:[-*•●▪◦]\s+|\(?\d{1,2}[.)]\s+|\(\d{1,2}\)\s+|[a-z][.)]\s+|\([a-z]\)\s+|\((?:i|ii|iii|iv|v|vi|vii|viii|ix|x)\)\s+)"
)
_MD_HEADING_RE = re.compile(r"^#{1,6}\s+")
_RULE_RE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,})$")
_SUP_RE = re.compile(r"<sup>[^<]*</sup>", re.IGNORECASE)
_TAG_RE = re.compile(r"</?(?:sup|sub|br|b|i|em|strong|span)\b[^>]*>", re.IGNORECASE)
_LINK_RE = re.compile(r"\[([^\]]+)\]\((?:[^)\s]+)\)")
_AUTOLINK_RE = re.compile(r"<((?:https?://|www\.)[^>\s]+)>")
_SUPERSCRIPT_DIGITS_RE = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_ITALIC_RE = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_ENUMERATOR_RE = re.compile(
    r"^(?:\(?\d{1,2}[.)]|\(\d{1,2}\)|[a-z][.)]|\([a-z]\)|(?:recommendation|area\s+for\s+improvement)\s+\d+\s*[:.\-–—]?)\s*",
    re.IGNORECASE,
)
# Compound prefixes that keep their hyphen when a line break falls after them.
_KEEP_HYPHEN_PREFIXES = frozenset({"anti", "co", "counter", "cross", "ex", "non", "self", "well"})
_HYPHEN_BREAK_RE = re.compile(r"(\w+)-[ \t]*\n([ \t]*)([a-z]\S*)")
_WORD_RE = re.compile(r"\w+(?:-\w+)*")
# First words of the inspection questions HMIC uses as section headings.
_QUESTION_WORDS = frozenset("what how to does do is are has have why which who can should in where when will".split())
_FOOTNOTE_RE = re.compile(r"^(?:<sup>\d+</sup>|\^\{?\d|[¹²³⁴⁵⁶⁷⁸⁹⁰]+\s*\S|\d{1,3}\s+(?:[A-Z*<\"'‘“_\[]|https?:|www\.))")
# Words a heading never ends on; a short block ending on one is a cut sentence.
_TRAILING_FUNCTION_WORDS = frozenset(
    "a an and any as at be by for from in is its of on only or than that the their to was were which who with".split()
)
_SENTENCE_END = frozenset(".!?:;\"'’”)")
_VALUE_RE = re.compile(r"^[£$]?\d[\d,]*(?:\.\d+)?\s*%?$")
_HEADING_LEAD = r"^(?:\d+(?:\.\d+)*[.:]?\s+)?(?:(?:summary|list)\s+of\s+(?:the\s+)?|our\s+|main\s+|key\s+|the\s+)?"
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
# A space before , ; : ! ? ) or a sentence's full stop, but not before "..." or a decimal such as ".5".
_SPACE_BEFORE_PUNCTUATION_RE = re.compile(r"(?<=\w) +(?=[,;:!?)]|\.(?![.\d]))")
REC_HEADING_RE = re.compile(
    _HEADING_LEAD + r"(?:causes?\s+of\s+concern\s+and\s+)?(?P<word>recommendations?)"
    r"(?:\s+(?P<num>\d+))?\s*:?$",
    re.IGNORECASE,
)
AFI_HEADING_RE = re.compile(
    _HEADING_LEAD + r"(?P<word>areas?)\s+for\s+improvement(?:\s+(?P<num>\d+))?\s*:?$",
    re.IGNORECASE,
)
CONCERN_HEADING_RE = re.compile(
    _HEADING_LEAD + r"(?P<word>causes?)\s+of\s+concern(?:\s+(?P<num>\d+))?\s*:?$",
    re.IGNORECASE,
)
# "Recommendation 3: Within six months, …" or "Area for improvement 2 – The force should …" as one paragraph.
LABEL_RE = re.compile(
    r"^(?P<kind>recommendation|area\s+for\s+improvement)\s+(?P<num>\d{1,3})\s*[:.\-–—]\s*(?=\S)",
    re.IGNORECASE,
)
_TABLE_ROW_RE = re.compile(r"^\|.*\|$")
# How much of a line can hold a heading or a "Recommendation 3:" label.
_OPENING = 120
# A row of a table that a conversion wrote with tabs: one cell asks somebody to act.
_TAB_CELL_ACTS_RE = re.compile(r"\b(?:should|must)\b.{20,}", re.IGNORECASE)
_TABLE_RULE_RE = re.compile(r"^\|[\s:|-]*-[\s:|-]*\|$")
_NUMBER_ENUMERATOR_RE = re.compile(r"^(?:\(?(\d{1,3})[.)]|\((\d{1,3})\))\s+")


def _heading_form(regex: re.Pattern[str], text: str) -> str | None:
    """Return "plural", "singular" or "numbered" when the text is a heading of the regex's kind."""
    match = regex.match(text)
    if not match:
        return None
    plural = match.group("word").lower().endswith("s")
    if match.group("num"):
        # "Recommendations 24" is a contents line that lost its tab.
        return None if plural else "numbered"
    return "plural" if plural else "singular"


def prepare_text(text: str) -> str:
    """Normalise line endings, invisible characters and PDF leftovers, and read form-fed pages as pages."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00ad", "").translate(_LIGATURES)
    # Non-breaking and other odd spaces come from PDF and Word conversions.
    text = re.sub(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]", " ", text)
    # PDF extraction puts a space wherever a glyph was placed apart: "gather , respond".
    text = _SPACE_BEFORE_PUNCTUATION_RE.sub("", text)
    if "\f" in text:
        text = join_pages(text.split("\f"))
    return text


def word_vocabulary(text: str) -> set[str]:
    """Return the lower-case words and hyphenated compounds written whole within one line.

    The halves of a word broken at a line end are left out, so that the break does not vouch for itself.
    """
    vocabulary: set[str] = set()
    broken_before = False
    for line in text.split("\n"):
        words = [word.lower() for word in _WORD_RE.findall(line)]
        broken_after = line.rstrip().endswith("-") and bool(words)
        first = 1 if broken_before else 0
        last = len(words) - 1 if broken_after else len(words)
        vocabulary.update(words[first:last])
        broken_before = broken_after
    return vocabulary


def join_hyphenation(text: str, vocabulary: set[str] | None = None) -> str:
    """Join words that OCR or line-end hyphenation split ("organ-" + "isation")."""
    # A compound the document writes elsewhere with its hyphen keeps it, a word it writes whole is joined;
    # prefixes that always take one ("anti-", "co-") keep it. Otherwise, when both halves are words the
    # document uses on their own ("integrity-" + "related"), the hyphen was the writer's; when one half is
    # no word ("organ-" + "isation", "communi-" + "cated"), it was the line break's. The whole word moves
    # to the first line so that later passes see no break.
    vocabulary = vocabulary or set()

    def repl(match: re.Match[str]) -> str:
        left, indent, right = match.group(1), match.group(2), match.group(3)
        word = _WORD_RE.match(right)
        rest = word.group(0) if word else right
        hyphenated, joined = f"{left}-{rest}".lower(), f"{left}{rest}".lower()
        first_part = rest.split("-", 1)[0].lower()
        if hyphenated in vocabulary or left.lower() in _KEEP_HYPHEN_PREFIXES:
            keep = True
        elif joined in vocabulary:
            keep = False
        else:
            keep = left.lower() in vocabulary and first_part in vocabulary and len(first_part) > 2
        return f"{left}{'-' if keep else ''}{right}\n{indent}"

    return _HYPHEN_BREAK_RE.sub(repl, text)


def strip_markup(text: str) -> str:
    """Remove Markdown/HTML markup and footnote markers, then collapse whitespace."""
    text = join_hyphenation(text)
    text = _SUP_RE.sub("", text)
    text = _TAG_RE.sub("", text)
    text = _LINK_RE.sub(r"\1", text)
    text = _AUTOLINK_RE.sub(r"\1", text)
    text = _SUPERSCRIPT_DIGITS_RE.sub("", text)
    text = " ".join(_MD_HEADING_RE.sub("", line.strip()) for line in text.split("\n"))
    text = text.replace("**", "").replace("__", "")
    text = _ITALIC_RE.sub(r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def strip_enumerator(text: str) -> str:
    """Drop a list number such as "1.", "(2)" or "Recommendation 3:" from the start."""
    return _ENUMERATOR_RE.sub("", text, count=1)


@dataclass
class Block:
    """Hold one paragraph, bullet item or heading of the report."""

    index: int
    line_no: int
    lines: list[str] = field(default_factory=list)
    has_tab: bool = False

    @cached_property
    def bullet(self) -> bool:
        """Tell whether the block is a list item."""
        return bool(_BULLET_RE.match(self.lines[0]))

    @cached_property
    def md_heading(self) -> bool:
        """Tell whether the block is a Markdown heading."""
        return bool(_MD_HEADING_RE.match(self.lines[0]))

    @cached_property
    def clean(self) -> str:
        """Return the block's text without markup, on one line."""
        first = _BULLET_RE.sub("", self.lines[0], count=1) if self.bullet else self.lines[0]
        return strip_markup("\n".join([first, *self.lines[1:]]))

    @cached_property
    def rec_heading(self) -> str | None:
        """Return "plural", "singular" or "numbered" for a recommendation heading."""
        return self._heading_of(REC_HEADING_RE)

    @cached_property
    def afi_heading(self) -> str | None:
        """Return "plural", "singular" or "numbered" for an "Areas for improvement" heading."""
        return self._heading_of(AFI_HEADING_RE)

    @cached_property
    def concern_heading(self) -> str | None:
        """Return "plural", "singular" or "numbered" for a "Cause(s) of concern" heading."""
        return self._heading_of(CONCERN_HEADING_RE)

    def _heading_of(self, regex: re.Pattern[str]) -> str | None:
        if self.has_tab or self.bullet or self.table_row or len(self.lines) > 1:
            return None
        return _heading_form(regex, self.clean)

    @cached_property
    def label(self) -> tuple[str, int] | None:
        """Return ("recommendation" or "area for improvement", number) for a labelled paragraph."""
        match = LABEL_RE.match(strip_markup(self.lines[0][:_OPENING]))
        if not match or self.table_row:
            return None
        return " ".join(match.group("kind").lower().split()), int(match.group("num"))

    @cached_property
    def table_row(self) -> bool:
        """Tell whether the block is one row of a table (Markdown, or cells split by tabs)."""
        return len(self.lines) == 1 and is_table_row(self.lines[0])

    @cached_property
    def cells(self) -> list[str]:
        """Return a table row's cells without markup."""
        line = self.lines[0].strip()
        raw = line.strip("|").split("|") if _TABLE_ROW_RE.match(line) else line.split("\t")
        return [strip_markup(cell) for cell in raw]

    @cached_property
    def enumerator(self) -> int | None:
        """Return the number a list item or labelled paragraph is printed with ("3." / "(3)" / "Recommendation 3")."""
        if self.label:
            return self.label[1]
        match = _NUMBER_ENUMERATOR_RE.match(self.lines[0])
        if match:
            return int(match.group(1) or match.group(2))
        if self.table_row and self.cells and self.cells[0].rstrip(".").isdigit():
            return int(self.cells[0].rstrip("."))
        return None

    @cached_property
    def question(self) -> bool:
        """Tell whether the block is an inspection-question heading."""
        text = self.clean
        if self.has_tab or self.bullet or not text.endswith("?") or len(text) > 300:
            return False
        first = text.split(" ", 1)[0].lower()
        return first in _QUESTION_WORDS and text[0].isupper() and "?" not in text[:-1]

    @cached_property
    def subheading(self) -> bool:
        """Tell whether the block is a short heading that is not a question."""
        text = self.clean
        if self.md_heading:
            return bool(text)
        if self.has_tab or self.bullet or self.table_row or self.label or not text or self.footnote or self.value:
            return False
        if len(text) > 90 or len(text.split()) > 12 or text[-1] in ".,;:!?)\"'’”":
            return False
        return text[0].isupper() or text[0].isdigit()

    @cached_property
    def item_heading(self) -> bool:
        """Tell whether the block heads recommendations, areas for improvement or a cause of concern."""
        return bool(self.rec_heading or self.afi_heading or self.concern_heading)

    @cached_property
    def heading(self) -> bool:
        """Tell whether the block is any kind of heading."""
        return self.item_heading or self.question or self.subheading

    @cached_property
    def footnote(self) -> bool:
        """Tell whether the block is a footnote or page furniture."""
        if self.bullet or self.table_row:
            return False
        return bool(_FOOTNOTE_RE.match(self.lines[0])) and not self.value

    @cached_property
    def value(self) -> bool:
        """Tell whether the block is a lone number such as "1,439" or "0.5%"."""
        return bool(_VALUE_RE.match(self.clean))


def is_table_row(line: str) -> bool:
    """Tell whether a line is a table row: Markdown pipes, or tab-separated cells one of which asks for action."""
    line = line.strip()
    if _TABLE_ROW_RE.match(line):
        return True
    cells = [cell for cell in line.split("\t") if cell.strip()]
    return len(cells) >= 2 and any(_TAB_CELL_ACTS_RE.search(cell) for cell in cells)


def split_blocks(text: str) -> list[Block]:
    """Split prepared text into blocks at blank lines, bullets and headings."""
    blocks: list[Block] = []
    current: Block | None = None

    def flush() -> None:
        nonlocal current
        if current is not None and current.lines:
            current.index = len(blocks)
            blocks.append(current)
        current = None

    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line.strip()
        if not line or _RULE_RE.match(line):
            flush()
            continue
        tab = "\t" in raw_line
        if is_table_row(line):
            # One block a row: each row of a recommendations table is one recommendation.
            flush()
            if not _TABLE_RULE_RE.match(line):
                blocks.append(Block(len(blocks), number, [line], tab))
            continue
        # Headings and labels are short: reading a line's opening is enough, and keeps long reports quick.
        plain = strip_markup(line[:_OPENING])
        standalone = bool(_MD_HEADING_RE.match(line)) or (
            len(line) <= _OPENING
            and any(regex.match(plain) for regex in (REC_HEADING_RE, AFI_HEADING_RE, CONCERN_HEADING_RE))
        )
        if standalone:
            # A heading glued to its paragraph (no blank line) still stands alone.
            flush()
            blocks.append(Block(len(blocks), number, [line], tab))
            continue
        if _BULLET_RE.match(line) or LABEL_RE.match(plain) or (current is not None and current.has_tab != tab):
            flush()
        if current is None:
            current = Block(0, number, [], tab)
        current.lines.append(line)
    flush()
    return _repair_breaks(blocks)


def _continues(prev: Block, block: Block, following: Block | None) -> bool:
    """Tell whether a block is the rest of the previous one, cut by a page break."""
    if block.bullet or block.md_heading or prev.md_heading or prev.item_heading or block.item_heading:
        return False
    if block.table_row or prev.table_row or block.label:
        return False
    if prev.has_tab or block.has_tab or not prev.clean or not block.clean:
        return False
    unfinished = prev.clean[-1] not in _SENTENCE_END
    first = block.clean[0]
    cut_short = prev.clean.rsplit(" ", 1)[-1].lower() in _TRAILING_FUNCTION_WORDS
    if (
        unfinished
        and not (prev.question or prev.value or block.value)
        and (first.islower() or first.isdigit())
        and (not prev.heading or cut_short or first.islower())
    ):
        return True
    if block.footnote or not prev.bullet or block.heading or block.clean.endswith(":"):
        return False
    # A list item split by a page break: the tail sits between two items,
    # or the item stopped mid-sentence. A paragraph that opens with a
    # timeframe ("With immediate effect, all forces should …") is a
    # recommendation of its own, not a tail.
    if not unfinished and opens_with_timeframe(block.clean):
        return False
    return unfinished or (following is not None and following.bullet)


def _repair_breaks(blocks: list[Block]) -> list[Block]:
    """Rejoin paragraphs and list items that a page break split in two."""
    repaired: list[Block] = []
    for position, block in enumerate(blocks):
        following = blocks[position + 1] if position + 1 < len(blocks) else None
        if repaired and _continues(repaired[-1], block, following):
            prev = repaired[-1]
            repaired[-1] = Block(prev.index, prev.line_no, prev.lines + block.lines, prev.has_tab)
            continue
        block.index = len(repaired)
        repaired.append(block)
    return repaired


# Two wordings of one recommendation (body and closing list) differ by a few words only.
MATCH_THRESHOLD = 0.75


def similarity(a: str, b: str) -> float:
    """Score how alike two wordings are, ignoring case and punctuation."""
    return SequenceMatcher(None, tokens(a), tokens(b), autojunk=False).ratio()


def tokens(text: str) -> list[str]:
    """Return lower-case word tokens used to compare two wordings."""
    return re.findall(r"[a-z0-9]+", text.lower())
