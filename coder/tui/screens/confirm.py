"""Ask a yes/no question before an action whose effect the researcher may not have meant."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label


class ConfirmScreen(ModalScreen[bool]):
    """True only for y: any way out other than y changes nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "yes"),
        Binding("n,escape", "answer(False)", "no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small", id="confirm"):
            yield Label(Text(self.question), id="confirm-question", classes="dialog-title")
            yield Label(Text("y yes \u00b7 n or esc no"), classes="dialog-help")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
