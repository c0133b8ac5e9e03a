"""Behaviour of the agreement API: edge cases, what is excluded, explanations and bands."""

from __future__ import annotations

import json
from fractions import Fraction as F
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coder.agreement import (
    METRIC_KEYS,
    OVERALL_KEYS,
    band,
    bootstrap,
    character_agreement,
    cut,
    explain,
    explain_data,
    interpret,
    paragraph_agreement,
)
from coder.errors import CoderError

TOL = 1e-9
UNITS = list(range(1, 21))
BOTH = {"ann": UNITS, "ben": UNITS}
NO_VARIATION_ABSENT = "no variation: every unit absent for every coder"


def two_coder_report(ann, ben, codes=("x",), **kw):
    applied = {("ann", "x"): set(ann), ("ben", "x"): set(ben)}
    return paragraph_agreement(UNITS, ["ann", "ben"], list(codes), applied, BOTH, **kw)


def test_counts_and_hand_computed_coefficients():
    report = two_coder_report(ann={1, 2, 3, 4, 5, 6}, ben={4, 5, 6, 7})
    code = report.code("x")
    assert code.counts == {"both": 3, "only_a": 3, "only_b": 1, "neither": 13}
    assert code.n_units == 20 and report.n_units == 20
    n, p_o = 20, F(16, 20)
    pa, pb = F(6, 20), F(4, 20)
    cohen_pe = pa * pb + (1 - pa) * (1 - pb)
    pi = (pa + pb) / 2
    scott_pe = pi**2 + (1 - pi) ** 2
    # Krippendorff (2011) binary form: 1 − (n − 1) o_01 / (n_0 n_1), with n = 2·20 pairable
    # values, n_1 = 10 present, n_0 = 30 absent, o_01 = 4 disagreeing units.
    alpha = 1 - F((2 * n - 1) * 4, 30 * 10)
    expected = {
        "percent_agreement": p_o,
        "cohen_kappa": (p_o - cohen_pe) / (1 - cohen_pe),
        "scott_pi": (p_o - scott_pe) / (1 - scott_pe),
        "fleiss_kappa": (p_o - scott_pe) / (1 - scott_pe),
        "krippendorff_alpha": alpha,
        "brennan_prediger": 2 * p_o - 1,
        "gwet_ac1": (p_o - 2 * pi * (1 - pi)) / (1 - 2 * pi * (1 - pi)),
    }
    for key, value in expected.items():
        assert abs(code.metrics[key].value - float(value)) < TOL, key
        assert code.metrics[key].n_units == 20


def test_code_nobody_used_is_undefined_with_reason_not_one():
    code = two_coder_report(ann=set(), ben=set()).code("x")
    for key in ("cohen_kappa", "scott_pi", "fleiss_kappa", "krippendorff_alpha"):
        assert code.metrics[key].value is None
        assert code.metrics[key].reason == NO_VARIATION_ABSENT
    for key in ("percent_agreement", "brennan_prediger", "gwet_ac1"):
        assert code.metrics[key].value == 1.0
        assert code.metrics[key].reason is None
    assert code.counts == {"both": 0, "only_a": 0, "only_b": 0, "neither": 20}


def test_code_everybody_used_everywhere():
    code = two_coder_report(ann=UNITS, ben=UNITS).code("x")
    for key in ("cohen_kappa", "scott_pi", "fleiss_kappa", "krippendorff_alpha"):
        assert code.metrics[key].value is None
        assert code.metrics[key].reason == "no variation: every unit present for every coder"
    assert code.metrics["percent_agreement"].value == 1.0
    assert code.metrics["gwet_ac1"].value == 1.0
    assert code.metrics["brennan_prediger"].value == 1.0


def test_one_unit():
    agree = paragraph_agreement(
        [7], ["a", "b"], ["x"], {("a", "x"): {7}, ("b", "x"): {7}}, {"a": [7], "b": [7]}
    )
    assert agree.code("x").metrics["cohen_kappa"].value is None
    assert agree.code("x").metrics["percent_agreement"].value == 1.0
    differ = paragraph_agreement([7], ["a", "b"], ["x"], {("a", "x"): {7}}, {"a": [7], "b": [7]})
    metrics = differ.code("x").metrics
    assert metrics["percent_agreement"].value == 0.0
    assert metrics["cohen_kappa"].value == 0.0  # p_e = 1·0 + 0·1 = 0
    assert metrics["krippendorff_alpha"].value == 0.0  # D_o = D_e = 1


