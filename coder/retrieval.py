"""Quotes of a code across the project, and memos, as the code view and memo view list them.

A code's quotes take its sub-codes along, as an export's `--code` filter does. Rows come from
the store in reading order (document, paragraph, position in it), every coder's, so the view
shows who coded what; the coding screen is where one's own codings change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .codetree import CodeTree
from .groupings import Grouping
from .store import MemoRow, QuoteRow, Store


@dataclass(frozen=True)
class Within:
    """One group of a grouping: the quotes a matrix cell stands for."""

    grouping: Grouping
    label: str

    def admits(self, document_id: int, speaker: str | None) -> bool:
        return self.grouping.of(document_id, speaker) == self.label

    def describe(self) -> str:
        return f"{self.grouping.name} = {self.label}"


def code_quotes(store: Store, code_id: int, *, coders: Sequence[str] | None = None,
                within: Within | None = None) -> list[QuoteRow]:
    """Every live segment of the code and its sub-codes, by every coder unless `coders`."""
    codes = store.codes(include_retired=True)
    wanted = CodeTree(codes).descendant_ids(code_id)
    keys = [c.key for c in codes if c.id in wanted]
    rows = store.quote_rows(code_keys=keys, coders=list(coders) if coders else None)
    if within is not None:
        rows = [r for r in rows if within.admits(r.document_id, r.speaker)]
    return rows


def memos(store: Store, *, by: str = "document",
          coders: Sequence[str] | None = None) -> list[MemoRow]:
    """Every paragraph and coding memo, in reading order (`by="document"`) or grouped by
    code in codebook order, paragraph memos last (`by="code"`)."""
    rows = store.memo_rows(coders=list(coders) if coders else None)
    if by == "document":
        return rows
    if by != "code":
        raise ValueError(f"memos by {by!r}: 'document' or 'code'")
    order = {c.key: i for i, (c, _) in enumerate(CodeTree(store.codes(include_retired=True)).walk())}
    return sorted(rows, key=lambda m: (m.code_key is None, order.get(m.code_key or "", 0)))
