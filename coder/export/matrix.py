"""Codes as 0/1 columns: one row per paragraph and coder, the layout R, SPSS and pandas take for
crosstabs, models and agreement computed by hand.

A coder's rows cover every paragraph of each document they worked on (coded in, or marked in
progress or done), so an uncoded paragraph is a row of zeros rather than a missing row: absence
is data for the analyst as much as presence.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from ..codetree import CodeTree
from ..models import Code, Document, Paragraph
from ..store import Store
from ..vocab import DocumentStatus
from .scope import Scope
from .segments import excel_text

FIXED_COLUMNS = ("document", "document_title", "paragraph", "kind", "speaker", "coder")


@dataclass
class Matrix:
    codes: list[Code]
    rows: list[tuple[Document, Paragraph, str, list[int]]]

    @property
    def header(self) -> list[str]:
        return [*FIXED_COLUMNS, *(c.key for c in self.codes)]


def code_matrix(store: Store, scope: Scope, coders: list[str], *,
                with_subcodes: bool = False) -> Matrix:
    """The matrix over `scope`'s documents and codes for `coders` (all who worked on them when
    empty). With `with_subcodes`, a parent's column is 1 where it or any code below it was
    applied, as a code filter counts it everywhere else."""
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
    for r in scope.rows:
        worked.add((r.document_id, r.coder))
        applied.setdefault((r.paragraph_id, r.coder), set()).update(feeds.get(r.code_key, ()))
    for (document_id, coder), status in statuses.items():
        if status != DocumentStatus.NOT_STARTED:
            worked.add((document_id, coder))
    wanted = coders or sorted({coder for _, coder in worked})
    rows = []
    for doc in scope.documents:
        paragraphs = store.paragraphs(doc.id)
        for coder in wanted:
            if (doc.id, coder) not in worked:
                continue
            for p in paragraphs:
                marks = applied.get((p.id, coder), set())
                rows.append((doc, p, coder, [1 if i in marks else 0 for i in range(len(codes))]))
    return Matrix(codes, rows)


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
    for doc, p, coder, marks in matrix.rows:
        writer.writerow([cell(doc.name), cell(doc.title), p.n, cell(p.kind), cell(p.speaker),
                         cell(coder), *marks])
    return out.getvalue().encode("utf-8")


def _same(value: Any) -> Any:
    return value
