"""Commands that take coded work out of the project: segments, reports, stats, REFI-QDA."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..codebook_csv import codebook_csv
from ..codebook_edit import codebook_yaml
from ..errors import CoderError
from ..export import codebook_doc, matrix, refi, refi_import, report, segments, stats
from ..export import memos as memos_export
from ..export.charts import text_bar
from ..export.atomic import atomic_path, check_target, write_atomic
from ..export.render import PAGE_SIZES, page_size_for_locale
from ..export.scope import select
from ..session import consensus_coders
from .options import console, db_option, err_console, open_project, where_option

SEGMENT_FORMATS = ("csv", "jsonl", "md", "html", "docx")
_SUFFIXES = {
    ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".md": "md", ".markdown": "md",
    ".html": "html", ".htm": "html", ".docx": "docx", ".qdpx": "qdpx", ".qdc": "qdc", ".json": "json",
    ".yaml": "yaml", ".yml": "yaml",
}


def _format(given: str | None, out: Path | None, allowed: tuple[str, ...], default: str) -> str:
    """The format asked for, else the one the --out suffix names. A suffix naming another format
    is refused rather than written under a misleading name; so is a name whose format cannot
    be told, unless --format says it."""
    if out is None:
        return given or default
    suffix = out.suffix.lower()
    implied = _SUFFIXES.get(suffix)
    if given:
        if implied and implied != given:
            raise CoderError(f"the name ends in {suffix} but --format is {given}; "
                             f"name it .{given} or leave --format out", path=out)
        return given
    if implied in allowed:
        return implied
    endings = ", ".join(s for s, f in _SUFFIXES.items() if f in allowed)
    said = f"{suffix} is not one of the" if suffix else "no suffix: expected one of the"
    raise CoderError(f"{said} formats this writes ({endings}); rename it or give --format",
                     path=out)


def _guard(out: Path | None, db: Path) -> None:
    if out is not None and out.resolve() == Path(db).resolve():
        raise CoderError("that is the project file itself; choose another output name", path=out)


def _emit(data: bytes) -> None:
    """Bytes to standard output untouched (no newline translation, no re-encoding)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _say(lines: list[Text], to_stdout: bool) -> None:
    target: Console = err_console if to_stdout else console
    for line in lines:
        target.print(line)


def _word_replaced(replaced: int) -> list[Text]:
    if not replaced:
        return []
    return [Text(f"warning: {replaced} control character(s) Word cannot hold were written "
                 "as U+FFFD", style="yellow")]


F = TypeVar("F", bound=Callable[..., Any])


def page_size_option(f: F) -> F:
    return click.option(
        "--page-size", type=click.Choice(PAGE_SIZES),
        help="docx: paper size (default: letter where the locale's country uses it, as en_US "
             "or fr_CA, else a4).")(f)


def _page_size(given: str | None) -> str:
    return given or page_size_for_locale(os.environ)


def _author(coders: Sequence[str]) -> str:
    """Who a Word file says wrote it: the one coder whose work it holds, else the user
    running coder."""
    if len(coders) == 1:
        return coders[0]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _notes(warnings: list[str], missing: list[str], label: str = "not carried") -> list[Text]:
    out = [Text(f"warning: {w}", style="yellow") for w in warnings]
    out += [Text(f"{label}: {m}", style="yellow") for m in missing]
    return out


@click.group("export")
def export() -> None:
    """Export coded segments, write-up reports and REFI-QDA files."""


@export.command("segments")
@click.option("--format", "format_", type=click.Choice(SEGMENT_FORMATS),
              help="csv/jsonl: one row per segment; md/html/docx: the write-up report "
                   "(default: from the --out suffix; csv on standard output).")
@click.option("--code", "codes", multiple=True, metavar="KEY",
              help="Only this code and its sub-codes (key, name or path; repeatable).")
@click.option("--coder", "coders", multiple=True, metavar="NAME", help="Only this coder (repeatable).")
@click.option("--document", metavar="DOC", help="Only this document (name or unambiguous prefix).")
@click.option("--speaker", metavar="NAME",
              help="Only paragraphs by this speaker (case does not matter).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (without it, every format but docx goes to standard output).")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 byte-order mark (for Excel).")
@click.option("--excel-safe", is_flag=True,
              help="CSV: put an apostrophe before cells starting with = + - @ so Excel shows "
                   "them as text, not formulas (the data no longer equals the stored text).")
