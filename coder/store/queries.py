"""Read-only queries for reports, exports and agreement: many rows, names joined in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..models import Document
from .connection import Connection


@dataclass(frozen=True)
class DocumentSummary:
    """A document with one coder's progress in it, as the document lists show it."""

    document: Document
    coder: str | None
    status: str
    segments: int
    paragraphs_coded: int


@dataclass(frozen=True)
class SegmentRow:
    """A live segment with everything a reader of quotes needs, for exports and agreement."""

    segment_id: int
    guid: str
    document_id: int
    document: str
    paragraph_id: int
    n: int
    kind: str
    speaker: str | None
    paragraph_text: str
    coder: str
    code_key: str
    code_name: str
    start: int | None
    end: int | None
    memo: str | None
    created_at: str

    @property
    def quote(self) -> str:
        if self.start is None:
            return self.paragraph_text
        return self.paragraph_text[self.start : self.end]


# Live segments of current documents with their paragraph, document, code and coder joined:
# what both `segment_rows` and `segment_records` select from, filtered by `_filtered`.
_LIVE_SEGMENTS = """
FROM segments s
JOIN paragraphs p ON p.id = s.paragraph_id
JOIN documents d ON d.id = p.document_id
JOIN codes c ON c.id = s.code_id
JOIN coders cr ON cr.id = s.coder_id
WHERE s.deleted_at IS NULL AND d.superseded_by IS NULL
"""

_SEGMENT_ROW_SELECT = """
SELECT s.id AS segment_id, s.guid, d.id AS document_id, d.name AS document,
       p.id AS paragraph_id, p.n, p.kind, p.speaker, p.text AS paragraph_text,
       cr.name AS coder, c.key AS code_key, c.name AS code_name,
       s.start, s."end" AS "end", s.memo, s.created_at""" + _LIVE_SEGMENTS

_SEGMENT_RECORDS = """
SELECT d.name, p.n, p.speaker, cr.name, c.key, c.name, s.start, s."end",
       CASE WHEN s.start IS NULL THEN p.text
            ELSE substr(p.text, s.start + 1, s."end" - s.start) END,
       s.memo, s.created_at, s.guid""" + _LIVE_SEGMENTS


class CodeTally(NamedTuple):
    """One code's segments among the paragraphs of one speaker (None: nobody's) of one
    document: the smallest group an attribute value can tell apart (see `Store.code_tallies`)."""

    document_id: int
    speaker: str | None
    code_key: str
    segments: int
    paragraphs: int
    words: int


class Coding(NamedTuple):
    """A live segment as the code matrix needs it: where, who and which code, no text."""

    document_id: int
    paragraph_id: int
    speaker: str | None
    coder: str
    code_key: str


class ParagraphHead(NamedTuple):
    """A paragraph without its text: what a row of the code matrix says about it."""

    id: int
    document_id: int
    n: int
    kind: str
    speaker: str | None


def word_count(text: str) -> int:
    """Runs of characters between whitespace, as a word processor counts them."""
    return len(text.split())


# Per stretch (code, paragraph, start) the first coder's segment by name, as reading order
# meets it, with the words of its quote; then summed per document, speaker and code.
_TALLY_STRETCHES = """
SELECT p.document_id AS document_id, p.speaker AS speaker, s.paragraph_id AS paragraph_id,
       c.key AS code_key, min(cr.name), count(*) AS segments,
       coder_word_count(CASE WHEN s.start IS NULL THEN p.text
                             ELSE substr(p.text, s.start + 1, s."end" - s.start) END) AS words
""" + _LIVE_SEGMENTS

_CODINGS = """
SELECT d.id, p.id, p.speaker, cr.name, c.key""" + _LIVE_SEGMENTS

_TALLY = """
SELECT document_id, speaker, code_key, sum(segments), count(DISTINCT paragraph_id), sum(words)
FROM ({stretches} GROUP BY c.key, s.paragraph_id, s.start)
GROUP BY document_id, speaker, code_key"""


def _filtered(
    select: str,
    coders: Sequence[str] | None,
    code_keys: Sequence[str] | None,
    document_ids: Sequence[int] | None,
    speaker: str | None,
    *,
    ordered: bool = True,
) -> tuple[str, list[Any]]:
    """`select` narrowed to these coders, codes, documents and speaker, in reading order
    unless not `ordered`."""
    sql = select
    params: list[Any] = []
    for column, values in (("cr.name", coders), ("c.key", code_keys), ("d.id", document_ids)):
        if values is not None:
            sql += f" AND {column} IN ({','.join('?' * len(values))})"
            params.extend(values)
    if speaker is not None:
        sql += " AND p.speaker = ?"
        params.append(speaker)
    if not ordered:
        return sql, params
    return sql + " ORDER BY d.id, p.n, coalesce(s.start, -1), c.position, cr.name", params


