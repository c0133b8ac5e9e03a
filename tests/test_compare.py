from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coder.cli import main
from coder.compare import compare
from coder.errors import CoderError
from coder.models import ParagraphIn, ParsedDocument
from coder.store import Store
from factories import make_project


@pytest.fixture
def coded(tmp_path: Path) -> Store:
    """Two coders on 'notes' (3 text paragraphs + 1 heading); only alice on 'second'."""
    store = make_project(tmp_path / "p.db")
    store.add_document("second", ParsedDocument("text", [ParagraphIn("Only alice read this.")]),
                       source_path=None, content_hash="h2")
    a, b = store.coder_id("alice"), store.coder_id("bob")
    p = store.paragraphs(1)
    stigma, leaving = store.code("stigma").id, store.code("leaving-care").id
    store.add_segment(a, p[1].id, stigma)
    store.add_segment(b, p[1].id, stigma)
    store.add_segment(a, p[2].id, stigma)
    store.add_segment(b, p[3].id, leaving, 0, 5)
    store.add_segment(a, store.paragraphs(2)[0].id, leaving)
    return store


def test_counts_follow_the_codings(coded: Store) -> None:
    [result] = compare(coded, ["alice", "bob"], codes=["stigma", "leaving-care"])
    report = result.report
    stigma = report.code("stigma")
    assert stigma.counts == {"both": 1, "only_a": 1, "only_b": 0, "neither": 1}
    assert stigma.metrics["percent_agreement"].value == pytest.approx(2 / 3)
    leaving = report.code("leaving-care")
    assert leaving.counts == {"both": 0, "only_a": 0, "only_b": 1, "neither": 2}
    notes = [d for d, _ in report.excluded]
    assert any("heading" in d for d in notes)
    assert any("second" in d for d in notes)


def test_code_nobody_used_is_undefined_not_one(coded: Store) -> None:
    [result] = compare(coded, ["alice", "bob"], codes=["labels"])
    alpha = result.report.code("labels").metrics["krippendorff_alpha"]
    assert alpha.value is None and "no variation" in alpha.reason
    assert result.report.code("labels").metrics["percent_agreement"].value == 1.0


def test_character_unit_judges_spans(coded: Store) -> None:
    [result] = compare(coded, ["alice", "bob"], unit="character", codes=["leaving-care"],
                       documents=["notes"])
    counts = result.report.code("leaving-care").counts
    assert counts["only_b"] == 5 and counts["both"] == 0


def test_by_document_gives_one_report_each(coded: Store) -> None:
    results = compare(coded, ["alice", "bob"], by_document=True)
    assert [r.document for r in results] == ["notes", "second"]


def test_errors(coded: Store) -> None:
    with pytest.raises(CoderError, match="at least two coders"):
        compare(coded, ["alice"])
    with pytest.raises(CoderError, match="no coder 'zed'"):
        compare(coded, ["alice", "zed"])
    with pytest.raises(CoderError, match="unknown code"):
        compare(coded, ["alice", "bob"], codes=["nope"])


def test_cli_json_has_the_documented_shape(coded: Store) -> None:
    result = CliRunner().invoke(
        main, ["agree", "--coders", "alice,bob", "--json", "--db", str(coded.path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["unit"] == "paragraph" and data["coders"] == ["alice", "bob"]
    first = data["codes"][0]
    for key in ("code", "percent_agreement", "cohen_kappa", "scott_pi", "fleiss_kappa",
                "krippendorff_alpha", "brennan_prediger", "gwet_ac1", "counts"):
        assert key in first
    assert "krippendorff_alpha_masi" in data["overall"]
    labels = next(c for c in data["codes"] if c["code"] == "labels")
    assert labels["krippendorff_alpha"] is None


def test_cli_table_and_explain(coded: Store) -> None:
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(main, ["agree", "--coders", "alice,bob", "--db", str(coded.path)])
    assert result.exit_code == 0
    assert "Stigma" in result.stdout and "n/a" in result.stdout
    result = runner.invoke(
        main, ["agree", "--coders", "alice,bob", "--explain", "stigma", "--db", str(coded.path)])
    assert result.exit_code == 0 and "both = 1" in result.stdout
    result = runner.invoke(main, ["agree", "--coders", "alice", "--db", str(coded.path)])
    assert result.exit_code == 2 and "at least two coders" in result.stderr
