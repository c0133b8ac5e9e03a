"""A group of mutually exclusive codes compared as one categorical variable.

A parent marked `exclusive: true` turns its children into the categories of one variable, plus
"none of them" for a unit the coder covered without applying any; the classic multi-category
coefficients then apply. A unit where a coder applied two children breaks the variable's premise:
that coder gives no value there (missing, under the rule in force), and the unit is listed, never
dropped silently.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import coefficients as co
from .metric import METRIC_KEYS, Metric, undefined

NONE_OF_THEM = "(none of them)"


@dataclass(frozen=True)
class GroupAgreement:
    """One exclusive group's figures.

    `categories` are the children's keys then NONE_OF_THEM; `confusion` (two coders) counts the
    units both rated, rows coder A's category, columns coder B's; `violations` are the
    (coder, unit, children applied) where a coder applied more than one child.
    """

    group: str
    categories: tuple[str, ...]
    n_units: int
    metrics: dict[str, Metric]
    confusion: list[list[int]] | None = None
    violations: tuple[tuple[str, Hashable, tuple[str, ...]], ...] = ()
    missing: str = "gwet"
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "categories": list(self.categories),
            "n_units": self.n_units,
            **{key: m.value for key, m in self.metrics.items()},
            "units": {key: m.n_units for key, m in self.metrics.items()},
            "reasons": {key: m.reason for key, m in self.metrics.items() if m.reason},
            "confusion": self.confusion,
            "violations": [
                {"coder": c, "unit": u, "codes": list(codes)} for c, u, codes in self.violations
            ],
        }


def _ratings(
    units: Sequence[Hashable],
    coders: Sequence[str],
    children: Sequence[str],
    applied: Mapping[tuple[str, str], Iterable[Hashable]],
    covered: Mapping[str, Iterable[Hashable]],
) -> tuple[np.ndarray, list[tuple[str, Hashable, tuple[str, ...]]]]:
    """coders × units category indices; -1 where the coder gives no value."""
    index = {u: i for i, u in enumerate(units)}
    q = len(children)
    out = np.full((len(coders), len(units)), -1, dtype=np.int64)
    violations = []
    for c, coder in enumerate(coders):
        cov = [index[u] for u in covered.get(coder, ()) if u in index]
        out[c, cov] = q
        hits = np.zeros((q, len(units)), dtype=bool)
        for j, child in enumerate(children):
            at = [index[u] for u in applied.get((coder, child), ()) if u in index]
            hits[j, at] = True
        hits &= out[c] >= 0
        n_hits = hits.sum(axis=0)
        one = n_hits == 1
        out[c, one] = hits[:, one].argmax(axis=0)
        for u in np.flatnonzero(n_hits > 1):
            out[c, u] = -1
            codes = tuple(children[j] for j in np.flatnonzero(hits[:, u]))
            violations.append((coder, units[u], codes))
    return out, violations


def group_agreement(
    group: str,
    units: Sequence[Hashable],
    coders: Sequence[str],
    children: Sequence[str],
    applied: Mapping[tuple[str, str], Iterable[Hashable]],
    covered: Mapping[str, Iterable[Hashable]],
    *,
    missing: str = "gwet",
) -> GroupAgreement:
    """All seven coefficients for the group's children as one nominal variable."""
    categories = (*children, NONE_OF_THEM)
    q = len(categories)
    labels = [f"is {c}" for c in categories]
    ratings, violations = _ratings(units, coders, children, applied, covered)
    if missing == "complete":
        ratings = ratings[:, (ratings >= 0).all(axis=0)]
    k, n = ratings.shape
    counts = np.zeros((n, q), dtype=np.int64)
    for c in range(k):
        rated = ratings[c] >= 0
        np.add.at(counts, (np.flatnonzero(rated), ratings[c, rated]), 1)
    counts = counts[counts.sum(axis=1) > 0]
    rows, weights = (np.unique(counts, axis=0, return_counts=True) if len(counts)
                     else (np.zeros((0, q)), np.zeros(0)))
    pairable = int(weights[rows.sum(axis=1) >= 2].sum()) if len(rows) else 0
    metrics = {
        "percent_agreement": co.percent_agreement(rows, weights),
        "fleiss_kappa": co.fleiss_kappa(rows, weights, labels=labels),
        "krippendorff_alpha": co.krippendorff_alpha_from_counts(rows, weights, labels=labels),
        "brennan_prediger": co.brennan_prediger(rows, weights, n_categories=q),
        "gwet_ac1": co.gwet_ac1(rows, weights, n_categories=q),
    }
    confusion = None
    if k == 2:
        both = (ratings >= 0).all(axis=0)
        table = np.zeros((q, q), dtype=np.int64)
        np.add.at(table, (ratings[0, both], ratings[1, both]), 1)
        confusion = table.tolist()
        metrics["cohen_kappa"] = co.cohen_kappa(table, labels=labels)
        metrics["scott_pi"] = co.scott_pi(table, labels=labels)
    else:
        for key, name, formula in (("cohen_kappa", co.COHEN_NAME, co.COHEN_FORMULA),
                                   ("scott_pi", co.SCOTT_NAME, co.SCOTT_FORMULA)):
            metrics[key] = undefined(name, "defined for two coders; see Fleiss' kappa", formula)
    return GroupAgreement(
        group=group,
        categories=categories,
        n_units=pairable,
        metrics={key: metrics[key] for key in METRIC_KEYS},
        confusion=confusion,
        violations=tuple(violations),
        missing=missing,
    )
