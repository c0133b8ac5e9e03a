"""What the CLI and the review screen receive: per-code and overall figures, and what was left out.

None stands for "undefined"; the reason is always next to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .metric import MISSING_RULES, NOT_POOLED, Metric


@dataclass(frozen=True)
class CodeAgreement:
    """One code's figures. `n_units` counts the units at least two coders covered.

    `counts` for two coders: both, only_a, only_b, neither (a and b are the report's coders in
    order). For more coders: `present:<coder>` and `applied_by_<j>` over the `n_units` all coders
    covered, plus `n_units_alpha`, the units Krippendorff's alpha used.
    """

    code: str
    n_units: int
    counts: dict[str, int]
    metrics: dict[str, Metric]


@dataclass(frozen=True)
class AgreementReport:
    """`overall` pools `pooled_codes` (see `Metric.formula`) and adds alpha over code sets (MASI).

    `n_units` counts the units two or more coders covered (Krippendorff's alpha); `n_complete`
    those every coder covered, on which the other coefficients rest.

    `missing` names the missing-data rule in force (`compute.MISSING_RULES`).

    `pooled_codes` are the codes some compared coder applied in the units compared; the others are
    `not_pooled`, as agreement on their absence says nothing about the coders.
    """

    unit: str
    coders: tuple[str, ...]
    n_units: int
    codes: tuple[CodeAgreement, ...]
    overall: dict[str, Metric]
    excluded: list[tuple[str, int]] = field(default_factory=list)
    ci: dict[str, Any] | None = None
    pooled_codes: tuple[str, ...] = ()
    n_complete: int | None = None
    missing: str = "gwet"

    def code(self, key: str) -> CodeAgreement:
        for c in self.codes:
            if c.code == key:
                return c
        raise KeyError(key)

    @property
    def not_pooled(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.codes if c.code not in self.pooled_codes)

    def to_json(self) -> dict[str, Any]:
        """Plain data for `json.dumps`; undefined figures are null, their reasons alongside."""

        def values(metrics: dict[str, Metric]) -> dict[str, Any]:
            return {key: m.value for key, m in metrics.items()}

        def reasons(metrics: dict[str, Metric]) -> dict[str, str]:
            return {key: m.reason for key, m in metrics.items() if m.reason is not None}

        def units(metrics: dict[str, Metric]) -> dict[str, int | None]:
            return {key: m.n_units for key, m in metrics.items()}

        codes = [
            {
                "code": c.code,
                "n_units": c.n_units,
                **values(c.metrics),
                "counts": dict(c.counts),
                "units": units(c.metrics),
                "reasons": reasons(c.metrics),
                "pooled": c.code in self.pooled_codes,
            }
            for c in self.codes
        ]
        overall = {
            **values(self.overall),
            "n_units": units(self.overall),
            "reasons": reasons(self.overall),
            "pooled_codes": list(self.pooled_codes),
            "not_pooled": [{"code": key, "reason": NOT_POOLED} for key in self.not_pooled],
        }
        formulas: dict[str, Any] = {
            key: {"name": m.name, "formula": m.formula}
            for key, m in (self.codes[0].metrics if self.codes else {}).items()
        }
        formulas["overall"] = {
            key: {"name": m.name, "formula": m.formula} for key, m in self.overall.items()
        }
        return {
            "unit": self.unit,
            "coders": list(self.coders),
            "n_units": self.n_units,
            "n_units_all_coders": self.n_complete,
            "missing_data": {"rule": self.missing, "description": MISSING_RULES[self.missing]},
            "codes": codes,
            "overall": overall,
            "formulas": formulas,
            "excluded": [{"description": d, "count": n} for d, n in self.excluded],
            "ci": self.ci,
        }
