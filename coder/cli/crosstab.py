"""`coder crosstab`, and the tables `coder stats --by` prints: codes across an attribute's values."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from ..export import crosstab as ct
from .options import console, db_option, open_project, where_option

FORMATS = ("table", "csv", "json")


def _cell_text(cell: ct.Cell, group: ct.Group, measure: str) -> str:
    if measure == "case_share":
        share = cell.case_share(group)
        return "n/a" if share is None else f"{share:.0%}"
    value = getattr(cell, measure)
    return str(value) if value else "·"


def build(db: Path, attribute: str, coders: Sequence[str], codes: Sequence[str],
          where: Sequence[str], per_coder: bool) -> list[ct.Crosstab]:
    """The crosstabs the options ask for: pooled over the coders, or one per coder."""
    from ..attributes import AttributeIndex, parse_where

    with open_project(db) as store:
        index = AttributeIndex.load(store)
        chosen = ct.default_coders(store, coders)
        filters = parse_where(store, where, index)
        sets = [[c] for c in chosen] if per_coder else [chosen]
        return [ct.crosstab(store, attribute, s, codes=codes, where=filters, index=index)
                for s in sets]


def emit(tables: list[ct.Crosstab], fmt: str, out: Path | None, force: bool, bom: bool) -> None:
    from ..export.atomic import write_atomic

    data = (ct.crosstab_csv(tables, bom=bom) if fmt == "csv"
            else (ct.crosstab_json(tables) + "\n").encode("utf-8"))
    if out is None:
        click.echo(data.decode("utf-8").removeprefix("\ufeff"), nl=False)
    else:
        write_atomic(out, data, force=force)
        click.echo(f"{sum(len(t.rows()) for t in tables)} row(s) written to {out} ({fmt})",
                   err=True)


def _title(t: ct.Crosstab, what: str) -> str:
    where = f"; where {t.where}" if t.where else ""
    return f"{what} by {t.attribute.name} — {', '.join(t.coders) or 'no coder'}{where}"


def print_matrix(t: ct.Crosstab, measure: str) -> None:
    table = Table(title=_title(t, measure.replace("_", " ")))
    table.add_column("code")
    for g in t.groups:
        table.add_column(Text(f"{g.value}\n{g.documents} doc · {g.cases} case"), justify="right")
    for code, depth in t.codes:
        table.add_row(Text("  " * depth + code.name),
                      *[_cell_text(t.cell(code.key, g.value), g, measure) for g in t.groups])
    console.print(table)


def print_by_value(t: ct.Crosstab) -> None:
    for g in t.groups:
        table = Table(title=Text(
            f"{t.attribute.name} = {g.value}: {g.documents} document(s), {g.cases} case(s), "
            f"{g.paragraphs} paragraph(s) — {', '.join(t.coders)}"
            + (f"; where {t.where}" if t.where else "")))
        table.add_column("code")
        for col in ("segments", "paragraphs", "words", "cases", "share of cases"):
            table.add_column(col, justify="right")
        for code, depth in t.codes:
            cell = t.cell(code.key, g.value)
            table.add_row(Text("  " * depth + code.name), str(cell.segments), str(cell.paragraphs),
                          str(cell.words), str(cell.cases), _cell_text(cell, g, "case_share"))
        console.print(table)


NOTE = ("Each paragraph counts under its document's value, or its case's (speaker's case, else "
        "the document's); words are counted once per coded stretch. Share of cases: cases with "
        "the code / cases with this value (n/a where no case has it).")


@click.command("crosstab")
@click.argument("attribute")
@click.option("--coder", "coders", multiple=True, metavar="NAME",
              help="Count this coder (repeatable; default: consensus when there is one, else all).")
@click.option("--per-coder", is_flag=True, help="One table per coder instead of pooling them.")
@click.option("--code", "codes", multiple=True, metavar="KEY",
              help="Only this code and its sub-codes (repeatable).")
@where_option
@click.option("--measure", type=click.Choice(ct.MEASURES), default="segments",
              show_default=True, help="What each cell of the table shows.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write CSV or JSON to this file.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 byte-order mark (for Excel).")
@db_option
def crosstab_command(attribute: str, coders: tuple[str, ...], per_coder: bool,
                     codes: tuple[str, ...], where: tuple[str, ...], measure: str, fmt: str,
                     out: Path | None, force: bool, bom: bool, db: Path) -> None:
    """Codes by the values of ATTRIBUTE: segments, paragraphs and words coded, and the cases
    with each code (count and share), per value.

    CSV and JSON hold every measure, one row per code and value (long format, for R).
    """
    from ..errors import CoderError
    from ..export.atomic import check_target

    if out is not None:
        if fmt == "table":
            fmt = "json" if out.suffix.lower() == ".json" else "csv"
        check_target(out, force=force)
    tables = build(db, attribute, coders, codes, where, per_coder)
    if fmt != "table":
        emit(tables, fmt, out, force, bom)
        return
    if not any(t.codes for t in tables):
        raise CoderError("no codes in the selection")
    for t in tables:
        print_matrix(t, measure)
    console.print(Text(NOTE, style="dim"))
