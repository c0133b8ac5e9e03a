"""SQL the exports need that `Store` does not offer yet (to move into store.py).

- `ensure_coder`: a coder created with a GUID given by an imported REFI-QDA file, so a
  project that goes out to another tool and comes back keeps its users' identities.
"""

from __future__ import annotations

from ..store import Store, now


def ensure_coder(store: Store, name: str, guid: str | None) -> int:
    """The id of coder `name`, creating it with `guid` when the name and the GUID are both new."""
    name = name.strip()
    row = store.conn.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
    if row is not None:
        return row["id"]
    if guid and not store.conn.execute(
        "SELECT 1 FROM coders WHERE upper(guid) = upper(?)", (guid,)
    ).fetchone():
        with store.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO coders (name, guid, created_at) VALUES (?, ?, ?)",
                (name, guid.upper(), now()),
            )
        return int(cur.lastrowid)
    return store.coder_id(name)
