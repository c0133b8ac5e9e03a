"""Cases and attributes: typed values, the CSV import, case links and the lookups."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.attributes import (
    AttributeIndex,
    attributes_of_document,
    attributes_of_paragraph,
    attributes_of_segment,
    case_of_paragraph,
    declare,
    import_attributes,
    infer_type,
    link,
    parse_value,
    parse_where,
    set_value,
)
from coder.errors import CoderError
from coder.models import ParsedDocument
from coder.store import Store
from factories import SMALL_TEXTS


def _second_document(store: Store) -> None:
    store.add_document("notes-2", ParsedDocument("text", list(SMALL_TEXTS[1:])),
                       source_path="notes-2.txt", content_hash="hash-notes-2")


def _csv(tmp_path: Path, text: str, name: str = "attrs.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("type_", "raw", "expected"), [
    ("number", " 3.50 ", "3.5"),
    ("number", "42.0", "42"),
    ("number", "-7", "-7"),
    ("date", "2021-03-17", "2021-03-17"),
    ("yes/no", "Yes", "yes"),
    ("yes/no", "FALSE", "no"),
    ("text", "  West Midlands ", "West Midlands"),
])
def test_values_are_stored_in_one_spelling(type_: str, raw: str, expected: str) -> None:
    assert parse_value(type_, raw) == expected


@pytest.mark.parametrize(("type_", "raw"), [
    ("number", "forty"), ("number", "nan"), ("number", "1_000"), ("date", "17/03/2021"),
    ("date", "2021-02-30"), ("yes/no", "maybe"), ("text", "   "),
])
def test_wrong_values_are_refused(type_: str, raw: str) -> None:
    with pytest.raises(ValueError):
        parse_value(type_, raw)


def test_a_column_without_a_type_gets_the_narrowest_that_fits() -> None:
    assert infer_type(["3", "4.5", ""]) == "number"
    assert infer_type(["2021-03-17", "2021-05-01"]) == "date"
    assert infer_type(["yes", "No"]) == "yes/no"
    assert infer_type(["0", "1"]) == "number"
    assert infer_type(["West", "3"]) == "text"


def test_declaring_again_with_another_type_is_refused(store: Store) -> None:
    declare(store, "age", "number")
    assert declare(store, "AGE", "number").name == "age"
    with pytest.raises(CoderError, match="already declared as number"):
        declare(store, "age", "text")


def test_csv_sets_document_values_and_links_cases(store: Store, tmp_path: Path) -> None:
    _second_document(store)
    path = _csv(tmp_path, "document,region,sessions:number,case\n"
                          "notes,West Midlands,3,Council A\nnotes-2,East,,\n")
    summary = import_attributes(store, path)
    assert summary.rows == 2
    assert ("sessions", "number") in summary.declared
    assert summary.new_cases == ["Council A"]
    assert attributes_of_document(store, "notes") == {"region": "West Midlands", "sessions": "3"}
    assert attributes_of_document(store, "notes-2") == {"region": "East"}
    assert [e["kind"] for e in store.events()][-1] == "attributes import"
    par = store.paragraph_at(store.document("notes").id, 3)
    assert par is not None
    case = case_of_paragraph(store, par.id)
    assert case is not None and case.name == "Council A"


def test_a_bad_csv_changes_nothing_and_names_every_bad_line(
    store: Store, tmp_path: Path
) -> None:
    declare(store, "age", "number")
    path = _csv(tmp_path, "case,age,care leaver:yes/no\nP1,34,yes\nP2,forty,no\n"
                          "P3,29,sometimes\nP1,30,no\n")
    with pytest.raises(CoderError) as caught:
        import_attributes(store, path)
    message = str(caught.value)
    assert f"{path}:3: age is number: 'forty' is not a number" in message
    assert f"{path}:4: care leaver is yes/no: 'sometimes' is not yes or no" in message
    assert f"{path}:5: case 'P1' again (first on line 2)" in message
    assert store.cases() == []
    assert store.attribute("care leaver") is None


def test_unknown_document_and_bad_header_are_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(CoderError, match=r":2: unknown document 'nope'"):
        import_attributes(store, _csv(tmp_path, "document,region\nnope,West\n"))
    with pytest.raises(CoderError, match=r"attrs.csv:1: the first column must be"):
        import_attributes(store, _csv(tmp_path, "region,document\nWest,notes\n"))
    declare(store, "region", "text")
    with pytest.raises(CoderError, match=r":1: column 'region' says number"):
        import_attributes(store, _csv(tmp_path, "document,region:number\nnotes,3\n"))
    assert store.document_attribute_values() == []


def test_a_segment_has_its_documents_and_its_speakers_case_attributes(store: Store) -> None:
    set_value(store, "region", "West", document="notes")
    set_value(store, "kind", "evidence session", document="notes")
    store.add_case("Amira")
    set_value(store, "age", "19", case="Amira")
    set_value(store, "kind", "interview", case="Amira")
    case, spoken = link(store, "amira", "notes", speaker="p2")
    assert (case.name, spoken) == ("Amira", "P2")
    doc = store.document("notes")
    p2 = store.paragraph_at(doc.id, 3)
    p3 = store.paragraph_at(doc.id, 4)
    assert p2 is not None and p3 is not None
    assert attributes_of_paragraph(store, p2.id) == {
        "region": "West", "kind": "interview", "age": "19"}
    assert attributes_of_paragraph(store, p3.id) == {"region": "West", "kind": "evidence session"}
    coder = store.coder_id("alice")
    code = store.codes()[0]
    segment = store.add_segment(coder, p2.id, code.id)
    assert attributes_of_segment(store, segment)["age"] == "19"
    assert store.attribute("age") is not None and store.attribute("age").type == "number"


def test_linking_an_unknown_speaker_names_those_there_are(store: Store) -> None:
    with pytest.raises(CoderError, match=r"no speaker 'P9' in notes \(speakers: P2, P3\)"):
        link(store, "Amira", "notes", speaker="P9")
    assert store.cases() == []


def test_where_keeps_paragraphs_whose_values_match(store: Store) -> None:
    _second_document(store)
    declare(store, "sessions", "number")
    set_value(store, "sessions", "3", document="notes")
    set_value(store, "sessions", "4", document="notes-2")
    doc, doc2 = store.document("notes"), store.document("notes-2")
    where = parse_where(store, ["sessions=3.0"])
    assert where.matches(doc.id) and not where.matches(doc2.id)
    either = parse_where(store, ["sessions=3", "sessions=4"])
    assert either.matches(doc.id) and either.matches(doc2.id)
    with pytest.raises(CoderError, match="sessions is number: 'three' is not a number"):
        parse_where(store, ["sessions=three"])
    with pytest.raises(CoderError, match="no attribute 'regoin'"):
        parse_where(store, ["regoin=West"])


def test_index_reads_the_project_once(store: Store) -> None:
    set_value(store, "region", "West", document="notes")
    index = AttributeIndex.load(store)
    doc = store.document("notes")
    assert index.values(doc.id, "P2") == {"region": "West"}
    assert index.case_of(doc.id, "P2") is None


def _coded(store: Store) -> None:
    """notes (West, P2 in case Amira) and notes-2 (East), each coded by alice on ¶2 and ¶3."""
    _second_document(store)
    set_value(store, "region", "West", document="notes")
    set_value(store, "region", "East", document="notes-2")
    link(store, "Amira", "notes", speaker="P2")
    alice = store.coder_id("alice")
    stigma = next(c for c in store.codes() if c.key == "stigma")
    for name, n in (("notes", 3), ("notes", 4), ("notes-2", 2)):
        par = store.paragraph_at(store.document(name).id, n)
        assert par is not None
        store.add_segment(alice, par.id, stigma.id)


def test_crosstab_counts_per_value(store: Store) -> None:
    from coder.export.crosstab import crosstab

    _coded(store)
    table = crosstab(store, "region", ["alice"])
    assert [(g.value, g.documents, g.cases, g.paragraphs) for g in table.groups] == [
        ("East", 1, 0, 3), ("West", 1, 1, 4)]
    west = table.cell("stigma", "West")
    assert (west.segments, west.paragraphs, west.cases) == (2, 2, 1)
    assert west.words == len("People hear care and assume you did something wrong.".split()) + len(
        "At 18 the support just stopped.".split())
    assert west.case_share(table.groups[1]) == 1.0
    assert table.cell("stigma", "East").case_share(table.groups[0]) is None
    only_east = crosstab(store, "region", ["alice"], where=parse_where(store, ["region=East"]))
    assert [g.value for g in only_east.groups] == ["East"]


def test_cli_commands_set_list_and_compare(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from coder.cli import main
    from factories import make_project

    db = tmp_path / "p.db"
    store = make_project(db)
    _coded(store)
    store.close()
    run = CliRunner().invoke
    result = run(main, ["attribute", "set", "notes", "sessions", "3", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "notes: sessions = 3" in result.output
    bad = run(main, ["attribute", "set", "notes", "sessions", "many", "--db", str(db)])
    assert bad.exit_code != 0 and "sessions is number: 'many' is not a number" in bad.output
    listed = run(main, ["cases", "--db", str(db)])
    assert "Amira: notes (P2)" in listed.output
    out = run(main, ["crosstab", "region", "--coder", "alice", "--format", "csv", "--db", str(db)])
    assert out.exit_code == 0, out.output
    assert "region,West,alice,stigma,Stigma,1,1,4,2,2," in out.output
    csv_path = _csv(tmp_path, "document,region\nnotes,North\nnope,South\n", "bad.csv")
    refused = run(main, ["attributes", "import", str(csv_path), "--db", str(db)])
    assert refused.exit_code != 0 and f"{csv_path}:3: unknown document 'nope'" in refused.output
    matrix = run(main, ["export", "matrix", "--where", "region=East", "--db", str(db)])
    header, *rows = matrix.output.splitlines()
    assert header.startswith("document,document_title,paragraph,kind,speaker,coder,case,region,")
    assert rows and all(r.startswith("notes-2,") for r in rows if "," in r and "row(s)" not in r)


def test_merge_brings_attributes_cases_and_links_and_keeps_ours(tmp_path: Path) -> None:
    from coder.merge import merge_project
    from factories import make_project

    mine = make_project(tmp_path / "mine.db")
    mine.backup(tmp_path / "theirs.db")
    theirs = Store(tmp_path / "theirs.db")
    set_value(theirs, "region", "West", document="notes")
    set_value(theirs, "age", "19", document="notes")
    link(theirs, "Amira", "notes", speaker="P2")
    set_value(theirs, "care leaver", "yes", case="Amira")
    par = theirs.paragraph_at(theirs.document("notes").id, 3)
    assert par is not None
    theirs.add_segment(theirs.coder_id("bob"), par.id, theirs.codes()[0].id)
    theirs.close()
    set_value(mine, "region", "East", document="notes")
    report = merge_project(mine, tmp_path / "theirs.db")
    assert report.attribute_conflicts == ["document notes: region is 'East' here, 'West' there"]
    assert sorted(report.attributes_added) == ["age", "care leaver"]
    assert report.cases_added == ["Amira"] and report.case_links_added == 1
    par_here = mine.paragraph_at(mine.document("notes").id, 3)
    assert par_here is not None
    assert attributes_of_paragraph(mine, par_here.id) == {
        "region": "East", "age": "19", "care leaver": "yes"}
    again = merge_project(mine, tmp_path / "theirs.db")
    assert (again.attribute_values_added, again.case_links_added, again.cases_added) == (0, 0, [])
    mine.close()


def _crosstab_by_reading(store: Store, coders: list[str]) -> dict[tuple[str, str], tuple[int, ...]]:
    """(segments, paragraphs, words, cases) per code and region, counted segment by segment in
    reading order: a stretch (code, paragraph, start) counts the words of the first quote met."""
    index = AttributeIndex.load(store)
    ids = {d.name: d.id for d in store.documents()}
    seen: dict[tuple[str, str], list[set[object]]] = {}
    counts: dict[tuple[str, str], list[int]] = {}
    for document, n, speaker, _, key, _, start, _, quote, *_ in store.segment_records(
            coders=coders):
        value = index.values(ids[document], speaker).get("region", "(no value)")
        slot = (key, value)
        paragraphs, stretches, cases = seen.setdefault(slot, [set(), set(), set()])
        count = counts.setdefault(slot, [0, 0])
        count[0] += 1
        paragraphs.add((document, n))
        if (document, n, start) not in stretches:
            stretches.add((document, n, start))
            count[1] += len(quote.split())
        case_id = index.case_id_of(ids[document], speaker)
        if case_id is not None:
            cases.add(case_id)
    return {slot: (counts[slot][0], len(p), counts[slot][1], len(c))
            for slot, (p, _, c) in seen.items()}


def test_crosstab_counts_as_reading_every_segment_would(store: Store) -> None:
    """Overlapping spans of two coders, one start with two ends, whole paragraphs coded twice and
    whitespace of every kind: the counts SQLite groups are those of a segment-by-segment read."""
    from coder.export.crosstab import crosstab
    from coder.models import ParagraphIn

    _coded(store)
    store.add_document("spaces", ParsedDocument("text", [
        ParagraphIn("  tabs\tand  two\u00a0spaces\u2003 and a\nbreak ", speaker="P2"),
        ParagraphIn("one", speaker="P9"),
    ]), source_path="spaces.txt", content_hash="hash-spaces")
    set_value(store, "region", "West", document="spaces")
    alice, bob = store.coder_id("alice"), store.coder_id("bob")
    stigma, *others = store.codes()
    for doc, n, coder, code, start, end in (
            ("notes", 3, bob, stigma, None, None), ("notes", 3, bob, stigma, 0, 20),
            ("notes", 3, alice, stigma, 0, 6), ("notes", 3, alice, stigma, 7, 25),
            ("notes", 4, bob, others[0], 3, 9), ("notes-2", 2, bob, stigma, None, None),
            ("spaces", 1, alice, stigma, None, None), ("spaces", 1, bob, stigma, 1, 22),
            ("spaces", 1, bob, others[0], None, None), ("spaces", 2, alice, stigma, None, None)):
        par = store.paragraph_at(store.document(doc).id, n)
        assert par is not None
        store.add_segment(coder, par.id, code.id, start, end)

    for coders in (["alice", "bob"], ["bob"], ["alice"]):
        table = crosstab(store, "region", coders)
        got = {slot: (c.segments, c.paragraphs, c.words, c.cases)
               for slot, c in table.cells.items()}
        assert got == _crosstab_by_reading(store, coders)
    west = crosstab(store, "region", ["alice", "bob"]).cell(stigma.key, "West")
    assert west.words > len("  tabs\tand  two\u00a0spaces\u2003 and a\nbreak ".split())
