"""Random small data checked against independent implementations.

References: the `krippendorff` package (alpha, nominal, with missing data), nltk's AnnotationTask
(Cohen's kappa, Scott's multi-pi = Fleiss' kappa, alpha, MASI alpha) and nltk's masi_distance, and a
brute-force one-unit-per-character expansion for the interval arithmetic.
"""

from __future__ import annotations

import json
import math

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nltk.metrics.agreement import AnnotationTask
from nltk.metrics.distance import masi_distance as nltk_masi

from coder.agreement import (
    OVERALL_KEYS,
    character_agreement,
    krippendorff_alpha_masi,
    krippendorff_alpha_nominal,
    masi_distance,
    paragraph_agreement,
)
from coder.agreement.masi import MasiExpected

pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")

TOL = 1e-9
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def coded_projects(draw, min_coders=2, max_coders=4, missing=True, max_units=12, max_codes=3):
    """(units, coders, codes, applied, coded_units) with optional missing coverage."""
    k = draw(st.integers(min_coders, max_coders))
    n = draw(st.integers(1, max_units))
    n_codes = draw(st.integers(1, max_codes))
    coders = [f"c{i}" for i in range(k)]
    codes = [f"k{i}" for i in range(n_codes)]
    units = list(range(100, 100 + n))
    if missing:
        coverage = {c: {u for u in units if draw(st.floats(0, 1)) < 0.8} for c in coders}
    else:
        coverage = {c: set(units) for c in coders}
    rate = draw(st.sampled_from([0.0, 0.1, 0.4, 0.8, 1.0]))
    applied = {
        (c, code): {u for u in coverage[c] if draw(st.floats(0, 1)) < rate}
        for c in coders
        for code in codes
    }
    return units, coders, codes, applied, coverage


def _dense(units, coders, code, applied, coverage):
    return np.array(
        [
            [
                (1.0 if u in applied[(c, code)] else 0.0) if u in coverage[c] else np.nan
                for u in units
            ]
            for c in coders
        ]
    )


def _all_values(report):
    for c in report.codes:
        yield from c.metrics.values()
    yield from report.overall.values()


def _check_never_nan(report):
    for m in _all_values(report):
        if m.value is None:
            assert isinstance(m.reason, str) and m.reason
        else:
            assert math.isfinite(m.value)
            assert m.reason is None
    json.dumps(report.to_json(), allow_nan=False)


@SETTINGS
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=1, max_size=10),
        min_size=2,
        max_size=5,
    ).filter(lambda rows: len({len(r) for r in rows}) == 1)
)
def test_general_alpha_matches_krippendorff_package(rows):
    data = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=float)
    ours = krippendorff_alpha_nominal(rows)
    try:
        ref = krippendorff.alpha(data, level_of_measurement="nominal")
    except ValueError:
        assert ours.value is None and ours.reason
        return
    if ours.value is None:
        assert ours.reason.startswith("no variation") or math.isnan(ref)
    else:
        assert abs(ours.value - ref) < TOL


@SETTINGS
@given(coded_projects())
def test_per_code_alpha_matches_krippendorff_package_with_missing_data(project):
    units, coders, codes, applied, coverage = project
    report = paragraph_agreement(units, coders, codes, applied, coverage)
    _check_never_nan(report)
    for code in codes:
        ours = report.code(code).metrics["krippendorff_alpha"]
        data = _dense(units, coders, code, applied, coverage)
        try:
            ref = krippendorff.alpha(data, level_of_measurement="nominal", value_domain=[0.0, 1.0])
        except ValueError:
            assert ours.value is None
            continue
        if ours.value is None:
            assert ours.reason
            assert not np.isfinite(ref) or ours.reason.startswith("no variation")
        else:
            assert abs(ours.value - ref) < TOL


