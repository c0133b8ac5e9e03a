"""REFI-QDA import: the round trip through coder's own export, and files shaped like the ones
NVivo, ATLAS.ti and others write (interop guide A.4–A.7), built here byte by byte."""

from __future__ import annotations

import re
import uuid
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from test_export_fixture import CODES, build_project
from test_refi_export import add_turns

from coder.cli import main
from coder.codebook import check_codebook, load_codebook
from coder.errors import CoderError
from coder.export import refi_read
from coder.export.refi import LABELS_EXPLAINED, project_qdpx
from coder.export.refi_import import import_qdpx, match_codes, qdc_to_yaml
from coder.export.refi_read import RefiCode
from coder.models import Code, ParagraphIn, ParsedDocument
from coder.store import Store


@pytest.fixture
def project(tmp_path: Path) -> Store:
    store = build_project(tmp_path / "p.db")
    add_turns(store)
    yield store
    store.close()


def _documents(store: Store) -> list[tuple]:
    return [(d.name, [(p.n, p.speaker, p.text) for p in store.paragraphs(d.id)])
            for d in store.documents()]


def _segments(store: Store) -> list[tuple]:
    return sorted((r.document, r.n, r.coder, r.code_key, r.start, r.end, r.quote, r.memo, r.guid)
                  for r in store.segment_rows())


def _codes(store: Store) -> list[tuple]:
    return [(c.key, c.guid, c.name, c.path, c.color, c.definition, c.when_to_use,
             c.when_not_to_use, c.example) for c in store.codes()]


def _memos(store: Store) -> set[tuple]:
    names = {store.coder_id(n, create=False): n for n in store.coders()}
    out = set()
    for d in store.documents():
        ns = {p.id: p.n for p in store.paragraphs(d.id)}
        out |= {(d.name, ns[pid], names[cid], memo)
                for pid, cid, memo in store.document_paragraph_memos(d.id)}
    return out


def test_round_trip_keeps_documents_codes_coders_segments_and_memos(
        project: Store, tmp_path: Path) -> None:
    qdpx = tmp_path / "out.qdpx"
    project_qdpx(project, qdpx)
    back = Store(tmp_path / "back.db")
    report = import_qdpx(back, qdpx)
    assert report.positions == [] and report.not_imported == []
    assert _documents(back) == _documents(project)
    assert any(p.speaker for d in back.documents() for p in back.paragraphs(d.id))
    assert _codes(back) == _codes(project)
    assert back.coder_guids() == project.coder_guids()
    assert _segments(back) == _segments(project)
    assert _memos(back) == _memos(project)

    again = import_qdpx(back, qdpx)
    assert (again.segments_added, again.segments_skipped) == (0, len(_segments(project)))
    assert again.documents_added == [] and len(again.documents_matched) == 3
    assert _segments(back) == _segments(project)
    back.close()


def test_import_into_the_original_project_changes_nothing(project: Store, tmp_path: Path) -> None:
    qdpx = tmp_path / "out.qdpx"
    project_qdpx(project, qdpx)
    before = _segments(project)
    report = import_qdpx(project, qdpx)
    assert report.segments_added == 0 and report.codes_added == []
    assert report.backup and Path(report.backup).exists()
    assert _segments(project) == before
    assert len(project.documents()) == 3
    assert _memos(project) and not any("memo" in w for w in report.warnings)  # equal: silent


def test_a_different_memo_is_kept_and_reported(project: Store, tmp_path: Path) -> None:
    qdpx = tmp_path / "out.qdpx"
    project_qdpx(project, qdpx)
    west = project.document("West Midlands session")
    para = project.paragraph_at(west.id, 2)
    bob = project.coder_id("bob", create=False)
    project.set_paragraph_memo(bob, para.id, "Bob changed his mind")
    report = import_qdpx(project, qdpx)
    assert [w for w in report.warnings if "memo" in w] == [
        "West Midlands session para 2: kept the project's own memo by bob"]
    assert project.paragraph_memo(bob, para.id) == "Bob changed his mind"


