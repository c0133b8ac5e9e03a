"""Reports grouped by an attribute, with memos and charts, read back with real readers: the
HTML and its inline SVG with html.parser, Word tables with python-docx, the memo file with
markdown-it-py. Expected figures are counted here from the store's segments, not taken from
the report's own model."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import docx
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt
from test_export_fixture import build_project

from coder.attributes import set_value
from coder.cli import main
from coder.export.charts import EIGHTHS, text_bar
from coder.store import Store

NAMES = {"stigma": "Stigma", "labels": "Labels", "media": "Media images",
         "leaving-care": "Leaving care"}
BELOW = {"stigma": {"stigma", "labels", "media"}, "labels": {"labels", "media"},
         "media": {"media"}, "leaving-care": {"leaving-care"}}


@pytest.fixture
def project(tmp_path: Path) -> Store:
    store = build_project(tmp_path / "p.db")
    set_value(store, "region", "West Midlands", document="West Midlands session")
    yield store
    store.close()


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


class _Page(HTMLParser):
    """Everything the tests read: the charts' rows and cells, the text in order, headings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[tuple[str, str]] = []  # (innermost tag with a class or name, data)
        self._stack: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag not in ("rect", "br", "meta"):
            self._stack.append((tag, a))

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._stack and data.strip():
            tag, a = self._stack[-1]
            self.text.append((a.get("class") or tag, data))

    def within(self, figure_id: str) -> list[tuple[str, dict]]:
        start = next(i for i, (t, a) in enumerate(self.tags)
                     if t == "figure" and a.get("id") == figure_id)
        end = next((i for i, (t, _) in enumerate(self.tags[start + 1:], start + 1)
                    if t == "figure"), len(self.tags))
        return self.tags[start:end]


def _own_counts(store: Store, coders: list[str] | None = None) -> dict[str, int]:
    return dict(Counter(r.code_key for r in store.segment_rows(coders=coders)))


