"""Coders compared: which units count, gathered from a project for `coder.agreement`.

The agreement functions know nothing of documents or statuses; this module decides what a
unit is in a real project and says what it left out, because a reviewer must be able to see
why a figure rests on the units it does.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .agreement import AgreementReport, character_agreement, paragraph_agreement
from .agreement.groups import GroupAgreement, group_agreement
from .errors import CoderError
from .models import Code, Paragraph
from .store import Store


@dataclass(frozen=True)
class Comparison:
    """One report, or one per document with `--by document`.

    `covered_by` names the compared coders who coded or finished the document(s): with fewer than
    two there is nothing to compare, which a per-document listing must say rather than print n/a.
    """

    report: AgreementReport
    document: str | None = None
    covered_by: tuple[str, ...] = ()
    groups: tuple[GroupAgreement, ...] = ()


def covered_documents(store: Store, coder: str) -> set[int]:
    """A coder covers a document once they coded in it or marked it done."""
    statuses = store.statuses()
    covered = {doc for (doc, name), status in statuses.items() if name == coder and status == "done"}
    covered |= {r.document_id for r in store.segment_rows(coders=[coder])}
    return covered


def compare(
    store: Store,
    coders: Sequence[str],
    *,
    unit: str = "paragraph",
    documents: Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
    by_document: bool = False,
    include_headings: bool = False,
    ci: float | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    missing: str = "gwet",
) -> list[Comparison]:
    if len(coders) < 2:
        raise CoderError("agreement needs at least two coders, e.g. --coders alice,bob")
    if len(set(coders)) != len(coders):
        raise CoderError("each coder can be compared only once")
    for name in coders:
        store.coder_id(name, create=False)
    if unit not in ("paragraph", "character"):
        raise CoderError("--unit is paragraph or character")
    all_codes = store.codes(include_retired=True)
    keys = [c.key for c in store.codes()]
    if codes:
        unknown = [k for k in codes if k not in {c.key for c in all_codes}]
        if unknown:
            raise CoderError(f"unknown code(s): {', '.join(unknown)}")
        keys = list(codes)
    else:
        used = {r.code_key for r in store.segment_rows(coders=list(coders))}
        keys += [c.key for c in all_codes if c.key in used and c.key not in keys]

    docs = {d.id: d for d in store.documents()}
    chosen = set(docs)
    if documents:
        chosen = {store.document(ref).id for ref in documents}
    coverage = {c: covered_documents(store, c) & chosen for c in coders}
    in_play = set().union(*coverage.values())
    if not in_play:
        raise CoderError(
            f"none of {', '.join(coders)} has coded or finished a document yet"
            + (" among those chosen" if documents else "")
        )
    variables = _variables(store, all_codes, codes) if unit == "paragraph" else {}
    children = [key for kids in variables.values() for key in kids if key not in keys]
    groups = [[d] for d in sorted(in_play)] if by_document else [sorted(in_play)]
    rows = store.segment_rows(coders=list(coders), code_keys=keys + children)
    out = []
    for group in groups:
        report, found = _one(store, group, list(coders), keys, coverage, rows, unit,
                             include_headings, ci, n_boot, seed, missing, variables)
        covered_by = tuple(c for c in coders if coverage[c] & set(group))
        out.append(Comparison(report, docs[group[0]].name if by_document else None, covered_by,
                              found))
    return out


EXCLUSIVE_GROUPS = "exclusive_groups"


def exclusive_groups(store: Store) -> list[str]:
    """Keys of the parents the codebook last loaded marks `exclusive: true` (a project setting)."""
    return list(json.loads(store.get_setting(EXCLUSIVE_GROUPS) or "[]"))


def _variables(store: Store, all_codes: list[Code], codes: Sequence[str] | None
               ) -> dict[str, list[str]]:
    """Exclusive groups to compare (all, or those named with --code): parent key -> children."""
    by_id = {c.id: c for c in all_codes}
    live = {c.key for c in store.codes()}
    out: dict[str, list[str]] = {}
    for key in exclusive_groups(store):
        if key not in live or (codes and key not in codes):
            continue
        kids = [c.key for c in all_codes if c.parent_id is not None
                and by_id[c.parent_id].key == key and c.key in live]
        if kids:
            out[key] = kids
    return out


def _one(store, doc_ids, coders, keys, coverage, rows, unit, include_headings, ci, n_boot, seed,
         missing, variables):
    wanted = set(doc_ids)
    paragraphs = {doc: store.paragraphs(doc) for doc in doc_ids}
    rows = [r for r in rows if r.document_id in wanted]
    excluded: list[tuple[str, int]] = []
    uncovered = [store.document(d).name for d in doc_ids
                 if sum(d in coverage[c] for c in coders) < 2]
    if uncovered:
        excluded.append((
            "documents only one of the compared coders has coded or finished (nothing to "
            "compare there): " + ", ".join(uncovered),
            len(uncovered),
        ))
    units: list[Paragraph] = []
    skipped: list[Paragraph] = []
    for doc in doc_ids:
        for p in paragraphs[doc]:
            (skipped if p.kind == "heading" and not include_headings else units).append(p)
    unit_ids = {p.id for p in units}
    ignored = sum(1 for r in rows if r.paragraph_id not in unit_ids)
    rows = [r for r in rows if r.paragraph_id in unit_ids]
    found: tuple[GroupAgreement, ...] = ()
    if unit == "paragraph":
        report = _paragraphs(units, coders, keys, coverage, rows, ci, n_boot, seed, missing)
        found = _groups(units, coders, coverage, rows, missing, variables,
                        {d: store.document(d).name for d in doc_ids})
        heading_note = "heading paragraphs (not units of coding; --include-headings counts them)"
        n_skipped = len(skipped)
    else:
        report = _characters(units, coders, keys, coverage, rows, ci, n_boot, seed, missing)
        heading_note = (
            f"characters of {len(skipped)} heading paragraph(s) (not units of coding;"
            " --include-headings counts them)"
        )
        n_skipped = sum(len(p.text) for p in skipped)
    if n_skipped:
        if ignored:
            heading_note += f"; {ignored} coding(s) on headings ignored"
        excluded.append((heading_note, n_skipped))
    return replace(report, excluded=excluded + list(report.excluded)), found


def _groups(units, coders, coverage, rows, missing, variables, doc_names
            ) -> tuple[GroupAgreement, ...]:
    applied: dict[tuple[str, str], set[int]] = defaultdict(set)
    for r in rows:
        applied[(r.coder, r.code_key)].add(r.paragraph_id)
    covered_units = {c: {p.id for p in units if p.document_id in coverage[c]} for c in coders}
    where = {p.id: f"{doc_names[p.document_id]} ¶{p.n}" for p in units}
    out = []
    for key, kids in variables.items():
        g = group_agreement(key, [p.id for p in units], coders, kids, applied, covered_units,
                            missing=missing)
        named = tuple((c, where[u], codes) for c, u, codes in g.violations)
        out.append(replace(g, violations=named))
    return tuple(out)


def _paragraphs(units, coders, keys, coverage, rows, ci, n_boot, seed, missing) -> AgreementReport:
    applied: dict[tuple[str, str], set[int]] = defaultdict(set)
    for r in rows:
        applied[(r.coder, r.code_key)].add(r.paragraph_id)
    covered_units = {c: {p.id for p in units if p.document_id in coverage[c]} for c in coders}
    return paragraph_agreement([p.id for p in units], coders, keys, applied, covered_units,
                               ci=ci, n_boot=n_boot, seed=seed, missing=missing)


def _characters(units, coders, keys, coverage, rows, ci, n_boot, seed, missing) -> AgreementReport:
    """Each document's unit paragraphs end to end: only their characters are units.

    The breaks between paragraphs and the text of headings left out are not text anyone could
    code, so counting them would add agreement on absence that no coder produced.
    """
    lengths: dict[int, int] = defaultdict(int)
    offsets: dict[int, int] = {}
    for p in units:
        offsets[p.id] = lengths[p.document_id]
        lengths[p.document_id] += len(p.text)
    intervals: dict[tuple[str, str, int], list[tuple[int, int]]] = defaultdict(list)
    for r in rows:
        base = offsets[r.paragraph_id]
        start, end = (0, len(r.paragraph_text)) if r.start is None else (r.start, r.end)
        intervals[(r.coder, r.code_key, r.document_id)].append((base + start, base + end))
    covered = {c: {d for d in lengths if d in coverage[c]} for c in coders}
    return character_agreement(dict(lengths), coders, keys, intervals, covered,
                               ci=ci, n_boot=n_boot, seed=seed, missing=missing)
