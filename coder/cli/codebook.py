"""`coder codebook ...`: check a YAML codebook, and load it into a project."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.text import Text

from ..codebook import check_codebook
from ..project import use_codebook
from .options import console, db_option, open_project


@click.group("codebook")
def codebook() -> None:
    """Check and load YAML codebooks."""


@codebook.command("check")
@click.argument("file", type=click.Path(path_type=Path))
def check(file: Path) -> None:
    """Report every problem in a codebook as FILE:LINE:COLUMN: message (exit 1 if any)."""
    problems = check_codebook(file)
    for p in problems:
        click.echo(str(p), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {file}", err=True)
        sys.exit(1)
    click.echo(f"{file}: ok")


@codebook.command("use")
@click.argument("file", type=click.Path(path_type=Path))
@db_option
def use(file: Path, db: Path) -> None:
    """Load a codebook into the project (codes matched by their stable key)."""
    with open_project(db, must_exist=False) as store:
        report = use_codebook(store, file)
        total = len(store.codes())
    changes = ", ".join(f"{len(v)} {k}" for k, v in report.items() if v) or "no changes"
    console.print(Text(f"{file}: {total} codes in the project ({changes})"))


COMMANDS = [codebook]
