"""Two coders writing one project file at the same time: nothing lost, no `database is locked`."""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import coder.store as store_mod
from coder.errors import CoderError
from coder.store import SCHEMA_VERSION, Store
from factories import make_project

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


def test_a_file_held_too_long_gives_a_sentence_not_sqlite_jargon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_mod, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(store_mod, "BUSY_ATTEMPTS", 2)
    store = make_project(tmp_path / "p.db")
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
    assert "busy" in str(caught.value) and "nothing was saved" in str(caught.value)
    assert "locked" not in str(caught.value)
    assert store.segments() == []
    assert store.toggle_segment(alice, paragraph, store.code("stigma").id).added
