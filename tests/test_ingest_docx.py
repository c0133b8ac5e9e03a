"""Word (.docx) import: body order, headings, tables, tracked changes (guide B.5)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from coder.errors import CoderError
from coder.ingest import read_document


def tracked(p, inserted: str, deleted: str) -> None:
    p._p.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="1" w:author="KB" w:date="2025-01-10T09:30:00Z">'
            f'<w:r><w:t xml:space="preserve">{inserted}</w:t></w:r></w:ins>'
        )
    )
    p._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="2" w:author="KB" w:date="2025-01-10T09:31:00Z">'
            f'<w:r><w:delText xml:space="preserve">{deleted}</w:delText></w:r></w:del>'
        )
    )


@pytest.fixture
def interview(tmp_path: Path) -> Path:
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Confidential draft"
    d.add_heading("Interview 3", level=1)
    d.add_paragraph("Interviewer:\tSo what happened when you turned eighteen?")
    p = d.add_paragraph("P3: I moved into a flat on my own")
    tracked(p, " in Plymouth", " somewhere")
    p.add_run(".")
    d.add_paragraph("Nobody came round after that [laughs].")
    d.add_paragraph("Interviewer: Nobody at all?")
    d.add_heading("Themes", level=2)
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Theme"
    table.cell(0, 1).text = "Quote"
    table.cell(1, 0).text = "Stigma"
    table.cell(1, 1).text = "People hear care and assume"
    body = d.element.body
    body.insert(
        len(body) - 1,
        parse_xml(
            f"<w:sdt {nsdecls('w')}><w:sdtPr/><w:sdtContent><w:p><w:r>"
            "<w:t>Text inside a content control.</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        ),
    )
    path = tmp_path / "interview.docx"
    d.save(str(path))
    return path


def test_docx_paragraphs_in_body_order(interview: Path) -> None:
    doc = read_document(interview)
    assert doc.format == "docx"
    assert [(p.kind, p.speaker, p.text) for p in doc.paragraphs] == [
        ("heading", None, "Interview 3"),
        ("text", "Interviewer", "So what happened when you turned eighteen?"),
        ("text", "P3", "I moved into a flat on my own in Plymouth."),
        ("text", "P3", "Nobody came round after that [laughs]."),
        ("text", "Interviewer", "Nobody at all?"),
        ("heading", None, "Themes"),
        ("table", None, "Theme\tQuote"),
        ("table", None, "Stigma\tPeople hear care and assume"),
        ("text", None, "Text inside a content control."),
    ]
    assert doc.paragraphs[0].meta["style"] == "Heading 1"


def test_docx_tracked_changes_and_unread_parts_are_reported(interview: Path) -> None:
    doc = read_document(interview)
    assert "somewhere" not in " ".join(p.text for p in doc.paragraphs)
    assert any(
        "1 insertion(s) were read as text and 1 deletion(s) were left out" in w
        for w in doc.warnings
    )
    assert any("Not imported" in w and "headers" in w for w in doc.warnings)
    assert not any("Confidential draft" in p.text for p in doc.paragraphs)


def test_docx_teams_headers_and_transcript_table(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("Alex Reid   0:03")
    d.add_paragraph("So what happened next?")
    d.add_paragraph("Jordan Lee   0:10")
    d.add_paragraph("I moved out.")
    p = d.add_paragraph("Alex Reid   1:02")
    p.add_run().add_break()
    p.add_run("And then?")
    table = d.add_table(rows=4, cols=3)
    rows = [
        ("Time", "Speaker", "Text"),
        ("00:01:05", "Interviewer", "How was it?"),
        ("00:01:09", "P2", "Hard."),
        ("00:01:15", "", "Really hard."),
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    path = tmp_path / "teams.docx"
    d.save(str(path))
    doc = read_document(path)
    assert [(p.kind, p.speaker, p.start_time, p.text) for p in doc.paragraphs] == [
        ("text", "Alex Reid", 3.0, "So what happened next?"),
        ("text", "Jordan Lee", 10.0, "I moved out."),
        ("text", "Alex Reid", 62.0, "And then?"),
        ("text", "Interviewer", 65.0, "How was it?"),
        ("text", "P2", 69.0, "Hard."),
        ("text", None, 75.0, "Really hard."),  # no speaker in the row: not P2's
    ]
    assert doc.meta["transcript_table_headers"] == [["Time", "Speaker", "Text"]]


def test_docx_transcript_table_keeps_a_cells_paragraphs_and_its_rows_own_speakers(
    tmp_path: Path,
) -> None:
    d = docx.Document()
    table = d.add_table(rows=5, cols=2)
    rows = [("Speaker", "Text"), ("Interviewer", "Where did you live?"),
            ("P1", "In a flat."), ("", "[recording paused]"), ("Interviewer", "And after?")]
    for r, (who, text) in enumerate(rows):
        table.cell(r, 0).text = who
        table.cell(r, 1).text = text
    table.cell(2, 1).add_paragraph("Then a hostel, for a year.")
    path = tmp_path / "table.docx"
    d.save(str(path))
    doc = read_document(path)
    assert [(p.kind, p.speaker, p.text) for p in doc.paragraphs] == [
        ("text", "Interviewer", "Where did you live?"),
        ("text", "P1", "In a flat."),
        ("text", "P1", "Then a hostel, for a year."),
        ("text", None, "[recording paused]"),
        ("text", "Interviewer", "And after?"),
    ]
    assert [p.meta["row"] for p in doc.paragraphs] == [2, 3, 3, 4, 5]


def test_docx_errors(tmp_path: Path) -> None:
    not_zip = tmp_path / "notes.docx"
    not_zip.write_bytes(b"this is not a zip file")
    with pytest.raises(CoderError, match="Not a valid .docx") as err:
        read_document(not_zip)
    assert err.value.path == str(not_zip)

    other_zip = tmp_path / "other.docx"
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(CoderError, match="Not a valid .docx"):
        read_document(other_zip)

    blank = tmp_path / "blank.docx"
    docx.Document().save(str(blank))
    with pytest.raises(CoderError, match="no text"):
        read_document(blank)


def _turns_docx(path: Path, bullets: set[int], turns: list[str]) -> Path:
    d = docx.Document()
    for i, turn in enumerate(turns):
        d.add_paragraph(turn, style="List Bullet" if i in bullets else None)
    d.save(str(path))
    return path


def test_docx_turn_typed_as_a_bullet_is_a_turn(tmp_path: Path) -> None:
    turns = ["Interviewer: How did it start?", "P1: I was moved at twelve.",
             "Interviewer: And then?", "P1: Then again at fourteen.", "Interviewer: Why?",
             "P1: Nobody said."]
    for bullets in ({1}, {1, 3, 5}):
        doc = read_document(_turns_docx(tmp_path / "bullets.docx", bullets, turns))
        assert [(p.speaker, p.text) for p in doc.paragraphs] == [
            tuple(t.split(": ", 1)) for t in turns]
        assert [p.kind for p in doc.paragraphs][1] == "list"


def test_import_suggests_speakers_for_a_bullet_and_the_suggestion_works(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from coder.cli import main

    path = _turns_docx(tmp_path / "once.docx", {2}, [
        "Interviewer: How did it start?", "Interviewer: Go on.", "Bob: I was moved at twelve."])
    db = str(tmp_path / "p.db")
    runner = CliRunner()
    first = runner.invoke(main, ["import", str(path), "--db", db])
    assert first.exit_code == 0, first.output
    assert "not taken as speakers (heard once): Bob (¶3)" in first.output
    suggested = first.output.split("import again with ")[1].split()
    assert suggested == ["--replace", "once", "--speakers", "'Bob'"]
    again = runner.invoke(main, ["import", str(path), "--replace", "once", "--speakers", "Bob",
                                 "--db", db])
    assert again.exit_code == 0 and "replaced the text of 'once'" in again.output, again.output
    shown = json.loads(runner.invoke(main, ["show", "once", "--json", "--db", db]).output)
    assert [(p["speaker"], p["text"]) for p in shown][2] == ("Bob", "I was moved at twelve.")


def test_a_heading_that_looks_like_a_label_is_not_offered_as_a_speaker(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from coder.cli import main

    d = docx.Document()
    d.add_heading("Section One: Background", level=1)
    d.add_paragraph("Interviewer: How did it start?")
    d.add_paragraph("Interviewer: Go on.")
    d.save(str(tmp_path / "h.docx"))
    out = CliRunner().invoke(main, ["import", str(tmp_path / "h.docx"),
                                    "--db", str(tmp_path / "p.db")])
    assert out.exit_code == 0 and "not taken as speakers" not in out.output, out.output