def test_html_bar_chart_draws_each_codes_count(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    _run("export", "segments", "--db", str(project.path), "--out", str(out))
    page_text = out.read_text(encoding="utf-8")
    assert "<script" not in page_text and "href=" not in page_text
    for svg_text in re.findall(r"<svg.*?</svg>", page_text, re.S):
        ElementTree.fromstring(svg_text)  # well-formed XML as well as HTML
    page = _Page()
    page.feed(page_text)
    counts = _own_counts(project)
    chart = page.within("frequencies")
    svg = next(a for t, a in chart if t == "svg")
    assert svg["role"] == "img"
    title_id, desc_id = svg["aria-labelledby"].split()
    assert {a.get("id") for t, a in chart if t in ("title", "desc")} >= {title_id, desc_id}
    rows = [a for t, a in chart if t == "g" and a.get("class") == "row"]
    assert [(r["data-label"], int(r["data-value"])) for r in rows] == [
        (NAMES[k], counts.get(k, 0)) for k in NAMES]
    widths = [float(a["width"]) for t, a in chart if t == "rect" and a.get("class") == "bar"]
    top = max(counts.values())
    assert widths == [round(360 * counts.get(k, 0) / top) for k in NAMES]
    labels = [d for c, d in page.text if c == "label"][:len(NAMES)]
    values = [d for c, d in page.text if c == "value"][:len(NAMES)]
    assert labels == list(NAMES.values())
    assert values == [str(counts.get(k, 0)) for k in NAMES]


def test_group_by_puts_quotes_under_each_value_and_charts_the_matrix(
        project: Store, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    _run("export", "segments", "--db", str(project.path), "--out", str(out),
         "--group-by", "region")
    page = _Page()
    page.feed(out.read_text(encoding="utf-8"))
    region = {"West Midlands session": "West Midlands", "Focus group 2": None}
    expected: dict[tuple[str, str], int] = {}
    for r in project.segment_rows():
        for key, below in BELOW.items():
            if r.code_key in below and region[r.document]:
                cell = (NAMES[key], region[r.document] or "")
                expected[cell] = expected.get(cell, 0) + 1
    chart = page.within("matrix")
    cells: dict[tuple[str, str], int] = {}
    row_label = ""
    for tag, a in chart:
        if tag == "g" and a.get("class") == "row":
            row_label = a["data-label"]
        elif tag == "g" and a.get("class") == "cell":
            cells[row_label, a["data-column"]] = int(a["data-value"])
    assert {k: v for k, v in cells.items() if v} == expected
    assert {column for _, column in cells} == {"West Midlands"}
    fills = {a["fill"] for t, a in chart if t == "rect"}
    assert all(f[1:3] == f[3:5] == f[5:7] for f in fills)  # greys only: reads without colour
    # quotes: each group heading, then the citations of its quotes, in reading order
    order = [(c, d) for c, d in page.text if c in ("group", "cite") or c.startswith("h")]
    groups = [d for c, d in order if c == "group"]
    assert "region: West Midlands" in groups and "region: no value" in groups
    current = None
    for c, d in order:
        if c == "group":
            current = d
        elif c == "cite" and current is not None:
            in_west = d.startswith("(West Midlands session")
            assert (current == "region: West Midlands") == in_west, (current, d)
        elif c.startswith("h"):
            current = None


def test_where_narrows_the_report_and_its_charts(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    _run("export", "segments", "--db", str(project.path), "--out", str(out),
         "--where", "region=West Midlands", "--chart-by", "region")
    page = _Page()
    page.feed(out.read_text(encoding="utf-8"))
    west = Counter(r.code_key for r in project.segment_rows()
                   if r.document == "West Midlands session")
    rows = [a for t, a in page.within("frequencies") if t == "g" and a.get("class") == "row"]
    assert {r["data-label"]: int(r["data-value"]) for r in rows} == {
        NAMES[k]: west.get(k, 0) for k in NAMES}
    cites = [d for c, d in page.text if c == "cite"]
    assert cites and all(d.startswith("(West Midlands session") for d in cites)
    assert not [d for c, d in page.text if c == "group"]  # --chart-by does not group quotes


def test_memos_only_when_asked(project: Store) -> None:
    plain = _run("export", "segments", "--db", str(project.path), "--format", "md")
    assert "Memo (" not in plain
    md = _run("export", "segments", "--db", str(project.path), "--format", "md", "--memos")
    rendered = MarkdownIt("commonmark").render(md)
    assert "Memo (bob):</strong>" not in rendered  # plain text, not markup
    assert "Memo (bob): bob's view: [strong] &lt;stigma&gt;" in rendered
    assert "Paragraph memo (alice): Alice on the [link] paragraph" in rendered
    assert "Paragraph memo (bob): Bob too" in rendered
    # the paragraph memo follows the first quote from its paragraph in each code, once
    assert rendered.count("Paragraph memo (alice)") == len(
        {r.code_key for r in project.segment_rows() if r.document == "West Midlands session"
         and r.n == 2})
    only_alice = _run("export", "segments", "--db", str(project.path), "--format", "md",
                      "--memos", "--coder", "alice")
    assert "Bob too" not in only_alice and "Alice on the" in only_alice


def test_docx_has_the_charts_as_tables(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    _run("export", "segments", "--db", str(project.path), "--out", str(out),
         "--group-by", "region", "--memos")
    document = docx.Document(str(out))
    freq, matrix = document.tables
    counts = _own_counts(project)
    body = [[c.text for c in row.cells] for row in freq.rows]
    assert body[0] == ["code", "segments", "bar"]
    assert [(name.strip(), int(n)) for name, n, _ in body[1:]] == [
        (NAMES[k], counts.get(k, 0)) for k in NAMES]
    top = max(counts.values())
    for _, n, bar in body[1:]:
        assert bar == text_bar(int(n), top) and set(bar) <= set(EIGHTHS)
    grid = [[c.text for c in row.cells] for row in matrix.rows]
    assert grid[0] == ["code", "West Midlands"]
    west = {k: sum(1 for r in project.segment_rows()
                   if r.code_key in below and r.document == "West Midlands session")
            for k, below in BELOW.items()}
    assert {name.strip(): int(cell.split()[-1]) for name, cell in grid[1:]} == {
        NAMES[k]: n for k, n in west.items() if n}
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "region: West Midlands" in headings and "region: no value" in headings
    assert any(p.text.startswith("Paragraph memo (alice): ") for p in document.paragraphs)


def test_report_options_are_refused_where_they_mean_nothing(project: Store) -> None:
    runner = CliRunner()
    for args in (["--format", "csv", "--memos"], ["--format", "jsonl", "--group-by", "region"],
                 ["--format", "md", "--chart-by", "region"]):
        result = runner.invoke(main, ["export", "segments", "--db", str(project.path), *args])
        assert result.exit_code != 0 and "Traceback" not in result.output
    result = runner.invoke(main, ["export", "segments", "--db", str(project.path), "--format",
                                  "md", "--group-by", "nope"])
    assert result.exit_code != 0 and "no attribute 'nope'" in result.output


def _md_blocks(markdown: str) -> list[tuple[str, str]]:
    """(h1/h2/p/blockquote, rendered text) per block, inline text as a reader sees it."""
    out: list[tuple[str, str]] = []
    tokens = MarkdownIt("commonmark").parse(markdown)
    kind = ""
    quoted = False
    for tok in tokens:
        if tok.type == "blockquote_open":
            quoted = True
        elif tok.type == "blockquote_close":
            quoted = False
        elif tok.type in ("heading_open", "paragraph_open"):
            kind = tok.tag if tok.type == "heading_open" else ("blockquote" if quoted else "p")
        elif tok.type == "inline":
            text = "".join("\n" if c.type in ("softbreak", "hardbreak") else c.content
                           for c in tok.children or [])
            out.append((kind, text))
    return out


def test_memo_file_by_document_reads_back_with_context(project: Store) -> None:
    focus = project.document("Focus group 2")
    first = project.paragraphs(focus.id)[0]
    project.set_paragraph_memo(project.coder_id("bob"), first.id, "Asks *why*, not <what>")
    md = _run("export", "memos", "--db", str(project.path))
    blocks = _md_blocks(md)
    rows = project.memo_rows()
    assert blocks[0] == ("h1", "Memos")
    headings = [t for k, t in blocks if k == "h2"]
    assert headings == ["West Midlands session", "Focus group 2"]
    memos = [t for k, t in blocks if k == "p"][1:]
    # context line then memo, for every memo in reading order
    assert memos[1::2] == [r.memo for r in rows]
    for line, r in zip(memos[0::2], rows):
        assert line.startswith(f"({r.document}, para {r.n}")
        assert f" · {r.coder} · {r.updated_at[:10]}" in line
        assert ("paragraph memo" in line) == (r.code_key is None)
    assert [t for k, t in blocks if k == "blockquote"] == [r.quote for r in rows]


def test_memo_file_by_code_and_its_other_formats(project: Store, tmp_path: Path) -> None:
    md = _run("export", "memos", "--db", str(project.path), "--by", "code")
    headings = [t for k, t in _md_blocks(md) if k == "h2"]
    assert headings == ["Stigma", "Stigma/Labels", "Leaving care", "Paragraph memos"]
    out = tmp_path / "memos.csv"
    said = _run("export", "memos", "--db", str(project.path), "--out", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert said.strip() == f"{len(rows)} memo(s) by document written to {out} (csv)"
    assert {(r["paragraph"], r["coder"], r["kind"], r["memo"]) for r in rows} == {
        (str(m.n), m.coder, m.kind, m.memo) for m in project.memo_rows()}
    word = tmp_path / "memos.docx"
    _run("export", "memos", "--db", str(project.path), "--out", str(word), "--coder", "bob")
    text = [p.text for p in docx.Document(str(word)).paragraphs]
    assert "Bob too" in text and "Alice on the [link] paragraph" not in text
    result = CliRunner().invoke(main, ["export", "memos", "--db", str(project.path),
                                       "--format", "docx"])
    assert result.exit_code != 0 and "needs --out" in result.output


def test_stats_shows_bars_beside_the_counts_in_a_wide_terminal(project: Store,
                                                               tmp_path: Path) -> None:
    result = CliRunner(env={"COLUMNS": "120"}).invoke(main, ["stats", "--db", str(project.path),
                                                            "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    counts = _own_counts(project)
    top = max(counts.values())
    for key, name in NAMES.items():
        line = next(li for li in result.output.splitlines() if f" {name} " in li)
        assert text_bar(counts[key], top, 16) in line
    frequencies = (tmp_path / "s" / "frequencies.csv").read_text(encoding="utf-8")
    assert not set(frequencies) & set(EIGHTHS[1:])


def test_text_bar_is_proportional_in_eighths() -> None:
    assert text_bar(0, 10) == "" and text_bar(5, 0) == ""
    assert text_bar(10, 10, 4) == "████"
    assert text_bar(1, 2, 2) == "█"
    assert text_bar(1, 4, 2) == "▌"
    assert text_bar(3, 8, 2) == "▊"
    assert text_bar(1, 1000, 2) == "▏"  # never invisible