def test_coder_with_no_coverage():
    report = paragraph_agreement(
        UNITS, ["ann", "ben"], ["x"], {("ann", "x"): {1, 2}}, {"ann": UNITS}
    )
    assert report.n_units == 0
    for key in METRIC_KEYS:
        m = report.code("x").metrics[key]
        assert m.value is None and m.reason
    assert report.code("x").metrics["cohen_kappa"].reason == "no paragraph coded by both coders"
    assert report.code("x").metrics["krippendorff_alpha"].reason == (
        "no paragraph coded by two or more coders"
    )
    excluded = dict(report.excluded)
    assert excluded[
        "paragraphs only one coder covered: no pair to compare, so they count only in the"
        " category shares of Fleiss' κ and Gwet's AC1 (Gwet 2014)"
    ] == 20
    assert report.overall["krippendorff_alpha_masi"].value is None


def test_units_nobody_covered_and_codings_outside_coverage_are_excluded_and_reported():
    coverage = {"ann": set(range(1, 16)), "ben": set(range(5, 16))}
    applied = {("ann", "x"): {1, 6, 7}, ("ben", "x"): {6, 18}}
    report = paragraph_agreement(UNITS, ["ann", "ben"], ["x"], applied, coverage)
    assert report.n_units == 11
    assert report.code("x").counts == {"both": 1, "only_a": 1, "only_b": 0, "neither": 9}
    assert dict(report.excluded) == {
        "paragraphs no compared coder covered": 5,
        "paragraphs only one coder covered: no pair to compare, so they count only in the"
        " category shares of Fleiss' κ and Gwet's AC1 (Gwet 2014)": 4,
        "codings on paragraphs outside the coder's covered paragraphs, ignored": 1,
    }


def test_three_coders_complete_data():
    coders = ["a", "b", "c"]
    sets = {"a": {1, 2, 3, 4}, "b": {2, 3, 4, 5}, "c": {3, 4, 9}}
    applied = {(c, "x"): s for c, s in sets.items()}
    report = paragraph_agreement(UNITS, coders, ["x"], applied, {c: UNITS for c in coders})
    code = report.code("x")
    metrics = code.metrics
    assert metrics["cohen_kappa"].value is None
    assert metrics["cohen_kappa"].reason == "defined for two coders; see Fleiss' kappa"
    assert metrics["scott_pi"].value is None
    assert metrics["percent_agreement"].name == "Mean pairwise percent agreement"
    assert code.counts["present:a"] == 4 and code.counts["present:c"] == 3
    assert [code.counts[f"applied_by_{j}"] for j in range(4)] == [14, 3, 1, 2]
    pairwise = [
        F(sum((u in sets[p]) == (u in sets[q]) for u in UNITS), 20)
        for p, q in combinations(coders, 2)
    ]
    assert abs(metrics["percent_agreement"].value - float(sum(pairwise) / 3)) < TOL
    p = F(11, 60)
    p_bar = sum(pairwise) / 3
    p_e = p**2 + (1 - p) ** 2
    assert abs(metrics["fleiss_kappa"].value - float((p_bar - p_e) / (1 - p_e))) < TOL


def test_three_coders_partial_coverage_alpha_uses_more_units():
    coders = ["a", "b", "c"]
    coverage = {"a": set(UNITS), "b": set(UNITS), "c": set(range(1, 11))}
    applied = {("a", "x"): {1, 2, 15}, ("b", "x"): {1, 15, 16}, ("c", "x"): {1, 2}}
    report = paragraph_agreement(UNITS, coders, ["x"], applied, coverage, missing="complete")
    code = report.code("x")
    assert code.counts["n_units"] == 10 and code.counts["n_units_alpha"] == 20
    assert code.metrics["fleiss_kappa"].n_units == 10
    assert code.metrics["krippendorff_alpha"].n_units == 20
    gwet = paragraph_agreement(UNITS, coders, ["x"], applied, coverage).code("x")
    assert gwet.metrics["fleiss_kappa"].n_units == 20
    assert gwet.metrics["gwet_ac1"].n_units == 20
    assert (
        dict(report.excluded)[
            "paragraphs covered by some but not all 3 coders: used by Krippendorff's alpha (which "
            "allows missing data) but left out of the other coefficients (--complete-units)"
        ]
        == 10
    )


