"""REFI-QDA export, checked with an independent validator (xmlschema) against the standard's
XSDs, and every selection checked against the text it points into, speaker labels included."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import xmlschema
from click.testing import CliRunner
from test_export_fixture import build_project

from coder.cli import main
from coder.export.refi import codebook_qdc, project_qdpx
from coder.models import ParagraphIn, ParsedDocument
from coder.store import Store

SCHEMAS = Path(__file__).resolve().parent.parent / "coder" / "export" / "schemas"
P = "{urn:QDA-XML:project:1.0}"
C = "{urn:QDA-XML:codebook:1.0}"
DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z")


@pytest.fixture(scope="module")
def project_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "Project.xsd"))


@pytest.fixture(scope="module")
def codebook_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "Codebook.xsd"))


TURNS = [
    ParagraphIn("Part 2", kind="heading"),
    ParagraphIn("Note: the recording restarts here."),
    ParagraphIn("Welcome back. [laughs] Where were we?", speaker="Dr Rose Okafor (chair)"),
    ParagraphIn("Honestly: it got worse after that.", speaker="P1"),
    ParagraphIn("And then the money stopped.", speaker="P1"),
    ParagraphIn("P1: said that before, and Zoë — café — agrees.", speaker="P10"),
    ParagraphIn("Straße, 東京, ‘curly’.", speaker="Zoë"),
]


def add_turns(store: Store) -> None:
    """A focus group whose text tempts a label reader: an unspoken `Note:` paragraph, a turn that
    starts `Honestly:`, the same speaker twice running, a speaker whose text starts with another
    speaker's label (`P10: P1: …`), a name with spaces and brackets, non-ASCII names."""
    doc = store.add_document("Focus group 3", ParsedDocument("text", list(TURNS)),
                             source_path="fg3.txt", content_hash="hash-fg3")
    p = {x.n: x for x in store.paragraphs(doc.id)}
    code = {c.key: c.id for c in store.codes()}
    alice, bob = store.coder_id("alice"), store.coder_id("bob")
    store.add_segment(alice, p[3].id, code["stigma"])
    store.add_segment(bob, p[4].id, code["labels"], 0, 8)
    store.add_segment(alice, p[4].id, code["leaving-care"])
    store.add_segment(bob, p[6].id, code["media"], 0, 3, memo="starts where the label ends")
    store.add_segment(alice, p[7].id, code["stigma"])
    store.add_segment(bob, p[2].id, code["stigma"])
    store.set_paragraph_memo(alice, p[5].id, "same speaker again")


def labelled(paragraphs: list) -> str:
    return "\n\n".join(f"{p.speaker}: {p.text}" if p.speaker else p.text for p in paragraphs)


@pytest.fixture
def project(tmp_path: Path) -> Store:
    store = build_project(tmp_path / "p.db")
    yield store
    store.close()


def _export(store: Store, tmp_path: Path) -> tuple[ET.Element, dict[str, bytes], bytes]:
    out = tmp_path / "project.qdpx"
    report = project_qdpx(store, out)
    assert report.documents == len(store.documents())
    assert report.codings == len(store.segment_rows())
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        qde = zf.read("project.qde")
        sources = {n: zf.read(n) for n in names if n not in ("project.qde", "coder.json")}
        assert "coder.json" in names
    assert all(n.startswith("sources/") for n in sources)
    return ET.fromstring(qde), sources, qde


def test_project_is_valid_and_complete(project: Store, tmp_path: Path,
                                       project_schema: xmlschema.XMLSchema) -> None:
    add_turns(project)
    root, sources, qde = _export(project, tmp_path)
    project_schema.validate(qde)
    assert root.get("origin", "").startswith("coder ")
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{P}User")}
    assert users == {g: n for n, g in project.coder_guids().items()}
    codes = {c.get("guid"): c for c in root.iter(f"{P}Code")}
    assert set(codes) == {c.guid for c in project.codes()}
    labels = codes[project.code("labels").guid]
    assert [k.get("name") for k in labels.findall(f"{P}Code")] == ["Media images"]
    stigma = codes[project.code("stigma").guid]
    assert labels in list(stigma)
    assert stigma.find(f"{P}Description").text.startswith(
        "Being treated differently because of care experience")
    for el in root.iter():
        for name in ("creationDateTime", "modifiedDateTime"):
            if el.get(name) is not None:
                assert DATETIME.match(el.get(name)), el.get(name)
    assert len(sources) == len(project.documents())


