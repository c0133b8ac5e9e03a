"""Two coders writing one project file at the same time: nothing lost, no `database is locked`."""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from factories import make_project

from coder.errors import CoderError
from coder.store import SCHEMA_VERSION, Store

REPO = Path(__file__).resolve().parent.parent


def _bench(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


concurrency = _bench("concurrency")


def test_two_coders_at_once_store_every_segment(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    concurrency.make_project(db)
    result = concurrency.run_coders(db, coders=2, seconds=2.5, backups_every=0.5)
    assert result.problems == []
    assert len(result.latencies_ms) > 200  # both really wrote, interleaved
    conn = sqlite3.connect(db)
    per_coder = dict(conn.execute(
        "SELECT c.name, count(*) FROM segments s JOIN coders c ON c.id = s.coder_id"
        " WHERE s.deleted_at IS NULL GROUP BY c.name"))
    assert per_coder == result.saved


def test_processes_creating_the_same_new_project_at_once_all_succeed(tmp_path: Path) -> None:
    """The migration re-checks the version under the write lock, so a second process that
    waited for the first does not run the migration again."""
    script = (
        "import sys\n"
        "from coder.store import Store\n"
        "s = Store(sys.argv[1])\n"
        "s.coder_id('alice'); s.coder_id(sys.argv[2])\n"
        "print(s.schema_version)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for round_ in range(3):
        db = tmp_path / f"fresh-{round_}.db"
        procs = [
            subprocess.Popen([sys.executable, "-c", script, str(db), f"coder{i}"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            for i in range(4)
        ]
        outs = [p.communicate(timeout=60) for p in procs]
        for p, (out, err) in zip(procs, outs, strict=True):
            assert p.returncode == 0, err.decode()
            assert out.decode().strip() == str(SCHEMA_VERSION)
        with Store(db) as store:
            assert sorted(store.coders()) == ["alice", "coder0", "coder1", "coder2", "coder3"]


def test_a_file_held_too_long_gives_a_sentence_not_sqlite_jargon(tmp_path: Path) -> None:
    make_project(tmp_path / "p.db").close()
    store = Store(tmp_path / "p.db", busy_timeout_ms=100, busy_attempts=2)
    alice = store.coder_id("alice")
    paragraph = store.paragraphs(1)[1].id
    hog = sqlite3.connect(store.path, isolation_level=None)
    hog.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(CoderError) as caught:
            store.toggle_segment(alice, paragraph, store.code("stigma").id)
    finally:
        hog.execute("ROLLBACK")
        hog.close()
    assert "busy for 0.2 s" in str(caught.value) and "nothing was saved" in str(caught.value)
    assert "locked" not in str(caught.value)
    assert store.segments() == []
    assert store.toggle_segment(alice, paragraph, store.code("stigma").id).added


READ_AND_CLOSE = (
    "import sqlite3, sys\n"
    "c = sqlite3.connect(sys.argv[1])\n"
    "print(c.execute('SELECT count(*) FROM segments WHERE deleted_at IS NULL').fetchone()[0])\n"
    "c.close()\n"
)


def test_a_second_store_in_the_process_keeps_the_first_ones_locks(tmp_path: Path) -> None:
    """The app opens a second Store (search, review) while its own stays open. If opening one
    touched the file outside SQLite, the process would lose its locks, and the next program
    to close the project would take itself for the last user and delete the write-ahead log
    the app is still writing to: later saves would vanish."""
    store = make_project(tmp_path / "p.db")
    alice = store.coder_id("alice")
    stigma = store.code("stigma").id
    paragraphs = [p.id for p in store.paragraphs(1)]
    store.toggle_segment(alice, paragraphs[0], stigma)
    Store(store.path).close()
    for expected, paragraph in enumerate(paragraphs[1:4], start=2):
        store.toggle_segment(alice, paragraph, stigma)
        out = subprocess.run([sys.executable, "-c", READ_AND_CLOSE, str(store.path)],
                             capture_output=True, text=True, check=True).stdout
        assert int(out) == expected
        assert Path(f"{store.path}-wal").exists()
    store.close()
    with Store(tmp_path / "p.db") as again:
        assert len(again.segments()) == 4


def test_another_programs_database_is_refused_untouched(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    with pytest.raises(CoderError, match="another program.*tables: notes"):
        Store(other)
    assert other.read_bytes() == before
    assert not Path(f"{other}-wal").exists()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CoderError, match="not an SQLite file"):
        Store(garbage)