@SETTINGS
@given(coded_projects())
def test_pooled_alpha_is_alpha_over_unit_code_pairs(project):
    units, coders, codes, applied, coverage = project
    report = paragraph_agreement(units, coders, codes, applied, coverage)
    dense = {code: _dense(units, coders, code, applied, coverage) for code in codes}
    # the pool: codes a coder applied in a unit two or more coders rated
    pool = [
        c for c in codes
        if ((dense[c] == 1).any(axis=0) & ((~np.isnan(dense[c])).sum(axis=0) >= 2)).any()
    ]
    assert list(report.pooled_codes) == pool
    ours = report.overall["krippendorff_alpha"]
    if not pool:
        assert ours.value is None
        return
    stacked = np.hstack([dense[code] for code in pool])
    try:
        ref = krippendorff.alpha(stacked, level_of_measurement="nominal", value_domain=[0.0, 1.0])
    except ValueError:
        assert ours.value is None
        return
    if ours.value is not None:
        assert abs(ours.value - ref) < TOL


def _task(units, coders, code, applied):
    return AnnotationTask(
        data=[(c, str(u), int(u in applied[(c, code)])) for c in coders for u in units]
    )


@SETTINGS
@given(coded_projects(missing=False, max_units=10))
def test_complete_data_matches_nltk(project):
    """nltk assumes every coder rated every unit, so complete data only. nltk's pi() is Scott's
    multi-pi (Artstein & Poesio 2008), i.e. Fleiss' kappa; with two coders it is Scott's pi."""
    units, coders, codes, applied, coverage = project
    report = paragraph_agreement(units, coders, codes, applied, coverage)
    for code in codes:
        metrics = report.code(code).metrics
        task = _task(units, coders, code, applied)
        if len(task.K) < 2:
            for key in ("cohen_kappa", "scott_pi", "fleiss_kappa", "krippendorff_alpha"):
                assert metrics[key].value is None
            assert metrics["krippendorff_alpha"].reason.startswith("no variation")
            continue
        assert abs(metrics["percent_agreement"].value - task.avg_Ao()) < TOL
        assert abs(metrics["fleiss_kappa"].value - task.pi()) < TOL
        assert abs(metrics["krippendorff_alpha"].value - task.alpha()) < TOL
        if len(coders) == 2:
            assert abs(metrics["cohen_kappa"].value - task.kappa()) < TOL
            assert abs(metrics["scott_pi"].value - task.pi()) < TOL
        else:
            assert metrics["cohen_kappa"].value is None
            assert metrics["scott_pi"].value is None


label_sets = st.frozensets(st.integers(0, 5), max_size=5)


@SETTINGS
@given(label_sets, label_sets)
def test_masi_distance_matches_nltk(a, b):
    if not a and not b:
        assert masi_distance(a, b) == 0.0
    else:
        assert abs(masi_distance(a, b) - nltk_masi(set(a), set(b))) < TOL


def _nltk_masi(a, b):
    """nltk divides by |A ∪ B|, undefined for two empty sets, which Passonneau calls identical."""
    return 0.0 if not a and not b else nltk_masi(a, b)


@SETTINGS
@given(
    st.integers(2, 4).flatmap(
        lambda k: st.integers(1, 8).flatmap(
            lambda n: st.lists(
                st.lists(st.one_of(st.none(), label_sets), min_size=n, max_size=n),
                min_size=k,
                max_size=k,
            )
        )
    )
)
def test_masi_alpha_matches_nltk(rows):
    ours = krippendorff_alpha_masi(rows)
    triples = [(c, u, s) for c, row in enumerate(rows) for u, s in enumerate(row) if s is not None]
    pairable = any(sum(r[u] is not None for r in rows) >= 2 for u in range(len(rows[0])))
    distinct = {
        s
        for row in rows
        for u, s in enumerate(row)
        if s is not None and sum(r[u] is not None for r in rows) >= 2
    }
    if not pairable or len(distinct) < 2:
        assert ours.value is None and ours.reason
        return
    ref = AnnotationTask(data=triples, distance=_nltk_masi).alpha()
    assert abs(ours.value - ref) < TOL


