"""Readability at 80x24 and with NO_COLOR: span quotes, checkboxes, memo marks, dialogs."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.style import Style
from test_coding_app import codings, goto, status, view_text

from coder.store import Store
from coder.tui.app import CoderApp
from coder.tui.widgets.paragraph_view import ParagraphView

SMALL = (80, 24)
QUOTE = "hear care and"


def span_styles(app: CoderApp, words: str) -> list[Style]:
    """The styles the paragraph view draws the characters of `words` in."""
    view = app.screen.query_one(ParagraphView)
    found = []
    for y in range(view.size.height):
        line = view.render_line(y)
        text = line.text
        at = text.find(words)
        if at < 0 or "\u201c" in text:
            continue
        x = 0
        for segment in line:
            if at <= x < at + len(words) and segment.text.strip():
                found.append(segment.style)
            x += segment.cell_length
    return found


async def test_span_quotes_drop_the_code_colour_with_no_color(project: Path,
                                                              no_color: bool) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SMALL) as pilot:
        await goto(pilot, 3)
        await pilot.press("s", "right", "shift+right", "shift+right", "b", "k")
        assert codings(project) == [("notes", 3, "stigma", QUOTE)]
        styles = span_styles(app, QUOTE)
        assert styles and all(s.underline for s in styles)
        stigma_red = Style(color="#d62728").color
        if no_color:
            assert all(s.color is None or s.color != stigma_red for s in styles)
        else:
            assert all(s.color == stigma_red for s in styles)


@pytest.fixture
def linked(project: Path, tmp_path: Path) -> Path:
    """A project whose codebook file is known, so the add-code dialog offers to write to it."""
    with Store(project) as store:
        store.set_setting("codebook_path", str(tmp_path / "book.yaml"))
    return project


async def test_checkboxes_show_ticked_and_unticked_with_no_color(
        linked: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = CoderApp(linked, coder="alice")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("a")
        ticked = app.screen.query_one("#add-apply")
        unticked = app.screen.query_one("#add-append")
        assert ticked.value and not unticked.value
        around = unticked.background_colors[1]
        off = unticked.get_visual_style("toggle--button")
        on = ticked.get_visual_style("toggle--button")
        assert abs(off.background.brightness - around.brightness) > 0.3, "box invisible"
        assert off.foreground == off.background, "an unticked box is empty"
        assert abs(on.foreground.brightness - on.background.brightness) > 0.4


async def test_a_memo_mark_on_a_quoted_span_coding_fits_the_line(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SMALL) as pilot:
        await goto(pilot, 3)
        await pilot.press("s", "down", "b", "m", "shift+tab", "down", *"why", "ctrl+s")
        assert status(app) == "saved: memo on Stigma at ¶3"
        label = next(line for line in view_text(app).splitlines() if " Stigma " in line)
        assert "\u201c" in label and "\u2026\u201d \u270e" in label


async def test_add_code_dialog_fits_80x24_with_its_help_line(linked: Path) -> None:
    app = CoderApp(linked, coder="alice")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("a")
        dialog = app.screen.query_one("#add-code")
        help_line = app.screen.query_one("#add-code .dialog-help")
        assert help_line.region.bottom <= dialog.region.bottom - 1
        assert help_line.region.height >= 1
        assert "esc cancel" in str(help_line.render())


async def test_typing_after_shift_tab_in_the_memo_dialog_writes_the_memo(
        project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SMALL) as pilot:
        await goto(pilot, 4)
        await pilot.press("l", "m", "shift+tab")
        assert app.screen.focused.id == "memo-targets"
        await pilot.press("down", *"a note", "ctrl+s")
        assert status(app) == "saved: memo on Leaving care at ¶4"
    with Store(project) as store:
        memos = [s.memo for s in store.segments(document_id=store.document("notes").id)]
    assert memos == ["a note"]


@pytest.mark.parametrize("sizes", [[(80, 24), (120, 40)], [(100, 30), (160, 50), (60, 20)]])
async def test_resizing_the_terminal_redraws_at_the_new_width(
    tmp_path: Path, sizes: list[tuple[int, int]]
) -> None:
    """Long wrapped paragraphs on screen while the terminal grows and shrinks: lines wrapped for
    the old width must never be drawn from layouts wrapped for the new one."""
    from factories import SAMPLE_CODEBOOK, SEEDS

    from coder.project import import_files, use_codebook

    with Store(tmp_path / "p.db") as store:
        import_files(store, [SEEDS / "bridge-the-gap-explore-2021-09.txt"])
        use_codebook(store, SAMPLE_CODEBOOK)
    app = CoderApp(tmp_path / "p.db", coder="alice")
    async with app.run_test(size=sizes[0]) as pilot:
        await goto(pilot, 9)
        for size in sizes[1:]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            view = app.screen.query_one(ParagraphView)
            assert view.size.width <= size[0]
            assert "The government manifesto in 2019" in view_text(app)
        await pilot.press("S")
    assert codings(tmp_path / "p.db") == [("bridge-the-gap-explore-2021-09", 9, "stigma", None)]
