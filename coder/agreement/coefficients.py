"""Nominal agreement coefficients in their general (multi-category) textbook form.

They take either a q×q contingency table of two coders, or a units×categories matrix of counts
("how many coders put unit i in category k") with optional row `weights`: a row with weight w
stands for w identical units. The weights let the per-code binary path hand over a handful of
distinct rows (e.g. "neither / one / both coders applied it") instead of one row per paragraph or
per character, while running exactly these formulas, which the published worked examples check.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from .metric import Metric, chance_corrected, fmt, result, undefined

PERCENT_NAME = "Percent agreement (mean pairwise)"
PERCENT_FORMULA = (
    "P̄ = mean over units of Σ_k n_ik(n_ik − 1) / (n_i(n_i − 1)): the share of agreeing coder pairs"
    " in a unit, averaged over units (Fleiss' P̄); for two coders, (agreements) / (units)"
)
COHEN_NAME = "Cohen's kappa"
COHEN_FORMULA = (
    "κ = (p_o − p_e) / (1 − p_e); p_o = Σ_k p_kk, p_e = Σ_k p_k· p_·k (each coder's own marginals;"
    " Cohen 1960)"
)
SCOTT_NAME = "Scott's pi"
SCOTT_FORMULA = (
    "π = (p_o − p_e) / (1 − p_e); p_e = Σ_k π_k², π_k = (p_k· + p_·k) / 2 (pooled marginals;"
    " Scott 1955)"
)
FLEISS_NAME = "Fleiss' kappa"
FLEISS_FORMULA = (
    "κ = (P̄ − P̄_e) / (1 − P̄_e); P̄ = mean pairwise agreement per unit, P̄_e = Σ_k p_k²,"
    " p_k = share of all ratings in category k (Fleiss 1971; equals Scott's pi for two coders);"
    " with missing ratings P̄ over units with ≥ 2 ratings and p_k = mean over units with ≥ 1"
    " rating of the unit's share in category k (Gwet 2014)"
)
ALPHA_NAME = "Krippendorff's alpha (nominal)"
ALPHA_FORMULA = (
    "α = 1 − D_o / D_e; D_o = (1/n) Σ_u Σ_{c≠k} n_uc n_uk / (m_u − 1),"
    " D_e = (n² − Σ_c n_c²) / (n(n − 1)); n = pairable values, units with m_u ≥ 2 values"
    " (Krippendorff 2011)"
)
BP_NAME = "Brennan-Prediger kappa"
BP_FORMULA = "κ_BP = (p_o − 1/q) / (1 − 1/q); q = number of categories (Brennan & Prediger 1981)"
AC1_NAME = "Gwet's AC1"
AC1_FORMULA = (
    "AC1 = (p_o − p_e) / (1 − p_e); p_e = Σ_k π_k(1 − π_k) / (q − 1), π_k = mean over units of"
    " the share of the unit's ratings in category k, over units with ≥ 1 rating; p_o over units"
    " with ≥ 2 (Gwet 2008, 2014)"
)

NO_PAIRABLE = "no unit has two or more ratings"


def _as_counts(counts: Any, weights: Any | None) -> tuple[np.ndarray, np.ndarray]:
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 2:
        raise ValueError(f"counts must be a units × categories matrix, got shape {c.shape}")
    if (c < 0).any():
        raise ValueError("counts must not be negative")
    if weights is None:
        w = np.ones(c.shape[0])
    else:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (c.shape[0],):
            raise ValueError("weights must have one entry per row of counts")
        if (w < 0).any():
            raise ValueError("weights must not be negative")
    keep = w > 0
    return c[keep], w[keep]


def _no_variation(used: np.ndarray, labels: Sequence[str] | None) -> str | None:
    """The reason text when at most one category was ever used, else None."""
    nonzero = np.flatnonzero(used > 0)
    if len(nonzero) > 1:
        return None
    if len(nonzero) == 0:
        return "no ratings"
    k = int(nonzero[0])
    if labels is not None:
        return f"no variation: every unit {labels[k]} for every coder"
    return f"no variation: every rating falls in category {k}"


def _pairwise_agreement(c: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """(P̄ over units with ≥ 2 ratings, total weight of those units)."""
    r = c.sum(axis=1)
    pairable = r >= 2
    cp, wp, rp = c[pairable], w[pairable], r[pairable]
    n = float(wp.sum())
    if n == 0:
        return float("nan"), 0.0
    agree = (cp * (cp - 1)).sum(axis=1) / (rp * (rp - 1))
    return float((wp * agree).sum() / n), n


def _int(x: float) -> int:
    return round(x)


def percent_agreement(counts: Any, weights: Any | None = None) -> Metric:
    """Mean pairwise agreement over units with two or more ratings (not chance-corrected)."""
    c, w = _as_counts(counts, weights)
    p_o, n = _pairwise_agreement(c, w)
    if n == 0:
        return undefined(PERCENT_NAME, NO_PAIRABLE, PERCENT_FORMULA, 0)
    working = f"P̄ = {result(p_o)} over {_int(n)} units"
    return Metric(PERCENT_NAME, p_o, None, PERCENT_FORMULA, working, _int(n), {"p_o": p_o})


def fleiss_kappa(
    counts: Any, weights: Any | None = None, labels: Sequence[str] | None = None
) -> Metric:
    """Fleiss' (1971) kappa, with Gwet's (2014) treatment of missing ratings.

    With every unit rated by the same number of coders this is Fleiss' kappa exactly; when some
    ratings are missing, P̄ averages over the units with two or more ratings and p_k over the
    units with one or more, as in Gwet's handbook and the `irrCAC` package.
    """
    c, w = _as_counts(counts, weights)
    r = c.sum(axis=1)
    rated = r > 0
    c, w = c[rated], w[rated]
    if len(c) == 0 or (c.sum(axis=1) >= 2).sum() == 0:
        return undefined(FLEISS_NAME, NO_PAIRABLE, FLEISS_FORMULA, 0)
    p_bar, n, p_k = _gwet_parts(c, w)
    p_e = float((p_k**2).sum())
    used = (w[:, None] * c).sum(axis=0)
    reason = _no_variation(used, labels)
    extra = _shares(p_k, w)
    if reason is None:
        extra.update(_gwet_se(c, w, p_bar, p_e, c @ p_k / c.sum(axis=1)))
    return chance_corrected(
        FLEISS_NAME,
        FLEISS_FORMULA,
        p_bar,
        p_e,
        n_units=_int(n),
        symbol="κ",
        no_variation=reason,
        extra=extra,
    )


def _gwet_se(
    c: np.ndarray, w: np.ndarray, p_a: float, p_e: float, pe_unit: np.ndarray | None
) -> dict[str, float]:
    """Gwet's (2014) standard error of a chance-corrected coefficient, as irrCAC computes it.

    Linearises the coefficient into per-unit terms (units with ≥ 1 rating; a weight w counts as
    w units), `pe_unit` being each unit's share of the chance term (None for a fixed p_e, as
    Brennan-Prediger's 1/q). Returns `se` and `df` (units − 1) for a t-based interval.
    """
    r = c.sum(axis=1)
    n = float(w.sum())
    pairable = r >= 2
    n2 = float(w[pairable].sum())
    if n < 2 or n2 == 0 or p_e >= 1:
        return {}
    value = (p_a - p_e) / (1 - p_e)
    pa_unit = np.zeros(len(r))
    pa_unit[pairable] = (c[pairable] * (c[pairable] - 1)).sum(axis=1) / (
        r[pairable] * (r[pairable] - 1))
    x = (n / n2) * (pa_unit - p_e * pairable) / (1 - p_e)
    if pe_unit is not None:
        x = x - 2 * (1 - value) * (pe_unit - p_e) / (1 - p_e)
    var = float((w * (x - value) ** 2).sum()) / (n * (n - 1))
    return {"se": var**0.5, "df": n - 1}


def _shares(pi: np.ndarray, w: np.ndarray) -> dict[str, float]:
    """π_k and the number of rated units, kept in `details` for the working."""
    return {**{f"pi_{k}": float(p) for k, p in enumerate(pi)}, "n_rated": float(w.sum())}


def _gwet_parts(c: np.ndarray, w: np.ndarray) -> tuple[float, float, np.ndarray]:
    """(p_a over units with ≥ 2 ratings, its unit count, π_k over units with ≥ 1 rating).

    This is Gwet's (2014) form, which allows units rated by different numbers of coders; with a
    constant number of coders it is Gwet's (2008) AC1 exactly.
    """
    r = c.sum(axis=1)
    p_a, n_pairable = _pairwise_agreement(c, w)
    rated = r >= 1
    pi = (w[rated, None] * c[rated] / r[rated, None]).sum(axis=0) / w[rated].sum()
    return p_a, n_pairable, pi


def gwet_ac1(counts: Any, weights: Any | None = None, n_categories: int | None = None) -> Metric:
    """Gwet's AC1; `n_categories` (q) defaults to the number of columns.

    Stays defined when every rating is in one category: p_e ≤ 1/q < 1 always.
    """
    c, w = _as_counts(counts, weights)
    q = n_categories if n_categories is not None else c.shape[1]
    if q < 2:
        raise ValueError("AC1 needs at least two categories")
    if c.shape[0] == 0 or (c.sum(axis=1) >= 2).sum() == 0:
        return undefined(AC1_NAME, NO_PAIRABLE, AC1_FORMULA, 0)
    p_a, n, pi = _gwet_parts(c, w)
    p_e = float((pi * (1 - pi)).sum() / (q - 1))
    rated = c.sum(axis=1) >= 1
    cr, wr = c[rated], w[rated]
    pe_unit = (cr @ (1 - pi)) / cr.sum(axis=1) / (q - 1)
    return chance_corrected(
        AC1_NAME,
        AC1_FORMULA,
        p_a,
        p_e,
        n_units=_int(n),
        symbol="AC1",
        no_variation=None,
        extra={"q": float(q), **_shares(pi, wr), **_gwet_se(cr, wr, p_a, p_e, pe_unit)},
    )


def brennan_prediger(
    counts: Any, weights: Any | None = None, n_categories: int | None = None
) -> Metric:
    """Brennan & Prediger's (1981) kappa with chance agreement 1/q; always defined for q ≥ 2."""
    c, w = _as_counts(counts, weights)
    q = n_categories if n_categories is not None else c.shape[1]
    if q < 2:
        raise ValueError("Brennan-Prediger needs at least two categories")
    p_o, n = _pairwise_agreement(c, w)
    if n == 0:
        return undefined(BP_NAME, NO_PAIRABLE, BP_FORMULA, 0)
    rated = c.sum(axis=1) >= 1
    return chance_corrected(
        BP_NAME,
        BP_FORMULA,
        p_o,
        1.0 / q,
        n_units=_int(n),
        symbol="κ_BP",
        no_variation=None,
        extra={"q": float(q), **_gwet_se(c[rated], w[rated], p_o, 1.0 / q, None)},
    )


