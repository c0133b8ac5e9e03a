"""Code revisions: each change to what a code means is kept, and every coding points at the
revision it was made under, so codings made before a definition was sharpened can be found
and rechecked. Also the rechecking decisions and autocoding, which write segments in ways
the coding key never does (move a coding to another revision or code, add many at once).

Invariant: a code's current (latest) revision holds the code's meaning fields as they are
now. A meaning change adds a revision; a cosmetic fix of the wording amends the current one
in place, so it never sends codings back for rechecking.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import CoderError
from ..vocab import EventKind, RecheckDecision, UndoKind
from .connection import Connection
from .stamps import now

MEANING_FIELDS = ("definition", "when_to_use", "when_not_to_use")

# The columns a recheck decision or a confirmation changes, which its undo puts back.
_DECISION_COLUMNS = ("code_id", "revision_id", "deleted_at", "confirmed_at")


@dataclass(frozen=True)
class CodeRevision:
    """One meaning of a code: revision `n` (1 is the first), when, by whom, and why."""

    id: int
    code_id: int
    n: int
    at: str
    author: str | None
    definition: str
    when_to_use: str
    when_not_to_use: str
    note: str


@dataclass(frozen=True)
class RecheckRow:
    """A live coding made under an older revision of its code than the current one."""

    segment_id: int
    document: str
    n: int
    speaker: str | None
    paragraph_text: str
    start: int | None
    end: int | None
    coder: str
    code_id: int
    code_key: str
    revision_id: int | None
    current_revision_id: int

    @property
    def quote(self) -> str:
        if self.start is None:
            return self.paragraph_text
        return self.paragraph_text[self.start : self.end]


def _revision(row: sqlite3.Row) -> CodeRevision:
    return CodeRevision(**{k: row[k] for k in row.keys()})


class CodeRevisionsMixin(Connection):
    def code_revisions(self, code_id: int) -> list[CodeRevision]:
        """A code's revisions, oldest first."""
        return [_revision(r) for r in self.conn.execute(
            "SELECT * FROM code_revisions WHERE code_id = ? ORDER BY n", (code_id,))]

    def current_revision(self, code_id: int) -> CodeRevision:
        row = self.conn.execute(
            "SELECT * FROM code_revisions WHERE code_id = ? ORDER BY n DESC LIMIT 1", (code_id,)
        ).fetchone()
        if row is None:
            raise CoderError(f"no code with id {code_id}")
        return _revision(row)

    def code_revision(self, revision_id: int) -> CodeRevision:
        row = self.conn.execute(
            "SELECT * FROM code_revisions WHERE id = ?", (revision_id,)).fetchone()
        if row is None:
            raise CoderError(f"no code revision {revision_id}")
        return _revision(row)

    def record_revision(
        self,
        code_id: int,
        *,
        author: str | None,
        note: str = "",
        cosmetic: bool = False,
        force: bool = False,
    ) -> CodeRevision | None:
        """Call after changing a code's row: keep its meaning fields as a new revision when
        they differ from the current revision's (or always, with `force`, for a merge or a
        split, which change a code's meaning without touching its wording).

        With `cosmetic` (a typo fixed, wording tidied) the current revision is amended in
        place instead and None returned, so no coding is sent back for rechecking. Returns
        the new revision, or None when nothing changed. Runs in the caller's transaction.
        """
        with self.transaction() as conn:
            row = conn.execute("SELECT * FROM codes WHERE id = ?", (code_id,)).fetchone()
            if row is None:
                raise CoderError(f"no code with id {code_id}")
            current = self.current_revision(code_id)
            fields = {f: row[f] or "" for f in MEANING_FIELDS}
            same = all(getattr(current, f) == fields[f] for f in MEANING_FIELDS)
            if same and not force:
                return None
            if cosmetic and not force:
                amended = "; ".join(x for x in (current.note, note or "cosmetic change") if x)
                conn.execute(
                    "UPDATE code_revisions SET definition = :definition,"
                    " when_to_use = :when_to_use, when_not_to_use = :when_not_to_use,"
                    " note = :note WHERE id = :id",
                    {**fields, "note": amended, "id": current.id},
                )
                return None
            cur = conn.execute(
                "INSERT INTO code_revisions (code_id, n, at, author, definition, when_to_use,"
                " when_not_to_use, note) VALUES (:code_id, :n, :at, :author, :definition,"
                " :when_to_use, :when_not_to_use, :note)",
                {**fields, "code_id": code_id, "n": current.n + 1, "at": now(),
                 "author": author, "note": note},
            )
            detail = {"key": row["key"], "revision": current.n + 1, "by": author, "note": note}
            self.log_event(EventKind.CODE_REVISED, {k: v for k, v in detail.items() if v})
            return self.code_revision(int(cur.lastrowid or 0))

    def retract_revision(self, revision_id: int) -> bool:
        """Take back a code's latest revision when no coding was made under it yet (an edit
        undone straight away), so undo leaves no revision behind. False when it cannot: the
        caller then records the restored wording as a revision of its own."""
        with self.transaction() as conn:
            rev = self.code_revision(revision_id)
            if rev.n == 1 or self.current_revision(rev.code_id).id != rev.id:
                return False
            if conn.execute(
                "SELECT 1 FROM segments WHERE revision_id = ? LIMIT 1", (revision_id,)
            ).fetchone():
                return False
            conn.execute("DELETE FROM code_revisions WHERE id = ?", (revision_id,))
            return True

    def segment_counts_by_revision(self, revision_ids: Sequence[int]) -> dict[int, int]:
        """Live codings made under each of these revisions."""
        if not revision_ids:
            return {}
        return {r[0]: r[1] for r in self.conn.execute(
            "SELECT revision_id, count(*) FROM segments WHERE deleted_at IS NULL AND revision_id"
            f" IN ({','.join('?' * len(revision_ids))}) GROUP BY revision_id",
            list(revision_ids))}

    def recheck_rows(
        self, *, code_ids: Sequence[int] | None = None, coders: Sequence[str] | None = None
    ) -> list[RecheckRow]:
        """Live codings on current documents made under a revision of their code other than
        the current one (an older one, or another code's for codings moved by a merge), in
        code order then reading order."""
        sql = (
            "SELECT s.id AS segment_id, d.name AS document, p.n, p.speaker,"
            " p.text AS paragraph_text, s.start, s.\"end\" AS \"end\", cr.name AS coder,"
            " c.id AS code_id, c.key AS code_key, s.revision_id,"
            " (SELECT max(r.id) FROM code_revisions r WHERE r.code_id = c.id)"
            " AS current_revision_id"
            " FROM segments s JOIN paragraphs p ON p.id = s.paragraph_id"
            " JOIN documents d ON d.id = p.document_id JOIN codes c ON c.id = s.code_id"
            " JOIN coders cr ON cr.id = s.coder_id"
            " WHERE s.deleted_at IS NULL AND d.superseded_by IS NULL"
            " AND s.revision_id IS NOT (SELECT max(r.id) FROM code_revisions r"
            " WHERE r.code_id = c.id)"
        )
        params: list[Any] = []
        for column, values in (("c.id", code_ids), ("cr.name", coders)):
            if values is not None:
                sql += f" AND {column} IN ({','.join('?' * len(values))})"
                params.extend(values)
        sql += " ORDER BY c.position, c.id, d.id, p.n, coalesce(s.start, -1), cr.name"
        return [RecheckRow(**dict(r)) for r in self.conn.execute(sql, params)]

    def _segment_state(self, segment_id: int) -> dict[str, Any]:
        row = self.conn.execute(
            "SELECT * FROM segments WHERE id = ?", (segment_id,)).fetchone()
        if row is None:
            raise CoderError(f"no segment {segment_id}")
        return {c: row[c] for c in _DECISION_COLUMNS}

    def _change_segment(
        self, coder_id: int, segment_id: int, kind: str, after: dict[str, Any],
        detail: dict[str, Any],
    ) -> None:
        before = self._segment_state(segment_id)
        after = {**before, **after}
        self._write_segment_state(segment_id, after)
        self._record(coder_id, kind, {"segment": segment_id, "before": before, "after": after})
        self.log_event(EventKind.RECHECK if kind == UndoKind.RECHECK else EventKind.CONFIRM,
                       {"segment": segment_id, **detail})

    def _write_segment_state(self, segment_id: int, state: dict[str, Any]) -> None:
        self.conn.execute(
            "UPDATE segments SET code_id = :code_id, revision_id = :revision_id,"
            " deleted_at = :deleted_at, confirmed_at = :confirmed_at, updated_at = :stamp"
            " WHERE id = :id",
            {**state, "stamp": now(), "id": segment_id},
        )

    def recheck_keep(self, coder_id: int, segment_id: int) -> None:
        """The coding still fits the code's current meaning: it now counts as made under it."""
        with self.transaction():
            code_id = self._segment_state(segment_id)["code_id"]
            current = self.current_revision(code_id)
            self._change_segment(coder_id, segment_id, UndoKind.RECHECK,
                                 {"revision_id": current.id},
                                 {"decision": RecheckDecision.KEEP, "revision": current.n})

    def recheck_remove(self, coder_id: int, segment_id: int) -> None:
        """The coding no longer fits: removed (kept in the file, as every removal is)."""
        with self.transaction():
            self._change_segment(coder_id, segment_id, UndoKind.RECHECK,
                                 {"deleted_at": now()}, {"decision": RecheckDecision.REMOVE})

    def recheck_move(self, coder_id: int, segment_id: int, to_code_id: int) -> None:
        """The coding belongs under another code: it moves there under that code's current
        revision. When the coder already has the same coding there, this one is removed."""
        with self.transaction() as conn:
            row = conn.execute("SELECT * FROM segments WHERE id = ?", (segment_id,)).fetchone()
            if row is None:
                raise CoderError(f"no segment {segment_id}")
            target = conn.execute(
                "SELECT key, retired_at FROM codes WHERE id = ?", (to_code_id,)).fetchone()
            if target is None or target["retired_at"] is not None:
                raise CoderError("move it to a code in use (that one is retired or unknown)")
            detail = {"decision": RecheckDecision.MOVE, "to": target["key"]}
            if self._live_segment(row["paragraph_id"], to_code_id, row["coder_id"],
                                  row["start"], row["end"]):
                self._change_segment(coder_id, segment_id, UndoKind.RECHECK,
                                     {"deleted_at": now()}, {**detail, "already there": True})
                return
            self._change_segment(
                coder_id, segment_id, UndoKind.RECHECK,
                {"code_id": to_code_id, "revision_id": self.current_revision(to_code_id).id},
                detail)

    def confirm_segment(self, coder_id: int, segment_id: int) -> None:
        """An automatic coding its coder has looked at and agrees with: from now on it counts
        in agreement like one made by hand."""
        with self.transaction():
            if self._segment_state(segment_id)["confirmed_at"] is not None:
                return
            self._change_segment(coder_id, segment_id, UndoKind.CONFIRM,
                                 {"confirmed_at": now()}, {"decision": "confirm"})

    def autocode(
        self,
        coder_id: int,
        code_id: int,
        hits: Sequence[tuple[int, int | None, int | None]],
        rule: str,
    ) -> tuple[list[int], int]:
        """Code every hit (paragraph_id, start, end) at once, marked as made by `rule`, as
        one undo step. A hit this coder has coded so already is skipped. Returns the new
        segment ids and the number skipped."""
        added: list[int] = []
        skipped = 0
        with self.transaction():
            for paragraph_id, start, end in hits:
                self._check_span(paragraph_id, start, end)
                if self._live_segment(paragraph_id, code_id, coder_id, start, end):
                    skipped += 1
                    continue
                seg_id = self._insert_segment(paragraph_id, code_id, coder_id, start, end)
                self.conn.execute(
                    "UPDATE segments SET auto_rule = ? WHERE id = ?", (rule, seg_id))
                added.append(seg_id)
            if added:
                self._record(coder_id, UndoKind.AUTOCODE, {"segments": added})
                self.log_event(EventKind.AUTOCODE, {
                    "coder": self.coder_names().get(coder_id), "rule": rule,
                    "code": self._code_key(code_id), "added": len(added), "skipped": skipped})
        return added, skipped

    def automatic_segments(
        self, *, coder_id: int | None = None, code_id: int | None = None,
        unconfirmed: bool = True,
    ) -> list[dict[str, Any]]:
        """Live automatic codings (id, paragraph_id, start, end, code_id, coder_id, auto_rule,
        confirmed_at), the unconfirmed ones only unless asked."""
        sql = ("SELECT id, paragraph_id, start, \"end\", code_id, coder_id, auto_rule,"
               " confirmed_at FROM segments WHERE deleted_at IS NULL AND auto_rule IS NOT NULL")
        params: list[Any] = []
        if unconfirmed:
            sql += " AND confirmed_at IS NULL"
        if coder_id is not None:
            sql += " AND coder_id = ?"
            params.append(coder_id)
        if code_id is not None:
            sql += " AND code_id = ?"
            params.append(code_id)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY id", params)]

    def add_revision(self, code_id: int, revision: CodeRevision, note: str) -> CodeRevision:
        """A revision another copy of the project made, kept under its own number (a merge
        brings in what its codings were made under). Runs in the caller's transaction."""
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO code_revisions (code_id, n, at, author, definition, when_to_use,"
                " when_not_to_use, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (code_id, revision.n, revision.at, revision.author, revision.definition,
                 revision.when_to_use, revision.when_not_to_use, note))
            return self.code_revision(int(cur.lastrowid or 0))

    def set_segment_marks(self, marks: Sequence[dict[str, Any]]) -> None:
        """Set the revision and automatic marks (revision_id, auto_rule, confirmed_at) of
        segments by guid, with no undo entry: a merge carries them from another copy."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE segments SET revision_id = coalesce(:revision_id, revision_id),"
                " auto_rule = :auto_rule, confirmed_at = :confirmed_at WHERE guid = :guid",
                [{k: m.get(k) for k in ("guid", "revision_id", "auto_rule", "confirmed_at")}
                 for m in marks])

    def segment_marks(self, segment_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Revision and automatic marks of these segments (revision_id, auto_rule,
        confirmed_at), for screens that show them beside the coding."""
        if not segment_ids:
            return {}
        out: dict[int, dict[str, Any]] = {}
        ids = list(segment_ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            for r in self.conn.execute(
                "SELECT id, revision_id, auto_rule, confirmed_at FROM segments"
                f" WHERE id IN ({','.join('?' * len(chunk))})", chunk,
            ):
                out[r["id"]] = {k: r[k] for k in ("revision_id", "auto_rule", "confirmed_at")}
        return out

    def _code_key(self, code_id: int) -> str:
        row = self.conn.execute("SELECT key FROM codes WHERE id = ?", (code_id,)).fetchone()
        return row["key"] if row else "?"

    def _apply_segment_change(self, kind: str, payload: dict[str, Any], *, reverse: bool) -> None:
        """Undo or redo of the steps kept here (called from the undo history)."""
        if kind == UndoKind.AUTOCODE:
            stamp = now()
            if reverse:
                self.conn.executemany(
                    "UPDATE segments SET deleted_at = ?, updated_at = ? WHERE id = ?",
                    [(stamp, stamp, s) for s in payload["segments"]])
            else:
                for s in payload["segments"]:
                    self._revive_segment(s, stamp)
            return
        state = payload["before"] if reverse else payload["after"]
        self._write_segment_state(payload["segment"], state)
