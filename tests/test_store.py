from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from factories import SMALL_CODES

from coder.errors import CoderError
from coder.models import ParagraphIn, ParsedDocument
from coder.store import SCHEMA_VERSION, Store


def test_project_file_is_plain_sqlite_with_wal_and_version(store: Store) -> None:
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"documents", "paragraphs", "codes", "coders", "segments", "document_status"} <= tables


def test_round_trip_of_documents_and_paragraphs(store: Store) -> None:
    doc = store.document("notes")
    paragraphs = store.paragraphs(doc.id)
    assert [p.n for p in paragraphs] == [1, 2, 3, 4]
    assert paragraphs[0].kind == "heading"
    assert paragraphs[1].text == "The first [Spotlight Inquiry](#) session met online."
    assert paragraphs[2].speaker == "P2"
    assert store.document("no").name == "notes"  # unambiguous prefix


def test_unknown_document_names_the_known_ones(store: Store) -> None:
    with pytest.raises(CoderError, match="documents: notes"):
        store.document("interview")


def test_codes_keep_hierarchy_and_order(store: Store) -> None:
    codes = store.codes()
    assert [c.key for c in codes] == ["stigma", "labels", "leaving-care"]
    assert store.code("labels").path == "Stigma/Labels"
    assert store.code("labels").guid == Store(store.path).code("labels").guid


def test_toggle_applies_then_removes_without_deleting_the_row(store: Store) -> None:
    alice = store.coder_id("alice")
    p = store.paragraphs(1)[2]
    code = store.code("stigma")
    assert store.toggle_segment(alice, p.id, code.id).added
    assert len(store.segments(coder_ids=[alice])) == 1
    assert not store.toggle_segment(alice, p.id, code.id).added
    assert store.segments(coder_ids=[alice]) == []
    kept = store.conn.execute("SELECT count(*) FROM segments WHERE deleted_at IS NOT NULL")
    assert kept.fetchone()[0] == 1


def test_span_coding_quotes_exact_text_and_rejects_bad_spans(store: Store) -> None:
    alice = store.coder_id("alice")
    p = store.paragraphs(1)[1]
    store.add_segment(alice, p.id, store.code("labels").id, 10, 32)
    [row] = store.segment_rows()
    assert row.quote == "[Spotlight Inquiry](#)"
    view = store.conn.execute("SELECT quote FROM coded_text").fetchone()[0]
    assert view == "[Spotlight Inquiry](#)"
    with pytest.raises(CoderError, match="outside the paragraph"):
        store.add_segment(alice, p.id, store.code("labels").id, 5, 500)


def test_same_code_by_two_coders_is_two_segments(store: Store) -> None:
    p = store.paragraphs(1)[2]
    for name in ("alice", "bob"):
        store.add_segment(store.coder_id(name), p.id, store.code("stigma").id)
    assert sorted(r.coder for r in store.segment_rows()) == ["alice", "bob"]


def test_undo_redo_survives_reopening(tmp_path: Path, store: Store) -> None:
    alice = store.coder_id("alice")
    p = store.paragraphs(1)
    store.toggle_segment(alice, p[1].id, store.code("stigma").id)
    store.toggle_segment(alice, p[2].id, store.code("labels").id)
    store.set_paragraph_memo(alice, p[2].id, "strong example")
    store.close()

    again = Store(store.path)
    assert again.undo(alice)["kind"] == "paragraph memo"
    assert again.paragraph_memo(alice, p[2].id) is None
    assert again.undo(alice)["kind"] == "add"
    assert [s.paragraph_id for s in again.segments()] == [p[1].id]
    assert again.redo(alice)["kind"] == "add"
    assert len(again.segments()) == 2
    # A new action discards what could still be redone.
    again.toggle_segment(alice, p[3].id, again.code("stigma").id)
    assert again.redo(alice) is None
    assert again.undo(again.coder_id("bob")) is None


def test_undo_is_per_coder(store: Store) -> None:
    alice, bob = store.coder_id("alice"), store.coder_id("bob")
    p = store.paragraphs(1)[2]
    store.toggle_segment(alice, p.id, store.code("stigma").id)
    store.toggle_segment(bob, p.id, store.code("stigma").id)
    store.undo(alice)
    assert [s.coder_id for s in store.segments()] == [bob]


def test_status_moves_to_in_progress_on_first_coding_and_can_be_done(store: Store) -> None:
    alice = store.coder_id("alice")
    assert store.status(alice, 1) == "not started"
    store.toggle_segment(alice, store.paragraphs(1)[1].id, store.code("stigma").id)
    assert store.status(alice, 1) == "in progress"
    store.set_status(alice, 1, "done")
    assert store.status(alice, 1) == "done"
    store.undo(alice)
    assert store.status(alice, 1) == "in progress"


