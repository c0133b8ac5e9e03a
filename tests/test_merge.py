from __future__ import annotations

from pathlib import Path

import pytest

from coder.errors import CoderError
from coder.merge import merge_project
from coder.store import Store
from factories import make_project


def coded_copy(tmp_path: Path, name: str, coder: str, paragraph: int, code: str) -> Store:
    store = make_project(tmp_path / f"{name}.db")
    p = store.paragraphs(1)[paragraph - 1]
    store.add_segment(store.coder_id(coder), p.id, store.code(code).id)
    return store


def test_merge_brings_the_other_coder_in_and_twice_changes_nothing(tmp_path: Path) -> None:
    alice = coded_copy(tmp_path, "alice", "alice", 3, "stigma")
    bob = coded_copy(tmp_path, "bob", "bob", 3, "labels")
    bob.set_status(bob.coder_id("bob"), 1, "done")
    bob.close()
    report = merge_project(alice, tmp_path / "bob.db")
    assert (report.segments_added, report.documents_matched) == (1, 1)
    assert Path(report.backup).exists()
    rows = sorted((r.coder, r.code_key, r.n) for r in alice.segment_rows())
    assert rows == [("alice", "stigma", 3), ("bob", "labels", 3)]
    assert alice.status(alice.coder_id("bob"), 1) == "done"
    again = merge_project(alice, tmp_path / "bob.db")
    assert (again.segments_added, again.segments_skipped) == (0, 1)
    assert len(alice.segment_rows()) == 2


def test_merge_matches_documents_by_text_not_name(tmp_path: Path) -> None:
    alice = coded_copy(tmp_path, "alice", "alice", 2, "stigma")
    bob = coded_copy(tmp_path, "bob", "bob", 4, "leaving-care")
    bob.conn.execute("UPDATE documents SET name = 'renamed-by-bob'")
    bob.close()
    merge_project(alice, tmp_path / "bob.db")
    assert [d.name for d in alice.documents()] == ["notes"]
    assert {(r.document, r.coder) for r in alice.segment_rows()} == {
        ("notes", "alice"), ("notes", "bob")}


def test_merge_never_overwrites_the_same_coder_in_both_copies(tmp_path: Path) -> None:
    alice = coded_copy(tmp_path, "alice", "alice", 2, "stigma")
    alice.backup(tmp_path / "laptop.db")
    laptop = Store(tmp_path / "laptop.db")
    laptop.add_segment(laptop.coder_id("alice"), laptop.paragraphs(1)[3].id,
                       laptop.code("labels").id)
    laptop.close()
    alice.toggle_segment(alice.coder_id("alice"), alice.paragraphs(1)[1].id,
                         alice.code("stigma").id)  # alice removes it here meanwhile
    report = merge_project(alice, tmp_path / "laptop.db")
    assert report.segments_added == 1
    assert {(r.code_key, r.n) for r in alice.segment_rows()} == {("labels", 4)}


def test_merge_adds_missing_codes_with_their_parents(tmp_path: Path) -> None:
    alice = make_project(tmp_path / "alice.db")
    bob = make_project(tmp_path / "bob.db")
    bob.add_code("photos", "Photos", parent_key="stigma")
    bob.add_segment(bob.coder_id("bob"), bob.paragraphs(1)[2].id, bob.code("photos").id)
    bob.close()
    alice.sync_codes([{"key": "leaving-care", "name": "Leaving care"}])  # stigma retired, unused
    report = merge_project(alice, tmp_path / "bob.db")
    assert report.codes_added == ["photos"]
    assert alice.code("photos").path == "Stigma/Photos"
    assert alice.code("photos").guid == Store(tmp_path / "bob.db").code("photos").guid


def test_merge_errors_are_clear_and_change_nothing(tmp_path: Path) -> None:
    alice = make_project(tmp_path / "alice.db")
    with pytest.raises(CoderError, match="no such project file"):
        merge_project(alice, tmp_path / "absent.db")
    with pytest.raises(CoderError, match="into itself"):
        merge_project(alice, tmp_path / "alice.db")
    make_project(tmp_path / "empty.db").close()
    with pytest.raises(CoderError, match="no codings"):
        merge_project(alice, tmp_path / "empty.db")
    assert not (tmp_path / "alice.db.backups").exists()
