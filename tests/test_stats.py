"""Frequencies, coverage and co-occurrence, in the terminal and as CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_export_fixture import build_project

from coder.cli import main
from coder.export.scope import select
from coder.export.stats import compute_stats
from coder.store import Store


@pytest.fixture
def project(tmp_path: Path) -> Store:
    store = build_project(tmp_path / "p.db")
    yield store
    store.close()


def _read(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_frequencies_count_segments_paragraphs_documents_and_coders(project: Store) -> None:
    s = compute_stats(select(project), ["alice", "bob"])
    rows = project.segment_rows()
    by_key = {f.code.key: f for f in s.frequencies}
    assert [f.code.key for f in s.frequencies] == ["stigma", "labels", "media", "leaving-care", "unused"]
    for key, f in by_key.items():
        mine = [r for r in rows if r.code_key == key]
        assert f.segments == len(mine)
        assert f.paragraphs == len({r.paragraph_id for r in mine})
        assert f.documents == len({r.document_id for r in mine})
        assert f.by_coder == {c: sum(1 for r in mine if r.coder == c) for c in ("alice", "bob")}
    assert by_key["stigma"].segments == 4 and by_key["stigma"].paragraphs == 3
    assert by_key["unused"].segments == 0


def test_coverage_is_share_of_paragraphs_coded(project: Store) -> None:
    s = compute_stats(select(project), ["alice", "bob"])
    cov = {c.document.name: c for c in s.coverage}
    assert (cov["West Midlands session"].coded, cov["West Midlands session"].paragraphs) == (4, 5)
    assert cov["West Midlands session"].share == pytest.approx(0.8)
    assert (cov["Focus group 2"].coded, cov["Focus group 2"].paragraphs) == (2, 3)
    assert cov["West Midlands session"].by_coder == {"alice": 3, "bob": 4}
    alice_only = compute_stats(select(project, coders=["alice"]), ["alice"])
    assert {c.document.name: c.coded for c in alice_only.coverage} == {
        "West Midlands session": 3, "Focus group 2": 1}


def test_cooccurrence_counts_paragraphs_with_both_codes(project: Store) -> None:
    s = compute_stats(select(project), ["alice", "bob"])
    keys = [c.key for c in s.codes]
    m = {(a, b): s.cooccurrence[i][j] for i, a in enumerate(keys) for j, b in enumerate(keys)}
    assert m[("stigma", "labels")] == m[("labels", "stigma")] == 3
    assert m[("stigma", "leaving-care")] == 1
    assert m[("stigma", "stigma")] == 3
    assert m[("media", "media")] == 1 and m[("media", "stigma")] == 0
    assert all(m[(k, "unused")] == 0 for k in keys)


def test_cli_prints_tables_and_writes_csv(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "stats"
    runner = CliRunner()
    result = runner.invoke(main, ["stats", "--db", str(project.path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Code frequencies" in result.output and "Co-occurrence" in result.output
    freq = _read(out / "frequencies.csv")
    assert freq[0][:7] == ["code_key", "code_name", "code_path", "depth", "segments",
                           "paragraphs", "documents"]
    assert freq[0][7:] == ["segments_alice", "segments_bob"]
    stigma = next(r for r in freq if r[0] == "stigma")
    assert stigma[4:7] == ["4", "3", "2"]
    cov = {r[0]: r for r in _read(out / "coverage.csv")[1:]}
    assert cov["Focus group 2"][1:4] == ["3", "2", "0.6667"]
    co = _read(out / "cooccurrence.csv")
    header = co[0][1:]
    row = next(r for r in co if r[0] == "labels")
    assert row[1 + header.index("stigma")] == "3"

    again = runner.invoke(main, ["stats", "--db", str(project.path), "--out", str(out)])
    assert again.exit_code != 0 and "--force" in again.output
    forced = runner.invoke(main, ["stats", "--db", str(project.path), "--out", str(out),
                                  "--force", "--coder", "alice"])
    assert forced.exit_code == 0, forced.output
    assert _read(out / "frequencies.csv")[0][7:] == ["segments_alice"]


def test_csv_name_gives_three_files_beside_it(project: Store, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["stats", "--db", str(project.path),
                                       "--out", str(tmp_path / "methods.csv")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("methods-*.csv")) == [
        "methods-cooccurrence.csv", "methods-coverage.csv", "methods-frequencies.csv"]
