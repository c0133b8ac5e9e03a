"""Choose one group to look within: a document, a case, or an attribute's value."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ...groupings import Grouping
from ...retrieval import Within
from ...text import clean
from .list_dialog import ListDialog


class WithinPicker(ListDialog["Within | None"]):
    def __init__(self, choices: list[Grouping]) -> None:
        super().__init__()
        self.options = [Within(g, label) for g in choices for label in g.labels]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="within"):
            yield Label(Text("Show only the quotes in"), classes="dialog-title")
            yield OptionList(*[Option(Text(clean(w.describe())), id=str(i))
                               for i, w in enumerate(self.options)], id="within-options")
            yield Label(Text("\u2191\u2193 choose \u00b7 enter show \u00b7 esc cancel"),
                        classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def choose(self, option_id: str) -> None:
        self.dismiss(self.options[int(option_id)])