def test_overall_pools_the_per_code_tables():
    applied = {("ann", "x"): {1, 2}, ("ben", "x"): {2}, ("ann", "y"): {3}, ("ben", "y"): {3, 4}}
    report = paragraph_agreement(UNITS, ["ann", "ben"], ["x", "y"], applied, BOTH)
    both, only_a, only_b, neither = 2, 1, 1, 36
    n = 40
    p_o = F(both + neither, n)
    pa, pb = F(both + only_a, n), F(both + only_b, n)
    p_e = pa * pb + (1 - pa) * (1 - pb)
    assert abs(report.overall["cohen_kappa"].value - float((p_o - p_e) / (1 - p_e))) < TOL
    assert report.overall["cohen_kappa"].n_units == 40
    assert "pooled over codes" in report.overall["cohen_kappa"].formula
    assert set(report.overall) == set(OVERALL_KEYS)


def test_masi_overall_uses_code_sets():
    applied = {("ann", "x"): {1}, ("ann", "y"): {1}, ("ben", "x"): {1}}
    report = paragraph_agreement(UNITS, ["ann", "ben"], ["x", "y"], applied, BOTH)
    masi = report.overall["krippendorff_alpha_masi"]
    # values: unit 1 = {x, y} vs {x} (MASI 1 - 1/2·2/3 = 2/3); 19 units ∅ vs ∅.
    d = F(2, 3)
    n = 40
    d_o = F(2) * d / n
    d_e = (2 * 1 * 38 * 1 + 2 * 1 * 38 * 1 + 2 * d) / (n * (n - 1))
    assert abs(masi.value - float(1 - d_o / d_e)) < TOL
    assert masi.n_units == 20


def test_masi_nobody_coded_anything():
    report = paragraph_agreement(UNITS, ["ann", "ben"], ["x", "y"], {}, BOTH)
    masi = report.overall["krippendorff_alpha_masi"]
    assert masi.value is None
    assert masi.reason == "no variation: no code applied to any unit by any coder"


def test_no_codes():
    report = paragraph_agreement(UNITS, ["ann", "ben"], [], {}, BOTH)
    assert report.codes == ()
    assert all(m.value is None and m.reason for m in report.overall.values())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"coders": ["ann"]}, "at least two coders"),
        ({"coders": ["ann", "ann"]}, "coder 'ann' is listed twice"),
        ({"codes": ["x", "x"]}, "code 'x' is listed twice"),
        ({"units": [1, 2, 2]}, "unit 2 is listed twice"),
        ({"units": ["a", "b", "a"]}, "unit 'a' is listed twice"),
        ({"ci": 1.5}, "between 0 and 1"),
        ({"ci": 0.9, "n_boot": 0}, "at least one resample"),
    ],
)
def test_bad_input_is_a_coder_error(kwargs, message):
    args = {
        "units": UNITS,
        "coders": ["ann", "ben"],
        "codes": ["x"],
        "applied": {},
        "coded_units": BOTH,
        **kwargs,
    }
    with pytest.raises(CoderError, match=message):
        paragraph_agreement(
            args.pop("units"),
            args.pop("coders"),
            args.pop("codes"),
            args.pop("applied"),
            args.pop("coded_units"),
            **args,
        )


def test_bootstrap_is_reproducible_and_states_its_method():
    kw = {"ann": {1, 2, 3, 4, 5, 6}, "ben": {4, 5, 6, 7}}
    first = two_coder_report(**kw, ci=0.95, n_boot=300, seed=42)
    second = two_coder_report(**kw, ci=0.95, n_boot=300, seed=42)
    other = two_coder_report(**kw, ci=0.95, n_boot=300, seed=43)
    assert first.ci == second.ci
    assert first.ci != other.ci
    assert first.ci["n_boot"] == 300 and first.ci["seed"] == 42 and first.ci["level"] == 0.95
    assert "resamples" in first.ci["method"] and "with replacement" in first.ci["method"]
    interval = first.ci["codes"]["x"]
    alpha = first.code("x").metrics["krippendorff_alpha"].value
    assert interval["low"] <= alpha <= interval["high"]
    assert first.ci["overall"]["krippendorff_alpha_masi"] is not None


def test_bootstrap_interval_absent_when_alpha_undefined():
    report = two_coder_report(ann=set(), ben=set(), ci=0.95, n_boot=50)
    assert report.ci["codes"]["x"] is None
    assert report.ci["overall"]["krippendorff_alpha_masi"] is None


