"""The one-line bars: who is coding what (top) and what was just saved (bottom)."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from ...text import clean, ellipsize


class TopBar(Static):
    """Coder, document, position, progress and view mode, always on screen.

    The coder and the blind/others indicator always fit (in short words below 100 columns);
    the document name gives way first.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._state: dict | None = None

    def show(self, *, coder: str, document: str | None, position: str, status: str,
             others: list[str] | None, filter_name: str | None, progress: str = "") -> None:
        self._state = {"coder": coder, "document": document, "position": position,
                       "status": status, "others": others, "filter_name": filter_name,
                       "progress": progress}
        self.update(self._compose_text(**self._state), layout=False)

    def on_resize(self) -> None:
        if self._state is not None:
            self.update(self._compose_text(**self._state), layout=False)

    def _compose_text(self, *, coder: str, document: str | None, position: str, status: str,
                      others: list[str] | None, filter_name: str | None,
                      progress: str = "") -> Text:
        width = self.size.width or 120
        wide = width >= 100
        if others is None:
            mode = Text(" blind: only your codings " if wide else " blind ",
                        style=Style(reverse=True))
        elif others:
            mode = Text(f" {'showing others' if wide else 'others'}: {clean(', '.join(others))} ",
                        style=Style(bold=True, reverse=True))
        else:
            mode = Text(" showing others: none yet " if wide else " others: none ",
                        style=Style(reverse=True))
        who = Text(f" coder: {clean(coder)} ", style=Style(bold=True, reverse=True))
        tail = Text()
        if document is not None:
            tail.append(f"  {position}  {progress + '  ' if progress else ''}{status}")
        if filter_name:
            tail.append(f"  filter: {clean(filter_name)}", style=Style(bold=True))
        room = width - who.cell_len - mode.cell_len - tail.cell_len - 3
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append_text(who)
        text.append(" ")
        if document is None:
            text.append("no document open")
        else:
            text.append(ellipsize(document, max(room, 8)), style=Style(bold=True))
        text.append_text(tail)
        gap = width - text.cell_len - mode.cell_len
        text.append(" " * max(gap, 1))
        text.append_text(mode)
        return text


class StatusLine(Static):
    """Confirms each save; a message appears only once the write has committed."""

    def say(self, message: str, *, ok: bool = True, error: bool = False) -> None:
        """An error is shown whole, over up to three lines (the reason is what the researcher
        needs); other messages keep to one."""
        relayout = error or self.has_class("-error")
        self.set_class(error, "-error")
        text = Text(no_wrap=not error, overflow="ellipsis" if not error else "fold", end="")
        mark = "\u2717 " if error else ("\u2713 " if ok and message.startswith(
            ("saved", "undone", "redone")) else "  ")
        text.append(mark + clean(message))
        self.update(text, layout=relayout)
        self.message = message
