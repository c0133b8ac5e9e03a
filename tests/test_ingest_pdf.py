"""PDFs imported directly: built here with fpdf2 (a test-only dependency) so every property is
known: wrapped paragraphs, running header and page numbers, bookmarked headings, a page with no
text; and files recognised by content whatever their extension."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docx import Document
from fpdf import FPDF

from coder.errors import CoderError
from coder.ingest import read_document

SENTENCE = ("Young people told us that leaving care at eighteen felt like falling off a cliff, "
            "and that care-experienced adults are still judged for it years later. ")
PARAGRAPHS = [f"Point {i}. " + SENTENCE + "So it goes on." for i in range(1, 61)]


class _Report(FPDF):
    def header(self) -> None:
        self.set_font("Helvetica", size=8)
        self.cell(0, 8, "APPG Spotlight Inquiry | Evidence session")
        self.ln(12)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.cell(0, 10, str(self.page_no()), align="C")


def _report(path: Path) -> Path:
    pdf = _Report()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.start_section("Evidence session notes")
    pdf.multi_cell(0, 10, "Evidence session notes")
    pdf.ln(4)
    for i, text in enumerate(PARAGRAPHS):
        if i == 30:
            pdf.set_font("Helvetica", "B", 13)
            pdf.start_section("What happens next")
            pdf.multi_cell(0, 8, "What happens next")
            pdf.ln(2)
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, text)
        pdf.ln(4)
    pdf.output(str(path))
    return path


def test_a_report_comes_in_as_paragraphs_with_headings(tmp_path: Path) -> None:
    parsed = read_document(_report(tmp_path / "report.pdf"))
    texts = [p.text for p in parsed.paragraphs]
    assert [p.text for p in parsed.paragraphs if p.kind == "heading"] == [
        "Evidence session notes", "What happens next"]
    assert [t for t in texts if t.startswith("Point")] == [" ".join(p.split()) for p in PARAGRAPHS]
    assert "care-experienced" in texts[1]
    assert parsed.meta["title"] == "Evidence session notes"
    assert parsed.meta["pages"] >= 2
    furniture = [f["text"] for f in parsed.meta["furniture"]]
    assert "2" in furniture or any("Spotlight" in str(f) for f in furniture)
    assert not any("Spotlight Inquiry |" in t for t in texts[1:])
    assert parsed.format == "pdf"


def test_a_pdf_without_a_text_layer_is_refused_in_one_sentence(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    pdf.output(str(tmp_path / "scan.pdf"))
    with pytest.raises(CoderError) as info:
        read_document(tmp_path / "scan.pdf")
    message = str(info.value)
    assert "no text layer" in message and "OCR" in message and message.count(". ") <= 1


def test_a_broken_pdf_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.7\n" + b"garbage " * 50)
    with pytest.raises(CoderError, match="bad.pdf"):
        read_document(tmp_path / "bad.pdf")


def test_a_pdf_or_docx_under_the_wrong_extension_is_read_by_content(tmp_path: Path) -> None:
    pdf = shutil.copy(_report(tmp_path / "r.pdf"), tmp_path / "report.txt")
    parsed = read_document(Path(pdf))
    assert parsed.format == "pdf" and "is a PDF although its name ends in .txt" in parsed.warnings[0]
    docx = tmp_path / "interview.docx"
    document = Document()
    for text in ("Interviewer: How was it?", "P1: Hard.", "Interviewer: Why?", "P1: Money."):
        document.add_paragraph(text)
    document.save(str(docx))
    renamed = shutil.copy(docx, tmp_path / "interview.doc")
    as_doc = read_document(Path(renamed))
    assert [p.text for p in as_doc.paragraphs] == [p.text for p in read_document(docx).paragraphs]
    assert "Word document" in as_doc.warnings[0]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_text(tmp_path: Path, codec: str) -> None:
    lines = ["How was it?", "Hard — the café closed, naïve of me.", "Then what?"]
    (tmp_path / "t.txt").write_bytes("\n\n".join(lines).encode(codec))
    parsed = read_document(tmp_path / "t.txt")
    assert [p.text for p in parsed.paragraphs] == lines
    assert any(codec.upper() in w for w in parsed.warnings)
