"""The write-up report: each code with its definition and counts, then its quotes.

Codes come in codebook order, parents before children. A passage coded with the same code by
several coders is quoted once (the counts still count every segment), cited as
"(Document, para 12, Speaker)" so it can go straight into a chapter. The same model renders as
Markdown, one self-contained HTML file, or Word with real heading and quote styles.

Grouped by an attribute, each code's quotes come under each of its values in the attribute's
order (a paragraph with no value last). Memos are the researcher's own notes, so they appear
only when asked for: a coding's memo beneath its quote, a paragraph's memo beneath the first
quote from that paragraph in a code. The HTML report draws the code frequencies, and the
codes by an attribute's values, as inline SVG (see `charts.py`); Word gets them as tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .. import __version__
from ..code_matrix import CodeMatrix, fold_counts, shade
from ..groupings import Grouping
from ..models import Code, readable_name
from ..store import Store
from .charts import Row, bar_chart, matrix_chart, text_bar
from .render import DocxBuilder, h, html_page, md_blockquote, md_heading, md_text
from .scope import Scope, subtree_keys

NO_VALUE = "no value"


@dataclass
class Quote:
    document: str
    n: int
    speaker: str | None
    text: str
    coders: list[str] = field(default_factory=list)
    memos: list[tuple[str, str]] = field(default_factory=list)
    paragraph_memos: Sequence[tuple[str, str]] = ()
    group: str | None = None

    @property
    def citation(self) -> str:
        where = f"{self.document}, para {self.n}"
        return f"({where}, {self.speaker})" if self.speaker else f"({where})"


@dataclass
class Section:
    code: Code
    depth: int
    segments: int = 0
    documents: int = 0
    by_coder: dict[str, int] = field(default_factory=dict)
    quotes: list[Quote] = field(default_factory=list)
    with_subcodes: int | None = None  # segments of the code and every code below it

    def counts_line(self) -> str:
        below = "" if self.with_subcodes is None else f", {self.with_subcodes} with sub-codes"
        if not self.segments:
            return f"No segments with this code itself{below}."
        coders = ", ".join(f"{name} {n}" for name, n in self.by_coder.items())
        return (
            f"{_plural(self.segments, 'segment')}{below} · "
            f"{_plural(self.documents, 'document')} · "
            f"{_plural(len(self.by_coder), 'coder')} ({coders})"
        )


@dataclass
class Report:
    title: str
    meta: list[str]
    sections: list[Section]
    uncoded: list[Code]
    several_coders: bool
    group_by: Grouping | None = None
    matrix: CodeMatrix | None = None

    def groups(self, section: Section) -> list[tuple[str | None, list[Quote]]]:
        """The section's quotes under each value of the grouping (one untitled group when
        the report is not grouped); values with no quote are left out."""
        if self.group_by is None:
            return [(None, section.quotes)]
        out: list[tuple[str | None, list[Quote]]] = []
        for label in [*self.group_by.labels, None]:
            quotes = [q for q in section.quotes if q.group == label]
            if quotes:
                out.append((f"{self.group_by.name}: {label or NO_VALUE}", quotes))
        return out

    def frequencies(self) -> tuple[list[Row], list[int]]:
        """Each code's own segments, as its counts line gives them."""
        return ([Row(s.code.name, s.depth) for s in self.sections],
                [s.segments for s in self.sections])

    def matrix_rows(self) -> tuple[list[Row], list[str], list[list[int]]]:
        """The matrix's codes and values that have a segment, with their counts (a value
        the report's segments never reach, a document not coded, is no column)."""
        m = self.matrix
        assert m is not None
        rows = [(code, depth) for code, depth in m.rows if m.total(code.id)]
        columns = [label for label in m.columns if any(m.count(c.id, label) for c, _ in rows)]
        return ([Row(code.name, depth) for code, depth in rows], columns,
                [[m.count(code.id, label) for label in columns] for code, _ in rows])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def paragraph_memos(store: Store, coders: Sequence[str] = ()
                    ) -> dict[int, list[tuple[str, str]]]:
    """Paragraph id to (coder, memo) for every paragraph memo (of `coders`, when given)."""
    found: dict[int, list[tuple[str, str]]] = {}
    for m in store.memo_rows(coders=list(coders) or None):
        if m.code_key is None:
            found.setdefault(m.paragraph_id, []).append((m.coder, m.memo))
    return found


