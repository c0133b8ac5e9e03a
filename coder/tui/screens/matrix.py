"""Codes by documents, cases or an attribute's values: each cell the number of segments of the
code (with its sub-codes) there, behind a shade `· ░ ▒ ▓ █` that reads without colour. Enter on
a cell lists its quotes (the code view, filtered to that column)."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType

from ...code_matrix import CodeMatrix, code_matrix
from ...groupings import Grouping, groupings
from ...retrieval import Within
from ...store import Store
from ...text import clean, ellipsize
from ..widgets.line_table import LazyRow
from .table_screen import Jump, TableScreen

CODE_WIDTH = 28
LABEL_WIDTH = 16


class MatrixScreen(TableScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "quotes",
                tooltip="the quotes behind the cell (the code view, filtered to its column)"),
        Binding("b", "by", "by",
                tooltip="codes by documents, then by cases, then by each attribute"),
        Binding("h", "cursor_column(-1)", "left", show=False, tooltip="previous column"),
        Binding("l", "cursor_column(1)", "right", show=False, tooltip="next column"),
        *TableScreen.BINDINGS,
    ]

    cursor_type = "cell"
    fixed_columns = 1

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.groupings: list[Grouping] = groupings(store)
        self.which = 0
        self.matrix: CodeMatrix | None = None
        self.coded: list[tuple[int, int, str | None, int]] | None = None

    def fill(self) -> None:
        grouping = self.groupings[self.which]
        if self.coded is None:
            self.coded = self.store.coding_counts()
        matrix = self.matrix = code_matrix(self.store, grouping, coded=self.coded)
        labels = [ellipsize(label, LABEL_WIDTH) for label in matrix.columns]
        names = [("  " * depth + ellipsize(code.name, CODE_WIDTH - 2 * depth), code.id)
                 for code, depth in matrix.rows]
        totals = [str(matrix.total(code_id)) for _, code_id in names]
        widths = [max([4, *(len(name) for name, _ in names)]),
                  *(max([len(short), *(len(matrix.cell(code_id, label)) for _, code_id in names)])
                    for short, label in zip(labels, matrix.columns, strict=True)),
                  max([5, *(len(t) for t in totals)])]
        dim, plain = Style(dim=True), Style()
        last = len(labels) + 1

        def make_row(i: int) -> LazyRow:
            name, code_id = names[i]

            def cell(c: int) -> Text:
                if c == 0:
                    return Text(name)
                if c == last:
                    return Text(totals[i], justify="right")
                label = matrix.columns[c - 1]
                return Text(matrix.cell(code_id, label), justify="right",
                            style=dim if matrix.count(code_id, label) == 0 else plain)

            return LazyRow(last + 1, cell)

        self.load_rows(["code", *labels, "total"], widths, make_row, len(names),
                       column=1 if matrix.columns else 0)
        by = " ".join(
            (f"[{g.name}]" if i == self.which else g.name) for i, g in enumerate(self.groupings))
        self.title_line(f"Codes by {grouping.name} \u00b7 b: {by} \u00b7 segments, each code "
                        "with its sub-codes, every coder")
        self.say(f"\u00b7 none, \u2591\u2592\u2593\u2588 up to {matrix.top} \u00b7 enter "
                 "quotes \u00b7 b columns \u00b7 esc back")

    def _at(self, row: int, column: int) -> tuple[int, str | None] | None:
        matrix = self.matrix
        if matrix is None or not 0 <= row < len(matrix.rows):
            return None
        code = matrix.rows[row][0]
        label = matrix.columns[column - 1] if 1 <= column <= len(matrix.columns) else None
        return code.id, label

    def highlighted(self, row: int) -> None:
        matrix = self.matrix
        at = self._at(row, self.table.cursor_column)
        if matrix is None or at is None:
            return
        code_id, label = at
        code = matrix.rows[row][0]
        text = Text(clean(code.path), style=Style(bold=True))
        if label is None:
            text.append(f": {matrix.total(code_id)} segment(s) in all")
        else:
            text.append(f" in {matrix.grouping.name} {clean(label)}: "
                        f"{matrix.count(code_id, label)} segment(s) (enter lists them)")
        self.show_detail(text)

    def chosen(self, row: int, column: int) -> None:
        from .code_view import CodeViewScreen

        at = self._at(row, column)
        if at is None or self.matrix is None:
            return
        code_id, label = at
        within = Within(self.matrix.grouping, label) if label is not None else None

        def done(jump: Jump | None) -> None:
            if jump is not None:
                self.dismiss(jump)

        self.app.push_screen(CodeViewScreen(self.store, code_id, within=within), done)

    def action_open(self) -> None:
        self.chosen(self.table.cursor_row, self.table.cursor_column)

    def action_by(self) -> None:
        self.which = (self.which + 1) % len(self.groupings)
        self.fill()

    def action_cursor_column(self, step: int) -> None:
        self.table.move_cursor(column=self.table.cursor_column + step)
