"""From who-applied-what to the few counts every coefficient needs.

Per code, presence/absence data of k coders reduce without loss to: over units every coder covered,
how many units had the code from exactly j coders (j = 0..k) and how often each coder applied it;
over units at least one coder covered (Gwet's missing-data rule, and Krippendorff's alpha on those
two or more covered), how many units had m coders of whom j applied it. Units nobody applied the
code to are counted in bulk, so the work follows the number of codings, not units × codes.

For the set-valued alpha (MASI) and the bootstrap, units are grouped by "type": the sorted tuple of
code-set bitmasks their covering coders gave. Units where nobody applied anything share one type.

Characters are handled the same way with interval arithmetic: within a document every character has
the same covering coders, and runs between interval boundaries have constant codings, so each run is
one weighted unit (exact).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Self, TypeGuard

import numpy as np

from ..errors import CoderError
from .masi import UnitType


@dataclass
class CodeTally:
    """One code's counts.

    `hist[j]`: units (of those all coders covered) with j coders applying; `rated[(m, j)]`: units
    m ≥ 1 coders covered, j of whom applied it (Gwet's missing-data rule uses them all).
    """

    hist: np.ndarray
    presence: np.ndarray
    rated: Counter[tuple[int, int]] = field(default_factory=Counter)

    @property
    def pairable(self) -> Counter[tuple[int, int]]:
        """The `rated` units two or more coders covered (Krippendorff's alpha)."""
        return Counter({mj: w for mj, w in self.rated.items() if mj[0] >= 2})

    def __iadd__(self, other: CodeTally) -> Self:
        self.hist = self.hist + other.hist
        self.presence = self.presence + other.presence
        self.rated = self.rated + other.rated
        return self


@dataclass
class Tally:
    unit: str
    coders: tuple[str, ...]
    codes: tuple[str, ...]
    n_complete: int
    n_pairable: int
    per_code: dict[str, CodeTally]
    types: Counter[UnitType]
    coverage: Coverage


def _check_names(
    coders: Sequence[str], codes: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    coders_t, codes_t = tuple(coders), tuple(codes)
    if len(coders_t) < 2:
        raise CoderError(f"agreement needs at least two coders, got {len(coders_t)}")
    for what, names in (("coder", coders_t), ("code", codes_t)):
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise CoderError(f"{what} {name!r} is listed twice")
            seen.add(name)
    return coders_t, codes_t


@dataclass(frozen=True)
class Coverage:
    """How many units each number of coders covered, and codings ignored, for the report's notes."""

    n_none: int
    n_single: int
    n_partial: int
    n_ignored: int
    ignored: str


def _add_bulk(tally: CodeTally, k: int, n_complete: int, rated_by_m: Mapping[int, int]) -> None:
    """Fill j = 0 (nobody applied the code) from the totals."""
    tally.hist[0] = n_complete - int(tally.hist[1:].sum())
    for m, total in rated_by_m.items():
        tally.rated[(m, 0)] = total - sum(
            w for (mm, j), w in tally.rated.items() if mm == m and j > 0
        )


_INTEGERS = (int, np.integer)


def _all_integers(values: Collection[Hashable]) -> TypeGuard[Collection[int | np.integer]]:
    """Whether every value is an integer; checks each distinct type once (fast on 100,000 ids)."""
    return all(issubclass(t, _INTEGERS) for t in set(map(type, values)))


class _Indexer:
    """Unit → position in `units`, vectorised when the units are integers (database ids)."""

    def __init__(self, units: Sequence[Hashable]) -> None:
        self.n = len(units)
        keys = None
        if self.n and _all_integers(units):
            try:
                keys = np.fromiter(units, dtype=np.int64, count=self.n)
            except OverflowError:
                keys = None
        if keys is not None:
            self._order = np.argsort(keys, kind="stable")
            self._sorted = keys[self._order]
            dup = np.flatnonzero(self._sorted[1:] == self._sorted[:-1])
            if len(dup):
                raise CoderError(f"unit {int(self._sorted[dup[0]])!r} is listed twice")
            self._index: dict[Hashable, int] | None = None
        else:
            self._index = {u: i for i, u in enumerate(units)}
            if len(self._index) != self.n:
                dup_u = next(u for u, count in Counter(units).items() if count > 1)
                raise CoderError(f"unit {dup_u!r} is listed twice")

    def positions(self, members: Iterable[Hashable]) -> tuple[np.ndarray, int]:
        """(positions of the distinct members that are units, number of members that are not)."""
        if not isinstance(members, (set, frozenset, dict)):
            members = set(members)
        if self._index is None:
            ints: Collection[int | np.integer] = (
                members if _all_integers(members) else {u for u in members if isinstance(u, _INTEGERS)}
            )
            try:
                values = np.fromiter(ints, dtype=np.int64, count=len(ints))
            except OverflowError:
                values = np.array([u for u in ints if -(2**63) <= u < 2**63], dtype=np.int64)
            if self.n == 0:
                return np.zeros(0, dtype=np.intp), len(members)
            pos = np.searchsorted(self._sorted, values)
            pos[pos == self.n] = 0
            found = self._sorted[pos] == values
            return self._order[pos[found]], len(members) - int(found.sum())
        index = self._index
        inside = [index[u] for u in members if u in index]
        return np.array(inside, dtype=np.intp), len(members) - len(inside)


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a 2-D uint64 array and their counts (lexsort beats np.unique here)."""
    if rows.shape[0] == 0:
        return rows, np.zeros(0, dtype=np.int64)
    order = np.lexsort(rows.T[::-1])
    ordered = rows[order]
    new = np.r_[True, (ordered[1:] != ordered[:-1]).any(axis=1)]
    starts = np.flatnonzero(new)
    return ordered[starts], np.diff(np.r_[starts, len(ordered)])


def _paragraph_types(masks: np.ndarray, cov: np.ndarray, m_arr: np.ndarray) -> Counter[UnitType]:
    """Unit types of pairable units: per coverage pattern, the distinct rows of covering masks."""
    k, _, words = masks.shape
    types: Counter[UnitType] = Counter()
    pattern = np.zeros(m_arr.shape, dtype=np.int64)
    for c in range(k):
        pattern |= cov[c].astype(np.int64) << c
    for pat in np.unique(pattern[m_arr >= 2]):
        covering = [c for c in range(k) if pat >> c & 1]
        sel = np.flatnonzero(pattern == pat)
        rows = masks[covering][:, sel, :].transpose(1, 0, 2).reshape(len(sel), -1)
        distinct, counts = _unique_rows(rows)
        for row, n in zip(distinct.tolist(), counts.tolist(), strict=True):
            if words == 1:
                types[tuple(sorted(row))] += n
                continue
            values = tuple(
                sum(row[c * words + w] << (64 * w) for w in range(words))
                for c in range(len(covering))
            )
            types[tuple(sorted(values))] += n
    return types


def tally_paragraphs(
    units: Sequence[Hashable],
    coders: Sequence[str],
    codes: Sequence[str],
    applied: Mapping[tuple[str, str], Iterable[Hashable]],
    coded_units: Mapping[str, Iterable[Hashable]],
) -> Tally:
    coders_t, codes_t = _check_names(coders, codes)
    k = len(coders_t)
    indexer = _Indexer(units)
    n = indexer.n
    cov = np.zeros((k, n), dtype=bool)
    for c, coder in enumerate(coders_t):
        cov[c, indexer.positions(coded_units.get(coder, ()))[0]] = True
    m_arr = cov.sum(axis=0)
    by_m = np.bincount(m_arr, minlength=k + 1)
    complete = m_arr == k
    n_complete = int(by_m[k])
    rated_by_m = {m: int(by_m[m]) for m in range(1, k + 1) if by_m[m]}

    words = max(1, (len(codes_t) + 63) // 64)
    masks = np.zeros((k, n, words), dtype=np.uint64)
    per_code: dict[str, CodeTally] = {}
    n_ignored = 0
    for bit, code in enumerate(codes_t):
        word, flag = divmod(bit, 64)
        idx = []
        for c, coder in enumerate(coders_t):
            pos, outside = indexer.positions(applied.get((coder, code), ()))
            at = pos[cov[c, pos]]
            n_ignored += outside + len(pos) - len(at)
            masks[c, at, word] |= np.uint64(1 << flag)
            idx.append(at)
        tally = CodeTally(np.zeros(k + 1, dtype=np.int64), np.zeros(k, dtype=np.int64))
        tally.presence[:] = [int(complete[at].sum()) for at in idx]
        touched, j = np.unique(np.concatenate(idx), return_counts=True)
        m = m_arr[touched]
        tally.hist += np.bincount(j[m == k], minlength=k + 1)
        keyed = np.bincount(m[m >= 1] * (k + 1) + j[m >= 1], minlength=(k + 1) ** 2)
        for key in np.flatnonzero(keyed):
            tally.rated[divmod(int(key), k + 1)] = int(keyed[key])
        _add_bulk(tally, k, n_complete, rated_by_m)
        per_code[code] = tally

    coverage = Coverage(
        int(by_m[0]),
        int(by_m[1]),
        int(by_m[2:k].sum()),
        n_ignored,
        "codings on paragraphs outside the coder's covered paragraphs, ignored",
    )
    return Tally(
        unit="paragraph",
        coders=coders_t,
        codes=codes_t,
        n_complete=n_complete,
        n_pairable=int(by_m[2:].sum()),
        per_code=per_code,
        types=_paragraph_types(masks, cov, m_arr),
        coverage=coverage,
    )


def merge_spans(spans: Iterable[tuple[int, int]], length: int, where: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping [start, end) spans: a stretch coded twice with a code counts once."""
    clean = []
    for span in spans:
        try:
            start, end = (int(x) for x in span)
        except (TypeError, ValueError):
            raise CoderError(
                f"{where}: span {span!r} is not a (start, end) pair of integers"
            ) from None
        if not 0 <= start <= end <= length:
            raise CoderError(
                f"{where}: span [{start}, {end}) lies outside the document's {length} characters"
            )
        if start < end:
            clean.append((start, end))
    clean.sort()
    merged: list[tuple[int, int]] = []
    for start, end in clean:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _covered_length(spans: list[tuple[int, int]]) -> int:
    return sum(e - s for s, e in spans)


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    i = j = total = 0
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if lo < hi:
            total += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def _coverage_by_j(span_lists: list[list[tuple[int, int]]]) -> Counter[int]:
    """Characters covered by exactly j of the span lists, for j ≥ 1 (sweep over boundaries)."""
    events: list[tuple[int, int]] = []
    for spans in span_lists:
        for s, e in spans:
            events.append((s, 1))
            events.append((e, -1))
    events.sort()
    out: Counter[int] = Counter()
    depth = 0
    prev = 0
    for pos, delta in events:
        if depth and pos > prev:
            out[depth] += pos - prev
        depth += delta
        prev = pos
    return out


def _run_types(
    length: int, per_coder: list[list[tuple[int, list[tuple[int, int]]]]]
) -> Counter[UnitType]:
    """Runs of constant code sets across the covering coders, as weighted unit types."""
    toggles: list[tuple[int, int, int]] = []
    for slot, coded in enumerate(per_coder):
        for bit, spans in coded:
            flag = 1 << bit
            for s, e in spans:
                toggles.append((s, slot, flag))
                toggles.append((e, slot, flag))
    toggles.sort()
    masks = [0] * len(per_coder)
    out: Counter[UnitType] = Counter()
    prev = 0
    i = 0
    while i < len(toggles):
        pos = toggles[i][0]
        if pos > prev:
            out[tuple(sorted(masks))] += pos - prev
            prev = pos
        while i < len(toggles) and toggles[i][0] == pos:
            _, slot, flag = toggles[i]
            masks[slot] ^= flag
            i += 1
    if length > prev:
        out[tuple(sorted(masks))] += length - prev
    return out


def tally_characters(
    documents: Mapping[Hashable, int],
    coders: Sequence[str],
    codes: Sequence[str],
    intervals: Mapping[tuple[str, str, Hashable], Iterable[tuple[int, int]]],
    covered: Mapping[str, Iterable[Hashable]],
) -> Tally:
    coders_t, codes_t = _check_names(coders, codes)
    k = len(coders_t)
    coder_index = {c: i for i, c in enumerate(coders_t)}
    code_index = {c: i for i, c in enumerate(codes_t)}
    cov = [set(covered.get(c, ())) for c in coders_t]
    for doc, length in documents.items():
        if not isinstance(length, (int, np.integer)) or isinstance(length, bool) or length < 0:
            raise CoderError(f"document {doc!r}: length must be a whole number ≥ 0, got {length!r}")

    by_doc: dict[Hashable, dict[tuple[int, int], list[tuple[int, int]]]] = {}
    n_ignored = 0
    for (coder, code, doc), spans in intervals.items():
        if coder not in coder_index or code not in code_index:
            continue
        ci = coder_index[coder]
        if doc not in documents or doc not in cov[ci]:
            n_ignored += sum(1 for _ in spans)
            continue
        where = f"coder {coder!r}, code {code!r}, document {doc!r}"
        merged = merge_spans(spans, int(documents[doc]), where)
        if merged:
            by_doc.setdefault(doc, {})[(ci, code_index[code])] = merged

    per_code = {
        code: CodeTally(np.zeros(k + 1, dtype=np.int64), np.zeros(k, dtype=np.int64))
        for code in codes_t
    }
    types: Counter[UnitType] = Counter()
    rated_by_m: Counter[int] = Counter()
    n_complete = n_none = n_single = n_partial = 0
    for doc, length in documents.items():
        length = int(length)
        covering = [ci for ci in range(k) if doc in cov[ci]]
        m = len(covering)
        if m == 0:
            n_none += length
            continue
        rated_by_m[m] += length
        is_complete = m == k
        if m == 1:
            n_single += length
        elif is_complete:
            n_complete += length
        else:
            n_partial += length
        spans_of = by_doc.get(doc, {})
        for code in codes_t:
            bit = code_index[code]
            lists = [spans_of.get((ci, bit), []) for ci in covering]
            if not any(lists):
                continue
            tally = per_code[code]
            if m == 1:
                by_j = Counter({1: _covered_length(lists[0])})
            elif m == 2:
                both = _overlap(lists[0], lists[1])
                x0, x1 = _covered_length(lists[0]), _covered_length(lists[1])
                by_j = Counter({1: x0 + x1 - 2 * both, 2: both})
            else:
                by_j = _coverage_by_j(lists)
            for j, w in by_j.items():
                if w:
                    tally.rated[(m, j)] += w
                    if is_complete:
                        tally.hist[j] += w
            if is_complete:
                tally.presence += np.array([_covered_length(s) for s in lists], dtype=np.int64)
        per_coder = [
            [(bit, spans_of[(ci, bit)]) for bit in range(len(codes_t)) if (ci, bit) in spans_of]
            for ci in covering
        ]
        if m == 1:
            continue
        if any(per_coder):
            types.update(_run_types(length, per_coder))
        elif length:
            types[(0,) * m] += length
    for tally in per_code.values():
        _add_bulk(tally, k, n_complete, rated_by_m)

    coverage = Coverage(
        n_none,
        n_single,
        n_partial,
        n_ignored,
        "spans in documents the coder did not cover (or not in the document list), ignored",
    )
    return Tally(
        unit="character",
        coders=coders_t,
        codes=codes_t,
        n_complete=n_complete,
        n_pairable=sum(w for m, w in rated_by_m.items() if m >= 2),
        per_code=per_code,
        types=types,
        coverage=coverage,
    )
