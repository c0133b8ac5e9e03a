"""Coders compared: which units count, gathered from a project for `coder.agreement`.

The agreement functions know nothing of documents or statuses; this module decides what a
unit is in a real project and says what it left out, because a reviewer must be able to see
why a figure rests on the units it does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .agreement import AgreementReport, character_agreement, paragraph_agreement
from .errors import CoderError
from .store import Store

SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Comparison:
    """One report, or one per document with `--by document`."""

    report: AgreementReport
    document: str | None = None


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
    groups = [[d] for d in sorted(in_play)] if by_document else [sorted(in_play)]
    rows = store.segment_rows(coders=list(coders), code_keys=keys)
    out = []
    for group in groups:
        report = _one(store, group, list(coders), keys, coverage, rows, unit, include_headings,
                      ci, n_boot, seed)
        out.append(Comparison(report, docs[group[0]].name if by_document else None))
    return out


def _one(store, doc_ids, coders, keys, coverage, rows, unit, include_headings, ci, n_boot, seed):
    wanted = set(doc_ids)
    paragraphs = {doc: store.paragraphs(doc) for doc in doc_ids}
    rows = [r for r in rows if r.document_id in wanted]
    excluded: list[tuple[str, int]] = []
    uncovered = [store.document(d).name for d in doc_ids
                 if sum(d in coverage[c] for c in coders) < 2]
    if uncovered:
        excluded.append((
            "documents only one of the coders has coded or finished (their units count only "
            "for Krippendorff's alpha, which allows missing data): " + ", ".join(uncovered),
            len(uncovered),
        ))
    if unit == "paragraph":
        units = []
        skipped_headings = 0
        for doc in doc_ids:
            for p in paragraphs[doc]:
                if p.kind == "heading" and not include_headings:
                    skipped_headings += 1
                    continue
                units.append(p.id)
        unit_set = set(units)
        applied: dict[tuple[str, str], set[int]] = defaultdict(set)
        coded_heading = 0
        for r in rows:
            if r.paragraph_id in unit_set:
                applied[(r.coder, r.code_key)].add(r.paragraph_id)
            else:
                coded_heading += 1
        covered_units = {
            c: {p.id for d in doc_ids if d in coverage[c] for p in paragraphs[d]
                if p.id in unit_set}
            for c in coders
        }
        report = paragraph_agreement(units, coders, keys, applied, covered_units,
                                     ci=ci, n_boot=n_boot, seed=seed)
        if skipped_headings:
            note = "heading paragraphs (not units of coding; --include-headings counts them)"
            if coded_heading:
                note += f"; {coded_heading} coding(s) on headings ignored"
            excluded.append((note, skipped_headings))
    else:
        lengths: dict[int, int] = {}
        offsets: dict[int, int] = {}
        for doc in doc_ids:
            pos = 0
            for i, p in enumerate(paragraphs[doc]):
                if i:
                    pos += len(SEPARATOR)
                offsets[p.id] = pos
                pos += len(p.text)
            lengths[doc] = pos
        intervals: dict[tuple[str, str, int], list[tuple[int, int]]] = defaultdict(list)
        for r in rows:
            base = offsets[r.paragraph_id]
            start, end = (0, len(r.paragraph_text)) if r.start is None else (r.start, r.end)
            intervals[(r.coder, r.code_key, r.document_id)].append((base + start, base + end))
        covered = {c: {d for d in doc_ids if d in coverage[c]} for c in coders}
        report = character_agreement(lengths, coders, keys, intervals, covered,
                                     ci=ci, n_boot=n_boot, seed=seed)
    return replace(report, excluded=excluded + list(report.excluded))
