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
    parts += [f"{n} restored, as {name} brought them back in {other}"
              for name, n in r.restored.items()]
    parts.append(f"coders {', '.join(r.coders)}")
    parts.append(f"{r.documents_matched} document(s) matched"
                 + (f", {len(r.documents_added)} added ({', '.join(r.documents_added)})"
                    if r.documents_added else ""))
    if r.statuses_set:
        parts.append(f"{r.statuses_set} document status(es) brought in")
    if r.codes_added:
        parts.append(f"codes added: {', '.join(r.codes_added)}")
    if r.codes_renamed:
        parts.append(f"codes {other} calls by another key: {', '.join(r.codes_renamed)}")
    if r.codes_unretired:
        parts.append(f"codes un-retired, as codings brought in use them: "
                     f"{', '.join(r.codes_unretired)}")
    if r.memos_added:
        parts.append(f"{r.memos_added} memo(s)")
    if r.memos_updated:
        parts.append(f"{r.memos_updated} memo(s) updated")
    return "; ".join(parts)


def merges_warning(r: MergeReport, other: Path) -> str | None:
    """A code merge is a codebook change, and a merge of codings does not make it here."""
    if not r.merges_not_carried:
        return None
    moves = " ".join(f"--move {m.replace(' -> ', '=')}" for m in r.merges_not_carried)
    return (f"warning: {other} merged code(s) {', '.join(r.merges_not_carried)} (codebook "
            f"--move); that is not carried over, so those codes stay apart here. To do the same "
            f"here: coder codebook use CODEBOOK {moves}")


@click.command("merge")
@click.argument("other", type=click.Path(path_type=Path))
@click.option("--coder", "coders", multiple=True, help="Only this coder's work (repeatable).")
@db_option
def merge(other: Path, coders: tuple[str, ...], db: Path) -> None:
    """Bring in another project file's codings, removals, memos and done marks (safe to run twice).

    Codings are matched by GUID, documents by their text, codes by GUID then key (a code
    renamed in either copy is the same code). The codebook itself is not merged: codes the
    other copy added are added, a retired code that incoming codings use is un-retired, but a
    code merge done only in the other copy (`codebook use --move`) is not carried over. The
    merge warns about it; run the same `codebook use --move` here.
    """
    with open_project(db) as store:
        r = merge_project(store, other, coders=list(coders) or None)
    click.echo(summary(r, other))
    warning = merges_warning(r, other)
    if warning:
        click.echo(warning, err=True)
    click.echo(f"backup of the project before the merge: {r.backup}")