@click.option("--title", default="Coded segments", show_default=True,
              help="Title of the md/html/docx report.")
@click.option("--group-by", metavar="ATTRIBUTE",
              help="md/html/docx: each code's quotes under each value of ATTRIBUTE; html and "
                   "docx also chart the codes by its values.")
@click.option("--chart-by", metavar="ATTRIBUTE",
              help="html/docx: chart the codes by the values of ATTRIBUTE (without grouping "
                   "the quotes).")
@click.option("--memos", is_flag=True,
              help="md/html/docx: each quote's coding memos beneath it, and its paragraph's "
                   "memos.")
@where_option
@page_size_option
@db_option
def export_segments(format_: str | None, codes: tuple[str, ...], coders: tuple[str, ...],
                    document: str | None, speaker: str | None, out: Path | None, force: bool,
                    bom: bool, excel_safe: bool, title: str, group_by: str | None,
                    chart_by: str | None, memos: bool, where: tuple[str, ...],
                    page_size: str | None, db: Path) -> None:
    """Coded segments as data (csv, jsonl) or as a report of quotes by code (md, html, docx).

    Quotes are the stored text exactly. The report lists codes in codebook order with their
    definition and counts, then each quote cited as (Document, para N, Speaker). The html
    report draws the code frequencies (and, with --group-by or --chart-by, the codes by an
    attribute's values) as inline SVG; docx has them as tables.

    \b
    Excel reads a cell starting with = + - or @ as a formula, so a quote like
    "- and then nothing" shows as #NAME? when the CSV is opened there. R, pandas and
    Excel's Data > From Text/CSV import read it correctly; for double-clicking in Excel
    add --excel-safe (and --bom).
    """
    _guard(out, db)
    fmt = _format(format_, out, SEGMENT_FORMATS, "csv")
    if excel_safe and fmt != "csv":
        raise CoderError(f"--excel-safe is for CSV; {fmt} keeps the text as it is")
    if page_size and fmt != "docx":
        raise CoderError(f"--page-size is for docx; {fmt} has no pages")
    if out is None and fmt == "docx":
        raise CoderError("a .docx report needs --out FILE.docx")
    for given, option in ((group_by, "--group-by"), (chart_by, "--chart-by"),
                          (memos, "--memos")):
        if given and fmt in ("csv", "jsonl"):
            raise CoderError(f"{option} is for the md/html/docx report; {fmt} has a row per "
                             "segment (with its memo)")
    if chart_by and fmt == "md":
        raise CoderError("--chart-by draws a chart in the html or docx report; md has none "
                         "(--group-by groups its quotes)")
    if out is not None:
        check_target(out, force=force)
    with open_project(db) as store:
        scope = select(store, codes=codes, coders=coders, document=document, speaker=speaker,
                       as_records=fmt in ("csv", "jsonl"), where=_where(store, where))
        project = store.path.name
        grouped = charted = None
        if group_by or chart_by:
            from ..attributes import AttributeIndex
            from ..groupings import by_attribute

            index = AttributeIndex.load(store)
            grouped = by_attribute(index, group_by) if group_by else None
            charted = by_attribute(index, chart_by) if chart_by else None
        noted = report.paragraph_memos(store, coders) if memos else None
    lines: list[Text] = []
    if fmt == "csv":
        data = segments.segments_csv(scope, bom=bom, excel_safe=excel_safe)
    elif fmt == "jsonl":
        data = segments.segments_jsonl(scope)
    else:
        built = report.build_report(scope, project=project, title=title, group_by=grouped,
                                    chart_by=charted, memos=memos, paragraph_memos=noted)
        if fmt == "docx":
            assert out is not None
            with atomic_path(out, force=force) as tmp:
                replaced = report.report_docx(built, tmp, author=_author(coders),
                                              page_size=_page_size(page_size))
            lines += _word_replaced(replaced)
            data = None
        elif fmt == "md":
            data = report.report_markdown(built).encode("utf-8")
        else:
            data = report.report_html(built).encode("utf-8")
    _deliver(data, out, force, lines, f"{scope.size} segment(s) written to {out} ({fmt})",
             None if scope.size else "no segments match")


@export.command("memos")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write: .md, .csv, .html or .docx (md or csv go to standard output "
                   "without it).")
@click.option("--format", "format_", type=click.Choice(memos_export.MEMO_FORMATS),
              help="Default: from the --out suffix, else md.")
