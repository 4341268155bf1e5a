"""Lay seed reports out on pages, as text with form feeds or as PDFs rendered with fpdf2, for the page tests."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tests.seeds import SEEDS

# Published days from shared/seeds/README.md; the printed months would do, but days make due dates exact.
PUBLISHED = {
    "000_53efe708a084475f.txt": date(2014, 11, 27),
    "001_56e6d8f7efdea81c.txt": date(2014, 11, 27),
    "002_0c17390bed78af83.txt": date(2014, 11, 27),
    "003_cdb7c5f2cfc2a177.txt": date(2011, 12, 13),
    "004_b223533a9aa4004e.txt": date(2014, 11, 27),
}
SEED_NAMES = sorted(PUBLISHED)

WIDTH = 88
LINES_PER_PAGE = 48
INDENT = "   "
_BULLET_RE = re.compile(r"^(?:[-*•]\s+|\(?\d{1,2}[.)]\s+)")
_REC_HEADING_RE = re.compile(r"^(?:#+\s*)?recommendations\s*$", re.IGNORECASE)

REPORT_HEADER = "Police Integrity and Corruption – {subject}"
REPORT_FOOTER = "{page}"
BROWSER_HEADER = "01/12/2026, 14:03          {title}"
BROWSER_FOOTER = "https://www.justiceinspectorates.gov.uk/hmic/publications/{slug}/          {page}/{pages}"


@dataclass(frozen=True)
class Line:
    """Hold one printed line of a page and whether it hangs under a bullet."""

    text: str
    indented: bool = False


def seed_text(name: str) -> str:
    """Return the text of one seed report."""
    return (SEEDS / name).read_text(encoding="utf-8")


def wrap(text: str, width: int = WIDTH) -> list[Line]:
    """Wrap each source line to the page width, indenting the continuation lines of list items."""
    lines: list[Line] = []
    in_item = False
    for raw in text.replace("\r\n", "\n").split("\n"):
        stripped = raw.strip()
        if not stripped:
            in_item = False
            lines.append(Line(""))
            continue
        bullet = bool(_BULLET_RE.match(stripped))
        hanging = in_item and not bullet
        in_item = in_item or bullet
        # Tabbed lines (contents) keep their tab stops, as a converter would.
        pieces = [stripped] if "\t" in raw else textwrap.wrap(stripped, width, break_on_hyphens=False) or [stripped]
        for number, piece in enumerate(pieces):
            lines.append(Line(piece, indented=hanging or (in_item and number > 0)))
    return lines


def closing_list(lines: list[Line]) -> range:
    """Return the positions of the closing Recommendations list: its heading to its last item's last line."""
    start = max(i for i, line in enumerate(lines) if _REC_HEADING_RE.match(line.text.strip()))
    end = start
    seen_bullet = False
    for position in range(start + 1, len(lines)):
        line = lines[position]
        if not line.text:
            continue
        if _BULLET_RE.match(line.text) or line.indented:
            seen_bullet = True
            end = position
        elif seen_bullet:
            break
        else:
            end = position  # the list's introduction
    return range(start, end + 1)


def paginate(lines: list[Line], break_before: int, per_page: int = LINES_PER_PAGE) -> list[list[Line]]:
    """Cut lines into pages of at most per_page lines so that one page starts at break_before."""
    cuts = sorted({*range(break_before, 0, -per_page), *range(break_before, len(lines), per_page)} - {0})
    bounds = [0, *cuts, len(lines)]
    return [lines[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def furnish(
    pages: list[list[Line]], *, header: str, footer: str, cover: bool = True, **fields: str
) -> list[list[Line]]:
    """Add a running header and footer to every page (the cover too unless cover=False)."""
    furnished = []
    for number, page in enumerate(pages, start=1):
        values = {**fields, "page": str(number), "pages": str(len(pages))}
        top = [] if number == 1 and not cover else [Line(header.format(**values)), Line("")]
        bottom = [] if number == 1 and not cover else [Line(""), Line(footer.format(**values))]
        furnished.append([*top, *page, *bottom])
    return furnished


def as_text(pages: list[list[Line]]) -> str:
    """Join pages with form feeds, indenting hanging lines."""
    return "\f".join("\n".join(INDENT * line.indented + line.text for line in page) for page in pages)


def _font_path() -> Path | None:
    """Return a Unicode TrueType font on this machine, if any."""
    for candidate in (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    ):
        if Path(candidate).is_file():
            return Path(candidate)
    return None


UNICODE_FONT = _font_path()
_LATIN1 = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "•": "-", "…": "..."})


def _pdf(orientation: str = "P"):
    """Return an fpdf2 document set up with a font, without automatic page breaks."""
    from fpdf import FPDF

    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(12, 10, 12)
    if UNICODE_FONT is not None:
        pdf.add_font("body", fname=str(UNICODE_FONT))
        pdf.set_font("body", size=9)
    else:
        pdf.set_font("helvetica", size=9)
    return pdf


def _printable(text: str) -> str:
    """Return text the chosen font can show."""
    if UNICODE_FONT is not None:
        return text
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def render_pdf(pages: list[list[Line]]) -> bytes:
    """Render pages of lines as a PDF, one printed line per text line, tabs as wide gaps."""
    pdf = _pdf()
    line_height = 5.4
    for page in pages:
        pdf.add_page()
        y = 10.0
        for line in page:
            if line.text:
                x = 12 + (6 if line.indented else 0)
                for part_no, part in enumerate(line.text.split("\t")):
                    if part:
                        pdf.text(x + 150 * (part_no > 0), y, _printable(part))
            y += line_height
    return bytes(pdf.output())


def render_two_columns(left: list[str], right: list[str], *, header: str = "", footer: str = "") -> bytes:
    """Render one page with two text columns ("" = paragraph gap), left column first."""
    pdf = _pdf()
    pdf.add_page()
    if header:
        pdf.text(12, 10, _printable(header))
    for x, column in ((12, left), (110, right)):
        y = 22.0
        for line in column:
            if line:
                pdf.text(x, y, _printable(line))
            y += 5.4
    if footer:
        pdf.text(100, 287, _printable(footer))
    return bytes(pdf.output())


def slug(name: str) -> str:
    """Return a URL-like slug for a seed's browser footer."""
    return "police-integrity-and-corruption-" + name[:3]
