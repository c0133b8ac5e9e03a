"""One missing-data rule everywhere: Gwet's (2014), checked against irrCAC and his worked examples.

A coder who did not cover a unit gives no rating there. Percent agreement, Fleiss' kappa,
Brennan-Prediger and AC1 then average observed agreement over the units two or more coders rated
and category shares over the units one or more rated, as irrCAC does; the library functions, the
report and the CLI must give the same figures on the same data.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from factories import SMALL_CODES
from irrCAC import datasets
from irrCAC.raw import CAC

from coder.compare import compare
from coder.agreement import (
    brennan_prediger,
    cohen_kappa,
    counts_from_ratings,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha_nominal,
    paragraph_agreement,
    percent_agreement,
)
from coder.agreement.compute import analytic_interval
from coder.cli import main
from coder.models import ParagraphIn, ParsedDocument
from coder.store import Store

TOL = 1e-9
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.SettingWithCopyWarning")
OURS = {"fleiss": fleiss_kappa, "gwet": gwet_ac1, "bp": brennan_prediger}


def _irr(frame: pd.DataFrame, categories: list | None = None) -> dict[str, dict]:
    cac = CAC(frame, categories=categories, digits=15)
    return {name: getattr(cac, name)()["est"] for name in ("fleiss", "gwet", "bp")}


def _ours(ratings: list[list]) -> dict[str, float]:
    counts, _ = counts_from_ratings(ratings)
    return {name: fn(counts).value for name, fn in OURS.items()} | {
        "pa": percent_agreement(counts).value
    }


@pytest.mark.parametrize(
    ("frame", "published"),
    [
        # Gwet (2014), 4 raters x 12 units, five categories, no rater scored every unit:
        # Fleiss 0.761, AC1 0.775, Brennan-Prediger 0.773, p_a 0.818 (irrCAC's raw_4raters).
        (datasets.raw_4raters(), {"fleiss": 0.761, "gwet": 0.775, "bp": 0.773, "pa": 0.818}),
        # Gwet (2014), 5 observers x 15 units, only observer 3 scored every unit (nominal).
        (datasets.raw_5observers(), {"fleiss": 0.458, "gwet": 0.497, "bp": 0.487, "pa": 0.616}),
    ],
)
def test_gwet_worked_examples_with_missing_ratings(frame, published):
    ratings = [[None if pd.isna(v) else v for v in frame[col]] for col in frame.columns]
    ours = _ours(ratings)
    reference = _irr(frame)
    for name in OURS:
        assert ours[name] == pytest.approx(reference[name]["coefficient_value"], abs=TOL), name
        assert round(ours[name], 3) == published[name], name
    assert ours["pa"] == pytest.approx(reference["gwet"]["pa"], abs=TOL)
    assert round(ours["pa"], 3) == published["pa"]
    alpha = krippendorff_alpha_nominal(ratings).value
    assert alpha == pytest.approx(CAC(frame, digits=15).krippendorff()["est"]["coefficient_value"],
                                  abs=TOL)


def _random_project(rng: np.random.Generator, k: int, n: int):
    """Presence/absence of one code from k coders on n units, each coder skipping some units."""
    covered = rng.random((k, n)) < rng.uniform(0.4, 1.0, size=(k, 1))
    applied = (rng.random((k, n)) < rng.uniform(0.05, 0.6)) & covered
    covered[:2, 0] = True
    applied[:2, 0] = [True, False]
    return covered, applied


@pytest.mark.parametrize("seed", range(40))
def test_report_matches_irrcac_on_random_data_with_missing_ratings(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    covered, applied = _random_project(rng, k, int(rng.integers(3, 40)))
    coders = [f"c{i}" for i in range(k)]
    units = list(range(covered.shape[1]))
    report = paragraph_agreement(
        units,
        coders,
        ["x"],
        {(c, "x"): set(np.flatnonzero(applied[i]).tolist()) for i, c in enumerate(coders)},
        {c: set(np.flatnonzero(covered[i]).tolist()) for i, c in enumerate(coders)},
    )
    dense = np.where(covered, applied.astype(float), np.nan)
    frame = pd.DataFrame(dense.T, columns=coders)
    reference = _irr(frame, categories=[0.0, 1.0])
    metrics = report.code("x").metrics
    keys = {"fleiss": "fleiss_kappa", "gwet": "gwet_ac1", "bp": "brennan_prediger"}
    for name, key in keys.items():
        ours, theirs = metrics[key].value, reference[name]["coefficient_value"]
        assert ours == pytest.approx(theirs, abs=TOL), (name, seed)
    assert metrics["percent_agreement"].value == pytest.approx(reference["gwet"]["pa"], abs=TOL)
    ratings = [[None if np.isnan(v) else v for v in row] for row in dense]
    assert _ours(ratings)["gwet"] == pytest.approx(metrics["gwet_ac1"].value, abs=TOL)


def test_complete_units_rule_uses_only_units_every_coder_covered():
    rng = np.random.default_rng(7)
    covered, applied = _random_project(rng, 3, 30)
    covered[:, :5] = True
    coders = ["a", "b", "c"]
    args = (
        list(range(30)),
        coders,
        ["x"],
        {(c, "x"): set(np.flatnonzero(applied[i]).tolist()) for i, c in enumerate(coders)},
        {c: set(np.flatnonzero(covered[i]).tolist()) for i, c in enumerate(coders)},
    )
    complete = paragraph_agreement(*args, missing="complete").code("x").metrics
    full = covered.all(axis=0)
    ratings = [[float(v) for v in applied[i][full]] for i in range(3)]
    assert complete["fleiss_kappa"].value == pytest.approx(_ours(ratings)["fleiss"], abs=TOL)
    assert complete["fleiss_kappa"].n_units == int(full.sum())


# Three coders, three documents: carol read 'one' and the first paragraph of 'two' (her reading
# mark), bob did not read 'three' and read 'two' only as far as his last coding (paragraph 2),
# alice marked 'two' done (its third paragraph counts for her though she left it uncoded).
DOCS = {
    "one": ["A first.", "A second.", "A third.", "A fourth."],
    "two": ["B first.", "B second.", "B third."],
    "three": ["C first.", "C second."],
}
CODINGS = {
    "alice": {"one": {0: ["stigma"], 1: ["stigma", "labels"], 3: ["leaving-care"]},
              "two": {0: ["stigma"], 2: ["labels"]}, "three": {1: ["stigma"]}},
    "bob": {"one": {0: ["stigma"], 2: ["labels"], 3: ["leaving-care"]},
            "two": {0: ["stigma"], 1: ["stigma"]}},
    "carol": {"one": {0: ["stigma"], 1: ["stigma"], 3: ["labels"]}},
}


DONE = {("alice", "two")}
MARKS = {("carol", "two"): 1}


@pytest.fixture
def project(tmp_path: Path) -> Store:
    store = Store(tmp_path / "m.db")
    store.sync_codes(SMALL_CODES)
    for i, (name, texts) in enumerate(DOCS.items()):
        store.add_document(name, ParsedDocument("text", [ParagraphIn(t) for t in texts]),
                           source_path=None, content_hash=f"h{i}")
    for coder, docs in CODINGS.items():
        cid = store.coder_id(coder)
        for doc, paras in docs.items():
            ids = [p.id for p in store.paragraphs(store.document(doc).id)]
            for n, codes in paras.items():
                for code in codes:
                    store.add_segment(cid, ids[n], store.code(code).id)
    for coder, doc in DONE:
        store.put_status(store.coder_id(coder), store.document(doc).id, "done")
    for (coder, doc), n in MARKS.items():
        store.raise_reading_mark(store.coder_id(coder), store.document(doc).id, n)
    return store


def _read(coder: str, doc: str) -> int:
    """How many paragraphs of `doc` count for `coder`: all when done, else up to the further of
    the reading mark and the last coded paragraph (the rule in `coder.coverage`)."""
    if (coder, doc) in DONE:
        return len(DOCS[doc])
    return max([MARKS.get((coder, doc), 0), *[n + 1 for n in CODINGS[coder].get(doc, {})]])


def _dense(code: str) -> list[list[float | None]]:
    """Coders x units from CODINGS: None where the coder has not read the paragraph."""
    out = []
    for coder in ("alice", "bob", "carol"):
        row: list[float | None] = []
        for doc, texts in DOCS.items():
            paras = CODINGS[coder].get(doc, {})
            row += [None if n >= _read(coder, doc) else float(code in paras.get(n, []))
                    for n in range(len(texts))]
        out.append(row)
    return out


@pytest.mark.parametrize("coders", ["alice,bob,carol", "alice,bob"])
def test_library_and_cli_give_identical_figures(project: Store, coders: str):
    result = CliRunner().invoke(main, ["agree", "--db", str(project.path), "--coders", coders,
                                       "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["missing_data"]["rule"] == "gwet"
    names = coders.split(",")
    [library] = compare(project, names)
    assert library.report.to_json()["codes"] == data["codes"]
    beyond = {"bob": 1, "carol": 2}
    assert data["coverage"]["units_beyond_reach"] == {c: n for c, n in beyond.items() if c in names}
    keep = [i for i, c in enumerate(("alice", "bob", "carol")) if c in names]
    for entry in data["codes"]:
        ratings = [_dense(entry["code"])[i] for i in keep]
        counts, cats = counts_from_ratings(ratings)
        if len(cats) < 2:
            counts = np.hstack([counts, np.zeros((counts.shape[0], 2 - counts.shape[1]))])
        ours = {
            "percent_agreement": percent_agreement(counts).value,
            "fleiss_kappa": fleiss_kappa(counts).value,
            "brennan_prediger": brennan_prediger(counts, n_categories=2).value,
            "gwet_ac1": gwet_ac1(counts, n_categories=2).value,
            "krippendorff_alpha": krippendorff_alpha_nominal(ratings).value,
        }
        for key, value in ours.items():
            if value is None:
                assert entry[key] is None, (entry["code"], key)
            else:
                assert entry[key] == pytest.approx(value, abs=1e-12), (entry["code"], key)


@pytest.mark.parametrize("seed", range(20))
def test_gwet_standard_errors_match_irrcac(seed):
    """Analytic intervals: Gwet's variance for Fleiss' kappa, AC1 and B-P with missing ratings,
    and for Cohen's kappa from the two-coder table, as irrCAC computes them."""
    from irrCAC.table import CAC as TableCAC

    rng = np.random.default_rng(500 + seed)
    k = int(rng.integers(2, 5))
    covered, applied = _random_project(rng, k, int(rng.integers(5, 60)))
    dense = np.where(covered, applied.astype(float), np.nan)
    counts, _ = counts_from_ratings([[None if np.isnan(v) else v for v in row] for row in dense])
    reference = _irr(pd.DataFrame(dense.T), categories=[0.0, 1.0])
    for name, fn in OURS.items():
        m = fn(counts, n_categories=2) if name != "fleiss" else fn(counts)
        assert m.details["se"] == pytest.approx(reference[name]["se"], abs=1e-9), name
        low, high = reference[name]["confidence_interval"]
        interval = analytic_interval(m, 0.95)
        assert (interval["low"], interval["high"]) == pytest.approx((low, high), abs=1e-9)
    q = int(rng.integers(2, 5))
    table = rng.integers(0, 15, (q, q)) + np.diag(rng.integers(5, 30, q))
    ours = cohen_kappa(table)
    theirs = TableCAC(pd.DataFrame(table), digits=15).cohen()["est"]
    assert ours.value == pytest.approx(theirs["coefficient_value"], abs=1e-9)
    assert ours.details["se"] == pytest.approx(theirs["se"], abs=1e-9)


def test_resamples_option_and_monte_carlo_error(project: Store):
    def ci(resamples: str) -> dict:
        result = CliRunner().invoke(main, ["agree", "--db", str(project.path), "--coders",
                                           "alice,bob", "--json", "--ci", "0.9", "--resamples",
                                           resamples])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["ci"]

    few, many = ci("100"), ci("20000")
    assert few["n_boot"] == 100 and many["n_boot"] == 20000
    assert many["overall"]["krippendorff_alpha"]["mc_error"] < few["overall"][
        "krippendorff_alpha"]["mc_error"]
    stigma = many["analytic"]["codes"]["stigma"]
    assert stigma["gwet_ac1"]["low"] < stigma["gwet_ac1"]["high"] <= 1.0
    assert "Gwet (2014) variance" in many["analytic"]["method"]
    out = CliRunner(env={"COLUMNS": "300"}).invoke(main, [
        "agree", "--db", str(project.path), "--coders", "alice,bob", "--ci", "0.9"]).output
    assert "Cohen κ 90% CI" in out and "Gwet AC1 90% CI" in out
    assert "Monte Carlo error of the interval ends up to ±" in out