def test_to_json_shape_and_nulls():
    report = two_coder_report(ann=set(), ben=set())
    data = json.loads(json.dumps(report.to_json(), allow_nan=False))
    assert data["unit"] == "paragraph" and data["coders"] == ["ann", "ben"]
    assert data["n_units"] == 20
    code = data["codes"][0]
    assert code["code"] == "x"
    assert code["cohen_kappa"] is None
    assert code["reasons"]["cohen_kappa"] == NO_VARIATION_ABSENT
    assert code["percent_agreement"] == 1.0
    assert code["counts"] == {"both": 0, "only_a": 0, "only_b": 0, "neither": 20}
    assert set(data["overall"]) >= set(OVERALL_KEYS)
    assert data["excluded"][0] == {
        "description": "paragraphs no compared coder covered",
        "count": 0,
    }
    assert data["ci"] is None
    assert data["formulas"]["cohen_kappa"]["name"] == "Cohen's kappa"


def test_explain_shows_counts_and_working():
    report = two_coder_report(ann={1, 2, 3, 4, 5, 6}, ben={4, 5, 6, 7})
    text = explain(report, "x")
    assert "both = 3, only_a = 3, only_b = 1, neither = 13" in text
    assert "p_o = (both + neither) / units = (3 + 13) / 20 = 0.8000" in text
    assert "p_A = 6/20 = 0.3000, p_B = 4/20 = 0.2000" in text
    assert "p_e = p_A·p_B + (1 − p_A)(1 − p_B) = 0.3000·0.2000 + 0.7000·0.8000 = 0.6200" in text
    assert "κ = (p_o − p_e) / (1 − p_e) = (0.8000 − 0.6200) / (1 − 0.6200) = 0.4736" in text
    for key in METRIC_KEYS:
        assert report.code("x").metrics[key].name in text


def test_explain_shows_each_figure_once_cut_as_the_headline():
    # 143 of 144 agree: p_o = 0.99305..., cut 0.9930, rounded 0.9931
    units = list(range(1, 145))
    report = paragraph_agreement(units, ["ann", "ben"], ["x"],
                                 {("ann", "x"): {1, 2, 3}, ("ben", "x"): {1, 2}},
                                 {"ann": units, "ben": units})
    text = explain(report, "x")
    assert "Percent agreement = 0.9930" in text
    assert "= (2 + 141) / 144 = 0.9930" in text
    assert "0.9931" not in text
    for key in METRIC_KEYS:
        m = report.code("x").metrics[key]
        if m.value is not None and m.working:
            headline = next(line for line in text.splitlines() if line.startswith(f"{m.name} = "))
            figure = headline.split(" = ")[1].split(" ")[0]
            assert m.working.split(" = ")[-1].split(" ")[0] == figure, key


def test_explain_undefined_and_three_coders():
    report = paragraph_agreement(
        UNITS, ["a", "b", "c"], ["x"], {("a", "x"): {1}}, {c: UNITS for c in "abc"}
    )
    text = explain(report, "x")
    assert "Cohen's kappa: undefined — defined for two coders; see Fleiss' kappa" in text
    assert "0: 19, 1: 1, 2: 0, 3: 0" in text
    with pytest.raises(CoderError, match="no code 'nope'"):
        explain(report, "nope")


@pytest.mark.parametrize(
    ("name", "value", "start"),
    [
        ("krippendorff_alpha", 0.85, "reliable"),
        ("krippendorff_alpha", 0.800, "reliable"),
        ("krippendorff_alpha", 0.7, "tentative"),
        ("krippendorff_alpha", 0.667, "tentative"),
        ("krippendorff_alpha", 0.6669, "unreliable: discard"),
        ("krippendorff_alpha_masi", 0.5, "unreliable: discard"),
        ("cohen_kappa", -0.1, "poor"),
        ("cohen_kappa", 0.15, "slight"),
        ("cohen_kappa", 0.0, "slight"),
        ("cohen_kappa", 0.20, "slight"),
        ("cohen_kappa", 0.2099, "slight"),
        ("cohen_kappa", 0.21, "fair"),
        ("cohen_kappa", 0.8099, "substantial"),
        ("cohen_kappa", 0.81, "almost perfect"),
        ("krippendorff_alpha", 0.7999999999999999, "reliable"),  # 0.8 up to float noise
        ("krippendorff_alpha", 0.79999, "tentative"),
        ("fleiss_kappa", 0.35, "fair"),
        ("scott_pi", 0.5, "moderate"),
        ("gwet_ac1", 0.7, "substantial"),
        ("brennan_prediger", 0.9, "almost perfect"),
        ("cohen_kappa", None, "undefined"),
        ("percent_agreement", 0.9, "not corrected for chance"),
    ],
)
def test_interpret_bands(name, value, start):
    assert interpret(name, value).startswith(start)


