"""Word (.docx) transcripts, read in body order (interop guide B.5).

python-docx opens the package and resolves styles, but its `Paragraph.text` drops tracked
insertions and `iter_inner_content()` skips content controls, so the body XML is walked
here: paragraphs, tables (one paragraph per row; in a `Speaker | Text` table, one per
paragraph of a text cell) and content controls in order, with text
inside `<w:ins>` kept and deleted text left out. Parts that are not read (headers,
footnotes, comments, text boxes) are named in a warning rather than silently missing.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn

from coder.errors import CoderError
from coder.models import ParsedDocument

from . import speakers
from .archive import check_entries
from .units import Unit, finish

_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT = (
    qn("w:p"),
    qn("w:tbl"),
    qn("w:tr"),
    qn("w:tc"),
    qn("w:sdt"),
    qn("w:sdtContent"),
)
_CUSTOM_XML = qn("w:customXml")
_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_NO_BREAK_HYPHEN = qn("w:noBreakHyphen")
_INS = qn("w:ins")
_PPR = qn("w:pPr")
_TXBX = qn("w:txbxContent")
_DELETIONS = frozenset({qn("w:del"), qn("w:moveFrom")})
_SKIP = frozenset(
    {
        qn("w:del"),
        qn("w:delText"),
        qn("w:moveFrom"),
        qn("w:instrText"),
        qn("w:delInstrText"),
        qn("w:rPr"),
        _PPR,
        "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
    }
)
_HEADING_STYLE_RE = re.compile(r"^(?:heading\s*\d|title|subtitle)$", re.IGNORECASE)
_SPEAKER_COLUMN = frozenset({"speaker", "name", "who", "person"})
_TEXT_COLUMN = frozenset({"text", "transcript", "transcription", "utterance", "content", "speech"})
_TIME_COLUMN = frozenset({"time", "timestamp", "start", "start time", "time code", "timecode"})
_STREAM_TIMING_RE = re.compile(
    r"^(\d+:\d{1,2}:\d{1,2}(?:[.,]\d+)?)\s*-->\s*(\d+:\d{1,2}:\d{1,2}(?:[.,]\d+)?)$"
)


class _Walker:
    """Collects units from the body XML and counts what the user should be warned about."""

    def __init__(self, styles: dict[str, str]) -> None:
        self.styles = styles
        self.units: list[Unit] = []
        self.insertions = 0
        self.deletions = 0
        self.text_boxes = 0
        self.controls = 0
        self.position = 0
        self.table_headers: list[list[str]] = []

    def text_of(self, element: Any) -> str:
        parts: list[str] = []
        self._collect(element, parts)
        return "".join(parts)

    def _collect(self, element: Any, parts: list[str]) -> None:
        for child in element:
            tag = child.tag
            if tag in _SKIP:
                if tag in _DELETIONS:
                    self.deletions += 1
                continue
            if tag == _TXBX:
                self.text_boxes += 1
                continue
            if tag == _T:
                parts.append(child.text or "")
            elif tag == _TAB:
                parts.append("\t")
            elif tag in (_BR, _CR):
                if child.get(qn("w:type")) in (None, "textWrapping"):
                    parts.append("\n")
            elif tag == _NO_BREAK_HYPHEN:
                parts.append("-")
            else:
                if tag == _INS and child.find(".//" + _T) is not None:
                    self.insertions += 1
                self._collect(child, parts)

    def block(self, element: Any) -> None:
        for child in element:
            tag = child.tag
            if tag == _P:
                self.paragraph(child)
            elif tag == _TBL:
                self.table(child)
            elif tag in (_SDT, _CUSTOM_XML):
                if tag == _SDT:
                    self.controls += 1
                content = child.find(_SDT_CONTENT) if tag == _SDT else child
                if content is not None:
                    self.block(content)

    def paragraph(self, p: Any) -> None:
        self.position += 1
        text = self.text_of(p)
        if not text.strip():
            return
        kind = None
        meta: dict[str, Any] = {"block": self.position}
        ppr = p.find(_PPR)
        if ppr is not None:
            style = ppr.find(qn("w:pStyle"))
            name = self.styles.get(style.get(qn("w:val")), "") if style is not None else ""
            if name:
                meta["style"] = name
            if _HEADING_STYLE_RE.match(name) or ppr.find(qn("w:outlineLvl")) is not None:
                kind = "heading"
            elif ppr.find(qn("w:numPr")) is not None or name.casefold().startswith("list"):
                kind = "list"
        if (
            kind is None
            and "\n" not in text.strip()
            and (header := speakers.find_header(text.strip())) is not None
            and header[0]
        ):
            self.units.append(
                Unit(
                    text=text.strip(),
                    header=True,
                    speaker=header[0],
                    start_time=header[1],
                    line=None,
                    meta=meta,
                )
            )
        elif kind is None:
            self.units.extend(_split_headed(text.strip(), meta))
        else:
            self.units.append(Unit(text=text.strip(), kind=kind, meta=meta))

    def table(self, tbl: Any) -> None:
        cells = [
            [self._cell_paragraphs(tc) for tc in tr.iter(_TC) if _parent_row(tc) is tr]
            for tr in tbl.iter(_TR)
            if _parent_table(tr) is tbl
        ]
        cells = [r for r in cells if any(r)]
        if not cells:
            return
        rows = [["\n".join(c) for c in r] for r in cells]
        self.position += 1
        columns = _transcript_columns(rows[0])
        table_no = self.position
        if columns is not None:
            self._transcript_table(cells, columns, table_no)
            return
        for i, row in enumerate(rows):
            self.units.append(
                Unit(text="\t".join(row), kind="table", meta={"table": table_no, "row": i + 1})
            )

    def _transcript_table(
        self, cells: list[list[list[str]]], columns: tuple[int, int, int | None], table_no: int
    ) -> None:
        """A `Speaker | Text` table: the header row names columns and is kept in the document's
        metadata, not as a paragraph; each paragraph of a text cell stays a paragraph; a row
        with an empty speaker cell is nobody's, not the row above's."""
        speaker_col, text_col, time_col = columns
        self.table_headers.append(["\n".join(c) for c in cells[0]])
        for i, row in enumerate(cells[1:], start=2):
            if max(columns[:2]) >= len(row) or not row[text_col]:
                self.units.append(Unit(text="\t".join("\n".join(c) for c in row), kind="table",
                                       meta={"table": table_no, "row": i}))
                continue
            name = " ".join(row[speaker_col]).strip() or None
            start = None
            if time_col is not None and time_col < len(row):
                stamp = " ".join(row[time_col]).strip().strip("[]")
                if re.fullmatch(r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?", stamp):
                    start = speakers.parse_seconds(stamp)
            for text in row[text_col]:
                self.units.append(
                    Unit(
                        text=text.strip(),
                        kind="text",
                        speaker=name,
                        start_time=start,
                        meta={"table": table_no, "row": i},
                        alone=name is None,
                    )
                )

    def _cell_paragraphs(self, tc: Any) -> list[str]:
        texts = []
        for child in tc:
            if child.tag == _P:
                texts.append(self.text_of(child))
            elif child.tag == _TBL:
                for tr in child.iter(_TR):
                    texts.append("\t".join("\n".join(self._cell_paragraphs(c))
                                           for c in tr.iter(_TC) if _parent_row(c) is tr))
            elif child.tag == _SDT:
                content = child.find(_SDT_CONTENT)
                if content is not None:
                    texts.extend(self._cell_paragraphs(content))
        return [t for t in texts if t.strip()]


def _parent_row(tc: Any) -> Any:
    node = tc.getparent()
    while node is not None and node.tag != _TR:
        node = node.getparent()
    return node


def _parent_table(tr: Any) -> Any:
    node = tr.getparent()
    while node is not None and node.tag != _TBL:
        node = node.getparent()
    return node


def _transcript_columns(header: list[str]) -> tuple[int, int, int | None] | None:
    """(speaker, text, time) column indexes of a `Time | Speaker | Text` table, if it is one."""
    names = [h.strip().casefold() for h in header]
    speaker = next((i for i, n in enumerate(names) if n in _SPEAKER_COLUMN), None)
    text = next((i for i, n in enumerate(names) if n in _TEXT_COLUMN), None)
    time = next((i for i, n in enumerate(names) if n in _TIME_COLUMN), None)
    if speaker is None or text is None:
        return None
    return speaker, text, time


def _split_headed(text: str, meta: dict[str, Any]) -> list[Unit]:
    """Teams/Stream paragraphs that hold a header line and the speech after a line break."""
    lines = text.split("\n")
    if len(lines) >= 3 and (timing := _STREAM_TIMING_RE.match(lines[0].strip())):
        name = lines[1].strip()
        if name and speakers.find_label(name + ": x") is not None:
            return [
                Unit(
                    text="\n".join(lines[2:]).strip(),
                    kind="text",
                    speaker=name,
                    start_time=speakers.parse_seconds(timing.group(1)),
                    end_time=speakers.parse_seconds(timing.group(2)),
                    meta=meta,
                )
            ]
    if len(lines) >= 2 and (header := speakers.find_header(lines[0])) is not None and header[0]:
        rest = "\n".join(lines[1:]).strip()
        if rest:
            return [
                Unit(text=rest, kind="text", speaker=header[0], start_time=header[1], meta=meta)
            ]
    return [Unit(text=text, meta=meta)]


def _unread_parts(document: Any) -> list[str]:
    """Names of the package parts with text that the body walk does not read."""
    kinds = (
        ("/word/header", "headers"),
        ("/word/footer", "footers"),
        ("/word/footnotes", "footnotes"),
        ("/word/endnotes", "endnotes"),
        ("/word/comments", "comments"),
    )
    found: list[str] = []
    for part in document.part.package.iter_parts():
        name = str(part.partname)
        label = next((label for prefix, label in kinds if name.startswith(prefix)), None)
        if label is None or label in found:
            continue
        element = getattr(part, "element", None)
        if element is not None:
            has_text = any((node.text or "").strip() for node in element.iter(_T))
        else:
            has_text = re.search(rb"<w:t(?:\s[^>]*)?>\s*[^<\s]", part.blob) is not None
        if has_text:
            found.append(label)
    return found


def read_docx(path: Path) -> ParsedDocument:
    check_entries(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise CoderError(
            "Not a valid .docx file: it is not a Word document package (a .docx is a zip file; "
            "an old .doc must be saved as .docx first).",
            path=path,
        ) from None
    except Exception as exc:
        raise CoderError(
            f"Not a valid .docx file ({type(exc).__name__}: {exc}).", path=path
        ) from None

    styles = {s.style_id: s.name for s in document.styles if s.style_id}
    walker = _Walker(styles)
    walker.block(document.element.body)
    if sum(1 for u in walker.units if u.header) < 2:
        for unit in walker.units:
            if unit.header:
                unit.header, unit.speaker, unit.start_time = False, None, None
    if not walker.units:
        raise CoderError("The Word document contains no text.", path=path)

    # A turn typed as a Word bullet (`• P1: …`) is a turn too: its label counts.
    accepted = speakers.accepted_speakers(
        u.text for u in walker.units if u.kind in (None, "list") and u.speaker is None
    )
    paragraphs = finish(walker.units, headings=False, accepted=accepted)
    warnings: list[str] = []
    if walker.insertions or walker.deletions:
        warnings.append(
            f"The document has unaccepted tracked changes: {walker.insertions} insertion(s) were "
            f"read as text and {walker.deletions} deletion(s) were left out. Accept or reject "
            "the changes in Word to be sure the text is final."
        )
    unread = _unread_parts(document)
    if walker.text_boxes:
        unread.append("text boxes")
    if unread:
        warnings.append("Not imported (only the main text is read): " + ", ".join(unread) + ".")
    meta: dict[str, Any] = {}
    if walker.controls:
        meta["content_controls"] = walker.controls
    if walker.table_headers:
        meta["transcript_table_headers"] = walker.table_headers
    title = (document.core_properties.title or "").strip()
    if title:
        meta["title"] = title
    return ParsedDocument(format="docx", paragraphs=paragraphs, warnings=warnings, meta=meta)
