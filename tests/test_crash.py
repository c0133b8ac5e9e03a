"""A coding process killed with SIGKILL at random moments loses nothing it reported as saved.

The short version (10 kills); `python bench/crash.py run 200` and `python -m bench` run the
long one. The worker and the checks live in bench/crash.py so both runs share them.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def _crash_module():
    spec = importlib.util.spec_from_file_location("bench_crash", REPO / "bench" / "crash.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


crash = _crash_module()


@pytest.fixture(scope="module")
def killed(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("crash") / "crash.db"
    crash.make_project(db)
    result = crash.run_kills(db, 10, max_delay=0.25, seed=6)
    return db, result


def test_ten_sigkills_lose_no_reported_action(killed) -> None:
    db, result = killed
    assert result.kills == 10
    assert result.problems == []
    assert result.reported > 100  # the worker really was coding when it was killed


def test_file_opens_and_codes_after_the_kills(killed) -> None:
    from coder.store import Store

    db, _ = killed
    store = Store(db, create=False)
    try:
        assert store.integrity_problems() == []
        alice = store.coder_id("alice", create=False)
        before = len(store.segments(coder_ids=[alice]))
        p = store.paragraphs(store.documents()[0].id)[0]
        toggled = store.toggle_segment(alice, p.id, store.code("c0").id)
        assert len(store.segments(coder_ids=[alice])) == before + (1 if toggled.added else -1)
    finally:
        store.close()


def test_the_check_notices_a_lost_action(killed, tmp_path: Path) -> None:
    """The verification is not vacuous: drop one reported action and it says so."""
    db, _ = killed
    copy = tmp_path / "tampered.db"
    src = sqlite3.connect(db)
    dest = sqlite3.connect(copy)
    src.backup(dest)
    src.close()
    action, kind, payload = dest.execute(
        "SELECT id, kind, payload FROM actions WHERE kind = 'add' AND state = 'done'"
        " ORDER BY id DESC LIMIT 1"
    ).fetchone()
    dest.execute("DELETE FROM actions WHERE id = ?", (action,))
    dest.commit()
    dest.close()
    segment = json.loads(payload)["segment"]
    problems, _, _ = crash.verify(copy, [[f"{kind} {action} {segment}"]], "alice")
    assert any(f"action {action} is not in the file" in p for p in problems)


def test_the_check_notices_an_action_missing_from_the_report(killed) -> None:
    """...and an action in the file that the worker never reported, mid-run."""
    db, result = killed
    runs = [list(lines) for lines in result.runs]
    longest = max(runs, key=len)
    middle = next(i for i in range(len(longest) // 2, len(longest))
                  if longest[i].split()[0] in ("add", "remove"))
    action = longest.pop(middle).split()[1]
    problems, _, _ = crash.verify(db, runs, "alice")
    assert any("never reported" in p and action in p for p in problems)


def test_the_app_itself_killed_mid_coding_loses_nothing_its_status_line_confirmed(
    tmp_path: Path,
) -> None:
    """The real coding app, driven by key presses, killed at random moments: every coding
    its status line reported as saved is in the file, and the file is sound."""
    db = tmp_path / "app.db"
    crash.make_app_project(db)
    result = crash.run_kills(db, 5, max_delay=1.0, seed=11, app=True)
    assert result.kills == 5
    assert result.problems == []
    assert result.reported >= 5  # the app was really coding when the kills came


@pytest.fixture(scope="module")
def disturbed(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("disturbed")
    return folder, crash.run_disturbed(folder, 4, seed=3, max_delay=0.8)


def test_a_second_process_restoring_recoding_and_merging_while_a_session_codes_both_killed(
        disturbed) -> None:
    """A session codes while another process restores (a reordered backup, or one it took
    mid-run), retires and brings back a code with --move, merges and backs up; each round
    SIGKILLs both at random moments. The file stays sound, every coding sits where the
    session put it, and what it saved once the other process was gone is all there."""
    _, result = disturbed
    assert result.rounds == 4
    assert result.problems == []
    assert result.saved > 50 and result.operations > 4  # both really were at work
    assert result.refused > 0  # and the session was told when ids moved under it
    assert result.checked_quiet > 0


def test_the_disturbed_check_notices_a_coding_on_the_wrong_document(disturbed,
                                                                    tmp_path: Path) -> None:
    folder, _ = disturbed
    copy = tmp_path / "copy.db"
    src = sqlite3.connect(folder / "project.db")
    dest = sqlite3.connect(copy)
    src.backup(dest)
    src.close()
    dest.close()
    from coder.store import Store

    with Store(copy) as store:
        store.add_document("elsewhere", crash_document(), source_path="e.txt",
                           content_hash="hash-elsewhere")
        alice = store.coder_id("alice")
        target = store.paragraphs(store.document("elsewhere").id)[0]
        store.toggle_segment(alice, target.id, store.codes()[0].id)
    history = [["add", 0.0, "notes", crash.NOTES[0], "stigma"]]
    problems, _ = crash.check_disturbed(copy, history, [], None, "alice")
    assert any("where the session never put one" in p and "elsewhere" in p for p in problems)


def test_the_disturbed_check_notices_a_lost_coding_saved_after_the_other_stopped(
        disturbed) -> None:
    folder, _ = disturbed
    run = [["try", 2.0, "notes", "no such paragraph text", "stigma"],
           ["add", 2.1, "notes", "no such paragraph text", "stigma"]]
    problems, checked = crash.check_disturbed(folder / "project.db", run, run, 1.0, "alice")
    assert checked == 1
    assert any("after the other process had stopped" in p for p in problems)


def crash_document():
    from coder.models import ParagraphIn, ParsedDocument

    return ParsedDocument("text", [ParagraphIn("A paragraph of another document.")])
