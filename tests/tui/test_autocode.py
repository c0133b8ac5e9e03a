"""Code every hit of a search from the app: pick the code, see the preview, confirm; the
codings show as automatic, one undo takes them all back, ctrl+y confirms a paragraph's."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from coder.store import Store
from coder.tui.app import CoderApp
from coder.tui.screens.autocode import AutocodePreview
from coder.tui.screens.coding import CodingScreen
from coder.tui.screens.picker import CodePicker
from coder.tui.widgets.bars import StatusLine
from coder.tui.widgets.paragraph_view import ParagraphView

SIZE = (120, 40)


def automatic(path: Path) -> list[tuple[int, str, bool]]:
    with Store(path) as store:
        rows = {r.segment_id: r for r in store.segment_rows(coders=["alice"])}
        pending = {s["id"] for s in store.automatic_segments()}
        return sorted((r.n, r.code_key, r.segment_id in pending) for r in rows.values())


def labels(app: CoderApp, paragraph_id: int) -> str:
    view = app.screen.query_one(ParagraphView)
    return "".join(s.text for strip in view._labels(paragraph_id, 100) for s in strip)


async def test_code_all_hits_preview_undo_and_confirm(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"care")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#search-hits", OptionList).option_count == 3
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"belong", "enter")
        assert isinstance(app.screen, AutocodePreview)
        listing = app.screen.query_one("#autocode-list").content.plain
        assert "notes ¶3 P2  People hear care" in listing
        assert "blog ¶2" in listing
        await pilot.press("escape")
        assert isinstance(app.screen, CodingScreen)
        assert app.screen.query_one(StatusLine).message == "nothing coded"
        assert automatic(project) == []

        await pilot.press("slash", *"care")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("ctrl+o", *"belong", "enter", "enter")
        assert app.screen.query_one(StatusLine).message.startswith(
            "coded 3 with Belonging (automatic")
        assert automatic(project) == [(2, "belonging", True), (3, "belonging", True),
                                      (6, "belonging", True)]
        session = app.screen.session
        p3 = session.paragraphs[2].id
        assert labels(app, p3).endswith(" auto")
        await pilot.press("u")
        assert automatic(project) == []
        assert "undone: 3 automatic codings" in app.screen.query_one(StatusLine).message
        await pilot.press("U")
        assert len(automatic(project)) == 3
        await pilot.press("g", "j", "j", "ctrl+y")
        assert app.screen.query_one(StatusLine).message == "confirmed Belonging on ¶3"
        assert "auto" not in labels(app, p3)
        await pilot.press("ctrl+y")
        assert app.screen.query_one(StatusLine).message == (
            "no automatic coding to confirm on ¶3")
    assert automatic(project) == [(2, "belonging", True), (3, "belonging", False),
                                  (6, "belonging", True)]
