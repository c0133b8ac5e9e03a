"""Search counts, lists, marks and walks hits, not paragraphs (issue 11): a paragraph saying
"care" three times is three hits, each marked where it is in the paragraph's text."""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from test_coding_app import SIZE, current_n, status
from test_spans_search_and_navigation import add_document, search

from coder.tui.app import CoderApp
from coder.tui.widgets.paragraph_view import ParagraphView

REPEATS = ["Nothing to find here.", "Care at home, CARE at school, and care everywhere."]


def marked(app: CoderApp, n: int) -> list[tuple[str, Style]]:
    """(text, style) of the reversed runs drawn for paragraph ¶n (hits are reversed)."""
    view = app.screen.query_one(ParagraphView)
    frame = view._get_frame()
    runs: list[tuple[str, Style]] = []
    for y, (row, _) in enumerate(frame):
        if app.session.paragraphs[view.rows[row]].n != n:
            continue
        for segment in view.render_line(y):
            if segment.style is not None and segment.style.reverse and segment.text.strip():
                runs.append((segment.text, segment.style))
    return runs


def hits_in(app: CoderApp, n: int) -> list[str]:
    return [text for text, _ in marked(app, n)]


def current(app: CoderApp, n: int) -> list[str]:
    """The hit the search is at: reversed and underlined (reads without colour)."""
    return [text for text, style in marked(app, n) if style.underline]


async def test_hits_are_counted_marked_and_walked_one_by_one(project: Path,
                                                             no_color: bool) -> None:
    """Run with and without NO_COLOR: the marks are reverse and underline, not colours."""
    add_document(project, "repeats", REPEATS)
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "care")
        # notes ¶3 and ¶6, blog ¶2, repeats ¶2 three times
        count = app.screen.query_one("#search-count").content.plain
        assert count.startswith("6 hits in 4 paragraphs ·")
        listed = app.screen.query_one("#search-hits")
        assert listed.option_count == 6
        prompts = [listed.get_option_at_index(i).prompt for i in range(6)]
        reversed_words = [
            "".join(prompt.plain[s.start:s.end] for s in prompt.spans
                    if isinstance(s.style, Style) and s.style.reverse)
            for prompt in prompts]
        assert reversed_words == ["care", "care", "Care", "Care", "CARE", "care"]
        await pilot.press("down", "down", "down", "down", "enter")
        await pilot.pause()
        assert (app.session.document.name, current_n(app)) == ("repeats", 2)
        assert status(app) == "search “care”: hit 5 of 6, ¶2 · F3 next"
        assert hits_in(app, 2) == ["Care", "CARE", "care"]
        assert current(app, 2) == ["CARE"]
        await pilot.press("f3")
        await pilot.pause()
        assert status(app) == "search “care”: hit 6 of 6, ¶2 · F3 next"
        assert current(app, 2) == ["care"]
        assert hits_in(app, 1) == []
        await pilot.press("f3")
        await pilot.pause()
        assert (app.session.document.name, current_n(app)) == ("notes", 3)
        assert status(app) == "search “care”: hit 1 of 6, ¶3 (back at the first hit) · F3 next"
        assert current(app, 3) == ["care"]
        # other paragraphs' hits are marked too, not as the current one
        await pilot.press("f3")
        await pilot.pause()
        assert current_n(app) == 6
        assert hits_in(app, 3) == ["care"] and current(app, 3) == []


async def test_f3_from_elsewhere_in_a_paragraph_starts_at_its_first_hit(project: Path) -> None:
    add_document(project, "repeats", REPEATS)
    app = CoderApp(project, coder="alice", document="repeats")
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "care")
        await pilot.press("down", "down", "down", "enter")  # repeats ¶2, its first hit
        await pilot.pause()
        assert current(app, 2) == ["Care"]
        await pilot.press("k", "f3")  # the cursor moved away: F3 goes on from the cursor
        await pilot.pause()
        assert current_n(app) == 2
        assert status(app) == "search “care”: hit 4 of 6, ¶2 · F3 next"
        assert current(app, 2) == ["Care"]
