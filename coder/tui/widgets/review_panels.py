"""The pieces of the review screen: the paragraph in dispute and each side's codings.

Everything is built as rich `Text` from stored text, never markup, so a transcript's brackets
and a code's name show exactly as typed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widgets import Static

from ...models import Code
from ...reconcile import Mark
from ...text import clean, ellipsize
from ..display import DisplayText
from .chips import chip

QUOTE_LIMIT = 160
CURSOR = "\u25b6 "


def paragraph_text(text: str, spans: Sequence[tuple[int, int]] = ()) -> Text:
    """The paragraph as stored, controls made visible, the given spans underlined."""
    shown = DisplayText.build(text)
    out = Text(shown.text, end="")
    for start, end in spans:
        out.stylize(Style(underline=True, bold=True), shown.disp_of[start], shown.disp_of[end])
    return out


Row = tuple[str, Text]


def code_lines(marks: Sequence[Mark], text: str, codes: dict[str, Code], *,
               order: Sequence[str], cursor: str | None, disputed: Collection[str],
               keep: dict[str, bool] | None = None) -> list[Row]:
    """One row per code: a gutter (cursor, kept or not) and the chip with its spans quoted.

    `keep` (code -> kept?) marks each disputed code of a choice being made code by code.
    """
    by_code: dict[str, list[Mark]] = {}
    for m in marks:
        by_code.setdefault(m.code, []).append(m)
    shown = [k for k in order if k in by_code] + [k for k in by_code if k not in order]
    if keep is not None:
        shown += [k for k in order if k in keep and k not in by_code]
    if not shown:
        return [("", Text("no codes", style=Style(dim=True, italic=True)))]
    rows: list[Row] = []
    for key in shown:
        gutter = CURSOR if key == cursor else "  "
        if keep is not None and key in keep:
            gutter += "\u2611" if keep[key] else "\u2610"
        body = Text(end="")
        body.append_text(chip(codes.get(key), fallback=key))
        if key not in disputed:
            body.append(" agreed", style=Style(dim=True))
        elif keep is not None and key in keep:
            body.append(" keep" if keep[key] else " drop", style=Style(dim=not keep[key]))
        spans = by_code.get(key, ())
        for m in spans:
            quote = m.quote(text)
            if quote is None:
                if len(spans) > 1:
                    body.append("\nwhole paragraph", style=Style(dim=True))
                continue
            body.append("\n\u201c" + ellipsize(" ".join(quote.split()), QUOTE_LIMIT) + "\u201d",
                        style=Style(italic=True))
        rows.append((gutter, body))
    return rows


class ReviewHeader(Static):
    """Who is being reconciled into whom, where in the queue, and how far along."""

    _state: dict | None = None

    def show(self, *, coders: Sequence[str], consensus: str, position: str,
             progress: str, paragraph: str = "") -> None:
        """`position` (the document) gives way first; the paragraph number always shows."""
        self._state = {"coders": coders, "consensus": consensus, "position": position,
                       "progress": progress, "paragraph": paragraph}
        width = self.size.width or 120
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        who = (f" review: {clean(coders[0])} (A) vs {clean(coders[1])} (B)" if width >= 100
               else f" {clean(coders[0])} vs {clean(coders[1])}")
        text.append(f"{who} \u2192 {clean(consensus)} ", style=Style(bold=True, reverse=True))
        room = width - text.cell_len - len(progress) - len(paragraph) - 7
        text.append(f"  {ellipsize(position, max(room, 8))}")
        if paragraph:
            text.append(f" {paragraph}")
        gap = width - text.cell_len - len(progress) - 2
        text.append(" " * max(gap, 2))
        text.append(f" {progress} ", style=Style(bold=True, reverse=True))
        self.update(text, layout=False)
        self.shown = text.plain

    def on_resize(self) -> None:
        if self._state is not None:
            self.show(**self._state)


def _grid(rows: Sequence[Row], pad: int) -> Table:
    grid = Table.grid(padding=(0, pad))
    grid.add_column(no_wrap=True, style=Style(bold=True))
    grid.add_column(ratio=1)
    for gutter, body in rows:
        grid.add_row(Text(gutter), body)
    return grid


class SidePanel(VerticalScroll, can_focus=False):
    """One column of codings (A's, B's or the consensus's); `shown` keeps its plain text.

    A column longer than its room scrolls, and each time it is shown it scrolls to the row of
    the code under the cursor: the code being decided is always in sight.
    """

    shown = ""

    def compose(self) -> ComposeResult:
        yield Static(Text(""), classes="side-body")

    def show(self, title: str, rows: Sequence[Row]) -> None:
        self.border_title = Text(title)  # coder names are data, never markup
        pad = 1 if any(g for g, _ in rows) else 0
        self.query_one(".side-body", Static).update(_grid(rows, pad))
        self.shown = "\n".join(" ".join(f"{g} {line}".split())
                               for g, b in rows for line in b.plain.split("\n"))
        focus = next((i for i, (g, _) in enumerate(rows) if g.startswith(CURSOR)), None)
        self.call_after_refresh(self._follow, rows, pad, focus)

    def _follow(self, rows: Sequence[Row], pad: int, focus: int | None,
                again: bool = True) -> None:
        """Scroll to the cursor's row where it is drawn (a scroll bar that has just appeared
        rewraps the column, so this looks again after the next refresh)."""
        if focus is None:
            self.scroll_home(animate=False, immediate=True)
            return
        body = self.query_one(".side-body", Static)
        width = body.size.width
        top = next((y for y in range(body.size.height)
                    if body.render_line(y).text.startswith(CURSOR[0])), None)
        if width <= 0 or top is None:
            return
        tall = self._lines(rows[focus:focus + 1], pad, width)
        self.scroll_to_region(Region(0, top, width, tall), animate=False, immediate=True,
                              top=tall > self.scrollable_content_region.height)
        if again:
            self.call_after_refresh(self._follow, rows, pad, focus, False)

    def _lines(self, rows: Sequence[Row], pad: int, width: int) -> int:
        if not rows:
            return 0
        console = self.app.console
        return len(console.render_lines(_grid(rows, pad), console.options.update_width(width),
                                        pad=False))