def build_report(scope: Scope, *, project: str, title: str = "Coded segments",
                 group_by: Grouping | None = None, chart_by: Grouping | None = None,
                 memos: bool = False,
                 paragraph_memos: Mapping[int, Sequence[tuple[str, str]]] | None = None,
                 ) -> Report:
    """`paragraph_memos` (paragraph id to (coder, memo)) and the coding memos are shown
    only with `memos`; `chart_by` (else `group_by`) adds the codes-by-values matrix."""
    by_code: dict[str, list] = {}
    for r in scope.rows:
        by_code.setdefault(r.code_key, []).append(r)
    coded_keys = set(by_code)
    keep: set[int] = set()
    for code in scope.code_tree:
        if code.key in coded_keys:
            keep |= {code.id} | {c.id for c in scope.code_tree.ancestors(code.id)}
    sections: list[Section] = []
    uncoded: list[Code] = []
    titles = {d.id: d.title for d in scope.documents}
    subtree = subtree_keys(scope.code_tree)
    for code, depth in scope.tree:
        if code.id not in keep:
            uncoded.append(code)
            continue
        rows = by_code.get(code.key, [])
        section = Section(code, depth, segments=len(rows))
        if len(subtree[code.key]) > 1:
            section.with_subcodes = sum(len(by_code.get(k, ())) for k in subtree[code.key])
        section.documents = len({r.document_id for r in rows})
        section.by_coder = dict(sorted(Counter(r.coder for r in rows).items()))
        quotes: dict[tuple, Quote] = {}
        noted: set[int] = set()
        for r in rows:
            key = (r.document_id, r.n, r.start, r.end)
            q = quotes.get(key)
            if q is None:
                cited = titles.get(r.document_id) or readable_name(r.document)
                group = group_by.of(r.document_id, r.speaker) if group_by else None
                q = quotes[key] = Quote(cited, r.n, r.speaker, r.quote, group=group)
                if memos and paragraph_memos and r.paragraph_id not in noted:
                    noted.add(r.paragraph_id)
                    q.paragraph_memos = paragraph_memos.get(r.paragraph_id, ())
            if r.coder not in q.coders:
                q.coders.append(r.coder)
            if r.memo and memos:
                q.memos.append((r.coder, r.memo))
        section.quotes = list(quotes.values())
        sections.append(section)
    coders = scope.coders
    meta = [f"Project: {project}"]
    meta += [f"{name.capitalize()}: {value}" for name, value in scope.filters.items()]
    docs = len({r.document_id for r in scope.rows})
    meta.append(
        f"{_plural(len(scope.rows), 'segment')} in {_plural(docs, 'document')}"
        + (f", by {', '.join(coders)}" if coders else "")
    )
    if group_by is not None:
        meta.append(f"Quotes grouped by {group_by.name}")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta.append(f"Exported {stamp} with coder {__version__}")
    charted = chart_by or group_by
    matrix = None
    if charted is not None:
        ids = {c.key: c.id for c in scope.code_tree}
        matrix = fold_counts(scope.code_tree, charted, (
            (ids[r.code_key], r.document_id, r.speaker, 1) for r in scope.rows
            if r.code_key in ids))
    return Report(title, meta, sections, uncoded, several_coders=len(coders) > 1,
                  group_by=group_by, matrix=matrix)


def _memos(quote: Quote) -> list[tuple[str, str]]:
    """(label, memo) for each memo shown beneath a quote: the coding's, then the paragraph's."""
    return ([(f"Memo ({coder})", memo) for coder, memo in quote.memos]
            + [(f"Paragraph memo ({coder})", memo) for coder, memo in quote.paragraph_memos])


FREQUENCY_TITLE = "Segments per code"


def matrix_title(report: Report) -> str:
    assert report.matrix is not None
    return f"Segments per code by {report.matrix.grouping.name} (with sub-codes)"


def _suffix(report: Report, quote: Quote) -> str:
    tail = f" — {', '.join(quote.coders)}" if report.several_coders else ""
    return f" {quote.citation}{tail}"


# ── Markdown ───────────────────────────────────────────────────────────────────


def report_markdown(report: Report) -> str:
    out = [md_heading(report.title, 1), ""]
    for line in report.meta:
        out += [md_text(line), ""]
    for s in report.sections:
        out += [md_heading(s.code.name, s.depth + 2), ""]
        if s.depth:
            out += [md_text(f"Path: {s.code.path}"), ""]
        if s.code.definition:
            out += [md_text(f"Definition: {s.code.definition}"), ""]
        out += [md_text(s.counts_line()), ""]
        for group, quotes in report.groups(s):
            if group is not None:
                out += [md_heading(group, s.depth + 3), ""]
            for q in quotes:
                out += [md_blockquote(q.text + _suffix(report, q)), ""]
                for label, memo in _memos(q):
                    out += [md_text(f"{label}: {memo}"), ""]
    if report.uncoded:
        names = ", ".join(c.path for c in report.uncoded)
        out += [md_heading("Codes with no segments", 2), "", md_text(names), ""]
    return "\n".join(out)


# ── HTML ───────────────────────────────────────────────────────────────────────