def krippendorff_alpha_from_counts(
    counts: Any, weights: Any | None = None, labels: Sequence[str] | None = None
) -> Metric:
    """Nominal alpha from per-unit value counts; units with fewer than two values are unpairable."""
    c, w = _as_counts(counts, weights)
    r = c.sum(axis=1)
    pairable = r >= 2
    c, w, r = c[pairable], w[pairable], r[pairable]
    if len(r) == 0:
        return undefined(ALPHA_NAME, NO_PAIRABLE, ALPHA_FORMULA, 0)
    n_c = (w[:, None] * c).sum(axis=0)
    n = float(n_c.sum())
    n_units = _int(float(w.sum()))
    reason = _no_variation(n_c, labels)
    disagreeing = float((w * (r * r - (c * c).sum(axis=1)) / (r - 1)).sum())
    d_o = disagreeing / n
    d_e = float(n * n - (n_c * n_c).sum()) / (n * (n - 1))
    details = {"D_o": d_o, "D_e": d_e, "n_values": n}
    if reason is not None:
        return Metric(ALPHA_NAME, None, reason, ALPHA_FORMULA, "", n_units, details)
    value = 1.0 - d_o / d_e
    working = (
        f"α = 1 − D_o / D_e = 1 − {fmt(d_o)} / {fmt(d_e)} = {result(value)}"
        f" ({_int(n)} pairable values in {n_units} units)"
    )
    return Metric(ALPHA_NAME, float(value), None, ALPHA_FORMULA, working, n_units, details)


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def counts_from_ratings(
    reliability_data: Sequence[Sequence[Hashable | None]],
) -> tuple[np.ndarray, list[Hashable]]:
    """Coders × units ratings (None or NaN = missing) → units × categories counts, categories."""
    rows = [list(r) for r in reliability_data]
    if not rows:
        raise ValueError("reliability data needs at least one coder")
    n_units = len(rows[0])
    if any(len(r) != n_units for r in rows):
        raise ValueError("every coder needs a value (or None) for every unit")
    categories: dict[Hashable, int] = {}
    for r in rows:
        for v in r:
            if not _is_missing(v) and v not in categories:
                categories[v] = len(categories)
    counts = np.zeros((n_units, max(len(categories), 1)), dtype=np.int64)
    for r in rows:
        for u, v in enumerate(r):
            if not _is_missing(v):
                counts[u, categories[v]] += 1
    return counts, list(categories)


