"""Say what is actually wrong, and with which file (issue 12): a full disk, a read-only
project, a device given to merge; and the other copy of a merge is never written."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import make_project

from coder.cli import main
from coder.errors import CoderError
from coder.merge import merge_project
from coder.store import MIGRATIONS, Store


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 400 KB tmpfs (root only; skipped elsewhere)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(folder)],
            capture_output=True).returncode != 0:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_during_a_write_names_the_disk_and_saves_nothing_partial(
        small_disk: Path, tmp_path: Path) -> None:
    db = small_disk / "p.db"
    make_project(db).close()
    rows = "\n".join(f"notes,{1 + i % 4},coder{i},stigma,,,{'memo ' * 300}"
                     for i in range(400))
    csv_file = tmp_path / "codings.csv"
    csv_file.write_text("document,paragraph,coder,code,start,end,memo\n" + rows + "\n")
    # the backup taken first fits; the 600 KB of memos do not
    result = CliRunner().invoke(main, ["codings", "import", str(csv_file), "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "no transaction is active" not in result.output
    assert "is full" in result.output and str(db) in result.output
    with Store(db) as store:
        assert store.segment_rows() == []
        assert store.coders() == []


def test_the_rollback_never_hides_the_real_error(tmp_path: Path) -> None:
    store = make_project(tmp_path / "p.db")
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages + 1}")
    alice = store.coder_id("alice")
    rows = [{"paragraph_id": p.id, "code_id": store.code("stigma").id, "coder_id": alice,
             "start": None, "end": None, "memo": "m" * 5000} for p in store.paragraphs(1)]
    with pytest.raises(sqlite3.OperationalError, match="full"):
        store.insert_segments(rows * 3, event=None, backup=False)
    assert not store.conn.in_transaction
    store.close()


def test_a_read_only_project_is_read_and_a_write_says_why(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    db = ro / "p.db"
    with make_project(db) as store:
        for who in ("alice", "bob"):
            store.add_segment(store.coder_id(who), store.paragraphs(1)[2].id,
                              store.code("stigma").id)
    if os.geteuid() == 0:
        if subprocess.run(["mount", "--bind", "-o", "ro", str(ro), str(ro)],
                          capture_output=True).returncode != 0:
            pytest.skip("cannot make a read-only mount")
    else:
        db.chmod(0o444)
        ro.chmod(0o555)
    try:
        for args in (["show", "notes"], ["documents"], ["agree", "--coders", "alice,bob"],
                     ["stats"]):
            result = CliRunner().invoke(main, [*args, "--db", str(db)])
            assert result.exit_code == 0, (args, result.output)
        out = tmp_path / "segments.csv"
        assert CliRunner().invoke(main, ["export", "segments", "--out", str(out), "--db",
                                         str(db)]).exit_code == 0
        result = CliRunner().invoke(main, ["backup", "--db", str(db)])
        assert result.exit_code == 2 and "Traceback" not in result.output
        wrote = CliRunner().invoke(main, ["title", "notes", "New title", "--db", str(db)])
        assert wrote.exit_code == 2 and "read-only" in wrote.output, wrote.output
        assert "damaged" not in wrote.output
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(ro)], check=False)
        else:
            ro.chmod(0o755)
            db.chmod(0o644)


def test_merge_never_writes_the_other_file(tmp_path: Path) -> None:
    mine = make_project(tmp_path / "mine.db")
    theirs = tmp_path / "theirs.db"
    with make_project(theirs) as other:
        other.add_segment(other.coder_id("bob"), other.paragraphs(1)[2].id,
                          other.code("stigma").id)
        other.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        other.conn.execute("PRAGMA journal_mode = DELETE")
    before = theirs.read_bytes()
    merge_project(mine, theirs)
    assert theirs.read_bytes() == before
    assert not Path(f"{theirs}-wal").exists()
    assert [r.coder for r in mine.segment_rows()] == ["bob"]


def test_merge_migrates_an_older_other_copy_in_a_scratch_copy(tmp_path: Path) -> None:
    mine = make_project(tmp_path / "mine.db")
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)
    conn.executescript(MIGRATIONS[0] + ";\nPRAGMA user_version = 1;")
    conn.close()
    before = old.read_bytes()
    with pytest.raises(CoderError, match=f"nothing to merge: {old}"):
        merge_project(mine, old, allow_new=True)
    assert old.read_bytes() == before


def test_merge_of_a_device_or_a_folder_is_one_sentence(tmp_path: Path) -> None:
    mine = make_project(tmp_path / "mine.db")
    for other in (Path("/dev/null"), tmp_path):
        with pytest.raises(CoderError, match="not a file"):
            merge_project(mine, other)
    assert shutil.which("true")
