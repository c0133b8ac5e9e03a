"""Another program holding the project file's write lock while the app starts (issue 6)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from test_coding_app import SIZE, codings, status

from coder.store import Store
from coder.tui.app import LAST_CODER, CoderApp
from coder.tui.screens.coding import BUSY_MESSAGE, FREE_MESSAGE, CodingScreen
from coder.tui.screens.waiting import WaitingScreen


@contextmanager
def write_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """What `sqlite3 project.db 'BEGIN IMMEDIATE; ...'` in another window does."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield holder
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()


def setting(path: Path, key: str) -> str | None:
    with Store(path) as store:
        return store.get_setting(key)


async def test_a_locked_file_at_start_is_reported_and_coding_saves_once_it_is_free(
        project: Path) -> None:
    with Store(project) as store:
        store.coder_id("alice")
    app = CoderApp(project, coder="alice")
    with write_lock(project) as holder:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, CodingScreen)
            assert status(app) == BUSY_MESSAGE
            assert setting(project, LAST_CODER) is None
            holder.execute("ROLLBACK")
            await pilot.pause(1.5)
            assert status(app) == FREE_MESSAGE
            assert setting(project, LAST_CODER) == "alice"
            await pilot.press("j", "j", "b")
            assert status(app) == "saved: Stigma on ¶3"
            assert codings(project) == [("notes", 3, "stigma", None)]


async def test_a_new_coder_waits_for_a_locked_file_then_codes(project: Path) -> None:
    app = CoderApp(project, coder="zoe")
    with write_lock(project) as holder:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, WaitingScreen)
            shown = str(app.screen.query_one("#waiting-problem").render())
            assert "busy" in shown and "another program" in shown
            with Store(project) as store:
                assert "zoe" not in store.coders()
            holder.execute("ROLLBACK")
            await pilot.pause(1.5)
            assert isinstance(app.screen, CodingScreen)
            await pilot.press("j", "j", "l")
            assert codings(project, "zoe") == [("notes", 3, "leaving-care", None)]
            assert setting(project, LAST_CODER) == "zoe"


async def test_quitting_while_waiting_leaves_the_file_as_it_was(project: Path) -> None:
    app = CoderApp(project, coder="zoe")
    with write_lock(project):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, WaitingScreen)
            await pilot.press("q")
            await pilot.pause()
        assert app.return_code == 0
    with Store(project) as store:
        assert "zoe" not in store.coders()
