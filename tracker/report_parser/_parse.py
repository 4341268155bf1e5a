"""Parse report text into a ParsedReport."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ._addressees import ALL_FORCES, SUBJECT, national_addressees
from ._checks import IN_LIST, KIND_WORDS, Check, problems_for, short
from ._dates import (
    DATE_ONLY_RE,
    due_date_for,
    find_timeframes,
    parse_date_only,
)
from ._figures import key_figures
from ._model import AREA_FOR_IMPROVEMENT, RECOMMENDATION, ParsedRecommendation, ParsedReport, ReportError
from ._structure import Found, Item, collect, list_checks
from ._text import (
    MATCH_THRESHOLD,
    Block,
    join_hyphenation,
    prepare_text,
    similarity,
    split_blocks,
    word_vocabulary,
)

# Evidence is the findings just before a recommendation, not the whole section.
EVIDENCE_MAX_PARAGRAPHS = 3
# The cover (title, force, date) sits before the contents or near the top.
_COVER_MAX_BLOCKS = 80
_PUBLISHED_RE = re.compile(r"^(?:first\s+)?published(?:\s+on)?\s*:?\s+(?P<date>.+)$", re.I)
_ISBN_RE = re.compile(r"\bISBN(?:-1[03])?\s*:?\s*(?P<isbn>(?:97[89][-\s]?)?(?:\d[-\s]?){9}[\dX])")
_FORCE_RE = re.compile(
    r"^(?i:(?:an?\s+)?(?:inspection|review)\s+of\s+)?(?P<force>"
    r"(?:the\s+)?[A-Z][\w'’.&-]*(?:\s+(?:and|&|of|on|the|[A-Z][\w'’.&-]*)){0,6}\s+"
    r"(?:Police(?:\s+Service)?|Constabulary|Police\s+Force)"
    r"|Police\s+Service\s+of\s+[A-Z][\w ]+|Police\s+Scotland)$",
)
_COPYRIGHT_RE = re.compile(r"^(?:©|@|\(c\)|crown\s+copyright)\s*(?:[A-Za-z ]+?\s+)?(?P<year>(?:19|20)\d{2})\b", re.I)
# HMIC's strapline printed above every title; it is not part of the title.
_STRAPLINES = ("inspecting policing",)
_FORCE_WORDING_RE = re.compile(r"\bthe\s+(?:force|constabulary)\b", re.IGNORECASE)


@dataclass
class _Cover:
    """Hold what the cover page says."""

    title: str = ""
    main_title: str = ""
    subject: str = ""
    printed: tuple[date, str] | None = None
    published: tuple[date, str] | None = None
    copyright_year: tuple[date, str] | None = None


def _title_like(block: Block) -> bool:
    """Tell whether a cover block could be (part of) the title."""
    text = block.clean
    lowered = text.lower()
    return (
        bool(text)
        and len(text) <= 120
        and not block.has_tab
        and not block.bullet
        and text[-1] not in ".,;"
        and not lowered.startswith(("©", "@", "www", "http", "isbn", "dear ", "crown copyright"))
        and not DATE_ONLY_RE.match(text)
    )


def _force_name(text: str) -> str:
    """Return the force name if the text names a single police force."""
    if "inspector" in text.lower():
        return ""
    match = _FORCE_RE.match(text)
    return match.group("force") if match else ""


def _join_title(parts: list[str]) -> str:
    """Join a title and subtitle as "Title: subtitle"."""
    if len(parts) < 2:
        return parts[0] if parts else ""
    main, sub = parts[0], parts[1]
    words = sub.split()
    # Sentence-case subtitles read as a continuation: "…: a review of …".
    if len(words) > 1 and words[1][:1].islower() and not (words[0].isupper() and len(words[0]) > 1):
        sub = sub[0].lower() + sub[1:]
    return f"{main}: {sub}"


def _parse_cover(blocks: list[Block]) -> _Cover:
    """Find title, subject force and printed date on the cover."""
    cover = _Cover()
    limit = next((b.index for b in blocks if b.clean.lower() == "contents"), _COVER_MAX_BLOCKS)
    region = blocks[: min(limit, _COVER_MAX_BLOCKS)]
    for block in region:
        match = _PUBLISHED_RE.match(block.clean)
        if match and (parsed := parse_date_only(match.group("date").rstrip("."))):
            cover.published = parsed
            break
    for block in region:
        match = _COPYRIGHT_RE.match(block.clean)
        if match:
            cover.copyright_year = date(int(match.group("year")), 12, 31), "year"
            break
    date_block = None
    for block in region:
        parsed = parse_date_only(block.clean)
        if not parsed:
            continue
        following = blocks[block.index + 1 : block.index + 3]
        # A letter's date is followed by "Dear …"; that is not the report's date.
        if any(b.clean.lower().startswith("dear ") for b in following):
            continue
        date_block, cover.printed = block, parsed
        break
    if date_block is not None:
        titles: list[str] = []
        for block in reversed(blocks[max(0, date_block.index - 4) : date_block.index]):
            force = _force_name(block.clean)
            if force and not cover.subject and not titles:
                cover.subject = force
                continue
            if block.clean.lower().startswith(_STRAPLINES) or not _title_like(block):
                break
            titles.insert(0, block.clean)
            # With a force named, the title is the one block above it.
            if cover.subject or len(titles) == 2:
                break
        cover.title = _join_title(titles)
        cover.main_title = titles[0] if titles else ""
    if not cover.title:
        for block in region[:15]:
            if _force_name(block.clean) and not cover.subject:
                cover.subject = _force_name(block.clean)
            elif (
                not cover.title
                and _title_like(block)
                and not (block.rec_heading or block.question)
                and not block.clean.lower().startswith(_STRAPLINES)
            ):
                cover.title = cover.main_title = block.clean
    return cover


def _evidence(blocks: list[Block], item: Item, item_blocks: set[int]) -> str:
    """Return the paragraphs just before a recommendation, up to the last heading."""
    if item.group_size > 1:
        return ""  # a list's preamble is shared by all items, not evidence for one
    anchor = item.heading.index if item.heading.index < item.block.index else item.block.index
    paragraphs: list[str] = []
    for block in reversed(blocks[:anchor]):
        if block.heading or block.index in item_blocks:
            break
        if block.footnote or not block.clean:
            continue
        paragraphs.insert(0, block.clean)
        if len(paragraphs) == EVIDENCE_MAX_PARAGRAPHS:
            break
    return "\n\n".join(paragraphs)


def _question(blocks: list[Block], item: Item) -> str:
    """Return the inspection question heading a recommendation sits under."""
    for block in reversed(blocks[: item.heading.index]):
        if block.question:
            return block.clean
    return ""


def _match(closing: list[Item], body: list[Item]) -> dict[int, int]:
    """Pair closing-list items with body statements, best matches first."""
    pairs = sorted(
        ((similarity(c.text, b.text), ci, bi) for ci, c in enumerate(closing) for bi, b in enumerate(body)),
        reverse=True,
    )
    matched: dict[int, int] = {}
    used: set[int] = set()
    for score, ci, bi in pairs:
        if score < MATCH_THRESHOLD:
            break
        if ci in matched or bi in used:
            continue
        matched[ci] = bi
        used.add(bi)
    return matched


def _list_of_kind(blocks: list[Block], kind: str, warnings: list[str], checks: list[Check]) -> list[_Listed]:
    """Return one kind's items in the order they are numbered, each with the body statement that gives its context."""
    found = collect(blocks, kind)
    warnings += found.left_out
    closing = _summary_list(found)
    if closing is None:
        # Statements spread over the report (causes of concern, "Area for improvement 2" headings), each once.
        listed = [_Listed(item, item, has_context=True) for item in _distinct(found.statements)]
        if listed and kind == RECOMMENDATION and len(found.statements) > 1:
            warnings.append(
                "No closing 'Recommendations' list found; recommendations are numbered "
                "in the order they appear in the body."
            )
        return listed
    in_list = {id(item) for item in closing}
    body = [item for item in found.statements if id(item) not in in_list]
    matched = _match(closing, body)
    listed = []
    for position, item in enumerate(closing):
        source = body[matched[position]] if position in matched else item
        listed.append(_Listed(item, source, has_context=source is not item))
    for index, item in enumerate(body):
        if index in matched.values():
            continue
        # The same statement twice in the body is not a new one.
        if any(similarity(item.text, c.text) >= MATCH_THRESHOLD for c in closing):
            continue
        checks.append(Check(kind, IN_LIST, text=item.text))
    return listed


