"""`coder agree`: inter-coder agreement a methods reviewer can audit.

Every figure in the table sits next to the number of units it rests on and its band; figures are
cut (never rounded up) to three decimals so that none shows in a band its value has not reached.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich import box
from rich.table import Table
from rich.text import Text

from ..agreement import (
    MISSING_RULES,
    AgreementReport,
    CodeAgreement,
    Metric,
    band,
    cut,
    explain,
    explain_data,
)
from ..agreement.explain import explain_group
from ..compare import Comparison, compare
from ..errors import CoderError
from .options import console, db_option, open_project, where_option

TWO_CODERS = (
    ("percent_agreement", "% agr"),
    ("cohen_kappa", "Cohen κ"),
    ("scott_pi", "Scott π"),
    ("fleiss_kappa", "Fleiss κ"),
    ("krippendorff_alpha", "Kripp. α"),
    ("brennan_prediger", "B-P"),
    ("gwet_ac1", "Gwet AC1"),
)
MORE_CODERS = tuple(c for c in TWO_CODERS if c[0] not in ("cohen_kappa", "scott_pi"))
# What a narrow terminal keeps: one figure of each family (raw, kappa-like, alpha, chance-robust).
COMPACT = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1")
ALPHA = "krippendorff_alpha"
LEGEND = (
    "α reading: Krippendorff (2004): α ≥ 0.800 reliable, 0.667–0.800 tentative conclusions only,"
    " < 0.667 discard. κ reading: Landis & Koch (1977) on {kappa}: < 0 poor, 0.00–0.20 slight,"
    " 0.21–0.40 fair, 0.41–0.60 moderate, 0.61–0.80 substantial, 0.81–1.00 almost perfect."
    " Figures are cut, not rounded, to 3 decimals (0.7999 shows as 0.799), so none shows in a"
    " band its value has not reached. `--explain CODE` shows the working."
)


class _Notes:
    """Footnote marks for undefined figures: one mark per distinct reason."""

    def __init__(self) -> None:
        self.marks: dict[str, int] = {}

    def na(self, reason: str | None) -> Text:
        mark = self.marks.setdefault(reason or "undefined", len(self.marks) + 1)
        return Text(f"n/a[{mark}]", style="dim")


def _value(key: str, metric: Metric | None, notes: _Notes) -> Text:
    if metric is None:
        return Text("")
    if metric.value is None:
        return notes.na(metric.reason)
    if key == "percent_agreement":
        return Text(f"{cut(metric.value * 100, 1)}%")
    return Text(cut(metric.value))


def _interval(interval: dict[str, Any] | None, metric: Metric, notes: _Notes,
              why: str = "no bootstrap resample varied, so no interval") -> Text:
    if metric.value is None:
        return Text("")
    if interval is None:
        return notes.na(why)
    return Text(f"[{cut(interval['low'])}, {cut(interval['high'])}]")


NO_SE = "no analytic interval: too few units, or no variation"


def _level(report: AgreementReport) -> str:
    return f"{report.ci['level'] * 100:g}%" if report.ci else ""


def _kappa_key(report: AgreementReport) -> str:
    return "cohen_kappa" if len(report.coders) == 2 else "fleiss_kappa"


class _Layout:
    """The table's columns for this report: two coders, or more (no Cohen/Scott, two unit counts)."""

    def __init__(self, report: AgreementReport, *, compact: bool = False) -> None:
        self.report = report
        self.k = len(report.coders)
        self.compact = compact
        self.metrics = TWO_CODERS if self.k == 2 else MORE_CODERS
        if compact:
            kappa = _kappa_key(report)
            self.metrics = tuple(m for m in self.metrics if m[0] in COMPACT
                                 and (m[0] == kappa or "kappa" not in m[0]))
        self.ci = report.ci is not None
        self.analytic = self.ci and not compact
        self.complete = report.missing == "complete"

    def left_out(self) -> list[str]:
        """Column labels a compact table drops."""
        full = TWO_CODERS if self.k == 2 else MORE_CODERS
        return [label for m, label in full if m not in dict(self.metrics)] + (
            ["κ reading"] if self.compact else [])

    def table(self, title: str) -> Table:
        if self.compact:
            table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD,
                          pad_edge=False, collapse_padding=True)
        else:
            table = Table(title=title, title_justify="left")
        table.add_column("code")
        table.add_column("units", justify="right")
        if self.k == 2:
            table.add_column("both/A/B/∅" if self.compact else "both/A/B/neither",
                             justify="right")
        else:
            if self.complete:
                table.add_column("α units", justify="right")
            table.add_column("by " + "/".join(str(j) for j in range(self.k + 1)), justify="right")
        for key, label in self.metrics:
            table.add_column(label, justify="right")
            if key == ALPHA and self.ci:
                table.add_column(f"α {_level(self.report)} CI", justify="right")
            if self.analytic and key in self.analytic_keys():
                table.add_column(f"{label} {_level(self.report)} CI", justify="right")
        table.add_column("α reading")
        if not self.compact:
            table.add_column("κ reading")
        return table

    def counts(self, c: CodeAgreement) -> list[str]:
        n = c.counts
        if self.k == 2:
            return [f"{n['both']}/{n['only_a']}/{n['only_b']}/{n['neither']}"]
        prefix = "" if self.complete else "pairable_"
        return ["/".join(str(n[f"{prefix}applied_by_{j}"]) for j in range(self.k + 1))]

    def analytic_keys(self) -> tuple[str, ...]:
        """The coefficients shown with Gwet's analytic interval: the kappa in the legend, AC1."""
        return (_kappa_key(self.report), "gwet_ac1")

    def figures(self, metrics: dict[str, Metric], interval: dict[str, Any] | None,
                notes: _Notes, analytic: dict[str, Any] | None = None) -> list[Text]:
        cells = []
        for key, _ in self.metrics:
            cells.append(_value(key, metrics.get(key), notes))
            if key == ALPHA and self.ci:
                cells.append(_interval(interval, metrics[ALPHA], notes))
            if self.analytic and key in self.analytic_keys():
                cells.append(_interval((analytic or {}).get(key), metrics[key], notes, NO_SE))
        kappa = _kappa_key(self.report)
        cells.append(Text(self.reading(metrics[ALPHA].value)))
        if not self.compact:
            cells.append(Text(band(kappa, metrics[kappa].value)))
        return cells

    def reading(self, alpha: float | None) -> str:
        """Krippendorff's band; in a compact table its first word (the legend has the rest)."""
        text = band(ALPHA, alpha)
        return text.split(":")[0].split(" ")[0] if self.compact else text

    def units(self, alpha_units: str, other_units: str) -> list[str]:
        if self.k == 2 or not self.complete:
            return [alpha_units]
        return [other_units, alpha_units]


