"""Code revisions in the store: meaning changes make revisions, codings remember theirs,
rechecking and autocoding are undoable, and old project files migrate with a backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from factories import SMALL_CODES

from coder.store import MIGRATIONS, SCHEMA_VERSION, Store


def _para(store: Store, n: int) -> int:
    return store.paragraphs(1)[n - 1].id


def _sharpen(store: Store, key: str, definition: str, **flags: object) -> None:
    codes = [dict(c) for c in SMALL_CODES]
    for c in codes:
        if c["key"] == key:
            c["definition"] = definition
    store.sync_codes(codes, **flags)  # type: ignore[arg-type]


def test_new_codes_start_at_revision_one_and_codings_record_it(store: Store) -> None:
    stigma = store.code("stigma")
    [first] = store.code_revisions(stigma.id)
    assert (first.n, first.definition) == (1, stigma.definition)
    seg = store.add_segment(store.coder_id("alice"), _para(store, 3), stigma.id)
    assert store.segment_marks([seg])[seg]["revision_id"] == first.id


def test_a_meaning_change_makes_a_revision_and_sends_older_codings_to_recheck(
    store: Store,
) -> None:
    alice = store.coder_id("alice")
    stigma = store.code("stigma").id
    old = store.add_segment(alice, _para(store, 3), stigma)
    _sharpen(store, "stigma", "Treated as less because of care experience", author="alice")
    revs = store.code_revisions(stigma)
    assert [(r.n, r.author) for r in revs] == [(1, None), (2, "alice")]
    assert revs[1].definition == "Treated as less because of care experience"
    new = store.add_segment(alice, _para(store, 4), stigma)
    assert [r.segment_id for r in store.recheck_rows()] == [old]
    assert store.segment_marks([new])[new]["revision_id"] == revs[1].id
    assert store.events("code revised")[-1]["revision"] == 2


def test_cosmetic_and_unchanged_codebooks_make_no_revision(store: Store) -> None:
    stigma = store.code("stigma").id
    store.add_segment(store.coder_id("alice"), _para(store, 3), stigma)
    store.sync_codes([{**c, "color": "#000000"} if c["key"] == "stigma" else c
                      for c in SMALL_CODES])
    _sharpen(store, "stigma", "Being treated differently because of a care experience",
             cosmetic={"stigma"})
    [rev] = store.code_revisions(stigma)
    assert rev.definition == "Being treated differently because of a care experience"
    assert "cosmetic" in rev.note
    assert store.recheck_rows() == []
    store.sync_codes(SMALL_CODES[:1] + SMALL_CODES[1:])  # back to the old wording: a change
    assert len(store.code_revisions(stigma)) == 2


def test_a_merge_makes_a_revision_of_the_code_that_takes_the_codings(store: Store) -> None:
    alice = store.coder_id("alice")
    seg = store.add_segment(alice, _para(store, 3), store.code("labels").id)
    store.sync_codes([c for c in SMALL_CODES if c["key"] != "labels"],
                     moves={"labels": "stigma"}, author="bob")
    stigma = store.code("stigma").id
    assert [(r.n, r.note) for r in store.code_revisions(stigma)][-1] == (
        2, "codebook: labels merged into it")
    [row] = store.recheck_rows(code_ids=[stigma])
    assert (row.segment_id, row.code_key) == (seg, "stigma")
    assert store.code_revision(row.revision_id).code_id == store.code("labels").id


def test_keep_remove_move_are_recorded_and_undoable(store: Store) -> None:
    alice = store.coder_id("alice")
    stigma = store.code("stigma").id
    leaving = store.code("leaving-care").id
    a = store.add_segment(alice, _para(store, 2), stigma)
    b = store.add_segment(alice, _para(store, 3), stigma)
    c = store.add_segment(alice, _para(store, 4), stigma)
    _sharpen(store, "stigma", "Sharper")
    store.recheck_keep(alice, a)
    store.recheck_remove(alice, b)
    store.recheck_move(alice, c, leaving)
    assert store.recheck_rows() == []
    assert [(s.id, s.code_id) for s in store.segments()] == [(a, stigma), (c, leaving)]
    assert [e["decision"] for e in store.events("recheck")] == ["keep", "remove", "move"]
    for _ in range(3):
        store.undo(alice)
    assert {r.segment_id for r in store.recheck_rows()} == {a, b, c}
    store.redo(alice)
    assert {r.segment_id for r in store.recheck_rows()} == {b, c}


def test_move_onto_a_coding_already_there_removes_the_duplicate(store: Store) -> None:
    alice = store.coder_id("alice")
    para = _para(store, 3)
    old = store.add_segment(alice, para, store.code("stigma").id)
    kept = store.add_segment(alice, para, store.code("leaving-care").id)
    _sharpen(store, "stigma", "Sharper")
    store.recheck_move(alice, old, store.code("leaving-care").id)
    assert [s.id for s in store.segments()] == [kept]


def test_autocode_is_one_undo_step_and_marked_until_confirmed(store: Store) -> None:
    alice = store.coder_id("alice")
    stigma = store.code("stigma").id
    manual = store.add_segment(alice, _para(store, 3), stigma)
    added, skipped = store.autocode(
        alice, stigma, [(_para(store, 3), None, None), (_para(store, 4), 0, 5),
                        (_para(store, 2), None, None)], "search 'care'")
    assert (len(added), skipped) == (2, 1)
    assert [s["id"] for s in store.automatic_segments()] == added
    store.confirm_segment(alice, added[0])
    assert [s["id"] for s in store.automatic_segments()] == added[1:]
    store.undo(alice)
    assert [s["id"] for s in store.automatic_segments()] == added
    store.undo(alice)
    assert [s.id for s in store.segments()] == [manual]
    store.redo(alice)
    assert sorted(s.id for s in store.segments()) == sorted([manual, *added])


def test_retract_revision_only_when_unused(store: Store) -> None:
    stigma = store.code("stigma").id
    _sharpen(store, "stigma", "Sharper")
    rev = store.current_revision(stigma)
    assert store.retract_revision(rev.id)
    assert store.current_revision(stigma).n == 1
    _sharpen(store, "stigma", "Sharper still")
    rev = store.current_revision(stigma)
    store.add_segment(store.coder_id("alice"), _para(store, 3), stigma)
    assert not store.retract_revision(rev.id)


def _v2_project(path: Path) -> None:
    """A project file as the release before revisions wrote it (schema 2), with codings."""
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:2]:
        for statement in migration.split(";\n"):
            if statement.strip():
                conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    stamp = "2024-01-01T00:00:00.000000Z"
    conn.execute("INSERT INTO documents (id, name, content_hash, text_hash, format, imported_at)"
                 " VALUES (1, 'notes', 'h', 't', 'text', ?)", (stamp,))
    conn.execute("INSERT INTO paragraphs (id, document_id, n, text) VALUES (1, 1, 1, 'Hello')")
    conn.execute("INSERT INTO codes (id, key, name, definition, guid, created_at, updated_at)"
                 " VALUES (1, 'stigma', 'Stigma', 'Old meaning', 'G', ?, ?)", (stamp, stamp))
    conn.execute("INSERT INTO coders VALUES (1, 'alice', 'GA', ?)", (stamp,))
    conn.execute("INSERT INTO segments (guid, paragraph_id, code_id, coder_id, created_at,"
                 " updated_at) VALUES ('S', 1, 1, 1, ?, ?)", (stamp, stamp))
    conn.close()


def test_migration_gives_existing_codings_their_codes_first_revision(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _v2_project(db)
    with Store(db) as store:
        assert store.schema_version == SCHEMA_VERSION
        [rev] = store.code_revisions(1)
        assert (rev.n, rev.definition, rev.at) == (1, "Old meaning", "2024-01-01T00:00:00.000000Z")
        [seg] = store.segments()
        assert store.segment_marks([seg.id])[seg.id] == {
            "revision_id": rev.id, "auto_rule": None, "confirmed_at": None}
        assert store.recheck_rows() == []
        [backup] = store.backups()
    assert "before-migration-2" in backup.name
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()
