"""Small value types shared by the layers.

Ingest produces `ParagraphIn`s inside a `ParsedDocument`; the store hands back
`Document`, `Paragraph`, `Code` and `Segment` rows. None of them knows about SQL or Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PARAGRAPH_KINDS = ("text", "heading", "table", "list", "quote")


@dataclass(frozen=True)
class ParagraphIn:
    """One paragraph as an importer found it, before it has a database identity."""

    text: str
    kind: str = "text"
    speaker: str | None = None
    start_time: float | None = None
    end_time: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedDocument:
    """What an importer returns: the paragraphs, and what the user should be told.

    `meta` keeps what was taken out of the reading flow (PDF page furniture, caption cue ids)
    so that no text of the source is ever silently lost.
    """

    format: str
    paragraphs: list[ParagraphIn]
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    id: int
    name: str
    source_path: str | None
    content_hash: str
    format: str
    n_paragraphs: int
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """What a write-up cites: the title the document gives itself or the user set, else
        the name made readable."""
        title = self.meta.get("title")
        return title if isinstance(title, str) and title.strip() else readable_name(self.name)


def readable_name(name: str) -> str:
    """`care-leavers-plymouth-blog` as `Care leavers plymouth blog`."""
    words = " ".join(name.replace("_", " ").replace("-", " ").split())
    return words[:1].upper() + words[1:] if words else name


@dataclass(frozen=True)
class Paragraph:
    id: int
    document_id: int
    n: int
    kind: str
    speaker: str | None
    text: str
    start_time: float | None = None


@dataclass(frozen=True)
class Code:
    id: int
    key: str
    name: str
    parent_id: int | None
    path: str
    color: str | None = None
    shortcut: str | None = None
    definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    example: str = ""
    position: int = 0
    guid: str = ""


@dataclass(frozen=True)
class Segment:
    """A code applied by one coder to a paragraph, or to `[start, end)` inside it."""

    id: int
    paragraph_id: int
    code_id: int
    coder_id: int
    start: int | None
    end: int | None
    memo: str | None
    created_at: str
    updated_at: str

    @property
    def is_span(self) -> bool:
        return self.start is not None


@dataclass(frozen=True)
class Attribute:
    """A property declared once with its type (`region`: text), with values on documents
    and cases."""

    id: int
    name: str
    type: str
    guid: str


@dataclass(frozen=True)
class Case:
    """A participant, site or organisation that speaks in one or more documents."""

    id: int
    name: str
    description: str
    guid: str