def test_cli_round_trip(project: Store, tmp_path: Path) -> None:
    runner = CliRunner()
    qdpx = tmp_path / "x.qdpx"
    assert runner.invoke(main, ["export", "qdpx", "--db", str(project.path),
                                "--out", str(qdpx)]).exit_code == 0
    result = runner.invoke(main, ["refi", "import", str(qdpx), "--db", str(tmp_path / "new.db")])
    assert result.exit_code == 0, result.output
    assert "3 document(s) added" in result.output
    with Store(tmp_path / "new.db") as back:
        assert _segments(back) == _segments(project)
        assert _documents(back) == _documents(project)


def _without_coder_json(qdpx: Path) -> Path:
    """The same archive as a tool that drops entries it does not know would write it back."""
    bare = qdpx.with_name("bare-" + qdpx.name)
    with zipfile.ZipFile(qdpx) as src, zipfile.ZipFile(bare, "w") as dst:
        for name in src.namelist():
            if name != "coder.json":
                dst.writestr(name, src.read(name))
    return bare


def test_round_trip_without_labels(project: Store, tmp_path: Path) -> None:
    """Speakers come back from coder.json; without it only text and segments do."""
    qdpx = tmp_path / "nolabels.qdpx"
    project_qdpx(project, qdpx, speaker_labels=False)
    back = Store(tmp_path / "back.db")
    import_qdpx(back, qdpx)
    assert _documents(back) == _documents(project)
    assert _segments(back) == _segments(project)
    back.close()
    lost = Store(tmp_path / "lost.db")
    import_qdpx(lost, _without_coder_json(qdpx))
    assert _documents(lost) == [(name, [(n, None, text) for n, _, text in paragraphs])
                                for name, paragraphs in _documents(project)]
    assert _segments(lost) == _segments(project)
    lost.close()


def test_round_trip_of_a_document_written_without_labels(tmp_path: Path) -> None:
    """Labels left out of one document (they would read back wrong) are not guessed back in."""
    store = Store(tmp_path / "clash.db")
    paragraphs = [ParagraphIn("I left at 16.", speaker="P1"),
                  ParagraphIn("P1: quoted back by the note-taker"),
                  ParagraphIn("P1: again", speaker="P1")]
    store.add_document("clash", ParsedDocument("text", paragraphs), source_path=None,
                       content_hash="c")
    store.add_document("fine", ParsedDocument("text", paragraphs[:1]), source_path=None,
                       content_hash="f")
    store.sync_codes([{"key": "whole", "name": "Whole", "parent_key": None},
                      {"key": "span", "name": "Span", "parent_key": None}])
    code, coder = store.code_key_map(), store.coder_id("alice")
    for d in store.documents():
        for p in store.paragraphs(d.id):
            store.add_segment(coder, p.id, code["whole"])
            store.add_segment(coder, p.id, code["span"], 0, 2)
    project_qdpx(store, tmp_path / "c.qdpx")
    whole = Store(tmp_path / "whole.db")
    import_qdpx(whole, tmp_path / "c.qdpx")
    assert _documents(whole) == _documents(store)
    whole.close()
    back = Store(tmp_path / "back.db")
    import_qdpx(back, _without_coder_json(tmp_path / "c.qdpx"))
    assert _documents(back) == [
        ("clash", [(1, None, "I left at 16."), (2, None, "P1: quoted back by the note-taker"),
                   (3, None, "P1: again")]),
        ("fine", [(1, "P1", "I left at 16.")]),
    ]
    assert _segments(back) == _segments(store)
    back.close()
    store.close()


def test_qdc_to_yaml_round_trip(project: Store, tmp_path: Path) -> None:
    runner = CliRunner()
    qdc, yml = tmp_path / "book.qdc", tmp_path / "book.yaml"
    assert runner.invoke(main, ["codebook", "export", "--db", str(project.path),
                                "--out", str(qdc)]).exit_code == 0
    result = runner.invoke(main, ["refi", "import", str(qdc), "--out", str(yml)])
    assert result.exit_code == 0, result.output
    assert check_codebook(yml) == []
    book = load_codebook(yml)
    assert [(c.key, c.name, c.parent_key, c.definition, c.when_to_use, c.when_not_to_use,
             c.example, c.color) for c in book.codes] == [
        (c["key"], c["name"], c["parent_key"], c.get("definition", ""), c.get("when_to_use", ""),
         c.get("when_not_to_use", ""), c.get("example", ""), c.get("color")) for c in CODES]
    check = runner.invoke(main, ["codebook", "check", str(yml)])
    assert check.exit_code == 0, check.output
    said = " ".join(result.output.split())
    assert "a .qdc has no codebook name or description: named it 'book' after the file" in said
    assert yaml.safe_load(yml.read_text(encoding="utf-8"))["name"] == "book"


