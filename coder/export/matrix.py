"""Codes as 0/1 columns: one row per paragraph and coder, the layout R, SPSS and pandas take for
crosstabs, models and agreement computed by hand.

A coder's rows cover every paragraph of each document they worked on (coded in, or marked in
progress or done), so an uncoded paragraph is a row of zeros rather than a missing row: absence
is data for the analyst as much as presence.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..codetree import CodeTree
from ..models import Code, Document
from ..store import ParagraphHead, Store
from ..vocab import DocumentStatus
from .scope import Scope
from .segments import excel_text

if TYPE_CHECKING:
    from ..attributes import AttributeIndex, Where

FIXED_COLUMNS = ("document", "document_title", "paragraph", "kind", "speaker", "coder")


@dataclass
class Matrix:
    codes: list[Code]
    rows: list[tuple[Document, ParagraphHead, str, list[int]]]
    attributes: list[str] = field(default_factory=list)
    index: AttributeIndex | None = None

    @property
    def header(self) -> list[str]:
        """The columns; an attribute named like another column (`kind`, a code key) is
        prefixed `attribute_`, so every column name is unique for R and pandas."""
        codes = [c.key for c in self.codes]
        taken = {*FIXED_COLUMNS, "case", *codes}
        described = ["case", *(f"attribute_{a}" if a in taken else a for a in self.attributes)]
        return [*FIXED_COLUMNS, *(described if self.index is not None else []), *codes]

    def described(self, doc: Document, speaker: str | None) -> list[str]:
        """The case and attribute cells of a row (none in a project without them)."""
        if self.index is None:
            return []
        case = self.index.case_of(doc.id, speaker)
        values = self.index.values(doc.id, speaker)
        return [case.name if case else "", *(values.get(a, "") for a in self.attributes)]


def code_matrix(store: Store, scope: Scope, coders: list[str], *,
                with_subcodes: bool = False, where: Where | None = None) -> Matrix:
    """The matrix over `scope`'s documents and codes for `coders` (all who worked on them when
    empty). With `with_subcodes`, a parent's column is 1 where it or any code below it was
    applied, as a code filter counts it everywhere else. In a project with cases or attributes,
    each row also carries its case and attribute values (see `coder.attributes`); `where`
    keeps the paragraphs whose values match. `scope` is selected `as_codings`: no quote is
    read, as no cell shows one."""
    from ..attributes import AttributeIndex

    index = AttributeIndex.load(store)
    described = bool(index.declared or index.cases)
    codes = [code for code, _ in scope.tree]
    column = {c.key: i for i, c in enumerate(codes)}
    if with_subcodes:
        everything = CodeTree(scope.codes_by_key.values())
        feeds: dict[str, list[int]] = {}
        for parent in codes:
            for code in everything.descendants(parent.id):
                feeds.setdefault(code.key, []).append(column[parent.key])
    else:
        feeds = {key: [i] for key, i in column.items()}
    statuses = store.statuses()
    applied: dict[tuple[int, str], set[int]] = {}
    worked: set[tuple[int, str]] = set()
    assert scope.codings is not None
    for r in scope.codings:
        worked.add((r.document_id, r.coder))
        applied.setdefault((r.paragraph_id, r.coder), set()).update(feeds.get(r.code_key, ()))
    for (document_id, coder), status in statuses.items():
        if status != DocumentStatus.NOT_STARTED:
            worked.add((document_id, coder))
    wanted = coders or sorted({coder for _, coder in worked})
    rows = []
    heads = store.paragraph_heads([d.id for d in scope.documents])
    blank = [0] * len(codes)
    for doc in scope.documents:
        paragraphs = heads[doc.id]
        if where:
            paragraphs = [p for p in paragraphs if where.matches(doc.id, p.speaker)]
        for coder in wanted:
            if (doc.id, coder) not in worked:
                continue
            for p in paragraphs:
                marks = applied.get((p.id, coder))
                rows.append((doc, p, coder, [1 if i in marks else 0 for i in range(len(codes))]
                             if marks else blank))
    return Matrix(codes, rows, list(index.declared) if described else [],
                  index if described else None)


def matrix_csv(matrix: Matrix, *, bom: bool = False, excel_safe: bool = False) -> bytes:
    """RFC 4180 CSV; with `excel_safe`, a formula-like name (a coder called `=1+1`, a title
    starting with `-`) gets the apostrophe Excel reads as "this is text", as in the segments
    CSV."""
    out = io.StringIO(newline="")
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    cell = excel_text if excel_safe else _same
    writer.writerow([cell(h) for h in matrix.header])
    titles: dict[int, str] = {}
    described: dict[tuple[int, str | None], list[str]] = {}
    for doc, p, coder, marks in matrix.rows:
        title = titles.get(doc.id)
        if title is None:
            title = titles[doc.id] = doc.title
        cells = described.get((doc.id, p.speaker))
        if cells is None:
            cells = described[(doc.id, p.speaker)] = [cell(c) for c in matrix.described(doc, p.speaker)]
        writer.writerow([cell(doc.name), cell(title), p.n, cell(p.kind), cell(p.speaker),
                         cell(coder), *cells, *marks])
    return out.getvalue().encode("utf-8")


def _same(value: Any) -> Any:
    return value