def report_html(report: Report) -> str:
    body = [f"<h1>{h(report.title)}</h1>"]
    body += [f'<p class="meta">{h(line)}</p>' for line in report.meta]
    body += _html_charts(report)
    for s in report.sections:
        level = max(1, min(s.depth + 2, 6))
        swatch = (
            f'<span class="swatch" style="background:{h(s.code.color)}"></span>'
            if s.code.color else ""
        )
        body.append(f'<section class="code" data-key="{h(s.code.key)}">')
        body.append(f"<h{level}>{swatch}{h(s.code.name)}</h{level}>")
        if s.depth:
            body.append(f'<p class="meta">Path: {h(s.code.path)}</p>')
        if s.code.definition:
            body.append(f'<p class="definition">{h(s.code.definition)}</p>')
        body.append(f'<p class="counts">{h(s.counts_line())}</p>')
        for group, quotes in report.groups(s):
            if group is not None:
                sub = max(1, min(s.depth + 3, 6))
                body.append(f'<h{sub} class="group">{h(group)}</h{sub}>')
            for q in quotes:
                body.append(
                    f'<blockquote><p><span class="quote">{h(q.text)}</span>'
                    f" <cite>{h(_suffix(report, q).strip())}</cite></p></blockquote>"
                )
                for label, memo in _memos(q):
                    body.append(
                        f'<p class="memo"><strong>{h(label)}:</strong> '
                        f'<span class="text">{h(memo)}</span></p>'
                    )
        body.append("</section>")
    if report.uncoded:
        body.append("<h2>Codes with no segments</h2>")
        body.append(f"<p>{h(', '.join(c.path for c in report.uncoded))}</p>")
    return html_page(report.title, body)


def _html_charts(report: Report) -> list[str]:
    rows, values = report.frequencies()
    if not rows:
        return []
    out = ['<figure class="chart" id="frequencies">',
           bar_chart("chart-frequencies", FREQUENCY_TITLE, rows, values, unit="segments"),
           f"<figcaption>{h(FREQUENCY_TITLE)} (the code itself, not its sub-codes)"
           "</figcaption>", "</figure>"]
    if report.matrix is not None:
        mrows, columns, cells = report.matrix_rows()
        title = matrix_title(report)
        out += ['<figure class="chart" id="matrix">',
                matrix_chart("chart-matrix", title, mrows, columns, cells, unit="segments"),
                f"<figcaption>{h(title)}: darker cells hold more</figcaption>", "</figure>"]
    return out


# ── Word ───────────────────────────────────────────────────────────────────────


def report_docx(report: Report, path: Path, *, author: str, page_size: str) -> int:
    """Write the report to `path`; returns how many characters Word could not hold."""
    doc = DocxBuilder(author=author, page_size=page_size)
    doc.set_title(report.title)
    doc.paragraph(report.title, "Title")
    for line in report.meta:
        doc.paragraph(line, "Subtitle" if line is report.meta[0] else None)
    _docx_tables(doc, report)
    for s in report.sections:
        doc.heading(s.code.name, s.depth + 1)
        if s.depth:
            doc.paragraph([("Path: ", "i"), (s.code.path, "")])
        if s.code.definition:
            doc.paragraph([("Definition: ", "b"), (s.code.definition, "")])
        doc.paragraph(s.counts_line())
        for group, quotes in report.groups(s):
            if group is not None:
                doc.heading(group, s.depth + 2)
            for q in quotes:
                doc.paragraph([(q.text, ""), (_suffix(report, q), "")], "Quote")
                for label, memo in _memos(q):
                    doc.paragraph([(f"{label}: ", "b"), (memo, "")])
    if report.uncoded:
        doc.heading("Codes with no segments", 1)
        doc.paragraph(", ".join(c.path for c in report.uncoded))
    doc.save(path)
    return doc.replaced


def _docx_tables(doc: DocxBuilder, report: Report) -> None:
    """The HTML report's charts as Word tables: counts with a bar of block characters, and
    the matrix with the app's shade before each count, both readable without colour."""
    rows, values = report.frequencies()
    if not rows:
        return
    top = max(values)
    doc.paragraph([(FREQUENCY_TITLE, "b"), (" (the code itself, not its sub-codes)", "")])
    doc.table(["code", "segments", "bar"],
              [["  " * r.depth + r.label, str(v), text_bar(v, top)]
               for r, v in zip(rows, values)])
    if report.matrix is not None:
        m = report.matrix
        mrows, columns, cells = report.matrix_rows()
        doc.paragraph([(matrix_title(report), "b"),
                       (": · none, then ░ ▒ ▓ █ by quarter of the largest cell", "")])
        doc.table(["code", *columns],
                  [["  " * r.depth + r.label, *[f"{shade(v, m.top)} {v}" for v in line]]
                   for r, line in zip(mrows, cells)])
