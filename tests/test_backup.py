"""Backups: on demand, consistent while coders write, and automatic before every bulk change."""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import SMALL_CODES, make_project

from coder.cli import main
from coder.codings import import_codings_csv
from coder.errors import CoderError
from coder.merge import merge_project
from coder.store import MIGRATIONS, SCHEMA_VERSION, Store

REPO = Path(__file__).resolve().parent.parent


def _segments(path: Path) -> set[tuple[str, str, int]]:
    with Store(path) as s:
        return {(r.coder, r.code_key, r.n) for r in s.segment_rows()}


def _code(store: Store, who: str, n: int, key: str) -> int:
    return store.add_segment(store.coder_id(who), store.paragraphs(1)[n - 1].id, store.code(key).id)


def test_cli_backup_default_folder_named_file_and_folder(store: Store, tmp_path: Path) -> None:
    _code(store, "alice", 3, "stigma")
    db = str(store.path)
    runner = CliRunner()
    result = runner.invoke(main, ["backup", "--db", db])
    assert result.exit_code == 0, result.output
    [made] = store.backups()
    assert made.name.endswith("-manual.db")
    assert _segments(made) == {("alice", "stigma", 3)}
    assert runner.invoke(main, ["backup", str(tmp_path / "copy.db"), "--db", db]).exit_code == 0
    assert _segments(tmp_path / "copy.db") == {("alice", "stigma", 3)}
    folder = tmp_path / "usb"
    folder.mkdir()
    assert runner.invoke(main, ["backup", str(folder), "--db", db]).exit_code == 0
    [inside] = folder.glob("project-*.db")
    assert _segments(inside) == {("alice", "stigma", 3)}
    listing = runner.invoke(main, ["backups", "--db", db])
    assert made.name in listing.output


def test_a_backup_is_one_self_contained_file(store: Store, tmp_path: Path) -> None:
    _code(store, "alice", 3, "stigma")
    copy = store.backup(tmp_path / "copy.db")
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert not (tmp_path / "copy.db-wal").exists()
    assert not (tmp_path / "copy.db.tmp").exists()


