"""`coder merge`: join the codings of a coder who worked in another copy of the project."""

from __future__ import annotations

from pathlib import Path

import click
from rich.text import Text

from ..merge import merge_project
from .options import console, db_option, open_project


@click.command("merge")
@click.argument("other", type=click.Path(path_type=Path))
@click.option("--coder", "coders", multiple=True, help="Only this coder's codings (repeatable).")
@db_option
def merge(other: Path, coders: tuple[str, ...], db: Path) -> None:
    """Bring in the codings of another project file (safe to run twice)."""
    with open_project(db) as store:
        r = merge_project(store, other, coders=list(coders) or None)
    click.echo(
        f"merged {other}: {r.segments_added} segment(s) added, {r.segments_skipped} already here; "
        f"coders {', '.join(r.coders)}; {r.documents_matched} document(s) matched"
        + (f", {len(r.documents_added)} added ({', '.join(r.documents_added)})"
           if r.documents_added else "")
        + (f"; codes added: {', '.join(r.codes_added)}" if r.codes_added else "")
        + (f"; {r.memos_added} memo(s)" if r.memos_added else "")
    )
    click.echo(f"backup of the project before the merge: {r.backup}")


COMMANDS = [merge]
