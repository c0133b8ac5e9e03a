"""Krippendorff's alpha over the SET of codes each coder gave a unit, with the MASI distance.

Sets are bitmasks (Python ints, so any number of codes). The observed disagreement is a sum over
units. The expected disagreement needs the distance between every pair of values in the data, which
is quadratic in the number of distinct sets if done naively; instead it uses the fact that MASI
depends only on (|A|, |B|, |A∩B|): counting, for every non-empty set T, the values of each size
that contain T, and inverting the binomial sum over T ⊆ A∩B, gives the exact pair counts in time
proportional to Σ 2^|A| over the distinct sets. Sets too large for that are compared directly.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from math import comb
from typing import Any

import numpy as np

from .metric import Metric, fmt, result, undefined

MASI_NAME = "Krippendorff's alpha on code sets (MASI distance)"
MASI_FORMULA = (
    "α = 1 − D_o / D_e over the set of codes each coder gave a unit, with δ(A, B) = MASI ="
    " 1 − J·M, J = |A∩B| / |A∪B|, M = 1 identical, 2/3 one a subset of the other, 1/3 overlapping,"
    " 0 disjoint (Passonneau 2006); two empty sets are identical (δ = 0)"
)

UnitType = tuple[int, ...]


def _masi_masks(a: int, b: int) -> float:
    if a == b:
        return 0.0
    i = (a & b).bit_count()
    if i == 0:
        return 1.0
    la, lb = a.bit_count(), b.bit_count()
    m = 2.0 / 3.0 if i == min(la, lb) else 1.0 / 3.0
    return 1.0 - i / (la + lb - i) * m


def masi_distance(a: AbstractSet[Hashable], b: AbstractSet[Hashable]) -> float:
    """MASI distance between two label sets; two empty sets are at distance 0."""
    a, b = frozenset(a), frozenset(b)
    if a == b:
        return 0.0
    i = len(a & b)
    if i == 0:
        return 1.0
    m = 2.0 / 3.0 if i == min(len(a), len(b)) else 1.0 / 3.0
    return 1.0 - i / len(a | b) * m


def _similarity(a: int, b: int, i: int) -> float:
    """1 − MASI for two non-empty sets of sizes a, b sharing i members."""
    if i == 0:
        return 0.0
    if a == b == i:
        return 1.0
    j = i / (a + b - i)
    return j * (2.0 / 3.0 if i == min(a, b) else 1.0 / 3.0)


# numpy >= 2.0 only; looked up by name so that mypy accepts it against numpy 1.x's stubs too
_bitwise_count: Callable[[np.ndarray], np.ndarray] | None = getattr(np, "bitwise_count", None)
if _bitwise_count is not None:
    _count_bits = _bitwise_count

    def _popcount(x: np.ndarray) -> np.ndarray:
        return _count_bits(x).astype(np.int64)

else:  # numpy < 2.0
    _BYTE_COUNTS = np.array([i.bit_count() for i in range(256)], dtype=np.int64)

    def _popcount(x: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=np.uint64)
        return _BYTE_COUNTS[x.view(np.uint8)].reshape(*x.shape, 8).sum(axis=-1)


def _positions(value: int) -> list[int]:
    out = []
    while value:
        low = value & -value
        out.append(low.bit_length() - 1)
        value ^= low
    return out


def _words(values: Sequence[int], width: int) -> np.ndarray:
    mask = (1 << 64) - 1
    return np.array(
        [[(v >> (64 * w)) & mask for w in range(width)] for v in values], dtype=np.uint64
    ).reshape(len(values), width)


def _similarity_rows(a: np.ndarray, b: np.ndarray, i: np.ndarray) -> np.ndarray:
    """Vectorised `_similarity` (non-empty sets of sizes a, b sharing i)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        j = np.where(i > 0, i / (a + b - i), 0.0)
    m = np.where((a == b) & (i == a), 1.0, np.where(i == np.minimum(a, b), 2.0 / 3.0, 1.0 / 3.0))
    return j * m