def test_interpret_unknown_metric():
    with pytest.raises(ValueError):
        interpret("pearson_r", 0.5)


DOCS = {"d1": 100, "d2": 50}


def test_character_agreement_interval_arithmetic():
    intervals = {
        ("ann", "x", "d1"): [(0, 30), (20, 40)],  # overlapping spans of one coder count once
        ("ben", "x", "d1"): [(10, 50)],
        ("ann", "x", "d2"): [(0, 50)],  # whole-paragraph coding is the paragraph's span
        ("ben", "x", "d2"): [(0, 50)],
    }
    report = character_agreement(
        DOCS, ["ann", "ben"], ["x"], intervals, {"ann": {"d1", "d2"}, "ben": {"d1", "d2"}}
    )
    assert report.unit == "character" and report.n_units == 150
    assert report.code("x").counts == {"both": 30 + 50, "only_a": 10, "only_b": 10, "neither": 50}


def test_character_agreement_rejects_spans_outside_the_document():
    with pytest.raises(CoderError, match=r"coder 'ann', code 'x', document 'd2'.*\[40, 60\)"):
        character_agreement(
            DOCS,
            ["ann", "ben"],
            ["x"],
            {("ann", "x", "d2"): [(40, 60)]},
            {"ann": {"d2"}, "ben": {"d2"}},
        )


def test_character_agreement_uncovered_documents():
    intervals = {("ann", "x", "d1"): [(0, 10)], ("ben", "x", "d2"): [(0, 10)]}
    report = character_agreement(
        DOCS, ["ann", "ben"], ["x"], intervals, {"ann": {"d1"}, "ben": {"d1"}}
    )
    assert report.n_units == 100
    assert dict(report.excluded)["characters no compared coder covered"] == 50
    assert report.code("x").counts["only_a"] == 10
    assert (
        dict(report.excluded)[
            "spans in documents the coder did not cover (or not in the document list), ignored"
        ]
        == 1
    )


def test_bootstrap_statistics_reproduce_point_estimates_on_unresampled_data(monkeypatch):
    """Feed the bootstrap a 'resample' identical to the data: its vectorised per-code, pooled and
    MASI alphas must equal the point estimates, so the resampled figures are the same statistics."""
    coders = ["a", "b", "c"]
    coverage = {"a": set(UNITS), "b": set(UNITS), "c": set(range(1, 15))}
    applied = {
        ("a", "x"): {1, 2, 3, 9},
        ("b", "x"): {2, 3, 17},
        ("c", "x"): {3, 9},
        ("a", "y"): {4, 5},
        ("b", "y"): {5, 6, 18},
        ("c", "y"): {5},
    }
    report = paragraph_agreement(UNITS, coders, ["x", "y"], applied, coverage)

    class SameData:
        """Each 'resample' holds every type exactly as often as the data does: n·p."""

        def multinomial(self, n, p, size):
            return np.tile(np.asarray(p) * n, (size, 1))

    monkeypatch.setattr(bootstrap.np.random, "default_rng", lambda seed: SameData())
    same = paragraph_agreement(UNITS, coders, ["x", "y"], applied, coverage, ci=0.9, n_boot=4)
    for code in ("x", "y"):
        point = report.code(code).metrics["krippendorff_alpha"].value
        assert abs(same.ci["codes"][code]["low"] - point) < TOL
        assert abs(same.ci["codes"][code]["high"] - point) < TOL
    for key in ("krippendorff_alpha", "krippendorff_alpha_masi"):
        assert abs(same.ci["overall"][key]["low"] - report.overall[key].value) < TOL


def test_numpy_integer_ids_match_python_ints():
    applied = {("ann", "x"): {np.int64(1), 2}, ("ben", "x"): {1, np.int32(3)}}
    report = paragraph_agreement(list(np.arange(1, 21)), ["ann", "ben"], ["x"], applied, BOTH)
    assert report.code("x").counts == {"both": 1, "only_a": 1, "only_b": 1, "neither": 17}
    assert (
        dict(report.excluded)[
            "codings on paragraphs outside the coder's covered paragraphs, ignored"
        ]
        == 0
    )


