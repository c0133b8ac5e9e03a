"""How far each coder has read in each document: a high-water mark, never lowered.

The mark is the number of the furthest paragraph the coder's cursor reached in the app. It only
grows, so writing it is one small upsert that a stale or repeated write cannot undo, and a merge
can take the larger of two copies' marks without asking which is newer.
"""

from __future__ import annotations

from .connection import Connection
from .stamps import now


class CoverageMixin(Connection):
    def reading_mark(self, coder_id: int, document_id: int) -> int:
        """The furthest paragraph number the coder reached in the document (0: none)."""
        row = self.conn.execute(
            "SELECT reached FROM reading_marks WHERE document_id = ? AND coder_id = ?",
            (document_id, coder_id),
        ).fetchone()
        return int(row["reached"]) if row else 0

    def raise_reading_mark(self, coder_id: int, document_id: int, reached: int) -> None:
        """Move the mark up to `reached`; a lower value leaves it where it is."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO reading_marks (document_id, coder_id, reached, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(document_id, coder_id) DO UPDATE SET"
                " reached = excluded.reached, updated_at = excluded.updated_at"
                " WHERE excluded.reached > reading_marks.reached",
                (document_id, coder_id, max(0, int(reached)), now()),
            )

    def reading_marks(self) -> dict[tuple[int, str], int]:
        """(document_id, coder name) -> mark, for every coder and document that has one."""
        rows = self.conn.execute(
            "SELECT m.document_id, c.name, m.reached FROM reading_marks m"
            " JOIN coders c ON c.id = m.coder_id"
        ).fetchall()
        return {(r["document_id"], r["name"]): int(r["reached"]) for r in rows}
