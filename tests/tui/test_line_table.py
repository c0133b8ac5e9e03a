"""The line table behind the code view, the matrix and the memo view: it makes only the rows
it draws, keeps the fixed columns put when the others scroll sideways, and moves its cursor
by keys in bursts."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from coder.tui.widgets.line_table import Column, LineTable


class TableApp(App[None]):
    def __init__(self, rows: int, columns: int, cursor_type: str = "row") -> None:
        super().__init__()
        self.n_rows, self.n_columns, self.cursor_type = rows, columns, cursor_type
        self.made: list[int] = []
        self.events: list[tuple[str, int, int]] = []

    def compose(self) -> ComposeResult:
        yield LineTable(cursor_type=self.cursor_type, fixed_columns=1)

    def make_row(self, i: int) -> list[Text]:
        self.made.append(i)
        return [Text(f"r{i}"), *(Text(f"{i}.{c}", justify="right")
                                 for c in range(1, self.n_columns))]

    def on_mount(self) -> None:
        table = self.query_one(LineTable)
        table.focus()
        columns = [Column(Text("name"), 8), *(Column(Text(f"col{c}"), 8)
                                              for c in range(1, self.n_columns))]
        table.show(columns, self.n_rows, self.make_row)

    def on_line_table_highlighted(self, event: LineTable.Highlighted) -> None:
        self.events.append(("highlighted", event.row, event.column))

    def on_line_table_selected(self, event: LineTable.Selected) -> None:
        self.events.append(("selected", event.row, event.column))


async def test_only_the_rows_on_screen_are_made() -> None:
    app = TableApp(100_000, 3)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        assert set(app.made) == set(range(11))
        app.made.clear()
        await pilot.press("end")
        await pilot.pause()
        assert set(app.made) == set(range(100_000 - 11, 100_000))
        table = app.query_one(LineTable)
        assert table.render_line(11).text.split()[0] == "r99999"
        assert table.render_line(0).text.split()[:3] == ["name", "col1", "col2"]


async def test_a_burst_of_keys_moves_the_cursor_and_enter_selects() -> None:
    app = TableApp(50, 3)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.press(*["down"] * 20, "up", "pagedown", "enter")
        table = app.query_one(LineTable)
        assert table.cursor_row == 19 + 11
        assert app.events[-1] == ("selected", 30, 0)
        assert ("highlighted", 30, 0) in app.events
        top = table.render_line(1).text.split()[0]
        assert int(top[1:]) <= 30 < int(top[1:]) + 11


async def test_columns_scroll_sideways_behind_the_fixed_first() -> None:
    app = TableApp(5, 40, cursor_type="cell")
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.press(*["right"] * 30)
        table = app.query_one(LineTable)
        assert table.cursor_column == 30
        header = table.render_line(0).text.split()
        assert header[0] == "name" and "col30" in header and "col1" not in header
        assert table.render_line(1).text.split()[0] == "r0"
        assert table.get_cell_at((0, 30)).plain == "0.30"
        await pilot.press("enter")
        assert app.events[-1] == ("selected", 0, 30)
