"""Ask the coder's name once; it is then remembered in the project."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ...text import clean, coder_name_problem
from ...vocab import DEFAULT_CONSENSUS


class AskCoderScreen(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "quit")]

    def __init__(self, known: list[str]) -> None:
        super().__init__()
        self.known = [k for k in known if k != DEFAULT_CONSENSUS]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small", id="ask-coder"):
            yield Label(Text("Your name as a coder"), classes="dialog-title")
            yield Label(Text("Your codings are kept under this name; other coders' stay "
                             "hidden unless you ask to see them."), classes="dialog-note")
            yield Input(placeholder="name", id="coder-name")
            if self.known:
                yield Label(Text("or continue as:"), classes="dialog-note")
                yield OptionList(*[Option(Text(clean(n)), id=n) for n in self.known],
                                 id="known-coders")
            yield Label(Text("", end=""), id="ask-error", classes="dialog-error")
            yield Label(Text("enter continue \u00b7 esc quit"), classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            self.query_one("#ask-error", Label).update(Text("a coder needs a name"))
            return
        problem = None if name in self.known else coder_name_problem(name)
        if problem:
            self.query_one("#ask-error", Label).update(Text(problem))
            return
        # Imported here: it brings the importers and YAML, which starting the app does not need.
        from ...session import coder_name_clash, reserved_coder_name

        reserved = reserved_coder_name(name)
        if reserved is not None:
            self.query_one("#ask-error", Label).update(Text(reserved))
            return
        same = coder_name_clash(name, self.known)
        if same is not None:
            self.query_one("#ask-error", Label).update(Text(
                f"there is a coder {same!r} already: choose them below, or a clearly "
                "different name (a new name would not see their codings)"))
            return
        self.dismiss(name)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
