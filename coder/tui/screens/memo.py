"""Write a memo on the paragraph or on one of this coder's codings in it.

Ctrl+S or the Save button saves; escape (or Cancel) closes without saving, as escape does in
every other dialog of the app. A saved edit can still be undone with u, and emptying a memo
removes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, TextArea
from textual.widgets.option_list import Option


@dataclass
class MemoTarget:
    segment_id: int | None
    label: str
    text: str


class MemoScreen(ModalScreen[dict[int | None, str] | None]):
    """Returns the memos that changed, keyed by segment id (None for the paragraph), or None
    when the dialog was cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "save and close"),
        Binding("escape", "cancel", "close without saving"),
    ]

    def __init__(self, title: str, targets: list[MemoTarget], selected: int = 0) -> None:
        super().__init__()
        self.title_text = title
        self.targets = targets
        self.selected = selected
        self.texts = {t.segment_id: t.text for t in targets}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="memo"):
            yield Label(Text(self.title_text), classes="dialog-title")
            if len(self.targets) > 1:
                yield OptionList(
                    *[Option(Text(("\u270e " if t.text else "  ") + t.label), id=str(i))
                      for i, t in enumerate(self.targets)],
                    id="memo-targets",
                )
            yield TextArea(self.targets[self.selected].text, id="memo-text",
                           soft_wrap=True, show_line_numbers=False)
            with Horizontal(id="memo-buttons"):
                yield Button("Save", variant="primary", id="memo-save", compact=True)
                yield Button("Cancel", id="memo-cancel", compact=True)
            help_text = "ctrl+s or Save saves \u00b7 esc cancels without saving"
            if len(self.targets) > 1:
                help_text += (" \u00b7 shift+tab, then \u2191\u2193 picks what the memo is on;"
                              " just type to write it")
            yield Label(Text(help_text + " \u00b7 emptying a memo removes it"),
                        classes="dialog-help")

    def on_mount(self) -> None:
        if len(self.targets) > 1:
            self.query_one(OptionList).highlighted = self.selected
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @on(OptionList.OptionHighlighted, "#memo-targets")
    def _target(self, event: OptionList.OptionHighlighted) -> None:
        index = int(event.option.id or 0)
        if index == self.selected:
            return
        area = self.query_one(TextArea)
        self.texts[self.targets[self.selected].segment_id] = area.text
        self.selected = index
        area.load_text(self.texts[self.targets[index].segment_id])

    @on(OptionList.OptionSelected, "#memo-targets")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self._write()

    def _write(self) -> TextArea:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)
        return area

    def on_key(self, event: events.Key) -> None:
        """Typing while the list of targets has focus writes the memo of the highlighted one,
        rather than being lost."""
        focused = self.focused
        if (event.is_printable and event.character and focused is not None
                and focused.id == "memo-targets"):
            event.stop()
            event.prevent_default()
            self._write().insert(event.character)

    @on(Button.Pressed, "#memo-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#memo-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        """Dismiss with the memos that changed: an empty dict when none did."""
        self.texts[self.targets[self.selected].segment_id] = self.query_one(TextArea).text
        self.dismiss({t.segment_id: self.texts[t.segment_id] for t in self.targets
                      if self.texts[t.segment_id].strip() != t.text.strip()})

    def action_cancel(self) -> None:
        self.dismiss(None)