def _table(report: AgreementReport, names: dict[str, str], title: str,
           show_unpooled: bool, *, compact: bool = False) -> tuple[Table, _Notes]:
    notes = _Notes()
    layout = _Layout(report, compact=compact)
    table = layout.table(title)
    ci = report.ci or {}
    complete = str(report.n_complete if report.n_complete is not None else "")
    for c in report.codes:
        pooled = c.code in report.pooled_codes
        if not pooled and not show_unpooled:
            continue
        label = Text(names.get(c.code, c.code))
        if not pooled:
            label.append(" (not pooled)", style="dim")
        table.add_row(label, *layout.units(str(c.n_units), complete), *layout.counts(c),
                      *layout.figures(c.metrics, ci.get("codes", {}).get(c.code), notes,
                                      ci.get("analytic", {}).get("codes", {}).get(c.code)))
    n_pool = len(report.pooled_codes)
    overall = report.overall
    table.add_row(
        Text(f"overall (pooled, {n_pool} code{'s' if n_pool != 1 else ''})", style="bold"),
        *layout.units(f"{n_pool}×{report.n_units}", f"{n_pool}×{complete}"),
        "",
        *layout.figures({k: v for k, v in overall.items() if k != "krippendorff_alpha_masi"},
                        ci.get("overall", {}).get(ALPHA), notes,
                        ci.get("analytic", {}).get("overall")),
        end_section=True,
    )
    masi = overall.get("krippendorff_alpha_masi")
    if masi is not None:
        cells = []
        for key, _ in layout.metrics:
            cells.append(_value(key, masi, notes) if key == ALPHA else Text(""))
            if key == ALPHA and layout.ci:
                cells.append(_interval(ci.get("overall", {}).get("krippendorff_alpha_masi"),
                                       masi, notes))
            if layout.analytic and key in layout.analytic_keys():
                cells.append(Text(""))
        cells.append(Text(layout.reading(masi.value)))
        if not compact:
            cells.append(Text(""))
        table.add_row(Text("code sets (α, MASI)"),
                      *layout.units(str(masi.n_units or 0), ""), "", *cells)
    return table, notes


