"""The review screen at 80x24: help, the footer's keys, and long paragraphs read from the top."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from test_review import code_both, header, review_app, status
from textual.containers import VerticalScroll
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel

from coder.models import ParagraphIn, ParsedDocument
from coder.store import Store
from coder.tui.screens.help import REVIEW_SECTION, HelpScreen
from coder.tui.screens.review import ReviewScreen

SMALL = (80, 24)
LONG_WORDS = " ".join(f"word{i}" for i in range(400))


def long_disagreements(path: Path) -> None:
    """Three long paragraphs that alice and bob code differently."""
    with Store(path) as store:
        doc = store.add_document("long", ParsedDocument("text", [
            ParagraphIn(f"Start{n} {LONG_WORDS} End{n}.") for n in range(1, 4)]),
            source_path="long.txt", content_hash="hash-long")
        a, b = store.coder_id("alice"), store.coder_id("bob")
        code = {c.key: c.id for c in store.codes()}
        for p in store.paragraphs(doc.id):
            store.add_segment(a, p.id, code["stigma"])
            store.add_segment(b, p.id, code["belonging"])


def shown_text(app) -> str:
    """The lines of the paragraph that the scrolled box shows now."""
    scroll = app.screen.query_one("#review-text-scroll", VerticalScroll)
    text = app.screen.query_one("#review-text")
    top = round(scroll.scroll_y)
    return "\n".join(text.render_line(y).text
                     for y in range(top, top + scroll.scrollable_content_region.height))


def footer_text(app) -> str:
    footer = app.screen.query_one(Footer)
    parts = []
    for child in footer.walk_children():
        if isinstance(child, FooterKey):
            parts.append(f"{child.key_display} {child.description}".strip())
        elif isinstance(child, FooterLabel):
            parts.append(str(child.render()))
    return " ".join(parts)


async def test_question_mark_shows_the_review_keys(project: Path) -> None:
    code_both(project)
    app = review_app(project)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(app.screen.content)
        shown = console.export_text()
        assert REVIEW_SECTION in shown and "take A's codes for this paragraph" in shown
        assert "scroll a long paragraph down" in shown
        assert "Reading and coding" not in shown
        await pilot.press("question_mark")
        assert isinstance(app.screen, ReviewScreen)


async def test_the_footer_fits_80_columns_and_names_help_and_scrolling(project: Path) -> None:
    code_both(project)
    app = review_app(project)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        keys = [k for k in footer.walk_children() if isinstance(k, (FooterKey, FooterLabel))]
        assert max(k.region.right for k in keys) <= SMALL[0]
        text = footer_text(app)
        for shown in ("PgUp", "PgDn", "scroll", "? help", "q back", "u undo", "a", "A's"):
            assert shown in text, shown


async def test_long_paragraphs_open_at_their_first_line_and_page(project: Path) -> None:
    long_disagreements(project)
    app = review_app(project)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("a", "q")
    with Store(project) as store:
        assert [e["decision"] for e in store.events("review decision")] == ["a"]
    app = review_app(project)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert status(app) == "resumed: 1 of 3 decided"
        scroll = app.screen.query_one("#review-text-scroll", VerticalScroll)
        assert scroll.max_scroll_y > 0
        assert scroll.scroll_y == 0 and "Start2 word0" in shown_text(app)
        await pilot.press("pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 0 and "Start2" not in shown_text(app)
        await pilot.press("down", "pageup")
        await pilot.pause()
        assert scroll.scroll_y == 0
        await pilot.press("pagedown", "n")
        await pilot.pause()
        assert "long ¶3" in header(app)
        assert scroll.scroll_y == 0 and "Start3 word0" in shown_text(app)
