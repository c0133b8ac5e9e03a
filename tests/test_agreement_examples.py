"""Published worked examples, to 1e-9.

Each published figure is rounded (usually to three decimals), so every test checks two things: our
value equals the exact value of the published formula evaluated with fractions on the published
data (to 1e-9), and that exact value rounds to the figure printed in the source. The fraction
arithmetic in these tests is a separate, textbook-literal implementation, not the code under test.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from coder.agreement import (
    brennan_prediger,
    cohen_kappa,
    counts_from_table,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha_from_counts,
    krippendorff_alpha_nominal,
    masi_distance,
    paragraph_agreement,
    percent_agreement,
    scott_pi,
)

TOL = 1e-9
NA = None

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: nominal data, any
# number of observers, missing values — 4 observers (A-D) x 12 units, '.' shown here as None.
KRIPPENDORFF_NOMINAL = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],
    [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA],
]

# Krippendorff (2011), section A: binary data, two observers, no missing data, 10 units.
KRIPPENDORFF_BINARY = [
    [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
]

# Wikipedia, "Fleiss' kappa", worked example: 14 raters, 10 subjects, 5 categories.
WIKIPEDIA_FLEISS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]

# Fleiss (1971), Table 1: 6 psychiatrists x 30 patients, 5 diagnoses (1 depression, 2 personality
# disorder, 3 schizophrenia, 4 neurosis, 5 other), as distributed with R's irr package
# (`diagnoses`).
FLEISS_1971 = [
    [4, 4, 4, 4, 4, 4],
    [2, 2, 2, 5, 5, 5],
    [2, 3, 3, 3, 3, 5],
    [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3],
    [3, 3, 3, 3, 5, 5],
    [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4],
    [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4],
    [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3],
    [1, 4, 4, 4, 4, 4],
    [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5],
    [1, 1, 1, 1, 1, 2],
    [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5],
    [2, 4, 4, 4, 4, 4],
    [2, 2, 4, 5, 5, 5],
    [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4],
    [1, 1, 1, 1, 5, 5],
    [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3],
    [5, 5, 5, 5, 5, 5],
]

# Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed.: 100 pregnant women classified by two
# abstractors as ectopic, abnormal intrauterine, normal intrauterine (irrCAC `cont3x3abstractors`).
GWET_ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]

# Gwet (2014), p. 120: 4 raters x 12 subjects, 5 categories, with missing ratings (irrCAC
# `raw_4raters`); rows are raters.
GWET_4RATERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, NA],
    [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA],
]


def _per_unit_counts(ratings_by_unit, categories):
    return [[sum(1 for r in unit if r == c) for c in categories] for unit in ratings_by_unit]


def _fleiss_exact(table):
    n_subjects = len(table)
    n_raters = sum(table[0])
    p_bar = (
        sum(F(sum(x * x for x in row) - n_raters, n_raters * (n_raters - 1)) for row in table)
        / n_subjects
    )
    totals = [sum(row[j] for row in table) for j in range(len(table[0]))]
    p_e = sum(F(t, n_subjects * n_raters) ** 2 for t in totals)
    return p_bar, p_e, (p_bar - p_e) / (1 - p_e)


def test_krippendorff_binary_two_observers():
    """Krippendorff (2011) section A: o_00 = 10, o_01 = o_10 = 4, o_11 = 2, n_0 = 14, n_1 = 6,
    n = 20; alpha = 1 - (n - 1) o_01 / (n_0 n_1) = 1 - 19 * 4 / (14 * 6) = .095."""
    exact = 1 - F(19 * 4, 14 * 6)
    assert round(float(exact), 3) == 0.095
    assert abs(krippendorff_alpha_nominal(KRIPPENDORFF_BINARY).value - float(exact)) < TOL

    units = list(range(10))
    applied = {
        (coder, "code"): {u for u in units if KRIPPENDORFF_BINARY[i][u] == 1}
        for i, coder in enumerate(("A", "B"))
    }
    report = paragraph_agreement(units, ["A", "B"], ["code"], applied, {"A": units, "B": units})
    assert abs(report.code("code").metrics["krippendorff_alpha"].value - float(exact)) < TOL
    assert report.code("code").counts == {"both": 1, "only_a": 1, "only_b": 3, "neither": 5}


def test_krippendorff_nominal_missing_data():
    """Krippendorff (2011) section C: n = 40 pairable values, n_c = 9, 13, 10, 5, 3 and
    o_cc = 7, 10, 8, 4, 3;
    alpha = [(n-1) Σ o_cc - Σ n_c(n_c-1)] / [n(n-1) - Σ n_c(n_c-1)] = .743."""
    n, n_c, o_cc = 40, [9, 13, 10, 5, 3], [7, 10, 8, 4, 3]
    expected_pairs = sum(x * (x - 1) for x in n_c)
    exact = F((n - 1) * sum(o_cc) - expected_pairs, n * (n - 1) - expected_pairs)
    assert round(float(exact), 3) == 0.743
    alpha = krippendorff_alpha_nominal(KRIPPENDORFF_NOMINAL)
    assert abs(alpha.value - float(exact)) < TOL
    assert alpha.n_units == 11  # unit 12 has a single value and is not pairable
    assert alpha.details["n_values"] == n


def test_krippendorff_nominal_missing_data_per_category_matches_binary_path():
    """The same published data, one category at a time as presence/absence of a code, through the
    paragraph API (observers who left a unit blank did not cover it) and through the general
    function: the binary path must reuse the same arithmetic."""
    coders = ["A", "B", "C", "D"]
    units = list(range(12))
    coded_units = {
        c: {u for u in units if KRIPPENDORFF_NOMINAL[i][u] is not None}
        for i, c in enumerate(coders)
    }
    codes = [str(v) for v in range(1, 6)]
    applied = {
        (c, str(v)): {u for u in units if KRIPPENDORFF_NOMINAL[i][u] == v}
        for i, c in enumerate(coders)
        for v in range(1, 6)
    }
    report = paragraph_agreement(units, coders, codes, applied, coded_units)
    for v in range(1, 6):
        indicator = [
            [None if x is None else int(x == v) for x in row] for row in KRIPPENDORFF_NOMINAL
        ]
        expected = krippendorff_alpha_nominal(indicator).value
        assert abs(report.code(str(v)).metrics["krippendorff_alpha"].value - expected) < TOL


def test_fleiss_wikipedia_worked_example():
    """Wikipedia, "Fleiss' kappa", worked example: P̄ = 0.378, P̄_e = 0.213, κ = 0.210."""
    p_bar, p_e, kappa = _fleiss_exact(WIKIPEDIA_FLEISS)
    assert (round(float(p_bar), 3), round(float(p_e), 3), round(float(kappa), 3)) == (
        0.378,
        0.213,
        0.210,
    )
    ours = fleiss_kappa(WIKIPEDIA_FLEISS)
    assert abs(ours.value - float(kappa)) < TOL
    assert abs(ours.details["p_o"] - float(p_bar)) < TOL
    assert abs(ours.details["p_e"] - float(p_e)) < TOL


def test_fleiss_1971_diagnoses():
    """Fleiss (1971): κ = .430 for 6 psychiatrists x 30 patients; R irr::kappam.fleiss prints
    0.4302445 on the same data."""
    table = _per_unit_counts(FLEISS_1971, [1, 2, 3, 4, 5])
    _, _, kappa = _fleiss_exact(table)
    assert round(float(kappa), 7) == 0.4302445
    assert abs(fleiss_kappa(table).value - float(kappa)) < TOL


def test_cohen_wikipedia_two_by_two():
    """Wikipedia, "Cohen's kappa", worked example: 50 grant proposals, yes/yes 20, yes/no 5,
    no/yes 10, no/no 15; p_o = 0.7, p_e = 0.5·0.6 + 0.5·0.4 = 0.5, κ = 0.4."""
    table = [[20, 5], [10, 15]]
    kappa = cohen_kappa(table)
    assert abs(kappa.details["p_o"] - 0.7) < TOL
    assert abs(kappa.details["p_e"] - 0.5) < TOL
    assert abs(kappa.value - 0.4) < TOL

    units = list(range(50))
    a = set(units[:25])
    b = set(units[:20]) | set(units[25:35])
    report = paragraph_agreement(
        units, ["A", "B"], ["yes"], {("A", "yes"): a, ("B", "yes"): b}, {"A": units, "B": units}
    )
    code = report.code("yes")
    assert code.counts == {"both": 20, "only_a": 5, "only_b": 10, "neither": 15}
    assert abs(code.metrics["cohen_kappa"].value - 0.4) < TOL
    assert abs(code.metrics["percent_agreement"].value - 0.7) < TOL


def test_cohen_1960_table_1():
    """Cohen (1960), Table 1: two judges, 200 units, three categories; the diagonal proportions
    .44, .20, .06 give p_o = .70, the marginals (.50, .30, .20 and .60, .30, .10) give
    p_c = .41, and κ = (.70 − .41) / (1 − .41) = .492. κ depends only on the diagonal and the
    marginals; the split of the off-diagonal cells below is ours, chosen to fit them."""
    table = [[88, 8, 4], [16, 40, 4], [16, 12, 12]]
    assert [sum(row) for row in table] == [100, 60, 40]
    assert [sum(col) for col in zip(*table)] == [120, 60, 20]
    p_o = F(88 + 40 + 12, 200)
    p_c = F(50, 100) * F(60, 100) + F(30, 100) * F(30, 100) + F(20, 100) * F(10, 100)
    assert (p_o, p_c) == (F(70, 100), F(41, 100))
    exact = (p_o - p_c) / (1 - p_c)
    assert round(float(exact), 3) == 0.492
    kappa = cohen_kappa(table)
    assert abs(kappa.details["p_o"] - float(p_o)) < TOL
    assert abs(kappa.details["p_e"] - float(p_c)) < TOL
    assert abs(kappa.value - float(exact)) < TOL


def test_cohen_three_categories_sas_example():
    """SAS PROC FREQ agreement example as reproduced in statsmodels' tests: table
    [[0,4,1],[0,8,0],[0,1,5]], simple kappa 0.4842 (p_o = 13/19, p_e = Σ row·col / 19²)."""
    table = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]
    p_o = F(13, 19)
    p_e = F(0 * 0 + 8 * 13 + 6 * 6, 19 * 19)
    exact = (p_o - p_e) / (1 - p_e)
    assert round(float(exact), 4) == 0.4842
    assert abs(cohen_kappa(table).value - float(exact)) < TOL


def test_scott_pi_wikipedia_worked_example():
    """Wikipedia, "Scott's pi", worked example: 45 items, 3 categories; joint proportions
    (12+6)/90 = 0.2, (15+15)/90 = 0.333, (18+24)/90 = 0.467, squared 0.04, 0.111, 0.218;
    Pr(e) = 0.369, Pr(a) = (1+5+9)/45."""
    table = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    joint = [F(18, 90), F(30, 90), F(42, 90)]
    assert [round(float(j), 3) for j in joint] == [0.2, 0.333, 0.467]
    assert [round(float(j * j), 3) for j in joint] == [0.04, 0.111, 0.218]
    p_e = sum(j * j for j in joint)
    assert round(float(p_e), 3) == 0.369
    p_a = F(15, 45)
    exact = (p_a - p_e) / (1 - p_e)
    ours = scott_pi(table)
    assert abs(ours.details["p_e"] - float(p_e)) < TOL
    assert abs(ours.value - float(exact)) < TOL


def test_scott_pi_equals_fleiss_for_two_coders():
    """Fleiss (1971) introduces his kappa as the many-rater generalisation of Scott's pi: on two
    coders the two must coincide (Wikipedia Scott's pi table)."""
    table = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    counts, weights = counts_from_table(table)
    assert abs(fleiss_kappa(counts, weights).value - scott_pi(table).value) < TOL


def test_gwet_ac1_and_brennan_prediger_abstractors():
    """Gwet (2014) handbook, two abstractors x 100 pregnancies (irrCAC docs and tests):
    AC1 = 0.849, Brennan-Prediger = 0.835, percent agreement 0.89."""
    n = 100
    p_a = F(13 + 20 + 56, n)
    rows, cols = [13, 27, 60], [13, 24, 63]
    pi = [F(r + c, 2 * n) for r, c in zip(rows, cols, strict=False)]
    ac1 = (p_a - sum(p * (1 - p) for p in pi) / 2) / (1 - sum(p * (1 - p) for p in pi) / 2)
    bp = (p_a - F(1, 3)) / (1 - F(1, 3))
    assert (round(float(ac1), 3), round(float(bp), 3)) == (0.849, 0.835)
    counts, weights = counts_from_table(GWET_ABSTRACTORS)
    assert abs(gwet_ac1(counts, weights).value - float(ac1)) < TOL
    assert abs(brennan_prediger(counts, weights).value - float(bp)) < TOL
    assert abs(percent_agreement(counts, weights).value - 0.89) < TOL


def test_gwet_ac1_four_raters_with_missing_ratings():
    """Gwet (2014) handbook p. 120 (irrCAC tests): 4 raters, 12 subjects, missing ratings;
    p_a = 0.818, p_e = 0.190, AC1 = 0.775. p_a averages over the 11 subjects with two or more
    ratings, π_k over the 12 subjects with one or more (Gwet's treatment of missing ratings)."""
    units = list(zip(*GWET_4RATERS, strict=False))
    cats = [1, 2, 3, 4, 5]
    table = _per_unit_counts(units, cats)
    rated = [row for row in table if sum(row) >= 1]
    pairable = [row for row in table if sum(row) >= 2]
    p_a = sum(F(sum(x * (x - 1) for x in row), sum(row) * (sum(row) - 1)) for row in pairable)
    p_a /= len(pairable)
    pi = [sum(F(row[k], sum(row)) for row in rated) / len(rated) for k in range(5)]
    p_e = sum(p * (1 - p) for p in pi) / 4
    ac1 = (p_a - p_e) / (1 - p_e)
    assert (round(float(p_a), 3), round(float(p_e), 3), round(float(ac1), 3)) == (
        0.818,
        0.190,
        0.775,
    )
    ours = gwet_ac1(table)
    assert abs(ours.value - float(ac1)) < TOL
    assert abs(ours.details["p_e"] - float(p_e)) < TOL


def test_alpha_from_counts_matches_reliability_matrix_form():
    """krippendorff's own doctest gives the Krippendorff (2011) nominal example as value counts
    (units x values); both input forms must give .743."""
    counts = _per_unit_counts(list(zip(*KRIPPENDORFF_NOMINAL, strict=False)), [1, 2, 3, 4, 5])
    assert (
        abs(
            krippendorff_alpha_from_counts(counts).value
            - krippendorff_alpha_nominal(KRIPPENDORFF_NOMINAL).value
        )
        < TOL
    )


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ({1, 2}, {1, 2, 3, 4}, 1 - F(2, 4) * F(2, 3)),  # nltk's doctest for Passonneau (2006)
        ({1, 2}, {1, 2}, F(0)),
        (set(), set(), F(0)),
        ({1, 2}, {2, 3}, 1 - F(1, 3) * F(1, 3)),
        ({1}, {2}, F(1)),
        (set(), {1}, F(1)),
    ],
)
def test_masi_distance_cases(a, b, expected):
    """Passonneau (2006): 1 - J·M with M = 1, 2/3, 1/3, 0; identical sets (also two empty) at 0."""
    assert abs(masi_distance(a, b) - float(expected)) < TOL
