"""Split report text into paragraph blocks and strip conversion markup."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from ._pages import join_pages

# Bullets that conversions put in front of list items (never the en dash:
# the "force in numbers" labels use "– England and Wales" on its own line).
_BULLET_RE = re.compile(r"^(?:[-*•●▪◦]\s+|\(?\d{1,2}[.)]\s+|\(\d{1,2}\)\s+|[a-z][.)]\s+)")
_MD_HEADING_RE = re.compile(r"^#{1,6}\s+")
_RULE_RE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,})$")
_SUP_RE = re.compile(r"<sup>[^<]*</sup>", re.IGNORECASE)
_TAG_RE = re.compile(r"</?(?:sup|sub|br|b|i|em|strong|span)\b[^>]*>", re.IGNORECASE)
_LINK_RE = re.compile(r"\[([^\]]+)\]\((?:[^)\s]+)\)")
_AUTOLINK_RE = re.compile(r"<((?:https?://|www\.)[^>\s]+)>")
_SUPERSCRIPT_DIGITS_RE = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_ITALIC_RE = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_ENUMERATOR_RE = re.compile(
    r"^(?:\(?\d{1,2}[.)]|\(\d{1,2}\)|[a-z][.)]|recommendation\s+\d+\s*[:.\-–]?)\s+",
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
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
# A space before , ; : ! ? ) or a sentence's full stop, but not before "..." or a decimal such as ".5".
_SPACE_BEFORE_PUNCTUATION_RE = re.compile(r"(?<=\w) +(?=[,;:!?)]|\.(?![.\d]))")
REC_HEADING_RE = re.compile(
    r"^(?:\d+[.:]?\s+)?(?:summary\s+of\s+)?(?P<word>recommendations?)"
    r"(?:\s+(?P<num>\d+))?\s*:?$",
    re.IGNORECASE,
)


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
    """Return the lower-case words and hyphenated compounds written within one line."""
    vocabulary: set[str] = set()
    for line in text.split("\n"):
        vocabulary.update(word.lower() for word in _WORD_RE.findall(line.rstrip().rstrip("-")))
    return vocabulary


def join_hyphenation(text: str, vocabulary: set[str] | None = None) -> str:
    """Join words that OCR or line-end hyphenation split ("organ-" + "isation")."""
    # A compound the document writes elsewhere with its hyphen
    # ("integrity-related") keeps it, as do prefixes that always take one
    # ("anti-", "co-"); any other break is a soft hyphen. The whole word moves
    # to the first line so that later passes see no break.
    vocabulary = vocabulary or set()

    def repl(match: re.Match[str]) -> str:
        left, indent, right = match.group(1), match.group(2), match.group(3)
        word = _WORD_RE.match(right)
        rest = word.group(0) if word else right
        hyphenated, joined = f"{left}-{rest}".lower(), f"{left}{rest}".lower()
        if hyphenated in vocabulary:
            keep = True
        elif joined in vocabulary:
            keep = False
        else:
            keep = left.lower() in _KEEP_HYPHEN_PREFIXES
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
        if self.has_tab or self.bullet or len(self.lines) > 1:
            return None
        match = REC_HEADING_RE.match(self.clean)
        if not match:
            return None
        plural = match.group("word").lower().endswith("s")
        if match.group("num"):
            # "Recommendations 24" is a contents line that lost its tab.
            return None if plural else "numbered"
        return "plural" if plural else "singular"

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
        if self.has_tab or self.bullet or not text or self.footnote or self.value:
            return False
        if len(text) > 90 or len(text.split()) > 12 or text[-1] in ".,;:!?)\"'’”":
            return False
        return text[0].isupper() or text[0].isdigit()

    @cached_property
    def heading(self) -> bool:
        """Tell whether the block is any kind of heading."""
        return bool(self.rec_heading) or self.question or self.subheading

    @cached_property
    def footnote(self) -> bool:
        """Tell whether the block is a footnote or page furniture."""
        if self.bullet:
            return False
        return bool(_FOOTNOTE_RE.match(self.lines[0])) and not self.value

    @cached_property
    def value(self) -> bool:
        """Tell whether the block is a lone number such as "1,439" or "0.5%"."""
        return bool(_VALUE_RE.match(self.clean))


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
        standalone = bool(_MD_HEADING_RE.match(line)) or bool(REC_HEADING_RE.match(strip_markup(line)))
        if standalone:
            # A heading glued to its paragraph (no blank line) still stands alone.
            flush()
            blocks.append(Block(len(blocks), number, [line], tab))
            continue
        if _BULLET_RE.match(line) or (current is not None and current.has_tab != tab):
            flush()
        if current is None:
            current = Block(0, number, [], tab)
        current.lines.append(line)
    flush()
    return _repair_breaks(blocks)


def _continues(prev: Block, block: Block, following: Block | None) -> bool:
    """Tell whether a block is the rest of the previous one, cut by a page break."""
    if block.bullet or block.md_heading or prev.md_heading or prev.rec_heading or block.rec_heading:
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
    # or the item stopped mid-sentence.
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


def tokens(text: str) -> list[str]:
    """Return lower-case word tokens used to compare two wordings."""
    return re.findall(r"[a-z0-9]+", text.lower())