def test_backup_never_overwrites_the_project_or_a_non_project_file(
    store: Store, tmp_path: Path
) -> None:
    with pytest.raises(CoderError, match="cannot overwrite the project"):
        store.backup(store.path)
    notes = tmp_path / "notes.docx"
    notes.write_bytes(b"PK\x03\x04 not a database")
    with pytest.raises(CoderError, match="not an SQLite file"):
        store.backup(notes)
    assert notes.read_bytes() == b"PK\x03\x04 not a database"
    result = CliRunner().invoke(main, ["backup", str(store.path), "--db", str(store.path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    with pytest.raises(CoderError, match="cannot write the backup"):
        store.backup(tmp_path / "no" / "such" / "folder" / "copy.db")


def test_backup_replaces_an_existing_project_only_when_forced(store: Store, tmp_path: Path) -> None:
    _code(store, "alice", 3, "stigma")
    other = make_project(tmp_path / "other.db")
    _code(other, "bob", 2, "labels")
    other.close()
    runner = CliRunner()
    result = runner.invoke(main, ["backup", str(tmp_path / "other.db"), "--db", str(store.path)])
    assert result.exit_code == 2 and "exists already" in result.output and "--force" in result.output
    assert _segments(tmp_path / "other.db") == {("bob", "labels", 2)}
    result = runner.invoke(main, ["backup", str(tmp_path / "other.db"), "--force",
                                  "--db", str(store.path)])
    assert result.exit_code == 0, result.output
    assert _segments(tmp_path / "other.db") == {("alice", "stigma", 3)}


def _consistent(path: Path) -> tuple[int, bool]:
    """(live segments, whether they are exactly what the recorded actions give)."""
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    live: set[int] = set()
    for kind, payload in conn.execute(
        "SELECT kind, payload FROM actions WHERE state = 'done' ORDER BY id"
    ):
        segment = json.loads(payload)["segment"]
        (live.add if kind == "add" else live.discard)(segment)
    stored = {r[0] for r in conn.execute("SELECT id FROM segments WHERE deleted_at IS NULL")}
    conn.close()
    return len(stored), stored == live


def test_backups_taken_while_a_coder_writes_are_consistent(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_concurrency_b",
                                                  REPO / "bench" / "concurrency.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench
    spec.loader.exec_module(bench)
    db = tmp_path / "live.db"
    bench.make_project(db)
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "bench" / "concurrency.py"), "worker", str(db), "alice", "2"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.stdout.readline() == b"ready\n"
    proc.stdin.write(b"go\n")
    proc.stdin.flush()
    store = Store(db)
    sizes = []
    for i in range(8):
        time.sleep(0.2)
        n, ok = _consistent(store.backup(tmp_path / f"b{i}.db"))
        assert ok
        sizes.append(n)
    store.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert sizes == sorted(sizes) and sizes[-1] > sizes[0] > 0  # taken mid-run, growing


def _v1_project(path: Path) -> None:
    """A project file as the first release wrote it (schema 1), with one coding."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    for statement in MIGRATIONS[0].split(";\n"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    stamp = "2024-01-01T00:00:00.000000Z"
    conn.execute("INSERT INTO documents VALUES (1, 'notes', NULL, 'h', 't', 'text', '{}', ?)",
                 (stamp,))
    conn.execute("INSERT INTO paragraphs (id, document_id, n, text) VALUES (1, 1, 1, 'Hello')")
    conn.execute("INSERT INTO codes (id, key, name, guid, created_at, updated_at)"
                 " VALUES (1, 'stigma', 'Stigma', 'G', ?, ?)", (stamp, stamp))
    conn.execute("INSERT INTO coders VALUES (1, 'alice', 'GA', ?)", (stamp,))
    conn.execute("INSERT INTO segments (guid, paragraph_id, code_id, coder_id, created_at,"
                 " updated_at) VALUES ('S', 1, 1, 1, ?, ?)", (stamp, stamp))
    conn.close()


def test_migration_is_preceded_by_a_backup_of_the_old_file(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _v1_project(db)
    with Store(db) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert [(r.coder, r.code_key, r.quote) for r in store.segment_rows()] == [
            ("alice", "stigma", "Hello")]
        [backup] = store.backups()
    assert "before-migration-1" in backup.name
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM segments").fetchone()[0] == 1
    conn.close()
    with Store(db) as again:  # already migrated: no second backup
        assert len(again.backups()) == 1


def test_bulk_and_destructive_operations_back_up_first(store: Store, tmp_path: Path) -> None:
    _code(store, "alice", 3, "stigma")
    csv_file = tmp_path / "codings.csv"
    csv_file.write_text("document,paragraph,coder,code\nnotes,2,bob,labels\n", encoding="utf-8")
    import_codings_csv(store, csv_file)
    [before_csv] = store.backups()
    assert "before-codings-import" in before_csv.name
    assert _segments(before_csv) == {("alice", "stigma", 3)}

    store.sync_codes([SMALL_CODES[0], SMALL_CODES[2]], moves={"labels": "stigma"})
    before_codebook = store.backups()[-1]
    assert "before-codebook-change" in before_codebook.name
    assert ("bob", "labels", 2) in _segments(before_codebook)
    assert ("bob", "stigma", 2) in _segments(store.path)

    other = make_project(tmp_path / "other.db")
    _code(other, "carol", 4, "leaving-care")
    other.close()
    merge_project(store, tmp_path / "other.db")
    assert any("before-merge" in p.name for p in store.backups())
    events = {e["kind"]: e for e in store.events()}
    assert Path(events["codings import"]["backup"]) == before_csv
    assert Path(events["codebook"]["backup"]) == before_codebook


def test_restore_walks_back_a_bulk_import_and_is_itself_reversible(
    store: Store, tmp_path: Path
) -> None:
    _code(store, "alice", 3, "stigma")
    csv_file = tmp_path / "codings.csv"
    csv_file.write_text("document,paragraph,coder,code\nnotes,2,bob,labels\n", encoding="utf-8")
    import_codings_csv(store, csv_file)
    [backup] = store.backups()
    reader = Store(store.path)  # another window with the project open
    db = str(store.path)
    result = CliRunner().invoke(main, ["restore", str(backup), "--yes", "--db", db])
    assert result.exit_code == 0, result.output
    assert {(r.coder, r.n) for r in reader.segment_rows()} == {("alice", 3)}
    saved = [p for p in reader.backups() if "before-restore" in p.name]
    assert len(saved) == 1 and ("bob", "labels", 2) in _segments(saved[0])
    assert reader.events("restore")[-1]["from"] == str(backup)
    reader.close()


def test_restore_refuses_what_is_not_a_project_backup(store: Store, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    with pytest.raises(CoderError, match="not an SQLite file"):
        store.restore(junk)
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(CoderError, match="not a backup of a coder project"):
        store.restore(empty)
    assert not store.backup_dir.exists()


def test_check_reports_a_damaged_file_without_a_traceback(tmp_path: Path) -> None:
    db = tmp_path / "big.db"
    with make_project(db) as store:
        assert CliRunner().invoke(main, ["check", "--db", str(db)]).output.strip().endswith("ok")
        alice = store.coder_id("alice")
        rows = [{"paragraph_id": p.id, "code_id": c.id, "coder_id": alice, "start": None,
                 "end": None, "memo": "m" * 200} for p in store.paragraphs(1) for c in store.codes()]
        for i in range(40):
            store.add_code(f"extra{i}", "Extra code " * 30)
        store.insert_segments(rows, event=None, backup=False)
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    data[3 * page:5 * page] = b"\xff" * (2 * page)
    db.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["check", "--db", str(db)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "restore the latest backup" in result.output


def test_history_lists_what_happened(store: Store) -> None:
    store.sync_codes([dict(SMALL_CODES[0], name="Stigma (revised)"), *SMALL_CODES[1:]])
    result = CliRunner().invoke(main, ["history", "--db", str(store.path)])
    lines = result.output.splitlines()
    assert result.exit_code == 0
    assert "import: document notes" in lines[0]
    assert "codebook: added stigma, labels, leaving-care" in lines[1]
    assert "codebook: updated stigma: name 'Stigma' -> 'Stigma (revised)'; backup " in lines[2]
    last = CliRunner().invoke(main, ["history", "-n", "1", "--db", str(store.path)])
    assert last.output.count("codebook:") == 1 and "updated stigma" in last.output


def test_old_backups_are_pruned_only_when_asked_and_confirmed(store: Store) -> None:
    made = [store.auto_backup(f"step-{i}") for i in range(4)]
    db = str(store.path)
    runner = CliRunner()
    refused = runner.invoke(main, ["backups", "--keep", "1", "--db", db], input="n\n")
    assert refused.exit_code == 2 and "would delete 3 backup(s)" in refused.output
    assert store.backups() == made
    done = runner.invoke(main, ["backups", "--keep", "2", "--yes", "--db", db])
    assert done.exit_code == 0 and "deleted 2 backup(s)" in done.output
    assert store.backups() == made[2:]
    assert runner.invoke(main, ["backups", "--keep", "0", "--db", db]).exit_code == 2
