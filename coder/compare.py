"""Coders compared: which units count, gathered from a project for `coder.agreement`.

The agreement functions know nothing of documents or statuses; this module decides what a
unit is in a real project and says what it left out, because a reviewer must be able to see
why a figure rests on the units it does.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from .agreement import AgreementReport, character_agreement, paragraph_agreement
from .agreement.groups import GroupAgreement, group_agreement
from .errors import CoderError
from .models import Code
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
    groups: tuple[GroupAgreement, ...] = ()


def covered_documents(store: Store, coder: str) -> set[int]:
    """A coder covers a document once they coded in it or marked it done."""
    doc_of = {u[1]: u[0] for u in store.agreement_units()}
    return _coverage(store, [coder], _located(store.agreement_codings([coder]), doc_of))[coder]


def _located(codings: list[tuple], doc_of: dict[int, int]) -> list[tuple]:
    """(document_id, paragraph_id, coder, code, start, end), current documents only."""
    return [(doc_of[r[0]], *r) for r in codings if r[0] in doc_of]


def _coverage(store: Store, coders: Sequence[str], codings: list[tuple]) -> dict[str, set[int]]:
    done = {(doc, name) for (doc, name), status in store.statuses().items() if status == DocumentStatus.DONE}
    out: dict[str, set[int]] = {c: {doc for doc, name in done if name == c} for c in coders}
    for doc, _, coder, *_ in codings:
        out[coder].add(doc)
    return out


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
    paragraph_ids: Collection[int] | None = None,
) -> list[Comparison]:
    """Reads the project in three narrow queries (codings, units, statuses), however many codes
    and documents: the figures themselves take milliseconds, so the reads set the pace.

    `paragraph_ids` keeps only those paragraphs as units (`--where`: see
    `coder.attributes.Where.paragraph_ids`)."""
    if len(coders) < 2:
        raise CoderError("agreement needs at least two coders, e.g. --coders alice,bob")
    if len(set(coders)) != len(coders):
        raise CoderError("each coder can be compared only once")
    for name in coders:
        store.coder_id(name, create=False)
    if unit not in ("paragraph", "character"):
        raise CoderError("--unit is paragraph or character")
    all_codes = store.codes(include_retired=True)
    live = [c.key for c in store.codes()]
    keys = list(live)
    all_units = store.agreement_units(lengths=unit == "character")
    codings = _located(store.agreement_codings(list(coders)), {u[1]: u[0] for u in all_units})
    if paragraph_ids is not None:
        all_units = [u for u in all_units if u[1] in paragraph_ids]
        codings = [r for r in codings if r[1] in paragraph_ids]
    if codes:
        unknown = [k for k in codes if k not in {c.key for c in all_codes}]
        if unknown:
            raise CoderError(f"unknown code(s): {', '.join(unknown)}")
        keys = list(codes)
    else:
        used = {row[3] for row in codings}
        keys += [c.key for c in all_codes if c.key in used and c.key not in keys]

    docs = {d.id: d for d in store.documents()}
    chosen = set(docs)
    if documents:
        chosen = {store.document(ref).id for ref in documents}
    coverage = {c: cov & chosen for c, cov in _coverage(store, coders, codings).items()}
    in_play = set().union(*coverage.values())
    if not in_play:
        raise CoderError(
            f"none of {', '.join(coders)} has coded or finished a document yet"
            + (" among those chosen" if documents else "")
        )
    variables = _variables(store, all_codes, live, codes) if unit == "paragraph" else {}
    wanted = set(keys) | {key for kids in variables.values() for key in kids}
    rows = [r for r in codings if r[3] in wanted and r[0] in in_play]
    units_by_doc: dict[int, list[tuple]] = defaultdict(list)
    for u in all_units:
        if u[0] in in_play:
            units_by_doc[u[0]].append(u)
    names = {d: docs[d].name for d in in_play}
    groups = [[d] for d in sorted(in_play)] if by_document else [sorted(in_play)]
    out = []
    for group in groups:
        report, found = _one(group, names, units_by_doc, list(coders), keys, coverage, rows, unit,
                             include_headings, ci, n_boot, seed, missing, variables)
        covered_by = tuple(c for c in coders if coverage[c] & set(group))
        out.append(Comparison(report, docs[group[0]].name if by_document else None, covered_by,
                              found))
    return out


EXCLUSIVE_GROUPS = "exclusive_groups"


def exclusive_groups(store: Store) -> list[str]:
    """Keys of the parents the codebook last loaded marks `exclusive: true` (a project setting)."""
    return list(json.loads(store.get_setting(EXCLUSIVE_GROUPS) or "[]"))


def _variables(store: Store, all_codes: list[Code], live_keys: Sequence[str],
               codes: Sequence[str] | None) -> dict[str, list[str]]:
    """Exclusive groups to compare (all, or those named with --code): parent key -> children."""
    by_id = {c.id: c for c in all_codes}
    live = set(live_keys)
    out: dict[str, list[str]] = {}
    for key in exclusive_groups(store):
        if key not in live or (codes and key not in codes):
            continue
        kids = [c.key for c in all_codes if c.parent_id is not None
                and by_id[c.parent_id].key == key and c.key in live]
        if kids:
            out[key] = kids
    return out


Unit = tuple  # document_id, paragraph_id, n, kind (, length in characters)


def _one(doc_ids, names, units_by_doc, coders, keys, coverage, rows, unit, include_headings, ci,
         n_boot, seed, missing, variables):
    wanted = set(doc_ids)
    rows = [r for r in rows if r[0] in wanted] if len(wanted) < len(names) else rows
    excluded: list[tuple[str, int]] = []
    uncovered = [names[d] for d in doc_ids if sum(d in coverage[c] for c in coders) < 2]
    if uncovered:
        excluded.append((
            "documents only one of the compared coders has coded or finished (nothing to "
            "compare there): " + ", ".join(uncovered),
            len(uncovered),
        ))
    units: list[Unit] = []
    skipped: list[Unit] = []
    for doc in doc_ids:
        for u in units_by_doc.get(doc, ()):
            (skipped if u[3] == ParagraphKind.HEADING and not include_headings else units).append(u)
    unit_ids = {u[1] for u in units}
    ignored = sum(1 for r in rows if r[1] not in unit_ids and r[3] in keys)
    rows = [r for r in rows if r[1] in unit_ids]
    found: tuple[GroupAgreement, ...] = ()
    if unit == "paragraph":
        applied = _applied(rows)
        covered_units = {c: {u[1] for u in units if u[0] in coverage[c]} for c in coders}
        report = paragraph_agreement([u[1] for u in units], coders, keys, applied, covered_units,
                                     ci=ci, n_boot=n_boot, seed=seed, missing=missing)
        found = _groups(units, coders, applied, covered_units, missing, variables, names)
        heading_note = "heading paragraphs (not units of coding; --include-headings counts them)"
        n_skipped = len(skipped)
    else:
        report = _characters(units, coders, keys, coverage, rows, ci, n_boot, seed, missing)
        heading_note = (
            f"characters of {len(skipped)} heading paragraph(s) (not units of coding;"
            " --include-headings counts them)"
        )
        n_skipped = sum(u[4] for u in skipped)
    if n_skipped:
        if ignored:
            heading_note += f"; {ignored} coding(s) on headings ignored"
        excluded.append((heading_note, n_skipped))
    return replace(report, excluded=excluded + list(report.excluded)), found


def _applied(rows) -> dict[tuple[str, str], set[int]]:
    applied: dict[tuple[str, str], set[int]] = defaultdict(set)
    for _, paragraph, coder, code, _, _ in rows:
        applied[(coder, code)].add(paragraph)
    return applied


def _groups(units, coders, applied, covered_units, missing, variables, names
            ) -> tuple[GroupAgreement, ...]:
    if not variables:
        return ()
    where = {u[1]: f"{names[u[0]]} ¶{u[2]}" for u in units}
    out = []
    for key, kids in variables.items():
        g = group_agreement(key, [u[1] for u in units], coders, kids, applied, covered_units,
                            missing=missing)
        named = tuple((c, where[p], codes) for c, p, codes in g.violations)
        out.append(replace(g, violations=named))
    return tuple(out)


def _characters(units, coders, keys, coverage, rows, ci, n_boot, seed, missing) -> AgreementReport:
    """Each document's unit paragraphs end to end: only their characters are units.

    The breaks between paragraphs and the text of headings left out are not text anyone could
    code, so counting them would add agreement on absence that no coder produced.
    """
    lengths: dict[int, int] = defaultdict(int)
    offsets: dict[int, int] = {}
    size: dict[int, int] = {}
    for doc, paragraph, _, _, length in units:
        offsets[paragraph] = lengths[doc]
        size[paragraph] = length
        lengths[doc] += length
    intervals: dict[tuple[str, str, int], list[tuple[int, int]]] = defaultdict(list)
    for doc, paragraph, coder, code, start, end in rows:
        base = offsets[paragraph]
        span = (0, size[paragraph]) if start is None else (start, end)
        intervals[(coder, code, doc)].append((base + span[0], base + span[1]))
    covered = {c: {d for d in lengths if d in coverage[c]} for c in coders}
    return character_agreement(dict(lengths), coders, keys, intervals, covered,
                               ci=ci, n_boot=n_boot, seed=seed, missing=missing)
