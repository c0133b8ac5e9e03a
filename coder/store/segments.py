"""Segments (a code applied by a coder to a paragraph or a span of it), one at a time as a
coder works or many at once for imports and merges. Never hard-deleted: removal stamps
`deleted_at`."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import CoderError
from ..models import Segment
from ..vocab import UndoKind
from .connection import Connection, inserted_id
from .stamps import now


@dataclass(frozen=True)
class ToggleResult:
    added: bool
    segment_id: int


def _segment(row: sqlite3.Row) -> Segment:
    return Segment(
        id=row["id"],
        paragraph_id=row["paragraph_id"],
        code_id=row["code_id"],
        coder_id=row["coder_id"],
        start=row["start"],
        end=row["end"],
        memo=row["memo"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        automatic=row["auto_rule"] is not None and row["confirmed_at"] is None,
    )


class SegmentsMixin(Connection):
    def segments(
        self,
        *,
        document_id: int | None = None,
        coder_ids: Sequence[int] | None = None,
        paragraph_id: int | None = None,
    ) -> list[Segment]:
        sql = "SELECT s.* FROM segments s"
        where = ["s.deleted_at IS NULL"]
        params: list[Any] = []
        if document_id is not None:
            sql += " JOIN paragraphs p ON p.id = s.paragraph_id"
            where.append("p.document_id = ?")
            params.append(document_id)
        if paragraph_id is not None:
            where.append("s.paragraph_id = ?")
            params.append(paragraph_id)
        if coder_ids is not None:
            where.append(f"s.coder_id IN ({','.join('?' * len(coder_ids))})")
            params.extend(coder_ids)
        sql += " WHERE " + " AND ".join(where) + " ORDER BY s.paragraph_id, s.start, s.id"
        return [_segment(r) for r in self.conn.execute(sql, params)]

    def segment(self, segment_id: int) -> Segment:
        row = self.conn.execute("SELECT * FROM segments WHERE id = ?", (segment_id,)).fetchone()
        if row is None:
            raise CoderError(f"no segment {segment_id}")
        return _segment(row)

    def _check_span(self, paragraph_id: int, start: int | None, end: int | None) -> None:
        """Refuse a coding the user could never see again: on a paragraph of a transcript
        that was replaced by a corrected version (say, by another coder while this one had
        it open), or on text outside the paragraph."""
        row = self.conn.execute(
            "SELECT length(p.text) AS length, d.superseded_by, cur.name AS current"
            " FROM paragraphs p JOIN documents d ON d.id = p.document_id"
            " LEFT JOIN documents cur ON cur.id = d.superseded_by WHERE p.id = ?",
            (paragraph_id,),
        ).fetchone()
        if row is None:
            raise CoderError(f"no paragraph with id {paragraph_id}")
        if row["superseded_by"] is not None:
            raise CoderError(
                f"{row['current']!r} was replaced by a corrected version of the transcript; "
                "reopen it to code the new text (nothing was saved)"
            )
        if start is None and end is None:
            return
        if start is None or end is None:
            raise CoderError("a span needs both start and end")
        length = row["length"]
        if not (0 <= start < end <= length):
            raise CoderError(
                f"span {start}-{end} is outside the paragraph (0-{length}, end exclusive)"
            )

    def _live_segment(
        self, paragraph_id: int, code_id: int, coder_id: int, start: int | None, end: int | None
    ) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT id FROM segments WHERE paragraph_id = ? AND code_id = ? AND coder_id = ?"
            " AND coalesce(start, -1) = coalesce(?, -1) AND coalesce(\"end\", -1) = coalesce(?, -1)"
            " AND deleted_at IS NULL",
            (paragraph_id, code_id, coder_id, start, end),
        ).fetchone()

    def _insert_segment(
        self,
        paragraph_id: int,
        code_id: int,
        coder_id: int,
        start: int | None,
        end: int | None,
        memo: str | None = None,
        *,
        guid: str | None = None,
        created_at: str | None = None,
        updated_at: str | None = None,
    ) -> int:
        stamp = now()
        cur = self.conn.execute(
            "INSERT INTO segments (guid, paragraph_id, code_id, coder_id, start, \"end\", memo,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (guid or str(uuid.uuid4()).upper(), paragraph_id, code_id, coder_id, start, end, memo,
             created_at or stamp, updated_at or stamp),
        )
        self._touch_status(paragraph_id, coder_id)
        return inserted_id(cur)

    def add_segment(
        self,
        coder_id: int,
        paragraph_id: int,
        code_id: int,
        start: int | None = None,
        end: int | None = None,
        memo: str | None = None,
    ) -> int:
        """Apply a code; applying one that is already there is a no-op returning its id."""
        with self.transaction():
            self._check_span(paragraph_id, start, end)
            live = self._live_segment(paragraph_id, code_id, coder_id, start, end)
            if live:
                return live["id"]
            seg_id = self._insert_segment(paragraph_id, code_id, coder_id, start, end, memo)
            self._record(coder_id, UndoKind.ADD, {"segment": seg_id})
        return seg_id

    def remove_segment(self, coder_id: int, segment_id: int) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE segments SET deleted_at = ?, updated_at = ? WHERE id = ?"
                " AND deleted_at IS NULL",
                (now(), now(), segment_id),
            )
            self._record(coder_id, UndoKind.REMOVE, {"segment": segment_id})

    def toggle_segment(
        self,
        coder_id: int,
        paragraph_id: int,
        code_id: int,
        start: int | None = None,
        end: int | None = None,
    ) -> ToggleResult:
        """The coding key: apply the code, or take it off if this coder already applied it."""
        with self.transaction():
            self._check_span(paragraph_id, start, end)
            live = self._live_segment(paragraph_id, code_id, coder_id, start, end)
            if live:
                self.remove_segment(coder_id, live["id"])
                return ToggleResult(added=False, segment_id=live["id"])
            return ToggleResult(added=True, segment_id=self.add_segment(
                coder_id, paragraph_id, code_id, start, end))

    def replace_segments(self, coder_id: int, paragraph_id: int, code_id: int,
                         start: int | None, end: int | None, replaced: list[int]) -> ToggleResult:
        """Apply a code and take this coder's `replaced` codings off, as one undoable step (an
        exclusive group's second sub-code on a paragraph replaces the first)."""
        with self.transaction() as conn:
            self._check_span(paragraph_id, start, end)
            stamp = now()
            for segment_id in replaced:
                conn.execute(
                    "UPDATE segments SET deleted_at = ?, updated_at = ? WHERE id = ?"
                    " AND coder_id = ? AND deleted_at IS NULL",
                    (stamp, stamp, segment_id, coder_id),
                )
            seg_id = self._insert_segment(paragraph_id, code_id, coder_id, start, end)
            self._record(coder_id, UndoKind.REPLACE, {"segment": seg_id, "replaced": replaced})
            return ToggleResult(added=True, segment_id=seg_id)

    def set_segment_memo(self, coder_id: int, segment_id: int, memo: str | None) -> None:
        with self.transaction() as conn:
            before = conn.execute("SELECT memo FROM segments WHERE id = ?", (segment_id,)).fetchone()
            if before is None:
                raise CoderError(f"no segment {segment_id}")
            conn.execute(
                "UPDATE segments SET memo = ?, updated_at = ? WHERE id = ?",
                (memo or None, now(), segment_id),
            )
            self._record(
                coder_id, UndoKind.SEGMENT_MEMO,
                {"segment": segment_id, "before": before["memo"], "after": memo or None},
            )

    def insert_segments(self, rows: Iterable[dict[str, Any]], *, event: str | None,
                        detail: dict[str, Any] | None = None,
                        backup: bool = True) -> tuple[int, int]:
        """Insert many already-validated segments in one transaction.

        Each row has paragraph_id, code_id, coder_id, start, end and optionally memo, guid,
        created_at and updated_at (kept from where the segment comes from, so memo edits made
        later elsewhere are still recognised as later). A row that duplicates a live segment
        (or an existing guid) is skipped, so running the same import or merge twice changes
        nothing. Returns (added, skipped).
        A bulk write is preceded by an automatic backup unless the caller made one already
        (`backup=False`); `event=None` leaves the logging to the caller's own event.
        """
        rows = list(rows)
        added = skipped = 0
        saved = None
        if backup and rows and not self.conn.in_transaction:
            saved = self.auto_backup(f"before-{event or 'bulk-write'}")
        with self.transaction():
            for r in rows:
                guid = r.get("guid")
                if guid and self.conn.execute(
                    "SELECT 1 FROM segments WHERE guid = ?", (guid,)
                ).fetchone():
                    skipped += 1
                    continue
                if self._live_segment(
                    r["paragraph_id"], r["code_id"], r["coder_id"], r.get("start"), r.get("end")
                ):
                    skipped += 1
                    continue
                self._insert_segment(
                    r["paragraph_id"], r["code_id"], r["coder_id"], r.get("start"), r.get("end"),
                    r.get("memo"), guid=guid, created_at=r.get("created_at"),
                    updated_at=r.get("updated_at"),
                )
                added += 1
            if event is not None:
                extra = {"backup": str(saved)} if saved else {}
                self.log_event(event, {**(detail or {}), "added": added, "skipped": skipped,
                                       **extra})
        return added, skipped

    def segment_states(self, coders: Sequence[str]) -> list[dict[str, Any]]:
        """Every segment of these coders, removed ones too (id, guid, coder, memo, updated_at,
        deleted_at, document_id, n, revision_id, auto_rule, confirmed_at): what a merge
        compares to carry later removals, memo edits, confirmations and the meaning each
        coding was made under from one copy to another."""
        if not coders:
            return []
        return [dict(r) for r in self.conn.execute(
            "SELECT s.id, s.guid, cr.name AS coder, s.memo, s.updated_at, s.deleted_at,"
            " p.document_id, p.n, s.revision_id, s.auto_rule, s.confirmed_at"
            " FROM segments s JOIN coders cr ON cr.id = s.coder_id"
            " JOIN paragraphs p ON p.id = s.paragraph_id"
            f" WHERE cr.name IN ({','.join('?' * len(coders))}) ORDER BY s.id",
            list(coders),
        )]

    def update_segments(self, changes: Iterable[dict[str, Any]]) -> None:
        """Set memo, deleted_at and updated_at of segments by id, in one transaction and with
        no undo entry (a merge is undone from its backup). Rows are never deleted."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE segments SET memo = :memo, deleted_at = :deleted_at,"
                " updated_at = :updated_at WHERE id = :id",
                [{k: c[k] for k in ("id", "memo", "deleted_at", "updated_at")} for c in changes],
            )

    def revive_segments(self, changes: Iterable[dict[str, Any]]) -> list[int]:
        """Bring back removed segments (id, memo, updated_at) that their coder brought back in
        another copy, with no undo entry. Returns the ids that came back: one whose place a
        live segment has taken since stays removed."""
        revived = []
        with self.transaction() as conn:
            for c in changes:
                if self._revive_segment(c["id"], c["updated_at"]):
                    conn.execute("UPDATE segments SET memo = ? WHERE id = ?", (c["memo"], c["id"]))
                    revived.append(c["id"])
        return revived

    def _revive_segment(self, segment_id: int, stamp: str) -> bool:
        """Mark a segment live again, on the code that took over its code's segments if that
        code was merged away since; not when the same coding is live under another id."""
        seg = self.conn.execute("SELECT * FROM segments WHERE id = ?", (segment_id,)).fetchone()
        code_id = self._surviving_code_id(seg["code_id"])
        clash = self._live_segment(
            seg["paragraph_id"], code_id, seg["coder_id"], seg["start"], seg["end"]
        )
        if clash and clash["id"] != seg["id"]:
            return False
        self.conn.execute(
            "UPDATE segments SET deleted_at = NULL, code_id = ?, updated_at = ? WHERE id = ?",
            (code_id, stamp, segment_id),
        )
        return True
