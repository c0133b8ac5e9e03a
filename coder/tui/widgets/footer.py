"""The key bar at the bottom, rebuilt only when the keys it shows change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    """Textual's Footer rebuilds every key widget on each bindings signal (every focus change,
    every `refresh_bindings`), although the keys shown rarely change: at start-up that was six
    rebuilds of the same nine keys before the first screen settled. This one rebuilds only when
    the shown keys, their labels or whether they are enabled differ from the last rebuild."""

    _shown: tuple[tuple[str, str, str, bool, str], ...] | None = None

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
