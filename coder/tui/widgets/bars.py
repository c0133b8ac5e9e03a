"""The one-line bars: who is coding what (top) and what was just saved (bottom)."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from ..display import clean


class TopBar(Static):
    """Coder, document, position and view mode, always on screen."""

    def show(self, *, coder: str, document: str | None, position: str, status: str,
             others: list[str] | None, filter_name: str | None) -> None:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(f" coder: {clean(coder)} ", style=Style(bold=True, reverse=True))
        text.append(" ")
        if document is None:
            text.append("no document open")
        else:
            text.append(clean(document), style=Style(bold=True))
            text.append(f"  {position}  {status}")
        if filter_name:
            text.append(f"  filter: {clean(filter_name)}", style=Style(bold=True))
        text.append("  ")
        if others is None:
            text.append(" blind: only your codings ", style=Style(reverse=True))
        elif others:
            text.append(f" showing others: {clean(', '.join(others))} ",
                        style=Style(bold=True, reverse=True))
        else:
            text.append(" showing others: none yet ", style=Style(reverse=True))
        self.update(text)


class StatusLine(Static):
    """Confirms each save; a message appears only once the write has committed."""

    def say(self, message: str, *, ok: bool = True, error: bool = False) -> None:
        self.set_class(error, "-error")
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        mark = "\u2717 " if error else ("\u2713 " if ok and message.startswith(
            ("saved", "undone", "redone")) else "  ")
        text.append(mark + clean(message))
        self.update(text)
        self.message = message
