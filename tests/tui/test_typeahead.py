"""Keys typed ahead, as they arrive over SSH: in one burst, before the dialog they open is ready.

Pilot's `press` waits for the app to go idle after every key, which hides the bug; these tests
hand the whole burst to the driver at once, then wait.
"""

from __future__ import annotations

from pathlib import Path

from test_coding_app import SIZE, codings, current_n, status
from textual import events
from textual.pilot import Pilot

from coder.store import Store
from coder.tui.app import CoderApp
from coder.tui.screens.coding import CodingScreen

CHARACTERS = {"enter": "\r", "space": " ", "slash": "/", "colon": ":", "escape": "\x1b"}


async def burst(pilot: Pilot, *keys: str) -> None:
    """Deliver every key to the app's queue with no pause between them, as a terminal read
    of several bytes does; then let the app settle."""
    app = pilot.app
    assert isinstance(app, CoderApp)
    for key in keys:
        character = CHARACTERS.get(key, key if len(key) == 1 else None)
        event = events.Key(key, character)
        event.set_sender(app)
        assert app._driver is not None
        app._driver.send_message(event)
    for _ in range(500):
        await pilot.pause(0.02)
        if not app.keys_pending and not app.message_queue_size:
            break
    await pilot.pause()


async def test_code_picker_gets_the_filter_typed_with_c(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "j", "j", "c", *"leaving", "enter")
        assert codings(project) == [("notes", 3, "leaving-care", None)]
        assert isinstance(app.screen, CodingScreen)
        await burst(pilot, "j", "c", *"belong", "enter", "j", "b")
        assert codings(project) == [("notes", 3, "leaving-care", None),
                                    ("notes", 4, "belonging", None),
                                    ("notes", 5, "stigma", None)]


async def test_memo_gets_the_text_typed_with_m(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "j", "j", "m", *"assumed guilty", "ctrl+s", "j")
        with Store(project) as store:
            para = store.paragraph_at(store.document("notes").id, 3)
            assert store.paragraph_memo(store.coder_id("alice"), para.id) == "assumed guilty"
        assert current_n(app) == 4


async def test_document_switcher_gets_the_name_typed_with_d(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "d", *"blo", "enter", "j", "l")
        assert app.session.document.name == "blog"
        assert codings(project) == [("blog", 2, "leaving-care", None)]


async def test_add_code_gets_the_name_typed_with_a(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "j", "j", "j", "a", *"Rent arrears", "enter")
        with Store(project) as store:
            assert store.code("rent-arrears").name == "Rent arrears"
        assert codings(project) == [("notes", 4, "rent-arrears", None)]


async def test_search_and_jump_get_what_is_typed_with_them(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "slash", *"youth", "enter", "l")
        assert current_n(app) == 5
        assert codings(project) == [("notes", 5, "leaving-care", None)]
        await burst(pilot, "colon", "3", "enter", "b")
        assert current_n(app) == 3
        assert ("notes", 3, "stigma", None) in codings(project)
        assert status(app) == "saved: Stigma on ¶3"
