"""Drive the recheck screen headless: old and new definitions side by side, keep, remove,
move, undo, and keys in a burst."""

from __future__ import annotations

from pathlib import Path

from conftest import CODES
from textual.widgets import Label, Static

from coder.store import Store
from coder.tui.app import CoderApp
from coder.tui.screens.recheck import MoveDialog, RecheckScreen
from coder.tui.widgets.bars import StatusLine

SIZE = (120, 40)


def sharpened(path: Path) -> list[int]:
    """alice coded ¶3, ¶4, ¶5 with stigma; then stigma's definition was sharpened."""
    with Store(path) as store:
        alice = store.coder_id("alice")
        ids = [store.add_segment(alice, store.paragraphs(1)[n - 1].id, store.code("stigma").id)
               for n in (3, 4, 5)]
        store.sync_codes([{**c, "definition": "Treated as less because of care"}
                          if c["key"] == "stigma" else c for c in CODES], author="carol")
    return ids


def shown(app: CoderApp, selector: str) -> str:
    return app.screen.query_one(selector, Static).content.plain


def header(app: CoderApp) -> str:
    return str(app.screen.query_one("#recheck-header", Label).content)


def alice_codings(path: Path) -> set[tuple[int, str]]:
    with Store(path) as store:
        return {(r.n, r.code_key) for r in store.segment_rows(coders=["alice"])}


async def test_keep_remove_move_and_undo(project: Path) -> None:
    sharpened(project)
    app = CoderApp(db_path=project, coder="alice", recheck="stigma")
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, RecheckScreen)
        assert "stigma · 1 of 3" in header(app)
        assert "Being treated differently because of care experience" in shown(
            app, "#recheck-then")
        assert "Treated as less because of care" in shown(app, "#recheck-now")
        assert str(app.screen.query_one("#recheck-then").border_title) == "then: r1"
        assert shown(app, "#recheck-text").startswith("People hear care")
        await pilot.press("a")
        assert "keep: notes ¶3" in app.screen.query_one(StatusLine).message
        assert "1 of 2" in header(app)
        await pilot.press("x")
        assert "1 of 1" in header(app)
        await pilot.press("m")
        assert isinstance(app.screen, MoveDialog)
        await pilot.press(*"belong", "enter")
        assert isinstance(app.screen, RecheckScreen)
        assert "nothing left" in header(app)
        assert alice_codings(project) == {(3, "stigma"), (5, "belonging")}
        await pilot.press("u")
        assert "1 of 1" in header(app)
        assert alice_codings(project) == {(3, "stigma"), (5, "stigma")}
        await pilot.press("u", "u")  # a burst: the removal and the keep come back too
        assert "of 3" in header(app)
        await pilot.press("q")
    assert alice_codings(project) == {(3, "stigma"), (4, "stigma"), (5, "stigma")}
    with Store(project) as store:
        assert len(store.recheck_rows()) == 3


async def test_keys_in_a_burst_decide_each_in_turn(project: Path) -> None:
    sharpened(project)
    app = CoderApp(db_path=project, coder="alice", recheck="")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "a", "x", "a")
        assert "nothing left" in header(app)
        assert "its code's current definition" in shown(app, "#recheck-text")
    assert alice_codings(project) == {(3, "stigma"), (4, "stigma")}  # ¶4 kept, ¶5 removed
