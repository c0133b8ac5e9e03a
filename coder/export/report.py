"""The write-up report: each code with its definition and counts, then its quotes.

Codes come in codebook order, parents before children. A passage coded with the same code by
several coders is quoted once (the counts still count every segment), cited as
"(Document, para 12, Speaker)" so it can go straight into a chapter. The same model renders as
Markdown, one self-contained HTML file, or Word with real heading and quote styles.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .. import __version__
from ..models import Code, readable_name
from .render import DocxBuilder, h, html_page, md_blockquote, md_heading, md_text
from .scope import Scope, subtree_keys

@dataclass
class Quote:
    document: str
    n: int
    speaker: str | None
    text: str
    coders: list[str] = field(default_factory=list)
    memos: list[tuple[str, str]] = field(default_factory=list)

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


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def build_report(scope: Scope, *, project: str, title: str = "Coded segments") -> Report:
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
        for r in rows:
            key = (r.document_id, r.n, r.start, r.end)
            q = quotes.get(key)
            if q is None:
                cited = titles.get(r.document_id) or readable_name(r.document)
                q = quotes[key] = Quote(cited, r.n, r.speaker, r.quote)
            if r.coder not in q.coders:
                q.coders.append(r.coder)
            if r.memo:
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
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta.append(f"Exported {stamp} with coder {__version__}")
    return Report(title, meta, sections, uncoded, several_coders=len(coders) > 1)


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
        for q in s.quotes:
            out += [md_blockquote(q.text + _suffix(report, q)), ""]
            for coder, memo in q.memos:
                out += [md_text(f"Memo ({coder}): {memo}"), ""]
    if report.uncoded:
        names = ", ".join(c.path for c in report.uncoded)
        out += [md_heading("Codes with no segments", 2), "", md_text(names), ""]
    return "\n".join(out)


# ── HTML ───────────────────────────────────────────────────────────────────────


def report_html(report: Report) -> str:
    body = [f"<h1>{h(report.title)}</h1>"]
    body += [f'<p class="meta">{h(line)}</p>' for line in report.meta]
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
        for q in s.quotes:
            body.append(
                f'<blockquote><p><span class="quote">{h(q.text)}</span>'
                f" <cite>{h(_suffix(report, q).strip())}</cite></p></blockquote>"
            )
            for coder, memo in q.memos:
                body.append(
                    f'<p class="memo"><strong>Memo ({h(coder)}):</strong> '
                    f'<span class="text">{h(memo)}</span></p>'
                )
        body.append("</section>")
    if report.uncoded:
        body.append("<h2>Codes with no segments</h2>")
        body.append(f"<p>{h(', '.join(c.path for c in report.uncoded))}</p>")
    return html_page(report.title, body)


# ── Word ───────────────────────────────────────────────────────────────────────


def report_docx(report: Report, path: Path, *, author: str, page_size: str) -> int:
    """Write the report to `path`; returns how many characters Word could not hold."""
    doc = DocxBuilder(author=author, page_size=page_size)
    doc.set_title(report.title)
    doc.paragraph(report.title, "Title")
    for line in report.meta:
        doc.paragraph(line, "Subtitle" if line is report.meta[0] else None)
    for s in report.sections:
        doc.heading(s.code.name, s.depth + 1)
        if s.depth:
            doc.paragraph([("Path: ", "i"), (s.code.path, "")])
        if s.code.definition:
            doc.paragraph([("Definition: ", "b"), (s.code.definition, "")])
        doc.paragraph(s.counts_line())
        for q in s.quotes:
            doc.paragraph([(q.text, ""), (_suffix(report, q), "")], "Quote")
            for coder, memo in q.memos:
                doc.paragraph([(f"Memo ({coder}): ", "b"), (memo, "")])
    if report.uncoded:
        doc.heading("Codes with no segments", 1)
        doc.paragraph(", ".join(c.path for c in report.uncoded))
    doc.save(path)
    return doc.replaced
