"""Keys typed ahead reach what they were typed for: one at a time, each once the last has settled.

Textual forwards each key to the focused widget's queue as soon as it is read, and runs a
binding only when the key has bubbled back up to the app. Keys that arrive in one burst (over
SSH, `c` then `digital` then Enter) are therefore all forwarded to the coding screen before `c`
has opened the code picker: the filter text is lost, and Enter reaches the picker with its first
code highlighted. Here each key read from the terminal is held until the one before has had all
its effects: every queue of the app and of the screen on top has drained, so a dialog the last
key opened is mounted and focused and one it closed is gone. A burst then means what the same
keys typed slowly mean, for every dialog, with nothing to do in any of them.
"""

from __future__ import annotations

from collections import deque
from time import monotonic

from textual import events
from textual.app import App
from textual.message_pump import MessagePump

MAX_PASSES = 200
"""Give up waiting for quiet after this many rounds (something that never stops posting,
such as an animation), so the keyboard is never held up for good."""
WORKER_POLL = 0.01
MAX_WORKER_WAIT = 5.0
"""A screen's worker (the search) is waited for this long at most before the next key."""


class TypeAheadApp(App[None]):
    """An App that delivers keys read from the terminal in order, each to a settled screen."""

    def __init__(self) -> None:
        super().__init__()
        self._typed: deque[events.Key] = deque()
        self._key_in_flight = False

    @property
    def keys_pending(self) -> bool:
        """Some key read from the terminal has not yet had all its effects."""
        return self._key_in_flight or bool(self._typed)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._typed.append(event)
            if not self._key_in_flight:
                await self._deliver_next()
            return
        await super().on_event(event)

    async def _deliver_next(self) -> None:
        if not self._typed:
            self._key_in_flight = False
            return
        self._key_in_flight = True
        await super().on_event(self._typed.popleft())
        self._settle(1)

    def _pumps(self) -> list[MessagePump]:
        nodes: list[MessagePump] = [self]
        for screen in self.screen_stack:
            nodes.extend(screen.walk_children(with_self=True))
        return nodes

    def _settle(self, passes: int, since: float | None = None) -> None:
        """Let every queue of the app and its screens reach what is in it now, then look."""
        waiting = 0

        def reached() -> None:
            nonlocal waiting
            waiting -= 1
            if waiting == 0:
                self.call_later(self._look, passes, since, False)

        for node in self._pumps():
            if node.call_later(reached):
                waiting += 1
        if waiting == 0:
            self.call_later(self._look, passes, since, True)

    async def _look(self, passes: int, since: float | None, confirmed: bool) -> None:
        """Deliver the next key once nothing is left to do, looked at from the app's own queue
        twice (what was ahead of the first look in it may have posted more, or pushed or
        popped a screen); else let another pass go round."""
        nodes = self._pumps()
        try:
            mounted = self.screen.is_mounted
        except Exception:
            mounted = True
        quiet = mounted and all(n.message_queue_size == 0 for n in nodes if n is not self)
        if not quiet:
            if passes < MAX_PASSES:
                self._settle(passes + 1, since)
                return
        elif self._working(nodes):
            since = monotonic() if since is None else since
            if monotonic() - since < MAX_WORKER_WAIT:
                self.set_timer(WORKER_POLL, lambda: self._settle(passes, since))
                return
        elif not confirmed:
            self.call_later(self._look, passes, since, True)
            return
        await self._deliver_next()

    def _working(self, nodes: list[MessagePump]) -> bool:
        """A worker of a screen is still busy (a search the next key may be meant to act on)."""
        ids = {id(n) for n in nodes}
        return any(id(w.node) in ids and not w.is_finished for w in self.workers)
