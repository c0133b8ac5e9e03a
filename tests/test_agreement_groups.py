"""Exclusive code groups as one categorical variable: Fleiss (1971), and the reference packages."""

from __future__ import annotations

import json
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from irrCAC.raw import CAC
from nltk.metrics.agreement import AnnotationTask
from test_agreement_examples import FLEISS_1971

from coder.agreement.groups import NONE_OF_THEM, group_agreement
from coder.cli import main
from coder.codebook import CodebookError, parse_codebook

TOL = 1e-9
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.SettingWithCopyWarning")


def _from_ratings(ratings: np.ndarray, n_children: int):
    """coders × units category indices (n_children = none of them, -1 = not covered)."""
    coders = [f"r{c}" for c in range(ratings.shape[0])]
    children = [f"c{j}" for j in range(n_children)]
    units = list(range(ratings.shape[1]))
    applied = {(coders[c], children[j]): set(np.flatnonzero(ratings[c] == j).tolist())
               for c in range(len(coders)) for j in range(n_children)}
    covered = {coders[c]: set(np.flatnonzero(ratings[c] >= 0).tolist())
               for c in range(len(coders))}
    return units, coders, children, applied, covered


def test_fleiss_1971_five_diagnoses_as_one_group():
    """Fleiss (1971): 6 psychiatrists x 30 patients, 5 diagnoses; κ = .430."""
    ratings = np.array(FLEISS_1971).T - 1
    units, coders, children, applied, covered = _from_ratings(ratings, 5)
    g = group_agreement("diagnosis", units, coders, children, applied, covered)
    assert round(g.metrics["fleiss_kappa"].value, 3) == 0.430
    assert g.metrics["fleiss_kappa"].value == pytest.approx(0.4302445, abs=1e-7)
    assert g.categories == (*children, NONE_OF_THEM) and g.n_units == 30
    assert g.metrics["cohen_kappa"].value is None and g.confusion is None


@pytest.mark.parametrize("seed", range(25))
def test_two_coders_complete_match_nltk_krippendorff_and_irrcac(seed):
    rng = np.random.default_rng(seed)
    q = int(rng.integers(2, 6))
    n = int(rng.integers(5, 60))
    first = rng.integers(0, q + 1, n)
    second = np.where(rng.random(n) < 0.6, first, rng.integers(0, q + 1, n))
    ratings = np.vstack([first, second])
    g = group_agreement("g", *_from_ratings(ratings, q))
    task = AnnotationTask(data=[(f"r{c}", u, int(ratings[c, u]))
                                for c in range(2) for u in range(n)])
    if len(set(ratings.ravel().tolist())) < 2:
        assert g.metrics["cohen_kappa"].value is None
        return
    assert g.metrics["cohen_kappa"].value == pytest.approx(task.kappa(), abs=TOL)
    assert g.metrics["scott_pi"].value == pytest.approx(task.pi(), abs=TOL)
    alpha = krippendorff.alpha(reliability_data=ratings.astype(float),
                               level_of_measurement="nominal")
    assert g.metrics["krippendorff_alpha"].value == pytest.approx(alpha, abs=TOL)
    ref = CAC(pd.DataFrame(ratings.T.astype(float)), categories=list(range(q + 1)), digits=15)
    for key, name in (("fleiss_kappa", "fleiss"), ("gwet_ac1", "gwet"),
                      ("brennan_prediger", "bp")):
        value = getattr(ref, name)()["est"]["coefficient_value"]
        assert g.metrics[key].value == pytest.approx(value, abs=TOL), key
    assert np.array(g.confusion).sum() == n and np.trace(np.array(g.confusion)) == int(
        (first == second).sum())


@pytest.mark.parametrize("seed", range(25))
def test_more_coders_with_missing_ratings_match_krippendorff_and_irrcac(seed):
    rng = np.random.default_rng(100 + seed)
    k, q, n = int(rng.integers(2, 5)), int(rng.integers(2, 5)), int(rng.integers(6, 50))
    truth = rng.integers(0, q + 1, n)
    ratings = np.where(rng.random((k, n)) < 0.7, truth, rng.integers(0, q + 1, (k, n)))
    ratings[rng.random((k, n)) < 0.25] = -1
    ratings[:2, 0] = [0, 1]
    g = group_agreement("g", *_from_ratings(ratings, q))
    dense = np.where(ratings >= 0, ratings, np.nan)
    alpha = krippendorff.alpha(reliability_data=dense, level_of_measurement="nominal")
    assert g.metrics["krippendorff_alpha"].value == pytest.approx(alpha, abs=TOL)
    ref = CAC(pd.DataFrame(dense.T), categories=[float(c) for c in range(q + 1)], digits=15)
    for key, name in (("fleiss_kappa", "fleiss"), ("gwet_ac1", "gwet"),
                      ("brennan_prediger", "bp")):
        value = getattr(ref, name)()["est"]["coefficient_value"]
        assert g.metrics[key].value == pytest.approx(value, abs=TOL), key


