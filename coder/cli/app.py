"""Commands that open the coding app."""

from __future__ import annotations

from pathlib import Path

import click
from rich.text import Text

from ..project import demo_project
from .options import console, db_option, open_project


@click.command("demo")
@click.option("--coder", help="Your name as a coder.")
@click.option(
    "--db",
    "db",
    default="coder-demo.db",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Project file for the demo.",
)
@click.option("--no-app", is_flag=True, help="Set up the demo project without opening the app.")
def demo(coder: str | None, db: Path, no_app: bool) -> None:
    """Load the bundled seeds and sample codebook into a project and open it for coding."""
    with open_project(db, must_exist=False) as store:
        outcomes = demo_project(store)
        n_codes = len(store.codes())
    for o in outcomes:
        click.echo(f"{o.name}: {o.status}, {o.document.n_paragraphs} paragraphs ({o.document.format})")
    click.echo(f"{n_codes} codes from the sample codebook; project file {db}")
    if not no_app:
        _run_app(db, coder)


@click.command("code")
@click.argument("document", required=False)
@click.option("--coder", help="Your name as a coder (default: the last one used here).")
@db_option
def code(document: str | None, coder: str | None, db: Path) -> None:
    """Open the coding app."""
    with open_project(db):
        pass
    _run_app(db, coder, document)


def _run_app(db: Path, coder: str | None, document: str | None = None) -> None:
    from ..tui.app import CoderApp

    CoderApp(db_path=db, coder=coder, document=document).run()


COMMANDS = [demo, code]
