"""`coder merge`: join the codings of a coder who worked in another copy of the project."""

from __future__ import annotations

from pathlib import Path

import click

from ..merge import MergeReport, merge_project
from .options import db_option, echo, open_project


def summary(r: MergeReport, other: Path) -> str:
    """One line saying everything the merge changed, so a second merge visibly changes nothing."""
    verb = "merging would bring from" if r.dry_run else "merged"
    parts = [(f"{verb} {other}: {r.segments_added} segment(s) added, "
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
    if r.reading_marks_raised:
        parts.append(f"{r.reading_marks_raised} reading mark(s) further along")
    if r.exclusive_groups_added:
        parts.append(f"exclusive groups: {', '.join(r.exclusive_groups_added)}")
    if r.codes_added:
        parts.append(f"codes added: {', '.join(r.codes_added)}")
    if r.codes_renamed:
        parts.append(f"codes {other} calls by another key: {', '.join(r.codes_renamed)}")
    if r.codes_unretired:
        parts.append(f"codes un-retired, as codings brought in use them: "
                     f"{', '.join(r.codes_unretired)}")
    if r.automatic_added:
        parts.append(f"{r.automatic_added} automatic coding(s), unconfirmed (left out of "
                     "agreement until confirmed)")
    if r.confirmations:
        parts.append(f"{r.confirmations} automatic coding(s) confirmed there")
    if r.revisions_added:
        parts.append(f"code revisions brought in: {', '.join(r.revisions_added)}")
    if r.memos_added:
        parts.append(f"{r.memos_added} memo(s)")
    if r.memos_updated:
        parts.append(f"{r.memos_updated} memo(s) updated")
    if r.attributes_added or r.cases_added or r.attribute_values_added or r.case_links_added:
        parts.append(f"attributes: {len(r.attributes_added)} declared, "
                     f"{r.attribute_values_added} value(s) set, {len(r.cases_added)} case(s) and "
                     f"{r.case_links_added} case link(s) added")
    if r.attribute_conflicts:
        parts.append(f"{len(r.attribute_conflicts)} attribute value(s) or link(s) differ; "
                     "this project's kept (listed below)")
    if r.overlapping:
        parts.append(f"{len(r.overlapping)} span(s) not brought in, as they overlap a span "
                     "of the same code by the same coder here (listed below)")
    return "; ".join(parts)


def merges_warning(r: MergeReport, other: Path) -> str | None:
    """A code merge is a codebook change, and a merge of codings does not make it here."""
    if not r.merges_not_carried:
        return None
    moves = " ".join(f"--move {m.replace(' -> ', '=')}" for m in r.merges_not_carried)
    return (f"warning: {other} merged code(s) {', '.join(r.merges_not_carried)} (codebook "
            f"--move); that is not carried over, so those codes stay apart here. To do the same "
            f"here: coder codebook use CODEBOOK {moves}")


def what_is_new(r: MergeReport) -> list[str]:
    """The documents and codes the project did not have, each list on a line of its own, so
    that nothing arrives unnoticed in the summary."""
    lines = []
    if r.documents_added:
        lines.append(f"new documents ({len(r.documents_added)}): {', '.join(r.documents_added)}")
    if r.codes_added:
        lines.append(f"new codes ({len(r.codes_added)}): {', '.join(r.codes_added)}")
    return lines


@click.command("merge")
@click.argument("other", type=click.Path(path_type=Path))
@click.option("--coder", "coders", multiple=True, help="Only this coder's work (repeatable).")
@click.option("--dry-run", is_flag=True, help="Show what the merge would do; change nothing.")
@click.option("--allow-new", is_flag=True,
              help="Merge a copy that shares no document with this project (its documents and "
                   "codes are added).")
@db_option
def merge(other: Path, coders: tuple[str, ...], dry_run: bool, allow_new: bool,
          db: Path) -> None:
    """Bring in another project file's codings, removals, memos and done marks (safe to run twice).

    Codings are matched by GUID, documents by their text, codes by GUID then key (a code
    renamed in either copy is the same code). The codebook itself is not merged: codes the
    other copy added are added, a retired code that incoming codings use is un-retired, but a
    code merge done only in the other copy (`codebook use --move`) is not carried over. The
    merge warns about it; run the same `codebook use --move` here.

    A copy that shares no document with this project is refused unless --allow-new; the
    documents and codes a merge adds are listed; --dry-run shows all of it and changes nothing.
    """
    with open_project(db) as store:
        r = merge_project(store, other, coders=list(coders) or None, dry_run=dry_run,
                          allow_new=allow_new)
    echo(summary(r, other))
    for line in what_is_new(r):
        echo(line)
    warning = merges_warning(r, other)
    if warning:
        echo(warning, err=True)
    for line in r.overlapping:
        echo(f"not brought in: {line}", err=True)
    for line in r.attribute_conflicts:
        echo(f"kept this project's: {line}", err=True)
    for line in r.exclusive_breaches:
        echo(f"warning: two sub-codes of one exclusive group, kept (coder agree reports "
                   f"it): {line}", err=True)
    if r.foreign:
        echo(f"ignored in {other}: {', '.join(r.foreign)} (not coder's own; the merge reads "
             "only coder's tables, so nothing is taken from them)", err=True)
    if r.dry_run:
        if r.unrelated and not allow_new:
            echo(f"{other} shares no document with this project: without --allow-new "
                       "the merge is refused")
        echo("dry run: nothing was changed")
    else:
        echo(f"backup of the project before the merge: {r.backup}")
