"""Every binding of the app, read from the classes that declare them, plus the code keys."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ..display import clean
from ..session import CodingSession

KEY_NAMES = {
    "question_mark": "?", "slash": "/", "colon": ":", "pagedown": "PgDn", "pageup": "PgUp",
    "home": "Home", "end": "End", "down": "\u2193", "up": "\u2191", "left": "\u2190",
    "right": "\u2192", "escape": "Esc", "enter": "Enter", "shift+left": "Shift+\u2190",
    "shift+right": "Shift+\u2192", "shift+up": "Shift+\u2191", "shift+down": "Shift+\u2193",
    "ctrl+r": "Ctrl+R", "ctrl+s": "Ctrl+S", "tab": "Tab",
}

EXTRA = [
    ("Tab", "move between the paragraphs, the document list and the codebook"),
    ("Enter (codebook)", "apply the highlighted code"),
    ("mouse", ("click a paragraph to select it, drag across words to select a span, "
               "wheel to scroll; click a code to read it, double-click to apply it")),
]


def key_label(keys: str) -> str:
    return ", ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


def binding_rows() -> list[tuple[str, list[tuple[str, str]]]]:
    """(section, [(keys, description)]) from the BINDINGS of the coding screen and view."""
    from ..widgets.paragraph_view import ParagraphView
    from .coding import CodingScreen

    def rows(bindings: list[Binding]) -> list[tuple[str, str]]:
        return [(key_label(b.key), b.tooltip or b.description) for b in bindings]

    return [
        ("Reading and coding", rows(CodingScreen.BINDINGS)),
        ("In span mode (after s)", rows(ParagraphView.BINDINGS)),
        ("Also", EXTRA),
    ]


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "close")]

    def __init__(self, session: CodingSession) -> None:
        super().__init__()
        self.session = session
        self.table = self._table()

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide", id="help"):
            yield Label(Text("Keys"), classes="dialog-title")
            yield Static(self.table, id="help-table")
            yield Label(Text("esc, q or ? closes \u00b7 everything is saved as you go; "
                             "quitting never asks"), classes="dialog-help")

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style=Style(bold=True), no_wrap=True)
        table.add_column()
        for section, rows in binding_rows():
            table.add_row(Text(section, style=Style(underline=True)), Text(""))
            for keys, description in rows:
                table.add_row(Text(keys), Text(description))
            table.add_row(Text(""), Text(""))
        table.add_row(Text("Code keys", style=Style(underline=True)),
                      Text("toggle a code on the paragraph, or on the selected span"))
        for code in self.session.codes:
            if code.shortcut:
                table.add_row(Text(code.shortcut), Text(clean(code.path)))
        return table

    def action_close(self) -> None:
        self.dismiss(None)
