"""Add a code while coding: name, parent, optional shortcut; optionally into the YAML too."""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select

from ...codebook import name_problem
from ...codekeys import RESERVED_KEYS
from ...models import Code
from ...session import CodingSession
from ...text import clean


@dataclass
class AddCodeRequest:
    name: str
    parent_key: str | None
    shortcut: str | None
    apply: bool
    append_to: Path | None
    definition: str = ""


def free_keys(taken: Iterable[str]) -> str:
    """The letters and digits no code and no app key has, for a message that offers them."""
    used = set(taken) | RESERVED_KEYS
    return " ".join(c for c in string.ascii_letters + string.digits if c not in used)


def shortcut_problem(char: str, taken: dict[str, Code]) -> str | None:
    """What is wrong with `char` as a new code's shortcut, naming who has it and what is free."""
    if not char:
        return None
    if len(char) != 1 or not (char.isascii() and char.isalnum()):
        return "a shortcut is one letter or digit"
    if char in RESERVED_KEYS:
        owner = "one of the app's own keys"
    elif char in taken:
        owner = f"already the shortcut of {clean(taken[char].path)}"
    else:
        return None
    return f"{char!r} is {owner}; free: {free_keys(taken)}"


class MarkedCheckbox(Checkbox):
    """Checked shows X, unchecked an empty box: the two differ in shape, not only in colour,
    so they stay apart with NO_COLOR."""

    def __init__(self, label: Text, value: bool, *, id: str) -> None:
        super().__init__(label, value, id=id, compact=True)
        self.BUTTON_INNER = "X" if value else " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "X" if self.value else " "
        super().watch_value()


class AddCodeScreen(ModalScreen[AddCodeRequest | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel"), Binding("ctrl+s", "add", "add")]

    def __init__(self, session: CodingSession, where: str | None,
                 codebook_path: str | None, *, parent_key: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.parent_key = parent_key
        self.where = where
        self.codebook_path = Path(codebook_path) if codebook_path else None
        self.warned: tuple[str, int | None] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="add-code"):
            yield Label(Text("Add a code"), classes="dialog-title")
            yield Input(placeholder="name of the new code", id="add-name")
            yield Select(
                [(Text(clean(c.path)), c.key) for c in self.session.codes],
                prompt="(top level: no parent)", id="add-parent", allow_blank=True,
                value=self.parent_key or Select.NULL,
            )
            yield Input(placeholder="definition (optional): what the code means",
                        id="add-definition")
            yield Input(placeholder="shortcut key (optional: one letter or digit)",
                        max_length=1, id="add-shortcut")
            # Checkboxes without their 3-row border, so that the dialog (help line included)
            # fits a 24-row terminal.
            if self.where:
                yield MarkedCheckbox(Text(f"apply it to {self.where} now"), True, id="add-apply")
            if self.codebook_path is not None:
                yield MarkedCheckbox(
                    Text(f"also add it to the codebook file {self.codebook_path.name}"), False,
                    id="add-append")
            yield Label(Text("", end=""), id="add-error", classes="dialog-error")
            yield Label(Text("enter (in a text field) or ctrl+s add \u00b7 tab next field \u00b7 "
                             "esc cancel"),
                        classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one("#add-name", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def _submit(self) -> None:
        error = self.query_one("#add-error", Label)
        name = self.query_one("#add-name", Input).value.strip()
        if not name:
            error.update(Text("the code needs a name"))
            self.query_one("#add-name", Input).focus()
            return
        problem = name_problem(name)
        if problem:
            error.update(Text(problem))
            self.query_one("#add-name", Input).focus()
            return
        parent = self.query_one("#add-parent", Select).value
        parent_code = next((c for c in self.session.codes if c.key == parent), None)
        parent_id = parent_code.id if parent_code else None
        # The codebook allows one name under two parents (Other under each theme); only
        # siblings would be indistinguishable.
        if any(c.name.casefold() == name.casefold() and c.parent_id == parent_id
               for c in self.session.codes):
            under = f" under {clean(parent_code.path)}" if parent_code else " at the top level"
            error.update(Text(f"there is already a code named {name!r}{under}"))
            return
        shortcut = self.query_one("#add-shortcut", Input).value.strip()
        problem = shortcut_problem(shortcut, self.session.code_by_shortcut)
        if problem:
            error.update(Text(problem))
            self.query_one("#add-shortcut", Input).focus()
            return
        folded = " ".join(name.casefold().split())
        elsewhere = [clean(c.path) for c in self.session.codes
                     if " ".join(c.name.casefold().split()) == folded]
        if elsewhere and self.warned != (folded, parent_id):
            self.warned = (folded, parent_id)
            error.update(Text(f"{', '.join(elsewhere)} has this name too, so the two are told "
                              "apart only by their parents; enter or ctrl+s again adds it anyway"))
            return
        apply = bool(self.query("#add-apply") and self.query_one("#add-apply", Checkbox).value)
        append = bool(self.query("#add-append") and self.query_one("#add-append", Checkbox).value)
        self.dismiss(AddCodeRequest(
            name=name,
            parent_key=parent if isinstance(parent, str) else None,
            shortcut=shortcut or None,
            apply=apply,
            append_to=self.codebook_path if append else None,
            definition=self.query_one("#add-definition", Input).value.strip(),
        ))

    def action_add(self) -> None:
        self._submit()

    def action_cancel(self) -> None:
        self.dismiss(None)
