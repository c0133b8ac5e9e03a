"""The write-up report in Markdown, HTML and Word, read back with real parsers."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from test_export_fixture import build_project

from coder.cli import main
from coder.export.render import md_blockquote
from coder.store import Store


@pytest.fixture
def project(tmp_path: Path) -> Store:
    store = build_project(tmp_path / "p.db")
    yield store
    store.close()


def _expected_quotes(store: Store) -> list[tuple[str, str]]:
    """(code key, quote + citation) per distinct passage, in codebook then reading order."""
    order = ["stigma", "labels", "media", "leaving-care"]
    out = []
    for key in order:
        seen: dict[tuple, list[str]] = {}
        texts: dict[tuple, str] = {}
        for r in store.segment_rows(code_keys=[key]):
            k = (r.document, r.n, r.start, r.end)
            seen.setdefault(k, []).append(r.coder)
            where = f"{r.document}, para {r.n}" + (f", {r.speaker}" if r.speaker else "")
            texts[k] = f"{r.quote} ({where})"
        out += [(key, texts[k] + " — " + ", ".join(coders)) for k, coders in seen.items()]
    return out


class _Collector(HTMLParser):
    """Text of <blockquote>s and headings; <br> as a newline, source newlines dropped."""

    def __init__(self, *, drop_newlines: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.drop = drop_newlines
        self.quotes: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self.spans: list[str] = []
        self._in: list[str] = []
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag in ("blockquote", "h1", "h2", "h3", "h4", "h5", "h6") or (
                tag == "span" and attrs.get("class") == "quote"):
            self._in.append(tag if tag != "span" else "quote")
            self._buf = []
        elif tag == "br" and self._in:
            self._buf.append("\n")

    def handle_endtag(self, tag: str) -> None:
        name = "quote" if tag == "span" and self._in and self._in[-1] == "quote" else tag
        if self._in and self._in[-1] == name:
            self._in.pop()
            text = "".join(self._buf)
            if name == "blockquote":
                self.quotes.append(text if self.drop else text.strip("\n"))
            elif name == "quote":
                self.spans.append(text)
            else:
                self.headings.append((name, text))

    def handle_data(self, data: str) -> None:
        if self._in:
            self._buf.append(data.replace("\n", "") if self.drop else data)


def test_markdown_renders_every_quote_exactly(project: Store) -> None:
    result = CliRunner().invoke(main, ["export", "segments", "--db", str(project.path),
                                       "--format", "md"])
    assert result.exit_code == 0, result.output
    rendered = MarkdownIt("commonmark").render(result.stdout)
    parsed = _Collector(drop_newlines=True)
    parsed.feed(rendered)
    assert parsed.quotes == [q for _, q in _expected_quotes(project)]
    headings = [(tag, text) for tag, text in parsed.headings]
    assert headings[:5] == [("h1", "Coded segments"), ("h2", "Stigma"), ("h3", "Labels"),
                            ("h4", "Media images"), ("h2", "Leaving care")]
    assert ("h2", "Codes with no segments") in headings
    assert "Named labels [sic] and *stereotypes*" in rendered


def test_html_is_self_contained_and_exact(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["export", "segments", "--db", str(project.path),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page and "<link" not in page and "src=" not in page
    parsed = _Collector(drop_newlines=False)
    parsed.feed(page)
    expected = _expected_quotes(project)
    assert parsed.spans == [q.rsplit(" (", 1)[0] for _, q in expected]
    assert "<b>tags</b>" not in page


def test_docx_uses_word_styles_and_exact_text(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    result = CliRunner().invoke(main, ["export", "segments", "--db", str(project.path),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == "Title"
    headings = [(p.style.name, p.text) for p in paragraphs if p.style.name.startswith("Heading")]
    assert headings[:4] == [("Heading 1", "Stigma"), ("Heading 2", "Labels"),
                            ("Heading 3", "Media images"), ("Heading 1", "Leaving care")]
    quotes = [p for p in paragraphs if p.style.name == "Quote"]
    expected = _expected_quotes(project)
    assert [p.text for p in quotes] == [q for _, q in expected]
    assert [p.runs[0].text for p in quotes] == [q.rsplit(" (", 1)[0] for _, q in expected]


@pytest.mark.parametrize(("lang", "args", "author", "size_mm"), [
    ("en_US.UTF-8", ["--coder", "alice"], "alice", (215.9, 279.4)),
    ("en_GB.UTF-8", [], None, (210.0, 297.0)),
    ("en_CA.UTF-8", ["--page-size", "a4", "--coder", "alice", "--coder", "bob"], None,
     (210.0, 297.0)),
    ("nl_NL.UTF-8", ["--page-size", "letter"], None, (215.9, 279.4)),
])
def test_docx_report_author_and_page_size(project: Store, tmp_path: Path, lang: str,
                                          args: list[str], author: str | None,
                                          size_mm: tuple[float, float]) -> None:
    import getpass

    out = tmp_path / "report.docx"
    result = CliRunner(env={"LANG": lang, "LC_ALL": None, "LC_PAPER": None}).invoke(
        main, ["export", "segments", "--db", str(project.path), "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    section = document.sections[0]
    assert (round(section.page_width.mm, 1), round(section.page_height.mm, 1)) == size_mm
    props = document.core_properties
    assert props.author == (author or getpass.getuser()) == props.last_modified_by
    assert props.created.year >= 2025 and "python-docx" not in (props.comments or "")


def test_page_size_is_for_docx_only(project: Store) -> None:
    result = CliRunner().invoke(main, ["export", "segments", "--db", str(project.path),
                                       "--format", "md", "--page-size", "a4"])
    assert result.exit_code == 2 and "--page-size is for docx" in result.output


def test_filters_and_single_coder_citation(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "alice.docx"
    result = CliRunner().invoke(main, ["export", "segments", "--db", str(project.path),
                                       "--coder", "alice", "--code", "labels", "--out", str(out)])
    assert result.exit_code == 0, result.output
    quotes = [p.text for p in docx.Document(str(out)).paragraphs if p.style.name == "Quote"]
    expected = []
    for r in project.segment_rows(coders=["alice"], code_keys=["labels", "media"]):
        where = f"{r.document}, para {r.n}" + (f", {r.speaker}" if r.speaker else "")
        expected.append(f"{r.quote} ({where})")
    assert quotes == expected


def test_control_characters_do_not_break_word(project: Store, tmp_path: Path) -> None:
    from coder.models import ParagraphIn, ParsedDocument

    doc = project.add_document("pdf", ParsedDocument("text", [ParagraphIn("page\x0cbreak")]),
                               source_path=None, content_hash="pdf")
    project.add_segment(project.coder_id("alice"), project.paragraphs(doc.id)[0].id,
                        project.code("stigma").id)
    out = tmp_path / "r.docx"
    result = CliRunner().invoke(main, ["export", "segments", "--db", str(project.path),
                                       "--out", str(out), "--document", "pdf"])
    assert result.exit_code == 0, result.output
    assert "U+FFFD" in result.output
    quotes = [p.runs[0].text for p in docx.Document(str(out)).paragraphs if p.style.name == "Quote"]
    assert quotes == ["page\ufffdbreak"]


_MARKDOWN_PIECES = list("ab1 .\n\t#*_[]()<>!`\\&|~-+=:;'\"{}$%^@/é😀\u00a0") + [
    "&amp;", "1. ", "- ", "> ", "    ", "***", "---", "<div>", "http://x.y", "&#32;", "2) ",
    "# ", "===", "[a]: /u", "<http://a>", "\\\n", "<!--", "```"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_MARKDOWN_PIECES), min_size=1, max_size=30).map("".join))
def test_any_text_renders_back_exactly_from_markdown(text: str) -> None:
    text += " (Doc, para 1)"
    parsed = _Collector(drop_newlines=True)
    parsed.feed(MarkdownIt("commonmark").render(md_blockquote(text)))
    assert parsed.quotes == [text]


def _counts_lines(markdown: str) -> dict[str, str]:
    """The counts paragraph under each code heading of the Markdown report."""
    out: dict[str, str] = {}
    heading = None
    for block in markdown.split("\n\n"):
        if block.startswith("#"):
            heading = block.lstrip("#").strip()
        elif heading and ("segment" in block or "No segments" in block) and heading not in out:
            out[heading] = block
    return out


def test_parent_codes_show_their_count_with_sub_codes(project: Store) -> None:
    result = CliRunner().invoke(main, ["export", "segments", "--db", str(project.path),
                                       "--format", "md"])
    assert result.exit_code == 0, result.output
    lines = _counts_lines(result.stdout)
    own = {k: len(project.segment_rows(code_keys=[k])) for k in ("stigma", "labels", "media")}
    total = own["stigma"] + own["labels"] + own["media"]
    assert lines["Stigma"].startswith(f"{own['stigma']} segments, {total} with sub-codes · ")
    assert lines["Labels"].startswith(
        f"{own['labels']} segments, {own['labels'] + own['media']} with sub-codes · ")
    assert "sub-codes" not in lines["Media images"] and "sub-codes" not in lines["Leaving care"]
    exported = CliRunner().invoke(main, ["export", "segments", "--db", str(project.path),
                                         "--code", "stigma"])
    assert len(list(csv.DictReader(io.StringIO(exported.stdout, newline="")))) == total


def test_a_parent_used_only_through_its_sub_codes(project: Store) -> None:
    focus = project.document("Focus group 2").id
    rows = project.segment_rows(coders=["bob"], document_ids=[focus])
    assert not [r for r in rows if r.code_key == "stigma"]
    below = [r for r in rows if r.code_key in ("labels", "media")]
    assert below
    result = CliRunner().invoke(main, ["export", "segments", "--db", str(project.path),
                                       "--format", "md", "--coder", "bob", "--code", "stigma",
                                       "--document", "Focus"])
    assert result.exit_code == 0, result.output
    assert _counts_lines(result.stdout)["Stigma"] == (
        f"No segments with this code itself, {len(below)} with sub-codes.")