def _footer(report: AgreementReport, notes: _Notes) -> list[str]:
    k = len(report.coders)
    unit = report.unit
    lines = []
    if k == 2:
        lines.append(f"A = {report.coders[0]}, B = {report.coders[1]}")
    elif report.missing == "gwet":
        lines.append(
            f"units: {unit}s two or more coders covered; by"
            f" {'/'.join(str(j) for j in range(k + 1))}: those units by how many coders applied"
            " the code"
        )
    else:
        lines.append(
            f"units: {unit}s all {k} coders covered (% agr, Fleiss κ, B-P, Gwet AC1); α units:"
            f" {unit}s two or more covered (Krippendorff's α allows missing data);"
            f" by {'/'.join(str(j) for j in range(k + 1))}: {unit}s all {k} covered that"
            " got the code from that many coders"
        )
    lines.append(f"missing ratings: {MISSING_RULES[report.missing]}")
    lines += [f"[{mark}] {reason}" for reason, mark in notes.marks.items()]
    n_pool = len(report.pooled_codes)
    if report.codes:
        lines.append(
            f"overall: pooled over the {n_pool} code(s) a compared coder applied in these units;"
            f" each ({unit}, code) pair is one unit"
        )
    if report.not_pooled:
        lines.append(
            f"not pooled: {len(report.not_pooled)} code(s) no compared coder applied in these"
            " units (their only agreement is on absence): " + ", ".join(report.not_pooled)
        )
    lines += [f"left out: {count} — {description}"
              for description, count in report.excluded if count]
    if report.ci:
        ends = [iv for iv in [*report.ci["codes"].values(), *report.ci["overall"].values()] if iv]
        mc = max((iv["mc_error"] for iv in ends), default=0.0)
        lines.append(
            f"α {_level(report)} CI: percentile bootstrap, {report.ci['n_boot']} resamples with"
            f" replacement, seed {report.ci['seed']} (each code's resamples drawn from the seed and"
            f" its key); Monte Carlo error of the interval ends up to ±{mc:.3f} (it shrinks as"
            " 1/√N: raise --resamples); `--json` gives the method in full"
        )
        lines.append(
            f"κ and AC1 {_level(report)} CI: analytic, Gwet's (2014) variance with a t"
            " distribution on units − 1 degrees of freedom (as irrCAC)"
        )
    return lines


def _nothing_to_compare(result: Comparison) -> str | None:
    if len(result.covered_by) == 1:
        where = "this document" if result.document else "the documents chosen"
        return f"only {result.covered_by[0]} has coded or finished {where}: nothing to compare"
    if result.report.n_units == 0:
        return (f"no {result.report.unit} was covered by two or more of "
                f"{', '.join(result.report.coders)}: nothing to compare")
    return None