# ── files from other tools ─────────────────────────────────────────────────────

USER_A = "6E8F2B1A-3C4D-5E6F-8A9B-0C1D2E3F4A5B"
CODE_HARD = "C1A4E3B2-77D0-5F1E-8B6A-9D2C4E5F6A78"
CODE_P1 = "2F0C7B2A-4A47-5B7E-9E51-3B1D0C7A9E11"
CODE_P2 = "8D3E51C6-0E9B-5A3C-A7C2-6B0F3A1C2D44"
CASE = "0B7E6D5C-4A3B-5C2D-9E1F-0A1B2C3D4E5F"
NOTE = "D3E4F5A6-B7C8-5D9E-9F0A-2B3C4D5E6F7A"
SOURCE = "A0B1C2D3-E4F5-5A6B-8C7D-9E0F1A2B3C4D"


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def _u16(text: str, i: int) -> int:
    return len(text[:i].encode("utf-16-le")) // 2


NVIVO_TEXT = ("Interviewer: How was it when you left? 😀\r\n"
              "P1: It was hard 🙁 really hard, you know.\r\n"
              "Interviewer: And then what happened?\r\n"
              "P1: Then the support stopped at 18 💔 and that was it.\r\n")


def _nvivo_selection(guid: str, word: str, code: str, *, occurrence: int = 0, through: str = "") -> str:
    start = -1
    for _ in range(occurrence + 1):
        start = NVIVO_TEXT.index(word, start + 1)
    end = NVIVO_TEXT.index(through, start) + len(through) if through else start + len(word)
    return (f'<PlainTextSelection guid="{guid}" name="" startPosition="{_u16(NVIVO_TEXT, start)}" '
            f'endPosition="{_u16(NVIVO_TEXT, end)}" creatingUser="{USER_A}">'
            f'<Coding guid="C{guid[1:]}" creatingUser="{USER_A}"><CodeRef targetGUID="{code}"/>'
            f'</Coding></PlainTextSelection>')


def _nvivo(tmp_path: Path) -> Path:
    g = "11111111-2222-3333-4444-55555555{:04d}"
    selections = "".join([
        _nvivo_selection(g.format(1), "hard", CODE_HARD),
        _nvivo_selection(g.format(2), "support stopped", CODE_P1),
        _nvivo_selection(g.format(3), "really", CODE_P2, through="And then"),
        _nvivo_selection(g.format(4), "happened", CODE_P2),
        _nvivo_selection(g.format(5), "Then", CASE),
    ])
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsd="http://www.w3.org/2001/XMLSchema"
         name="Leaving care" basePath="" creatingUserGUID="{USER_A}">
  <Users><User guid="{USER_A}" name="Dr Rose Smith" id="RS"/></Users>
  <CodeBook><Codes>
    <Code guid="{{{CODE_P1.lower()}}}" name="Phase 1" color="#FF000080">
      <Code guid="{CODE_HARD}" name="Support" isCodable="true"><Description>Help there</Description></Code>
    </Code>
    <Code guid="{CODE_P2}" name="Phase/2" isCodable="false" color="rgb(0, 128, 255)">
      <Code guid="99999999-2222-3333-4444-555555555555" name="Support" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Cases><Case guid="{CASE}" name="P1"/></Cases>
  <Sources>
    <TextSource guid="{SOURCE}" name="Interview 1.docx" plainTextPath="{SOURCE}.txt"
                richTextPath="internal://{SOURCE}.docx">
      {selections}
      <PlainTextSelection guid="{g.format(6)}" name="" startPosition="9000" endPosition="9004">
        <Coding guid="{g.format(7)}" creatingUser="{USER_A}"><CodeRef targetGUID="{CODE_P2}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{g.format(8)}" name="" startPosition="{_u16(NVIVO_TEXT, NVIVO_TEXT.index('How'))}"
                          endPosition="{_u16(NVIVO_TEXT, NVIVO_TEXT.index('How') + 3)}">
        <NoteRef targetGUID="{NOTE}"/>
      </PlainTextSelection>
    </TextSource>
    <PDFSource guid="{g.format(9)}" name="report.pdf" path="internal://{g.format(9)}.pdf"/>
  </Sources>
  <Notes><Note guid="{NOTE}" name="annotation" creatingUser="{USER_A}">
    <PlainTextContent>Opening question [as planned]</PlainTextContent></Note></Notes>
