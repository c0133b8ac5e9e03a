from pathlib import Path
from coder.merge import merge_project
from coder.project import import_files
from coder.revisions import reimport_document
from coder.store import Store
from factories import SMALL_CODES

def test_merge_from_a_copy_made_before_a_reimport_and_rename(tmp_path: Path) -> None:
    v1 = tmp_path / "i.txt"
    v1.write_text("P1: First turn about leaving care.\n\nP2: Second turn about school.\n", encoding="utf-8")
    mine = Store(tmp_path / "mine.db")
    import_files(mine, [v1]); mine.sync_codes(SMALL_CODES)
    mine.backup(tmp_path / "bob.db")
    bob = Store(tmp_path / "bob.db")
    bob.add_segment(bob.coder_id("bob"), bob.paragraphs(1)[1].id, bob.code("stigma").id)
    bob.set_status(bob.coder_id("bob"), 1, "done")
    bob.close()
    v2 = tmp_path / "i2.txt"
    v2.write_text("P1: First turn about leaving care.\n\nP0: Inserted.\n\nP2: Second turn about school!\n", encoding="utf-8")
    reimport_document(mine, "i", v2)
    mine.sync_codes([dict(SMALL_CODES[0], key="stigma-x", renamed_from=["stigma"]), *SMALL_CODES[1:]])
    r = merge_project(mine, tmp_path / "bob.db")
    assert r.codes_added == []
    assert [(x.document, x.coder, x.code_key, x.n) for x in mine.segment_rows()] == [("i", "bob", "stigma-x", 3)]
    assert [d.name for d in mine.documents()] == ["i"]
    assert mine.status(mine.coder_id("bob"), 1) == "done"
    again = merge_project(mine, tmp_path / "bob.db")
    assert len(mine.segment_rows()) == 1
