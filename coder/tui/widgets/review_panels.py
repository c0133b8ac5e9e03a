"""The pieces of the review screen: the paragraph in dispute and each side's codings.

Everything is built as rich `Text` from stored text, never markup, so a transcript's brackets
and a code's name show exactly as typed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rich.style import Style
from rich.table import Table
from rich.text import Text
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
             progress: str) -> None:
        self._state = {"coders": coders, "consensus": consensus, "position": position,
                       "progress": progress}
        width = self.size.width or 120
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        who = (f" review: {clean(coders[0])} (A) vs {clean(coders[1])} (B)" if width >= 100
               else f" {clean(coders[0])} vs {clean(coders[1])}")
        text.append(f"{who} \u2192 {clean(consensus)} ", style=Style(bold=True, reverse=True))
        room = width - text.cell_len - len(progress) - 6
        text.append(f"  {ellipsize(position, max(room, 8))}")
        gap = width - text.cell_len - len(progress) - 2
        text.append(" " * max(gap, 2))
        text.append(f" {progress} ", style=Style(bold=True, reverse=True))
        self.update(text, layout=False)
        self.shown = text.plain

    def on_resize(self) -> None:
        if self._state is not None:
            self.show(**self._state)


class SidePanel(Static):
    """One column of codings (A's, B's or the consensus's); `shown` keeps its plain text."""

    def show(self, title: str, rows: Sequence[Row]) -> None:
        self.border_title = Text(title)  # coder names are data, never markup
        grid = Table.grid(padding=(0, 1 if any(g for g, _ in rows) else 0))
        grid.add_column(no_wrap=True, style=Style(bold=True))
        grid.add_column(ratio=1)
        for gutter, body in rows:
            grid.add_row(Text(gutter), body)
        self.update(grid)
        self.shown = "\n".join(" ".join(f"{g} {line}".split())
                               for g, b in rows for line in b.plain.split("\n"))
