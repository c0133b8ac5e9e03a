"""Percentile bootstrap intervals for Krippendorff's alpha (per code, pooled, and over code sets).

Resampling N units with replacement and then grouping them by type is the same as drawing the type
counts from a multinomial with the types' shares as probabilities, so each resample costs one draw
over the distinct unit types instead of N index draws. All alphas use the same resamples.
"""

from __future__ import annotations

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


def _interval(values: np.ndarray, level: float) -> dict[str, Any] | None:
    ok = values[~np.isnan(values)]
    if len(ok) == 0:
        return None
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(ok, [tail, 100.0 - tail])
    return {"low": float(low), "high": float(high), "resamples_used": len(ok)}


def _binary_alpha(n: np.ndarray, n1: np.ndarray, dis: np.ndarray) -> np.ndarray:
    """α = 1 − (n − 1) Σ_u j(m − j)/(m − 1) / (n_0 n_1); NaN where there is no variation."""
    n0 = n - n1
    denom = n0 * n1
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 1.0 - (n - 1.0) * dis / denom
    out[denom <= 0] = np.nan
    return out


def bootstrap_alpha(
    tally: Tally,
    masi: MasiData,
    codes: Sequence[CodeAgreement],
    overall: dict[str, Metric],
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
        f" coders covered, drawn with replacement (seed {seed}); D_o and D_e are recomputed in"
        f" every resample and the {level:.0%} interval runs from the {(1 - level) / 2:.1%} to the"
        f" {1 - (1 - level) / 2:.1%} percentile of the resampled alphas; resamples in which"
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

    m = masi.m
    j = np.zeros((n_types, len(code_keys)))
    for t, values in enumerate(masi.types):
        for v in values:
            for bit in _bits(v):
                j[t, bit] += 1
    dis = j * (m[:, None] - j) / (m[:, None] - 1)
    p = masi.weights / masi.weights.sum()
    masi_defined = overall["krippendorff_alpha_masi"].value is not None
    per_row = n_types * (len(code_keys) + 2)
    if masi_defined:
        per_row += masi.expected.cost + n_types
    chunk = max(1, min(n_boot, MEMORY_CELLS // max(per_row, 1)))

    rng = np.random.default_rng(seed)
    per_code = np.empty((n_boot, len(code_keys)))
    pooled = np.empty(n_boot)
    sets = np.full(n_boot, np.nan)
    done = 0
    while done < n_boot:
        size = min(chunk, n_boot - done)
        counts = rng.multinomial(total, p, size=size).astype(np.float64)
        n = counts @ m
        n1 = counts @ j
        d = counts @ dis
        per_code[done : done + size] = _binary_alpha(n[:, None], n1, d)
        c = len(code_keys)
        pooled[done : done + size] = _binary_alpha(c * n, n1.sum(axis=1), d.sum(axis=1))
        if masi_defined:
            nn, observed, expected = masi.components(counts)
            with np.errstate(divide="ignore", invalid="ignore"):
                alpha = 1.0 - (observed / nn) / (expected / (nn * (nn - 1.0)))
            alpha[expected <= 1e-12 * nn * nn] = np.nan
            sets[done : done + size] = alpha
        done += size

    for i, key in enumerate(code_keys):
        if codes[i].metrics["krippendorff_alpha"].value is not None:
            result["codes"][key] = _interval(per_code[:, i], level)
    if code_keys and overall["krippendorff_alpha"].value is not None:
        result["overall"]["krippendorff_alpha"] = _interval(pooled, level)
    if masi_defined:
        result["overall"]["krippendorff_alpha_masi"] = _interval(sets, level)
    return result
