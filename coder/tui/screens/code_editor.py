"""Edit one code: name, definition, use when, not when, example, colour, shortcut, parent.

Only presents the fields and hands back what changed; the checks (the codebook file's own
rules) and the edit itself are `coder.codebook_edit`'s, run by the coding screen, which shows
a refusal here so that nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select

from ...codebook_edit import TOP_LEVEL, CodeChange
from ...models import Code
from ...session import CodingSession
from ...text import clean

# (field, label): the text fields, in the order a codebook file lists them.
FIELDS = (
    ("name", "name"),
    ("definition", "definition"),
    ("when_to_use", "use when"),
    ("when_not_to_use", "not when"),
    ("example", "example"),
    ("color", "colour"),
    ("shortcut", "shortcut"),
)


@dataclass
class EditRequest:
    """What the editor was closed with: a change (`cosmetic` when marked a typo fix), or a
    request to add a child under the code."""

    change: CodeChange | None = None
    cosmetic: bool = False
    add_child: bool = False


def shown(value: str | None) -> str:
    """A field as one line of an Input (a multi-line definition reads joined)."""
    return " ".join((value or "").split())


class CodeEditorScreen(ModalScreen[EditRequest | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel"),
        Binding("ctrl+s", "save", "save"),
        Binding("ctrl+n", "add_child", "add a child"),
    ]

    def __init__(self, session: CodingSession, code: Code) -> None:
        super().__init__()
        self.session = session
        self.code = code
        parent = session.all_codes.get(code.parent_id) if code.parent_id else None
        self.parent_key = parent.key if parent else TOP_LEVEL
        # Called with each request while the editor stays open, so a refusal can be shown
        # here with what was typed; the caller dismisses the editor once the edit is made.
        self.on_request: Callable[[EditRequest], None] | None = None

    def compose(self) -> ComposeResult:
        code = self.code
        below = self.session.tree.descendant_ids(code.id)
        with Vertical(classes="dialog wide", id="code-editor"):
            yield Label(Text(f"Edit {clean(code.path)}  (key {code.key})"), classes="dialog-title")
            with Grid(id="editor-fields"):
                for field, label in FIELDS:
                    yield Label(Text(label))
                    yield Input(shown(getattr(code, field)), id=f"edit-{field}", compact=True,
                                max_length=1 if field == "shortcut" else 0)
                yield Label(Text("parent"))
                yield Select(
                    [(Text("(top level)"), TOP_LEVEL)]
                    + [(Text(clean(c.path)), c.key) for c in self.session.codes
                       if c.id not in below],
                    value=self.parent_key, allow_blank=False, id="edit-parent", compact=True)
            yield Checkbox(Text("a typo fix: the meaning is the same (no new revision)"), False,
                           id="edit-cosmetic", compact=True)
            yield Label(Text("", end=""), id="edit-error", classes="dialog-error")
            yield Label(Text("ctrl+s save \u00b7 ctrl+n add a child \u00b7 tab next field \u00b7 "
                             "esc cancel"), classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one("#edit-name", Input).focus()

    def show_error(self, message: str) -> None:
        self.query_one("#edit-error", Label).update(Text(message))

    def change(self) -> CodeChange:
        """The fields whose shown value was changed, and nothing else: an untouched
        multi-line definition keeps its line breaks."""
        values: dict[str, str] = {}
        for field, _ in FIELDS:
            typed = self.query_one(f"#edit-{field}", Input).value
            if typed.strip() != shown(getattr(self.code, field)):
                values[field] = typed
        parent = self.query_one("#edit-parent", Select).value
        if isinstance(parent, str) and parent != self.parent_key:
            values["parent_key"] = parent
        return CodeChange(**values)

    def _request(self, request: EditRequest) -> None:
        if self.on_request is None:
            self.dismiss(request)
        else:
            self.on_request(request)

    def action_save(self) -> None:
        cosmetic = self.query_one("#edit-cosmetic", Checkbox).value
        self._request(EditRequest(self.change(), cosmetic=cosmetic))

    def action_add_child(self) -> None:
        self._request(EditRequest(add_child=True))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReloadScreen(ModalScreen[bool]):
    """The codebook file changed on disk: take its codes (y) or leave both as they are (n)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "reload"),
        Binding("n,escape", "answer(False)", "keep"),
    ]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="reload-codebook"):
            yield Label(Text("The codebook file changed on disk"), classes="dialog-title")
            yield Label(Text(self.message), classes="dialog-note")
            yield Label(Text("y reload it now (its codes replace the project's) \u00b7 "
                             "n leave it (nothing was changed)"), classes="dialog-help")

    def action_answer(self, reload: bool) -> None:
        self.dismiss(reload)
