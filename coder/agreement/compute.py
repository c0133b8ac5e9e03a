"""The entry points: tallies in, a report with every coefficient per code and overall out.

Per code, agreement is on presence/absence of the code in each unit. A unit that the coders covered
but nobody coded with the code is agreement on absence; a unit a coder did not cover has no value
from that coder (missing). Missing values follow one rule for every coefficient (`MISSING_RULES`):
by default Gwet's (2014), as the `irrCAC` package implements it; on request, complete units only.
Every binary coefficient is computed by the general nominal function in `coefficients` from a
handful of weighted rows.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ..errors import CoderError
from . import coefficients as co
from .bootstrap import bootstrap_alpha
from .masi import MasiData, masi_alpha
from .metric import MISSING_RULES, NOT_POOLED, Metric, result, undefined
from .report import AgreementReport, CodeAgreement
from .tally import CodeTally, Tally, tally_characters, tally_paragraphs

GWET = "gwet"
COMPLETE = "complete"

ABSENT_PRESENT = ("absent", "present")
PRESENT_ABSENT = ("present", "absent")
POOLED_NOTE = (
    " — pooled over codes: the per-code tables of the pooled codes are summed, so each (unit, code)"
    " pair counts as one unit"
)


def _check_ci(ci: float | None, n_boot: int, seed: int) -> None:
    if ci is not None and not 0 < ci < 1:
        raise CoderError(f"confidence level must be between 0 and 1 (e.g. 0.95), got {ci!r}")
    if ci is not None and n_boot < 1:
        raise CoderError(f"the bootstrap needs at least one resample, got n_boot={n_boot!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise CoderError(f"the bootstrap seed must be a whole number ≥ 0, got {seed!r}")


def _check_missing(missing: str) -> None:
    if missing not in MISSING_RULES:
        raise CoderError(f"missing-data rule is one of {', '.join(MISSING_RULES)}, got {missing!r}")


def paragraph_agreement(
    units: Sequence[Hashable],
    coders: Sequence[str],
    codes: Sequence[str],
    applied: Mapping[tuple[str, str], Iterable[Hashable]],
    coded_units: Mapping[str, Iterable[Hashable]],
    *,
    ci: float | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    missing: str = GWET,
) -> AgreementReport:
    """Agreement with paragraphs (or any discrete units) as the unit of analysis.

    `applied[(coder, code)]` holds the units where the coder applied the code; `coded_units[coder]`
    the units the coder covered. Codings outside a coder's coverage are ignored and counted in
    `excluded`. `ci` (e.g. 0.95) adds a bootstrap interval for Krippendorff's alpha. `missing`
    names the missing-data rule (`MISSING_RULES`).
    """
    _check_ci(ci, n_boot, seed)
    _check_missing(missing)
    tally = tally_paragraphs(units, coders, codes, applied, coded_units)
    return build_report(tally, ci=ci, n_boot=n_boot, seed=seed, missing=missing)


def character_agreement(
    documents: Mapping[Hashable, int],
    coders: Sequence[str],
    codes: Sequence[str],
    intervals: Mapping[tuple[str, str, Hashable], Iterable[tuple[int, int]]],
    covered: Mapping[str, Iterable[Hashable]],
    *,
    ci: float | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    missing: str = GWET,
) -> AgreementReport:
    """Agreement with characters as the unit of analysis, from [start, end) spans.

    `documents` maps each document to its length in characters; `intervals[(coder, code, doc)]` the
    spans the coder coded (a whole-paragraph coding is the paragraph's span); `covered[coder]` the
    documents the coder coded. Counts come from interval arithmetic, never one row per character.
    """
    _check_ci(ci, n_boot, seed)
    _check_missing(missing)
    tally = tally_characters(documents, coders, codes, intervals, covered)
    return build_report(tally, ci=ci, n_boot=n_boot, seed=seed, missing=missing)


def _rows(k: int) -> np.ndarray:
    return np.array([[k - j, j] for j in range(k + 1)], dtype=np.float64)


def _mj_rows(
    rated: Mapping[tuple[int, int], int], min_m: int
) -> tuple[np.ndarray, np.ndarray]:
    items = [(mj, w) for mj, w in rated.items() if w > 0 and mj[0] >= min_m]
    if not items:
        return np.zeros((0, 2)), np.zeros(0)
    rows = np.array([[m - j, j] for (m, j), _ in items], dtype=np.float64)
    return rows, np.array([w for _, w in items], dtype=np.float64)


def _two_by_two(ct: CodeTally) -> tuple[int, int, int, int]:
    both = int(ct.hist[2])
    return both, int(ct.presence[0]) - both, int(ct.presence[1]) - both, int(ct.hist[0])


CHANCE_KEYS = ("percent_agreement", "fleiss_kappa", "brennan_prediger", "gwet_ac1")


def binary_metrics(ct: CodeTally, k: int, unit: str, missing: str = GWET) -> dict[str, Metric]:
    """All seven coefficients for one presence/absence variable, under the `missing` rule."""
    n_complete = int(ct.hist.sum())
    n_pairable = int(sum(w for (m, _), w in ct.rated.items() if m >= 2))
    if missing == GWET:
        rows, weights = _mj_rows(ct.rated, 1)
    else:
        rows, weights = _rows(k), ct.hist.astype(np.float64)

    percent = co.percent_agreement(rows, weights)
    fleiss = co.fleiss_kappa(rows, weights, labels=ABSENT_PRESENT)
    bp = co.brennan_prediger(rows, weights, n_categories=2)
    ac1 = co.gwet_ac1(rows, weights, n_categories=2)
    if k == 2:
        both, only_a, only_b, neither = _two_by_two(ct)
        table = [[both, only_a], [only_b, neither]]
        cohen = co.cohen_kappa(table, labels=PRESENT_ABSENT)
        scott = co.scott_pi(table, labels=PRESENT_ABSENT)
        percent = replace(
            percent,
            name="Percent agreement",
            formula="p_o = (both + neither) / units",
            working=(
                f"p_o = (both + neither) / units = ({both} + {neither}) / {n_complete}"
                f" = {result(percent.value)}"
                if percent.value is not None
                else ""
            ),
        )
    else:
        cohen = undefined(
            co.COHEN_NAME, "defined for two coders; see Fleiss' kappa", co.COHEN_FORMULA
        )
        scott = undefined(
            co.SCOTT_NAME,
            "defined for two coders; see Fleiss' kappa, its generalisation to more coders",
            co.SCOTT_FORMULA,
        )
        percent = replace(percent, name="Mean pairwise percent agreement")
    alpha_rows, alpha_weights = _mj_rows(ct.rated, 2)
    alpha = co.krippendorff_alpha_from_counts(alpha_rows, alpha_weights, labels=ABSENT_PRESENT)

    metrics = {
        "percent_agreement": percent,
        "cohen_kappa": cohen,
        "scott_pi": scott,
        "fleiss_kappa": fleiss,
        "krippendorff_alpha": alpha,
        "brennan_prediger": bp,
        "gwet_ac1": ac1,
    }
    who = "both coders" if k == 2 else f"all {k} coders"
    if n_complete == 0 and k == 2:
        for key in ("cohen_kappa", "scott_pi"):
            metrics[key] = replace(metrics[key], reason=f"no {unit} coded by {who}", n_units=0)
    empty = n_complete == 0 if missing == COMPLETE else n_pairable == 0
    if empty:
        reason = f"no {unit} coded by {who}" if missing == COMPLETE else (
            f"no {unit} coded by two or more coders")
        for key in CHANCE_KEYS:
            metrics[key] = replace(metrics[key], reason=reason, n_units=0)
    if n_pairable == 0:
        metrics["krippendorff_alpha"] = replace(
            alpha, reason=f"no {unit} coded by two or more coders", n_units=0
        )
    return metrics


def _counts(tally: Tally, ct: CodeTally) -> dict[str, int]:
    k = len(tally.coders)
    if k == 2:
        both, only_a, only_b, neither = _two_by_two(ct)
        return {"both": both, "only_a": only_a, "only_b": only_b, "neither": neither}
    out = {"n_units": int(ct.hist.sum())}
    out.update({f"present:{c}": int(p) for c, p in zip(tally.coders, ct.presence, strict=False)})
    out.update({f"applied_by_{j}": int(h) for j, h in enumerate(ct.hist)})
    out["n_units_alpha"] = int(sum(ct.pairable.values()))
    out["n_units_rated"] = int(sum(ct.rated.values()))
    by_j = np.zeros(k + 1, dtype=np.int64)
    for (m, j), w in ct.rated.items():
        if m >= 2:
            by_j[j] += w
    out.update({f"pairable_applied_by_{j}": int(h) for j, h in enumerate(by_j)})
    return out


def pooled_codes(tally: Tally) -> tuple[str, ...]:
    """The codes the overall figures pool: those a compared coder applied in a compared unit.

    A code nobody applied contributes only agreement on absence, so pooling it would raise the
    overall figures by the size of the codebook rather than by anything the coders did.
    """
    return tuple(
        code
        for code in tally.codes
        if any(w > 0 for (_, j), w in tally.per_code[code].pairable.items() if j > 0)
    )


def _excluded(tally: Tally, missing: str) -> list[tuple[str, int]]:
    """What the rule in force leaves out, in the report's words."""
    unit, k, cov = tally.unit, len(tally.coders), tally.coverage
    if missing == GWET:
        single = (
            f"{unit}s only one coder covered: no pair to compare, so they count only in the"
            " category shares of Fleiss' κ and Gwet's AC1 (Gwet 2014)"
        )
    else:
        single = f"{unit}s only one coder covered (nothing to compare)"
    out = [(f"{unit}s no compared coder covered", cov.n_none), (single, cov.n_single)]
    if k > 2 and missing == COMPLETE:
        partial = (
            f"{unit}s covered by some but not all {k} coders: used by Krippendorff's alpha (which"
            " allows missing data) but left out of the other coefficients (--complete-units)"
        )
        out.append((partial, cov.n_partial))
    out.append((cov.ignored, cov.n_ignored))
    return out


ANALYTIC_KEYS = ("cohen_kappa", "fleiss_kappa", "brennan_prediger", "gwet_ac1")
ANALYTIC_METHOD = (
    "Gwet (2014) variance, as irrCAC: the coefficient linearised into per-unit terms, standard"
    " error from their spread over the units, interval = value ± t(level, units − 1) × SE, capped"
    " at 1; pooled figures treat each (unit, code) pair as an independent unit"
)


def analytic_interval(metric: Metric, level: float) -> dict[str, float] | None:
    """The t interval from the standard error a coefficient carries in `details`, if any."""
    if metric.value is None or "se" not in metric.details:
        return None
    from scipy.stats import t  # type: ignore[import-untyped]  # slow to import: only here

    se, df = metric.details["se"], metric.details["df"]
    half = float(t.ppf((1 + level) / 2, df)) * se
    return {"low": metric.value - half, "high": min(1.0, metric.value + half), "se": se}


def _analytic(codes: Sequence[CodeAgreement], overall: Mapping[str, Metric], level: float
              ) -> dict[str, Any]:
    def of(metrics: Mapping[str, Metric]) -> dict[str, Any]:
        return {key: analytic_interval(metrics[key], level) for key in ANALYTIC_KEYS}

    return {"method": ANALYTIC_METHOD, "codes": {c.code: of(c.metrics) for c in codes},
            "overall": of(overall)}


def build_report(
    tally: Tally, *, ci: float | None, n_boot: int, seed: int, missing: str = GWET
) -> AgreementReport:
    k = len(tally.coders)
    codes = tuple(
        CodeAgreement(
            code=code,
            n_units=tally.n_pairable,
            counts=_counts(tally, tally.per_code[code]),
            metrics=binary_metrics(tally.per_code[code], k, tally.unit, missing),
        )
        for code in tally.codes
    )
    pool = pooled_codes(tally)
    pooled = CodeTally(np.zeros(k + 1, dtype=np.int64), np.zeros(k, dtype=np.int64))
    for code in pool:
        pooled += tally.per_code[code]
    note = POOLED_NOTE + f" ({len(pool)} of {len(tally.codes)} codes; left out: codes {NOT_POOLED})"
    if pool:
        overall = {
            key: replace(m, formula=m.formula + note)
            for key, m in binary_metrics(pooled, k, tally.unit, missing).items()
        }
    else:
        reason = (
            "no codes to compare"
            if not tally.codes
            else f"no code to pool: no compared coder applied any of the {len(tally.codes)}"
            " code(s) in the units compared"
        )
        overall = {
            key: undefined(m.name, reason, m.formula + note, 0)
            for key, m in binary_metrics(pooled, k, tally.unit, missing).items()
        }
    masi_data = MasiData(tally.types)
    overall["krippendorff_alpha_masi"] = masi_alpha(masi_data)
    interval = None
    if ci is not None:
        interval = bootstrap_alpha(
            tally, masi_data, codes, overall, pool, level=ci, n_boot=n_boot, seed=seed
        )
        interval["analytic"] = _analytic(codes, overall, ci)
    return AgreementReport(
        unit=tally.unit,
        coders=tally.coders,
        n_units=tally.n_pairable,
        codes=codes,
        overall=overall,
        excluded=_excluded(tally, missing),
        ci=interval,
        pooled_codes=pool,
        n_complete=tally.n_complete,
        missing=missing,
    )
