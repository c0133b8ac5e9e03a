"""Readable working for one code, and the conventional reading of a value.

The working is written so a reader can redo every figure with a calculator from the counts.
"""

from __future__ import annotations

from typing import Any

from ..errors import CoderError
from .groups import GroupAgreement
from .metric import METRIC_KEYS, NOT_POOLED, Metric, cut, fmt, settled
from .report import AgreementReport, CodeAgreement

ALPHA_KEYS = ("krippendorff_alpha", "krippendorff_alpha_masi")
KAPPA_KEYS = ("cohen_kappa", "scott_pi", "fleiss_kappa", "brennan_prediger", "gwet_ac1")

_LANDIS_KOCH = (
    (0.81, "almost perfect", "0.81–1.00"),
    (0.61, "substantial", "0.61–0.80"),
    (0.41, "moderate", "0.41–0.60"),
    (0.21, "fair", "0.21–0.40"),
    (0.0, "slight", "0.00–0.20"),
)
ALPHA_RELIABLE = 0.800
ALPHA_TENTATIVE = 0.667


def band(metric_name: str, value: float | None) -> str:
    """The band's short name (`reliable`, `fair`, ...): what fits in a table cell."""
    if value is None or metric_name == "percent_agreement":
        return ""
    return interpret(metric_name, value).split(" (")[0]


def interpret(metric_name: str, value: float | None) -> str:
    """Krippendorff's (2004) bands for alpha; Landis & Koch's (1977) for the kappa family.

    Each band includes its lower bound: Landis & Koch's table gives two-decimal ranges
    (0.00–0.20 slight, 0.21–0.40 fair, ...), so a value from 0.20 up to below 0.21 is slight.
    Bands are decided on the value to 10 decimals, past which only floating-point noise remains.
    """
    if metric_name not in ALPHA_KEYS + KAPPA_KEYS + ("percent_agreement",):
        raise ValueError(f"unknown metric {metric_name!r}")
    if value is None:
        return "undefined"
    value = settled(value)
    if metric_name in ALPHA_KEYS:
        if value >= ALPHA_RELIABLE:
            return "reliable (α ≥ 0.800; Krippendorff 2004)"
        if value >= ALPHA_TENTATIVE:
            return "tentative conclusions only (0.667 ≤ α < 0.800; Krippendorff 2004)"
        return "unreliable: discard (α < 0.667; Krippendorff 2004)"
    if metric_name == "percent_agreement":
        return (
            "not corrected for chance: no conventional bands; read with a chance-corrected figure"
        )
    for lower, label, bounds in _LANDIS_KOCH:
        if value >= lower:
            return f"{label} ({bounds}; Landis & Koch 1977)"
    return "poor (< 0; Landis & Koch 1977)"


def _ratio(num: int, den: int) -> str:
    return f"{num}/{den} = {fmt(num / den)}" if den else f"{num}/0"


