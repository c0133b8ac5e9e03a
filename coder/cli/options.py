"""Options and output helpers shared by every command module."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment

from ..errors import CoderError
from ..store import DEFAULT_DB, Store, file_problem, is_file_problem
from ..text import visible_text
from . import saved_projects

F = TypeVar("F", bound=Callable[..., Any])

class VisibleConsole(Console):
    """A console on which every character a terminal would act on (an escape sequence in a
    transcript's title, a file name, a code or coder name, a name from a .qdpx) is printed as
    its visible stand-in, whatever table or text it sits in: the one choke point for Rich
    output. Style codes are Rich's own and come after this, so colour still works."""

    def render(self, renderable: RenderableType,
               options: ConsoleOptions | None = None) -> Iterator[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or not segment.text:
                yield segment
            else:
                yield Segment(visible_text(segment.text), segment.style, segment.control)


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print one message the same way (the choke point for plain lines): tabs and newlines
    pass, any other control character is shown as a visible mark."""
    click.echo(visible_text(str(message)), err=err, nl=nl)


# Piped into a file or another program, a table is not cut at 80 columns: names in it are what
# the next command takes. $COLUMNS still wins when set.
PIPE_WIDTH = 200
console = VisibleConsole(highlight=False,
                         width=None if sys.stdout.isatty() or "COLUMNS" in os.environ
                         else PIPE_WIDTH)
err_console = VisibleConsole(stderr=True, highlight=False)


def db_option(f: F) -> F:
    return click.option(
        "--db",
        "db",
        envvar="CODER_DB",
        default=DEFAULT_DB,
        show_default=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Project file (also $CODER_DB).",
    )(f)


@contextmanager
def open_project(db: Path, *, must_exist: bool = True, allow_triggers: bool = False
                 ) -> Iterator[Store]:
    """The project for one command; a file that turns out damaged half way through a command
    becomes one sentence naming it, not SQLite's traceback."""
    new = not db.exists()
    store = Store(db, create=not must_exist, allow_triggers=allow_triggers)
    try:
        yield store
    except sqlite3.DatabaseError as exc:
        store.close()
        if not is_file_problem(exc):
            raise
        raise file_problem(exc, db) from None
    except CoderError:
        if new and store.is_empty():
            store.close()
            _discard(db)
        raise
    finally:
        if store.commits:
            saved_projects.append(Path(db))
        store.close()


def _discard(db: Path) -> None:
    """A command that failed on a project file it had just created leaves no file behind:
    bad input changes nothing, not even the folder."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def where_option(f: F) -> F:
    return click.option(
        "--where", "where", multiple=True, metavar="ATTRIBUTE=VALUE",
        help="Only paragraphs whose document or case has this attribute value (repeatable: "
             "values of one attribute are alternatives, different attributes must all hold).",
    )(f)
