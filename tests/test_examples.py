"""The two blind codings in examples/ (the README's agreement walk-through) still import whole,
and the agreement `coder agree` reports on them is what an independent computation gives."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner

from coder.cli import main
from coder.ingest import read_document

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "two-coders"
DOCS = {
    "west-midlands-evidence-session-2021-03":
        REPO / "seeds" / "west-midlands-evidence-session-2021-03.txt",
    "east-of-england-evidence-session-2021-05":
        REPO / "seeds" / "east-of-england-evidence-session-2021-05.txt",
}


def _rows(coder: str) -> list[dict[str, str]]:
    with open(EXAMPLE / f"{coder}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("examples") / "two.db"
    runner = CliRunner()
    for args in (["import", *map(str, DOCS.values())],
                 ["codebook", "use", str(REPO / "codebooks" / "care-and-community.yaml")],
                 ["codings", "import", "--done", str(EXAMPLE / "alice.csv")],
                 ["codings", "import", "--done", str(EXAMPLE / "bob.csv")]):
        result = runner.invoke(main, [*args, "--db", str(db)])
        assert result.exit_code == 0, result.output
    return db


def test_every_coding_of_both_coders_comes_in(project: Path) -> None:
    result = CliRunner().invoke(main, ["export", "segments", "--format", "csv",
                                       "--db", str(project)])
    exported = list(csv.DictReader(result.stdout.splitlines()))
    for coder in ("alice", "bob"):
        mine = [r for r in exported if r["coder"] == coder]
        assert len(mine) == len(_rows(coder))
        assert {(r["document"], r["paragraph"], r["code_key"], r["start"], r["end"])
                for r in mine} == {(r["document"], r["paragraph"], r["code"], r["start"],
                                    r["end"]) for r in _rows(coder)}


def test_per_code_alpha_matches_the_krippendorff_package(project: Path) -> None:
    units = [(name, n) for name, path in DOCS.items()
             for n, p in enumerate(read_document(path).paragraphs, start=1)
             if p.kind != "heading"]
    applied = {c: {(r["document"], int(r["paragraph"]), r["code"]) for r in _rows(c)}
               for c in ("alice", "bob")}
    result = CliRunner().invoke(main, ["agree", "--coders", "alice,bob", "--json",
                                       "--db", str(project)])
    report = json.loads(result.stdout)
    assert report["n_units"] == len(units)
    checked = 0
    for entry in report["codes"]:
        matrix = np.array([[1.0 if (d, n, entry["code"]) in applied[c] else 0.0
                            for d, n in units] for c in ("alice", "bob")])
        if matrix.min() == matrix.max():
            assert entry["krippendorff_alpha"] is None
            continue
        expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
        assert entry["krippendorff_alpha"] == pytest.approx(expected, abs=1e-9)
        checked += 1
    assert checked >= 20
