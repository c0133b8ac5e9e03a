"""SQL the exports need that `Store` does not offer yet (to move into store.py).

- `ensure_coder`: a coder created with a GUID given by an imported REFI-QDA file, so a
  project that goes out to another tool and comes back keeps its users' identities.
- `segment_records`: `Store.segment_rows` as plain tuples, for the CSV/JSONL exports, which
  would otherwise spend most of their time building 100,000 dataclasses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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


_RECORDS = """
SELECT d.name, p.n, p.speaker, cr.name, c.key, c.name, s.start, s."end",
       CASE WHEN s.start IS NULL THEN p.text
            ELSE substr(p.text, s.start + 1, s."end" - s.start) END,
       s.memo, s.created_at, s.guid
FROM segments s
JOIN paragraphs p ON p.id = s.paragraph_id
JOIN documents d ON d.id = p.document_id
JOIN codes c ON c.id = s.code_id
JOIN coders cr ON cr.id = s.coder_id
WHERE s.deleted_at IS NULL AND d.superseded_by IS NULL
"""


def segment_records(
    store: Store,
    *,
    coders: Sequence[str] | None = None,
    code_keys: Sequence[str] | None = None,
    document_ids: Sequence[int] | None = None,
    speaker: str | None = None,
) -> list[tuple[Any, ...]]:
    """The rows of `Store.segment_rows` (same filters, same order) as plain tuples
    (document, n, speaker, coder, code_key, code_name, start, end, quote, memo, created_at,
    guid), with the quote cut by SQLite: a CSV of 100,000 segments in about a second.
    SQLite's substr counts characters, as Python's slicing does."""
    sql = _RECORDS
    params: list[Any] = []
    for column, values in (("cr.name", coders), ("c.key", code_keys), ("d.id", document_ids)):
        if values is not None:
            sql += f" AND {column} IN ({','.join('?' * len(values))})"
            params.extend(values)
    if speaker is not None:
        sql += " AND p.speaker = ?"
        params.append(speaker)
    sql += " ORDER BY d.id, p.n, coalesce(s.start, -1), c.position, cr.name"
    cursor = store.conn.cursor()
    cursor.row_factory = None
    try:
        return cursor.execute(sql, params).fetchall()
    finally:
        cursor.close()
