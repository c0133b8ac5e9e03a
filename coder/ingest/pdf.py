"""PDF files read directly with pypdf, then rebuilt by the PDF-text rules (interop guide B.6).

pypdf gives each page's text as printed lines, one newline apart. They are laid out the way
`pdftotext` output reaches coder (every line followed by a blank line, pages apart by a run of
blank lines), so the same reflow, page-furniture and hyphen rules apply to both; runs of spaces
between words (the word spacing of justified lines) become one. Text that is an entry of the
PDF's outline (its bookmarks, which is how a PDF marks its headings) becomes a heading of its
own. A PDF without a text layer is refused: coder does no OCR.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from coder.errors import CoderError
from coder.models import ParagraphIn, ParsedDocument

from .pdftext import reflow

PAGE_BREAK = "\n\n\n\n"
_SPACES = re.compile(r"(?<=\S) {2,}(?=\S)")  # word spacing of justified lines, not text


def _outline_titles(items: Any, out: set[str]) -> set[str]:
    for item in items or []:
        if isinstance(item, list):
            _outline_titles(item, out)
        else:
            title = " ".join(str(getattr(item, "title", "") or "").split())
            if title:
                out.add(title)
    return out


def _split_headings(p: ParagraphIn, titles: set[str]) -> list[ParagraphIn]:
    """A paragraph that is, starts or ends with a bookmarked heading, cut there: reflow joins
    a heading to the paragraph before it when that paragraph's last line is full."""
    if p.kind != "text" or not titles:
        return [p]
    if p.text in titles:
        return [replace(p, kind="heading")]
    for title in sorted(titles, key=len, reverse=True):
        if p.text.endswith(" " + title):
            head = p.text[: -len(title) - 1].rstrip()
            return [*_split_headings(replace(p, text=head), titles),
                    replace(p, text=title, kind="heading", speaker=None)]
        if p.text.startswith(title + " "):
            rest = p.text[len(title) + 1:].lstrip()
            return [replace(p, text=title, kind="heading", speaker=None),
                    *_split_headings(replace(p, text=rest), titles)]
    return [p]


def pdf_pages(path: Path) -> tuple[list[str], set[str]]:
    """(text of each page, outline titles) of a PDF file."""
    import pypdf
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise CoderError("The PDF is password-protected; save an unprotected copy first.",
                             path=path)
        pages = [page.extract_text() or "" for page in reader.pages]
        try:
            titles = _outline_titles(reader.outline, set())
        except (PdfReadError, KeyError, ValueError, TypeError):
            titles = set()
    except CoderError:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        raise CoderError(f"Cannot read this PDF ({exc}).", path=path) from None
    return pages, titles


def read_pdf(path: Path) -> ParsedDocument:
    pages, titles = pdf_pages(path)
    if not any(page.strip() for page in pages):
        raise CoderError(
            "This PDF has no text layer (it is probably a scan); coder does not do OCR, so run "
            "it through OCR first and import the result.", path=path)
    text = PAGE_BREAK.join(
        "\n\n".join(_SPACES.sub(" ", line.rstrip()) for line in page.replace("\r\n", "\n").split("\n")
                    if line.strip())
        for page in pages if page.strip())
    result = reflow(text, "pdf-text")
    paragraphs = [q for p in result.paragraphs for q in _split_headings(p, titles)]
    meta: dict[str, object] = {"layout": result.layout, "wrap_width": result.width,
                               "pages": len(pages)}
    if result.furniture:
        meta["furniture"] = result.furniture
    warnings = [w for w in result.warnings if "looks hard-wrapped" not in w]
    warnings.insert(0, f"Read {len(pages)} page(s) of the PDF's text layer: printed lines were "
                       "joined into paragraphs; hyphens at line ends were kept.")
    return ParsedDocument("pdf", paragraphs, warnings, meta)