def test_source_text_is_the_paragraphs_and_selections_hit_the_quotes(
        project: Store, tmp_path: Path) -> None:
    add_turns(project)
    root, sources, _ = _export(project, tmp_path)
    segments = {r.guid: r for r in project.segment_rows()}
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{P}User")}
    code_keys = {c.guid: c.key for c in project.codes()}
    seen: set[str] = set()
    spans: list[tuple[str, int, int]] = []
    for src in root.iter(f"{P}TextSource"):
        path = src.get("plainTextPath")
        assert path.startswith("internal://")
        raw = sources["sources/" + path[len("internal://"):]]
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
        text = raw.decode("utf-8")
        doc = project.document(src.get("name"))
        paragraphs = project.paragraphs(doc.id)
        assert text == labelled(paragraphs)
        speakers = list(dict.fromkeys(p.speaker for p in paragraphs if p.speaker))
        description = src.find(f"{P}Description").text
        assert "Name: text" in description
        assert json.loads(description.rsplit("Speakers: ", 1)[1]) == speakers
        by_n = {p.n: p for p in paragraphs}
        for sel in src.findall(f"{P}PlainTextSelection"):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            codings = sel.findall(f"{P}Coding")
            if codings:
                memo = sel.find(f"{P}Description")
                spans.append((src.get("guid"), start, end, sel.get("creatingUser"),
                              memo.text if memo is not None else ""))
            for coding in codings:
                seg = segments[coding.get("guid")]
                seen.add(seg.guid)
                assert text[start:end] == seg.quote
                speaker = by_n[seg.n].speaker
                if seg.start is None and speaker:  # a whole paragraph: the label is just before
                    assert text[start - len(speaker) - 2:start] == f"{speaker}: "
                    assert text[end:end + 2] in ("", "\n\n")
                assert users[coding.get("creatingUser")] == seg.coder
                assert users[sel.get("creatingUser")] == seg.coder
                assert spans[-1][4] == (seg.memo or "")
                assert code_keys[coding.find(f"{P}CodeRef").get("targetGUID")] == seg.code_key
    assert seen == set(segments)
    assert len(spans) == len(set(spans))


def test_memos_travel_as_descriptions_and_notes(project: Store, tmp_path: Path) -> None:
    """Segment memos as the Description of the coder's own selection (nothing on a Coding,
    which QualCoder never reads); paragraph memos as a coding-less selection per coder with the
    memo as Description and as a Note."""
    root, _, _ = _export(project, tmp_path)
    notes = {n.get("guid"): n for n in root.iter(f"{P}Note")}
    users = {u.get("name"): u.get("guid") for u in root.iter(f"{P}User")}
    coded = [s for s in root.iter(f"{P}PlainTextSelection") if s.findall(f"{P}Coding")]
    descriptions = {(s.get("creatingUser"), s.find(f"{P}Description").text)
                    for s in coded if s.find(f"{P}Description") is not None}
    assert descriptions == {(users[r.coder], r.memo) for r in project.segment_rows() if r.memo}
    assert (users["bob"], "bob's view: [strong] <stigma>") in descriptions
    assert not [r for c in root.iter(f"{P}Coding") for r in c.findall(f"{P}NoteRef")]
    annotations = [s for s in root.iter(f"{P}PlainTextSelection")
                   if not s.findall(f"{P}Coding")]
    assert len(annotations) == 2
    assert {(s.get("creatingUser"), s.find(f"{P}Description").text) for s in annotations} == {
        (users["alice"], "Alice on the [link] paragraph"), (users["bob"], "Bob too")}
    memo_notes = [notes[r.get("targetGUID")] for s in annotations
                  for r in s.findall(f"{P}NoteRef")]
    assert {(n.get("creatingUser"), n.find(f"{P}PlainTextContent").text) for n in memo_notes} == {
        (users["alice"], "Alice on the [link] paragraph"), (users["bob"], "Bob too")}


def test_same_span_by_two_coders_is_one_selection_each(project: Store, tmp_path: Path) -> None:
    root, _, _ = _export(project, tmp_path)
    stigma = project.code("stigma").guid
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{P}User")}
    whole_p3 = [s for s in root.iter(f"{P}PlainTextSelection")
                if s.get("name", "").startswith("People hear")]
    assert sorted(users[s.get("creatingUser")] for s in whole_p3) == ["alice", "bob"]
    assert len({(s.get("startPosition"), s.get("endPosition")) for s in whole_p3}) == 1
    for sel in whole_p3:
        refs = [c.find(f"{P}CodeRef").get("targetGUID") for c in sel.findall(f"{P}Coding")]
        assert refs == [stigma]


