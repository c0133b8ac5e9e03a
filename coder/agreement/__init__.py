"""Inter-coder agreement: plain functions over who applied which code where; no I/O, no UI.

Per code, on presence/absence: percent agreement, Cohen's kappa, Scott's pi, Fleiss' kappa,
Krippendorff's alpha (nominal, with missing data), Brennan-Prediger and Gwet's AC1, with the counts
behind them; overall, the same pooled over codes plus alpha over each unit's set of codes (MASI).
Units are paragraphs (`paragraph_agreement`) or characters (`character_agreement`).
"""

from .coefficients import (
    brennan_prediger,
    cohen_kappa,
    counts_from_ratings,
    counts_from_table,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha_from_counts,
    krippendorff_alpha_nominal,
    percent_agreement,
    scott_pi,
)
from .compute import character_agreement, paragraph_agreement
from .explain import band, cut, explain, explain_data, interpret
from .masi import krippendorff_alpha_masi, masi_distance
from .metric import METRIC_KEYS, MISSING_RULES, OVERALL_KEYS, Metric
from .report import AgreementReport, CodeAgreement

__all__ = [
    "METRIC_KEYS",
    "MISSING_RULES",
    "OVERALL_KEYS",
    "AgreementReport",
    "CodeAgreement",
    "Metric",
    "band",
    "brennan_prediger",
    "character_agreement",
    "cohen_kappa",
    "counts_from_ratings",
    "counts_from_table",
    "cut",
    "explain",
    "explain_data",
    "fleiss_kappa",
    "gwet_ac1",
    "interpret",
    "krippendorff_alpha_from_counts",
    "krippendorff_alpha_masi",
    "krippendorff_alpha_nominal",
    "masi_distance",
    "paragraph_agreement",
    "percent_agreement",
    "scott_pi",
]
