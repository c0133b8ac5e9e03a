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


def _back_to_schema_1(path: Path) -> None:
    """Make a current project file look as the first release wrote it: every object later
    migrations added dropped, and each table rebuilt with its first columns and rows."""
    first = sqlite3.connect(":memory:")
    first.executescript(MIGRATIONS[0])
    objects = first.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
                            ).fetchall()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    for kind in ("view", "trigger", "index", "table"):
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = ?"
                                    " AND name NOT LIKE 'sqlite_%'", (kind,)).fetchall():
            if kind != "table" or name not in {n for t, n, _ in objects if t == "table"}:
                conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
    for kind, name, sql in objects:
        if kind != "table":
            continue
        columns = ", ".join(r[1] for r in first.execute(f'PRAGMA table_info("{name}")'))
        conn.execute(f'ALTER TABLE "{name}" RENAME TO "old_{name}"')
        conn.execute(sql)
        conn.execute(f'INSERT INTO "{name}" ({columns}) SELECT {columns} FROM "old_{name}"')
        conn.execute(f'DROP TABLE "old_{name}"')
    for kind, _, sql in objects:
        if kind in ("index", "view", "trigger") and sql:
            conn.execute(sql)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    first.close()


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
    _back_to_schema_1(other)
    _add(other, "CREATE TRIGGER spoil AFTER UPDATE ON segments BEGIN DELETE FROM segments; END;"
                " CREATE VIEW mine AS SELECT 1;")
    before = other.read_bytes()
    report = merge_project(mine, other)
    assert report.segments_added == 3
    assert report.foreign == ["trigger spoil", "view mine"]
    assert other.read_bytes() == before
    mine.close()
