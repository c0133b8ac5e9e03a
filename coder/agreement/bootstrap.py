"""Percentile bootstrap intervals for Krippendorff's alpha (per code, pooled, and over code sets).

Resampling N units with replacement and then grouping them by type is the same as drawing the type
counts from a multinomial with the types' shares as probabilities, so each resample costs one draw
over the distinct unit types instead of N index draws.

Each code is resampled on its own, over its few (coders, appliers) types, with a generator seeded
from the seed and the code's key: a code's interval then depends on the seed and on that code's
data only, not on which other codes were compared. The pooled alpha and the alpha on code sets
share one stream of resamples over the joint types, since both look at every code at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .masi import MasiData
from .metric import Metric

if TYPE_CHECKING:
    from .report import CodeAgreement
    from .tally import Tally

MEMORY_CELLS = 4_000_000


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def _mc_error(ordered: np.ndarray, p: float) -> float:
    """Monte Carlo standard error of the p-quantile of N resamples, distribution-free.

    The 95% interval for a quantile runs between the order statistics N·p ± 1.96·√(N·p(1−p));
    a quarter-ish of its width (÷ 2·1.96) is the standard error, shrinking as 1/√N.
    """
    n = len(ordered)
    spread = 1.96 * (n * p * (1 - p)) ** 0.5
    lo = int(np.clip(np.floor(n * p - spread), 0, n - 1))
    hi = int(np.clip(np.ceil(n * p + spread), 0, n - 1))
    return float(ordered[hi] - ordered[lo]) / (2 * 1.96)


def _interval(values: np.ndarray, level: float) -> dict[str, Any] | None:
    ok = values[~np.isnan(values)]
    if len(ok) == 0:
        return None
    tail = (1.0 - level) / 2.0
    low, high = np.percentile(ok, [tail * 100.0, 100.0 - tail * 100.0])
    ordered = np.sort(ok)
    mc = max(_mc_error(ordered, tail), _mc_error(ordered, 1 - tail))
    return {"low": float(low), "high": float(high), "resamples_used": len(ok), "mc_error": mc}


def _binary_alpha(n: np.ndarray, n1: np.ndarray, dis: np.ndarray) -> np.ndarray:
    """α = 1 − (n − 1) Σ_u j(m − j)/(m − 1) / (n_0 n_1); NaN where there is no variation."""
    n0 = n - n1
    denom = n0 * n1
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 1.0 - (n - 1.0) * dis / denom
    out[denom <= 0] = np.nan
    return out


def stream(seed: int, label: str) -> np.random.Generator:
    """A generator for one code (or "overall"): the same seed and label always give the same draws."""
    digest = hashlib.sha256(label.encode("utf-8")).digest()
    return np.random.default_rng([seed, int.from_bytes(digest[:8], "big")])


def _code_interval(
    pairable: dict[tuple[int, int], int], level: float, n_boot: int, rng: np.random.Generator
) -> dict[str, Any] | None:
    items = [(mj, w) for mj, w in pairable.items() if w > 0]
    m = np.array([mm for (mm, _), _ in items], dtype=np.float64)
    j = np.array([jj for (_, jj), _ in items], dtype=np.float64)
    w = np.array([ww for _, ww in items], dtype=np.float64)
    total = round(w.sum())
    counts = rng.multinomial(total, w / w.sum(), size=n_boot).astype(np.float64)
    alphas = _binary_alpha(counts @ m, counts @ j, counts @ (j * (m - j) / (m - 1)))
    return _interval(alphas, level)


def bootstrap_alpha(
    tally: Tally,
    masi: MasiData,
    codes: Sequence[CodeAgreement],
    overall: dict[str, Metric],
    pool: Sequence[str],
    *,
    level: float,
    n_boot: int,
    seed: int,
) -> dict[str, Any]:
    code_keys = [c.code for c in codes]
    n_types = len(masi.types)
    total = round(masi.n_units)
    method = (
        f"percentile bootstrap: {n_boot} resamples of the {total} {tally.unit}s that at least two"
        f" coders covered, drawn with replacement (seed {seed}; each code's resamples are drawn"
        " from the seed and the code's key, so its interval does not change with the other codes"
        " compared); D_o and D_e are recomputed in every resample and the"
        f" {level * 100:g}% interval runs from the {(1 - level) * 50:g}th to the"
        f" {100 - (1 - level) * 50:g}th percentile of the resampled alphas; resamples in which"
        " alpha is undefined (no variation) are left out and the rest counted in resamples_used"
    )
    if tally.unit == "character":
        method += (
            ". Characters are resampled one by one although neighbouring characters are coded"
            " together, so the interval is narrower than the document-level uncertainty"
        )
    result: dict[str, Any] = {
        "method": method,
        "level": level,
        "n_boot": n_boot,
        "seed": seed,
        "codes": {key: None for key in code_keys},
        "overall": {"krippendorff_alpha": None, "krippendorff_alpha_masi": None},
    }
    if n_types == 0 or total == 0:
        return result

    for c in codes:
        if c.metrics["krippendorff_alpha"].value is not None:
            pairable = tally.per_code[c.code].pairable
            result["codes"][c.code] = _code_interval(
                pairable, level, n_boot, stream(seed, f"code:{c.code}")
            )

    m = masi.m
    columns = [code_keys.index(key) for key in pool]
    j = np.zeros((n_types, len(code_keys)))
    for t, values in enumerate(masi.types):
        for v in values:
            for bit in _bits(v):
                j[t, bit] += 1
    j = j[:, columns]
    applied = j.sum(axis=1)
    dis = (j * (m[:, None] - j) / (m[:, None] - 1)).sum(axis=1)
    p = masi.weights / masi.weights.sum()
    pooled_defined = bool(columns) and overall["krippendorff_alpha"].value is not None
    masi_defined = overall["krippendorff_alpha_masi"].value is not None
    if not (pooled_defined or masi_defined):
        return result
    per_row = n_types * 4
    if masi_defined:
        per_row += masi.expected.cost + n_types
    chunk = max(1, min(n_boot, MEMORY_CELLS // max(per_row, 1)))

    rng = stream(seed, "overall")
    pooled = np.empty(n_boot)
    sets = np.full(n_boot, np.nan)
    done = 0
    while done < n_boot:
        size = min(chunk, n_boot - done)
        counts = rng.multinomial(total, p, size=size).astype(np.float64)
        n = counts @ m
        pooled[done : done + size] = _binary_alpha(len(columns) * n, counts @ applied, counts @ dis)
        if masi_defined:
            nn, observed, expected = masi.components(counts)
            with np.errstate(divide="ignore", invalid="ignore"):
                alpha = 1.0 - (observed / nn) / (expected / (nn * (nn - 1.0)))
            alpha[expected <= 1e-12 * nn * nn] = np.nan
            sets[done : done + size] = alpha
        done += size

    if pooled_defined:
        result["overall"]["krippendorff_alpha"] = _interval(pooled, level)
    if masi_defined:
        result["overall"]["krippendorff_alpha_masi"] = _interval(sets, level)
    return result
