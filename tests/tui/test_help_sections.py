"""The help screen lists every full screen's keys, each screen in a section of its own, read
from the bindings themselves; the recheck screen's help starts with its own keys."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

from rich.console import Console
from test_recheck import SIZE, sharpened
from textual.screen import ModalScreen, Screen

import coder.tui.screens as screens_package
from coder.tui.app import CoderApp
from coder.tui.screens.help import RECHECK_SECTION, REVIEW_SECTION, HelpScreen, _rows
from coder.tui.screens.recheck import RecheckScreen


def full_screens() -> list[type[Screen]]:
    """Every full (not modal) screen the app opens that declares keys of its own (a base
    class such as TableScreen lends its keys to the screens built on it)."""
    found = []
    for info in pkgutil.iter_modules(screens_package.__path__):
        module = importlib.import_module(f"{screens_package.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (issubclass(cls, Screen) and not issubclass(cls, ModalScreen)
                    and cls.__module__ == module.__name__ and "BINDINGS" in vars(cls)
                    and any(b for b in cls.BINDINGS)):
                found.append(cls)
    return [cls for cls in found if not any(o is not cls and issubclass(o, cls) for o in found)]


def rendered(screen: HelpScreen) -> str:
    console = Console(width=200, record=True)
    console.print(screen.content)
    return console.export_text()


async def test_every_full_screen_has_its_keys_in_a_section_of_their_own(project: Path) -> None:
    classes = {cls.__name__ for cls in full_screens()}
    assert {"CodingScreen", "CodeViewScreen", "MatrixScreen", "MemoViewScreen",
            "RecheckScreen", "ReviewScreen"} <= classes
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        sections = help_screen._sections()
        for cls in full_screens():
            rows = _rows(cls.BINDINGS)
            assert [title for title, shown in sections if shown == rows], cls.__name__
        titles = [title for title, _ in sections]
        assert len(titles) == len(set(titles))
        text = rendered(help_screen)
        assert text.index(RECHECK_SECTION) < text.index(REVIEW_SECTION)
        recheck = text.split(RECHECK_SECTION)[1].split(REVIEW_SECTION)[0]
        for binding in RecheckScreen.BINDINGS:
            assert binding.tooltip and binding.tooltip in recheck
        quotes = text.split("Quotes of a code (after r)")[1].split("Matrix (after x)")[0]
        assert any(line.split()[:2] == ["Space", "mark"] for line in quotes.splitlines())
        assert "split the code" in quotes
        assert "Ctrl+N" in text.split("Editing a code (after e)")[1]


async def test_help_on_the_recheck_screen_shows_its_keys_first(project: Path) -> None:
    sharpened(project)
    app = CoderApp(db_path=project, coder="alice", recheck="stigma")
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, RecheckScreen)
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert [title for title, _ in help_screen._sections()] == [RECHECK_SECTION,
                                                                   REVIEW_SECTION]
        assert "keep: the coding fits the new meaning" in rendered(help_screen)
        await pilot.press("escape")
        assert isinstance(app.screen, RecheckScreen)
