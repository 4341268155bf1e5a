"""Compare PDF text libraries on seed reports rendered as PDFs: recommendations recovered, columns, ligatures, speed.

Run from the checkout: .venv/bin/python scripts/measure_pdf_readers.py. Besides requirements-dev.txt it needs the
two challengers, which the app does not use: pip install pypdfium2==5.15.2 pdfplumber==0.11.10.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.report_corpus import (  # noqa: E402
    BROWSER_FOOTER,
    BROWSER_HEADER,
    PUBLISHED,
    REPORT_FOOTER,
    REPORT_HEADER,
    SEED_NAMES,
    closing_list,
    furnish,
    paginate,
    render_pdf,
    render_two_columns,
    seed_text,
    slug,
    wrap,
)
from tracker.report_parser import parse_report  # noqa: E402
from tracker.report_parser._pages import join_pages  # noqa: E402
from tracker.report_parser._text import prepare_text  # noqa: E402

# Every fourth break position in each closing list, both footer styles.
STEP = 4


def pypdf_layout(data: bytes) -> tuple[list[str], bool]:
    """Return page texts from pypdf's layout mode (and that they are laid out)."""
    from pypdf import PdfReader

    return [page.extract_text(extraction_mode="layout") for page in PdfReader(io.BytesIO(data)).pages], True


def pypdfium2_text(data: bytes) -> tuple[list[str], bool]:
    """Return page texts from PDFium (no layout mode: reading order, no blank lines)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return [document[i].get_textpage().get_text_range().replace("\r\n", "\n") for i in range(len(document))], False
    finally:
        document.close()


def pdfplumber_layout(data: bytes) -> tuple[list[str], bool]:
    """Return page texts from pdfplumber's layout mode."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text(layout=True) for page in pdf.pages], True


READERS: dict[str, Callable[[bytes], tuple[list[str], bool]]] = {
    "pypdf (layout)": pypdf_layout,
    "pypdfium2": pypdfium2_text,
    "pdfplumber (layout)": pdfplumber_layout,
}


def _recommendations(text: str, name: str) -> list[tuple[str, object]]:
    """Return a report's recommendations as (text, due date) pairs."""
    try:
        report = parse_report(text, published=PUBLISHED[name])
    except Exception:
        return []
    return [(r.text, r.due_date) for r in report.recommendations]


def corpus() -> list[tuple[str, bytes]]:
    """Return (seed name, PDF bytes) for each seed, break position and footer style."""
    documents = []
    for name in SEED_NAMES:
        lines = wrap(seed_text(name))
        for position in list(closing_list(lines))[::STEP]:
            pages = paginate(lines, position)
            report = furnish(pages, header=REPORT_HEADER, footer=REPORT_FOOTER, cover=False, subject="Police")
            browser = furnish(pages, header=BROWSER_HEADER, footer=BROWSER_FOOTER, title="Report", slug=slug(name))
            documents += [(name, render_pdf(report)), (name, render_pdf(browser))]
    return documents


def main() -> None:
    """Print one line of figures per library."""
    documents = corpus()
    expected = {name: _recommendations(seed_text(name), name) for name in SEED_NAMES}
    pages_total = 0
    columns = render_two_columns(
        ["Left column opens here and", "carries on down the page.", "", "Left column ends."],
        ["Right column starts after", "the left column is read.", "", "The notiﬁable ﬂow ends."],
    )
    print(f"{len(documents)} documents from {len(SEED_NAMES)} seeds")
    for label, reader in READERS.items():
        exact = 0
        seconds = 0.0
        pages_total = 0
        for name, data in documents:
            start = time.perf_counter()
            pages, layout = reader(data)
            seconds += time.perf_counter() - start
            pages_total += len(pages)
            text = join_pages(pages, layout=layout)
            exact += _recommendations(text, name) == expected[name]
        pages, layout = reader(columns)
        raw = "\n".join(pages)
        text = prepare_text(join_pages(pages, layout=layout))
        in_order = text.find("Left column ends.") < text.find("Right column starts") != -1
        print(
            f"{label}: {exact}/{len(documents)} exact; two columns in order: {in_order}; "
            f"ligature kept as U+FB01: {'ﬁ' in raw}, reads 'notifiable': {'notifiable' in text}; "
            f"{1000 * seconds / pages_total:.1f} ms/page"
        )


if __name__ == "__main__":
    main()