def _summary_list(found: Found) -> list[Item] | None:
    """Return the list that sums up the report's statements, or None when no list does.

    The summary is the list that repeats most of the statements made elsewhere (the last one, and the longer,
    on a tie). Against other lists, it must repeat more than half of what they hold: one that repeats no
    more is one section's list among others (a cause of concern's recommendations). Against single
    statements ("Recommendation" headings after their evidence, as in HMIC's 2014 reports) repeating any is
    enough: those are stated twice by design, so what the list lacks is what a page break cut from it. A
    list with nothing else to repeat is the summary when it is the only one.
    """
    in_lists = {id(item) for candidate in found.lists for item in candidate}
    best, best_score = None, -1.0
    for candidate in found.lists:
        ids = {id(item) for item in candidate}
        others = _distinct([item for item in found.statements if id(item) not in ids])
        if not others:
            score = 1.0 if len(found.lists) == 1 else 0.0
        else:
            repeated = len(_match(candidate, others)) / len(others)
            needed = 0.5 if any(id(item) in in_lists for item in others) else 0.0
            score = repeated if repeated > needed else 0.0
        if (score, len(candidate)) >= (best_score, len(best or [])):
            best, best_score = candidate, score
    return best if best is not None and best_score > 0 else None


@dataclass
class _Listed:
    """Hold a listed item and the statement that gives it its question and evidence."""

    item: Item
    source: Item
    has_context: bool


