"""The coding app: one App, a coding screen, and dialogs pushed over it.

The coder comes from `--coder`, else the last coder of this project, else it is asked once and
remembered. The project file is opened once on the main thread; every action commits through
it before the status line reports it. Another program holding the file's write lock never ends
the app: the settings written at start wait for the file, and a new coder's name (the one write
coding cannot start without) is retried on a waiting screen.
"""

from __future__ import annotations

from pathlib import Path

from textual import events

from ..session import IMPATIENT_MS, SAVE_ERRORS, CodingSession
from ..store import Store
from .screens.ask_coder import AskCoderScreen
from .screens.coding import CodingScreen
from .screens.waiting import WaitingScreen
from .typeahead import TypeAheadApp

LAST_CODER = "last_coder"


class CoderApp(TypeAheadApp):
    CSS_PATH = "coder.tcss"
    TITLE = "coder"
    ENABLE_COMMAND_PALETTE = False
    # Unannotated: Textual declares these `ClassVar[...] | None`, which mypy reads as instance
    # variables that a ClassVar here may not override.
    HORIZONTAL_BREAKPOINTS = [(0, "-tiny"), (70, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]

    def __init__(self, db_path: Path | str, coder: str | None = None,
                 document: str | None = None, review: tuple[str, str] | None = None,
                 recheck: str | None = None) -> None:
        """`recheck` opens the recheck screen for that code ("" for every code)."""
        super().__init__()
        self.review = review
        self.recheck = recheck
        self.db_path = Path(db_path)
        self.coder_name = coder.strip() if coder and coder.strip() else None
        self.document_ref = document
        self.store: Store | None = None
        self.session: CodingSession | None = None
        self.latencies: list[tuple[str, float, float]] = []
        self.key_time: float | None = None

    def on_key(self, event: events.Key) -> None:
        """Note when the key was read, so actions can time key-to-saved (see bench/)."""
        self.key_time = event.time

    def on_mount(self) -> None:
        try:
            self.store = Store(self.db_path, busy_timeout_ms=2000, busy_attempts=1)
        except SAVE_ERRORS as exc:
            self.exit(return_code=1, message=str(exc))
            return
        if self.review is not None:
            from .screens.review import ReviewScreen

            self.push_screen(ReviewScreen(self.store, self.review, document=self.document_ref,
                                          consensus=self.coder_name or "consensus"))
            return
        if self.recheck is not None and self.coder_name:
            from .screens.recheck import RecheckScreen

            self.push_screen(RecheckScreen(self.store, self.coder_name, code=self.recheck))
            return
        name = self.coder_name or self.store.get_setting(LAST_CODER)
        if name:
            self.start(name)
        else:
            self.push_screen(AskCoderScreen(self.store.coders()), self._named)

    def _named(self, name: str | None) -> None:
        if not name:
            self.exit()
            return
        self.start(name)

    def start(self, name: str) -> None:
        name = name.strip()
        problem = self._open_session(name)
        if problem is None:
            self._coding()
            return

        def waited(started: bool | None) -> None:
            if started:
                self._coding()
            else:
                self.exit()

        def again() -> str | None:
            assert self.store is not None
            with self.store.impatient(IMPATIENT_MS):
                return self._open_session(name)

        self.push_screen(WaitingScreen(f"start coding as {name}", again, problem), waited)

    def _open_session(self, name: str) -> str | None:
        """None once the session is open, else why not (in words for the waiting screen)."""
        assert self.store is not None
        try:
            self.session = CodingSession(self.store, name)
        except SAVE_ERRORS as exc:
            return str(exc)
        self.session.note(LAST_CODER, name)
        return None

    def _coding(self) -> None:
        assert self.session is not None
        self.push_screen(CodingScreen(self.session, document=self.document_ref))

    def remember_positions(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, CodingScreen):
                screen.remember_position()

    async def action_quit(self) -> None:
        """Quit at once: every action is already saved; only the reading place is noted."""
        self.remember_positions()
        self.exit()

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()
