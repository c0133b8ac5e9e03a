"""`coder attributes`, `coder attribute`, `coder cases` and `coder case`: what a researcher
knows about documents and participants, set from a CSV or one value at a time."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from .options import console, db_option, open_project


@click.group("attributes", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: declared types and values.")
@db_option
@click.pass_context
def attributes(ctx: click.Context, as_json: bool, db: Path) -> None:
    """List attributes with their type and each document's and case's values."""
    if ctx.invoked_subcommand is not None:
        return
    from ..attributes import AttributeIndex

    with open_project(db) as store:
        index = AttributeIndex.load(store)
        documents = store.documents()
    names = list(index.declared)
    owners = [("document", d.name, index.document_values.get(d.id, {})) for d in documents]
    owners += [("case", c.name, index.case_values.get(c.id, {}))
               for c in sorted(index.cases.values(), key=lambda c: c.name.casefold())]
    if as_json:
        click.echo(json.dumps({
            "attributes": [{"name": a.name, "type": a.type} for a in index.declared.values()],
            "values": [{"owner": kind, "name": name, **values} for kind, name, values in owners
                       if values],
        }, ensure_ascii=False, indent=2))
        return
    if not names:
        click.echo("no attributes yet; `coder attributes import FILE.csv` or "
                   "`coder attribute set DOCUMENT NAME VALUE`")
        return
    table = Table(show_lines=False)
    table.add_column("")
    table.add_column("name")
    for a in index.declared.values():
        table.add_column(Text(f"{a.name} ({a.type})"))
    for kind, name, values in owners:
        table.add_row(kind, Text(name), *(Text(values.get(n, "")) for n in names))
    console.print(table)


@attributes.command("import")
@click.argument("csv_file", type=click.Path(path_type=Path))
@db_option
def attributes_import(csv_file: Path, db: Path) -> None:
    """Set attributes from CSV: first column `document` or `case`, then one column per attribute.

    A header `age:number` declares the column's type (text, number, date, yes/no); an
    undeclared column takes the narrowest type all its values fit. In a document file, a
    `case` column puts the whole document in that case. An empty cell leaves a value as it
    is. Every row is checked before anything is written.
    """
    from ..attributes import import_attributes

    warnings: list[str] = []
    with open_project(db) as store:
        summary = import_attributes(store, csv_file, warnings)
    for w in warnings:
        click.echo(f"warning: {w}")
    declared = "".join(f"; declared {name} ({type_})" for name, type_ in summary.declared)
    cases = f"; {len(summary.new_cases)} new case(s)" if summary.new_cases else ""
    click.echo(f"{csv_file}: {summary.rows} row(s), {summary.changed} value(s) set{declared}{cases}")


@click.group("attribute")
def attribute() -> None:
    """Declare an attribute or set one value."""


@attribute.command("declare")
@click.argument("name")
@click.option("--type", "type_", default="text", show_default=True,
              help="text, number, date (YYYY-MM-DD) or yes/no.")
@db_option
def attribute_declare(name: str, type_: str, db: Path) -> None:
    """Declare attribute NAME with its type (once; its values are checked against it)."""
    from ..attributes import declare

    with open_project(db) as store:
        made = declare(store, name, type_)
    click.echo(f"attribute {made.name} ({made.type})")


@attribute.command("set")
@click.argument("args", nargs=-1, required=True)
@click.option("--case", "case", help="Set the value on this case instead of a document.")
@db_option
def attribute_set(args: tuple[str, ...], case: str | None, db: Path) -> None:
    """Set ATTRIBUTE to VALUE on DOCUMENT (`DOCUMENT ATTRIBUTE VALUE`) or on a case
    (`--case NAME ATTRIBUTE VALUE`)."""
    from ..attributes import set_value
    from ..errors import CoderError

    expected = 2 if case else 3
    if len(args) != expected:
        raise CoderError("give DOCUMENT ATTRIBUTE VALUE, or --case NAME ATTRIBUTE VALUE")
    document = None if case else args[0]
    name, value = args[-2], args[-1]
    with open_project(db) as store:
        attr, canonical, changed = set_value(store, name, value, document=document, case=case)
        owner = f"case {case}" if case else store.document(args[0]).name
    note = "" if changed else " (unchanged)"
    click.echo(f"{owner}: {attr.name} = {canonical}{note}")


@click.command("cases")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
def cases(as_json: bool, db: Path) -> None:
    """List cases with the speakers and documents linked to each."""
    with open_project(db) as store:
        found = store.cases()
        names = {d.id: d.name for d in store.documents()}
        links = store.case_links()
    linked: dict[int, list[str]] = {}
    for case_id, doc_id, speaker in links:
        linked.setdefault(case_id, []).append(
            f"{names.get(doc_id, doc_id)} ({speaker})" if speaker else f"{names.get(doc_id, doc_id)}")
    if as_json:
        click.echo(json.dumps([{"name": c.name, "description": c.description,
                                "linked": linked.get(c.id, [])} for c in found],
                              ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("no cases yet; `coder case add NAME` or `coder case link NAME --document DOC`")
        return
    for c in found:
        line = Text(c.name)
        if c.description:
            line.append(f" — {c.description}")
        line.append(f": {', '.join(linked.get(c.id, [])) or 'not linked yet'}")
        console.print(line)


@click.group("case")
def case() -> None:
    """Add a case, or link a speaker or a document to one."""


@case.command("add")
@click.argument("name")
@click.option("--description", default="", help="Who or what the case is.")
@db_option
def case_add(name: str, description: str, db: Path) -> None:
    """Add case NAME (a participant, a site, an organisation)."""
    with open_project(db) as store:
        made = store.add_case(name, description)
    click.echo(f"case {made.name}")


@case.command("link")
@click.argument("name")
@click.option("--document", "document", required=True, help="The document.")
@click.option("--speaker", help="A speaker label in it (without: the whole document).")
@db_option
def case_link(name: str, document: str, speaker: str | None, db: Path) -> None:
    """Link a speaker of a document, or the whole document, to case NAME (made if new)."""
    from ..attributes import link

    with open_project(db) as store:
        found, spoken = link(store, name, document, speaker)
        doc = store.document(document).name
    where = f"{spoken} in {doc}" if spoken else f"all of {doc}"
    click.echo(f"{where} is case {found.name}")
