"""Codes: a codebook loaded into a project (renames, merges, retirements, all planned before
anything is written) and codes added while coding."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Collection, Sequence
from typing import Any

from ..codebook_plan import CodePlan, plan_codes
from ..errors import CoderError
from ..models import Code
from ..vocab import EventKind
from .connection import Connection, inserted_id
from .stamps import now, stable_guid


class CodesMixin(Connection):
    def codes(self, *, include_retired: bool = False) -> list[Code]:
        rows = self.conn.execute(
            "SELECT * FROM codes" + ("" if include_retired else " WHERE retired_at IS NULL")
            + " ORDER BY position, id"
        ).fetchall()
        by_id = {r["id"]: r for r in rows}

        def path(r: sqlite3.Row) -> str:
            parts = [r["name"]]
            seen = {r["id"]}
            while r["parent_id"] in by_id and r["parent_id"] not in seen:
                r = by_id[r["parent_id"]]
                seen.add(r["id"])
                parts.append(r["name"])
            return "/".join(reversed(parts))

        return [
            Code(
                id=r["id"],
                key=r["key"],
                name=r["name"],
                parent_id=r["parent_id"],
                path=path(r),
                color=r["color"],
                shortcut=r["shortcut"],
                definition=r["definition"],
                when_to_use=r["when_to_use"],
                when_not_to_use=r["when_not_to_use"],
                example=r["example"],
                position=r["position"],
                guid=r["guid"],
            )
            for r in rows
        ]

    def code(self, key: str) -> Code:
        for code in self.codes(include_retired=True):
            if code.key == key:
                return code
        raise CoderError(f"no code with key {key!r} in this project")

    def segment_counts_by_code(self, coder_id: int | None = None) -> dict[int, int]:
        sql = "SELECT code_id, count(*) AS n FROM segments WHERE deleted_at IS NULL"
        params: tuple[Any, ...] = ()
        if coder_id is not None:
            sql += " AND coder_id = ?"
            params = (coder_id,)
        rows = self.conn.execute(sql + " GROUP BY code_id", params).fetchall()
        return {r["code_id"]: r["n"] for r in rows}

    def resolve_code(self, key: str) -> Code | None:
        """The code a key means today: itself, the code it was renamed to, or the code it was
        merged into. Lets codings made against an older codebook find their code."""
        row = self.conn.execute("SELECT id FROM codes WHERE key = ?", (key,)).fetchone()
        if row is None:
            row = self.conn.execute(
                "SELECT code_id AS id FROM code_aliases WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        code_id = self._surviving_code_id(row["id"])
        return next(c for c in self.codes(include_retired=True) if c.id == code_id)

    def code_key_map(self) -> dict[str, int]:
        """Every key a code ever had (current, renamed from, merged away) to today's code id."""
        out = {r["key"]: r["code_id"] for r in self.conn.execute("SELECT * FROM code_aliases")}
        for r in self.conn.execute("SELECT id, key FROM codes"):
            out[r["key"]] = r["id"]
        return {k: self._surviving_code_id(v) for k, v in out.items()}

    def _surviving_code_id(self, code_id: int) -> int:
        seen = {code_id}
        while True:
            row = self.conn.execute(
                "SELECT merged_into FROM codes WHERE id = ?", (code_id,)
            ).fetchone()
            if row is None or row["merged_into"] is None or row["merged_into"] in seen:
                return code_id
            code_id = row["merged_into"]
            seen.add(code_id)

    def sync_codes(
        self, codes: Sequence[dict[str, Any]], *, moves: dict[str, str] | None = None,
        cosmetic: Collection[str] = (), author: str | None = None,
    ) -> dict[str, list[str]]:
        """Make the project's codes match a codebook, keyed by stable key.

        Each dict has `key`, `name`, `parent_key` and the descriptive fields, plus an optional
        `renamed_from` list. A code listed in `renamed_from` that the codebook no longer has is
        renamed (same row, so its segments stay) or, when the new key already exists, merged:
        its segments move to the new code and it is retired pointing there. `moves` does the
        same for a dropped code the user names (`old key -> target key`). Other dropped codes
        are retired, never deleted; one that live segments still use is refused before
        anything is written. Anything beyond adding codes is preceded by an automatic backup
        and recorded in the events log.

        A code whose meaning (definition, use when, not when) changed, or that took in a
        merged code, gets a new revision by `author`; the keys in `cosmetic` had their
        wording tidied only, which amends their current revision instead.
        """
        unknown = sorted(set(cosmetic) - {c["key"] for c in codes})
        if unknown:
            raise CoderError(f"--cosmetic {', '.join(unknown)}: not a key in this codebook")
        plan = self._plan_codes(codes, moves or {})
        backup = self.auto_backup("before-codebook-change") if plan.changes_existing() or (
            plan.report.get("added") and self._has_codes()) else None
        with self.transaction():
            plan = self._plan_codes(codes, moves or {})  # again, under the write lock
            self._apply_code_plan(codes, plan)
            revised = self._revise_codes(codes, plan, set(cosmetic), author)
            if revised:
                plan.report["revised"] = revised
            if any(plan.report.values()):
                detail: dict[str, Any] = {k: v for k, v in plan.report.items() if v}
                if detail.get("changed"):
                    detail["updated"] = detail.pop("changed")
                if backup:
                    detail["backup"] = str(backup)
                self.log_event(EventKind.CODEBOOK, detail)
        return plan.report

    def _has_codes(self) -> bool:
        """A first codebook loaded into a project without codes has nothing to walk back."""
        return self.conn.execute("SELECT 1 FROM codes LIMIT 1").fetchone() is not None

    def _plan_codes(self, codes: Sequence[dict[str, Any]], moves: dict[str, str]) -> CodePlan:
        """The project's codes, aliases and segment counts, handed to the planner."""
        existing = self.conn.execute("SELECT * FROM codes").fetchall()
        aliases = {r["key"]: r["code_id"] for r in self.conn.execute("SELECT * FROM code_aliases")}
        return plan_codes(codes, moves, existing, aliases, self._segment_counts_all())

    def _segment_counts_all(self) -> dict[int, int]:
        """Live segments per code on every version of every document: a code used only in an
        older version of a transcript is still in use."""
        rows = self.conn.execute(
            "SELECT code_id, count(*) AS n FROM segments WHERE deleted_at IS NULL GROUP BY code_id"
        ).fetchall()
        return {r["code_id"]: r["n"] for r in rows}

    def _apply_code_plan(self, codes: Sequence[dict[str, Any]], plan: CodePlan) -> None:
        conn = self.conn
        stamp = now()
        for old, new in plan.renames.items():
            code_id = conn.execute("SELECT id FROM codes WHERE key = ?", (old,)).fetchone()["id"]
            conn.execute("DELETE FROM code_aliases WHERE key = ?", (new,))
            conn.execute("UPDATE codes SET key = ?, updated_at = ? WHERE id = ?",
                         (new, stamp, code_id))
            conn.execute(
                "INSERT INTO code_aliases (key, code_id, at) VALUES (?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET code_id = excluded.code_id, at = excluded.at",
                (old, code_id, stamp),
            )
        # Shortcuts are unique per codebook, so clear them first to allow swaps.
        conn.execute("UPDATE codes SET shortcut = NULL")
        ids = {r["key"]: r["id"] for r in conn.execute("SELECT id, key FROM codes")}
        for position, c in enumerate(codes):
            values = {
                "name": c.get("name") or "",
                "color": c.get("color"),
                "shortcut": c.get("shortcut"),
                "definition": c.get("definition") or "",
                "when_to_use": c.get("when_to_use") or "",
                "when_not_to_use": c.get("when_not_to_use") or "",
                "example": c.get("example") or "",
                "position": position,
                "stamp": stamp,
                "key": c["key"],
            }
            if c["key"] in ids:
                conn.execute(
                    "UPDATE codes SET name=:name, color=:color, shortcut=:shortcut,"
                    " definition=:definition, when_to_use=:when_to_use,"
                    " when_not_to_use=:when_not_to_use, example=:example, position=:position,"
                    " retired_at=NULL, merged_into=NULL, updated_at=:stamp WHERE key=:key",
                    values,
                )
            else:
                cur = conn.execute(
                    "INSERT INTO codes (key, name, color, shortcut, definition, when_to_use,"
                    " when_not_to_use, example, position, guid, created_at, updated_at)"
                    " VALUES (:key, :name, :color, :shortcut, :definition, :when_to_use,"
                    " :when_not_to_use, :example, :position, :guid, :stamp, :stamp)",
                    {**values, "guid": c.get("guid") or self._new_code_guid(c["key"])},
                )
                ids[c["key"]] = inserted_id(cur)
                conn.execute("DELETE FROM code_aliases WHERE key = ?", (c["key"],))
        for c in codes:
            parent = ids.get(c.get("parent_key")) if c.get("parent_key") else None
            conn.execute("UPDATE codes SET parent_id = ? WHERE key = ?", (parent, c["key"]))
        for old, target in plan.merges.items():
            self._merge_code(ids[old], ids[target], stamp)
        for r in plan.dropped:
            conn.execute(
                "UPDATE codes SET retired_at = ?, shortcut = NULL WHERE id = ?", (stamp, r["id"])
            )

    def _revise_codes(
        self, codes: Sequence[dict[str, Any]], plan: CodePlan, cosmetic: set[str],
        author: str | None,
    ) -> list[str]:
        """New revisions for the codes a codebook changed the meaning of, as `key rN`."""
        merged_into: dict[str, list[str]] = {}
        for old, target in plan.merges.items():
            merged_into.setdefault(target, []).append(old)
        ids = {r["key"]: r["id"] for r in self.conn.execute("SELECT id, key FROM codes")}
        revised = []
        for c in codes:
            olds = merged_into.get(c["key"], [])
            tidied = c["key"] in cosmetic
            note = "codebook: " + (f"{', '.join(olds)} merged into it" if olds
                                   else "wording tidied (cosmetic)" if tidied
                                   else "meaning changed")
            rev = self.record_revision(ids[c["key"]], author=author, note=note,
                                       cosmetic=tidied, force=bool(olds))
            if rev is not None:
                revised.append(f"{c['key']} r{rev.n}")
        return revised

    def _merge_code(self, from_id: int, to_id: int, stamp: str) -> None:
        """Move every live segment of one code to another and retire the first.

        A coder who had already applied both codes to the same text keeps one segment: the
        duplicate is soft-deleted (still in the file) and its memo joins the survivor's.
        """
        conn = self.conn
        rows = conn.execute(
            "SELECT * FROM segments WHERE code_id = ? AND deleted_at IS NULL", (from_id,)
        ).fetchall()
        for r in rows:
            self._move_segment(r, to_id, stamp)
        conn.execute(
            "UPDATE codes SET retired_at = ?, merged_into = ?, shortcut = NULL, updated_at = ?"
            " WHERE id = ?",
            (stamp, to_id, stamp, from_id),
        )
        conn.execute(
            "UPDATE code_aliases SET code_id = ? WHERE code_id = ?", (to_id, from_id)
        )

    def _move_segment(self, r: sqlite3.Row, to_id: int, stamp: str, *,
                      revision_id: int | None = None) -> bool:
        """Move one segment to another code (under `revision_id` when given). Where its coder
        already has the same coding there, that one stays and takes this one's memo, and this
        one is soft-deleted (still in the file). False when it was such a duplicate."""
        conn = self.conn
        clash = self._live_segment(r["paragraph_id"], to_id, r["coder_id"], r["start"], r["end"])
        if clash is None or clash["id"] == r["id"]:
            # updated_at stays: it dates the coder's own last change, which a merge
            # compares with another copy's (a memo edited there after this must win).
            conn.execute("UPDATE segments SET code_id = ?, revision_id = coalesce(?, revision_id)"
                         " WHERE id = ?", (to_id, revision_id, r["id"]))
            return True
        if r["memo"]:
            kept = conn.execute("SELECT memo FROM segments WHERE id = ?", (clash["id"],))
            memo = kept.fetchone()["memo"]
            if memo != r["memo"]:
                conn.execute(
                    "UPDATE segments SET memo = ?, updated_at = ? WHERE id = ?",
                    ("\n\n".join(m for m in (memo, r["memo"]) if m), stamp, clash["id"]),
                )
        conn.execute(
            "UPDATE segments SET deleted_at = ?, updated_at = ? WHERE id = ?",
            (stamp, stamp, r["id"]),
        )
        return False

    def _new_code_guid(self, key: str) -> str:
        """The GUID a new code is born with: derived from its key, so two copies of a project
        that load one codebook agree; a fresh one when a renamed code still carries it (the key
        was `a`, renamed to `x`, and a new code `a` arrives)."""
        guid = stable_guid("code", key)
        if self.conn.execute("SELECT 1 FROM codes WHERE guid = ?", (guid,)).fetchone():
            return str(uuid.uuid4()).upper()
        return guid

    def add_code(
        self,
        key: str,
        name: str,
        *,
        parent_key: str | None = None,
        color: str | None = None,
        shortcut: str | None = None,
        definition: str = "",
    ) -> Code:
        """A code created while coding, appended after its siblings."""
        stamp = now()
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM codes WHERE key = ?", (key,)).fetchone():
                raise CoderError(f"a code with key {key!r} already exists")
            parent_id = self.code(parent_key).id if parent_key else None
            if shortcut and conn.execute(
                "SELECT 1 FROM codes WHERE shortcut = ? AND retired_at IS NULL", (shortcut,)
            ).fetchone():
                raise CoderError(f"shortcut {shortcut!r} is taken by another code")
            conn.execute("DELETE FROM code_aliases WHERE key = ?", (key,))
            position = conn.execute("SELECT coalesce(max(position), -1) + 1 FROM codes").fetchone()[0]
            conn.execute(
                "INSERT INTO codes (key, name, parent_id, position, color, shortcut, definition,"
                " guid, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, name, parent_id, position, color, shortcut, definition,
                 self._new_code_guid(key), stamp, stamp),
            )
            self.log_event(EventKind.CODE_ADDED, {"key": key, "name": name, "parent": parent_key})
        return self.code(key)

    def ensure_codes(self, codes: Sequence[Code], parent_keys: dict[str, str | None]) -> list[str]:
        """Add the codes this project lacks (from another copy of it), keeping key and GUID.

        A code this project knows under another key (renamed here: its old key is an alias,
        or the GUID is the same) is not added again.
        """
        have = {r["key"] for r in self.conn.execute("SELECT key FROM codes")}
        have |= {r["key"] for r in self.conn.execute("SELECT key FROM code_aliases")}
        guids = {r["guid"] for r in self.conn.execute("SELECT guid FROM codes")}
        taken = {r["shortcut"] for r in self.conn.execute(
            "SELECT shortcut FROM codes WHERE shortcut IS NOT NULL")}
        added: list[str] = []
        stamp = now()
        with self.transaction() as conn:
            # positions counted here, not by max() per code: a .qdpx may bring 100,000 codes
            position = conn.execute(
                "SELECT coalesce(max(position), -1) FROM codes").fetchone()[0]
            for code in codes:
                if code.key in have or (code.guid or stable_guid("code", code.key)) in guids:
                    continue
                position += 1
                have.add(code.key)
                conn.execute(
                    "INSERT INTO codes (key, name, position, color, shortcut, definition,"
                    " when_to_use, when_not_to_use, example, guid, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (code.key, code.name, position, code.color,
                     code.shortcut if code.shortcut not in taken else None,
                     code.definition, code.when_to_use, code.when_not_to_use, code.example,
                     code.guid or stable_guid("code", code.key), stamp, stamp),
                )
                added.append(code.key)
            for key in added:
                parent = parent_keys.get(key)
                if parent:
                    conn.execute(
                        "UPDATE codes SET parent_id = (SELECT id FROM codes WHERE key = ?)"
                        " WHERE key = ?", (parent, key))
            if added:
                self.log_event(EventKind.CODES_ADDED, {"keys": added})
        return added

    def unretire_codes_in_use(self, reason: str) -> list[str]:
        """Un-retire every retired code that live segments use (a code is only ever retired
        unused, so a coding brought back by undo or a merge brings its code back), logging it.
        `codebook use` then names it as a code in use the codebook file lacks."""
        keys = [r["key"] for r in self.conn.execute(
            "SELECT key FROM codes WHERE retired_at IS NOT NULL AND merged_into IS NULL"
            " AND EXISTS (SELECT 1 FROM segments s WHERE s.code_id = codes.id"
            " AND s.deleted_at IS NULL) ORDER BY position, id")]
        if keys:
            with self.transaction() as conn:
                conn.executemany("UPDATE codes SET retired_at = NULL, updated_at = ? WHERE key = ?",
                                 [(now(), k) for k in keys])
                self.log_event(EventKind.CODEBOOK, {"unretired": keys, "why": reason})
        return keys
