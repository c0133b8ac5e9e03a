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
from rich.console import Console

from ..errors import CoderError
from ..store import DEFAULT_DB, Store, is_file_problem

F = TypeVar("F", bound=Callable[..., Any])

# Piped into a file or another program, a table is not cut at 80 columns: names in it are what
# the next command takes. $COLUMNS still wins when set.
PIPE_WIDTH = 200
console = Console(highlight=False,
                  width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else PIPE_WIDTH)
err_console = Console(stderr=True, highlight=False)


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
def open_project(db: Path, *, must_exist: bool = True) -> Iterator[Store]:
    """The project for one command; a file that turns out damaged half way through a command
    becomes one sentence naming it, not SQLite's traceback."""
    new = not db.exists()
    store = Store(db, create=not must_exist)
    try:
        yield store
    except sqlite3.DatabaseError as exc:
        store.close()
        if not is_file_problem(exc):
            raise
        raise CoderError(
            f"the project file cannot be used ({exc}); `coder check` says more, and "
            "`coder backups` lists the copies `coder restore` can bring back", path=db,
        ) from None
    except CoderError:
        if new and store.is_empty():
            store.close()
            _discard(db)
        raise
    finally:
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
