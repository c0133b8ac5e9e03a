"""Codes by groups (documents, cases, an attribute's values): the counts behind the matrix
screen and the report's chart, each cell also given a shade that reads without colour.

A row counts the code with its sub-codes (what the code view lists when the cell opens). One
store query gives counts per code, document and speaker; the grouping folds them into columns.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from .codetree import CodeTree
from .groupings import Grouping
from .models import Code
from .store import Store

SHADES = "\u00b7\u2591\u2592\u2593\u2588"


def shade_level(count: int, top: int) -> int:
    """0 for none, then 1 to 4 by quarter of the largest cell: one ramp for the app's
    characters, the report's greys and the Word table's marks."""
    if count <= 0 or top <= 0:
        return 0
    return min(4, max(1, math.ceil(4 * count / top)))


def shade(count: int, top: int) -> str:
    """`·` for none, then `░ ▒ ▓ █` by quarter of the largest cell: a count's weight
    shown by the density of the character, so it reads on paper and in NO_COLOR."""
    return SHADES[shade_level(count, top)]


@dataclass
class CodeMatrix:
    grouping: Grouping
    rows: list[tuple[Code, int]]
    counts: dict[tuple[int, str], int]

    @property
    def columns(self) -> list[str]:
        return self.grouping.labels

    @cached_property
    def top(self) -> int:
        return max(self.counts.values(), default=0)

    def count(self, code_id: int, label: str) -> int:
        return self.counts.get((code_id, label), 0)

    def total(self, code_id: int) -> int:
        return sum(self.count(code_id, label) for label in self.columns)

    def cell(self, code_id: int, label: str) -> str:
        n = self.count(code_id, label)
        return f"{shade(n, self.top)} {n}"


def code_matrix(store: Store, grouping: Grouping, *, coders: Sequence[str] | None = None,
                coded: Sequence[tuple[int, int, str | None, int]] | None = None) -> CodeMatrix:
    """Segments per live code, with its sub-codes, and group. `coded` is a
    `Store.coding_counts` already read (for these coders): a screen that regroups the same
    codings by another attribute folds them again without asking the store."""
    if coded is None:
        coded = store.coding_counts(coders=list(coders) if coders else None)
    return fold_counts(CodeTree(store.codes()), grouping, coded)


def fold_counts(tree: CodeTree[Code], grouping: Grouping,
                counts: Iterable[tuple[int, int, str | None, int]]) -> CodeMatrix:
    """The matrix of `tree`'s codes from (code_id, document_id, speaker, segments) counts:
    the store's for the app, an export's own segments for a report. Each count is added to
    its code and every code above it, once."""
    within: dict[int, list[int]] = {}
    for code in tree:
        for below in tree.descendant_ids(code.id):
            within.setdefault(below, []).append(code.id)
    labels = set(grouping.labels)
    cells: dict[tuple[int, str], int] = {}
    for code_id, document_id, speaker, n_segments in counts:
        label = grouping.of(document_id, speaker)
        if label is None or label not in labels or not n_segments:
            continue
        for counted in within.get(code_id, ()):
            cells[counted, label] = cells.get((counted, label), 0) + n_segments
    return CodeMatrix(grouping, tree.walk(), cells)