@SETTINGS
@given(coded_projects(max_codes=4))
def test_paragraph_masi_alpha_matches_general_function(project):
    units, coders, codes, applied, coverage = project
    report = paragraph_agreement(units, coders, codes, applied, coverage)
    rows = [
        [
            frozenset(code for code in codes if u in applied[(c, code)])
            if u in coverage[c]
            else None
            for u in units
        ]
        for c in coders
    ]
    ref = krippendorff_alpha_masi(rows)
    ours = report.overall["krippendorff_alpha_masi"]
    assert (ours.value is None) == (ref.value is None)
    if ours.value is not None:
        assert abs(ours.value - ref.value) < TOL


spans = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 40)).map(sorted).map(tuple), max_size=4
)


@st.composite
def span_projects(draw):
    k = draw(st.integers(2, 3))
    coders = [f"c{i}" for i in range(k)]
    codes = ["x", "y"]
    documents = {f"d{i}": draw(st.integers(0, 40)) for i in range(draw(st.integers(1, 3)))}
    covered = {
        c: {d for d in documents if draw(st.booleans()) or draw(st.booleans())} for c in coders
    }
    intervals = {}
    for c in coders:
        for code in codes:
            for d, length in documents.items():
                chosen = [(min(s, length), min(e, length)) for s, e in draw(spans)]
                if chosen:
                    intervals[(c, code, d)] = chosen
    return documents, coders, codes, intervals, covered


@SETTINGS
@given(span_projects())
def test_character_counts_equal_brute_force_expansion(project):
    documents, coders, codes, intervals, covered = project
    report = character_agreement(documents, coders, codes, intervals, covered)
    units = [(d, i) for d, length in documents.items() for i in range(length)]
    applied = {
        (c, code): {
            (d, i)
            for d in documents
            for s, e in intervals.get((c, code, d), [])
            for i in range(s, e)
        }
        for c in coders
        for code in codes
    }
    coded_units = {c: {(d, i) for d in covered[c] for i in range(documents[d])} for c in coders}
    brute = paragraph_agreement(units, coders, codes, applied, coded_units)
    _check_never_nan(report)
    assert report.n_units == brute.n_units
    assert [n for _, n in report.excluded[:-1]] == [n for _, n in brute.excluded[:-1]]
    for code in codes:
        ours, ref = report.code(code), brute.code(code)
        assert ours.counts == ref.counts
        for key, m in ours.metrics.items():
            other = ref.metrics[key]
            assert (m.value is None) == (other.value is None), key
            if m.value is not None:
                assert abs(m.value - other.value) < TOL, key
            assert m.n_units == other.n_units
    for key in OVERALL_KEYS:
        a, b = report.overall[key].value, brute.overall[key].value
        assert (a is None) == (b is None), key
        if a is not None:
            assert abs(a - b) < TOL, key


@SETTINGS
@given(coded_projects(max_coders=3))
def test_integer_and_general_unit_ids_agree(project):
    """The vectorised path for integer ids and the dictionary path for other ids must agree."""
    units, coders, codes, applied, coverage = project
    as_int = paragraph_agreement(units, coders, codes, applied, coverage).to_json()
    name = {u: f"p{u}" for u in units}
    as_str = paragraph_agreement(
        [name[u] for u in units],
        coders,
        codes,
        {key: {name[u] for u in s} for key, s in applied.items()},
        {c: {name[u] for u in s} for c, s in coverage.items()},
    ).to_json()
    assert as_int == as_str


@SETTINGS
@given(coded_projects(), st.integers(0, 2**32 - 1))
def test_bootstrap_repeats_with_seed(project, seed):
    units, coders, codes, applied, coverage = project
    first = paragraph_agreement(
        units, coders, codes, applied, coverage, ci=0.9, n_boot=30, seed=seed
    )
    again = paragraph_agreement(
        units, coders, codes, applied, coverage, ci=0.9, n_boot=30, seed=seed
    )
    assert first.ci == again.ci
    for code in codes:
        interval = first.ci["codes"][code]
        if first.code(code).metrics["krippendorff_alpha"].value is None:
            assert interval is None
        elif interval is not None:
            assert interval["low"] <= interval["high"]
            assert 0 < interval["resamples_used"] <= 30
    json.dumps(first.to_json(), allow_nan=False)


