"""`coder merge`: join the codings of a coder who worked in another copy of the project."""

from __future__ import annotations

from pathlib import Path

import click

from ..merge import MergeReport, merge_project
from .options import db_option, open_project


def summary(r: MergeReport, other: Path) -> str:
    """One line saying everything the merge changed, so a second merge visibly changes nothing."""
    parts = [(f"merged {other}: {r.segments_added} segment(s) added, "
              f"{r.segments_skipped} already here")]
    parts += [f"{n} removed, as {name} removed them in {other}" for name, n in r.removed.items()]
    parts.append(f"coders {', '.join(r.coders)}")
    parts.append(f"{r.documents_matched} document(s) matched"
                 + (f", {len(r.documents_added)} added ({', '.join(r.documents_added)})"
                    if r.documents_added else ""))
    if r.statuses_set:
        parts.append(f"{r.statuses_set} document status(es) brought in")
    if r.codes_added:
        parts.append(f"codes added: {', '.join(r.codes_added)}")
    if r.memos_added:
        parts.append(f"{r.memos_added} memo(s)")
    if r.memos_updated:
        parts.append(f"{r.memos_updated} memo(s) updated")
    return "; ".join(parts)


@click.command("merge")
@click.argument("other", type=click.Path(path_type=Path))
@click.option("--coder", "coders", multiple=True, help="Only this coder's work (repeatable).")
@db_option
def merge(other: Path, coders: tuple[str, ...], db: Path) -> None:
    """Bring in another project file's codings, removals, memos and done marks (safe to run twice)."""
    with open_project(db) as store:
        r = merge_project(store, other, coders=list(coders) or None)
    click.echo(summary(r, other))
    click.echo(f"backup of the project before the merge: {r.backup}")


COMMANDS = [merge]
