"""Transcript importers: one call turns a file into paragraphs ready for coding.

`read_document` is pure (no database, no printing): it returns a `ParsedDocument` whose
warnings tell the user what was guessed or set aside, and raises `CoderError` for a file it
cannot read, in one sentence naming the file.
"""

from __future__ import annotations

import gc
import io
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from coder.errors import CoderError
from coder.models import ParsedDocument

from ..vocab import ParagraphKind
from .captions import read_captions
from .decoding import decode_text
from .pdftext import detect_layout, reflow
from .plaintext import read_plain
from .speakers import confirmed_speakers, unify_speakers

__all__ = ["FORMATS", "SUPPORTED_SUFFIXES", "collector_paused", "read_document"]

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".markdown", ".vtt", ".srt", ".docx",
                                       ".pdf")
FORMATS: tuple[str, ...] = ("text", "markdown", "pdf-text", "turns", "vtt", "srt", "docx", "pdf")

_BY_SUFFIX = {
    ".txt": None,
    ".md": "markdown",
    ".markdown": "markdown",
    ".vtt": "vtt",
    ".srt": "srt",
    ".docx": "docx",
    ".pdf": "pdf",
}
_ADVICE = {
    ".doc": " (save an old .doc file as .docx in Word first)",
    ".rtf": " (save an .rtf file as .docx or .txt first)",
    ".odt": " (save an .odt file as .docx first)",
}


def read_document(path: Path, *, format: str | None = None,
                  speakers: Iterable[str] = ()) -> ParsedDocument:
    """Read a transcript; `format` forces one of `FORMATS` instead of guessing from the file,
    and `speakers` names labels to take as speakers even when heard only once."""
    with collector_paused(), confirmed_speakers(speakers):
        parsed = _read_document(path, format)
        parsed.paragraphs = unify_speakers(parsed.paragraphs)
    return parsed


@contextmanager
def collector_paused() -> Iterator[None]:
    """Reading makes a few objects per line and frees none of them until the end, so the
    cyclic garbage collector would walk an ever larger heap again and again for nothing:
    with it running, a 100,000-paragraph file took half as long again per paragraph as a
    20,000-paragraph one. It resumes after (unless something else had paused it) and
    collects then whatever is garbage. An import of many files pauses it for the batch."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_binary(path: Path, fmt: str) -> ParsedDocument:
    """PDF and Word readers pull in pypdf or python-docx and lxml: only files of theirs pay for them."""
    if fmt == "pdf":
        from .pdf import read_pdf

        return read_pdf(path)
    from .word import read_docx

    return read_docx(path)


def _read_document(path: Path, format: str | None) -> ParsedDocument:
    path = Path(path)
    if format is not None and format not in FORMATS:
        raise CoderError(
            f"Unknown format {format!r}; choose one of: {', '.join(FORMATS)}.", path=path
        )
    if not path.exists():
        raise CoderError("No such file.", path=path)
    if path.is_dir():
        raise CoderError("This is a directory; give the path of a transcript file.", path=path)
    suffix = path.suffix.casefold()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CoderError(f"Cannot read the file: {exc.strerror or exc}.", path=path) from None
    if size > MAX_SOURCE_BYTES:
        raise CoderError(
            f"The file is {size / MB:.0f} MB; coder imports files up to "
            f"{MAX_SOURCE_BYTES // MB} MB (a whole year of transcripts is far less): split it "
            "into documents.", path=path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CoderError(f"Cannot read the file: {exc.strerror or exc}.", path=path) from None
    sniffed = sniff_container(data)
    if format is None and sniffed is None and suffix and suffix not in _BY_SUFFIX:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise CoderError(
            f"Cannot import {suffix} files{_ADVICE.get(suffix, '')}; supported formats are "
            f"{supported}.",
            path=path,
        )
    if not data.strip():
        raise CoderError("The file is empty (nothing but whitespace).", path=path)

    fmt = format if format is not None else (sniffed or _BY_SUFFIX.get(suffix))
    if fmt in ("pdf", "docx"):
        parsed = _read_binary(path, fmt)
        if format is None and _BY_SUFFIX.get(suffix, "?") != fmt:
            parsed.warnings.insert(0, f"The file is a {_NAMES[fmt]} although its name ends in "
                                      f"{suffix or 'nothing'}; it was read as one.")
        return _find_title(parsed)
    text, warnings = decode_text(data, path)
    if not text.strip():
        raise CoderError("The file is empty (nothing but whitespace).", path=path)
    if fmt is None:
        fmt = _sniff(text)
    if fmt in ("vtt", "srt"):
        parsed = read_captions(text, fmt, path)
    else:
        parsed = _read_text(text, fmt)
    parsed.warnings[:0] = warnings
    if not parsed.paragraphs:
        raise CoderError("The file contains no paragraphs of text.", path=path)
    _find_title(parsed)
    return parsed


_NAMES = {"pdf": "PDF", "docx": "Word document (.docx)"}


def sniff_container(data: bytes) -> str | None:
    """"pdf" or "docx" when the bytes are one, whatever the file is called."""
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if "word/document.xml" in zf.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            return None
    return None


TITLE_MAX_CHARS = 120
MB = 1024 * 1024
# Checked before reading: parsing holds about ten times a text's size in memory at its peak.
MAX_SOURCE_BYTES = 128 * MB


def _find_title(parsed: ParsedDocument) -> ParsedDocument:
    """Reports cite documents by title; most transcripts and notes open with one as a heading.

    Only a short one-line heading among the first three paragraphs counts: a heading further
    down names a section, not the document.
    """
    if "title" not in parsed.meta:
        for p in parsed.paragraphs[:3]:
            text = p.text.strip()
            if p.kind == ParagraphKind.HEADING and text and "\n" not in text and len(text) <= TITLE_MAX_CHARS:
                parsed.meta["title"] = text
                break
    return parsed


def _sniff(text: str) -> str | None:
    """Caption files saved as .txt are read as captions."""
    head = text.lstrip("\ufeff")
    if head.startswith("WEBVTT"):
        return "vtt"
    lines = head.lstrip("\n").split("\n", 2)
    if len(lines) >= 2 and lines[0].strip().isdigit() and "-->" in lines[1]:
        return "srt"
    return None


def _read_text(text: str, fmt: str | None) -> ParsedDocument:
    """Plain or Markdown text; PDF-extracted or hard-wrapped text is re-flowed (B.6)."""
    layout = None
    if fmt == "pdf-text":
        layout = "pdf-text"
    elif fmt in (None, "turns"):
        layout = detect_layout(text)
    if layout is not None:
        result = reflow(text, layout)
        speakers_found = any(p.speaker for p in result.paragraphs)
        meta: dict[str, object] = {"layout": result.layout, "wrap_width": result.width}
        if result.furniture:
            meta["furniture"] = result.furniture
        name = "turns" if speakers_found else ("pdf-text" if layout == "pdf-text" else "text")
        return ParsedDocument(name, result.paragraphs, result.warnings, meta)
    plain = read_plain(text, markdown=fmt == "markdown")
    meta = {"furniture": plain.furniture} if plain.furniture else {}
    if fmt == "markdown":
        name = "markdown"
    elif plain.has_speakers:
        name = "turns"
    else:
        name = "text"
    return ParsedDocument(name, plain.paragraphs, plain.warnings, meta)
