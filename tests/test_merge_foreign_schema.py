"""A merge reads only coder's own tables in the other copy (issue 12): a view, table or trigger
another program added there is named and nothing is taken from it; a view standing in for one
of coder's tables is refused; the other file is never written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import make_project

from coder.cli import main
from coder.errors import CoderError
from coder.merge import merge_project
from coder.store import MIGRATIONS, Store

FOREIGN = """
CREATE TABLE their_notes (id INTEGER PRIMARY KEY, text TEXT);
INSERT INTO their_notes (text) VALUES ('not ours');
CREATE VIEW all_segments AS SELECT * FROM segments;
CREATE TRIGGER wipe AFTER INSERT ON segments BEGIN DELETE FROM segments; END;
"""


def _bob_copy(tmp_path: Path, mine: Store) -> Path:
    other = mine.backup(tmp_path / "bob.db")
    with Store(other) as bob_store:
        bob = bob_store.coder_id("bob")
        for p in bob_store.paragraphs(1)[1:]:
            bob_store.toggle_segment(bob, p.id, bob_store.code("stigma").id)
    return other


def _add(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.close()


def test_foreign_objects_in_the_other_copy_are_named_and_nothing_is_taken_from_them(
        tmp_path: Path) -> None:
    mine = make_project(tmp_path / "mine.db")
    other = _bob_copy(tmp_path, mine)
    _add(other, FOREIGN)
    before = other.read_bytes()
    report = merge_project(mine, other)
    assert report.segments_added == 3
    assert report.foreign == ["table their_notes", "trigger wipe", "view all_segments"]
    assert mine.foreign_schema() == []  # nothing of theirs came here
    assert len(mine.segment_rows(coders=["bob"])) == 3  # the trigger did not travel or fire
    assert other.read_bytes() == before
    mine.close()


def test_the_cli_says_what_was_ignored(tmp_path: Path) -> None:
    mine = make_project(tmp_path / "mine.db")
    other = _bob_copy(tmp_path, mine)
    mine.close()
    _add(other, FOREIGN)
    result = CliRunner().invoke(main, ["merge", str(other), "--db", str(tmp_path / "mine.db")])
    assert result.exit_code == 0, result.output
    assert (f"ignored in {other}: table their_notes, trigger wipe, view all_segments (not "
            "coder's own; the merge reads only coder's tables, so nothing is taken from them)"
            in result.output)


def test_a_view_standing_in_for_a_table_of_ours_is_refused(tmp_path: Path) -> None:
    mine = make_project(tmp_path / "mine.db")
    other = _bob_copy(tmp_path, mine)
    _add(other, "PRAGMA foreign_keys=OFF; DROP VIEW coded_text; ALTER TABLE paragraph_memos RENAME TO m;"
                " CREATE VIEW paragraph_memos AS SELECT * FROM m;")
    with pytest.raises(CoderError, match="paragraph_memos missing or replaced") as err:
        merge_project(mine, other)
    assert str(other) in str(err.value)
    assert mine.segment_rows(coders=["bob"]) == []
    mine.close()


def test_an_older_copy_is_migrated_without_its_foreign_trigger_firing(tmp_path: Path) -> None:
    """The older copy is brought up to date in a scratch copy, from which what is not coder's
    own is dropped first (a trigger there would act on the migration's writes)."""
    mine = make_project(tmp_path / "mine.db")
    other = _bob_copy(tmp_path, mine)
    conn = sqlite3.connect(other)
    # back to schema 1 as far as the merge can tell, with a trigger on what V2 changes
    conn.executescript(
        "PRAGMA foreign_keys=OFF; DROP TABLE code_aliases; DROP INDEX documents_by_successor;"
        " DROP VIEW coded_text; ALTER TABLE documents DROP COLUMN superseded_by;"
        " ALTER TABLE documents DROP COLUMN superseded_at; ALTER TABLE documents DROP COLUMN"
        " version; ALTER TABLE codes DROP COLUMN merged_into;"
        " CREATE TRIGGER spoil AFTER UPDATE ON segments BEGIN DELETE FROM segments; END;"
        " CREATE VIEW mine AS SELECT 1;")
    v1_view = "CREATE VIEW coded_text" + MIGRATIONS[0].split("CREATE VIEW coded_text", 1)[1]
    conn.executescript(v1_view.split(";\n", 1)[0] + ";\nPRAGMA user_version = 1;")
    conn.close()
    before = other.read_bytes()
    report = merge_project(mine, other)
    assert report.segments_added == 3
    assert report.foreign == ["trigger spoil", "view mine"]
    assert other.read_bytes() == before
    mine.close()
