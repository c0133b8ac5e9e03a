"""Commands that bring text and codings in, and show what is there."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from ..errors import CoderError
from ..text import visible_text
from ..vocab import DocumentStatus, ParagraphKind
from .options import console, db_option, echo, open_project


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--name", help="Document name (default: the file name without extension).")
@click.option("--title", help="Title that reports cite the document by (default: the heading "
              "it opens with, or the Word document's title).")
@click.option(
    "--format",
    "format_",
    type=click.Choice(["text", "markdown", "pdf-text", "turns", "vtt", "srt", "docx"]),
    help="Skip format detection.",
)
@click.option(
    "--replace",
    metavar="DOC",
    help="The file is a corrected version of document DOC: codings are carried over and the "
    "old version is kept.",
)
@click.option("--dry-run", is_flag=True, help="With --replace: show what would happen.")
@click.option("--speakers", metavar="NAMES",
              help="Comma-separated labels to take as speakers even when heard once "
              "(a label must otherwise start two paragraphs), e.g. --speakers 'Bob,MS. SMITH'.")
@db_option
def import_(
    paths: tuple[Path, ...], name: str | None, title: str | None, format_: str | None,
    replace: str | None, dry_run: bool, speakers: str | None, db: Path,
) -> None:
    """Import transcripts (text, Markdown, PDF-extracted text, speaker turns, VTT, SRT, docx)."""
    if replace is not None:
        if title is not None:
            raise CoderError("--title does not work with --replace; a corrected version keeps "
                             "the title (change it with coder title DOC TITLE)")
        _replace(paths, replace, format_, dry_run, db, _names(speakers))
        return
    if dry_run:
        raise CoderError("--dry-run works with --replace")
    from ..project import import_files

    failures: list[CoderError] = []
    with open_project(db, must_exist=False) as store:
        outcomes = import_files(store, list(paths), name=name, format=format_, title=title,
                                speakers=_names(speakers), failures=failures)
        if failures and not outcomes:
            _refuse(failures, len(paths))
    for o in outcomes:
        if o.status == "unchanged":
            echo(f"{o.path}: unchanged, already imported as {o.name!r}")
            continue
        echo(f"{o.path}: imported as {o.name!r} ({o.document.format}, "
                 f"{o.document.n_paragraphs} paragraphs)")
        if o.turns:
            echo("  speakers: " + ", ".join(f"{s} ({n})" for s, n in o.turns))
        if o.unconfirmed:
            labels = o.unconfirmed
            echo("  not taken as speakers (heard once): "
                       + ", ".join(f"{label} (¶{n})" for label, n in labels)
                       + "; to take them, import again with --replace "
                       + f"{o.name} --speakers '{','.join(label for label, _ in labels)}'")
        for w in o.warnings:
            echo(f"  warning: {w}")
    if failures:
        _refuse(failures, len(paths))


def _refuse(failures: list[CoderError], n_files: int) -> None:
    """Each file that could not be imported, one line naming it, then a non-zero exit."""
    if n_files == 1:
        raise failures[0]
    for exc in failures:
        echo(f"Error: {exc}", err=True)
    imported = n_files - len(failures)
    raise CoderError(f"{len(failures)} of {n_files} file(s) not imported"
                     + (f"; the other {imported} were" if imported else ""))


def _names(speakers: str | None) -> list[str]:
    return [n.strip() for n in (speakers or "").split(",") if n.strip()]


def _replace(
    paths: tuple[Path, ...], document: str, format_: str | None, dry_run: bool, db: Path,
    speakers: list[str],
) -> None:
    if len(paths) != 1:
        raise CoderError("--replace takes exactly one file: the corrected transcript")
    from ..revisions import reimport_document

    with open_project(db) as store:
        r = reimport_document(store, document, paths[0], format=format_, dry_run=dry_run,
                              speakers=speakers)
    for w in r.warnings:
        echo(f"  warning: {w}")
    if r.status == "unchanged":
        unused = (f" (--speakers {','.join(speakers)} starts no paragraph that is not already "
                  "a speaker's)") if speakers else ""
        echo(f"{paths[0]}: same text and speakers as {r.document!r}; nothing to do{unused}")
        return
    c = r.carry
    verb = "would carry" if dry_run else "carried"
    echo(
        f"{paths[0]}: {'would replace' if dry_run else 'replaced'} the text of {r.document!r} "
        f"({r.paragraphs_before} -> {r.paragraphs_after} paragraphs); {verb} {c.carried} "
        f"coding(s): {c.exact} to identical paragraphs, {c.close} to edited ones, "
        f"{c.reanchored} span(s) re-anchored"
        + (f"; {c.memos} memo(s)" if c.memos else "")
    )
    if c.split:
        echo(f"{c.split} coding(s) of a paragraph now split in two or more went to each "
                   "of its parts")
    if r.old_version:
        echo(f"the old version is kept as {r.old_version!r} with all its codings")
    if c.unplaced:
        echo(
            f"{len(c.unplaced)} coding(s) could not be placed"
            + ("" if dry_run else f" and stay only on {r.old_version!r}") + ":"
        )
        for u in c.unplaced:
            quote = u.quote if len(u.quote) <= 70 else u.quote[:67] + "..."
            echo(f"  paragraph {u.paragraph}, {u.coder}, {u.code}: "
                               f"\"{quote}\" ({u.reason})")
    if r.backup:
        echo(f"backup of the project before the re-import: {r.backup}")


@click.command("documents")
@click.option("--coder", help="Show only this coder's progress.")
@db_option
def documents(coder: str | None, db: Path) -> None:
    """List documents with each coder's status and segment count."""
    with open_project(db) as store:
        docs = store.documents()
        coders = [coder] if coder else store.coders()
        for name in coders:
            store.coder_id(name, create=False)
        statuses = store.statuses()
        per_coder = {c: {s.document.id: s for s in store.document_summaries(c)} for c in coders}
    table = Table(title=f"{len(docs)} document(s) in {db}")
    table.add_column("document", overflow="fold", min_width=12)
    table.add_column("title", max_width=40)
    table.add_column("format")
    table.add_column("paragraphs", justify="right")
    for c in coders:
        table.add_column(f"{c}", justify="right")
    for d in docs:
        cells: list[Text | str] = [Text(d.name), Text(d.title), d.format, str(d.n_paragraphs)]
        for c in coders:
            s = per_coder[c][d.id]
            status = statuses.get((d.id, c), DocumentStatus.NOT_STARTED)
            cells.append(f"{status}, {s.segments} seg, {s.paragraphs_coded}/{d.n_paragraphs}")
        table.add_row(*cells)
    console.print(table)