def test_codebook_sync_updates_names_without_touching_segments(store: Store) -> None:
    alice = store.coder_id("alice")
    seg = store.add_segment(alice, store.paragraphs(1)[2].id, store.code("stigma").id)
    renamed = [dict(c) for c in SMALL_CODES]
    renamed[0]["name"] = "Stigma and labels"
    report = store.sync_codes(renamed)
    assert report["updated"] == ["stigma"]
    assert store.segment(seg).code_id == store.code("stigma").id
    assert store.segment_rows()[0].code_name == "Stigma and labels"


def test_codebook_sync_refuses_to_drop_a_code_in_use(store: Store) -> None:
    alice = store.coder_id("alice")
    store.add_segment(alice, store.paragraphs(1)[2].id, store.code("labels").id)
    with pytest.raises(CoderError, match=r"'Labels' \(labels\) is used by 1 segment"):
        store.sync_codes([c for c in SMALL_CODES if c["key"] != "labels"])
    assert [c.key for c in store.codes()] == ["stigma", "labels", "leaving-care"]


def test_codebook_sync_retires_unused_codes_and_follows_renames(store: Store) -> None:
    alice = store.coder_id("alice")
    store.add_segment(alice, store.paragraphs(1)[2].id, store.code("stigma").id)
    new = [dict(SMALL_CODES[0], key="stigma-labels", renamed_from=["stigma"]), SMALL_CODES[2]]
    report = store.sync_codes(new)
    assert report["renamed"] == ["stigma -> stigma-labels"]
    assert report["retired"] == ["labels"]
    assert store.segment_rows()[0].code_key == "stigma-labels"
    assert "labels" in {c.key for c in store.codes(include_retired=True)}


def test_insert_segments_twice_changes_nothing(store: Store) -> None:
    alice = store.coder_id("alice")
    rows = [{"paragraph_id": store.paragraphs(1)[2].id, "code_id": store.code("stigma").id,
             "coder_id": alice, "start": 0, "end": 6, "guid": "G-1"}]
    assert store.insert_segments(rows, event="t", detail={}) == (1, 0)
    assert store.insert_segments(rows, event="t", detail={}) == (0, 1)


def test_search_is_case_insensitive_and_in_reading_order(store: Store) -> None:
    hits = store.search("CARE")
    assert [(d.name, p.n) for d, p in hits] == [("notes", 3)]


def test_not_an_sqlite_file_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "x.db"
    bogus.write_text("hello")
    with pytest.raises(CoderError, match="not a coder project"):
        Store(bogus)
    assert bogus.read_text() == "hello"


def test_missing_project_is_reported_when_not_creating(tmp_path: Path) -> None:
    with pytest.raises(CoderError, match="no project file"):
        Store(tmp_path / "nope.db", create=False)
    assert not (tmp_path / "nope.db").exists()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(CoderError, match="newer coder"):
        Store(path)


def test_backup_is_a_consistent_copy(store: Store, tmp_path: Path) -> None:
    store.add_segment(store.coder_id("alice"), store.paragraphs(1)[1].id, store.code("stigma").id)
    copy = store.backup(tmp_path / "copy.db")
    assert Store(copy).segment_rows()[0].code_key == "stigma"


def test_add_code_on_the_fly(store: Store) -> None:
    code = store.add_code("photos", "Photos", parent_key="stigma", shortcut="p")
    assert code.path == "Stigma/Photos"
    with pytest.raises(CoderError, match="already exists"):
        store.add_code("photos", "Photos again")
    with pytest.raises(CoderError, match="taken"):
        store.add_code("other", "Other", shortcut="p")


def test_documents_table_in_view_reads_as_a_researcher_thinks(store: Store) -> None:
    p = store.paragraphs(1)[2]
    store.add_segment(store.coder_id("alice"), p.id, store.code("stigma").id)
    row = store.conn.execute("SELECT * FROM coded_text").fetchone()
    assert dict(row) | {"coded_at": None} == {
        "document": "notes", "paragraph": 3, "speaker": "P2", "coder": "alice",
        "code_key": "stigma", "code": "Stigma", "start": None, "end": None,
        "quote": p.text, "memo": None, "coded_at": None,
    }


def test_paragraphs_can_be_added_in_bulk_quickly(tmp_path: Path) -> None:
    store = Store(tmp_path / "big.db")
    parsed = ParsedDocument("text", [ParagraphIn(f"paragraph {i}") for i in range(5000)])
    doc = store.add_document("big", parsed, source_path=None, content_hash="x")
    assert doc.n_paragraphs == 5000
    assert store.paragraph_at(doc.id, 5000).text == "paragraph 4999"


def test_a_held_write_lock_is_a_clear_message_after_the_wait(store: Store) -> None:
    alice = store.coder_id("alice")
    waiting = Store(store.path, busy_timeout_ms=100, busy_attempts=1)
    store.conn.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(CoderError, match="stayed busy for 0.1 s.*nothing was saved"):
            waiting.toggle_segment(alice,
                                   waiting.paragraphs(1)[1].id, waiting.code("stigma").id)
    finally:
        store.conn.execute("ROLLBACK")
    assert waiting.segments() == []
