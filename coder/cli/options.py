"""Options and output helpers shared by every command module."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from ..store import DEFAULT_DB, Store

F = TypeVar("F", bound=Callable[..., Any])

console = Console(highlight=False)
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


def open_project(db: Path, *, must_exist: bool = True) -> Store:
    return Store(db, create=not must_exist)