@click.command("title")
@click.argument("document")
@click.argument("title", required=False)
@db_option
def title_(document: str, title: str | None, db: Path) -> None:
    """Show or set the title that reports cite DOCUMENT by."""
    with open_project(db) as store:
        doc = store.document(document)
        if title is None:
            echo(doc.title)
            return
        before = doc.title
        doc = store.set_document_title(doc.id, title)
    echo(f"{doc.name}: title {before!r} -> {doc.title!r}")


@click.command("show")
@click.argument("document")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of {n, kind, speaker, text}.")
@db_option
def show(document: str, as_json: bool, db: Path) -> None:
    """Print a document's numbered paragraphs exactly as stored."""
    with open_project(db) as store:
        doc = store.document(document)
        paragraphs = store.paragraphs(doc.id)
    if as_json:
        click.echo(  # data for scripts, kept exact; JSON escapes the C0 controls itself
            json.dumps(
                [{"n": p.n, "kind": p.kind, "speaker": p.speaker, "text": p.text}
                 for p in paragraphs],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    width = len(str(len(paragraphs)))
    for p in paragraphs:
        label = f"{p.speaker}: " if p.speaker else ""
        marker = "# " if p.kind == ParagraphKind.HEADING else ""
        # Control characters would restyle the terminal (and click drops them in a pipe);
        # they show as stand-ins here, as in the app, while --json keeps the text exact.
        echo(f"{p.n:>{width}}  {marker}{visible_text(label)}{visible_text(p.text)}")



@click.group("codings")
def codings() -> None:
    """Codings made elsewhere."""


@codings.command("import")
@click.argument("csv_file", type=click.Path(path_type=Path))
@click.option("--done", is_flag=True,
              help="Mark each document in the file done for each coder in it: they read it all"
                   " (without it, agreement counts each coder's reading only up to their last"
                   " coded paragraph).")
@db_option
def codings_import(csv_file: Path, done: bool, db: Path) -> None:
    """Import codings from CSV: document,paragraph,coder,code[,start,end,memo].

    A CSV written by `coder export segments --format csv` imports as it is (its code_key
    column names the code); the code may also be given by its path or its name.
    """
    from ..codings import import_codings_csv

    warnings: list[str] = []
    with open_project(db) as store:
        added, skipped = import_codings_csv(store, csv_file, warnings, done=done)
    for w in warnings:
        echo(f"warning: {w}")
    echo(f"{csv_file}: {added} segment(s) added, {skipped} already there"
               + ("; its documents marked done for its coders" if done else ""))


@click.command("status")
@click.argument("documents", nargs=-1)
@click.option("--coder", required=True, help="Whose progress.")
@click.option("--all", "all_documents", is_flag=True, help="Every document in the project.")
@click.option("--done", "status", flag_value=DocumentStatus.DONE.value,
              help="The coder read the whole document: every paragraph counts in agreement.")
@click.option("--in-progress", "status", flag_value=DocumentStatus.IN_PROGRESS.value,
              help="Part read: paragraphs count up to the furthest reached in the app or coded.")
@click.option("--not-started", "status", flag_value=DocumentStatus.NOT_STARTED.value,
              help="Not started (paragraphs the coder reached or coded still count).")
@db_option
def status(documents: tuple[str, ...], coder: str, all_documents: bool, status: str | None,
           db: Path) -> None:
    """Show or set a coder's progress in DOCUMENTS (or --all): what agreement counts as read."""
    from ..coverage import WHOLE, mark_documents, project_coverage

    if bool(documents) == all_documents:
        raise CoderError("name the document(s), or give --all (not both)")
    with open_project(db) as store:
        docs = store.documents() if all_documents else [store.document(d) for d in documents]
        if status is None:
            coder_id = store.coder_id(coder, create=False)
            read = project_coverage(store, [coder]).reach[coder]
            for d in docs:
                upto = read.get(d.id, 0)
                counted = ("every paragraph counts" if upto is WHOLE else
                           f"read to \u00b6{upto} of {d.n_paragraphs}")
                echo(f"{d.name}: {store.status(coder_id, d.id)}, {counted}")
            return
        changed = mark_documents(store, [(coder, d.id) for d in docs], status)
    echo(f"{coder}: {len(docs)} document(s) {status} ({changed} changed)")
