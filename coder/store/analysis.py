"""Reads for analysis in the app and the write-up: coding counts grouped for a matrix, and
every memo in the project with where it was written. Both read many rows in one query, so the
code view, the matrix and the memo view open at once on a large project."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from .connection import Connection
from .queries import _LIVE_SEGMENTS, _filtered


@dataclass(frozen=True)
class MemoRow:
    """A paragraph memo (no code) or a coding memo (its code and quote), with its context."""

    document_id: int
    document: str
    paragraph_id: int
    n: int
    speaker: str | None
    coder: str
    code_key: str | None
    code_name: str | None
    quote: str
    memo: str
    updated_at: str

    @property
    def kind(self) -> str:
        return "paragraph" if self.code_key is None else "coding"


class QuoteRow(NamedTuple):
    """A live segment as the code view lists it: where, who, and the quote cut by SQLite
    (a tuple, so that thousands of them come back in a blink)."""

    document_id: int
    document: str
    paragraph_id: int
    n: int
    speaker: str | None
    coder: str
    code_name: str
    quote: str
    memo: str | None
    segment_id: int


_QUOTES = """
SELECT d.id, d.name, p.id, p.n, p.speaker, cr.name, c.name,
       CASE WHEN s.start IS NULL THEN p.text
            ELSE substr(p.text, s.start + 1, s."end" - s.start) END,
       s.memo, s.id""" + _LIVE_SEGMENTS


_MEMOS = """
SELECT d.id, d.name, p.id, p.n, p.speaker, cr.name, NULL, NULL, p.text, m.memo, m.updated_at
FROM paragraph_memos m
JOIN paragraphs p ON p.id = m.paragraph_id
JOIN documents d ON d.id = p.document_id
JOIN coders cr ON cr.id = m.coder_id
WHERE d.superseded_by IS NULL AND m.memo <> ''{coder}
UNION ALL
SELECT d.id, d.name, p.id, p.n, p.speaker, cr.name, c.key, c.name,
       CASE WHEN s.start IS NULL THEN p.text
            ELSE substr(p.text, s.start + 1, s."end" - s.start) END,
       s.memo, s.updated_at
FROM segments s
JOIN paragraphs p ON p.id = s.paragraph_id
JOIN documents d ON d.id = p.document_id
JOIN codes c ON c.id = s.code_id
JOIN coders cr ON cr.id = s.coder_id
WHERE s.deleted_at IS NULL AND d.superseded_by IS NULL AND s.memo IS NOT NULL
  AND s.memo <> ''{coder}
ORDER BY 1, 4, 7
"""


class AnalysisMixin(Connection):
    def coding_counts(
        self, *, coders: Sequence[str] | None = None
    ) -> list[tuple[int, int, str | None, int]]:
        """(code_id, document_id, speaker, segments) of the live codings of the current
        documents: enough to total a code by document, by speaker's case or by any attribute
        of either, without reading a word of text (`paragraphs_by_speaker` covers it)."""
        sql = (
            "SELECT s.code_id, p.document_id, p.speaker, count(*) FROM segments s"
            " JOIN paragraphs p ON p.id = s.paragraph_id"
            " JOIN documents d ON d.id = p.document_id"
            " WHERE s.deleted_at IS NULL AND d.superseded_by IS NULL"
        )
        params: list[Any] = []
        if coders is not None:
            sql += (" AND s.coder_id IN (SELECT id FROM coders WHERE name IN"
                    f" ({','.join('?' * len(coders))}))")
            params.extend(coders)
        sql += " GROUP BY s.code_id, p.document_id, p.speaker"
        return [(r[0], r[1], r[2], r[3]) for r in self._tuples(sql, params)]

    def quote_rows(self, *, code_keys: Sequence[str],
                   coders: Sequence[str] | None = None) -> list[QuoteRow]:
        """The live segments of these codes in reading order, as `segment_rows` has them,
        with only what the code view shows: no paragraph text beyond the quote."""
        sql, params = _filtered(_QUOTES, coders, code_keys, None, None)
        return list(map(QuoteRow._make, self._tuples(sql, params)))

    def memo_rows(self, *, coders: Sequence[str] | None = None) -> list[MemoRow]:
        """Every paragraph and coding memo on the current documents, in reading order."""
        clause = ""
        params: list[Any] = []
        if coders is not None:
            clause = f" AND cr.name IN ({','.join('?' * len(coders))})"
            params = [*coders, *coders]
        return [MemoRow(*r) for r in self._tuples(_MEMOS.format(coder=clause), params)]
