"""Paragraph memos, one per coder and paragraph (segment memos live on the segment)."""

from __future__ import annotations

from ..vocab import UndoKind
from .connection import Connection
from .stamps import now


class MemosMixin(Connection):
    def paragraph_memo(self, coder_id: int, paragraph_id: int) -> str | None:
        row = self.conn.execute(
            "SELECT memo FROM paragraph_memos WHERE paragraph_id = ? AND coder_id = ?",
            (paragraph_id, coder_id),
        ).fetchone()
        return row["memo"] if row else None

    def paragraph_memos(self, coder_id: int, document_id: int) -> dict[int, str]:
        rows = self.conn.execute(
            "SELECT m.paragraph_id, m.memo FROM paragraph_memos m"
            " JOIN paragraphs p ON p.id = m.paragraph_id WHERE m.coder_id = ? AND p.document_id = ?",
            (coder_id, document_id),
        ).fetchall()
        return {r["paragraph_id"]: r["memo"] for r in rows}

    def _write_paragraph_memo(self, coder_id: int, paragraph_id: int, memo: str | None) -> None:
        if memo:
            self.conn.execute(
                "INSERT INTO paragraph_memos (paragraph_id, coder_id, memo, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(paragraph_id, coder_id) DO UPDATE SET"
                " memo = excluded.memo, updated_at = excluded.updated_at",
                (paragraph_id, coder_id, memo, now()),
            )
        else:
            self.conn.execute(
                "DELETE FROM paragraph_memos WHERE paragraph_id = ? AND coder_id = ?",
                (paragraph_id, coder_id),
            )

    def set_paragraph_memo(self, coder_id: int, paragraph_id: int, memo: str | None) -> None:
        with self.transaction():
            before = self.paragraph_memo(coder_id, paragraph_id)
            self._write_paragraph_memo(coder_id, paragraph_id, memo or None)
            self._record(
                coder_id, UndoKind.PARAGRAPH_MEMO,
                {"paragraph": paragraph_id, "before": before, "after": memo or None},
            )

    def put_paragraph_memo(self, coder_id: int, paragraph_id: int, memo: str | None) -> None:
        with self.transaction():
            self._write_paragraph_memo(coder_id, paragraph_id, memo)

    def paragraph_memo_states(self, coder_id: int, document_id: int) -> dict[int, tuple[str, str]]:
        """paragraph_id → (memo, updated_at) for one coder's paragraph memos on a document."""
        rows = self.conn.execute(
            "SELECT m.paragraph_id, m.memo, m.updated_at FROM paragraph_memos m"
            " JOIN paragraphs p ON p.id = m.paragraph_id WHERE m.coder_id = ? AND p.document_id = ?",
            (coder_id, document_id),
        ).fetchall()
        return {r["paragraph_id"]: (r["memo"], r["updated_at"]) for r in rows}
