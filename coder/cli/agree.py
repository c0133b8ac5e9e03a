"""`coder agree`: inter-coder agreement a methods reviewer can audit."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from ..agreement import AgreementReport, Metric, explain, interpret
from ..compare import compare
from ..errors import CoderError
from .options import console, db_option, open_project

COLUMNS = (
    ("percent_agreement", "% agr"),
    ("cohen_kappa", "Cohen κ"),
    ("scott_pi", "Scott π"),
    ("fleiss_kappa", "Fleiss κ"),
    ("krippendorff_alpha", "Kripp. α"),
    ("brennan_prediger", "B-P"),
    ("gwet_ac1", "Gwet AC1"),
)


def _cell(metric: Metric | None, notes: dict[str, int]) -> Text:
    if metric is None:
        return Text("")
    if metric.value is None:
        mark = notes.setdefault(metric.reason or "undefined", len(notes) + 1)
        return Text(f"n/a[{mark}]", style="dim")
    if metric.name.lower().startswith("percent"):
        return Text(f"{metric.value * 100:.1f}%")
    return Text(f"{metric.value:.3f}")


def _band(value: float | None) -> str:
    return interpret("krippendorff_alpha", value).split(" (")[0] if value is not None else ""


def _table(report: AgreementReport, names: dict[str, str], title: str) -> tuple[Table, dict]:
    notes: dict[str, int] = {}
    table = Table(title=title, title_justify="left")
    table.add_column("code")
    table.add_column("units", justify="right")
    if len(report.coders) == 2:
        table.add_column("both/A/B/neither", justify="right")
    for _, label in COLUMNS:
        table.add_column(label, justify="right")
    table.add_column("α reading")
    for c in report.codes:
        counts = c.counts
        row = [Text(names.get(c.code, c.code)), str(c.n_units)]
        if len(report.coders) == 2:
            row.append(f"{counts.get('both', 0)}/{counts.get('only_a', 0)}/"
                       f"{counts.get('only_b', 0)}/{counts.get('neither', 0)}")
        row += [_cell(c.metrics.get(key), notes) for key, _ in COLUMNS]
        row.append(_band(c.metrics["krippendorff_alpha"].value))
        table.add_row(*row)
    overall = report.overall
    row = [Text("overall (pooled)", style="bold"), str(report.n_units)]
    if len(report.coders) == 2:
        row.append("")
    row += [_cell(overall.get(key), notes) for key, _ in COLUMNS]
    row.append(_band(overall["krippendorff_alpha"].value))
    table.add_row(*row, end_section=True)
    masi = overall.get("krippendorff_alpha_masi")
    if masi is not None:
        table.add_row(Text("code sets (α, MASI)"), str(masi.n_units or ""),
                      *([""] if len(report.coders) == 2 else []),
                      *[Text("") for _ in COLUMNS[:-3]], _cell(masi, notes), Text(""), Text(""),
                      _band(masi.value))
    return table, notes


@click.command("agree")
@click.option("--coders", required=True, help="Comma-separated coder names, e.g. alice,bob.")
@click.option("--unit", type=click.Choice(["paragraph", "character"]), default="paragraph",
              show_default=True)
@click.option("--by", "by", type=click.Choice(["code", "document"]), default="code",
              show_default=True, help="One table over all documents, or one per document.")
@click.option("--document", "documents", multiple=True, help="Only these documents (repeatable).")
@click.option("--code", "codes", multiple=True, help="Only these code keys (repeatable).")
@click.option("--include-headings", is_flag=True, help="Count heading paragraphs as units.")
@click.option("--ci", type=float, default=None, help="Bootstrap interval for alpha, e.g. 0.95.")
@click.option("--seed", type=int, default=0, show_default=True, help="Bootstrap seed.")
@click.option("--explain", "explain_code", metavar="CODE", help="Print the working for one code.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@db_option
def agree(coders: str, unit: str, by: str, documents: tuple[str, ...], codes: tuple[str, ...],
          include_headings: bool, ci: float | None, seed: int, explain_code: str | None,
          as_json: bool, db: Path) -> None:
    """Inter-coder agreement per code and overall."""
    names_list = [c.strip() for c in coders.split(",") if c.strip()]
    with open_project(db) as store:
        results = compare(store, names_list, unit=unit, documents=documents or None,
                          codes=codes or None, by_document=by == "document",
                          include_headings=include_headings, ci=ci, seed=seed)
        names = {c.key: c.path for c in store.codes(include_retired=True)}
    if explain_code:
        if explain_code not in names:
            raise CoderError(f"unknown code {explain_code!r}")
        for r in results:
            if r.document:
                click.echo(f"== {r.document}")
            click.echo(explain(r.report, explain_code))
        return
    if as_json:
        if by == "document":
            payload = [{"document": r.document, **r.report.to_json()} for r in results]
        else:
            payload = results[0].report.to_json()
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for r in results:
        rep = r.report
        title = (f"Agreement of {', '.join(rep.coders)} — unit: {rep.unit}, {rep.n_units} units"
                 + (f" — {r.document}" if r.document else ""))
        table, notes = _table(rep, names, title)
        console.print(table)
        if len(rep.coders) == 2:
            console.print(Text(f"A = {rep.coders[0]}, B = {rep.coders[1]}", style="dim"))
        for reason, mark in notes.items():
            console.print(Text(f"[{mark}] {reason}", style="dim"))
        for description, count in rep.excluded:
            if not count:
                continue
            console.print(Text(f"left out: {count} — {description}", style="dim"))
        if rep.ci:
            console.print(Text(f"bootstrap: {json.dumps(rep.ci, ensure_ascii=False)}", style="dim"))
    console.print(Text("Krippendorff: α ≥ 0.800 reliable, 0.667–0.800 tentative conclusions only, "
                       "< 0.667 discard. Landis & Koch bands for κ. `--explain CODE` shows the "
                       "working.", style="dim"))


COMMANDS = [agree]
