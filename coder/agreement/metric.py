"""The value type every coefficient returns.

A figure without its formula, its unit count and (when it cannot be computed) the reason is what
made researchers distrust other tools' agreement numbers, so they travel together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

METRIC_KEYS = (
    "percent_agreement",
    "cohen_kappa",
    "scott_pi",
    "fleiss_kappa",
    "krippendorff_alpha",
    "brennan_prediger",
    "gwet_ac1",
)
OVERALL_KEYS = (*METRIC_KEYS, "krippendorff_alpha_masi")
MISSING_RULES = {
    "gwet": (
        "Gwet (2014), as irrCAC: observed agreement (%, Fleiss' κ, B-P, AC1) over the units two or"
        " more coders covered, category shares (Fleiss' κ, AC1) over the units one or more covered;"
        " Cohen's κ and Scott's π on the units both coders covered; Krippendorff's α over the units"
        " two or more covered"
    ),
    "complete": (
        "complete units only (--complete-units): %, Cohen's κ, Scott's π, Fleiss' κ, B-P and AC1"
        " on the units every compared coder covered; Krippendorff's α over the units two or more"
        " covered"
    ),
}
NOT_POOLED = "no compared coder applied it in the units compared (agreement on absence only)"


@dataclass(frozen=True)
class Metric:
    """One coefficient: its value, or None with the reason it is undefined.

    `working` is the formula with this data's numbers plugged in, for `explain`; `details` keeps
    the ingredients (observed and expected agreement or disagreement) at full precision; `n_units`
    is the number of units the figure rests on.
    """

    name: str
    value: float | None
    reason: str | None
    formula: str
    working: str = ""
    n_units: int | None = None
    details: dict[str, float] = field(default_factory=dict, compare=False, hash=False)


def undefined(name: str, reason: str, formula: str, n_units: int | None = None) -> Metric:
    return Metric(name=name, value=None, reason=reason, formula=formula, n_units=n_units)


def fmt(x: float) -> str:
    """Numbers in workings: enough digits to recompute by hand, no float noise."""
    return f"{x:.4f}"


SETTLED_PLACES = 10


def settled(value: float) -> float:
    """The value without floating-point noise: a kappa of exactly 1/4 computes as 0.24999999999999997,
    which must neither show as 0.249 nor fall below a band starting at 0.25."""
    return round(float(value), SETTLED_PLACES)


def cut(value: float, places: int = 3) -> str:
    """`value` cut (rounded toward −∞, never up) to `places` decimals.

    Every band starts at a number with at most three decimals and includes it, so a cut figure
    falls in the same band as the full value: 0.7999 shows as 0.799, never as a "reliable" 0.800.
    """
    exact = Decimal(repr(settled(value)))
    shown = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_FLOOR)
    return f"{shown + 0:.{places}f}" if shown else f"{0:.{places}f}"


def result(x: float) -> str:
    """The figure a working arrives at, cut as the headline shows it, so one figure never
    appears as two (0.9930 above, 0.9931 at the end of its working)."""
    return cut(x, 4)


def chance_corrected(
    name: str,
    formula: str,
    p_o: float,
    p_e: float,
    *,
    n_units: int,
    symbol: str,
    no_variation: str | None,
    extra: dict[str, float] | None = None,
) -> Metric:
    """`(p_o - p_e) / (1 - p_e)`, or None when chance agreement is total.

    `no_variation` is the caller's verdict (made on counts, not by comparing floats) that every
    rating fell in one category; then p_e = 1 and the ratio is 0/0, never to be reported as 1.
    """
    details = {"p_o": p_o, "p_e": p_e, **(extra or {})}
    if no_variation is not None:
        return Metric(name, None, no_variation, formula, "", n_units, details)
    value = (p_o - p_e) / (1.0 - p_e)
    working = (
        f"{symbol} = (p_o − p_e) / (1 − p_e) = ({result(p_o)} − {fmt(p_e)}) / (1 − {fmt(p_e)})"
        f" = {result(value)}"
    )
    return Metric(name, float(value), None, formula, working, n_units, details)
