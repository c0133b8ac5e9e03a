"""The project's event log (imports, codebook changes, merges) and its settings."""

from __future__ import annotations

import json
from typing import Any

from ..vocab import EventKind
from .connection import Connection
from .stamps import now

# Changes after which an id a running session holds may mean something else (or nothing).
ID_MOVING = frozenset({EventKind.RESTORE, EventKind.CODEBOOK, EventKind.REIMPORT,
                       EventKind.MERGE, EventKind.REFI_IMPORT, EventKind.CODINGS_IMPORT})


class EventsMixin(Connection):
    def log_event(self, kind: str, detail: dict[str, Any]) -> None:
        """Record a change; one that moves what ids mean also bumps the generation, in the
        same transaction, so sessions open elsewhere notice before their next write."""
        if kind in ID_MOVING:
            self.bump_generation()
        self.conn.execute(
            "INSERT INTO events (at, kind, detail) VALUES (?, ?, ?)",
            (now(), kind, json.dumps(detail, ensure_ascii=False)),
        )

    def events(self, kind: str | None = None, *, limit: int | None = None) -> list[dict[str, Any]]:
        """Project-level events (imports, codebook changes, merges, re-imports), oldest first;
        with `limit`, the latest that many."""
        sql = "SELECT id, at, kind, detail FROM events"
        params: list[Any] = []
        if kind:
            sql += " WHERE kind = ?"
            params.append(kind)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self.conn.execute(sql, params).fetchall()
        return [{"at": r["at"], "kind": r["kind"], **json.loads(r["detail"])}
                for r in reversed(rows)]

    def get_setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
