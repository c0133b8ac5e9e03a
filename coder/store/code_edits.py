"""Codebook edits made from the app, each one step of the editing coder's undo history.

An edit is a whole codebook handed to the same planner and writer as `coder codebook use`
(so a merge moves segments and a retirement refuses a code in use exactly as loading a file
does). What it changed (code rows, key aliases, the segments a merge moved) is recorded as
before and after values, so undo puts the rows back and redo puts the edit back, without
deleting anything: undoing a new code retires it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from collections.abc import Collection, Sequence
from typing import Any

from ..vocab import EventKind, UndoKind
from .codes import CodesMixin
from .stamps import now

# What an edit may change in a code row (not its identity: id, guid, created_at).
_CODE_COLUMNS = ("key", "name", "parent_id", "position", "color", "shortcut", "definition",
                 "when_to_use", "when_not_to_use", "example", "retired_at", "merged_into")
_SEGMENT_COLUMNS = ("code_id", "revision_id", "deleted_at", "memo")

_State = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Split:
    """Codings of the code `code` (or of its sub-codes) to move to its child `into`."""

    code: str
    into: str
    segments: tuple[int, ...]


class CodeEditsMixin(CodesMixin):
    def edit_codebook(
        self, coder_id: int, codes: Sequence[dict[str, Any]], *, summary: str,
        moves: dict[str, str] | None = None, cosmetic: Collection[str] = (),
        author: str | None = None, split: Split | None = None,
    ) -> dict[str, list[str]]:
        """Make the project's codes match `codes` (as `sync_codes` does, new revisions for
        changed meanings included) in one transaction, recorded as one undoable step of
        `coder_id` described by `summary`. With `split`, some codings of a code then move to
        one of its children (which `codes` may have just added)."""
        with self.transaction():
            plan = self._plan_codes(codes, moves or {})
            merged = [r["id"] for r in self.conn.execute("SELECT id, key FROM codes")
                      if r["key"] in plan.merges]
            tracked = self._tracked_segments(merged, split)
            before = self._edit_state(tracked)
            last = self.conn.execute("SELECT coalesce(max(id), 0) FROM code_revisions").fetchone()[0]
            self._apply_code_plan(codes, plan)
            revised = self._revise_codes(codes, plan, set(cosmetic), author)
            if split is not None:
                revised.append(self._apply_split(split, author))
            if revised:
                plan.report["revised"] = revised
            after = self._edit_state(tracked)
            revisions = [r[0] for r in self.conn.execute(
                "SELECT id FROM code_revisions WHERE id > ? ORDER BY id", (last,))]
            payload: dict[str, Any] = {"summary": summary, "author": author,
                                       "revisions": revisions, **_difference(before, after, now())}
            if split is not None:
                payload["split"] = self.code(split.code).id
            self._record(coder_id, UndoKind.CODEBOOK_EDIT, payload)
            detail: dict[str, Any] = {k: v for k, v in plan.report.items() if v}
            self.log_event(EventKind.CODEBOOK_EDIT, {"summary": summary, **detail})
        return plan.report

    def _tracked_segments(self, merged: list[int], split: Split | None) -> list[int]:
        """The segments an edit may change, by id, so their state after it is read from the
        same rows as before (a merged code's live codings; a split's codings and the target's
        codings they may meet, whose memo a duplicate's joins)."""
        ids: list[int] = []
        if merged:
            ids += [r[0] for r in self.conn.execute(
                f"SELECT id FROM segments WHERE code_id IN ({','.join('?' * len(merged))})"
                " AND deleted_at IS NULL", merged)]
        if split is not None:
            moved = list(split.segments)
            ids += moved
            target = self.code_key_map().get(split.into)
            if target is not None and moved:
                ids += [r[0] for r in self.conn.execute(
                    "SELECT t.id FROM segments t JOIN segments s ON s.paragraph_id ="
                    " t.paragraph_id AND s.coder_id = t.coder_id WHERE t.code_id = ?"
                    f" AND t.deleted_at IS NULL AND s.id IN ({','.join('?' * len(moved))})",
                    [target, *moved])]
        return sorted(set(ids))

    def _apply_split(self, split: Split, author: str | None) -> str:
        """Move the split's codings to the child, each then made under the child's current
        meaning, and give the parent a new revision: what it covers has changed. Returns the
        revision as `key rN`."""
        stamp = now()
        parent = self.code(split.code)
        target = self.code(split.into)
        revision = self.current_revision(target.id).id
        for segment_id in split.segments:
            row = self.conn.execute("SELECT * FROM segments WHERE id = ?", (segment_id,)).fetchone()
            self._move_segment(row, target.id, stamp, revision_id=revision)
        rev = self.record_revision(
            parent.id, author=author, force=True,
            note=f"codebook: split, {len(split.segments)} coding(s) moved to {split.into}")
        assert rev is not None
        return f"{split.code} r{rev.n}"

    def _edit_state(self, tracked: list[int]) -> dict[str, _State]:
        codes = {str(r["id"]): {c: r[c] for c in _CODE_COLUMNS}
                 for r in self.conn.execute("SELECT * FROM codes")}
        aliases = {r["key"]: {"code_id": r["code_id"]}
                   for r in self.conn.execute("SELECT key, code_id FROM code_aliases")}
        segments: _State = {}
        for i in range(0, len(tracked), 500):
            chunk = tracked[i : i + 500]
            for r in self.conn.execute(
                    f"SELECT * FROM segments WHERE id IN ({','.join('?' * len(chunk))})", chunk):
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
        elif payload.get("split"):
            self.record_revision(payload["split"], author=payload.get("author"), force=True,
                                 note="redo of a split")
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