class QueriesMixin(Connection):
    def document_summaries(self, coder: str | None = None) -> list[DocumentSummary]:
        """Every document with one coder's progress, or with totals over all coders."""
        coder_id = self.coder_id(coder, create=False) if coder else None
        out = []
        for doc in self.documents():
            params: list[Any] = [doc.id]
            coder_clause = ""
            if coder_id is not None:
                coder_clause = " AND s.coder_id = ?"
                params.append(coder_id)
            row = self.conn.execute(
                "SELECT count(*) AS segs, count(DISTINCT s.paragraph_id) AS paras FROM segments s"
                " JOIN paragraphs p ON p.id = s.paragraph_id WHERE p.document_id = ?"
                " AND s.deleted_at IS NULL" + coder_clause,
                params,
            ).fetchone()
            status = self.status(coder_id, doc.id) if coder_id is not None else ""
            out.append(DocumentSummary(doc, coder, status, row["segs"], row["paras"]))
        return out

    def segment_rows(
        self,
        *,
        coders: Sequence[str] | None = None,
        code_keys: Sequence[str] | None = None,
        document_ids: Sequence[int] | None = None,
        speaker: str | None = None,
    ) -> list[SegmentRow]:
        """Live segments in reading order, with their paragraph and names joined in."""
        sql, params = _filtered(_SEGMENT_ROW_SELECT, coders, code_keys, document_ids, speaker)
        return [SegmentRow(**dict(r)) for r in self.conn.execute(sql, params)]

    def paragraph_index(
        self, *, include_superseded: bool = False
    ) -> list[tuple[int, int, int, int]]:
        """(document_id, paragraph_id, n, length) for every paragraph of the current
        documents (the units of agreement); older versions only on request."""
        where = "" if include_superseded else " WHERE d.superseded_by IS NULL"
        return [
            (r[0], r[1], r[2], r[3])
            for r in self.conn.execute(
                "SELECT p.document_id, p.id, p.n, length(p.text) FROM paragraphs p"
                " JOIN documents d ON d.id = p.document_id" + where
                + " ORDER BY p.document_id, p.n"
            )
        ]

    def segment_records(
        self,
        *,
        coders: Sequence[str] | None = None,
        code_keys: Sequence[str] | None = None,
        document_ids: Sequence[int] | None = None,
        speaker: str | None = None,
    ) -> list[tuple[Any, ...]]:
        """The rows of `Store.segment_rows` (same filters, same order) as plain tuples
        (document, n, speaker, coder, code_key, code_name, start, end, quote, memo, created_at,
        guid), with the quote cut by SQLite: a CSV of 100,000 segments in about a second.
        SQLite's substr counts characters, as Python's slicing does."""
        sql, params = _filtered(_SEGMENT_RECORDS, coders, code_keys, document_ids, speaker)
        return self._tuples(sql, params)

    def code_tallies(
        self,
        *,
        coders: Sequence[str] | None = None,
        code_keys: Sequence[str] | None = None,
        document_ids: Sequence[int] | None = None,
        speaker: str | None = None,
    ) -> list[CodeTally]:
        """The segments `segment_records` selects (same filters), counted per document,
        speaker and code: segments, paragraphs and the words of the distinct stretches (a
        stretch is a code's segments on one paragraph from one start; its words are those of
        the first coder's segment by name). A few thousand rows where the segments are
        100,000, and no quote leaves SQLite: what `coder crosstab` needs in a fraction of
        the time."""
        self.conn.create_function("coder_word_count", 1, word_count, deterministic=True)
        stretches, params = _filtered(_TALLY_STRETCHES, coders, code_keys, document_ids,
                                      speaker, ordered=False)
        return [CodeTally(*r) for r in self._tuples(_TALLY.format(stretches=stretches), params)]

    def codings(
        self,
        *,
        coders: Sequence[str] | None = None,
        code_keys: Sequence[str] | None = None,
        document_ids: Sequence[int] | None = None,
        speaker: str | None = None,
    ) -> list[Coding]:
        """The segments `segment_rows` selects (same filters, any order) without their text or
        span: all the code matrix needs of them."""
        sql, params = _filtered(_CODINGS, coders, code_keys, document_ids, speaker,
                                ordered=False)
        return [Coding(*r) for r in self._tuples(sql, params)]

    def paragraph_heads(self, document_ids: Sequence[int]) -> dict[int, list[ParagraphHead]]:
        """document_id → its paragraphs in order, without their text, in one query."""
        out: dict[int, list[ParagraphHead]] = {d: [] for d in document_ids}
        if not document_ids:
            return out
        marks = ",".join("?" * len(document_ids))
        for r in self._tuples(
            "SELECT id, document_id, n, kind, speaker FROM paragraphs"
            f" WHERE document_id IN ({marks}) ORDER BY document_id, n", list(document_ids)
        ):
            out[r[1]].append(ParagraphHead(*r))
        return out

    def agreement_codings(
        self, coders: Sequence[str], *, current_definitions: bool = False
    ) -> list[tuple[Any, ...]]:
        """(paragraph_id, coder, code_key, start, end) of the coders' live segments: all that
        `coder agree` needs from them, in one query that never touches the paragraphs' text
        (pair with `agreement_units`, which says which document each paragraph is in).
        Automatic codings count only once their coder confirmed them; with
        `current_definitions`, only codings made under their code's current revision."""
        marks = ",".join("?" * len(coders))
        current = (" AND s.revision_id = (SELECT max(r.id) FROM code_revisions r"
                   " WHERE r.code_id = s.code_id)") if current_definitions else ""
        return self._tuples(
            "SELECT s.paragraph_id, cr.name, c.key, s.start, s.\"end\" FROM segments s"
            " JOIN coders cr ON cr.id = s.coder_id JOIN codes c ON c.id = s.code_id"
            f" WHERE s.deleted_at IS NULL AND cr.name IN ({marks})"
            " AND (s.auto_rule IS NULL OR s.confirmed_at IS NOT NULL)" + current,
            list(coders),
        )

    def agreement_units(self, *, lengths: bool = False) -> list[tuple[Any, ...]]:
        """(document_id, paragraph_id, n, kind) of every paragraph of the current documents, in
        reading order, plus its length in characters when `lengths` (which reads the text)."""
        length = ", length(p.text)" if lengths else ""
        return self._tuples(
            f"SELECT p.document_id, p.id, p.n, p.kind{length} FROM paragraphs p"
            " JOIN documents d ON d.id = p.document_id WHERE d.superseded_by IS NULL"
            " ORDER BY p.document_id, p.n"
        )
