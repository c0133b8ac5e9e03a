"""The typed vocabulary reads and writes the very words project files already hold."""

from __future__ import annotations

import sqlite3

import pytest

from coder.store import MIGRATIONS, STATUSES, Store
from coder.vocab import DocumentStatus, UndoKind, UndoState


def _schema() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    for migration in MIGRATIONS:
        conn.executescript(migration)
    conn.execute("INSERT INTO documents (id, name, content_hash, text_hash, format, imported_at)"
                 " VALUES (1, 'd', '', '', 'text', '')")
    conn.execute("INSERT INTO coders (id, name, guid, created_at) VALUES (1, 'ann', 'G', '')")
    return conn


def test_the_schema_accepts_exactly_the_statuses_and_undo_states() -> None:
    conn = _schema()
    for status in DocumentStatus:
        conn.execute("INSERT OR REPLACE INTO document_status VALUES (1, 1, ?, '')", (status,))
    for state in UndoState:
        conn.execute("INSERT INTO actions (coder_id, at, kind, payload, state)"
                     " VALUES (1, '', 'add', '{}', ?)", (state,))
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT OR REPLACE INTO document_status VALUES (1, 1, 'finished', '')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO actions (coder_id, at, kind, payload, state)"
                     " VALUES (1, '', 'add', '{}', 'redone')")
    assert list(STATUSES) == ["not started", "in progress", "done"]


def test_a_status_is_stored_as_the_bare_word_and_undone_as_one(store: Store) -> None:
    cid = store.coder_id("newcomer")
    doc = store.documents()[0]
    assert store.status(cid, doc.id) == "not started"
    store.set_status(cid, doc.id, DocumentStatus.DONE)
    raw = sqlite3.connect(store.path)
    assert raw.execute("SELECT status FROM document_status WHERE coder_id = ?",
                       (cid,)).fetchall() == [("done",)]
    assert raw.execute("SELECT kind, state FROM actions WHERE coder_id = ?",
                       (cid,)).fetchall() == [("status", "done")]
    undone = store.undo(cid)
    assert undone is not None and undone["kind"] == UndoKind.STATUS
    assert store.status(cid, doc.id) == DocumentStatus.NOT_STARTED
    assert raw.execute("SELECT state FROM actions WHERE coder_id = ?",
                       (cid,)).fetchall() == [(UndoState.UNDONE.value,)]