</Project>"""
    return _zip(tmp_path / "nvivo.qdpx", {
        "Leaving care.qde": qde.encode("utf-8"),
        f"Sources/{SOURCE}.txt": b"\xef\xbb\xbf" + NVIVO_TEXT.encode("utf-8"),
        f"Sources/~$lock-{SOURCE}.docx": b"junk",
        "sources/.root": b"",
    })


def test_nvivo_style_archive(tmp_path: Path) -> None:
    store = Store(tmp_path / "n.db")
    report = import_qdpx(store, _nvivo(tmp_path))
    assert len(report.positions) == 1 and "UTF-16" in report.positions[0]
    doc = store.documents()[0]
    assert doc.name == "Interview 1"
    paragraphs = store.paragraphs(doc.id)
    assert [(p.speaker, p.text) for p in paragraphs] == [
        ("Interviewer", "How was it when you left? 😀"),
        ("P1", "It was hard 🙁 really hard, you know."),
        ("Interviewer", "And then what happened?"),
        ("P1", "Then the support stopped at 18 💔 and that was it."),
    ]
    got = sorted((r.n, r.code_name, r.quote, r.coder) for r in store.segment_rows())
    assert got == sorted([
        (2, "Support", "hard", "Dr Rose Smith"),
        (2, "Phase-2", "really hard, you know.", "Dr Rose Smith"),
        (3, "Phase-2", "And then", "Dr Rose Smith"),
        (3, "Phase-2", "happened", "Dr Rose Smith"),
        (4, "Phase 1", "support stopped", "Dr Rose Smith"),
    ])
    codes = {c.guid: c for c in store.codes()}
    assert codes[CODE_P1].color == "#ff0000" and codes[CODE_P2].color == "#0080ff"
    assert codes[CODE_HARD].path == "Phase 1/Support"
    assert codes["99999999-2222-3333-4444-555555555555"].path == "Phase-2/Support"
    assert len({c.key for c in codes.values()}) == 4
    rose = store.coder_id("Dr Rose Smith", create=False)
    assert store.coder_guids()["Dr Rose Smith"] == USER_A
    assert store.paragraph_memo(rose, paragraphs[0].id) == "Opening question [as planned]"
    missing = " | ".join(report.not_imported)
    assert "1 selections outside" in missing
    assert "1 codings that point at something other than a code" in missing
    assert "PDFSource" in missing
    assert [c.name for c in store.cases()] == ["P1"] and store.cases()[0].guid == CASE.upper()
    assert any("split into one segment per paragraph" in w for w in report.warnings)
    assert any("non-codable" in w for w in report.warnings)
    store.close()


ATLAS_TEXT = ("Q: Where did you live after care?\r\n\r\n"
              "A: In a flat on my own, café downstairs.\r\n\r\n"
              "Q: Who helped?\r\n\r\n"
              "A: Nobody, honestly. My PA stopped calling.\r\n")


def _atlas(tmp_path: Path, name: str, quotes: list[str], first_guid: int = 0) -> Path:
    """An ATLAS.ti-style archive coding each quote (its first occurrence) with one code."""
    clean = ATLAS_TEXT.replace("\r\n", "\n")
    sels = "".join(
        f'<PlainTextSelection guid="22222222-2222-3333-4444-5555555500{i:02d}" name="{q}" '
        f'startPosition="{clean.index(q)}" endPosition="{clean.index(q) + len(q)}">'
        f'<Coding guid="33333333-2222-3333-4444-5555555500{i:02d}"><CodeRef targetGUID="{CODE_HARD}"/>'
        f'</Coding></PlainTextSelection>'
        for i, q in enumerate(quotes, start=first_guid))
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Study" origin="ATLAS.ti 23">
  <CodeBook><Codes><Code guid="{CODE_HARD}" name="Housing" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="{SOURCE}" name="Interview A" plainTextPath="internal://{SOURCE}.txt">
    {sels}</TextSource></Sources>
</Project>"""
    return _zip(tmp_path / name, {"Study.qde": qde.encode(),
                                  f"sources/{SOURCE}.txt": ATLAS_TEXT.encode()})