def test_overall_pools_only_the_codes_someone_applied():
    applied = {("ann", "x"): {1, 2}, ("ben", "x"): {2}, ("ann", "y"): {3}, ("ben", "y"): {3, 4}}
    with_unused = paragraph_agreement(UNITS, ["ann", "ben"], ["x", "u", "y", "v"], applied, BOTH)
    used = paragraph_agreement(UNITS, ["ann", "ben"], ["x", "y"], applied, BOTH)
    assert with_unused.pooled_codes == ("x", "y") and with_unused.not_pooled == ("u", "v")
    for key in OVERALL_KEYS:
        assert with_unused.overall[key].value == used.overall[key].value, key
        assert with_unused.overall[key].n_units == used.overall[key].n_units, key
    assert "2 of 4 codes" in with_unused.overall["cohen_kappa"].formula
    # a code applied only where just one coder looked is not pooled either
    lone = paragraph_agreement(UNITS, ["ann", "ben"], ["x", "w"], {**applied, ("ann", "w"): {1}},
                               {"ann": UNITS, "ben": UNITS[1:]})
    assert lone.pooled_codes == ("x",)
    data = with_unused.to_json()
    assert data["overall"]["pooled_codes"] == ["x", "y"]
    assert [c["pooled"] for c in data["codes"]] == [True, False, True, False]
    assert data["codes"][0]["units"]["krippendorff_alpha"] == 20


def test_bootstrap_interval_per_code_does_not_depend_on_other_codes():
    applied = {("ann", "x"): {1, 2, 3, 4, 5, 6}, ("ben", "x"): {4, 5, 6, 7}}
    alone = paragraph_agreement(UNITS, ["ann", "ben"], ["x"], applied, BOTH, ci=0.9, n_boot=300,
                                seed=11)
    more = {**applied, ("ann", "y"): {8, 9, 10}, ("ben", "y"): {9, 12}}
    joint = paragraph_agreement(UNITS, ["ann", "ben"], ["y", "x"], more, BOTH, ci=0.9,
                                n_boot=300, seed=11)
    assert alone.ci["codes"]["x"] == joint.ci["codes"]["x"]
    assert joint.ci["codes"]["x"] != joint.ci["codes"]["y"]
    assert "each code's resamples are drawn from the seed and the code's key" in joint.ci["method"]


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (0.7999, 3, "0.799"),
        (2 / 3, 3, "0.666"),
        (0.57, 3, "0.570"),  # 0.57 is 0.56999999999999995 as a float
        (0.25 - 2**-54, 3, "0.250"),  # float noise is not a value below 0.25
        (-0.0004, 3, "-0.001"),
        (-0.0, 3, "0.000"),
        (1.0, 3, "1.000"),
        (99.96, 1, "99.9"),
        (0.66666, 4, "0.6666"),
    ],
)
def test_cut_never_rounds_up(value, places, shown):
    assert cut(value, places) == shown


@given(st.floats(-1, 1, allow_nan=False), st.sampled_from(["krippendorff_alpha", "cohen_kappa"]))
def test_a_cut_figure_reads_in_the_band_of_its_value(value, key):
    assert band(key, float(cut(value))) == band(key, value)


def test_explain_data_and_pool_note():
    report = paragraph_agreement(
        UNITS, ["ann", "ben"], ["x", "u"], {("ann", "x"): {1, 2}, ("ben", "x"): {2}}, BOTH
    )
    data = json.loads(json.dumps(explain_data(report, "x"), allow_nan=False))
    assert data["counts"] == {"both": 1, "only_a": 1, "only_b": 0, "neither": 18}
    kappa = report.code("x").metrics["cohen_kappa"]
    assert data["metrics"]["cohen_kappa"]["value"] == kappa.value
    assert data["metrics"]["cohen_kappa"]["reading"] == interpret("cohen_kappa", kappa.value)
    assert kappa.working in data["metrics"]["cohen_kappa"]["working"]
    assert data["pooled"] is True and data["ci"] is None
    unused = explain_data(report, "u")
    assert unused["pooled"] is False and unused["metrics"]["cohen_kappa"]["value"] is None
    assert "Not in the pooled overall figures" in explain(report, "u")
    assert "Not in the pooled" not in explain(report, "x")
    with pytest.raises(CoderError, match="no code 'nope'"):
        explain_data(report, "nope")
