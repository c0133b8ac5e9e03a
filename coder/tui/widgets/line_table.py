"""A table drawn one screen line at a time: only the rows and columns in view are ever rendered.

Textual's DataTable measures every cell as rows are added and renders whole rows, which took
seconds for the 8,829 quotes of a code or a 200-column matrix. Here the screen says how many
rows there are, how wide each column is, and how to make the cells of a row; the table
asks for the rows of the lines it draws, through Textual's line API (as the paragraph
view does), so opening costs the same for 10 rows as for 100,000.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import ClassVar, overload

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

PADDING = 1
CACHE_LIMIT = 400
_PLAIN = Style()


@dataclass(frozen=True)
class Column:
    """A header and the width of its cells (without the padding either side)."""

    label: Text
    width: int


def _no_rows(row: int) -> Sequence[Text]:
    return ()


@dataclass
class _Cells:
    """A row's texts and, by column, those drawn so far."""

    texts: Sequence[Text]
    drawn: dict[int, Strip]


class LazyRow(Sequence[Text]):
    """A row whose cells are made when first drawn: a 200-column matrix row makes only
    the dozen cells on screen."""

    def __init__(self, length: int, cell: Callable[[int], Text]) -> None:
        self._length = length
        self._cell = cell

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Text: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Text]: ...

    def __getitem__(self, index: int | slice) -> Text | Sequence[Text]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if not -self._length <= index < self._length:
            raise IndexError(index)
        return self._cell(index % self._length)


