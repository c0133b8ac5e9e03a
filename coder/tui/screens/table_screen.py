"""A full screen around one table: the code view, the matrix and the memo view.

Each lists rows the library worked out (no SQL here), shows the highlighted row in full below
the table, and ends with a `Jump` to a paragraph, which the coding screen opens so that the
researcher recodes or uncodes there, undoably, as anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from ..widgets.footer import SteadyFooter
from ..widgets.line_table import Column, LineTable


@dataclass(frozen=True)
class Jump:
    """Where to go in the coding screen: a paragraph of a document."""

    document_id: int
    paragraph_id: int


def column_widths(rows: Sequence[Sequence[str]], headers: Sequence[str],
                  caps: Sequence[int]) -> list[int]:
    """Each column as wide as its widest cell (or header), up to its cap."""
    return [min(cap, max([len(h), *(len(r[i]) for r in rows)]))
            for i, (h, cap) in enumerate(zip(headers, caps, strict=True))]


def quote_width(screen_width: int, widths: Sequence[int]) -> int:
    """Room left for the last column (a quote, a memo) once the others have theirs, so the
    table needs no sideways scrolling: one cell of padding either side of each column, and
    two for the scrollbar."""
    return max(16, screen_width - sum(w + 2 for w in widths) - 4)


class TableScreen(Screen["Jump | None"]):
    """Title line, table, the highlighted row in full, a status line, the keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor(1)", "down", show=False, tooltip="next row"),
        Binding("k", "cursor(-1)", "up", show=False, tooltip="previous row"),
        Binding("g", "end(0)", "first", show=False, tooltip="first row"),
        Binding("G", "end(1)", "last", show=False, tooltip="last row"),
        Binding("escape,q", "back", "back", tooltip="back to coding"),
    ]

    cursor_type: ClassVar[str] = "row"
    fixed_columns: ClassVar[int] = 0

    def compose(self) -> ComposeResult:
        yield Static(id="table-title", classes="table-title")
        yield LineTable(cursor_type=self.cursor_type, fixed_columns=self.fixed_columns,
                        id="table")
        yield Static(id="table-detail", classes="table-detail")
        yield Static(id="table-status", classes="table-status")
        yield SteadyFooter()

    @property
    def table(self) -> LineTable:
        return self.query_one("#table", LineTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.fill()

    def fill(self) -> None:
        """Put the rows in the table and say what it shows."""
        raise NotImplementedError

    def load_rows(self, headers: Sequence[str | Text], widths: Sequence[int],
                  make_row: Callable[[int], Sequence[Text]], count: int, *,
                  row: int = 0, column: int = 0) -> None:
        """Show `count` rows, each made only when it comes into view: the screen opens as
        fast with 10,000 quotes as with 10."""
        columns = [Column(h if isinstance(h, Text) else Text(h), w)
                   for h, w in zip(headers, widths, strict=True)]
        self.table.show(columns, count, make_row, row=row, column=column)

    def title_line(self, text: str) -> None:
        self.query_one("#table-title", Static).update(Text(text, no_wrap=True, overflow="ellipsis"))

    def say(self, text: str) -> None:
        self.query_one("#table-status", Static).update(Text(text, no_wrap=True, overflow="ellipsis"))

    def show_detail(self, text: Text) -> None:
        self.query_one("#table-detail", Static).update(text)

    def highlighted(self, row: int) -> None:
        """The cursor is on `row`: show it in full below the table."""

    def chosen(self, row: int, column: int) -> None:
        """Enter on a row (or a cell)."""

    @on(LineTable.Highlighted, "#table")
    def _highlighted(self, event: LineTable.Highlighted) -> None:
        self.highlighted(event.row)

    @on(LineTable.Selected, "#table")
    def _selected(self, event: LineTable.Selected) -> None:
        self.chosen(event.row, event.column)

    def action_cursor(self, step: int) -> None:
        self.table.move_cursor(row=self.table.cursor_row + step)

    def action_end(self, which: int) -> None:
        table = self.table
        table.move_cursor(row=0 if which == 0 else table.row_count - 1)

    def action_back(self) -> None:
        self.dismiss(None)