def _distinct(items: list[Item]) -> list[Item]:
    """Return the items without repeats of an earlier one's wording."""
    kept: list[Item] = []
    for item in items:
        if not any(similarity(item.text, k.text) >= MATCH_THRESHOLD for k in kept):
            kept.append(item)
    return kept


def parse_report(text: str, *, published: date | None = None) -> ParsedReport:
    """Parse the text of an inspection report into a ParsedReport."""
    if not text or not text.strip():
        raise ReportError("The report text is empty.")
    prepared = prepare_text(text)
    blocks = split_blocks(join_hyphenation(prepared, word_vocabulary(prepared)))
    warnings: list[str] = []
    checks: list[Check] = []
    cover = _parse_cover(blocks)

    lists = {kind: _list_of_kind(blocks, kind, warnings, checks) for kind in (RECOMMENDATION, AREA_FOR_IMPROVEMENT)}
    if not lists[RECOMMENDATION] and not lists[AREA_FOR_IMPROVEMENT]:
        raise ReportError(
            "No recommendations found: the text has no 'Recommendations' list, no 'Recommendation' headings "
            "and no 'Areas for improvement'."
        )
    body_blocks = {b.index for listed in lists.values() for entry in listed for b in entry.source.blocks}
    body_blocks |= {b.index for listed in lists.values() for entry in listed for b in entry.item.blocks}

    printed = cover.published or cover.printed or cover.copyright_year
    if published is not None:
        pub_date, pub_precision = published, "day"
    elif printed is not None:
        pub_date, pub_precision = printed
        if pub_precision == "year":
            warnings.append(
                f"Publication date known only to the year ({pub_date.year}); give --published to get due dates."
            )
    else:
        pub_date, pub_precision = None, None
        warnings.append("No publication date found in the report; give one with --published to get due dates.")

    subject = cover.subject
    is_national = not subject
    if is_national:
        texts = [entry.item.text for entry in lists[RECOMMENDATION]]
        force_worded = sum(bool(_FORCE_WORDING_RE.search(t)) for t in texts)
        if texts and force_worded * 2 > len(texts):
            warnings.append(
                "No force named on the cover although the recommendations address "
                "'the force'; treated as a national report: give the force at import (--force)."
            )

    recommendations = []
    for kind, listed in lists.items():
        label = KIND_WORDS[kind].capitalize()
        for number, entry in enumerate(listed, start=1):
            item, source = entry.item, entry.source
            name = f"{label} {number}"
            # National reviews often state their recommendations only once, and areas for improvement usually are.
            if entry.source is item and not entry.has_context and not is_national and kind == RECOMMENDATION:
                warnings.append(
                    f"{name} ('{short(item.text)}') was not found in the "
                    "body; its inspection question and evidence are blank."
                )
            timeframe, due, due_precision = _timeframe(
                item.text, name, pub_date, pub_precision, warnings, hint=item.timeframe_hint, kind=kind
            )
            if is_national:
                addressees = national_addressees(item.text)
                if not addressees:
                    addressees = (ALL_FORCES,)
                    warnings.append(f"{name}: no addressee recognised; set to all forces, check it.")
            else:
                addressees = (SUBJECT,)
            recommendations.append(
                ParsedRecommendation(
                    number=number,
                    text=item.text,
                    timeframe=timeframe,
                    due_date=due,
                    due_precision=due_precision,
                    addressees=addressees,
                    inspection_question=_question(blocks, source) if entry.has_context else "",
                    evidence=_evidence(blocks, source, body_blocks) if entry.has_context else "",
                    kind=kind,
                )
            )
        checks += list_checks(blocks, [entry.item for entry in listed], kind)

    if printed is not None:
        year: int | None = printed[0].year
    else:
        year = pub_date.year if pub_date else None
    title = cover.title
    if not title:
        warnings.append("No title found on the cover; set it by hand.")
    main_title = cover.main_title
    if main_title and year and not re.search(r"\b(?:19|20)\d{2}$", main_title):
        series = f"{main_title} {year}"
    else:
        series = main_title

    isbn_match = next((m for b in blocks[:_COVER_MAX_BLOCKS] if (m := _ISBN_RE.search(b.clean))), None)
    return ParsedReport(
        title=title,
        series=series,
        subject=subject,
        is_national=is_national,
        published=pub_date,
        published_precision=pub_precision,
        isbn=isbn_match.group("isbn").strip() if isbn_match else "",
        recommendations=tuple(recommendations),
        key_figures=key_figures(blocks),
        warnings=tuple(warnings),
        problems=tuple(problems_for(checks, recommendations)),
        checks=tuple(checks),
    )


