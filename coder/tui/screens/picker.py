"""Type to filter the codebook by name, path or definition; Enter applies the highlighted code."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ...models import Code
from ...session import CodingSession
from ...text import ellipsize
from ..widgets.chips import swatch
from .list_dialog import ListDialog


def _prompt(code: Code, count: int, applied: bool) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append("\u2713 " if applied else "  ", style=Style(bold=True))
    text.append_text(swatch(code))
    text.append(f" {code.shortcut or ' '} ", style=Style(bold=True))
    text.append(ellipsize(code.path, 56))
    if count:
        text.append(f"  {count}", style=Style(dim=True))
    if code.definition:
        text.append(f"\n      {ellipsize(' '.join(code.definition.split()), 62)}",
                    style=Style(dim=True))
    return text


def matches(code: Code, query: str) -> bool:
    """Every word of the query appears in the code's path, key or definition."""
    haystack = f"{code.path} {code.key} {code.definition} {code.when_to_use}".lower()
    return all(word in haystack for word in query.lower().split())


class CodePicker(ListDialog[int | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "cursor(10)", show=False),
        Binding("pageup", "cursor(-10)", show=False),
    ]

    def __init__(self, session: CodingSession, title: str, *,
                 applied: set[int] | None = None) -> None:
        super().__init__()
        self.session = session
        self.title_text = title
        self.applied = applied or set()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="picker"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Input(placeholder="type to filter codes by name or definition",
                        id="picker-filter")
            yield OptionList(id="picker-codes")
            yield Label(Text("\u2191\u2193 choose \u00b7 enter apply \u00b7 esc cancel"),
                        classes="dialog-help")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        found = [c for c in self.session.codes if matches(c, query)]
        options.add_options([
            Option(_prompt(c, self.session.counts.get(c.id, 0), c.id in self.applied),
                   id=str(c.id))
            for c in found
        ])
        if found:
            options.highlighted = 0

    @on(Input.Changed, "#picker-filter")
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)
