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
from textual.widgets import DataTable, Static

from ..widgets.footer import SteadyFooter


@dataclass(frozen=True)
class Jump:
    """Where to go in the coding screen: a paragraph of a document."""

    document_id: int
    paragraph_id: int


FIRST_ROWS = 100
MORE_ROWS = 400


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
    _batch = 0

    def compose(self) -> ComposeResult:
        yield Static(id="table-title", classes="table-title")
        yield DataTable(cursor_type=self.cursor_type, zebra_stripes=False, id="table")  # type: ignore[arg-type]
        yield Static(id="table-detail", classes="table-detail")
        yield Static(id="table-status", classes="table-status")
        yield SteadyFooter()

    @property
    def table(self) -> DataTable:
        return self.query_one("#table", DataTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.fill()

    def fill(self) -> None:
        """Put the rows in the table and say what it shows."""
        raise NotImplementedError

    def load_rows(self, make_row: Callable[[int], Sequence[object]], count: int) -> None:
        """The first rows at once, the rest in batches after each refresh: the screen opens
        as fast with 10,000 quotes as with 10, and keys work while the rest arrive."""
        self._batch += 1
        batch = self._batch
        self._loaded = min(count, FIRST_ROWS)
        self.table.add_rows(make_row(i) for i in range(self._loaded))

        def more() -> None:
            if batch != self._batch or self._loaded >= count:
                return
            end = min(count, self._loaded + MORE_ROWS)
            self.table.add_rows(make_row(i) for i in range(self._loaded, end))
            self._loaded = end
            self.call_after_refresh(more)

        def rest() -> None:
            while batch == self._batch and self._loaded < count:
                more()

        self._load_rest = rest
        if count > self._loaded:
            self.call_after_refresh(more)

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

    @on(DataTable.RowHighlighted, "#table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.highlighted(event.cursor_row)

    @on(DataTable.CellHighlighted, "#table")
    def _cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self.highlighted(event.coordinate.row)

    @on(DataTable.RowSelected, "#table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.chosen(event.cursor_row, 0)

    @on(DataTable.CellSelected, "#table")
    def _cell_selected(self, event: DataTable.CellSelected) -> None:
        self.chosen(event.coordinate.row, event.coordinate.column)

    def action_cursor(self, step: int) -> None:
        if step > 0:
            self.table.action_cursor_down()
        else:
            self.table.action_cursor_up()

    def action_end(self, which: int) -> None:
        table = self.table
        if which and hasattr(self, "_load_rest"):
            self._load_rest()
        if table.row_count:
            table.move_cursor(row=0 if which == 0 else table.row_count - 1)

    def action_back(self) -> None:
        self.dismiss(None)