def _print_table(result: Comparison, names: dict[str, str], show_unpooled: bool) -> None:
    rep = result.report
    heading = f" — {result.document}" if result.document else ""
    note = _nothing_to_compare(result)
    if note:
        console.print(Text(f"Agreement of {', '.join(rep.coders)}{heading}: {note}"))
        return
    title = f"Agreement of {', '.join(rep.coders)} — unit: {rep.unit}, {rep.n_units} units"
    if len(rep.coders) > 2 and rep.missing == "complete":
        title += f" ({rep.n_complete} covered by all {len(rep.coders)} coders)"
    table, notes = _table(rep, names, title + heading, show_unpooled)
    needed = console.measure(table, options=console.options.update_width(1000)).maximum
    narrow = ""
    if not console.is_terminal:
        widen = needed > console.width  # a file or a pipe gets every column, unwrapped
    else:
        widen = False
        if needed > console.width:
            table, notes = _table(rep, names, title + heading, show_unpooled, compact=True)
            dropped = _Layout(rep, compact=True).left_out()
            narrow = (f"narrow terminal ({console.width} columns): {', '.join(dropped)} not "
                      f"shown; widen it to {needed} columns, or use --json"
                      + ("; both/A/B/∅: units both coded, only A, only B, neither"
                         if len(rep.coders) == 2 else ""))
    before = console.width
    if widen:
        console.width = needed
    try:
        console.print(table)
        for line in [*_footer(rep, notes), *([narrow] if narrow else [])]:
            console.print(Text(line, style="dim"))
    finally:
        console.width = before


def _by_document(result: Comparison, data: dict[str, Any]) -> dict[str, Any]:
    return {"document": result.document, "covered_by": list(result.covered_by),
            "note": _nothing_to_compare(result), **data}


def _with_groups(result: Comparison) -> dict[str, Any]:
    return {**result.report.to_json(), "groups": [g.to_json() for g in result.groups]}


def _print_groups(result: Comparison, names: dict[str, str]) -> None:
    """One row per exclusive group: its children (and 'none of them') as one nominal variable."""
    if not result.groups or _nothing_to_compare(result):
        return
    notes = _Notes()
    metrics = TWO_CODERS if len(result.report.coders) == 2 else MORE_CODERS
    table = Table(title="Code groups as categorical variables (exclusive: true)",
                  title_justify="left")
    for label in ("group", "units", "categories"):
        table.add_column(label, justify="left" if label == "group" else "right")
    for _, label in metrics:
        table.add_column(label, justify="right")
    table.add_column("α reading")
    for g in result.groups:
        table.add_row(Text(names.get(g.group, g.group)), str(g.n_units), str(len(g.categories)),
                      *[_value(key, g.metrics[key], notes) for key, _ in metrics],
                      Text(band(ALPHA, g.metrics[ALPHA].value)))
    before = console.width
    if not console.is_terminal:
        console.width = max(before, console.measure(
            table, options=console.options.update_width(1000)).maximum)
    try:
        console.print(table)
        lines = [("categories: each group's sub-codes and 'none of them' (a unit the coder covered"
                 " without applying any)")]
        lines += [f"[{mark}] {reason}" for reason, mark in notes.marks.items()]
        for g in result.groups:
            if g.violations:
                shown = "; ".join(f"{c} on {u} ({', '.join(codes)})"
                                  for c, u, codes in g.violations[:10])
                more = f"; and {len(g.violations) - 10} more (--json lists all)" if len(
                    g.violations) > 10 else ""
                lines.append(
                    f"{g.group}: {len(g.violations)} unit(s) where a coder applied two or more"
                    f" sub-codes of an exclusive group, so that coder gives no value there: "
                    f"{shown}{more}")
        for line in lines:
            console.print(Text(line, style="dim"))
    finally:
        console.width = before


@click.command("agree")
@click.option("--coders", required=True, help="Comma-separated coder names, e.g. alice,bob.")
@click.option("--unit", type=click.Choice(["paragraph", "character"]), default="paragraph",
              show_default=True)
