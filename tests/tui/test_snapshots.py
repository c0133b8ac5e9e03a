"""Screenshots of the main screens at 120x40 and 80x24, compared with accepted SVGs.

Regenerate after an intended change with `pytest tests/tui --snapshot-update`, then look at
the SVGs in __snapshots__/ before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.store import Store
from coder.tui.app import CoderApp

CODING = ["j", "j", "b", "h", "j", "m", *"twice", "ctrl+s", "j", "s", "right",
          "shift+right"]
SIZES = [(120, 40), (80, 24)]


def _with_other_coder(project: Path) -> Path:
    with Store(project) as store:
        bob = store.coder_id("bob")
        para = store.paragraph_at(store.document("notes").id, 3)
        store.toggle_segment(bob, para.id, store.code("leaving-care").id)
    return project


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_coding_screen(snap_compare, project: Path, size: tuple[int, int]) -> None:
    assert snap_compare(CoderApp(project, coder="alice"), press=CODING, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_others_shown(snap_compare, project: Path, size: tuple[int, int]) -> None:
    app = CoderApp(_with_other_coder(project), coder="alice")
    assert snap_compare(app, press=["j", "j", "l", "o"], terminal_size=size)


def test_help_screen(snap_compare, project: Path) -> None:
    assert snap_compare(CoderApp(project, coder="alice"), press=["question_mark"],
                        terminal_size=(120, 40))


def test_code_picker(snap_compare, project: Path) -> None:
    assert snap_compare(CoderApp(project, coder="alice"), press=["j", "c", "l", "a"],
                        terminal_size=(80, 24))


def test_document_switcher(snap_compare, project: Path) -> None:
    assert snap_compare(CoderApp(project, coder="alice"), press=["j", "b", "d"],
                        terminal_size=(80, 24))


def test_ask_coder_name(snap_compare, project: Path) -> None:
    assert snap_compare(CoderApp(project), terminal_size=(80, 24))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_review_screen(snap_compare, project: Path, size: tuple[int, int]) -> None:
    from test_review import code_both, review_app

    code_both(project)
    assert snap_compare(review_app(project), press=["n"], terminal_size=size)


def _coded_for_analysis(project: Path) -> Path:
    from test_analysis_screens import code_some

    return code_some(project)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_code_view(snap_compare, project: Path, size: tuple[int, int]) -> None:
    app = CoderApp(_coded_for_analysis(project), coder="alice")
    assert snap_compare(app, press=["r"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_matrix_screen(snap_compare, project: Path, size: tuple[int, int]) -> None:
    app = CoderApp(_coded_for_analysis(project), coder="alice")
    assert snap_compare(app, press=["x", "j"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_memo_view(snap_compare, project: Path, size: tuple[int, int]) -> None:
    app = CoderApp(_coded_for_analysis(project), coder="alice")
    assert snap_compare(app, press=["ctrl+e"], terminal_size=size)
