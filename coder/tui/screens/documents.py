"""Switch document: every document with this coder's progress in it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ..widgets.document_list import DocumentRow, document_prompt
from .list_dialog import ListDialog


class DocumentSwitcher(ListDialog[int | None]):
    """The list has the focus here, so j and k are free to move as they do in the app."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,d", "cancel", "cancel"),
        Binding("j", "cursor(1)", "next", show=False),
        Binding("k", "cursor(-1)", "previous", show=False),
    ]

    def __init__(self, rows: list[DocumentRow], current: int | None) -> None:
        super().__init__()
        self.rows = rows
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="switcher"):
            yield Label(Text("Open a document (\u00b6 coded by you / all, status)"),
                        classes="dialog-title")
            yield OptionList(
                *[Option(document_prompt(r, r.id == self.current, 90), id=str(r.id))
                  for r in self.rows],
                id="switcher-documents",
            )
            yield Label(Text("\u2191\u2193 or j k choose \u00b7 enter open \u00b7 esc cancel"),
                        classes="dialog-help")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        for i, r in enumerate(self.rows):
            if r.id == self.current:
                options.highlighted = i
        options.focus()
