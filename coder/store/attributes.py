"""Attributes (declared once with a type), their values on documents and cases, and the
links that tie a speaker of a document, or a whole document, to a case.

Values arrive here already checked and in canonical text (see `coder.attributes`); this
module only stores and reads them. Every write is one transaction and one history event.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import CoderError
from ..models import Attribute, Case
from ..vocab import EventKind
from .connection import Connection
from .stamps import now, stable_guid


def _attribute(row: sqlite3.Row) -> Attribute:
    return Attribute(row["id"], row["name"], row["type"], row["guid"])


def _case(row: sqlite3.Row) -> Case:
    return Case(row["id"], row["name"], row["description"], row["guid"])


class AttributesMixin(Connection):
    # -- declarations -------------------------------------------------------------------

    def attributes(self) -> list[Attribute]:
        """Every declared attribute, in the order they were declared."""
        return [_attribute(r) for r in self.conn.execute("SELECT * FROM attributes ORDER BY id")]

    def attribute(self, name: str) -> Attribute | None:
        """The attribute called `name`, ignoring case."""
        row = self.conn.execute(
            "SELECT * FROM attributes WHERE name = ? COLLATE NOCASE", (name.strip(),)
        ).fetchone()
        return _attribute(row) if row else None

    def _insert_attribute(self, name: str, type_: str, guid: str | None) -> Attribute:
        self.conn.execute(
            "INSERT INTO attributes (name, type, guid, created_at) VALUES (?, ?, ?, ?)",
            (name, type_, (guid or stable_guid("attribute", name)).upper(), now()),
        )
        found = self.attribute(name)
        assert found is not None
        return found

    def declare_attribute(self, name: str, type_: str, *, guid: str | None = None) -> Attribute:
        """Declare `name` with its type; declaring it again with the same type is a no-op,
        with another type is refused (its values were checked against the first)."""
        with self.transaction():
            existing = self.attribute(name)
            if existing is not None:
                if existing.type != type_:
                    raise CoderError(
                        f"attribute {existing.name!r} is already declared as {existing.type}, "
                        f"not {type_}")
                return existing
            made = self._insert_attribute(name, type_, guid)
            self.log_event(EventKind.ATTRIBUTE_DECLARED, {"attribute": name, "type": type_})
            return made

    # -- cases ----------------------------------------------------------------------------

    def cases(self) -> list[Case]:
        return [_case(r) for r in self.conn.execute("SELECT * FROM cases ORDER BY name")]

    def case(self, name: str) -> Case | None:
        """The case called `name`, ignoring case."""
        row = self.conn.execute(
            "SELECT * FROM cases WHERE name = ? COLLATE NOCASE", (name.strip(),)
        ).fetchone()
        return _case(row) if row else None

    def _insert_case(self, name: str, description: str, guid: str | None) -> Case:
        self.conn.execute(
            "INSERT INTO cases (name, description, guid, created_at) VALUES (?, ?, ?, ?)",
            (name, description, (guid or stable_guid("case", name)).upper(), now()),
        )
        found = self.case(name)
        assert found is not None
        return found

    def add_case(self, name: str, description: str = "", *, guid: str | None = None) -> Case:
        """A new case; an existing one of that name is returned (its description updated when
        one is given)."""
        name = name.strip()
        if not name:
            raise CoderError("a case needs a name")
        with self.transaction() as conn:
            existing = self.case(name)
            if existing is not None:
                if description and description != existing.description:
                    conn.execute("UPDATE cases SET description = ? WHERE id = ?",
                                 (description, existing.id))
                    return Case(existing.id, existing.name, description, existing.guid)
                return existing
            made = self._insert_case(name, description, guid)
            self.log_event(EventKind.CASE_ADDED, {"case": name})
            return made

    def link_case(self, case_id: int, document_id: int, speaker: str | None = None) -> None:
        """Tie `speaker` of a document (or, with no speaker, the whole document) to a case,
        replacing the case it was tied to before."""
        with self.transaction() as conn:
            self._write_case_link(case_id, document_id, speaker)
            names = conn.execute(
                "SELECT (SELECT name FROM cases WHERE id = ?), (SELECT name FROM documents"
                " WHERE id = ?)", (case_id, document_id)).fetchone()
            self.log_event(EventKind.CASE_LINKED, {
                "case": names[0], "document": names[1], "speaker": speaker})

    def _write_case_link(self, case_id: int, document_id: int, speaker: str | None) -> None:
        self.conn.execute(
            "DELETE FROM case_links WHERE document_id = ? AND coalesce(speaker, '') = ?",
            (document_id, speaker or ""))
        self.conn.execute(
            "INSERT INTO case_links (case_id, document_id, speaker, linked_at) VALUES (?, ?, ?, ?)",
            (case_id, document_id, speaker or None, now()))

    def case_links(self) -> list[tuple[int, int, str | None]]:
        """(case_id, document_id, speaker or None for the whole document) of every link to a
        current document."""
        return [
            (r[0], r[1], r[2]) for r in self._tuples(
                "SELECT l.case_id, l.document_id, l.speaker FROM case_links l"
                " JOIN documents d ON d.id = l.document_id WHERE d.superseded_by IS NULL"
                " ORDER BY l.document_id, coalesce(l.speaker, '')")
        ]

    def paragraph_speakers(self, document_ids: Sequence[int]) -> dict[int, dict[str | None, int]]:
        """document_id → {speaker (None for nobody's paragraphs): paragraphs}: what grouping
        paragraphs by their case needs, without reading their text."""
        out: dict[int, dict[str | None, int]] = {}
        if not document_ids:
            return out
        marks = ",".join("?" * len(document_ids))
        for doc_id, speaker, count in self._tuples(
            "SELECT document_id, speaker, count(*) FROM paragraphs"
            f" WHERE document_id IN ({marks}) GROUP BY document_id, speaker", list(document_ids)
        ):
            out.setdefault(doc_id, {})[speaker] = count
        return out

    def paragraph_owners(self) -> list[tuple[int, int, str | None]]:
        """(document_id, paragraph_id, speaker) of every paragraph of the current documents."""
        return [(r[0], r[1], r[2]) for r in self._tuples(
            "SELECT p.document_id, p.id, p.speaker FROM paragraphs p"
            " JOIN documents d ON d.id = p.document_id WHERE d.superseded_by IS NULL")]

    # -- values -----------------------------------------------------------------------------

    def document_attribute_values(self) -> list[tuple[int, str, str]]:
        """(document_id, attribute name, value) for the current documents."""
        return [(r[0], r[1], r[2]) for r in self._tuples(
            "SELECT v.document_id, a.name, v.value FROM document_attributes v"
            " JOIN attributes a ON a.id = v.attribute_id"
            " JOIN documents d ON d.id = v.document_id WHERE d.superseded_by IS NULL"
            " ORDER BY v.document_id, a.id")]

    def case_attribute_values(self) -> list[tuple[int, str, str]]:
        """(case_id, attribute name, value) for every case."""
        return [(r[0], r[1], r[2]) for r in self._tuples(
            "SELECT v.case_id, a.name, v.value FROM case_attributes v"
            " JOIN attributes a ON a.id = v.attribute_id ORDER BY v.case_id, a.id")]

    def _write_value(self, table: str, owner_id: int, attribute_id: int, value: str) -> bool:
        """Store one value; whether it changed anything."""
        owner = "document_id" if table == "document_attributes" else "case_id"
        before = self.conn.execute(
            f"SELECT value FROM {table} WHERE {owner} = ? AND attribute_id = ?",
            (owner_id, attribute_id)).fetchone()
        if before is not None and before[0] == value:
            return False
        self.conn.execute(
            f"INSERT INTO {table} ({owner}, attribute_id, value, updated_at) VALUES (?, ?, ?, ?)"
            f" ON CONFLICT({owner}, attribute_id) DO UPDATE SET value = excluded.value,"
            " updated_at = excluded.updated_at",
            (owner_id, attribute_id, value, now()))
        return True

    def set_attribute_values(
        self,
        document_values: Iterable[tuple[int, int, str]] = (),
        case_values: Iterable[tuple[int, int, str]] = (),
        *,
        event: str = EventKind.ATTRIBUTE_SET,
        detail: dict[str, Any] | None = None,
    ) -> int:
        """Write checked values, (document_id | case_id, attribute_id, canonical value), in
        one transaction with one history event; returns how many changed."""
        changed = 0
        with self.transaction():
            for doc_id, attr_id, value in document_values:
                changed += self._write_value("document_attributes", doc_id, attr_id, value)
            for case_id, attr_id, value in case_values:
                changed += self._write_value("case_attributes", case_id, attr_id, value)
            self.log_event(event, {**(detail or {}), "changed": changed})
        return changed

    def apply_attribute_plan(
        self,
        declare: Sequence[tuple[str, str]],
        cases: Sequence[str],
        document_values: Sequence[tuple[int, str, str]],
        case_values: Sequence[tuple[str, str, str]],
        detail: dict[str, Any],
        document_cases: Sequence[tuple[str, int]] = (),
        *,
        attribute_guids: Mapping[str, str] | None = None,
        case_details: Mapping[str, tuple[str, str | None]] | None = None,
        speaker_cases: Sequence[tuple[str, int, str]] = (),
    ) -> int:
        """An attributes import in one transaction: declare the new attributes (name, type),
        add the new cases, then write (document_id | case name, attribute name, value) and
        link whole documents to cases (case name, document_id) and speakers of documents to
        cases (case name, document_id, speaker). A REFI-QDA import also keeps the GUIDs the
        file gave attributes (by name) and the description and GUID of each case (by name)."""
        guids = attribute_guids or {}
        details = case_details or {}
        with self.transaction():
            for name, type_ in declare:
                if self.attribute(name) is None:
                    self._insert_attribute(name, type_, guids.get(name))
            for name in cases:
                if self.case(name) is None:
                    self._insert_case(name, *details.get(name, ("", None)))
            ids = {a.name.casefold(): a.id for a in self.attributes()}
            case_ids = {c.name.casefold(): c.id for c in self.cases()}
            for case_name, doc_id in document_cases:
                self._write_case_link(case_ids[case_name.casefold()], doc_id, None)
            for case_name, doc_id, speaker in speaker_cases:
                self._write_case_link(case_ids[case_name.casefold()], doc_id, speaker)
            return self.set_attribute_values(
                [(d, ids[a.casefold()], v) for d, a, v in document_values],
                [(case_ids[c.casefold()], ids[a.casefold()], v) for c, a, v in case_values],
                event=EventKind.ATTRIBUTES_IMPORT, detail=detail)
