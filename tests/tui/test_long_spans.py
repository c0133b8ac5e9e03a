"""Span keys on a 50,000-character paragraph (issue 11): the view lays the selection over its
cached wrapping instead of re-wrapping the paragraph per key, so these check that what is
selected, drawn and coded is still the right words (speed itself is in bench/tui_bench.py)."""

from __future__ import annotations

from pathlib import Path

from rich.segment import Segment
from test_coding_app import SIZE, codings, status

from coder.models import ParagraphIn, ParsedDocument
from coder.store import Store
from coder.tui.app import CoderApp
from coder.tui.widgets.paragraph_view import ParagraphView

WORDS_PER_SENTENCE = 10


def long_text(words: int) -> str:
    """Distinct words `w00000`..., a sentence every ten words: each word names its place."""
    out = []
    for i in range(words):
        word = f"w{i:05d}"
        out.append(word + ("." if i % WORDS_PER_SENTENCE == WORDS_PER_SENTENCE - 1 else ""))
    return " ".join(out)


def add_long(path: Path) -> str:
    text = long_text(7200)
    assert len(text) > 50_000
    with Store(path) as store:
        store.add_document("huge", ParsedDocument("text", [
            ParagraphIn("A short opening turn.", speaker="Ann"),
            ParagraphIn(text, speaker="Bo"),
        ]), source_path="huge.txt", content_hash="hash-huge")
    return text


def selected_on_screen(view: ParagraphView) -> str:
    """The text drawn in the selection's style (reverse) on screen, in order."""
    cells = []
    for y in range(view.size.height):
        for segment in view.render_line(y):
            assert isinstance(segment, Segment)
            if segment.style is not None and segment.style.reverse:
                cells.append(segment.text)
    return "".join(cells)


async def test_span_keys_on_a_long_paragraph_select_the_right_words(project: Path) -> None:
    text = add_long(project)
    app = CoderApp(project, coder="alice", document="huge")
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(ParagraphView)
        await pilot.press("j", "s")
        assert view.selection == (0, 6)
        # the first ↓ takes the first sentence whole, each one after the next sentence: the
        # 80th sentence, some 5,600 characters in, drawn on screen (the paragraph paged on)
        await pilot.press(*["down"] * 80)
        await pilot.pause()
        first = 79 * WORDS_PER_SENTENCE
        start = text.index(f"w{first:05d}")
        end = text.index(f"w{first + 9:05d}.") + 7
        assert view.selection == (start, end)
        assert selected_on_screen(view).replace(" ", "") == text[start:end].replace(" ", "")
        await pilot.press("right", "right", "shift+right", "shift+right")
        await pilot.pause()
        lo = text.index(f"w{first + 10:05d}")
        hi = text.index(f"w{first + 12:05d}") + 6
        assert view.selection == (lo, hi)
        assert text[lo:hi] == f"w{first + 10:05d} w{first + 11:05d} w{first + 12:05d}"
        assert selected_on_screen(view) == text[lo:hi]
        assert status(app).startswith(f"span \u201cw{first + 10:05d} w{first + 11:05d}")
        # back to the start and out again: nothing left marked from the earlier selections
        await pilot.press("shift+left", "shift+left", "left")
        await pilot.pause()
        lo = text.index(f"w{first + 9:05d}")
        assert view.selection == (lo, lo + 7)
        assert selected_on_screen(view) == f"w{first + 9:05d}."
        await pilot.press("b")
        # a selection near the end (as a mouse drag starts one), moved by a key
        await pilot.press("s")
        view.enter_span(text.index("w07150"))
        await pilot.press("right", "shift+right")
        await pilot.pause()
        assert selected_on_screen(view) == "w07151 w07152"
        await pilot.press("h")
    assert codings(project) == [("huge", 2, "stigma", f"w{first + 9:05d}."),
                                ("huge", 2, "labels", "w07151 w07152")]
