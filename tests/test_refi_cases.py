"""REFI-QDA Cases and Variables both ways: a coder → .qdpx → coder round trip keeps attributes,
cases and case links (on the seeds and examples/seed-attributes.csv), and another tool's
Variables and Cases come in typed, with whatever does not fit named."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from coder.cli import main
from coder.export.refi_import import import_qdpx
from coder.store import Store

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
INTERVIEW = """Interviewer: How was leaving care?

P1: Hard. Support stopped at eighteen.

Interviewer: And then?

P1: I found a group that helped.
"""


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _study(db: Path) -> dict[str, object]:
    """Attributes, values, cases and links, by names (ids differ between projects)."""
    with Store(db) as store:
        docs = {d.id: d.name for d in store.documents()}
        cases = {c.id: c for c in store.cases()}
        return {
            "attributes": [(a.name, a.type, a.guid) for a in store.attributes()],
            "document values": sorted((docs[d], n, v)
                                      for d, n, v in store.document_attribute_values()),
            "cases": sorted((c.name, c.description, c.guid) for c in cases.values()),
            "case values": sorted((cases[c].name, n, v)
                                  for c, n, v in store.case_attribute_values()),
            "links": sorted((cases[c].name, docs[d], s or "") for c, d, s in store.case_links()),
        }


@pytest.fixture(scope="module")
def attributed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds with examples/seed-attributes.csv, and an interview whose participant P1 is a
    case with typed values, linked by speaker; one seed belongs to a site case whole."""
    folder = tmp_path_factory.mktemp("attributed")
    db = folder / "a.db"
    interview = folder / "interview-1.txt"
    interview.write_text(INTERVIEW, encoding="utf-8")
    run("import", *map(str, SEEDS), str(interview), "--db", str(db))
    run("attributes", "import", str(REPO / "examples" / "seed-attributes.csv"), "--db", str(db))
    for name, type_ in (("age", "number"), ("care leaver", "yes/no"), ("interviewed", "date")):
        run("attribute", "declare", name, "--type", type_, "--db", str(db))
    run("case", "add", "P1", "--db", str(db))
    run("case", "link", "P1", "--document", "interview-1", "--speaker", "P1", "--db", str(db))
    run("case", "link", "West Midlands", "--document", "west-midlands-evidence-session-2021-03",
        "--db", str(db))
    with Store(db) as store:
        from coder.attributes import set_value
        set_value(store, "age", "19.0", case="P1")
        set_value(store, "care leaver", "yes", case="P1")
        set_value(store, "interviewed", "2021-03-17", case="P1")
        set_value(store, "region", "West Midlands", case="West Midlands")
        set_value(store, "age", "21", document="interview-1")
        store.add_case("West Midlands", "The region's evidence session")
    return db


def test_round_trip_keeps_attributes_cases_and_links(attributed: Path, tmp_path: Path) -> None:
    qdpx = tmp_path / "a.qdpx"
    out = run("export", "qdpx", "--out", str(qdpx), "--db", str(attributed))
    assert "1 speaker link(s) to cases" in " ".join(out.split())
    copy = tmp_path / "copy.db"
    said = " ".join(run("refi", "import", str(qdpx), "--db", str(copy)).split())
    assert ("attributes: 5 declared (region, kind, age, care leaver, interviewed), 15 value(s) "
            "set, 2 case(s) and 2 case link(s) added") in said
    before, after = _study(attributed), _study(copy)
    assert ("P1", "interview-1", "P1") in before["links"]  # type: ignore[operator]
    assert len(before["document values"]) == 11  # type: ignore[arg-type]
    for key in before:
        assert after[key] == before[key], key
    again = " ".join(run("refi", "import", str(qdpx), "--db", str(copy)).split())
    assert "attributes:" not in again
    assert _study(copy) == before