@click.option("--by", type=click.Choice(memos_export.BY), default="document",
              show_default=True,
              help="A heading per document (reading order) or per code (codebook order, "
                   "paragraph memos last).")
@click.option("--coder", "coders", multiple=True, metavar="NAME",
              help="Only this coder's memos (repeatable).")
@click.option("--title", default="Memos", show_default=True, help="Title of the file.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 byte-order mark (for Excel).")
@page_size_option
@db_option
def export_memos(out: Path | None, format_: str | None, by: str, coders: tuple[str, ...],
                 title: str, force: bool, bom: bool, page_size: str | None, db: Path) -> None:
    """Every paragraph and coding memo, by document or by code, with its context.

    Each memo comes with the document's title, the paragraph number and speaker, the code (for
    a coding memo), the coder, the date, and the words it is about.
    """
    _guard(out, db)
    fmt = _format(format_, out, memos_export.MEMO_FORMATS, "md")
    if out is None and fmt in ("docx", "html"):
        raise CoderError(f"a .{fmt} file of memos needs --out FILE.{fmt}")
    if page_size and fmt != "docx":
        raise CoderError(f"--page-size is for docx; {fmt} has no pages")
    if bom and fmt != "csv":
        raise CoderError(f"--bom is for CSV; {fmt} needs none")
    if out is not None:
        check_target(out, force=force)
    with open_project(db) as store:
        for name in coders:
            store.coder_id(name, create=False)
        built = memos_export.collect_memos(store, by=by, coders=coders or None, title=title)
    lines: list[Text] = []
    data: bytes | None
    if fmt == "docx":
        assert out is not None
        with atomic_path(out, force=force) as tmp:
            replaced = memos_export.memos_docx(built, tmp, author=_author(coders),
                                               page_size=_page_size(page_size))
        lines += _word_replaced(replaced)
        data = None
    elif fmt == "csv":
        data = memos_export.memos_csv(built, bom=bom)
    elif fmt == "html":
        data = memos_export.memos_html(built).encode("utf-8")
    else:
        data = memos_export.memos_markdown(built).encode("utf-8")
    _deliver(data, out, force, lines, f"{built.count} memo(s) by {by} written to {out} ({fmt})",
             None if built.count else "no memos yet")


def _deliver(data: bytes | None, out: Path | None, force: bool, lines: list[Text],
             written: str, nothing: str | None) -> None:
    """`data` to --out or standard output (None: the file is written already), then the
    lines about it: on standard error when the data went to standard output."""
    if data is not None:
        if out is None:
            _emit(data)
        else:
            write_atomic(out, data, force=force)
    if out is not None:
        lines.insert(0, Text(written))
    elif nothing:
        lines.append(Text(nothing, style="yellow"))
    _say(lines, to_stdout=out is None)


@export.command("matrix")
@click.option("--code", "codes", multiple=True, metavar="KEY",
              help="Only this code and its sub-codes (key, name or path; repeatable).")
@click.option("--coder", "coders", multiple=True, metavar="NAME", help="Only this coder (repeatable).")
@click.option("--document", metavar="DOC", help="Only this document (name or unambiguous prefix).")
@click.option("--with-subcodes", is_flag=True,
              help="A parent code's column is 1 where it or any code below it was applied.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV file to write (default: standard output).")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@click.option("--bom", is_flag=True, help="Start with a UTF-8 byte-order mark (for Excel).")
@click.option("--excel-safe", is_flag=True,
              help="Put an apostrophe before names starting with = + - @ so Excel shows them as "
                   "text, not formulas (the names no longer equal the stored ones).")
@where_option
@db_option
def export_matrix(codes: tuple[str, ...], coders: tuple[str, ...], document: str | None,
                  with_subcodes: bool, out: Path | None, force: bool, bom: bool,
                  excel_safe: bool, where: tuple[str, ...], db: Path) -> None:
    """Codes as 0/1 columns, one row per paragraph and coder (CSV, for R, SPSS or pandas).

    A coder's rows cover every paragraph of each document they coded in or marked, so an
    uncoded paragraph is a row of zeros. The kind column tells headings apart. In a project
    with cases or attributes, a `case` column and one column per attribute follow `coder`.
    """
    _guard(out, db)
    if out is not None:
        _format("csv", out, ("csv",), "csv")
        check_target(out, force=force)
    with open_project(db) as store:
        filters = _where(store, where)
        scope = select(store, codes=codes, coders=coders, document=document, as_codings=True,
                       where=filters)
        built = matrix.code_matrix(store, scope, list(coders), with_subcodes=with_subcodes,
                                   where=filters)
    data = matrix.matrix_csv(built, bom=bom, excel_safe=excel_safe)
    if out is None:
        _emit(data)
    else:
        write_atomic(out, data, force=force)
    coders_in = sorted({coder for _, _, coder, _ in built.rows})
    summary = (f"{len(built.rows)} row(s) (paragraph x coder: {', '.join(coders_in) or 'none'})"
               f" x {len(built.codes)} code column(s)")
    _say([Text(summary + (f" written to {out}" if out else ""))], to_stdout=out is None)


