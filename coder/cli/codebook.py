"""`coder codebook ...`: check a YAML codebook, and load it into a project."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .lazy import Lazy, LazyGroup
from .options import db_option, echo, open_project


@click.group("codebook", cls=LazyGroup, lazy={
    "export": Lazy(".export:codebook_export", "The project's codebook as a thesis appendix "
                   "(md, docx), a REFI-QDA .qdc file, or a YAML codebook file (yaml)."),
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
@click.option("--cosmetic", "cosmetic", multiple=True, metavar="KEY",
              help="The wording of KEY was tidied, its meaning kept: no new revision, so its "
              "codings are not sent to `coder recheck` (repeatable).")
@click.option("--by", "author", metavar="NAME",
              help="Who changed the codebook, kept with each new revision of a code.")
@db_option
def use(file: Path, moves: tuple[str, ...], cosmetic: tuple[str, ...], author: str | None,
        db: Path) -> None:
    """Load a codebook into the project (codes matched by their stable key).

    A code whose definition, "use when" or "not when" changed gets a new revision; the
    codings made under the old one wait in `coder recheck`.
    """
    from ..project import use_codebook
    from ..revisions import parse_moves

    with open_project(db, must_exist=False) as store:
        report = use_codebook(store, file, moves=parse_moves(moves), cosmetic=cosmetic,
                              author=author)
        total = len(store.codes())
    changes = ", ".join(f"{len(v)} {k}" for k, v in report.items()
                        if v and k != "changed") or "no changes"
    echo(f"{file}: {total} codes in the project ({changes})")
    for kind in ("renamed", "reparented", "merged", "retired", "revised"):
        for item in report.get(kind, []):
            echo(f"  {kind}: {item}")
    for item in report.get("changed", []):
        echo(f"  updated: {item}")


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
    echo(f"codebook edits are written to {path}" if path
               else "codebook edits are kept in the project (`coder codebook export --format "
                     "yaml --out FILE` writes them to a codebook file)")