def _expected_lines(key: str, c: CodeAgreement, k: int, coders: tuple[str, ...]) -> list[str]:
    """How p_e comes from the counts, for the binary (present/absent) case."""
    m = c.metrics[key]
    if key in ("fleiss_kappa", "gwet_ac1") and "pi_1" in m.details:
        p = m.details["pi_1"]
        shares = (
            f"π = mean over the {int(m.details['n_rated'])} rated units of the share of the"
            f" unit's ratings that are 'present' = {fmt(p)}"
        )
        if key == "fleiss_kappa":
            return [shares, f"p_e = π² + (1 − π)² = {fmt(p)}² + {fmt(1 - p)}² = {fmt(m.details['p_e'])}"]
        return [
            shares,
            (
                f"p_e = Σ_k π_k(1 − π_k) / (q − 1) = 2·{fmt(p)}·{fmt(1 - p)} / 1"
                f" = {fmt(m.details['p_e'])}"
            ),
        ]
    counts = c.counts
    if k == 2:
        n = counts["both"] + counts["only_a"] + counts["only_b"] + counts["neither"]
        pres = [counts["both"] + counts["only_a"], counts["both"] + counts["only_b"]]
    else:
        n = counts["n_units"]
        pres = [counts[f"present:{name}"] for name in coders]
    if n == 0:
        return []
    rates = [p / n for p in pres]
    pooled = sum(pres) / (k * n)
    if key == "cohen_kappa" and k == 2:
        pa, pb = rates
        pe = pa * pb + (1 - pa) * (1 - pb)
        shares = f"p_A = {_ratio(pres[0], n)}, p_B = {_ratio(pres[1], n)}"
        return [
            f"{shares} (share of units each coder coded)",
            (
                f"p_e = p_A·p_B + (1 − p_A)(1 − p_B) = {fmt(pa)}·{fmt(pb)}"
                f" + {fmt(1 - pa)}·{fmt(1 - pb)} = {fmt(pe)}"
            ),
        ]
    if key in ("scott_pi", "fleiss_kappa"):
        return [
            f"p = share of all ratings that are 'present' = {sum(pres)}/{k * n} = {fmt(pooled)}",
            (
                f"p_e = p² + (1 − p)² = {fmt(pooled)}² + {fmt(1 - pooled)}² = "
                f"{fmt(pooled**2 + (1 - pooled) ** 2)}"
            ),
        ]
    if key == "gwet_ac1":
        return [
            f"π = share of ratings that are 'present' = {fmt(pooled)}",
            (
                f"p_e = Σ_k π_k(1 − π_k) / (q − 1) = 2·{fmt(pooled)}·{fmt(1 - pooled)} / 1"
                f" = {fmt(2 * pooled * (1 - pooled))}"
            ),
        ]
    if key == "brennan_prediger":
        return ["p_e = 1/q = 1/2 (two categories: present, absent)"]
    return []


def _metric_block(key: str, m: Metric, extra: list[str]) -> list[str]:
    if m.value is None:
        head = f"{m.name}: undefined — {m.reason}"
    elif key == "percent_agreement":
        head = f"{m.name} = {cut(m.value, 4)}"
    else:
        head = f"{m.name} = {cut(m.value, 4)} — {interpret(key, m.value)}"
    lines = [head, f"  formula: {m.formula}"]
    if m.n_units is not None:
        lines.append(f"  units: {m.n_units}")
    if m.value is not None:
        lines.extend(f"  {line}" for line in extra)
        if key == "krippendorff_alpha" and m.details:
            lines.append(
                f"  D_o = {fmt(m.details['D_o'])}, D_e = {fmt(m.details['D_e'])}"
                f" over {int(m.details['n_values'])} pairable values"
            )
        if m.working:
            lines.append(f"  {m.working}")
    return lines


