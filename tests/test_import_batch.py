"""A batch of files imported by worker processes lands exactly as one read in this process."""

from __future__ import annotations

import gc
import os
import sqlite3
from pathlib import Path

import pytest

from coder import project
from coder.errors import CoderError
from coder.ingest import read_document
from coder.project import import_files
from coder.store import Store

needs_two_cpus = pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="worker processes are only started with two CPUs or more")


def _batch(folder: Path) -> list[Path]:
    """Speaker turns, Markdown, a caption file, a binary file, two files with the same bytes
    and two with the same name: every way a file of a batch can go."""
    folder.mkdir()
    (folder / "sub").mkdir()
    turns = "\n\n".join(f"{'Interviewer' if i % 2 else 'P1'}: turn {i} about care." for i in range(40))
    files = {
        "turns.txt": turns,
        "notes.md": "# Notes\n\nA paragraph\nwrapped here.\n\n- an item\n- another\n",
        "cues.vtt": "WEBVTT\n\n00:00.000 --> 00:02.000\n<v Sam>Hello there.\n",
        "copy.txt": turns,
        "image.txt": "\x89PNG\x00\x00",
        "sub/notes.md": "Different text, same name.\n",
        "last.txt": "Rose: one.\n\nAlex: two.\n\nRose: three.\n\nAlex: four.\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in files]


def _project(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        docs = conn.execute("SELECT name, content_hash, text_hash, format, meta FROM documents"
                            " ORDER BY id").fetchall()
        paras = conn.execute("SELECT d.name, n, kind, speaker, text, start_time, end_time, p.meta"
                             " FROM paragraphs p JOIN documents d ON d.id = p.document_id"
                             " ORDER BY p.id").fetchall()
    return docs + paras


def _import(db: Path, paths: list[Path], failures: list[CoderError] | None) -> list[tuple]:
    with Store(db) as store:
        outcomes = import_files(store, paths, failures=failures)
    return [(o.path.name, o.name, o.status, o.document.n_paragraphs, o.warnings, o.turns,
             o.unconfirmed) for o in outcomes]


@needs_two_cpus
def test_workers_import_what_one_process_imports(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _batch(tmp_path / "files")
    here: list[CoderError] = []
    one = _import(tmp_path / "one.db", paths, here)
    monkeypatch.setattr(project, "POOL_MIN_BYTES", 0)
    assert project._workers(paths) >= 2
    there: list[CoderError] = []
    pooled = _import(tmp_path / "pooled.db", paths, there)
    assert gc.isenabled()
    assert pooled == one
    assert _project(tmp_path / "pooled.db") == _project(tmp_path / "one.db")
    assert [(e.path, e.message) for e in there] == [(e.path, e.message) for e in here]
    assert [Path(e.path or "").name for e in there] == ["image.txt", "notes.md"]
    assert {o[2] for o in pooled} == {"imported"}
    assert ("copy.txt", "copy", "imported", 40, [], [("P1", 20), ("Interviewer", 20)], []) in pooled


@needs_two_cpus
def test_one_bad_file_refuses_a_pooled_batch(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _batch(tmp_path / "files")
    monkeypatch.setattr(project, "POOL_MIN_BYTES", 0)
    with Store(tmp_path / "p.db") as store:
        with pytest.raises(CoderError, match="binary") as err:
            import_files(store, paths)
        assert err.value.path == str(paths[4])
        assert store.documents() == []


def test_reading_leaves_the_garbage_collector_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("P1: one.\n\nP2: two.\n\nP1: three.\n", encoding="utf-8")
    assert gc.isenabled()
    read_document(path)
    assert gc.isenabled()
    gc.disable()
    try:
        read_document(path)
        assert not gc.isenabled()
    finally:
        gc.enable()