def test_atlas_style_crlf_counted_as_one(tmp_path: Path) -> None:
    quotes = ["flat on my own", "Nobody, honestly", "PA stopped calling", "Who helped"]
    path = _atlas(tmp_path, "atlas.qdpx", quotes)
    store = Store(tmp_path / "a.db")
    report = import_qdpx(store, path)
    assert len(report.positions) == 1 and "ATLAS.ti" in report.positions[0]
    assert sorted(r.quote for r in store.segment_rows()) == sorted(quotes)
    assert {r.coder for r in store.segment_rows()} == {"imported"}
    assert [p.speaker for p in store.paragraphs(store.documents()[0].id)] == ["Q", "A", "Q", "A"]
    store.close()


def test_foreign_file_keeps_its_own_speaker_detection(tmp_path: Path) -> None:
    """A description like coder's does not make another tool's text coder's: labels there are
    found as `coder import` finds them (a once-used `Honestly:` is text, not a speaker)."""
    text = "Q: Why?\n\nHonestly: no idea.\n\nQ: Really?\n\nA: Really."
    description = f'{LABELS_EXPLAINED}\nSpeakers: ["Honestly", "Q", "A"]'
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Study" origin="MAXQDA 24">
  <Sources><TextSource guid="{SOURCE}" name="fg" plainTextPath="internal://{SOURCE}.txt">
    <Description>{description}</Description></TextSource></Sources>
</Project>"""
    path = _zip(tmp_path / "maxqda.qdpx", {"project.qde": qde.encode(),
                                          f"sources/{SOURCE}.txt": text.encode()})
    store = Store(tmp_path / "m.db")
    import_qdpx(store, path)
    assert [(p.speaker, p.text) for p in store.paragraphs(store.documents()[0].id)] == [
        ("Q", "Why?"), (None, "Honestly: no idea."), ("Q", "Really?"), ("A", "Really.")]
    store.close()


def test_refuses_entities(tmp_path: Path) -> None:
    qde = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&b;"/>"""
    path = _zip(tmp_path / "bomb.qdpx", {"project.qde": qde})
    with pytest.raises(CoderError, match="entities"):
        import_qdpx(Store(tmp_path / "x.db"), path)


def test_caps_what_it_unpacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    qde = f"""<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources>
      <TextSource guid="{SOURCE}" name="zeros" plainTextPath="internal://{SOURCE}.txt"/>
      </Sources></Project>""".encode()
    path = tmp_path / "zeros.qdpx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
        zf.writestr(f"sources/{SOURCE}.txt", b"0" * 200_000)
    assert path.stat().st_size < 5_000
    monkeypatch.setattr(refi_read, "MAX_ARCHIVE_BYTES", 100_000)
    with pytest.raises(CoderError, match="zip bomb"):
        import_qdpx(Store(tmp_path / "x.db"), path)


