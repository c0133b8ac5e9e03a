"""Every memo as a file of its own: the researcher's analytic notes, by document or by code.

Each memo keeps what it was written about: the document's title, the paragraph (and speaker),
the code for a coding memo, who wrote it and when, and the words it is about (a coding's quote,
a paragraph memo's paragraph), so the file reads without the project beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..models import readable_name
from ..retrieval import memos as memo_rows
from ..store import MemoRow, Store
from .render import DocxBuilder, h, html_page, md_blockquote, md_heading, md_text
from .segments import csv_bytes

MEMO_FORMATS = ("md", "csv", "html", "docx")
BY = ("document", "code")
PARAGRAPH_MEMOS = "Paragraph memos"
COLUMNS = ("document", "document_title", "paragraph", "speaker", "kind", "code_key",
           "code_name", "code_path", "coder", "updated_at", "memo", "about")


@dataclass(frozen=True)
class Memo:
    row: MemoRow
    title: str
    code_path: str | None

    @property
    def date(self) -> str:
        return self.row.updated_at[:10]

    @property
    def context(self) -> str:
        """"(Title, para 12, P2) · Stigma · alice · 2026-11-23": where, what, who, when."""
        r = self.row
        where = ", ".join(x for x in (self.title, f"para {r.n}", r.speaker) if x)
        what = self.code_path or "paragraph memo"
        return f"({where}) · {what} · {r.coder} · {self.date}"


@dataclass
class MemoFile:
    title: str
    by: str
    groups: list[tuple[str, list[Memo]]]

    @property
    def count(self) -> int:
        return sum(len(memos) for _, memos in self.groups)


def collect_memos(store: Store, *, by: str = "document",
                  coders: Sequence[str] | None = None,
                  title: str = "Memos") -> MemoFile:
    """The project's memos under a heading per document (reading order) or per code
    (codebook order, paragraph memos last)."""
    titles = {d.id: d.title or readable_name(d.name) for d in store.documents()}
    paths = {c.key: c.path for c in store.codes(include_retired=True)}
    groups: dict[object, tuple[str, list[Memo]]] = {}
    for row in memo_rows(store, by=by, coders=coders):
        memo = Memo(row, titles.get(row.document_id, row.document),
                    paths.get(row.code_key) if row.code_key else None)
        key: object
        if by == "document":
            key, heading = row.document_id, memo.title
        else:
            key, heading = row.code_key, memo.code_path or PARAGRAPH_MEMOS
        groups.setdefault(key, (heading, []))[1].append(memo)
    return MemoFile(title, by, list(groups.values()))


def memos_csv(memos: MemoFile, *, bom: bool = False) -> bytes:
    records = [
        (m.row.document, m.title, m.row.n, m.row.speaker, m.row.kind, m.row.code_key,
         m.row.code_name, m.code_path, m.row.coder, m.row.updated_at, m.row.memo, m.row.quote)
        for _, group in memos.groups for m in group
    ]
    return csv_bytes(COLUMNS, records, bom=bom)


def _counts(memos: MemoFile) -> str:
    return f"{memos.count} memo(s) by {memos.by}"


def memos_markdown(memos: MemoFile) -> str:
    out = [md_heading(memos.title, 1), "", md_text(_counts(memos)), ""]
    for heading, group in memos.groups:
        out += [md_heading(heading, 2), ""]
        for m in group:
            out += [md_text(m.context), "", md_text(m.row.memo), "",
                    md_blockquote(m.row.quote), ""]
    return "\n".join(out)


def memos_html(memos: MemoFile) -> str:
    body = [f"<h1>{h(memos.title)}</h1>", f'<p class="meta">{h(_counts(memos))}</p>']
    for heading, group in memos.groups:
        body.append(f"<section><h2>{h(heading)}</h2>")
        for m in group:
            body += [
                f'<p class="meta context">{h(m.context)}</p>',
                f'<p class="memo"><span class="text">{h(m.row.memo)}</span></p>',
                f'<blockquote><p><span class="quote">{h(m.row.quote)}</span></p></blockquote>',
            ]
        body.append("</section>")
    return html_page(memos.title, body)


def memos_docx(memos: MemoFile, path: Path, *, author: str, page_size: str) -> int:
    """Write the memos to `path`; returns how many characters Word could not hold."""
    doc = DocxBuilder(author=author, page_size=page_size)
    doc.set_title(memos.title)
    doc.paragraph(memos.title, "Title")
    doc.paragraph(_counts(memos), "Subtitle")
    for heading, group in memos.groups:
        doc.heading(heading, 1)
        for m in group:
            doc.paragraph([(m.context, "i")])
            doc.paragraph(m.row.memo)
            doc.paragraph(m.row.quote, "Quote")
    doc.save(path)
    return doc.replaced