def test_empty_project_has_no_empty_containers(tmp_path: Path,
                                               project_schema: xmlschema.XMLSchema) -> None:
    store = Store(tmp_path / "empty.db")
    store.add_document("d", ParsedDocument("text", [ParagraphIn("only text")]),
                       source_path=None, content_hash="h")
    root, sources, qde = _export(store, tmp_path)
    project_schema.validate(qde)
    assert root.find(f"{P}Users") is None and root.find(f"{P}CodeBook") is None
    assert root.find(f"{P}Notes") is None
    assert list(sources.values()) == [b"only text"]
    store.close()


def test_codebook_qdc_is_valid(project: Store, tmp_path: Path,
                               codebook_schema: xmlschema.XMLSchema) -> None:
    out = tmp_path / "book.qdc"
    report = codebook_qdc(project, out)
    codebook_schema.validate(str(out))
    root = ET.parse(out).getroot()
    top = root.find(f"{C}Codes").findall(f"{C}Code")
    assert [c.get("name") for c in top] == ["Stigma", "Leaving care", "Never applied"]
    assert {c.get("guid") for c in root.iter(f"{C}Code")} == {c.guid for c in project.codes()}
    assert top[0].get("color") == "#D62728"
    description = top[0].find(f"{C}Description").text
    assert "When not to use: A named label: use Labels" in description
    assert "Key: stigma" in description
    assert any("shortcut" in n for n in report.not_carried)


def test_warns_about_emoji_and_lists_what_is_not_carried(project: Store, tmp_path: Path) -> None:
    project.add_document("chat", ParsedDocument("text", [ParagraphIn("ok 👍 fine", speaker="A")]),
                         source_path=None, content_hash="chat")
    spoken = sum(1 for d in project.documents() for p in project.paragraphs(d.id) if p.speaker)
    report = project_qdpx(project, tmp_path / "p.qdpx")
    assert any("NVivo" in w and "chat" in w for w in report.warnings)
    assert report.speaker_labels == spoken
    assert not any("speakers" in n for n in report.not_carried + report.coder_only)
    assert any("agreement" in n for n in report.not_carried)
    off = project_qdpx(project, tmp_path / "off.qdpx", speaker_labels=False)
    assert off.speaker_labels == 0
    assert any(f"speakers of {spoken} paragraph(s)" in n and "turned off" in n
               for n in off.coder_only)


def test_without_labels_the_text_is_the_bare_paragraphs(project: Store, tmp_path: Path,
                                                        project_schema: xmlschema.XMLSchema) -> None:
    add_turns(project)
    out = tmp_path / "bare.qdpx"
    project_qdpx(project, out, speaker_labels=False)
    with zipfile.ZipFile(out) as zf:
        qde = zf.read("project.qde")
        root = ET.fromstring(qde)
        project_schema.validate(qde)
        quotes = {r.guid: r.quote for r in project.segment_rows()}
        for src in root.iter(f"{P}TextSource"):
            text = zf.read("sources/" + src.get("plainTextPath")[len("internal://"):]).decode()
            doc = project.document(src.get("name"))
            assert text == "\n\n".join(p.text for p in project.paragraphs(doc.id))
            assert src.find(f"{P}Description") is None
            for sel in src.iter(f"{P}PlainTextSelection"):
                for coding in sel.findall(f"{P}Coding"):
                    start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                    assert text[start:end] == quotes[coding.get("guid")]


def test_a_label_that_would_read_back_wrong_is_not_written(tmp_path: Path) -> None:
    store = Store(tmp_path / "clash.db")
    paragraphs = [ParagraphIn("I left at 16.", speaker="P1"),
                  ParagraphIn("P1: quoted back by the note-taker")]
    store.add_document("clash", ParsedDocument("text", paragraphs), source_path=None,
                       content_hash="c")
    store.add_document("fine", ParsedDocument("text", [ParagraphIn("Hi.", speaker="P1")]),
                       source_path=None, content_hash="f")
    out = tmp_path / "clash.qdpx"
    report = project_qdpx(store, out)
    with zipfile.ZipFile(out) as zf:
        texts = sorted(zf.read(n).decode() for n in zf.namelist() if n.startswith("sources/"))
    assert texts == ["I left at 16.\n\nP1: quoted back by the note-taker", "P1: Hi."]
    assert any("clash (paragraph 2 would read back with the wrong speaker)" in w
               for w in report.warnings)
    assert report.speaker_labels == 1
    assert any("speakers of 1 paragraph(s)" in n for n in report.coder_only)
    store.close()


