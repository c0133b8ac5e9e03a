"""Shown while the project file refuses a write the app cannot start without.

Adding a new coder's name is the one write the coding screen needs before it can open; if
another program holds the file, the app says so and tries again each second instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

RETRY_SECONDS = 1.0


class WaitingScreen(ModalScreen[bool]):
    """Calls `attempt` until it returns None (done), showing each failure; dismisses with True
    then, or with False if the researcher quits first."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q,escape", "give_up", "quit")]

    def __init__(self, what: str, attempt: Callable[[], str | None], first_problem: str) -> None:
        super().__init__()
        self.what = what
        self.attempt = attempt
        self.problem = first_problem
        self.tries = 1

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="waiting"):
            yield Label(Text(f"Waiting to {self.what}"), classes="dialog-title")
            yield Label(Text(""), id="waiting-problem", classes="dialog-note")
            yield Label(Text("Nothing is lost: coding starts as soon as the file is free. "
                             "q quits."), classes="dialog-help")

    def on_mount(self) -> None:
        self._show()
        self.set_interval(RETRY_SECONDS, self._retry)

    def _show(self) -> None:
        self.query_one("#waiting-problem", Label).update(Text(
            f"{self.problem}\n(tried {self.tries} time{'s' if self.tries > 1 else ''}; "
            f"trying again every {RETRY_SECONDS:g} s)"))

    def _retry(self) -> None:
        problem = self.attempt()
        if problem is None:
            self.dismiss(True)
            return
        self.problem = problem
        self.tries += 1
        self._show()

    def action_give_up(self) -> None:
        self.dismiss(False)