def _zip(path: Path, qde: str, texts: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        for guid, text in texts.items():
            zf.writestr(f"sources/{guid}.txt", text)
    return path


V = "A0000000-0000-4000-8000-0000000000{:02d}"
S1, S2 = "B0000000-0000-4000-8000-000000000001", "B0000000-0000-4000-8000-000000000002"
CASE = "C0000000-0000-4000-8000-000000000001"


def _value(variable: int, kind: str, value: str) -> str:
    return (f'<VariableValue><VariableRef targetGUID="{V.format(variable)}"/>'
            f"<{kind}>{value}</{kind}></VariableValue>")


def other_tool(tmp_path: Path) -> Path:
    """Variables of every REFI-QDA type, values on a source and on a case (among them values
    that do not fit), a case holding one source whole and part of another."""
    types = ["Text", "Boolean", "Integer", "Float", "Date", "DateTime"]
    variables = "".join(f'<Variable guid="{V.format(i)}" name="v {t.lower()}" typeOfVariable="{t}"/>'
                        for i, t in enumerate(types))
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="elsewhere" origin="Another tool 1.0">
  <Variables>{variables}</Variables>
  <Cases>
    <Case guid="{CASE}" name="Site A"><Description>The first site</Description>
      {_value(2, "IntegerValue", "42")}{_value(1, "BooleanValue", "1")}
      {_value(5, "DateTimeValue", "2021-03-17T17:30:00Z")}{_value(3, "FloatValue", "2.50")}
      <SourceRef targetGUID="{S1}"/>
      <SelectionRef targetGUID="D0000000-0000-4000-8000-000000000001"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="{S1}" name="one.txt" plainTextPath="internal://{S1}.txt">
      {_value(0, "TextValue", "North")}{_value(4, "DateValue", "2021-05-01")}
      {_value(2, "IntegerValue", "many")}
    </TextSource>
    <TextSource guid="{S2}" name="two.txt" plainTextPath="internal://{S2}.txt">
      {_value(1, "BooleanValue", "false")}
    </TextSource>
  </Sources>
</Project>"""
    return _zip(tmp_path / "other.qdpx", qde, {S1: "First text.\n\nMore.", S2: "Second text."})


def test_variables_of_other_tools_become_typed_attributes(tmp_path: Path) -> None:
    store = Store(tmp_path / "o.db")
    report = import_qdpx(store, other_tool(tmp_path))
    assert {a.name: a.type for a in store.attributes()} == {
        "v text": "text", "v boolean": "yes/no", "v integer": "number", "v float": "number",
        "v date": "date", "v datetime": "date"}
    assert {a.name: a.guid for a in store.attributes()}["v text"] == V.format(0)
    docs = {d.id: d.name for d in store.documents()}
    assert sorted((docs[d], n, v) for d, n, v in store.document_attribute_values()) == [
        ("one", "v date", "2021-05-01"), ("one", "v text", "North"), ("two", "v boolean", "no")]
    (case,) = store.cases()
    assert (case.name, case.description, case.guid) == ("Site A", "The first site", CASE)
    assert sorted((n, v) for _, n, v in store.case_attribute_values()) == [
        ("v boolean", "yes"), ("v datetime", "2021-03-17"), ("v float", "2.5"),
        ("v integer", "42")]
    assert [(docs[d], s) for _, d, s in store.case_links()] == [("one", None)]
    missing = " | ".join(report.not_imported)
    assert "source 'one.txt': v integer is number: 'many' is not a number" in missing
    assert "1 parts of sources held by cases" in missing
    assert any("date-and-time value(s) kept as dates" in w for w in report.warnings)
    store.close()


def test_the_projects_own_values_and_links_are_kept(tmp_path: Path) -> None:
    store = Store(tmp_path / "o.db")
    import_qdpx(store, other_tool(tmp_path))
    from coder.attributes import link, set_value
    set_value(store, "v text", "South", document="one")
    link(store, "Site B", "one")
    report = import_qdpx(store, other_tool(tmp_path))
    docs = {d.id: d.name for d in store.documents()}
    assert ("one", "v text", "South") in [(docs[d], n, v)
                                         for d, n, v in store.document_attribute_values()]
    names = {c.id: c.name for c in store.cases()}
    assert [(names[c], docs[d]) for c, d, _ in store.case_links()] == [("Site B", "one")]
    said = " | ".join(report.warnings)
    assert "kept the project's v text = 'South' (the file says 'North')" in said
    assert "source 'one.txt' stays linked to the project's case 'Site B'" in said
    store.close()
