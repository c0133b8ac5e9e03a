"""A dialog built around one option list: the code picker, search and the document switcher.

Keys meant for the list are bound on the screen, not the list, because in the picker and in
search the focus stays in the text field above it so that typing keeps filtering; for the same
reason Enter in that field chooses the highlighted option.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList

ResultT = TypeVar("ResultT")


class ListDialog(ModalScreen[ResultT]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel"),
        Binding("down", "cursor(1)", "next", show=False),
        Binding("up", "cursor(-1)", "previous", show=False),
    ]

    def choose(self, option_id: str) -> None:
        """Dismiss with what the chosen option stands for: by default, the id it carries."""
        self.dismiss(int(option_id))  # type: ignore[arg-type]

    @on(OptionList.OptionSelected)
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.choose(event.option.id)

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        self.enter_in_field(event.value)

    def enter_in_field(self, value: str) -> None:
        """Enter in the text field chooses the highlighted option."""
        option = self.query_one(OptionList).highlighted_option
        if option is not None and option.id is not None:
            self.choose(option.id)

    def action_cursor(self, step: int) -> None:
        """Move the highlight, stopping at either end rather than wrapping round."""
        options = self.query_one(OptionList)
        if not options.option_count:
            return
        current = options.highlighted if options.highlighted is not None else -1
        options.highlighted = min(max(current + step, 0), options.option_count - 1)

    def action_cancel(self) -> None:
        self.dismiss(None)


class FilterDialog(ListDialog[ResultT]):
    """A title, a text field that filters the list below it as typed, the list, the keys."""

    ids: ClassVar[tuple[str, str]] = ("", "")
    """The dialog's id and the list's (which the style sheet sizes)."""
    placeholder: ClassVar[str] = ""

    def heading(self) -> str:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        dialog, options = self.ids
        with Vertical(classes="dialog", id=dialog):
            yield Label(Text(self.heading()), classes="dialog-title")
            yield Input(placeholder=self.placeholder)
            yield OptionList(id=options)
            yield Label(Text("\u2191\u2193 choose \u00b7 enter move \u00b7 esc cancel"),
                        classes="dialog-help")

    def on_mount(self) -> None:
        self.fill("")
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.fill(event.value)

    def fill(self, typed: str) -> None:
        """Put the options that fit what was typed in the list."""
        raise NotImplementedError
