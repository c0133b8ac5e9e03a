"""What REFI-QDA has no element for, carried for coder alone inside the `.qdpx`.

`coder.json` sits beside `project.qde` in the archive. The standard's XSD only governs
`project.qde`, and other tools read only the entries the project references, so they ignore it
(QualCoder, for one, opens `project.qde` and the `sources/` files it names). It holds, per text
source (by GUID): the title and metadata of the document (page furniture set aside, and so on),
and each paragraph's length, kind, speaker and caption time, so that coder cuts the text exactly
where the paragraphs were, whatever they contain, and each coder's document status. Import uses
a document's entry only when the source text is exactly what the entry describes; a text edited
in another tool is read like any other tool's text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..models import Document, Paragraph
from ..store import STATUSES
from ..vocab import ParagraphKind

EXTRA_ENTRY = "coder.json"
EXTRA_FORMAT = "coder-qdpx-extra"
EXTRA_VERSION = 1
_INTERNAL_META = ("refi_guid", "refi_name", "positions")
_KINDS = tuple(ParagraphKind)  # a tuple: membership by equality, so an unhashable JSON value is refused, not raised on


@dataclass
class ExtraParagraph:
    length: int
    kind: str
    speaker: str | None
    start_time: float | None


def document_extra(doc: Document, paragraphs: list[Paragraph], labels: list[str],
                   statuses: dict[str, str]) -> dict[str, Any]:
    """One document's entry: `labels[i]` is the `Name: ` label written before paragraph i."""
    return {
        "name": doc.name,
        "format": doc.format,
        "meta": {k: v for k, v in doc.meta.items() if k not in _INTERNAL_META},
        "paragraphs": [[len(p.text), p.kind, p.speaker, p.start_time, len(label)]
                       for p, label in zip(paragraphs, labels, strict=True)],
        "statuses": statuses,
    }


def extra_bytes(documents: dict[str, dict[str, Any]]) -> bytes:
    body = {"format": EXTRA_FORMAT, "version": EXTRA_VERSION, "documents": documents}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def parse_extra(data: bytes) -> dict[str, dict[str, Any]]:
    """The documents of a `coder.json`, by source GUID; {} when it is not one coder wrote."""
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    if not isinstance(body, dict) or body.get("format") != EXTRA_FORMAT:
        return {}
    documents = body.get("documents")
    if not isinstance(documents, dict):
        return {}
    return {str(k).upper(): v for k, v in documents.items() if isinstance(v, dict)}


def cuts_from_extra(text: str, entry: dict[str, Any], separator: str
                    ) -> list[tuple[int, int, ExtraParagraph]] | None:
    """(start, end, paragraph) of each paragraph of `text` as the entry describes it, or None
    unless the entry accounts for every character of the text exactly."""
    rows = entry.get("paragraphs")
    if not isinstance(rows, list):
        return None
    out: list[tuple[int, int, ExtraParagraph]] = []
    pos = 0
    for i, row in enumerate(rows):
        if not (isinstance(row, list) and len(row) == 5):
            return None
        length, kind, speaker, start_time, label = row
        if not (isinstance(length, int) and isinstance(label, int) and length >= 0
                and label >= 0 and kind in _KINDS
                and (speaker is None or isinstance(speaker, str))
                and (start_time is None or isinstance(start_time, int | float))):
            return None
        if i:
            if text[pos:pos + len(separator)] != separator:
                return None
            pos += len(separator)
        if label and text[pos:pos + label] != f"{speaker}: ":
            return None
        start = pos + label
        pos = start + length
        if pos > len(text):
            return None
        out.append((start, pos, ExtraParagraph(length, kind, speaker, start_time)))
    return out if pos == len(text) else None


def statuses_of(entry: dict[str, Any]) -> dict[str, str]:
    """{coder GUID: status} of an entry, only statuses coder knows."""
    raw = entry.get("statuses")
    if not isinstance(raw, dict):
        return {}
    return {str(g).upper(): s for g, s in raw.items() if s in STATUSES}


def format_of(entry: dict[str, Any]) -> str:
    value = entry.get("format")
    return value if isinstance(value, str) and value else "qdpx"


def meta_of(entry: dict[str, Any]) -> dict[str, Any]:
    meta = entry.get("meta")
    return dict(meta) if isinstance(meta, dict) else {}
