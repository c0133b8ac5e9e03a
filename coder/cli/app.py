"""Commands that open the coding app."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import CoderError
from .options import db_option, echo, open_project

if TYPE_CHECKING:
    from ..store import Store

DEMO_DB = "coder-demo.db"


@click.command("demo")
@click.option("--coder", help="Your name as a coder.")
@click.option(
    "--db",
    "db",
    default=DEMO_DB,
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Project file for the demo. $CODER_DB is deliberately not read here, so the demo "
         "never loads its seeds and sample codebook into your own project.",
)
@click.option("--no-app", is_flag=True, help="Set up the demo project without opening the app.")
def demo(coder: str | None, db: Path, no_app: bool) -> None:
    """Load the bundled seeds and sample codebook into a project and open it for coding.

    The sample codebook is copied beside the project file (coder-demo.yaml beside
    coder-demo.db) and used from there, so codes added while coding go into that copy.
    """
    from ..project import demo_codebook_path, demo_project

    with open_project(db, must_exist=False) as store:
        outcomes = demo_project(store)
        n_codes = len(store.codes())
    for o in outcomes:
        echo(f"{o.name}: {o.status}, {o.document.n_paragraphs} paragraphs ({o.document.format})")
    echo(f"{n_codes} codes from the sample codebook ({demo_codebook_path(db)}); "
               f"project file {db}")
    echo(f"open it again with: coder code --db {db}")
    if not no_app:
        if coder is not None:
            with open_project(db) as store:
                _check_coder_name(coder, store)
        _run_app(db, coder)


@click.command("code")
@click.argument("document", required=False)
@click.option("--coder", help="Your name as a coder (default: the last one used here).")
@db_option
def code(document: str | None, coder: str | None, db: Path) -> None:
    """Open the coding app."""
    demo_db = Path(DEMO_DB)
    if not db.exists() and demo_db.exists() and db.resolve() != demo_db.resolve():
        raise CoderError(
            f"no project file here; to open the demo project: `coder code --db {DEMO_DB}`; "
            "to start your own: `coder import FILE`",
            path=db,
        )
    with open_project(db) as store:
        if coder is not None:
            _check_coder_name(coder, store)
        if document is not None:
            store.document(document)
    _run_app(db, coder, document)


def _check_coder_name(name: str, store: Store) -> None:
    from ..session import coder_name_clash, consensus_coders, reserved_coder_name
    from ..text import coder_name_problem

    if not name.strip():
        raise CoderError("--coder needs a name")
    reserved = reserved_coder_name(name, consensus_coders(store))
    if reserved is not None:
        raise CoderError(f"--coder: {reserved}")
    known = store.coders()
    problem = None if name.strip() in known else coder_name_problem(name)
    if problem:
        raise CoderError(f"--coder: {problem}")
    same = coder_name_clash(name, known)
    if same is not None:
        raise CoderError(
            f"there is a coder {same!r} in this project already; names are case-sensitive, so "
            f"{name.strip()!r} would be a new coder who sees none of {same!r}'s codings. Use "
            f"--coder {same!r}, or a clearly different name")


def _run_app(db: Path, coder: str | None, document: str | None = None) -> None:
    from ..tui.app import CoderApp

    CoderApp(db_path=db, coder=coder, document=document).run()