class LineTable(ScrollView, can_focus=True):
    """Rows by columns with a cursor on a row (`cursor_type="row"`) or on a cell ("cell");
    the first `fixed_columns` stay put when the others scroll sideways."""

    ALLOW_SELECT = False

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "line-table--header",
        "line-table--cursor",
    }

    DEFAULT_CSS = """
    LineTable {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .line-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .line-table--header {
                background-tint: $foreground 5%;
            }
        }
        & > .line-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .line-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .line-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "select", show=False),
        Binding("up", "cursor_up", "up", show=False),
        Binding("down", "cursor_down", "down", show=False),
        Binding("left", "cursor_left", "left", show=False),
        Binding("right", "cursor_right", "right", show=False),
        Binding("pageup", "page_up", "page up", show=False),
        Binding("pagedown", "page_down", "page down", show=False),
        Binding("home", "first", "first", show=False),
        Binding("end", "last", "last", show=False),
    ]

    class _At(Message):
        def __init__(self, table: LineTable, row: int, column: int) -> None:
            super().__init__()
            self.table = table
            self.row = row
            self.column = column

        @property
        def control(self) -> LineTable:
            return self.table

    class Highlighted(_At):
        """The cursor moved to (row, column); column is 0 in a row table."""

    class Selected(_At):
        """Enter (or a click) on the cursor's row or cell."""

    def __init__(self, *, cursor_type: str = "row", fixed_columns: int = 0,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.cursor_type = cursor_type
        self.fixed_columns = fixed_columns
        self.columns: list[Column] = []
        self.row_count = 0
        self.cursor_row = 0
        self.cursor_column = 0
        self._make_row: Callable[[int], Sequence[Text]] = _no_rows
        self._offsets: list[int] = [0]
        self._rows: dict[int, _Cells] = {}
        self._header: _Cells | None = None
        self._styles: tuple[Style, Style, Style] | None = None

    def show(self, columns: Sequence[Column], row_count: int,
             make_row: Callable[[int], Sequence[Text]], *, row: int = 0,
             column: int = 0) -> None:
        """Replace what the table shows; `make_row(row)` (a Text per column) is asked only
        for the rows drawn."""
        self.columns = list(columns)
        self.row_count = row_count
        self._make_row = make_row
        self._offsets = [0, *accumulate(c.width + 2 * PADDING for c in self.columns)]
        self._forget()
        self.virtual_size = Size(self._offsets[-1], row_count + 1)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.cursor_row = self.cursor_column = -1
        self.move_cursor(row=row, column=column)

    def get_cell_at(self, coordinate: tuple[int, int]) -> Text:
        row, column = coordinate
        if not (0 <= row < self.row_count and 0 <= column < len(self.columns)):
            raise IndexError(f"no cell at {coordinate}")
        return self._make_row(row)[column]

    def move_cursor(self, *, row: int | None = None, column: int | None = None) -> None:
        """Put the cursor on (row, column), clamped to the table, bring it into view and say
        so with a `Highlighted` message when it moved."""
        last_row = max(0, self.row_count - 1)
        last_column = max(0, len(self.columns) - 1) if self.cursor_type == "cell" else 0
        new_row = min(max(self.cursor_row if row is None else row, 0), last_row)
        new_column = min(max(self.cursor_column if column is None else column, 0), last_column)
        if (new_row, new_column) == (self.cursor_row, self.cursor_column):
            return
        self.cursor_row, self.cursor_column = new_row, new_column
        self._scroll_to_cursor()
        self.refresh()
        if self.row_count:
            self.post_message(self.Highlighted(self, new_row, new_column))

    @property
    def _body_height(self) -> int:
        return max(1, self.size.height - 1)

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        body = self._body_height
        if self.cursor_row < top:
            top = self.cursor_row
        elif self.cursor_row >= top + body:
            top = self.cursor_row - body + 1
        left = round(self.scroll_x)
        if self.cursor_type == "cell" and self.cursor_column >= self.fixed_columns:
            fixed = self._offsets[self.fixed_columns]
            room = max(1, self.size.width - fixed)
            start = self._offsets[self.cursor_column] - fixed
            end = self._offsets[self.cursor_column + 1] - fixed
            if start < left:
                left = start
            elif end > left + room:
                left = end - room
        self.scroll_to(left, top, animate=False, immediate=True)

    def _forget(self) -> None:
        self._rows.clear()
        self._header = None

    def refresh_rows(self, *rows: int) -> None:
        """Make the given rows again (every row when none is given) the next time they are
        drawn: their content changed, as when a quote is marked."""
        if rows:
            for row in rows:
                self._rows.pop(row, None)
        else:
            self._rows.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._forget()

    def on_resize(self, event: events.Resize) -> None:
        self._scroll_to_cursor()

    # -- drawing ---------------------------------------------------------------------------

    def _palette(self) -> tuple[Style, Style, Style]:
        if self._styles is None:
            self._styles = (self.rich_style,
                            self.get_component_rich_style("line-table--header"),
                            self.get_component_rich_style("line-table--cursor"))
        return self._styles

    def _render_cell(self, text: Text, width: int) -> Strip:
        """A cell cut or padded to its column, one cell of padding either side."""
        console = self.app.console
        text = text.copy()
        text.no_wrap = True
        text.truncate(width, overflow="ellipsis")
        gap = width - text.cell_len
        left = gap if text.justify == "right" else 0
        own = console.get_style(text.style, default=_PLAIN)
        segments = [Segment(" " * (PADDING + left))]
        # Text.render leaves out the text's own style when it has no spans
        segments += [Segment(t, own + s if s else own) for t, s, _ in text.render(console) if t]
        segments.append(Segment(" " * (PADDING + gap - left)))
        return Strip(segments)

    def _row(self, row: int) -> _Cells:
        cells = self._rows.get(row)
        if cells is None:
            if len(self._rows) >= CACHE_LIMIT:
                self._rows.clear()
            cells = self._rows[row] = _Cells(self._make_row(row), {})
        return cells

    def _line(self, cells: _Cells, style: Style, cursor: Style | None,
              cursor_column: int | None) -> Strip:
        """One row's cells, the fixed ones then those in the sideways scroll, styled."""
        width = self.size.width
        fixed = self._offsets[self.fixed_columns]
        left = round(self.scroll_x) + fixed

        def styled(index: int) -> Strip:
            strip = cells.drawn.get(index)
            if strip is None:
                strip = cells.drawn[index] = self._render_cell(cells.texts[index],
                                                               self.columns[index].width)
            cell_style = style
            if cursor is not None and (cursor_column is None or cursor_column == index):
                cell_style = style + cursor
            return strip.apply_style(cell_style)

        strips = [styled(i) for i in range(self.fixed_columns)]
        first = max(self.fixed_columns, bisect_right(self._offsets, left) - 1)
        right = left + width - fixed
        scrolled: list[Strip] = []
        i = first
        while i < len(self.columns) and self._offsets[i] < right:
            scrolled.append(styled(i))
            i += 1
        if scrolled:
            joined = Strip.join(scrolled).crop(left - self._offsets[first],
                                               right - self._offsets[first])
            strips.append(joined)
        if self.cursor_type == "row":
            rest = style + cursor if cursor is not None else style
        else:
            rest = self._faded(style)
        return Strip.join(strips).extend_cell_length(width, rest).crop(0, width)

    def _faded(self, style: Style) -> Style:
        """Past the last column of a cell table, the row's colour a quarter of the way to
        the background (as DataTable draws it)."""
        if style.bgcolor is None:
            return style
        faded = Color.from_rich_color(style.bgcolor).blend(self.background_colors[1], 0.25)
        return Style.from_color(style.color, faded.rich_color)

    def render_line(self, y: int) -> Strip:
        base, header, cursor = self._palette()
        width = self.size.width
        if y == 0:
            if self._header is None:
                self._header = _Cells([c.label for c in self.columns], {})
            return self._line(self._header, base + header, None, None)
        row = round(self.scroll_y) + y - 1
        if not 0 <= row < self.row_count:
            return Strip.blank(width, base)
        on_cursor = row == self.cursor_row and self.row_count > 0
        return self._line(self._row(row), base, cursor if on_cursor else None,
                          self.cursor_column if self.cursor_type == "cell" else None)

    # -- keys and mouse --------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_right(self) -> None:
        if self.cursor_type == "cell":
            self.move_cursor(column=self.cursor_column + 1)
        else:
            self.scroll_to(self.scroll_x + 4, animate=False)

    def action_cursor_left(self) -> None:
        if self.cursor_type == "cell":
            self.move_cursor(column=self.cursor_column - 1)
        else:
            self.scroll_to(self.scroll_x - 4, animate=False)

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + self._body_height)

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - self._body_height)

    def action_first(self) -> None:
        self.move_cursor(row=0)

    def action_last(self) -> None:
        self.move_cursor(row=self.row_count - 1)

    def action_select_cursor(self) -> None:
        if self.row_count:
            self.post_message(self.Selected(self, self.cursor_row, self.cursor_column))

    def _column_at(self, x: int) -> int:
        fixed = self._offsets[self.fixed_columns]
        if x >= fixed:
            x += round(self.scroll_x)
        return max(0, min(len(self.columns) - 1, bisect_right(self._offsets, x) - 1))

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        row = round(self.scroll_y) + event.y - 1
        if not 0 <= row < self.row_count:
            return
        column = self._column_at(event.x) if self.cursor_type == "cell" else 0
        if (row, column) == (self.cursor_row, self.cursor_column):
            self.action_select_cursor()
        else:
            self.move_cursor(row=row, column=column)
