"""The reference for the app's first screen: the smallest Textual app, started as `coder` is.

`python bench/bare_app.py` shows one Static and a Footer and waits for `q`; bench/startup.py
times it from process start until its text shows in a terminal, exactly as it times `coder code`.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static

MARKER = "bare Textual app ready"


class BareApp(App[None]):
    BINDINGS: ClassVar = [("q", "quit", "quit")]

    def compose(self) -> ComposeResult:
        yield Static(MARKER)
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