def krippendorff_alpha_nominal(reliability_data: Sequence[Sequence[Hashable | None]]) -> Metric:
    """Nominal alpha from a coders × units matrix; None or NaN marks a missing value."""
    counts, cats = counts_from_ratings(reliability_data)
    labels = [f"is {c!r}" for c in cats] if cats else None
    return krippendorff_alpha_from_counts(counts, labels=labels)


def _table(table: Any) -> np.ndarray:
    t = np.asarray(table, dtype=np.float64)
    if t.ndim != 2 or t.shape[0] != t.shape[1]:
        raise ValueError("a contingency table must be square (coder A's categories × coder B's)")
    if (t < 0).any():
        raise ValueError("a contingency table must not hold negative counts")
    return t


def _table_no_variation(
    rows: np.ndarray, cols: np.ndarray, n: float, labels: Sequence[str] | None
) -> str | None:
    both = np.flatnonzero((rows == n) & (cols == n))
    if len(both) == 0:
        return None
    k = int(both[0])
    if labels is not None:
        return f"no variation: every unit {labels[k]} for every coder"
    return f"no variation: every rating falls in category {k}"


def cohen_kappa(table: Any, labels: Sequence[str] | None = None) -> Metric:
    """Cohen's kappa from a q×q table (rows: coder A, columns: coder B)."""
    t = _table(table)
    n = float(t.sum())
    if n == 0:
        return undefined(COHEN_NAME, "no units rated by both coders", COHEN_FORMULA, 0)
    rows, cols = t.sum(axis=1), t.sum(axis=0)
    p_o = float(np.trace(t) / n)
    p_e = float((rows * cols).sum() / (n * n))
    reason = _table_no_variation(rows, cols, n, labels)
    extra: dict[str, float] = {}
    if reason is None and p_e < 1 and n >= 2:
        kappa = (p_o - p_e) / (1 - p_e)
        p_k, p_l = rows / n, cols / n
        dev = np.eye(len(t)) - (1 - kappa) * (p_l[:, None] + p_k[None, :])
        total = float(((t / n) * dev**2).sum())
        var = (total - (p_o - 2 * (1 - kappa) * p_e) ** 2) / (n * (1 - p_e) ** 2)
        extra = {"se": max(var, 0.0) ** 0.5, "df": n - 1}
    return chance_corrected(
        COHEN_NAME,
        COHEN_FORMULA,
        p_o,
        p_e,
        n_units=_int(n),
        symbol="κ",
        no_variation=reason,
        extra=extra,
    )