def test_two_children_from_one_coder_are_reported_and_missing():
    units = [1, 2, 3]
    applied = {("a", "pos"): {1, 2}, ("a", "neg"): {2}, ("b", "pos"): {1}, ("b", "neg"): {2}}
    covered = {"a": {1, 2, 3}, "b": {1, 2, 3}}
    g = group_agreement("tone", units, ["a", "b"], ["pos", "neg"], applied, covered)
    assert g.violations == (("a", 2, ("pos", "neg")),)
    assert g.n_units == 2 and np.array(g.confusion).sum() == 2
    assert g.metrics["percent_agreement"].value == 1.0


GROUP_BOOK = """name: Tone
codes:
  - key: tone
    name: Tone
    exclusive: true
    codes:
      - {key: pos, name: Positive}
      - {key: neg, name: Negative}
  - key: other
    name: Other
"""


def test_codebook_exclusive_is_read_and_checked_with_lines():
    book = parse_codebook(GROUP_BOOK)
    assert book.by_key("tone").exclusive and not book.by_key("other").exclusive
    bad = GROUP_BOOK.replace("exclusive: true", "exclusive: maybe").replace(
        "    name: Other\n", "    name: Other\n    exclusive: true\n")
    with pytest.raises(CodebookError) as err:
        parse_codebook(bad, "b.yaml")
    text = str(err.value)
    assert "b.yaml:5:16: 'exclusive' must be true or false" in text
    assert "b.yaml:11:5: 'exclusive: true' on 'Other' needs sub-codes" in text


def test_cli_reports_groups_with_confusion_matrix_and_violations(tmp_path: Path):
    db = str(tmp_path / "g.db")
    (tmp_path / "book.yaml").write_text(GROUP_BOOK)
    (tmp_path / "doc.txt").write_text("One.\n\nTwo.\n\nThree.\n\nFour.\n")
    (tmp_path / "c.csv").write_text(
        "document,paragraph,coder,code\ndoc,1,alice,pos\ndoc,2,alice,neg\ndoc,3,alice,pos\n"
        "doc,3,alice,neg\ndoc,1,bob,pos\ndoc,2,bob,pos\ndoc,4,bob,neg\n")
    run = CliRunner(env={"COLUMNS": "250"})
    for args in (["import", str(tmp_path / "doc.txt")], ["codebook", "use",
                 str(tmp_path / "book.yaml")], ["codings", "import", "--done", str(tmp_path / "c.csv")]):
        result = run.invoke(main, [*args, "--db", db])
        assert result.exit_code == 0, result.output
    assert ("lines 4, 5: alice applies pos, neg to doc ¶3, but 'tone' is exclusive"
            in result.output) and "7 segment(s) added" in result.output
    out = run.invoke(main, ["agree", "--db", db, "--coders", "alice,bob"]).output
    assert "Code groups as categorical variables" in out
    assert "alice on doc ¶3 (pos, neg)" in out
    data = json.loads(run.invoke(main, ["agree", "--db", db, "--coders", "alice,bob",
                                        "--json"]).output)
    [tone] = data["groups"]
    # ¶1 pos/pos, ¶2 neg/pos, ¶4 none/neg; ¶3 only bob rated (none): categories pos, neg, none
    assert tone["confusion"] == [[1, 0, 0], [1, 0, 0], [0, 1, 0]]
    assert tone["violations"] == [{"coder": "alice", "unit": "doc ¶3", "codes": ["pos", "neg"]}]
    assert tone["percent_agreement"] == pytest.approx(1 / 3)
    explained = run.invoke(main, ["agree", "--db", db, "--coders", "alice,bob", "--explain",
                                  "tone"]).output
    assert "Confusion matrix (rows: A = alice, columns: B = bob; units both rated)" in explained


def test_tone_example_gives_the_readme_figures(tmp_path: Path):
    """examples/tone, as the README's walk-through runs it."""
    tone = Path(__file__).resolve().parents[1] / "examples" / "tone"
    db = str(tmp_path / "tone.db")
    run = CliRunner()
    for args in (["import", str(tone / "turns.txt")], ["codebook", "use", str(tone / "tone.yaml")],
                 ["codings", "import", str(tone / "codings.csv")]):
        assert run.invoke(main, [*args, "--db", db]).exit_code == 0
    data = json.loads(run.invoke(main, ["agree", "--db", db, "--coders", "alice,bob",
                                        "--json"]).output)
    [group] = data["groups"]
    shown = {key: int(group[key] * 1000) / 1000 for key in (
        "cohen_kappa", "scott_pi", "fleiss_kappa", "krippendorff_alpha", "brennan_prediger",
        "gwet_ac1")}
    assert shown == {"cohen_kappa": 0.833, "scott_pi": 0.831, "fleiss_kappa": 0.837,
                     "krippendorff_alpha": 0.841, "brennan_prediger": 0.851, "gwet_ac1": 0.856}
    assert group["n_units"] == 9 and len(group["violations"]) == 1
