"""What REFI-QDA has no element for, carried for coder alone inside the `.qdpx`.

`coder.json` sits beside `project.qde` in the archive. The standard's XSD only governs
`project.qde`, and other tools read only the entries the project references, so they ignore it
(QualCoder, for one, opens `project.qde` and the `sources/` files it names). It holds, per text
source (by GUID): the title and metadata of the document (page furniture set aside, and so on),
and each paragraph's length, kind, speaker and caption time, so that coder cuts the text exactly
where the paragraphs were, whatever they contain, each coder's document status and reading mark
(how far they read, which agreement counts absence by). For the project it holds what ties
parts of it together that REFI-QDA cannot express: the links of a speaker of a document to a
case (a REFI-QDA case holds whole sources or selections, not a speaker's turns) and the codes
whose sub-codes are exclusive groups. Import uses
a document's entry only when the source text is exactly what the entry describes; a text edited
in another tool is read like any other tool's text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
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
                   statuses: dict[str, str], marks: dict[str, int]) -> dict[str, Any]:
    """One document's entry: `labels[i]` is the `Name: ` label written before paragraph i;
    statuses and reading marks by coder GUID."""
    return {
        "name": doc.name,
        "format": doc.format,
        "meta": {k: v for k, v in doc.meta.items() if k not in _INTERNAL_META},
        "paragraphs": [[len(p.text), p.kind, p.speaker, p.start_time, len(label)]
                       for p, label in zip(paragraphs, labels, strict=True)],
        "statuses": statuses,
        "marks": marks,
    }


def extra_bytes(documents: dict[str, dict[str, Any]], *,
                speaker_cases: Sequence[tuple[str, str, str]] = (),
                exclusive_groups: Sequence[str] = ()) -> bytes:
    """`speaker_cases`: (case GUID, source GUID, speaker); `exclusive_groups`: code GUIDs."""
    body = {"format": EXTRA_FORMAT, "version": EXTRA_VERSION, "documents": documents,
            "speaker_cases": [list(link) for link in speaker_cases],
            "exclusive_groups": list(exclusive_groups)}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def parse_extra(data: bytes) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """(the documents of a `coder.json` by source GUID, its project entries); empty when it is
    not one coder wrote."""
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}, {}
    if not isinstance(body, dict) or body.get("format") != EXTRA_FORMAT:
        return {}, {}
    documents = body.get("documents")
    if not isinstance(documents, dict):
        return {}, {}
    project = {k: body[k] for k in ("speaker_cases", "exclusive_groups") if k in body}
    return {str(k).upper(): v for k, v in documents.items() if isinstance(v, dict)}, project


def speaker_cases_of(project: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(case GUID, source GUID, speaker) of each well-formed speaker link."""
    raw = project.get("speaker_cases")
    return [(str(c).upper(), str(s).upper(), sp) for item in raw
            if isinstance(item, list) and len(item) == 3
            and all(isinstance(x, str) and x for x in item)
            for c, s, sp in [item]] if isinstance(raw, list) else []


def exclusive_groups_of(project: dict[str, Any]) -> list[str]:
    """The code GUIDs whose sub-codes are exclusive groups."""
    raw = project.get("exclusive_groups")
    return [str(g).upper() for g in raw if isinstance(g, str)] if isinstance(raw, list) else []


def marks_of(entry: dict[str, Any]) -> dict[str, int]:
    """{coder GUID: furthest paragraph read} of an entry."""
    raw = entry.get("marks")
    if not isinstance(raw, dict):
        return {}
    return {str(g).upper(): n for g, n in raw.items()
            if isinstance(n, int) and not isinstance(n, bool) and n > 0}


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