@export.command("qdpx")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .qdpx (or .qdc) file to write.")
@click.option("--format", "format_", type=click.Choice(["qdpx", "qdc"]),
              help="qdpx: the whole project; qdc: the codebook only (default: from --out).")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@click.option("--speaker-labels/--no-speaker-labels", default=True, show_default=True,
              help='Write each paragraph that has a speaker as "Name: text" in the source text '
                   "(selections leave the label out); without labels speakers are not carried.")
@db_option
def export_qdpx(out: Path, format_: str | None, force: bool, speaker_labels: bool,
                db: Path) -> None:
    """REFI-QDA exchange file for ATLAS.ti, MAXQDA, NVivo, QualCoder and others.

    The .qdpx holds the documents as plain text, the codes with their GUIDs, every coder as a
    user, and every segment as a selection with character positions; memos travel as notes.
    Speakers are written as "Name: " labels at the start of their paragraphs, as in a typed
    transcript. What REFI-QDA has no place for is listed after the export.
    """
    _guard(out, db)
    fmt = _format(format_, out, ("qdpx", "qdc"), "qdpx")
    check_target(out, force=force)
    with open_project(db) as store:
        if fmt == "qdc":
            r = refi.codebook_qdc(store, out, force=force)
        else:
            r = refi.project_qdpx(store, out, force=force, speaker_labels=speaker_labels)
    _print_refi_export(r, fmt)


def _print_refi_export(r: refi.ExportReport, fmt: str) -> None:
    if fmt == "qdc":
        console.print(Text(f"{r.codes} code(s) written to {r.path} (REFI-QDA codebook)"))
    else:
        shared = (f", and {r.shared_memos} segment memo(s) as the description of "
                  f"{r.descriptions} selection(s)" if r.shared_memos else "")
        console.print(Text(
            f"{r.path}: {r.documents} document(s), {r.codes} code(s), {r.coders} coder(s), "
            f"{r.codings} coding(s) in {r.selections} selection(s), {r.notes} memo note(s)"
            + shared
        ))
        if r.speaker_labels:
            console.print(Text(
                f'speaker labels: {r.speaker_labels} paragraph(s) start with "Name: " in the '
                "source texts; selections, whole paragraphs included, cover the text after the "
                "label"))
    lines = _notes(r.warnings, r.not_carried)
    if r.coder_only:
        lines.append(Text(f"for coder only ({refi.EXTRA_ENTRY} in the archive; other tools "
                          "ignore it): " + "; ".join(r.coder_only)))
    _say(lines, to_stdout=False)


@click.command("stats")
@click.option("--coder", "coders", multiple=True, metavar="NAME", help="Only this coder (repeatable).")
@click.option("--code", "codes", multiple=True, metavar="KEY",
              help="Only this code and its sub-codes (repeatable).")
@click.option("--document", metavar="DOC", help="Only this document.")
@click.option("--out", type=click.Path(path_type=Path),
              help="Also write CSV: a folder (frequencies.csv, coverage.csv, cooccurrence.csv) "
                   "or NAME.csv (NAME-frequencies.csv, ...).")
@click.option("--force", is_flag=True, help="Overwrite existing CSV files.")
@click.option("--bom", is_flag=True, help="Start the CSV files with a UTF-8 byte-order mark.")
@click.option("--by", "by", metavar="ATTRIBUTE",
              help="Per value of this attribute: segments, paragraphs, words and cases per code "
                   "(the consensus by default when there is one; --out NAME.csv or NAME.json).")
