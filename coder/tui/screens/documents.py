"""Switch document: every document with this coder's progress in it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ..widgets.document_list import DocumentRow, document_prompt
from .list_dialog import ListDialog

HELP = ("\u2191\u2193 j k choose \u00b7 g G ends \u00b7 type to filter \u00b7 enter open \u00b7 "
        "esc cancel")

LIST_KEYS = "jkgGd"


class DocumentSwitcher(ListDialog[int | None]):
    """The list has the focus, so j, k, g and G move as they do in the app; any other letter
    starts the filter field above it (and typing goes on there), for projects with many
    documents."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel"),
        Binding("d", "cancel", "cancel", show=False),
        Binding("j", "cursor(1)", "next", show=False),
        Binding("k", "cursor(-1)", "previous", show=False),
        Binding("g,home", "end(0)", "first", show=False),
        Binding("G,end", "end(-1)", "last", show=False),
    ]

    def __init__(self, rows: list[DocumentRow], current: int | None) -> None:
        super().__init__()
        self.rows = rows
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="switcher"):
            yield Label(Text("Open a document (\u00b6 coded by you / all, status)"),
                        classes="dialog-title")
            yield Input(placeholder="type to filter by name", id="switcher-filter",
                        select_on_focus=False, compact=True)
            yield OptionList(id="switcher-documents")
            yield Label(Text(HELP), id="switcher-help", classes="dialog-help")

    def on_mount(self) -> None:
        self._show("")
        self.query_one(OptionList).focus()

    def _show(self, query: str) -> None:
        wanted = query.strip().casefold()
        rows = [r for r in self.rows if wanted in r.name.casefold()]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(document_prompt(r, r.id == self.current, 90), id=str(r.id))
                             for r in rows])
        ids = [r.id for r in rows]
        if rows:
            options.highlighted = ids.index(self.current) if self.current in ids else 0
        if wanted:
            found = f"{len(rows)} of {len(self.rows)} documents" if rows else "no document"
            self.query_one("#switcher-help", Label).update(
                Text(f"{found} \u00b7 \u2191\u2193 choose \u00b7 enter open \u00b7 esc cancel"))
        else:
            self.query_one("#switcher-help", Label).update(Text(HELP))

    @on(Input.Changed, "#switcher-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    def on_key(self, event: events.Key) -> None:
        """A printable key the list does not use starts the filter with that character."""
        field = self.query_one("#switcher-filter", Input)
        if (field.has_focus or not event.is_printable or event.character is None
                or event.character in LIST_KEYS):
            return
        event.stop()
        event.prevent_default()
        field.focus()
        field.insert_text_at_cursor(event.character)

    def action_end(self, which: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = 0 if which == 0 else options.option_count - 1
