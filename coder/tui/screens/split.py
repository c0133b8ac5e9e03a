"""Where the marked quotes of a code go when it is split: one of its children, picked from a
list filtered as typed, or a new child named by what was typed.

Only chooses; the name is checked (the codebook file's rules) and the split made by
`coder.codebook_edit.split_code`, run by the coding screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from ...models import Code
from ...text import clean
from .list_dialog import FilterDialog

NEW = "\x00new"


@dataclass(frozen=True)
class SplitTarget:
    """An existing child (`into`, its key) or a new one (`new_name`)."""

    into: str | None = None
    new_name: str | None = None


class SplitDialog(FilterDialog[SplitTarget | None]):
    ids = ("split-code", "split-children")
    placeholder = "type to filter its sub-codes, or a new sub-code's name"

    def __init__(self, code: Code, children: list[Code], count: int) -> None:
        super().__init__()
        self.code = code
        self.subcodes = children
        self.count = count

    def heading(self) -> str:
        return (f"Split {clean(self.code.path)}: move {self.count} marked quote(s) to which "
                "sub-code?")

    def fill(self, typed: str) -> None:
        """The children whose name holds every typed word; first, unless one is named
        exactly so, the new child the typed name would make."""
        name = " ".join(typed.split())
        words = name.casefold().split()
        found = [c for c in self.subcodes if all(w in c.name.casefold() for w in words)]
        options = self.query_one(OptionList)
        options.clear_options()
        if name and not any(c.name.casefold() == name.casefold() for c in found):
            options.add_option(Option(Text(f"+ new sub-code \u201c{name}\u201d"), id=NEW))
        options.add_options([Option(Text(clean(c.name)), id=c.key) for c in found])
        if options.option_count:
            options.highlighted = 0

    def choose(self, option_id: str) -> None:
        if option_id == NEW:
            self.dismiss(SplitTarget(new_name=" ".join(self.query_one(Input).value.split())))
        else:
            self.dismiss(SplitTarget(into=option_id))