def scott_pi(table: Any, labels: Sequence[str] | None = None) -> Metric:
    """Scott's pi from a q×q table (rows: coder A, columns: coder B)."""
    t = _table(table)
    n = float(t.sum())
    if n == 0:
        return undefined(SCOTT_NAME, "no units rated by both coders", SCOTT_FORMULA, 0)
    rows, cols = t.sum(axis=1), t.sum(axis=0)
    p_o = float(np.trace(t) / n)
    pi = (rows + cols) / (2 * n)
    p_e = float((pi**2).sum())
    return chance_corrected(
        SCOTT_NAME,
        SCOTT_FORMULA,
        p_o,
        p_e,
        n_units=_int(n),
        symbol="π",
        no_variation=_table_no_variation(rows, cols, n, labels),
    )


def counts_from_table(table: Any) -> tuple[np.ndarray, np.ndarray]:
    """A two-coder q×q table as (units × categories counts, weights): one row per non-empty cell."""
    t = _table(table)
    q = t.shape[0]
    counts, weights = [], []
    for i in range(q):
        for j in range(q):
            if t[i, j] > 0:
                row = np.zeros(q)
                row[i] += 1
                row[j] += 1
                counts.append(row)
                weights.append(t[i, j])
    if not counts:
        return np.zeros((0, q)), np.zeros(0)
    return np.array(counts), np.array(weights)