@where_option
@db_option
def stats_command(coders: tuple[str, ...], codes: tuple[str, ...], document: str | None,
                  out: Path | None, force: bool, bom: bool, by: str | None,
                  where: tuple[str, ...], db: Path) -> None:
    """Code frequencies, coverage per document and the code co-occurrence matrix.

    A parent code's counts are its own; "with sub-codes" adds the codes below it. Two codes
    co-occur in a paragraph when the same coder applied both there (each paragraph counts
    once); the diagonal counts the paragraphs carrying each code. Coverage is the share of a
    document's paragraphs coded.
    """
    _guard(out, db)
    if by:
        _stats_by(by, coders, codes, document, where, out, force, bom, db)
        return
    if out is not None:
        stats.stats_targets(out, force=force)
    with open_project(db) as store:
        scope = select(store, codes=codes, coders=coders, document=document,
                       where=_where(store, where))
        names = list(coders) if coders else store.coders()
    result = stats.compute_stats(scope, names)
    _print_stats(result)
    if out is not None:
        written = stats.write_stats_csv(result, out, force=force, bom=bom)
        console.print(Text("CSV written: " + ", ".join(str(p) for p in written)))


def _where(store: Any, where: Sequence[str]) -> Any:
    """The `--where` filters, or None when none were given (no attribute read at all)."""
    if not where:
        return None
    from ..attributes import parse_where

    return parse_where(store, where)


def _stats_by(by: str, coders: Sequence[str], codes: Sequence[str], document: str | None,
              where: Sequence[str], out: Path | None, force: bool, bom: bool, db: Path) -> None:
    from . import crosstab as cli_crosstab

    if document:
        raise CoderError("--by compares documents by attribute; use --where to narrow it, "
                         "not --document")
    fmt = "table"
    if out is not None:
        fmt = _format(None, out, ("csv", "json"), "csv")
        check_target(out, force=force)
    tables = cli_crosstab.build(db, by, coders, codes, where, per_coder=False)
    if fmt != "table":
        cli_crosstab.emit(tables, fmt, out, force, bom)
        return
    for t in tables:
        cli_crosstab.print_by_value(t)
    console.print(Text(cli_crosstab.NOTE, style="dim"))


def _bar_cells() -> int:
    """Cells for the most frequent code's bar: fewer in a narrower terminal, and none under
    96 columns, where the code names need the room more than the counts need a picture."""
    return 16 if console.width >= 110 else 8 if console.width >= 96 else 0


def _print_stats(s: stats.Stats) -> None:
    freq = Table(title=f"Code frequencies ({s.segments} segments)")
    freq.add_column("code")
    freq.add_column("segments", justify="right")
    top, width = max((f.segments for f in s.frequencies), default=0), _bar_cells()
    if width:
        freq.add_column("", no_wrap=True)
    for col in ("paragraphs", "documents"):
        freq.add_column(col, justify="right")
    for c in s.coders:
        freq.add_column(Text(c), justify="right")
    parents = any(f.with_subcodes is not None for f in s.frequencies)
    if parents:
        freq.add_column("with sub-codes", justify="right")
    for f in s.frequencies:
        below = [] if not parents else ["" if f.with_subcodes is None else str(f.with_subcodes)]
        bar = [text_bar(f.segments, top, width)] if width else []
        freq.add_row(Text("  " * f.depth + f.code.name), str(f.segments), *bar, str(f.paragraphs),
                     str(f.documents), *[str(f.by_coder[c]) for c in s.coders], *below)
    console.print(freq)

    cov = Table(title="Coverage (paragraphs coded)")
    cov.add_column("document")
    cov.add_column("paragraphs", justify="right")
    cov.add_column("coded", justify="right")
    for c in s.coders:
        cov.add_column(Text(c), justify="right")
    for row in s.coverage:
        cells = [f"{row.by_coder[c]} ({row.by_coder[c] / row.paragraphs:.0%})" if row.paragraphs
                 else "0" for c in s.coders]
        cov.add_row(Text(row.document.name), str(row.paragraphs),
                    f"{row.coded} ({row.share:.0%})", *cells)
    console.print(cov)

    if s.codes:
        console.print(_cooccurrence_table(s))
        console.print(Text(stats.COOCCURRENCE_NOTE, style="dim"))