@pytest.mark.parametrize("k", [2, 3])
def test_bootstrap_matches_naive_unit_resampling_in_distribution(k):
    """The multinomial-over-types shortcut must behave like resampling units one by one: compare
    the mean and spread of 2000 resampled alphas with a naive loop on the same data."""
    rng = np.random.default_rng(5)
    n = 60
    units = list(range(n))
    coders = [f"c{i}" for i in range(k)]
    truth = rng.random(n) < 0.3
    applied = {(c, "x"): {u for u in units if truth[u] != (rng.random() < 0.15)} for c in coders}
    coverage = {c: set(units) for c in coders}
    report = paragraph_agreement(
        units, coders, ["x"], applied, coverage, ci=0.95, n_boot=2000, seed=1
    )
    ours = report.ci["codes"]["x"]
    dense = _dense(units, coders, "x", applied, coverage)
    naive = []
    for _ in range(2000):
        pick = rng.integers(0, n, n)
        try:
            naive.append(
                krippendorff.alpha(
                    dense[:, pick], level_of_measurement="nominal", value_domain=[0.0, 1.0]
                )
            )
        except ValueError:
            pass
    low, high = np.percentile(naive, [2.5, 97.5])
    assert abs(ours["low"] - low) < 0.05
    assert abs(ours["high"] - high) < 0.05
    point = report.code("x").metrics["krippendorff_alpha"].value
    assert ours["low"] < point < ours["high"]


@SETTINGS
@given(
    st.lists(
        st.one_of(
            st.integers(1, 2**12),  # few codes: subset counting
            st.integers(1, 2**140),  # wide codebook, often many codes per unit: direct path
        ),
        min_size=1,
        max_size=40,
        unique=True,
    ),
    st.data(),
)
def test_expected_similarity_matches_all_pairs(values, data):
    """The subset-counting shortcut for D_e against the plain sum over every pair of values."""
    weights = np.array([data.draw(st.integers(1, 5)) for _ in values], dtype=float)
    expected = MasiExpected(values)
    brute = sum(
        weights[i] * weights[j] * (1 - masi_distance(_members(a), _members(b)))
        for i, a in enumerate(values)
        for j, b in enumerate(values)
    )
    assert abs(expected.similarity_sum(weights)[0] - brute) < TOL * max(1.0, brute)


def _members(mask):
    return {bit for bit in range(mask.bit_length()) if mask >> bit & 1}


def test_wide_codebook_more_than_64_codes():
    rng = np.random.default_rng(3)
    units = list(range(40))
    coders = ["a", "b", "c"]
    codes = [f"k{i}" for i in range(150)]
    coverage = {c: {u for u in units if rng.random() < 0.9} for c in coders}
    applied = {
        (c, code): {u for u in coverage[c] if rng.random() < 0.08} for c in coders for code in codes
    }
    report = paragraph_agreement(units, coders, codes, applied, coverage)
    rows = [
        [
            frozenset(k for k in codes if u in applied[(c, k)]) if u in coverage[c] else None
            for u in units
        ]
        for c in coders
    ]
    assert (
        abs(report.overall["krippendorff_alpha_masi"].value - krippendorff_alpha_masi(rows).value)
        < TOL
    )
    for code in ("k0", "k70", "k149"):
        ref = krippendorff.alpha(
            _dense(units, coders, code, applied, coverage),
            level_of_measurement="nominal",
            value_domain=[0.0, 1.0],
        )
        assert abs(report.code(code).metrics["krippendorff_alpha"].value - ref) < TOL
