"""Each coder's undo and redo history, kept in the `actions` table so it outlives the app."""

from __future__ import annotations

import json
from typing import Any

from ..vocab import UndoKind, UndoState
from .connection import Connection
from .stamps import now


class UndoMixin(Connection):
    def _record(self, coder_id: int, kind: str, payload: dict[str, Any]) -> None:
        self.conn.execute(
            "UPDATE actions SET state = 'discarded' WHERE coder_id = ? AND state = 'undone'",
            (coder_id,),
        )
        self.conn.execute(
            "INSERT INTO actions (coder_id, at, kind, payload) VALUES (?, ?, ?, ?)",
            (coder_id, now(), kind, json.dumps(payload)),
        )

    def _apply(self, kind: str, payload: dict[str, Any], *, reverse: bool) -> None:
        if kind == UndoKind.REPLACE:
            steps = [(UndoKind.REMOVE, {"segment": old}) for old in payload["replaced"]]
            steps.append((UndoKind.ADD, {"segment": payload["segment"]}))
            for step_kind, step in reversed(steps) if reverse else steps:
                self._apply(step_kind, step, reverse=reverse)
                if step.get("unretired"):
                    payload["unretired"] = [*payload.get("unretired", []), *step["unretired"]]
            return
        if kind in (UndoKind.ADD, UndoKind.REMOVE):
            live = (kind == UndoKind.ADD) != reverse
            if live:
                # A code retired since comes back into use: nothing the coder undoes is lost.
                if self._revive_segment(payload["segment"], now()):
                    unretired = self.unretire_codes_in_use("undo or redo brought back codings on it")
                    if unretired:
                        payload["unretired"] = unretired
            else:
                self.conn.execute(
                    "UPDATE segments SET deleted_at = ?, updated_at = ? WHERE id = ?",
                    (now(), now(), payload["segment"]),
                )
            return
        value = payload["before"] if reverse else payload["after"]
        if kind == UndoKind.SEGMENT_MEMO:
            self.conn.execute(
                "UPDATE segments SET memo = ?, updated_at = ? WHERE id = ?",
                (value, now(), payload["segment"]),
            )
        elif kind == UndoKind.PARAGRAPH_MEMO:
            coder_id = payload["coder"]
            self._write_paragraph_memo(coder_id, payload["paragraph"], value)
        elif kind == UndoKind.STATUS:
            self._write_status(payload["coder"], payload["document"], value)

    def undo(self, coder_id: int) -> dict[str, Any] | None:
        """Reverse this coder's latest action; the history lives in the file, so undo
        works across restarts. Returns what was undone, or None when there is nothing."""
        return self._step(coder_id, undo=True)

    def redo(self, coder_id: int) -> dict[str, Any] | None:
        return self._step(coder_id, undo=False)

    def _step(self, coder_id: int, *, undo: bool) -> dict[str, Any] | None:
        with self.transaction() as conn:
            if undo:
                row = conn.execute(
                    "SELECT * FROM actions WHERE coder_id = ? AND state = 'done'"
                    " ORDER BY id DESC LIMIT 1",
                    (coder_id,),
                ).fetchone()
            else:
                row = conn.execute(
                    "SELECT * FROM actions WHERE coder_id = ? AND state = 'undone'"
                    " ORDER BY id ASC LIMIT 1",
                    (coder_id,),
                ).fetchone()
            if row is None:
                return None
            payload = {**json.loads(row["payload"]), "coder": coder_id}
            self._apply(row["kind"], payload, reverse=undo)
            conn.execute(
                "UPDATE actions SET state = ? WHERE id = ?",
                (UndoState.UNDONE if undo else UndoState.DONE, row["id"]),
            )
        return {"kind": row["kind"], **payload}