def test_never_extracts_entries(tmp_path: Path) -> None:
    qde = f"""<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources>
      <TextSource guid="{SOURCE}" name="t" plainTextPath="internal://../../evil.txt"/>
      </Sources></Project>""".encode()
    work = tmp_path / "work"
    work.mkdir()
    path = _zip(work / "evil.qdpx", {"project.qde": qde, "../../evil.txt": b"gotcha"})
    with pytest.raises(CoderError, match="nothing to import"):
        import_qdpx(Store(work / "x.db"), path)
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.parametrize("entries, message", [
    ({"readme.txt": b"hi"}, "no project.qde"),
    ({"project.qde": b"<Project"}, "not well-formed XML"),
    ({"project.qde": b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'/>"}, "root element"),
])
def test_bad_archives_are_user_errors(tmp_path: Path, entries: dict, message: str) -> None:
    with pytest.raises(CoderError, match=message):
        import_qdpx(Store(tmp_path / "x.db"), _zip(tmp_path / "bad.qdpx", entries))


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.qdpx"
    path.write_text("hello", encoding="utf-8")
    result = CliRunner().invoke(main, ["refi", "import", str(path), "--db", str(tmp_path / "x.db")])
    assert result.exit_code != 0 and "not a ZIP" in result.output


def test_foreign_qdc_becomes_a_valid_yaml_codebook(tmp_path: Path) -> None:
    qdc = tmp_path / "nvivo.qdc"
    qdc.write_bytes(b"\xef\xbb\xbf" + f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1:0" origin="NVivo 12 for Mac">
  <Codes>
    <Code guid="{{{CODE_P1}}}" name="Yes/No answers" isCodable="false" color="rgb(255,0,0)">
      <Description>Closed questions.

Example: yes</Description>
      <Code guid="{CODE_HARD}" name="Choice" isCodable="true"/>
      <Code guid="{CODE_P2}" name="choice" isCodable="true" color="#12345678"/>
    </Code>
    <Code guid="99999999-2222-3333-4444-555555555555" name="東京" isCodable="true" color="mauve-ish"/>
  </Codes>
  <Sets><Set guid="{CASE}" name="Round 1"><MemberCode guid="{CODE_HARD}"/></Set></Sets>
</CodeBook>""".encode())
    text, report = qdc_to_yaml(qdc)
    out = tmp_path / "book.yaml"
    out.write_text(text, encoding="utf-8")
    assert check_codebook(out) == []
    book = load_codebook(out)
    assert [(c.name, c.parent_key is None) for c in book.codes] == [
        ("Yes-No answers", True), ("Choice", False), ("choice (2)", False), ("東京", True)]
    first = book.codes[0]
    assert (first.definition, first.example, first.color) == ("Closed questions.", "yes", "#ff0000")
    assert book.codes[2].color == "#123456"
    assert len({c.key for c in book.codes}) == 4
    notes = " | ".join(report.notes)
    assert "Set" in notes and "mauve-ish" in notes and "GUIDs" in notes


def test_failed_import_leaves_no_new_project(tmp_path: Path) -> None:
    bad = _zip(tmp_path / "bad.qdpx", {"project.qde": b"<Project"})
    db = tmp_path / "new.db"
    result = CliRunner().invoke(main, ["refi", "import", str(bad), "--db", str(db)])
    assert result.exit_code != 0 and "not well-formed" in result.output
    assert not db.exists()


def test_overlapping_selections_of_one_code_by_one_user_are_left_out_and_named(
        tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db")
    report = import_qdpx(store, _atlas(tmp_path, "a.qdpx",
                                       ["flat on my own", "my own, café", "Nobody"]))
    assert sorted(r.quote for r in store.segment_rows()) == ["Nobody", "flat on my own"]
    assert report.segments_added == 2
    text = store.paragraphs(store.documents()[0].id)[1].text
    left_out = [n for n in report.not_imported if "overlaps" in n]
    mine = text.index("my own, café")
    flat = text.index("flat on my own")
    assert left_out == [
        (f"Interview A para 2: housing by imported at {mine}-{mine + 12} overlaps the same "
        f"code by the same user at {flat}-{flat + 14} (coder keeps one coder's spans of one "
        "code apart)")]

    again = import_qdpx(store, _atlas(tmp_path, "b.qdpx", ["In a flat"], first_guid=50))
    assert again.segments_added == 0
    assert any("para 2: housing by imported" in n and "overlaps" in n
               for n in again.not_imported)
    assert sorted(r.quote for r in store.segment_rows()) == ["Nobody", "flat on my own"]


# ── re-imports and QualCoder files: nothing doubled, no foreign text changed ───

GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
QC_USER = "6E8F2B1A-3C4D-5E6F-8A9B-0C1D2E3F4A5B"
QC_CODE = "C1A4E3B2-77D0-5F1E-8B6A-9D2C4E5F6A78"
QC_SOURCE = "A0B1C2D3-E4F5-5A6B-8C7D-9E0F1A2B3C4D"
QC_NOTE = "D3E4F5A6-B7C8-5D9E-9F0A-2B3C4D5E6F7A"


def _reissued(qdpx: Path, out: Path) -> Path:
    """The archive as a tool writes it back after importing it: every GUID new (sources renamed
    to match), its own origin, and no entry it does not know."""
    with zipfile.ZipFile(qdpx) as zf:
        entries = {n: zf.read(n) for n in zf.namelist() if n != "coder.json"}
    fresh: dict[str, str] = {}

    def new(m: re.Match[str]) -> str:
        return fresh.setdefault(m.group(0).upper(), str(uuid.uuid4()).upper())

    qde = GUID.sub(new, entries.pop("project.qde").decode())
    qde = re.sub(r'origin="[^"]*"', 'origin="QualCoder 3.6"', qde, count=1)
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("project.qde", qde)
        for name, data in entries.items():
            zf.writestr(GUID.sub(new, name), data)
    return out


def test_importing_our_own_export_adds_nothing(project: Store, tmp_path: Path) -> None:
    qdpx = tmp_path / "p.qdpx"
    project_qdpx(project, qdpx)
    segments = len(project.segment_rows())
    report = import_qdpx(project, qdpx)
    assert (report.documents_added, report.codes_added, report.segments_added,
            report.memos_added) == ([], [], 0, 0)
    assert report.codes_matched_by == {"GUID": len(project.codes())}
    assert report.segments_skipped == segments == len(project.segment_rows())


@pytest.mark.parametrize("labels", [True, False])
def test_a_reexport_with_new_guids_adds_nothing(project: Store, tmp_path: Path,
                                                labels: bool) -> None:
    qdpx = tmp_path / "p.qdpx"
    project_qdpx(project, qdpx, speaker_labels=labels)
    again = _reissued(qdpx, tmp_path / "qualcoder.qdpx")
    before = len(project.segment_rows())
    report = import_qdpx(project, again)
    assert report.documents_added == [] and report.codes_added == []
    assert report.codes_matched_by == {"path": len(project.codes())}
    assert report.segments_added == 0 and len(project.segment_rows()) == before
    assert sorted(report.documents_matched) == sorted(d.name for d in project.documents())


def _code(key: str, name: str, path: str, guid: str = "") -> Code:
    return Code(id=0, key=key, name=name, parent_id=None, path=path, guid=guid)


def _refi(guid: str, name: str, parent: str | None = None) -> RefiCode:
    return RefiCode(guid, name, True, None, "", parent, 0 if parent is None else 1)


def test_codes_match_by_guid_then_path_then_unique_name() -> None:
    existing = [_code("stigma", "Stigma", "Stigma", "AAAAAAAA-0000-0000-0000-000000000001"),
                _code("labels", "Labels", "Stigma/Labels"),
                _code("moved", "Moved away", "Care/Moved away"),
                _code("other-a", "Other", "Care/Other"), _code("other-b", "Other", "Stigma/Other")]
    codes = [_refi("BBBBBBBB-0000-0000-0000-000000000001", "stigma "),
             _refi("AAAAAAAA-0000-0000-0000-000000000001", "Renamed elsewhere"),
             _refi("BBBBBBBB-0000-0000-0000-000000000002", "labels",
                   "BBBBBBBB-0000-0000-0000-000000000001"),
             _refi("BBBBBBBB-0000-0000-0000-000000000003", "Moved  away"),
             _refi("BBBBBBBB-0000-0000-0000-000000000004", "Other")]
    keys, how = match_codes(codes, existing)
    assert keys == {"AAAAAAAA-0000-0000-0000-000000000001": "stigma",
                    "BBBBBBBB-0000-0000-0000-000000000002": "labels",
                    "BBBBBBBB-0000-0000-0000-000000000003": "moved"}
    assert how == {"AAAAAAAA-0000-0000-0000-000000000001": "GUID",
                   "BBBBBBBB-0000-0000-0000-000000000002": "path",
                   "BBBBBBBB-0000-0000-0000-000000000003": "name"}


def _foreign(tmp_path: Path, text: str, selections: str = "", source_extra: str = "",
             notes: str = "", name: str = 'name="fg"') -> Path:
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Study" origin="QualCoder 3.6">
  <Users><User guid="{QC_USER}" name="ann"/></Users>
  <CodeBook><Codes><Code guid="{QC_CODE}" name="Waiting" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="{QC_SOURCE}" {name} plainTextPath="internal://{QC_SOURCE}.txt"
    creatingUser="{QC_USER}">{selections}{source_extra}</TextSource></Sources>
  {notes}
</Project>"""
    path = tmp_path / "qc.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr(f"sources/{QC_SOURCE}.txt", text.encode())
    return path


def _selection(start: int, end: int) -> str:
    return (f'<PlainTextSelection guid="{uuid.uuid4()}" startPosition="{start}" '
            f'endPosition="{end}" creatingUser="{QC_USER}"><Coding guid="{uuid.uuid4()}" '
            f'creatingUser="{QC_USER}"><CodeRef targetGUID="{QC_CODE}"/></Coding></PlainTextSelection>')


DABOR = ("Mr. Dabor:   We waited for the bus.\n\nMs. Kay: Why so long?\n\n"
         "Mr. Dabor:   Nobody came.\n\nMs. Kay: Right.")


def _stored(store: Store) -> tuple[list[tuple[str | None, str]], list[str]]:
    doc = store.documents()[0]
    return ([(p.speaker, p.text) for p in store.paragraphs(doc.id)],
            [r.quote for r in store.segment_rows()])


def test_a_selection_starting_at_a_label_keeps_the_label_and_its_spaces(tmp_path: Path) -> None:
    end = DABOR.index("bus.") + 4
    store = Store(tmp_path / "s.db")
    import_qdpx(store, _foreign(tmp_path, DABOR, _selection(0, end)))
    paragraphs, quotes = _stored(store)
    assert "\n\n".join(text for _, text in paragraphs) == DABOR
    assert all(speaker is None for speaker, _ in paragraphs)
    assert quotes == [DABOR[:end]]
    store.close()


def test_labels_are_taken_off_where_text_and_positions_stay_the_same(tmp_path: Path) -> None:
    text = ("Mr. Dabor: We waited.\n\nMs. Kay: Why so long?\n\nMr. Dabor: Nobody came."
            "\n\nMs. Kay: Right.")
    start = text.index("Nobody")
    store = Store(tmp_path / "s.db")
    import_qdpx(store, _foreign(tmp_path, text, _selection(start, text.index("came.") + 5)))
    paragraphs, quotes = _stored(store)
    assert paragraphs == [("Mr. Dabor", "We waited."), ("Ms. Kay", "Why so long?"),
                          ("Mr. Dabor", "Nobody came."), ("Ms. Kay", "Right.")]
    assert quotes == ["Nobody came."]
    store.close()


def test_irregular_label_spacing_keeps_labels_as_text(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    import_qdpx(store, _foreign(tmp_path, DABOR))
    paragraphs, _ = _stored(store)
    assert "\n\n".join(text for _, text in paragraphs) == DABOR
    store.close()


def test_a_qualcoder_annotation_becomes_a_memo_on_its_text(tmp_path: Path) -> None:
    start = DABOR.index("Nobody")
    note = (f'<Notes><Note guid="{QC_NOTE}" modifyingUser="{QC_USER}" '
            f'modifiedDateTime="2021-01-15T23:37:54Z"><PlainTextContent>he means the council'
            f'</PlainTextContent><PlainTextSelection guid="{uuid.uuid4()}" '
            f'startPosition="{start}" endPosition="{start + 6}"/></Note></Notes>')
    store = Store(tmp_path / "s.db")
    report = import_qdpx(store, _foreign(tmp_path, DABOR, source_extra=f'<NoteRef targetGUID="{QC_NOTE}"/>',
                                         notes=note))
    doc = store.documents()[0]
    third = store.paragraphs(doc.id)[2]
    assert store.paragraph_memo(store.coder_id("ann", create=False), third.id) == "he means the council"
    assert report.memos_added == 1
    assert not any("not attached" in n for n in report.not_imported)
    store.close()


def test_a_source_without_a_name_is_named_after_its_file(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    import_qdpx(store, _foreign(tmp_path, "Some text.",
                                name='path="relative://interviews/Interview%2007.docx"'))
    assert [d.name for d in store.documents()] == ["Interview 07"]
    store.close()