def _timeframe(
    text: str,
    name: str,
    pub_date: date | None,
    pub_precision: str | None,
    warnings: list[str],
    *,
    hint: str = "",
    kind: str = RECOMMENDATION,
) -> tuple[str, date | None, str | None]:
    """Return the timeframe phrase and due date of a recommendation, noting problems."""
    found = find_timeframes(text) or find_timeframes(hint)
    if not found:
        # Areas for improvement rarely carry a deadline: no due date is what HMIC wrote, not a gap.
        if kind == RECOMMENDATION:
            warnings.append(f"{name} states no timeframe; no due date set.")
        return "", None, None
    first = found[0]
    if len(found) > 1:
        others = "; ".join(f"'{tf.phrase}'" for tf in found[1:])
        warnings.append(f"{name} has several timeframes; used '{first.phrase}', ignored {others}.")
    if not first.known:
        warnings.append(f"{name}: timeframe '{first.phrase}' not understood; no due date set, enter it by hand.")
        return first.phrase, None, None
    due, precision = due_date_for(first.phrase, pub_date, pub_precision)
    if due is None and pub_date is not None:
        warnings.append(f"{name}: timeframe '{first.phrase}' gives no date; no due date set, enter it by hand.")
        return first.phrase, None, None
    if due is not None and pub_date is not None:
        # The earliest day the publication date allows; a deadline before it is a misreading.
        earliest = pub_date if pub_precision == "day" else pub_date.replace(day=1)
        if pub_precision == "year":
            earliest = pub_date.replace(month=1, day=1)
        if due < earliest:
            warnings.append(f"{name}: due date {due.isoformat()} is before the publication date; check it.")
    return first.phrase, due, precision
