"""Text extracted from a PDF (seed east-of-england…): reflow and page furniture (guide B.6)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coder.ingest import read_document

SEED = (
    Path(__file__).resolve().parent.parent
    / "seeds"
    / "east-of-england-evidence-session-2021-05.txt"
)
RUNNING_HEADER = "APPG for Looked After Children and Care Leavers | Spotlight Inquiry"


@pytest.fixture(scope="module")
def doc():
    return read_document(SEED)


def by_start(doc, start: str):
    matches = [p for p in doc.paragraphs if p.text.startswith(start)]
    assert len(matches) == 1, start
    return matches[0]


def test_detected_as_pdf_text(doc) -> None:
    assert doc.format == "pdf-text"
    raw_nonblank = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    # paragraphs were rebuilt: far fewer than the printed lines
    assert len(doc.paragraphs) < len(raw_nonblank) / 2
    assert any("joined" in w for w in doc.warnings)


def test_running_header_is_furniture_not_text(doc) -> None:
    assert all(RUNNING_HEADER not in p.text for p in doc.paragraphs)
    furniture = doc.meta["furniture"]
    raw = SEED.read_text(encoding="utf-8").split("\n")
    header_line = next(i for i, line in enumerate(raw, start=1) if line.strip() == RUNNING_HEADER)
    assert {"line": header_line, "text": RUNNING_HEADER} in furniture
    assert {"line": header_line + 2, "text": "5"} in furniture
    assert any(f"{len(furniture)} line(s) of page furniture" in w for w in doc.warnings)


def test_footer_and_footnote_urls_are_furniture(doc) -> None:
    texts = [f["text"] for f in doc.meta["furniture"]]
    assert "https://becomecharity.org.uk/improving-the-care-system/appg/spotlight-inquiry/" in texts
    heritage = (
        "https://www.leicestershirecares.co.uk/get-help/individuals/young-people/"
        "care-experience/taking-back-our-heritage/"
    )
    assert texts.count(heritage) == 2
    assert len(texts) == 5


def test_footer_url_inside_a_paragraph_does_not_split_it(doc) -> None:
    para = by_start(doc, "Jacob and Casey from Leicestershire Cares")
    assert "photography and photovoice. The young people investigated the memories" in para.text
    assert para.text.endswith("interviewing and documenting care experience young people.")
    assert "becomecharity" not in para.text


def test_a_quotation_is_one_whole_paragraph(doc) -> None:
    quote = by_start(doc, "“We don’t have stories passed down")
    assert quote.text == (
        "“We don’t have stories passed down, we’ve got no ties to whatever made up our past, and "
        "you don’t quite realise how big a thing it is until you don’t actually have it.”"
    )
    assert quote.kind == "quote"


def test_quotation_across_a_page_break(doc) -> None:
    quote = by_start(doc, "“Locally a community 'offer' can be developed")
    assert quote.text == (
        "“Locally a community 'offer' can be developed so YP can pick or choose the "
        "groups/activities they want to get involved in, gaps can be plugged in the offer to "
        "cover missing pieces, this doesn't help if a YP doesn't want to return to the 'placing "
        "authority' perhaps more joined up working between LA's and Leaving Care teams would help.”"
    )


def test_line_end_hyphens_are_kept(doc) -> None:
    assert by_start(doc, "Casey also shared").text == (
        "Casey also shared her experience of finding comfort and security amongst groups of "
        "other care-experienced young people."
    )
    assert by_start(doc, "To find out more").text == (
        "To find out more about the project and download a PDF copy of the book, please visit "
        "https://www.leicestershirecares.co.uk/get-help/individuals/young-people/care-experience/"
        "taking-back-our-heritage/."
    )


def test_title_headings_and_numbered_questions(doc) -> None:
    assert doc.paragraphs[0].text == "East of England and East Midlands evidence session notes"
    headings = [p.text for p in doc.paragraphs if p.kind == "heading"]
    for heading in (
        "Monday 17th May 2021, 4.30 – 6pm",
        "Welcome and introductions",
        "Spotlight on… Taking Hold of Our Heritage",
        "Instability – ‘putting down roots’",
        "Perceptions and trust with professionals in care",
        "Thanks and key reflections from attendees",
    ):
        assert heading in headings
    questions = [p.text for p in doc.paragraphs if p.kind == "list"]
    assert [q[:3] for q in questions] == ["1. ", "2. ", "3. ", "4. "]
    assert questions[0] == (
        "1. How can experiences of care impact on connections with communities? What are some of "
        "the barriers care-experienced young people often face?"
    )


def test_no_text_is_lost(doc) -> None:
    """Every non-space character of the file is in a paragraph or in the furniture, in order."""
    raw = SEED.read_text(encoding="utf-8").split("\n")
    pieces: list[tuple[int, str]] = []
    for p in doc.paragraphs:
        line_map = p.meta["line_map"]
        for i, (offset, line) in enumerate(line_map):
            end = line_map[i + 1][0] if i + 1 < len(line_map) else len(p.text)
            pieces.append((line, p.text[offset:end]))
    pieces += [(f["line"], f["text"]) for f in doc.meta["furniture"]]
    rebuilt = "".join(text for _, text in sorted(pieces, key=lambda x: x[0]))
    assert re.sub(r"\s+", "", rebuilt) == re.sub(r"\s+", "", "".join(raw))
    for line, text in pieces:
        assert text.strip() == raw[line - 1].strip()


def test_web_derived_seeds_are_not_reflowed() -> None:
    seeds = SEED.parent
    for name in (
        "west-midlands-evidence-session-2021-03.txt",
        "care-leavers-plymouth-blog.txt",
        "bridge-the-gap-explore-2021-09.txt",
        "care-review-newsletter-2021-09.txt",
    ):
        assert read_document(seeds / name).format == "text", name


def test_pdf_text_transcript_gets_speakers(tmp_path: Path) -> None:
    wrapped = []
    for i in range(6):
        wrapped += [
            f"Interviewer: question number {i} was asked about leaving care and what",
            "happened afterwards with the support that had been promised to them",
            "before.",
            f"P1: answer number {i} came slowly because the support had dropped away",
            "once they turned eighteen and moved into a flat on their own.",
        ]
    path = tmp_path / "extracted.txt"
    path.write_text("\n\n".join(wrapped) + "\n", encoding="utf-8")
    doc = read_document(path)
    assert doc.format == "turns"
    assert doc.meta["layout"] == "pdf-text"
    assert [p.speaker for p in doc.paragraphs] == ["Interviewer", "P1"] * 6
    # a content line that recurs is not mistaken for a running header
    assert not doc.meta.get("furniture")
    assert doc.paragraphs[0].text == (
        "question number 0 was asked about leaving care and what happened afterwards with the "
        "support that had been promised to them before."
    )
    assert doc.paragraphs[1].text == (
        "answer number 0 came slowly because the support had dropped away once they turned "
        "eighteen and moved into a flat on their own."
    )


def test_running_headers_and_page_numbers_on_every_page(tmp_path: Path) -> None:
    body = [
        "The first paragraph of this report describes what young people told us about the",
        "support that stopped when they turned eighteen and had to move out of their homes.",
        "Nobody explained what would happen next.",
        "A second paragraph follows here and it continues across the bottom of the page so",
        "that the next page has to pick it up again where it stopped without any warning",
        "at all, which is how extracted text usually looks.",
    ]
    pages = []
    for n in range(1, 4):
        page = ["Care Leavers Report 2021"] + body + [f"Page {n} of 3"]
        pages.append("\n\n".join(page))
    path = tmp_path / "report.txt"
    path.write_text("\n\n\n\n".join(pages) + "\n", encoding="utf-8")
    doc = read_document(path)
    assert doc.format == "pdf-text"
    furniture = [f["text"] for f in doc.meta["furniture"]]
    assert furniture.count("Care Leavers Report 2021") == 3
    assert furniture.count("Page 2 of 3") == 1
    assert len(furniture) == 6
    assert [p.text for p in doc.paragraphs][:2] == [
        " ".join(body[:3]),
        " ".join(body[3:]),
    ]
    assert len(doc.paragraphs) == 6
