"""The coders of a project, each with a GUID that names them alike in every copy."""

from __future__ import annotations

from ..errors import CoderError
from ..text import coder_name_problem
from .connection import Connection, inserted_id
from .stamps import now, stable_guid


class CodersMixin(Connection):
    def coder_id(self, name: str, *, create: bool = True) -> int:
        name = name.strip()
        if not name:
            raise CoderError("a coder needs a name")
        row = self.conn.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
        if row:
            return row["id"]
        if not create:
            known = ", ".join(self.coders()) or "none yet"
            raise CoderError(f"no coder {name!r} in this project (coders: {known})")
        problem = coder_name_problem(name)
        if problem:
            raise CoderError(problem)
        with self.transaction() as conn:
            # Two processes may introduce the same coder at once; the second finds the first's.
            conn.execute(
                "INSERT INTO coders (name, guid, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT(name) DO NOTHING",
                (name, stable_guid("coder", name), now()),
            )
            return conn.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()["id"]

    def coders(self) -> list[str]:
        return [r["name"] for r in self.conn.execute("SELECT name FROM coders ORDER BY id")]

    def coder_names(self) -> dict[int, str]:
        return {r["id"]: r["name"] for r in self.conn.execute("SELECT id, name FROM coders")}

    def coder_guids(self) -> dict[str, str]:
        return {r["name"]: r["guid"] for r in self.conn.execute("SELECT name, guid FROM coders")}

    def ensure_coder(self, name: str, guid: str | None) -> int:
        """The id of coder `name`, creating it with `guid` when the name and the GUID are both new."""
        name = name.strip()
        row = self.conn.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
        if row is not None:
            return row["id"]
        problem = coder_name_problem(name)
        if problem:
            raise CoderError(problem)
        if guid and not self.conn.execute(
            "SELECT 1 FROM coders WHERE upper(guid) = upper(?)", (guid,)
        ).fetchone():
            with self.transaction() as conn:
                cur = conn.execute(
                    "INSERT INTO coders (name, guid, created_at) VALUES (?, ?, ?)",
                    (name, guid.upper(), now()),
                )
            return inserted_id(cur)
        return self.coder_id(name)
