"""A code compared across the values of an attribute: `coder crosstab` and `coder stats --by`.

Every paragraph falls in the group of its attribute value (its document's, or its case's: see
`coder.attributes`); a paragraph with no value falls in "(no value)", so no coding goes
uncounted. Per group: its documents, cases and paragraphs; per code and group: segments,
paragraphs coded, words coded, and the cases with the code (count and share of the group's
cases). Words are those of the distinct stretches coded, so a paragraph two coders both coded
counts its words once; words are runs of characters between spaces, as a word processor counts.
A code's counts are its own: its sub-codes are rows of their own.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..attributes import AttributeIndex, Where, sort_key
from ..errors import CoderError
from ..models import Attribute, Code
from ..store import Store
from .scope import select

NO_VALUE = "(no value)"
MEASURES = ("segments", "paragraphs", "words", "cases", "case_share")


@dataclass
class Group:
    """One value of the attribute, and what falls in it."""

    value: str
    documents: int
    cases: int
    paragraphs: int


@dataclass
class Cell:
    segments: int = 0
    paragraphs: int = 0
    words: int = 0
    cases: int = 0

    def case_share(self, group: Group) -> float | None:
        return self.cases / group.cases if group.cases else None


@dataclass
class Crosstab:
    attribute: Attribute
    coders: list[str]
    groups: list[Group]
    codes: list[tuple[Code, int]]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    where: str = ""

    def cell(self, code_key: str, value: str) -> Cell:
        return self.cells.get((code_key, value)) or Cell()

    def rows(self) -> list[dict[str, object]]:
        """One row per code and value (long format, for R's and pandas' group-bys)."""
        out: list[dict[str, object]] = []
        for code, _ in self.codes:
            for g in self.groups:
                c = self.cell(code.key, g.value)
                share = c.case_share(g)
                out.append({
                    "attribute": self.attribute.name, "value": g.value,
                    "coders": "+".join(self.coders), "code_key": code.key,
                    "code_path": code.path, "documents_in_group": g.documents,
                    "cases_in_group": g.cases, "paragraphs_in_group": g.paragraphs,
                    "segments": c.segments, "paragraphs": c.paragraphs, "words": c.words,
                    "cases": c.cases,
                    "case_share": None if share is None else round(share, 4),
                })
        return out


def default_coders(store: Store, coders: Sequence[str]) -> list[str]:
    """The coders counted: those named, else the review's consensus when there is one (the
    study's settled coding), else every coder."""
    if coders:
        for name in coders:
            store.coder_id(name, create=False)
        return list(coders)
    known = store.coders()
    return ["consensus"] if "consensus" in known else known


def crosstab(
    store: Store,
    attribute: str,
    coders: Sequence[str],
    *,
    codes: Sequence[str] = (),
    where: Where | None = None,
    index: AttributeIndex | None = None,
) -> Crosstab:
    """Codes by the values of `attribute`, counting the segments of `coders` (pooled)."""
    index = index or AttributeIndex.load(store)
    attr = index.attribute(attribute)
    scope = select(store, codes=codes, coders=coders, as_tallies=True, where=where)
    doc_ids = {d.name: d.id for d in scope.documents}

    def value_of(doc_id: int, speaker: str | None) -> str:
        return index.values(doc_id, speaker).get(attr.name, NO_VALUE)

    members: dict[str, list[set[object]]] = defaultdict(lambda: [set(), set(), set()])
    n_paragraphs: dict[str, int] = defaultdict(int)
    for doc_id, speakers in store.paragraph_speakers(list(doc_ids.values())).items():
        for speaker, count in speakers.items():
            if where is not None and where and not where.matches(doc_id, speaker):
                continue
            value = value_of(doc_id, speaker)
            n_paragraphs[value] += count
            members[value][0].add(doc_id)
            case_id = index.case_id_of(doc_id, speaker)
            if case_id is not None:
                members[value][1].add(case_id)

    cells: dict[tuple[str, str], Cell] = {}
    cases: dict[tuple[str, str], set[int]] = defaultdict(set)
    assert scope.tallies is not None
    for tally in scope.tallies:
        slot = (tally.code_key, value_of(tally.document_id, tally.speaker))
        cell = cells.get(slot)
        if cell is None:
            cell = cells[slot] = Cell()
        cell.segments += tally.segments
        cell.paragraphs += tally.paragraphs
        cell.words += tally.words
        case_id = index.case_id_of(tally.document_id, tally.speaker)
        if case_id is not None:
            cases[slot].add(case_id)
    for slot, cell in cells.items():
        cell.cases = len(cases[slot])

    values = sorted(n_paragraphs, key=lambda v: (v == NO_VALUE, sort_key(attr.type, v)))
    groups = [Group(v, len(members[v][0]), len(members[v][1]), n_paragraphs[v]) for v in values]
    return Crosstab(attr, list(coders), groups, scope.tree, cells,
                    where.describe() if where else "")


def crosstab_csv(tables: Sequence[Crosstab], *, bom: bool = False) -> bytes:
    rows = [row for t in tables for row in t.rows()]
    if not rows:
        raise CoderError("nothing to write: no codes in the selection")
    out = io.StringIO(newline="")
    if bom:
        out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in rows)
    return out.getvalue().encode("utf-8")


def crosstab_json(tables: Sequence[Crosstab]) -> str:
    return json.dumps([{
        "attribute": t.attribute.name, "type": t.attribute.type, "coders": t.coders,
        "where": t.where or None,
        "groups": [{"value": g.value, "documents": g.documents, "cases": g.cases,
                    "paragraphs": g.paragraphs} for g in t.groups],
        "rows": t.rows(),
    } for t in tables], ensure_ascii=False, indent=2)