class MasiExpected:
    """Σ over ordered pairs of non-empty values of n_v n_v' (1 − MASI), for any value counts n.

    Built once from the distinct non-empty sets; `similarity_sum` then evaluates it for one or many
    count vectors (the bootstrap passes one row per resample). Sets of up to `SUBSET_LIMIT` codes go
    through the subset counting; larger ones (rare in qualitative coding) are compared directly
    with every value.
    """

    SUBSET_LIMIT = 10

    def __init__(self, values: Sequence[int]) -> None:
        self.n_values = len(values)
        positions = [_positions(v) for v in values]
        sizes = np.array([len(p) for p in positions], dtype=np.int64)
        width = max((p[-1] for p in positions if p), default=0) // 64 + 1
        top = min(self.SUBSET_LIMIT, max(4, int(np.log2(max(self.n_values, 1))) + 1))
        small = sizes <= top
        self.big = np.flatnonzero(~small)

        blocks, owners = [], []
        for a in np.unique(sizes[small]).tolist():
            members = np.flatnonzero(small & (sizes == a))
            pos = np.array([positions[i] for i in members], dtype=np.int64).reshape(-1, a)
            choose = ((np.arange(1, 2**a)[:, None] >> np.arange(a)) & 1).astype(np.uint64)
            subset = np.zeros((len(members), len(choose), width + 1), dtype=np.uint64)
            for w in range(width):
                bits = np.where(
                    pos // 64 == w,
                    np.left_shift(np.uint64(1), (pos % 64).astype(np.uint64)),
                    np.uint64(0),
                )
                subset[:, :, w] = (bits[:, None, :] * choose[None, :, :]).sum(axis=2)
            subset[:, :, width] = a
            blocks.append(subset.reshape(-1, width + 1))
            owners.append(np.repeat(members, len(choose)))
        if blocks:
            rows = np.concatenate(blocks)
            owner = np.concatenate(owners)
            order = np.lexsort(rows[:, ::-1].T)
            rows, owner = rows[order], owner[order]
            fresh = np.r_[True, (rows[1:] != rows[:-1]).any(axis=1)]
            self._starts = np.flatnonzero(fresh)
            self._inc_v = owner
            keys = rows[self._starts]
        else:
            self._starts = np.zeros(0, dtype=np.intp)
            self._inc_v = np.zeros(0, dtype=np.intp)
            keys = np.zeros((0, width + 1), dtype=np.uint64)
        self._p1, self._p2, self._pw = self._pairs(keys, width, top)

        self._direct = np.zeros((len(self.big), self.n_values))
        if len(self.big):
            all_words = _words(values, width)
            for r, b in enumerate(self.big.tolist()):
                shared = _popcount(all_words & all_words[b]).sum(axis=1)
                self._direct[r] = _similarity_rows(np.full(self.n_values, sizes[b]), sizes, shared)

    @staticmethod
    def _pairs(keys: np.ndarray, width: int, top: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs of (subset, size) keys sharing the subset, weighted by the binomial inversion.

        Σ_T G[T,a] G[T,b] counts pairs of values of sizes a and b once for each common subset T, so
        over |T| = t it is Σ_pairs C(|A∩B|, t); weighting with Σ_i (−1)^(t−i) C(t, i) sim(a, b, i)
        leaves exactly Σ_pairs sim(a, b, |A∩B|).
        """
        if len(keys) == 0:
            empty = np.zeros(0, dtype=np.intp)
            return empty, empty, np.zeros(0)
        weight = np.zeros((top + 1, top + 1, top + 1))
        for a in range(1, top + 1):
            for b in range(1, top + 1):
                for t in range(1, min(a, b) + 1):
                    weight[a, b, t] = sum(
                        (-1) ** (t - i) * comb(t, i) * _similarity(a, b, i) for i in range(1, t + 1)
                    )
        size = keys[:, width].astype(np.int64)
        t_size = _popcount(keys[:, :width]).sum(axis=1)
        fresh = np.r_[True, (keys[1:, :width] != keys[:-1, :width]).any(axis=1)]
        starts = np.flatnonzero(fresh)
        lengths = np.diff(np.r_[starts, len(keys)])
        p1s, p2s = [], []
        for g in np.unique(lengths).tolist():
            s = starts[lengths == g]
            i, j = np.meshgrid(np.arange(g), np.arange(g), indexing="ij")
            p1s.append((s[:, None] + i.ravel()[None, :]).ravel())
            p2s.append((s[:, None] + j.ravel()[None, :]).ravel())
        p1, p2 = np.concatenate(p1s), np.concatenate(p2s)
        return p1, p2, weight[size[p1], size[p2], t_size[p1]]

    @property
    def cost(self) -> int:
        """Cells touched per count vector, for sizing bootstrap batches."""
        return len(self._pw) + len(self._inc_v) + len(self.big) * self.n_values

    def similarity_sum(self, n: np.ndarray) -> np.ndarray:
        """`n` is (B, V) value counts; returns (B,) sums over ordered value pairs."""
        n = np.atleast_2d(np.asarray(n, dtype=np.float64))
        total = np.zeros(n.shape[0])
        if len(self._inc_v):
            g = np.add.reduceat(n[:, self._inc_v], self._starts, axis=1)
            if len(self._pw):
                total += (g[:, self._p1] * g[:, self._p2]) @ self._pw
        if len(self.big):
            nb = n[:, self.big]
            with_all = n @ self._direct.T
            among_big = nb @ self._direct[:, self.big].T
            total += 2.0 * (nb * with_all).sum(axis=1) - (nb * among_big).sum(axis=1)
        return total


class MasiData:
    """Pairable units grouped by type (the multiset of sets their coders gave), with weights.

    Keeps what the point estimate and the bootstrap both need: per-type observed disagreement, the
    type → value incidence, and the expected-disagreement machinery over the distinct values.
    """

    def __init__(self, unit_types: Mapping[UnitType, float]) -> None:
        types = [(t, w) for t, w in unit_types.items() if len(t) >= 2 and w > 0]
        self.types = [t for t, _ in types]
        self.weights = np.array([w for _, w in types], dtype=np.float64)
        self.m = np.array([len(t) for t in self.types], dtype=np.float64)
        self.disagreement = np.array([_unit_disagreement(t) for t in self.types])
        value_counts: defaultdict[int, float] = defaultdict(float)
        for t, w in types:
            for v in t:
                value_counts[v] += w
        self.value_counts = value_counts
        self.nonempty = [v for v in value_counts if v != 0]
        index = {v: i for i, v in enumerate(self.nonempty)}
        inc_t: list[int] = []
        inc_v: list[int] = []
        for ti, t in enumerate(self.types):
            for v in t:
                if v != 0:
                    inc_t.append(ti)
                    inc_v.append(index[v])
        order = np.argsort(np.array(inc_v, dtype=np.intp), kind="stable")
        self._inc_t = np.array(inc_t, dtype=np.intp)[order]
        by_value = np.array(inc_v, dtype=np.intp)[order]
        self._value_starts = (
            np.flatnonzero(np.r_[True, by_value[1:] != by_value[:-1]])
            if len(by_value)
            else np.zeros(0, dtype=np.intp)
        )
        self._empties = np.array([sum(1 for v in t if v == 0) for t in self.types], dtype=float)
        self._expected: MasiExpected | None = None

    @property
    def expected(self) -> MasiExpected:
        if self._expected is None:
            self._expected = MasiExpected(self.nonempty)
        return self._expected

    @property
    def n_units(self) -> float:
        return float(self.weights.sum())

    def components(self, type_counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(n, D_o numerator, D_e numerator) for (B, T) type counts."""
        c = np.atleast_2d(type_counts)
        n = c @ self.m
        observed = c @ self.disagreement
        n_empty = c @ self._empties
        if len(self._inc_t):
            nv = np.add.reduceat(c[:, self._inc_t], self._value_starts, axis=1)
        else:
            nv = np.zeros((c.shape[0], 0))
        similar = n_empty**2 + self.expected.similarity_sum(nv)
        return n, observed, n * n - similar


def _unit_disagreement(values: UnitType) -> float:
    """Σ over ordered pairs of a unit's values of MASI, divided by (m − 1)."""
    m = len(values)
    total = 0.0
    for x in range(m):
        for y in range(x + 1, m):
            total += _masi_masks(values[x], values[y])
    return 2.0 * total / (m - 1)


def masi_alpha(data: MasiData) -> Metric:
    """The point estimate, with the working for `explain`."""
    n_units = round(data.n_units)
    if not data.types:
        return undefined(MASI_NAME, "no unit coded by two or more coders", MASI_FORMULA, 0)
    if len(data.value_counts) == 1:
        only = next(iter(data.value_counts))
        reason = (
            "no variation: no code applied to any unit by any coder"
            if only == 0
            else "no variation: every coder gave every unit the same set of codes"
        )
        return undefined(MASI_NAME, reason, MASI_FORMULA, n_units)
    n, observed, expected = (float(x[0]) for x in data.components(data.weights))
    d_o = observed / n
    d_e = expected / (n * (n - 1))
    value = 1.0 - d_o / d_e
    working = (
        f"α = 1 − D_o / D_e = 1 − {fmt(d_o)} / {fmt(d_e)} = {result(value)}"
        f" ({round(n)} pairable code sets in {n_units} units)"
    )
    details = {"D_o": d_o, "D_e": d_e, "n_values": n}
    return Metric(MASI_NAME, float(value), None, MASI_FORMULA, working, n_units, details)


def types_from_sets(
    reliability_data: Sequence[Sequence[AbstractSet[Hashable] | None]],
) -> Counter[UnitType]:
    """Coders × units label sets (None = missing) → unit types over bitmasks."""
    bit: dict[Hashable, int] = {}
    rows = [list(r) for r in reliability_data]
    n_units = len(rows[0]) if rows else 0
    if any(len(r) != n_units for r in rows):
        raise ValueError("every coder needs a set (or None) for every unit")

    def mask(labels: Iterable[Hashable]) -> int:
        out = 0
        for label in labels:
            out |= 1 << bit.setdefault(label, len(bit))
        return out

    types: Counter[UnitType] = Counter()
    for u in range(n_units):
        values = [mask(labels) for r in rows if (labels := r[u]) is not None]
        types[tuple(sorted(values))] += 1
    return types


def krippendorff_alpha_masi(reliability_data: Sequence[Sequence[Any]]) -> Metric:
    """Alpha with MASI distance from a coders × units matrix of label sets (None = missing)."""
    return masi_alpha(MasiData(types_from_sets(reliability_data)))
