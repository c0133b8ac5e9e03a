"""Documents with this coder's progress in each: paragraphs coded out of all, and status."""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...text import ellipsize
from ...vocab import DocumentStatus


@dataclass
class DocumentRow:
    id: int
    name: str
    coded: int
    total: int
    status: str


def document_prompt(row: DocumentRow, current: bool, width: int = 32) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append("\u25b6 " if current else "  ", style=Style(bold=True))
    text.append(ellipsize(row.name, width), style=Style(bold=current))
    text.append(f"\n    {row.coded}/{row.total} \u00b6 coded \u00b7 {row.status}",
                style=Style(dim=row.status != DocumentStatus.DONE))
    return text


class DocumentList(OptionList):
    """Selecting a document (Enter or click) opens it."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[DocumentRow] = []
        self.current: int | None = None

    @property
    def name_width(self) -> int:
        return max(10, self.size.width - 5) if self.size.width else 32

    def show(self, rows: list[DocumentRow], current: int | None) -> None:
        self.rows = rows
        self.current = current
        self.clear_options()
        self.add_options(
            [Option(document_prompt(r, r.id == current, self.name_width), id=str(r.id))
             for r in rows])
        for i, r in enumerate(rows):
            if r.id == current:
                self.highlighted = i

    def update_row(self, row: DocumentRow) -> None:
        for i, r in enumerate(self.rows):
            if r.id == row.id:
                self.rows[i] = row
                self.replace_option_prompt(
                    str(row.id), document_prompt(row, row.id == self.current, self.name_width))
