"""Turn uploaded or stored files into report text."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from ._model import ReportError
from ._pages import join_pages

if TYPE_CHECKING:
    from pypdf import PageObject

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
PDF_SUFFIXES = frozenset({".pdf"})

# Bytes that never occur in real text files; tab, LF, CR and FF are allowed.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
# A few stray control bytes survive some conversions; more than this is junk.
_MAX_CONTROL_RATIO = 0.01


def read_report_text(path: str | Path) -> str:
    """Read a .txt/.md or .pdf report from disk and return its text."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReportError(f"No such file: {path}") from None
    except IsADirectoryError:
        raise ReportError(f"Not a file: {path}") from None
    except OSError as exc:
        raise ReportError(f"Cannot read {path}: {exc.strerror or exc}") from None
    return extract_text_from_bytes(data, path.name)


def extract_text_from_bytes(data: bytes, filename: str) -> str:
    """Return the text of an uploaded report given its bytes and file name."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in TEXT_SUFFIXES | PDF_SUFFIXES:
        shown = suffix or "(none)"
        raise ReportError(f"Unsupported file type {shown}; upload a .txt, .md or .pdf file.")
    if not data or not data.strip():
        raise ReportError("The file is empty.")
    # Trust the content over the name: a PDF saved as .txt is still a PDF.
    if data.lstrip()[:5] == b"%PDF-":
        return _pdf_text(data)
    if suffix in PDF_SUFFIXES:
        raise ReportError("Not a valid PDF (it does not start with %PDF-).")
    return _decode_text(data)


def _decode_text(data: bytes) -> str:
    """Decode strict UTF-8 text, rejecting binary content with a clear message."""
    if b"\x00" in data:
        raise ReportError("This is a binary file, not text.")
    controls = sum(data.count(bytes([b])) for b in _CONTROL_BYTES)
    if controls > max(1, len(data) * _MAX_CONTROL_RATIO):
        raise ReportError("This is a binary file, not text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex().upper()
        raise ReportError(
            f"Not valid UTF-8 text (byte 0x{bad} at position {exc.start}); save it as UTF-8 and try again."
        ) from None
    if not text.strip():
        raise ReportError("The file is empty.")
    return text


def _pdf_text(data: bytes) -> str:
    """Extract the text layer of a PDF with pypdf, page by page."""
    # Imported here so that .txt/.md reports parse even where pypdf is missing.
    from pypdf import PdfReader

    # pypdf logs recoverable damage at WARNING; the caller only needs our error.
    pypdf_logger = logging.getLogger("pypdf")
    old_level = pypdf_logger.level
    pypdf_logger.setLevel(logging.ERROR)
    try:
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise ReportError("The PDF is password-protected.")
            pages = [_page_text(page) for page in reader.pages]
        except ReportError:
            raise
        except Exception as exc:  # damaged PDFs make pypdf raise almost anything
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ReportError(f"Cannot read the PDF ({detail}).") from None
    finally:
        pypdf_logger.setLevel(old_level)
    if not pages:
        raise ReportError("The PDF has no pages.")
    if not any(page.strip() for page in pages):
        raise ReportError("The PDF has no text layer (scanned pages?); run it through OCR or upload a text version.")
    return join_pages(pages, layout=True)


def _page_text(page: PageObject) -> str:
    """Return one page's text laid out as printed, so that gaps, indents and columns can be read."""
    # Layout mode turns vertical gaps into blank lines, which the parser
    # relies on to tell paragraphs and headings apart.
    try:
        return page.extract_text(extraction_mode="layout")
    except Exception:  # layout mode is newer and stricter; plain mode copes
        return page.extract_text() or ""