@click.option("--by", "by", type=click.Choice(["code", "document"]), default="code",
              show_default=True, help="One table over all documents, or one per document.")
@click.option("--document", "documents", multiple=True, help="Only these documents (repeatable).")
@click.option("--code", "codes", multiple=True, help="Only these code keys (repeatable).")
@click.option("--include-headings", is_flag=True, help="Count heading paragraphs as units.")
@click.option("--complete-units", is_flag=True,
              help="Compute %, kappas, B-P and AC1 on the units every coder covered only, instead"
                   " of Gwet's (2014) missing-data rule (alpha always uses every pairable unit).")
@click.option("--ci", type=float, default=None,
              help="Confidence level, e.g. 0.95: a bootstrap interval for alpha and Gwet's"
                   " analytic interval for kappa and AC1.")
@click.option("--resamples", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Bootstrap resamples for --ci (the Monte Carlo error shrinks as 1/√N).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Bootstrap seed.")
@where_option
@click.option("--explain", "explain_code", metavar="CODE", help="Print the working for one code.")
@click.option("--json", "as_json", is_flag=True,
              help="Machine-readable output (with --explain: the working as JSON).")
@db_option
def agree(coders: str, unit: str, by: str, documents: tuple[str, ...], codes: tuple[str, ...],
          include_headings: bool, complete_units: bool, ci: float | None, resamples: int,
          seed: int, where: tuple[str, ...], explain_code: str | None,
          as_json: bool, db: Path) -> None:
    """Inter-coder agreement per code and overall.

    The overall figures pool the codes a compared coder applied; codes nobody applied are listed
    as not pooled (rows for them appear only when named with --code).
    """
    names_list = [c.strip() for c in coders.split(",") if c.strip()]
    with open_project(db) as store:
        names = {c.key: c.path for c in store.codes(include_retired=True)}
        if explain_code and explain_code not in names:
            raise CoderError(f"unknown code {explain_code!r}")
        if explain_code and codes and explain_code not in codes:
            codes = (*codes, explain_code)
        paragraph_ids = None
        only = ""
        if where:
            from ..attributes import parse_where

            filters = parse_where(store, where)
            paragraph_ids = filters.paragraph_ids(store)
            only = f"only paragraphs where {filters.describe()}"
        results = compare(store, names_list, unit=unit, documents=documents or None,
                          codes=codes or None, by_document=by == "document",
                          include_headings=include_headings, ci=ci, n_boot=resamples, seed=seed,
                          missing="complete" if complete_units else "gwet",
                          paragraph_ids=paragraph_ids)
    by_document = by == "document"
    if explain_code:
        _explain(results, explain_code, as_json, by_document)
        return
    if as_json:
        if by_document:
            payload: Any = [_by_document(r, _with_groups(r)) for r in results]
        else:
            payload = _with_groups(results[0])
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for r in results:
        _print_table(r, names, show_unpooled=bool(codes))
        _print_groups(r, names)
    kappa = "Cohen's κ" if len(names_list) == 2 else "Fleiss' κ"
    if only:
        console.print(Text(only))
    console.print(Text(LEGEND.format(kappa=kappa), style="dim"))


def _explain(results: list[Comparison], code: str, as_json: bool, by_document: bool) -> None:
    if as_json:
        if by_document:
            payload: Any = [
                _by_document(r, {} if _nothing_to_compare(r) else explain_data(r.report, code))
                for r in results
            ]
        else:
            payload = explain_data(results[0].report, code)
            group = next((g for g in results[0].groups if g.group == code), None)
            if group is not None:
                payload["group"] = group.to_json()
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for r in results:
        if r.document:
            click.echo(f"== {r.document}")
        note = _nothing_to_compare(r) if r.document else None
        click.echo(note if note else explain(r.report, code))
        group = next((g for g in r.groups if g.group == code), None)
        if group is not None and not note:
            click.echo("")
            click.echo(explain_group(group, r.report.coders))
