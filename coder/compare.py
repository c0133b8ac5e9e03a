"""Coders compared: which units count, gathered from a project for `coder.agreement`.

The agreement functions know nothing of documents or statuses; this module decides what a
unit is in a real project and says what it left out, because a reviewer must be able to see
why a figure rests on the units it does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from .agreement import AgreementReport, character_agreement, paragraph_agreement
from .agreement.groups import GroupAgreement, group_agreement
from .coverage import RULE as COVERAGE_RULE
from .coverage import WHOLE, Coverage, project_coverage, read_coverage
from .errors import CoderError
from .exclusive import exclusive_groups
from .models import Code
from .store import Store
from .vocab import ParagraphKind


@dataclass(frozen=True)
class Unread:
    """A document `coder` read only up to paragraph `read_to`: `units` lie beyond, missing."""

    coder: str
    document: str
    read_to: int
    units: int


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
    unread: tuple[Unread, ...] = ()

    def unread_json(self) -> dict[str, Any]:
        """How many units each coder has not reached yet, for `--json` beside the report."""
        by_coder: dict[str, int] = defaultdict(int)
        for u in self.unread:
            by_coder[u.coder] += u.units
        return {"rule": COVERAGE_RULE, "units_beyond_reach": dict(by_coder),
                "partly_read": [asdict(u) for u in self.unread]}


def covered_documents(store: Store, coder: str) -> set[int]:
    """A coder covers a document once they coded in it, read some of it, or marked it done."""
    return project_coverage(store, [coder]).documents(coder)


def _located(codings: list[tuple], units: list[tuple]) -> list[tuple]:
    """(document_id, paragraph_id, coder, code, start, end), current documents only."""
    doc_of = {u[1]: u[0] for u in units}
    return [(doc_of[r[0]], *r) for r in codings if r[0] in doc_of]


def _read(store: Store, coders: Sequence[str], codings: list[tuple], units: list[tuple]
          ) -> Coverage:
    n_of = {u[1]: u[2] for u in units}
    return read_coverage(store, coders, ((r[0], n_of[r[1]], r[2]) for r in codings))


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
    codings = _located(store.agreement_codings(list(coders)), all_units)
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
    read = _read(store, coders, codings, all_units).only(chosen)
    coverage = {c: read.documents(c) for c in coders}
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
        report, found, unread = _one(group, names, units_by_doc, list(coders), keys, read, rows,
                                     unit, include_headings, ci, n_boot, seed, missing, variables)
        covered_by = tuple(c for c in coders if coverage[c] & set(group))
        out.append(Comparison(report, docs[group[0]].name if by_document else None, covered_by,
                              found, unread))
    return out


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


def _one(doc_ids, names, units_by_doc, coders, keys, read, rows, unit, include_headings, ci,
         n_boot, seed, missing, variables):
    wanted = set(doc_ids)
    coverage = {c: read.documents(c) for c in coders}
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
        covered_units = {c: _within(units, read.reach.get(c, {})) for c in coders}
        report = paragraph_agreement([u[1] for u in units], coders, keys, applied, covered_units,
                                     ci=ci, n_boot=n_boot, seed=seed, missing=missing)
        found = _groups(units, coders, applied, covered_units, missing, variables, names)
        heading_note = "heading paragraphs (not units of coding; --include-headings counts them)"
        n_skipped = len(skipped)
    else:
        report = _characters(units, coders, keys, read, rows, ci, n_boot, seed, missing)
        heading_note = (
            f"characters of {len(skipped)} heading paragraph(s) (not units of coding;"
            " --include-headings counts them)"
        )
        n_skipped = sum(u[4] for u in skipped)
    if n_skipped:
        if ignored:
            heading_note += f"; {ignored} coding(s) on headings ignored"
        excluded.append((heading_note, n_skipped))
    return (replace(report, excluded=excluded + list(report.excluded)), found,
            _unread(units, coders, read, names, unit))


def _within(units: list[Unit], reach: dict[int, int | None]) -> set[int]:
    """The units a coder covers, by `Coverage.covers` inlined: this runs once per unit."""
    return {u[1] for u in units if u[0] in reach
            and ((upto := reach[u[0]]) is WHOLE or u[2] <= upto)}


def _unread(units: list[Unit], coders: Sequence[str], read: Coverage, names: dict[int, str],
            unit: str) -> tuple[Unread, ...]:
    """Each coder's partly read documents here, with the units beyond their reach."""
    out = []
    for coder in coders:
        partly = read.partly_read(coder)
        beyond: dict[int, int] = defaultdict(int)
        for u in units:
            if u[0] in partly and u[2] > partly[u[0]]:
                beyond[u[0]] += u[4] if unit == "character" else 1
        out += [Unread(coder, names[d], partly[d], beyond[d])
                for d in sorted(beyond, key=lambda d: names[d])]
    return tuple(out)


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


def _characters(units, coders, keys, read, rows, ci, n_boot, seed, missing) -> AgreementReport:
    """Each document's unit paragraphs end to end: only their characters are units.

    The breaks between paragraphs and the text of headings left out are not text anyone could
    code, so counting them would add agreement on absence that no coder produced. A document
    some coder read only in part is cut where their reading stops, so that each piece is either
    covered or missing for each coder, as the agreement functions expect of a document.
    """
    lengths: dict[int, int] = defaultdict(int)
    offsets: dict[int, int] = {}
    size: dict[int, int] = {}
    read_to: dict[tuple[str, int], int] = defaultdict(int)
    for doc, paragraph, n, _, length in units:
        offsets[paragraph] = lengths[doc]
        size[paragraph] = length
        lengths[doc] += length
        for c in coders:
            if read.covers(c, doc, n):
                read_to[(c, doc)] = lengths[doc]
    pieces: dict[Hashable, int] = {}
    starts: dict[int, list[int]] = {}
    for doc, total in lengths.items():
        cuts = sorted({0, total} | {read_to[(c, doc)] for c in coders
                                    if doc in read.partly_read(c)})
        starts[doc] = cuts[:-1]
        for i, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False)):
            pieces[(doc, i)] = b - a
    intervals: dict[tuple[str, str, Hashable], list[tuple[int, int]]] = defaultdict(list)
    for doc, paragraph, coder, code, start, end in rows:
        base = offsets[paragraph]
        span = (0, size[paragraph]) if start is None else (start, end)
        a, b = base + span[0], base + span[1]
        cuts = starts[doc]
        for i, first in enumerate(cuts):
            last = cuts[i + 1] if i + 1 < len(cuts) else lengths[doc]
            if a < last and b > first:
                intervals[(coder, code, (doc, i))].append((max(a, first) - first,
                                                          min(b, last) - first))
    covered = {c: {(doc, i) for doc, cuts in starts.items() for i, first in enumerate(cuts)
                   if doc in read.documents(c)
                   and read_to[(c, doc)] >= first + pieces[(doc, i)]}
               for c in coders}
    return character_agreement(pieces, coders, keys, intervals, covered,
                               ci=ci, n_boot=n_boot, seed=seed, missing=missing)