def _cooccurrence_table(s: stats.Stats) -> Table:
    """The matrix with numbered columns when it fits the terminal, else the pairs that co-occur,
    most frequent first (the full matrix is in the CSV)."""
    n = len(s.codes)
    labels = [f"{i + 1} {c.key}" for i, c in enumerate(s.codes)]
    digits = max(len(str(max(max(row) for row in s.cooccurrence))), len(str(n)))
    if max(map(len, labels)) + 4 + n * (digits + 3) <= console.width:
        table = Table(title="Co-occurrence (paragraphs where one coder applied both codes)")
        table.add_column("code")
        for i in range(n):
            table.add_column(str(i + 1), justify="right")
        for label, counts in zip(labels, s.cooccurrence):
            table.add_row(Text(label), *[str(v) if v else "·" for v in counts])
        return table
    table = Table(title="Co-occurring codes (paragraphs where one coder applied both; "
                        "full matrix with --out)")
    table.add_column("code")
    table.add_column("with code")
    table.add_column("paragraphs", justify="right")
    pairs = [(s.cooccurrence[i][j], i, j) for i in range(n) for j in range(i + 1, n)
             if s.cooccurrence[i][j]]
    for count, i, j in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        table.add_row(Text(s.codes[i].path), Text(s.codes[j].path), str(count))
    if not pairs:
        table.add_row("no two codes share a paragraph", "", "")
    return table


@click.command("export")
@click.option("--format", "format_", type=click.Choice(codebook_doc.CODEBOOK_FORMATS),
              help="md or docx: an appendix with definitions, rules, examples and frequencies; "
                   "qdc: REFI-QDA codebook; csv: Taguette's codebook CSV; yaml: a codebook file "
                   "`coder codebook use` loads, edits kept in the project included (default: "
                   "from --out, else md).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (md goes to standard output without it).")
@click.option("--title", default="Codebook", show_default=True, help="Title of the appendix.")
@click.option("--coder", "coders", multiple=True, metavar="NAME",
              help="Count only this coder's codings (repeatable; default: the review's "
                   "consensus when there is one, else every coder pooled).")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@page_size_option
@db_option
def codebook_export(format_: str | None, out: Path | None, title: str, coders: tuple[str, ...],
                    force: bool, page_size: str | None, db: Path) -> None:
    """The project's codebook as a thesis appendix (md, docx), a REFI-QDA .qdc file, or a
    YAML codebook file (yaml).

    The frequencies count one coder's codings (the consensus by default), since pooling two
    coders and their consensus counts every agreed segment three times.
    """
    _guard(out, db)
    fmt = _format(format_, out, codebook_doc.CODEBOOK_FORMATS, "md")
    if out is None and fmt not in ("md", "yaml"):
        raise CoderError(f"a .{fmt} codebook needs --out FILE.{fmt}")
    if page_size and fmt != "docx":
        raise CoderError(f"--page-size is for docx; {fmt} has no pages")
    if coders and fmt in ("qdc", "yaml"):
        raise CoderError(f"--coder is for the appendix's frequencies; a .{fmt} holds no counts")
    if out is not None:
        check_target(out, force=force)
    with open_project(db) as store:
        if fmt == "qdc":
            assert out is not None
            _print_refi_export(refi.codebook_qdc(store, out, force=force), "qdc")
            return
        if fmt == "yaml":
            text, n = codebook_yaml(store)
            if out is None:
                _emit(text.encode("utf-8"))
                return
            write_atomic(out, text.encode("utf-8"), force=force)
            console.print(Text(f"{n} code(s) written to {out}; `coder codebook check {out}` "
                               "checks it, `coder codebook use` loads it"))
            return
        if fmt == "csv":
            assert out is not None
            codes = store.codes()
            if not codes:
                raise CoderError("the project has no codes; load a codebook with `coder codebook use`")
            write_atomic(out, codebook_csv(codes).encode("utf-8"), force=force)
            console.print(Text(f"{len(codes)} code(s) written to {out} (CSV: tag, description, "
                               "as Taguette reads it, then coder's own columns)"))
            return
        counted, note = _counted_coders(store.coders(), consensus_coders(store), coders)
        entries = codebook_doc.codebook_entries(store, counted)
    if not entries:
        raise CoderError("the project has no codes; load a codebook with `coder codebook use`")
    if fmt == "md":
        data = codebook_doc.codebook_markdown(entries, title=title).encode("utf-8")
        if out is not None:
            write_atomic(out, data, force=force)
    else:
        assert out is not None
        with atomic_path(out, force=force) as tmp:
            replaced = codebook_doc.codebook_docx(
                entries, tmp, title=title, author=_author(counted or ()),
                page_size=_page_size(page_size))
    lines = [Text(note, style="dim")] if note else []
    if out is None:
        _emit(data)
    else:
        lines.insert(0, Text(f"{len(entries)} code(s) written to {out} ({fmt})"))
        if fmt == "docx":
            lines += _word_replaced(replaced)
    _say(lines, to_stdout=out is None)


