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
from .models import Paragraph
from .store import Store
from .vocab import DocumentStatus, ParagraphKind


@dataclass(frozen=True)
class Comparison:
    """One report, or one per document with `--by document`.

    `covered_by` names the compared coders who coded or finished the document(s): with fewer than
    two there is nothing to compare, which a per-document listing must say rather than print n/a.
    """

    report: AgreementReport
    document: str | None = None
    covered_by: tuple[str, ...] = ()


def covered_documents(store: Store, coder: str) -> set[int]:
    """A coder covers a document once they coded in it or marked it done."""
    statuses = store.statuses()
    covered = {doc for (doc, name), status in statuses.items() if name == coder and status == DocumentStatus.DONE}
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
        covered_by = tuple(c for c in coders if coverage[c] & set(group))
        out.append(Comparison(report, docs[group[0]].name if by_document else None, covered_by))
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
            "documents only one of the compared coders has coded or finished (nothing to "
            "compare there): " + ", ".join(uncovered),
            len(uncovered),
        ))
    units: list[Paragraph] = []
    skipped: list[Paragraph] = []
    for doc in doc_ids:
        for p in paragraphs[doc]:
            (skipped if p.kind == ParagraphKind.HEADING and not include_headings else units).append(p)
    unit_ids = {p.id for p in units}
    ignored = sum(1 for r in rows if r.paragraph_id not in unit_ids)
    rows = [r for r in rows if r.paragraph_id in unit_ids]
    if unit == "paragraph":
        report = _paragraphs(units, coders, keys, coverage, rows, ci, n_boot, seed)
        heading_note = "heading paragraphs (not units of coding; --include-headings counts them)"
        n_skipped = len(skipped)
    else:
        report = _characters(units, coders, keys, coverage, rows, ci, n_boot, seed)
        heading_note = (
            f"characters of {len(skipped)} heading paragraph(s) (not units of coding;"
            " --include-headings counts them)"
        )
        n_skipped = sum(len(p.text) for p in skipped)
    if n_skipped:
        if ignored:
            heading_note += f"; {ignored} coding(s) on headings ignored"
        excluded.append((heading_note, n_skipped))
    return replace(report, excluded=excluded + list(report.excluded))


def _paragraphs(units, coders, keys, coverage, rows, ci, n_boot, seed) -> AgreementReport:
    applied: dict[tuple[str, str], set[int]] = defaultdict(set)
    for r in rows:
        applied[(r.coder, r.code_key)].add(r.paragraph_id)
    covered_units = {c: {p.id for p in units if p.document_id in coverage[c]} for c in coders}
    return paragraph_agreement([p.id for p in units], coders, keys, applied, covered_units,
                               ci=ci, n_boot=n_boot, seed=seed)


def _characters(units, coders, keys, coverage, rows, ci, n_boot, seed) -> AgreementReport:
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
                               ci=ci, n_boot=n_boot, seed=seed)