def explain(report: AgreementReport, code: str) -> str:
    """The working for one code: counts, observed and expected agreement, each formula filled in."""
    try:
        c = report.code(code)
    except KeyError:
        raise CoderError(f"no code {code!r} in this agreement report") from None
    k = len(report.coders)
    unit = report.unit
    lines = [f"Agreement on code {code!r} — unit: {unit}"]
    if k == 2:
        a, b = report.coders
        lines.append(f"Coders: A = {a}, B = {b}")
        lines.append(f"Units compared: {c.n_units} {unit}s both coders covered")
        cnt = c.counts
        lines += [
            "",
            f"{'':<16}{'B applied':>12}{'B did not':>12}",
            f"{'A applied':<16}{cnt['both']:>12}{cnt['only_a']:>12}",
            f"{'A did not':<16}{cnt['only_b']:>12}{cnt['neither']:>12}",
            (
                f"both = {cnt['both']}, only_a = {cnt['only_a']}, only_b = {cnt['only_b']},"
                f" neither = {cnt['neither']} (a {unit} neither coded with this code is agreement"
                " on absence)"
            ),
        ]
    else:
        cnt = c.counts
        lines.append(f"Coders: {', '.join(report.coders)}")
        lines.append(
            f"Units compared: {cnt['n_units']} {unit}s all {k} coders covered"
            f" ({cnt['n_units_alpha']} covered by two or more, used by Krippendorff's alpha)"
        )
        lines.append("")
        spread = ", ".join(f"{j}: {cnt[f'applied_by_{j}']}" for j in range(k + 1))
        lines.append(f"{unit}s by number of coders who applied the code — {spread}")
        lines.append(
            "applied by each coder — "
            + ", ".join(f"{name}: {cnt[f'present:{name}']}" for name in report.coders)
        )
    lines.append("")
    for key in METRIC_KEYS:
        m = c.metrics[key]
        lines.extend(_metric_block(key, m, _expected_lines(key, c, k, report.coders)))
    if report.ci is not None:
        interval = report.ci["codes"].get(code)
        lines.append("")
        if interval is None:
            lines.append("Bootstrap interval for alpha: not available (alpha undefined)")
        else:
            lines.append(
                f"{report.ci['level']:.0%} bootstrap interval for alpha:"
                f" [{fmt(interval['low'])}, {fmt(interval['high'])}]"
            )
            lines.append(f"  method: {report.ci['method']}")
    if code not in report.pooled_codes:
        lines.append("")
        lines.append(f"Not in the pooled overall figures: {NOT_POOLED}.")
    excluded = [(d, n) for d, n in report.excluded if n]
    if excluded:
        lines.append("")
        lines.append("Left out:")
        lines.extend(f"  {d}: {n}" for d, n in excluded)
    lines.append("")
    lines.append(
        "Headline figures are cut to 4 decimals (never rounded up, so none shows in a band it has"
        " not reached), and so is each in the working that leads to it; the steps between"
        " round."
    )
    return "\n".join(lines)


def explain_data(report: AgreementReport, code: str) -> dict[str, Any]:
    """What `explain` prints, as plain data for `json.dumps` (null where undefined)."""
    try:
        c = report.code(code)
    except KeyError:
        raise CoderError(f"no code {code!r} in this agreement report") from None
    k = len(report.coders)
    metrics = {
        key: {
            "name": m.name,
            "value": m.value,
            "reason": m.reason,
            "reading": None if m.value is None else interpret(key, m.value),
            "formula": m.formula,
            "n_units": m.n_units,
            "working": [
                *(_expected_lines(key, c, k, report.coders) if m.value is not None else []),
                *([m.working] if m.working else []),
            ],
            "details": dict(m.details),
        }
        for key, m in c.metrics.items()
    }
    return {
        "code": code,
        "unit": report.unit,
        "coders": list(report.coders),
        "n_units": c.n_units,
        "counts": dict(c.counts),
        "metrics": metrics,
        "pooled": code in report.pooled_codes,
        "ci": None if report.ci is None else {
            "level": report.ci["level"],
            "interval": report.ci["codes"].get(code),
            "method": report.ci["method"],
        },
        "excluded": [{"description": d, "count": n} for d, n in report.excluded],
    }


def explain_group(group: GroupAgreement, coders: tuple[str, ...]) -> str:
    """The working for an exclusive group: its confusion matrix, then each coefficient."""
    cats = group.categories
    lines = [f"Code group {group.group!r} as one categorical variable — categories: "
             + ", ".join(cats)]
    if group.confusion is not None:
        a, b = coders
        width = max(len(c) for c in cats) + 2
        lines += ["", f"Confusion matrix (rows: A = {a}, columns: B = {b}; units both rated)",
                  " " * width + "".join(f"{c:>{width}}" for c in cats)]
        for cat, row in zip(cats, group.confusion, strict=True):
            lines.append(f"{cat:<{width}}" + "".join(f"{v:>{width}}" for v in row))
    lines.append("")
    for key in METRIC_KEYS:
        lines.extend(_metric_block(key, group.metrics[key], []))
    if group.violations:
        lines += ["", (f"{len(group.violations)} unit(s) with two or more sub-codes from one coder"
                  " (that coder gives no value there):")]
        lines += [f"  {c} on {u}: {', '.join(codes)}" for c, u, codes in group.violations]
    return "\n".join(lines)
