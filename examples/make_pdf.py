"""Typeset the West Midlands seed as a small PDF report, for the README's PDF import example.

Run `python examples/make_pdf.py` (needs fpdf2, a test extra). The text is the seed's (a public
APPG document, see seeds/README.md); the layout is a typical report's: a running header, page
numbers, headings bookmarked in the PDF outline, justified paragraphs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fpdf import FPDF

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coder.ingest import read_document

FONT = Path("/usr/share/fonts/truetype/dejavu")


class Report(FPDF):
    def header(self) -> None:
        self.set_font("body", size=8)
        self.cell(0, 8, "APPG for Looked After Children and Care Leavers | Spotlight Inquiry")
        self.ln(12)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("body", size=8)
        self.cell(0, 10, str(self.page_no()), align="C")


def main() -> None:
    parsed = read_document(ROOT / "seeds" / "west-midlands-evidence-session-2021-03.txt")
    pdf = Report()
    pdf.add_font("body", "", str(FONT / "DejaVuSans.ttf"))
    pdf.add_font("body", "B", str(FONT / "DejaVuSans-Bold.ttf"))
    pdf.set_title(parsed.meta.get("title", ""))
    pdf.add_page()
    for p in parsed.paragraphs:
        if p.kind == "table":
            continue
        if p.kind == "heading":
            pdf.set_font("body", "B", 13)
            pdf.start_section(p.text)
            pdf.multi_cell(0, 8, p.text)
        else:
            pdf.set_font("body", size=10)
            pdf.multi_cell(0, 5.5, p.text, align="J")
        pdf.ln(3)
    pdf.output(str(ROOT / "examples" / "evidence-session.pdf"))


if __name__ == "__main__":
    main()
