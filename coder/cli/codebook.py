"""`coder codebook ...`: check a YAML codebook, and load it into a project."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .lazy import Lazy, LazyGroup
from .options import db_option, open_project


@click.group("codebook", cls=LazyGroup, lazy={
    "export": Lazy(".export:codebook_export", "The project's codebook as a thesis appendix "
                   "(md, docx) or a REFI-QDA .qdc file."),
})
def codebook() -> None:
    """Check and load YAML codebooks."""


@codebook.command("check")
@click.argument("file", type=click.Path(path_type=Path))
def check(file: Path) -> None:
    """Report every problem in a codebook as FILE:LINE:COLUMN: message (exit 1 if any)."""
    from ..codebook import check_codebook

    problems = check_codebook(file)
    for p in problems:
        click.echo(str(p), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {file}", err=True)
        sys.exit(1)
    click.echo(f"{file}: ok")


@codebook.command("use")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--move",
    "moves",
    multiple=True,
    metavar="OLD=TARGET",
    help="Merge a code the codebook no longer has into TARGET: its segments move there "
    "(repeatable).",
)
@db_option
def use(file: Path, moves: tuple[str, ...], db: Path) -> None:
    """Load a codebook into the project (codes matched by their stable key)."""
    from ..project import use_codebook
    from ..revisions import parse_moves

    with open_project(db, must_exist=False) as store:
        report = use_codebook(store, file, moves=parse_moves(moves))
        total = len(store.codes())
    changes = ", ".join(f"{len(v)} {k}" for k, v in report.items()
                        if v and k != "changed") or "no changes"
    click.echo(f"{file}: {total} codes in the project ({changes})")
    for kind in ("renamed", "reparented", "merged", "retired"):
        for item in report.get(kind, []):
            click.echo(f"  {kind}: {item}")
    for item in report.get("changed", []):
        click.echo(f"  updated: {item}")


@codebook.command("write-back")
@click.argument("state", type=click.Choice(["on", "off"]), required=False)
@db_option
def write_back(state: str | None, db: Path) -> None:
    """Whether codebook edits made in the app are written to the YAML file (on, the default)
    or kept in the project only (off; `coder codebook export` writes them out)."""
    from ..codebook_edit import KEEP_IN_PROJECT, WRITE_BACK, WRITE_TO_FILE, writes_to

    with open_project(db) as store:
        if state is not None:
            store.set_setting(WRITE_BACK, WRITE_TO_FILE if state == "on" else KEEP_IN_PROJECT)
        path = writes_to(store)
    click.echo(f"codebook edits are written to {path}" if path
               else "codebook edits are kept in the project")
