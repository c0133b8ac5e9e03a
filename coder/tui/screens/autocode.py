"""The preview shown before every hit of a search is coded: how many, with which code, and
the first hits, so nothing is coded at once that the researcher has not seen."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ...autocode import Hit
from ...text import clean, ellipsize

SHOWN = 50


class AutocodePreview(ModalScreen[bool]):
    """Returns True when the researcher confirms coding the hits."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,y", "answer(True)", "code them"),
        Binding("escape,n,q", "answer(False)", "cancel"),
    ]

    def __init__(self, hits: list[Hit], code_name: str, rule: str) -> None:
        super().__init__()
        self.hits = hits
        self.code_name = code_name
        self.rule = rule

    def compose(self) -> ComposeResult:
        n = len(self.hits)
        paragraphs = len({h.paragraph_id for h in self.hits})
        with Vertical(classes="dialog wide", id="autocode"):
            yield Label(Text(f"Code {n} hit{'s' if n != 1 else ''} in {paragraphs} "
                             f"paragraph{'s' if paragraphs != 1 else ''} with "
                             f"{clean(self.code_name)}?"), classes="dialog-title")
            with VerticalScroll(id="autocode-hits"):
                yield Static(self._listing(), id="autocode-list")
            yield Label(Text(f"{clean(self.rule)} \u00b7 marked automatic until confirmed "
                             "(ctrl+y) \u00b7 enter code them \u00b7 esc cancel \u00b7 "
                             "u undoes all at once"), classes="dialog-help")

    def _listing(self) -> Text:
        text = Text(end="")
        for h in self.hits[:SHOWN]:
            if text.plain:
                text.append("\n")
            text.append(f"{clean(h.document)} \u00b6{h.n}", style=Style(bold=True))
            if h.speaker:
                text.append(f" {clean(h.speaker)}", style=Style(dim=True))
            text.append("  " + ellipsize(clean(h.quote), 80))
        if len(self.hits) > SHOWN:
            text.append(f"\n\u2026 and {len(self.hits) - SHOWN} more", style=Style(dim=True))
        return text

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
