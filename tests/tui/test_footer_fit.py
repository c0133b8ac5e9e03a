"""The key bar fits its width (issue 11): at 80 columns span mode's keys were cut after `/`."""

from __future__ import annotations

from pathlib import Path

from test_spans_search_and_navigation import screen_text

from coder.tui.app import CoderApp

SPAN_KEYS = ["←→ word", "⇧←→ extend", "esc leave", "c code"]


def footer(app: CoderApp) -> str:
    return screen_text(app).splitlines()[-1].rstrip()


async def test_span_keys_fit_at_80_columns_and_read_whole_when_wide(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        assert footer(app).strip().startswith("c code  s span")  # room enough: as before
        await pilot.press("j", "j", "s")
        await pilot.pause()
        line = footer(app)
        assert len(line) <= 80
        for key in [*SPAN_KEYS, "↑↓ sent.", "? help", "q quit"]:
            assert key in line, (key, line)
        assert line.endswith("q quit")
        # the status says the span and its keys whole on one line: the quote gives way
        await pilot.press("down")
        await pilot.pause()
        said = screen_text(app).splitlines()[-2].rstrip()
        assert said.startswith("   span “People hear care and")
        assert said.endswith("”: a code key or c applies it, esc leaves")
        assert "…" in said and len(said) <= 80
        await pilot.resize_terminal(140, 24)
        await pilot.pause()
        await pilot.pause()
        line = footer(app)
        for key in [*SPAN_KEYS, "↑↓ sentence", "/ search", "d docs", "q quit"]:
            assert key in line, (key, line)
        await pilot.resize_terminal(60, 24)
        await pilot.pause()
        await pilot.pause()
        line = footer(app)
        assert len(line) <= 60 and line.endswith("q quit")
        for key in SPAN_KEYS:
            assert key in line, (key, line)
