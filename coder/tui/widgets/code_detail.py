"""A code's definition, when to use it, when not to, and an example, kept beside the text."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...models import Code
from ...text import clean
from .chips import chip

_FIELDS = (
    ("definition", ""),
    ("when_to_use", "Use when: "),
    ("when_not_to_use", "Not when: "),
    ("example", "Example: "),
)


def describe(code: Code | None) -> Text:
    if code is None:
        return Text("Move over a code, or apply one, to see its definition.",
                    style=Style(dim=True))
    text = Text()
    text.append_text(chip(code))
    if code.shortcut:
        text.append(f"  key {code.shortcut}", style=Style(bold=True))
    if "/" in code.path:
        text.append("\n" + clean(code.path), style=Style(dim=True))
    for attr, label in _FIELDS:
        value = " ".join(getattr(code, attr).split())
        if not value:
            continue
        text.append("\n")
        if label:
            text.append(label, style=Style(bold=True))
        text.append(clean(value), style=Style(italic=attr == "example"))
    if not any(getattr(code, attr).strip() for attr, _ in _FIELDS):
        text.append("\n(no definition in the codebook)", style=Style(dim=True))
    return text


class CodeDetail(VerticalScroll):
    """Scrolls, and takes the focus (tab), so a long definition can be read to its example
    in a short panel; its title names the code whole, however narrow the codebook tree."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.code_id: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(describe(None), classes="detail-body")

    def show(self, code: Code | None) -> None:
        if code is not None and code.id == self.code_id:
            return
        self.code_id = code.id if code else None
        self.border_title = Text(code.path) if code is not None else None
        self.query_one(".detail-body", Static).update(describe(code))
        self.scroll_home(animate=False)

    def render_text(self) -> str:
        """The definition as shown, for tests and screen readers' copies."""
        return str(self.query_one(".detail-body", Static).render())