def _counted_coders(known: list[str], consensus: list[str],
                    given: tuple[str, ...]) -> tuple[list[str] | None, str]:
    """Whose codings the frequencies count, and a line saying so when it was not asked."""
    for name in given:
        if name not in known:
            raise CoderError(f"no coder {name!r} in this project (coders: "
                             f"{', '.join(known) or 'none'})")
    if given:
        return list(given), ""
    if consensus:
        return consensus, (f"frequencies count {', '.join(consensus)} (the review's outcome); "
                           "--coder NAME counts another coder")
    if len(known) > 1:
        return None, (f"frequencies pool coders {', '.join(known)}; --coder NAME counts one")
    return None, ""


@click.group("refi")
def refi_group() -> None:
    """Bring in REFI-QDA files from ATLAS.ti, MAXQDA, NVivo, QualCoder and others."""


@refi_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="For a .qdc: the YAML codebook to write (standard output without it).")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@db_option
def refi_import_command(file: Path, out: Path | None, force: bool, db: Path) -> None:
    """Import a .qdpx project into the project file, or turn a .qdc into a YAML codebook.

    A .qdpx brings its text sources, codes (with their GUIDs), users as coders, codings and
    memos; into an existing project it adds what is new (a backup is taken first). Another
    tool's positions are checked against the text, and what could not be placed is reported.
    """
    kind = file.suffix.lower()
    if kind == ".qdc":
        if out is not None:
            _guard(out, db)
            check_target(out, force=force)
        text, qdc = refi_import.qdc_to_yaml(file)
        data = text.encode("utf-8")
        lines = _notes([], qdc.notes, label="note")
        if out is None:
            _emit(data)
        else:
            write_atomic(out, data, force=force)
            lines.insert(0, Text(f"{qdc.codes} code(s) written to {out}; check it with "
                                 f"`coder codebook check {out}`, load it with `coder codebook use`"))
        _say(lines, to_stdout=out is None)
        return
    if kind != ".qdpx":
        raise CoderError("expected a .qdpx project or a .qdc codebook", path=file)
    if out is not None:
        raise CoderError("--out is for .qdc codebooks; a .qdpx is imported into --db")
    created = not Path(db).exists()
    try:
        with open_project(db, must_exist=False) as store:
            r = refi_import.import_qdpx(store, file)
    except CoderError:
        if created:  # a failed import into a new project leaves no empty project behind
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        raise
    added = ", ".join(r.documents_added) or "none"
    console.print(Text(
        f"{file}: {len(r.documents_added)} document(s) added ({added}), "
        f"{len(r.documents_matched)} matched; {len(r.codes_added)} code(s) added, "
        f"{r.codes_matched} matched{_matched_by(r.codes_matched_by)}; "
        f"coders {', '.join(r.coders) or 'none'}; "
        f"{r.segments_added} segment(s) added, {r.segments_skipped} already there; "
        f"{r.memos_added} paragraph memo(s)" + _cases_summary(r)
    ))
    lines = [Text(f"positions: {p}", style="yellow") for p in r.positions]
    lines += _notes(r.warnings, r.not_imported, label="not imported")
    if r.backup:
        lines.append(Text(f"backup of the project before the import: {r.backup}", style="dim"))
    _say(lines, to_stdout=False)


def _cases_summary(r: refi_import.ImportReport) -> str:
    """Attributes, cases and exclusive groups, said (as `coder merge` says them) only when the
    file brought any."""
    parts = []
    if r.attributes_added or r.cases_added or r.values_added or r.case_links_added:
        parts.append(f"attributes: {len(r.attributes_added)} declared "
                     f"({', '.join(r.attributes_added) or 'none'}), {r.values_added} value(s) "
                     f"set, {len(r.cases_added)} case(s) and {r.case_links_added} case link(s) "
                     "added")
    if r.exclusive_groups_added:
        parts.append(f"exclusive groups: {', '.join(r.exclusive_groups_added)}")
    return "".join(f"; {p}" for p in parts)


def _matched_by(counts: dict[str, int]) -> str:
    return (" (" + ", ".join(f"{n} by {how}" for how, n in counts.items()) + ")") if counts else ""

