from pathlib import Path

from factories import SMALL_CODES

from coder.merge import merge_project
from coder.project import import_files
from coder.revisions import reimport_document
from coder.store import Store


def project_and_bobs_copy(tmp_path: Path) -> tuple[Store, Store]:
    """A one-transcript project, and a copy of it made for bob before any correction."""
    v1 = tmp_path / "i.txt"
    v1.write_text("P1: First turn about leaving care.\n\nP2: Second turn about school.\n", encoding="utf-8")
    mine = Store(tmp_path / "mine.db")
    import_files(mine, [v1])
    mine.sync_codes(SMALL_CODES)
    mine.backup(tmp_path / "bob.db")
    return mine, Store(tmp_path / "bob.db")


def test_merge_from_a_copy_made_before_a_reimport_and_rename(tmp_path: Path) -> None:
    mine, bob = project_and_bobs_copy(tmp_path)
    bob.add_segment(bob.coder_id("bob"), bob.paragraphs(1)[1].id, bob.code("stigma").id)
    bob.set_status(bob.coder_id("bob"), 1, "done")
    bob.close()
    v2 = tmp_path / "i2.txt"
    v2.write_text(
        "P1: First turn about leaving care.\n\nP0: Inserted.\n\nP2: Second turn about school!\n", encoding="utf-8"
    )
    reimport_document(mine, "i", v2)
    mine.sync_codes([dict(SMALL_CODES[0], key="stigma-x", renamed_from=["stigma"]), *SMALL_CODES[1:]])
    r = merge_project(mine, tmp_path / "bob.db")
    assert r.codes_added == []
    assert [(x.document, x.coder, x.code_key, x.n) for x in mine.segment_rows()] == [("i", "bob", "stigma-x", 3)]
    assert [d.name for d in mine.documents()] == ["i"]
    assert mine.status(mine.coder_id("bob"), 1) == "done"
    assert merge_project(mine, tmp_path / "bob.db").segments_added == 0
    assert len(mine.segment_rows()) == 1


def test_a_removal_reaches_the_copies_carried_to_a_corrected_transcript(tmp_path: Path) -> None:
    mine, bob = project_and_bobs_copy(tmp_path)
    seg = bob.add_segment(bob.coder_id("bob"), bob.paragraphs(1)[1].id, bob.code("stigma").id)
    bob.set_segment_memo(bob.coder_id("bob"), seg, "first memo")
    merge_project(mine, tmp_path / "bob.db")
    v2 = tmp_path / "i2.txt"
    v2.write_text(
        "P0: Inserted.\n\nP1: First turn about leaving care.\n\nP2: Second turn about school!\n", encoding="utf-8"
    )
    reimport_document(mine, "i", v2)
    [carried] = mine.segment_rows(coders=["bob"])
    assert (carried.n, carried.memo) == (3, "first memo")
    bob.set_segment_memo(bob.coder_id("bob"), seg, "second memo")
    assert merge_project(mine, tmp_path / "bob.db").memos_updated == 1
    assert mine.segment_rows(coders=["bob"])[0].memo == "second memo"
    bob.remove_segment(bob.coder_id("bob"), seg)
    report = merge_project(mine, tmp_path / "bob.db")
    assert report.removed == {"bob": 1}
    assert mine.segment_rows(coders=["bob"]) == []
    live = mine.conn.execute("SELECT count(*) FROM segments WHERE deleted_at IS NULL").fetchone()[0]
    assert live == 0  # the original on the old version too
    assert mine.conn.execute("SELECT count(*) FROM segments").fetchone()[0] == 2
    assert merge_project(mine, tmp_path / "bob.db").segments_removed == 0


def test_a_memo_written_in_the_copy_before_a_reimport_here_reaches_the_new_version(
        tmp_path: Path) -> None:
    mine, _ = project_and_bobs_copy(tmp_path)
    seg = mine.add_segment(mine.coder_id("bob"), mine.paragraphs(1)[1].id, mine.code("stigma").id)
    mine.backup(tmp_path / "laptop.db")
    laptop = Store(tmp_path / "laptop.db")
    laptop.set_segment_memo(laptop.coder_id("bob"), seg, "written on the laptop")
    laptop.close()
    v2 = tmp_path / "i2.txt"
    v2.write_text(
        "P0: Inserted.\n\nP1: First turn about leaving care.\n\nP2: Second turn about school!\n", encoding="utf-8"
    )
    reimport_document(mine, "i", v2)  # later, here: the coding is carried to the new version
    assert merge_project(mine, tmp_path / "laptop.db").memos_updated == 1
    assert [(r.document, r.n, r.memo) for r in mine.segment_rows()] == [
        ("i", 3, "written on the laptop")]
