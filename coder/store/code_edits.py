"""Codebook edits made from the app, each one step of the editing coder's undo history.

An edit is a whole codebook handed to the same planner and writer as `coder codebook use`
(so a merge moves segments and a retirement refuses a code in use exactly as loading a file
does). What it changed (code rows, key aliases, the segments a merge moved) is recorded as
before and after values, so undo puts the rows back and redo puts the edit back, without
deleting anything: undoing a new code retires it.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

from ..vocab import EventKind, UndoKind
from .codes import CodesMixin
from .stamps import now

# What an edit may change in a code row (not its identity: id, guid, created_at).
_CODE_COLUMNS = ("key", "name", "parent_id", "position", "color", "shortcut", "definition",
                 "when_to_use", "when_not_to_use", "example", "retired_at", "merged_into")
_SEGMENT_COLUMNS = ("code_id", "deleted_at", "memo")

_State = dict[str, dict[str, Any]]


class CodeEditsMixin(CodesMixin):
    def edit_codebook(
        self, coder_id: int, codes: Sequence[dict[str, Any]], *, summary: str,
        moves: dict[str, str] | None = None, cosmetic: Collection[str] = (),
        author: str | None = None,
    ) -> dict[str, list[str]]:
        """Make the project's codes match `codes` (as `sync_codes` does, new revisions for
        changed meanings included) in one transaction, recorded as one undoable step of
        `coder_id` described by `summary`."""
        with self.transaction():
            plan = self._plan_codes(codes, moves or {})
            merged = [r["id"] for r in self.conn.execute("SELECT id, key FROM codes")
                      if r["key"] in plan.merges]
            before = self._edit_state(merged)
            last = self.conn.execute("SELECT coalesce(max(id), 0) FROM code_revisions").fetchone()[0]
            self._apply_code_plan(codes, plan)
            revised = self._revise_codes(codes, plan, set(cosmetic), author)
            if revised:
                plan.report["revised"] = revised
            after = self._edit_state(merged)
            revisions = [r[0] for r in self.conn.execute(
                "SELECT id FROM code_revisions WHERE id > ? ORDER BY id", (last,))]
            payload = {"summary": summary, "author": author, "revisions": revisions,
                       **_difference(before, after, now())}
            self._record(coder_id, UndoKind.CODEBOOK_EDIT, payload)
            detail: dict[str, Any] = {k: v for k, v in plan.report.items() if v}
            self.log_event(EventKind.CODEBOOK_EDIT, {"summary": summary, **detail})
        return plan.report

    def _edit_state(self, merged: list[int]) -> dict[str, _State]:
        codes = {str(r["id"]): {c: r[c] for c in _CODE_COLUMNS}
                 for r in self.conn.execute("SELECT * FROM codes")}
        aliases = {r["key"]: {"code_id": r["code_id"]}
                   for r in self.conn.execute("SELECT key, code_id FROM code_aliases")}
        segments: _State = {}
        if merged:
            marks = ",".join("?" * len(merged))
            rows = self.conn.execute(
                f"SELECT id, code_id, deleted_at, memo FROM segments WHERE code_id IN ({marks})"
                " AND deleted_at IS NULL", merged).fetchall()
            ids = [r["id"] for r in rows]
            for r in self.conn.execute(
                    f"SELECT * FROM segments WHERE id IN ({','.join('?' * len(ids))})", ids):
                segments[str(r["id"])] = {c: r[c] for c in _SEGMENT_COLUMNS}
        return {"codes": codes, "aliases": aliases, "segments": segments}

    def _apply_code_edit(self, payload: dict[str, Any], *, reverse: bool) -> None:
        """Put the rows an edit changed back as they were (`reverse`) or as it left them."""
        side = 0 if reverse else 1
        conn = self.conn
        stamp = now()
        changes = payload["codes"]
        conn.executemany("UPDATE codes SET shortcut = NULL WHERE id = ?",
                         [(int(i),) for i, pair in changes.items() if "shortcut" in pair[side]])
        for code_id, pair in changes.items():
            values = pair[side]
            columns = ", ".join(f"{c} = ?" for c in values)
            conn.execute(f"UPDATE codes SET {columns}, updated_at = ? WHERE id = ?",
                         (*values.values(), stamp, int(code_id)))
        for key, pair in payload["aliases"].items():
            conn.execute("DELETE FROM code_aliases WHERE key = ?", (key,))
            if pair[side] is not None:
                conn.execute("INSERT INTO code_aliases (key, code_id, at) VALUES (?, ?, ?)",
                             (key, pair[side]["code_id"], stamp))
        for segment_id, pair in payload["segments"].items():
            values = pair[side]
            columns = ", ".join(f"{c} = ?" for c in values)
            conn.execute(f"UPDATE segments SET {columns}, updated_at = ? WHERE id = ?",
                         (*values.values(), stamp, int(segment_id)))
        self._revise_after_step(payload, reverse=reverse)
        self.log_event(EventKind.CODEBOOK_EDIT, {
            "summary": payload["summary"], "undone" if reverse else "redone": True})

    def _revise_after_step(self, payload: dict[str, Any], *, reverse: bool) -> None:
        """Undo takes back the revisions the edit made while no coding was made under them;
        otherwise (and on redo) the wording now in force is kept as a revision of its own, so
        every coding still names the meaning it was made under."""
        touched = {int(i) for i in payload["codes"]}
        if reverse:
            for revision_id in reversed(payload.get("revisions", [])):
                self.retract_revision(revision_id)
        for code_id in sorted(touched):
            self.record_revision(code_id, author=payload.get("author"),
                                 note="undo of a codebook edit" if reverse
                                 else "redo of a codebook edit")


def _difference(before: dict[str, _State], after: dict[str, _State], stamp: str
                ) -> dict[str, dict[str, list[Any]]]:
    """Per table, each changed row as [before, after] (only the columns that changed). A code
    the edit created is `retired` before it, so undoing the edit retires it, deleting nothing."""
    out: dict[str, dict[str, list[Any]]] = {}
    for table in ("codes", "aliases", "segments"):
        rows: dict[str, list[Any]] = {}
        old, new = before[table], after[table]
        for ident in old.keys() | new.keys():
            was, now_ = old.get(ident), new.get(ident)
            if was == now_:
                continue
            if table == "codes" and was is None and now_ is not None:
                was = {**now_, "retired_at": stamp, "shortcut": None}
            if table == "codes" and was is not None and now_ is not None:
                changed = [c for c in now_ if was.get(c) != now_[c]]
                was, now_ = {c: was[c] for c in changed}, {c: now_[c] for c in changed}
            rows[ident] = [was, now_]
        out[table] = rows
    return json.loads(json.dumps(out))
