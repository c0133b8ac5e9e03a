"""Backups that keep what the user named, temporaries that never clobber a file, restores
that take only the project's own schema (issue 12)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import SMALL_CODES, make_project

from coder.cli import main
from coder.errors import CoderError
from coder.store import Store


def _code(store: Store, n: int, key: str = "stigma", who: str = "alice") -> int:
    return store.add_segment(store.coder_id(who), store.paragraphs(1)[n - 1].id,
                             store.code(key).id)


def _live(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM segments WHERE deleted_at IS NULL").fetchone()[0]
    finally:
        conn.close()


def test_keep_orders_by_time_taken_and_never_deletes_a_hand_named_backup(store: Store) -> None:
    made = [store.auto_backup(f"step-{i}") for i in range(3)]
    final = store.backup_dir / "final-before-submission.db"  # the newest, named by hand
    store.backup(final)
    zzz = store.backup_dir / "aaa-first-by-name.db"
    store.backup(zzz)
    result = CliRunner().invoke(main, ["backups", "--keep", "1", "--yes", "--db",
                                       str(store.path)])
    assert result.exit_code == 0, result.output
    assert "named by hand" in result.output and "final-before-submission.db" in result.output
    assert "deleted 2 backup(s)" in result.output
    assert final.exists() and zzz.exists() and made[2].exists()
    assert not made[0].exists() and not made[1].exists()


def test_backup_writes_through_a_unique_temporary_and_leaves_user_files_alone(
        store: Store, tmp_path: Path) -> None:
    weekly_tmp = tmp_path / "weekly.db.tmp"
    weekly_tmp.write_text("the user's own file")
    other_sqlite = tmp_path / "weekly.tmp"
    sqlite3.connect(other_sqlite).execute("CREATE TABLE mine (x)").connection.close()
    store.backup(tmp_path / "weekly.db")
    store.backup(tmp_path / "weekly", overwrite=True)
    assert weekly_tmp.read_text() == "the user's own file"
    conn = sqlite3.connect(other_sqlite)
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("mine",)]
    conn.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_leftovers_of_killed_backups_are_cleaned_but_a_running_ones_kept(store: Store) -> None:
    folder = store.backup_dir
    folder.mkdir()
    old_style = folder / "project-20240101T000000000000Z-manual.db.tmp"
    old_style.write_bytes(b"SQLite format 3\x00half")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    killed = folder / f".project-x.db.{dead}-abcd1234.tmp"
    killed.write_bytes(b"half")
    running = folder / f".project-y.db.{os.getpid()}-abcd1234.tmp"
    running.write_bytes(b"half")
    store.backups()
    assert not old_style.exists() and not killed.exists() and running.exists()


def test_restore_strips_a_trigger_the_backup_carries(store: Store, tmp_path: Path) -> None:
    for n in (2, 3, 4):
        _code(store, n)
    hostile = store.backup(tmp_path / "hostile.db")
    conn = sqlite3.connect(hostile)
    conn.executescript(
        "CREATE TRIGGER eat AFTER INSERT ON segments BEGIN DELETE FROM segments; END;"
        "CREATE VIEW theirs AS SELECT 1; CREATE TABLE scratch (x);")
    conn.close()
    store.restore(hostile)
    assert store.integrity_problems() == []
    _code(store, 1)
    assert _live(store.path) == 4
    [entry] = store.events("restore")
    assert entry["removed from the copy"] == ["table scratch", "trigger eat", "view theirs"]


def test_opening_refuses_a_project_with_a_foreign_trigger_and_check_names_it(
        tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    make_project(db).close()
    conn = sqlite3.connect(db)
    conn.executescript("CREATE TRIGGER eat AFTER INSERT ON segments BEGIN DELETE FROM segments;"
                       " END; CREATE VIEW mine AS SELECT 1;")
    conn.close()
    with pytest.raises(CoderError, match="trigger.*eat"):
        Store(db)
    result = CliRunner().invoke(main, ["check", "--db", str(db)])
    assert result.exit_code == 1
    assert "trigger eat is not coder's own" in result.output
    assert "view mine is not coder's own" in result.output


def test_check_sees_a_changed_definition(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    make_project(db).close()
    conn = sqlite3.connect(db)
    conn.executescript("DROP INDEX segments_by_code;")
    conn.close()
    result = CliRunner().invoke(main, ["check", "--db", str(db)])
    assert result.exit_code == 1 and "index segments_by_code is missing" in result.output


def test_a_corrupt_backup_is_blamed_and_the_project_untouched(store: Store,
                                                              tmp_path: Path) -> None:
    _code(store, 3)
    bad = store.backup(tmp_path / "bad.db")
    data = bytearray(bad.read_bytes())
    data[100:4096 * 3] = b"\xee" * (4096 * 3 - 100)
    bad.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["restore", str(bad), "--yes", "--db", str(store.path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert str(bad) in result.output and "backup" in result.output
    assert "project was not touched" in result.output
    assert _live(store.path) == 1 and not store.backups()


def test_a_backup_with_another_page_size_restores(store: Store, tmp_path: Path) -> None:
    _code(store, 3)
    other = tmp_path / "big-pages.db"
    conn = sqlite3.connect(other)
    conn.execute("PRAGMA page_size = 65536")
    conn.execute("VACUUM")
    conn.close()
    source = sqlite3.connect(store.path)
    dest = sqlite3.connect(other)
    source.backup(dest)
    source.close()
    dest.execute("PRAGMA page_size = 65536")
    dest.execute("PRAGMA journal_mode = DELETE")
    dest.execute("VACUUM")
    assert dest.execute("PRAGMA page_size").fetchone()[0] == 65536
    dest.close()
    _code(store, 4)
    store.restore(other)
    assert _live(store.path) == 1


def test_a_restore_whose_migration_fails_leaves_the_project_as_it_was(
        store: Store, tmp_path: Path) -> None:
    _code(store, 3)
    broken = store.backup(tmp_path / "broken.db")
    conn = sqlite3.connect(broken)
    conn.execute("PRAGMA user_version = 1")  # claims v1 but already has v2's columns
    conn.close()
    with pytest.raises(CoderError, match="broken.db"):
        store.restore(broken)
    assert _live(store.path) == 1
    assert CliRunner().invoke(main, ["check", "--db", str(store.path)]).exit_code == 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_codebook_change_that_only_adds_codes_takes_a_backup(store: Store) -> None:
    before = store.backups()
    store.sync_codes([*SMALL_CODES, {"key": "new", "name": "New", "parent_key": None}])
    after = store.backups()
    assert len(after) == len(before) + 1 and "before-codebook-change" in after[-1].name


def test_backup_force_onto_a_link_or_a_device_refuses_and_leaves_it(
        store: Store, tmp_path: Path) -> None:
    real = store.backup(tmp_path / "real.db")
    link = tmp_path / "link.db"
    link.symlink_to(real)
    for target in (link, Path("/dev/null")):
        with pytest.raises(CoderError, match="link or a device"):
            store.backup(target, overwrite=True)
    assert link.is_symlink() and Path("/dev/null").is_char_device()
