"""Jump to a paragraph by its number."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class JumpScreen(ModalScreen[int | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]

    def __init__(self, last: int) -> None:
        super().__init__()
        self.last = last

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small", id="jump"):
            yield Label(Text(f"Go to paragraph (1\u2013{self.last})"), classes="dialog-title")
            # A text field checked on Enter: an integer field drops a typed "." and would
            # turn 3.5 into 35.
            yield Input(placeholder="number", id="jump-number")
            yield Label(Text("", end=""), id="jump-error", classes="dialog-error")
            yield Label(Text("enter go \u00b7 esc cancel"), classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip().lstrip("+")
        if not value:
            self.dismiss(None)
        elif value.isascii() and value.isdigit():
            self.dismiss(int(value))
        else:
            self.query_one("#jump-error", Label).update(
                Text(f"{value!r} is not a paragraph number: a whole number, 1\u2013{self.last}"))

    def action_cancel(self) -> None:
        self.dismiss(None)
