"""Every binding of the app, read from the classes that declare them, plus the code keys.

Each screen's keys are a section of their own (tests/tui check that every full screen is
here). The review and recheck screens' keys are listed too: a coder who will reconcile or
recheck later learns them here, and those screens' own help shows them first.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ...session import CodingSession
from ...text import clean

KEY_NAMES = {
    "question_mark": "?", "slash": "/", "colon": ":", "pagedown": "PgDn", "pageup": "PgUp",
    "home": "Home", "end": "End", "down": "\u2193", "up": "\u2191", "left": "\u2190",
    "right": "\u2192", "escape": "Esc", "enter": "Enter", "shift+left": "Shift+\u2190",
    "shift+right": "Shift+\u2192", "shift+up": "Shift+\u2191", "shift+down": "Shift+\u2193",
    "ctrl+r": "Ctrl+R", "ctrl+s": "Ctrl+S", "ctrl+g": "Ctrl+G", "tab": "Tab", "space": "Space",
    "plus": "+", "equals_sign": "=", "f3": "F3", "ctrl+y": "Ctrl+Y", "ctrl+o": "Ctrl+O",
}

EXTRA = [
    ("Tab", "move between the paragraphs, the document list and the codebook"),
    ("Enter (codebook)", "apply the highlighted code"),
    ("mouse", ("click a paragraph to select it, drag across words to select a span, "
               "wheel to scroll; click a code to read it, double-click to apply it")),
]


REVIEW_SECTION = "Reviewing disagreements (coder review A B)"
RECHECK_SECTION = "Rechecking codings under an older definition (coder recheck)"


def key_label(keys: str) -> str:
    return ", ".join(_key_name(k.strip()) for k in keys.split(","))


def _key_name(key: str) -> str:
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    if key.startswith("ctrl+"):
        return "Ctrl+" + KEY_NAMES.get(key[5:], key[5:].upper())
    return key


def _rows(bindings: list[BindingType]) -> list[tuple[str, str]]:
    return [(key_label(b.key), b.tooltip or b.description)
            for b in bindings if isinstance(b, Binding)]


def binding_rows() -> list[tuple[str, list[tuple[str, str]]]]:
    """(section, [(keys, description)]) from the BINDINGS of the coding screen, its view and
    the screens and dialogs it opens."""
    from ..widgets.paragraph_view import ParagraphView
    from .code_editor import CodeEditorScreen
    from .code_view import CodeViewScreen
    from .coding import CodingScreen
    from .documents import DocumentSwitcher
    from .matrix import MatrixScreen
    from .memo_view import MemoViewScreen
    from .search import SearchScreen

    return [
        ("Reading and coding", _rows(CodingScreen.BINDINGS)),
        ("In span mode (after s)", _rows(ParagraphView.BINDINGS)),
        ("Search (after /)", _rows(SearchScreen.BINDINGS)),
        ("Documents (after d)", _rows(DocumentSwitcher.BINDINGS)),
        ("Editing a code (after e)", _rows(CodeEditorScreen.BINDINGS)),
        ("Quotes of a code (after r)", _rows(CodeViewScreen.BINDINGS)),
        ("Matrix (after x)", _rows(MatrixScreen.BINDINGS)),
        ("Memos (after ctrl+e)", _rows(MemoViewScreen.BINDINGS)),
        ("Also", EXTRA),
    ]


def review_rows() -> list[tuple[str, str]]:
    """The review screen's keys, so that a coder can read them before starting a review."""
    from .review import ReviewScreen

    return _rows(ReviewScreen.BINDINGS)


def recheck_rows() -> list[tuple[str, str]]:
    """The recheck screen's keys."""
    from .recheck import RecheckScreen

    return _rows(RecheckScreen.BINDINGS)


class HelpScreen(ModalScreen[None]):
    """The coding keys (with this session's code keys), or with no session the review keys
    (after the recheck keys, when asked for from the recheck screen)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "close")]

    def __init__(self, session: CodingSession | None, *, recheck: bool = False) -> None:
        super().__init__()
        self.session = session
        self.recheck = recheck
        self.content = self._content()

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide", id="help"):
            yield Label(Text("Keys"), classes="dialog-title")
            yield Static(self.content, id="help-table")
            yield Label(Text("esc, q or ? closes \u00b7 everything is saved as you go; "
                             "quitting never asks"), classes="dialog-help")

    def _sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        review = (REVIEW_SECTION, review_rows())
        recheck = (RECHECK_SECTION, recheck_rows())
        if self.session is None:
            return [recheck, review] if self.recheck else [review]
        code_keys = [("", "toggle a code on the paragraph, or on the selected span")]
        code_keys += [(code.shortcut, clean(code.path))
                      for code in self.session.codes if code.shortcut]
        return [*binding_rows(), ("Code keys", code_keys), recheck, review]

    def _content(self) -> Group:
        """One grid per section under its own heading, so a long heading never widens the
        key column; the key column has one width throughout, so the sections line up."""
        sections = self._sections()
        width = max(cell_len(keys) for _, rows in sections for keys, _ in rows)
        parts: list[RenderableType] = []
        for section, rows in sections:
            parts.append(Text(section, style=Style(underline=True)))
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style=Style(bold=True), no_wrap=True, width=width)
            grid.add_column()
            for keys, description in rows:
                grid.add_row(Text(keys), Text(description))
            parts.extend([grid, Text("")])
        return Group(*parts[:-1])

    def action_close(self) -> None:
        self.dismiss(None)
