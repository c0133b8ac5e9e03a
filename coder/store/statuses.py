"""Each coder's progress through each document."""

from __future__ import annotations

from ..errors import CoderError
from ..vocab import DocumentStatus, UndoKind
from .connection import Connection
from .stamps import now

STATUSES: tuple[str, ...] = tuple(DocumentStatus)


class StatusesMixin(Connection):
    def status(self, coder_id: int, document_id: int) -> str:
        row = self.conn.execute(
            "SELECT status FROM document_status WHERE document_id = ? AND coder_id = ?",
            (document_id, coder_id),
        ).fetchone()
        return row["status"] if row else DocumentStatus.NOT_STARTED

    def set_status(self, coder_id: int, document_id: int, status: str) -> None:
        if status not in STATUSES:
            raise CoderError(f"status must be one of {', '.join(STATUSES)}")
        with self.transaction():
            before = self.status(coder_id, document_id)
            self._write_status(coder_id, document_id, status)
            self._record(
                coder_id, UndoKind.STATUS,
                {"document": document_id, "before": before, "after": status},
            )

    def _write_status(self, coder_id: int, document_id: int, status: str) -> None:
        self.conn.execute(
            "INSERT INTO document_status (document_id, coder_id, status, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(document_id, coder_id) DO UPDATE SET"
            " status = excluded.status, updated_at = excluded.updated_at",
            (document_id, coder_id, status, now()),
        )

    def put_status(self, coder_id: int, document_id: int, status: str) -> None:
        """Set a status with no undo entry: merges and imports are undone from their backup."""
        with self.transaction():
            self._write_status(coder_id, document_id, status)

    def _touch_status(self, paragraph_id: int, coder_id: int) -> None:
        self.conn.execute(
            "INSERT INTO document_status (document_id, coder_id, status, updated_at)"
            " SELECT document_id, ?, 'in progress', ? FROM paragraphs WHERE id = ?"
            " ON CONFLICT(document_id, coder_id) DO UPDATE SET"
            " status = CASE WHEN status = 'not started' THEN 'in progress' ELSE status END",
            (coder_id, now(), paragraph_id),
        )

    def statuses(self) -> dict[tuple[int, str], str]:
        rows = self.conn.execute(
            "SELECT ds.document_id, c.name, ds.status FROM document_status ds"
            " JOIN coders c ON c.id = ds.coder_id"
        ).fetchall()
        return {(r["document_id"], r["name"]): r["status"] for r in rows}
