"""`coder codebook ...`: check a YAML codebook, and load it into a project."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .lazy import Lazy, LazyGroup
from .options import db_option, echo, open_project


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
        echo(str(p), err=True)
    if problems:
        echo(f"{len(problems)} problem(s) in {file}", err=True)
        sys.exit(1)
    echo(f"{file}: ok")


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
    echo(f"{file}: {total} codes in the project ({changes})")
    for kind in ("renamed", "reparented", "merged", "retired"):
        for item in report.get(kind, []):
            echo(f"  {kind}: {item}")
    for item in report.get("changed", []):
        echo(f"  updated: {item}")
