"""REFI-QDA export, checked with an independent validator (xmlschema) against the standard's
XSDs, and every selection checked against the text it points into."""

from __future__ import annotations

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
        sources = {n: zf.read(n) for n in names if n != "project.qde"}
    assert all(n.startswith("sources/") for n in sources)
    return ET.fromstring(qde), sources, qde


def test_project_is_valid_and_complete(project: Store, tmp_path: Path,
                                       project_schema: xmlschema.XMLSchema) -> None:
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
        assert text == "\n\n".join(p.text for p in project.paragraphs(doc.id))
        for sel in src.findall(f"{P}PlainTextSelection"):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            codings = sel.findall(f"{P}Coding")
            if codings:
                spans.append((src.get("guid"), start, end))
            for coding in codings:
                seg = segments[coding.get("guid")]
                seen.add(seg.guid)
                assert text[start:end] == seg.quote
                assert users[coding.get("creatingUser")] == seg.coder
                assert code_keys[coding.find(f"{P}CodeRef").get("targetGUID")] == seg.code_key
    assert seen == set(segments)
    assert len(spans) == len(set(spans))


def test_memos_travel_as_descriptions_and_notes(project: Store, tmp_path: Path) -> None:
    root, _, _ = _export(project, tmp_path)
    notes = {n.get("guid"): n for n in root.iter(f"{P}Note")}
    users = {u.get("name"): u.get("guid") for u in root.iter(f"{P}User")}
    descriptions = [d.text for s in root.iter(f"{P}PlainTextSelection")
                    for d in s.findall(f"{P}Description")]
    assert descriptions == ['Check "care" [x]\nsecond line']
    coding_notes = [notes[r.get("targetGUID")].find(f"{P}PlainTextContent").text
                    for c in root.iter(f"{P}Coding") for r in c.findall(f"{P}NoteRef")]
    assert coding_notes == ["bob's view: [strong] <stigma>"]
    annotations = [s for s in root.iter(f"{P}PlainTextSelection")
                   if not s.findall(f"{P}Coding")]
    assert len(annotations) == 1
    memo_notes = [notes[r.get("targetGUID")] for r in annotations[0].findall(f"{P}NoteRef")]
    assert {(n.get("creatingUser"), n.find(f"{P}PlainTextContent").text) for n in memo_notes} == {
        (users["alice"], "Alice on the [link] paragraph"), (users["bob"], "Bob too")}


def test_same_span_by_two_coders_is_one_selection(project: Store, tmp_path: Path) -> None:
    root, _, _ = _export(project, tmp_path)
    stigma = project.code("stigma").guid
    whole_p3 = [s for s in root.iter(f"{P}PlainTextSelection")
                if s.get("name", "").startswith("People hear")]
    assert len(whole_p3) == 1
    refs = [c.find(f"{P}CodeRef").get("targetGUID") for c in whole_p3[0].findall(f"{P}Coding")]
    assert refs == [stigma, stigma]


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
    report = project_qdpx(project, tmp_path / "p.qdpx")
    assert any("NVivo" in w and "chat" in w for w in report.warnings)
    assert any("speakers" in n for n in report.not_carried)
    assert any("agreement" in n for n in report.not_carried)


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