def test_cli_refuses_to_overwrite(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "p.qdpx"
    out.write_bytes(b"keep")
    result = CliRunner().invoke(main, ["export", "qdpx", "--db", str(project.path),
                                       "--out", str(out)])
    assert result.exit_code != 0 and out.read_bytes() == b"keep"
    result = CliRunner().invoke(main, ["export", "qdpx", "--db", str(project.path),
                                       "--out", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(out)
    assert "not carried" in result.output
    spoken = sum(1 for d in project.documents() for p in project.paragraphs(d.id) if p.speaker)
    assert f'speaker labels: {spoken} paragraph(s) start with "Name: "' in result.output
    assert "speakers of" not in result.output


def test_cli_no_speaker_labels(project: Store, tmp_path: Path) -> None:
    add_turns(project)
    out = tmp_path / "bare.qdpx"
    result = CliRunner().invoke(main, ["export", "qdpx", "--db", str(project.path),
                                       "--out", str(out), "--no-speaker-labels"])
    assert result.exit_code == 0, result.output
    assert "speaker labels:" not in result.output and "speakers of" in result.output
    with zipfile.ZipFile(out) as zf:
        texts = {zf.read(n).decode() for n in zf.namelist() if n.startswith("sources/")}
    assert "\n\n".join(t.text for t in TURNS) in texts


def test_cli_summary_counts_every_memo_it_carried(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "memos.qdpx"
    result = CliRunner().invoke(main, ["export", "qdpx", "--db", str(project.path),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as zf:
        root = ET.fromstring(zf.read("project.qde"))
    described = [s for s in root.iter(f"{P}PlainTextSelection")
                 if s.find(f"{P}Description") is not None and s.find(f"{P}Coding") is not None]
    shared = sum(len(s.findall(f"{P}Coding")) for s in described)
    notes = len(list(root.iter(f"{P}Note")))
    memos_in_db = sum(1 for r in project.segment_rows() if r.memo) + sum(
        len(project.document_paragraph_memos(d.id)) for d in project.documents())
    assert described and notes + shared == memos_in_db
    summary = " ".join(result.output.split())
    assert (f"{notes} memo note(s), and {shared} segment memo(s) as the description of "
            f"{len(described)} selection(s)") in summary


@pytest.mark.parametrize("args, message", [
    (["--out", "x.zip"], ".zip is not one of"),
    (["--format", "qdc", "--out", "x.qdpx"], "ends in .qdpx but --format is qdc"),
])
def test_cli_refuses_a_name_of_another_format(project: Store, tmp_path: Path, args: list[str],
                                              message: str) -> None:
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    result = CliRunner().invoke(main, ["export", "qdpx", "--db", str(project.path), *args])
    assert result.exit_code == 2 and message in " ".join(result.output.split())
    assert not any(p.name.startswith("x.") for p in tmp_path.iterdir())


def test_codebook_name_is_listed_as_not_carried(project: Store, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["codebook", "export", "--db", str(project.path),
                                       "--out", str(tmp_path / "book.qdc")])
    assert result.exit_code == 0, result.output
    assert "not carried: the codebook's name and description" in " ".join(result.output.split())


def test_cases_and_variables_are_carried_and_valid(project: Store, tmp_path: Path,
                                                   project_schema: xmlschema.XMLSchema) -> None:
    from coder.attributes import declare, link, set_value

    add_turns(project)
    declare(project, "sessions", "number")
    set_value(project, "sessions", "2.5", document="Focus group 3")
    set_value(project, "recorded", "2021-03-17", document="Focus group 3")
    link(project, "Site A", "Focus group 3")
    link(project, "P1", "Focus group 3", speaker="p1")
    set_value(project, "care leaver", "yes", case="P1")
    root, _, qde = _export(project, tmp_path)
    project_schema.validate(qde)
    variables = {v.get("name"): v.get("typeOfVariable") for v in root.iter(f"{P}Variable")}
    assert variables == {"sessions": "Float", "recorded": "Date", "care leaver": "Boolean"}
    cases = {c.get("name"): c for c in root.iter(f"{P}Case")}
    assert set(cases) == {"P1", "Site A"}
    assert [v.text for v in cases["P1"].iter(f"{P}BooleanValue")] == ["true"]
    source = next(s for s in root.iter(f"{P}TextSource") if s.get("name") == "Focus group 3")
    assert [r.get("targetGUID") for r in cases["Site A"].iter(f"{P}SourceRef")] == [
        source.get("guid")]
    assert sorted(v.text for v in source.iter(f"{P}FloatValue")) == ["2.5"]
    assert [v.text for v in source.iter(f"{P}DateValue")] == ["2021-03-17"]
