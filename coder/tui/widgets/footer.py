"""The key bar at the bottom, rebuilt only when the keys it shows change, and fitted to its
width: at 80 columns span mode's keys and the screen's would not all fit."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

SHORT = {"sentence": "sent.", "search": "find", "previous": "prev."}
KEEP = {"help", "quit"}


def _width(keys: list[FooterKey], compact: bool) -> int:
    """Cells the keys take, the last one's trailing space (which may be cut) left out."""
    return sum(cell_len(k.key_display) + cell_len(k.description) + (2 if compact else 3)
               for k in keys) - 1


class SteadyFooter(Footer):
    """Textual's Footer rebuilds every key widget on each bindings signal (every focus change,
    every `refresh_bindings`), although the keys shown rarely change: at start-up that was six
    rebuilds of the same nine keys before the first screen settled. This one rebuilds only when
    the shown keys, their labels or whether they are enabled differ from the last rebuild.

    Keys that would not fit its width are cut, as Textual's footer does, so when they would
    not, it packs them tighter, shortens long words, and then leaves out keys from the right
    (help and quit stay; `?` lists every key)."""

    _shown: tuple[tuple[str, str, str, bool, str], ...] | None = None
    _fitted_to = 0

    def _signature(self) -> tuple[tuple[str, str, str, bool, str], ...]:
        return tuple((binding.key, binding.description, binding.action, enabled, tooltip)
                     for _, binding, enabled, tooltip in self.screen.active_bindings.values()
                     if binding.show)

    def bindings_changed(self, screen: Screen) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = self._signature()
            if shown == self._shown:
                self._bindings_ready = True
                return
            self._shown = shown
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        width = self.size.width
        self._fitted_to = width
        grouped = any(b.group is not None for _, b, _, _ in self.screen.active_bindings.values()
                      if b.show)
        if grouped or not width:
            yield from super().compose()
            return
        keys = [k for k in super().compose() if isinstance(k, FooterKey)]
        compact = _width(keys, compact=False) > width
        if compact:
            for key in keys:
                key.description = SHORT.get(key.description, key.description)
            while _width(keys, compact=True) > width:
                droppable = [k for k in keys if k.action not in KEEP]
                if not droppable:
                    break
                keys.remove(droppable[-1])
        self.compact = compact
        self.styles.grid_size_columns = len(keys)
        yield from keys

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._fitted_to:
            self.call_after_refresh(self.recompose)
