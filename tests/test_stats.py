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


def _same_coder_pairs(store: Store, a: str, b: str, coders: tuple[str, ...] = ("alice", "bob")) -> int:
    """Paragraphs where one of `coders` applied both `a` and `b`, counted from the database."""
    applied: dict[tuple[int, str], set[str]] = {}
    for r in store.segment_rows():
        if r.coder in coders:
            applied.setdefault((r.paragraph_id, r.coder), set()).add(r.code_key)
    return len({p for (p, _), keys in applied.items() if {a, b} <= keys})


def test_cooccurrence_counts_paragraphs_where_one_coder_applied_both(project: Store) -> None:
    s = compute_stats(select(project), ["alice", "bob"])
    keys = [c.key for c in s.codes]
    m = {(a, b): s.cooccurrence[i][j] for i, a in enumerate(keys) for j, b in enumerate(keys)}
    for a in keys:
        for b in keys:
            assert m[(a, b)] == m[(b, a)] == _same_coder_pairs(project, a, b), (a, b)
    # Stigma and Labels share three paragraphs, but in two of them each code came from a
    # different coder: only alice's own pairing in para 3 of the West Midlands session counts.
    shared = {r.paragraph_id for r in project.segment_rows() if r.code_key == "stigma"} & {
        r.paragraph_id for r in project.segment_rows() if r.code_key == "labels"}
    assert len(shared) == 3
    assert m[("stigma", "labels")] == 1
    assert m[("stigma", "stigma")] == 3
    assert m[("media", "media")] == 1 and m[("media", "stigma")] == 0
    assert all(m[(k, "unused")] == 0 for k in keys)
    bob = compute_stats(select(project, coders=["bob"]), ["bob"])
    bob_keys = [c.key for c in bob.codes]
    i, j = bob_keys.index("stigma"), bob_keys.index("labels")
    assert bob.cooccurrence[i][j] == _same_coder_pairs(project, "stigma", "labels", ("bob",)) == 0


def test_parent_codes_count_their_sub_codes_too(project: Store) -> None:
    s = compute_stats(select(project), ["alice", "bob"])
    by_key = {f.code.key: f for f in s.frequencies}
    rows = project.segment_rows()
    count = {k: sum(1 for r in rows if r.code_key == k) for k in by_key}
    assert by_key["stigma"].with_subcodes == count["stigma"] + count["labels"] + count["media"]
    assert by_key["labels"].with_subcodes == count["labels"] + count["media"]
    assert by_key["stigma"].with_subcodes > by_key["stigma"].segments
    assert by_key["media"].with_subcodes is None and by_key["unused"].with_subcodes is None
    exported = select(project, codes=["stigma"], as_records=True).size
    assert by_key["stigma"].with_subcodes == exported


def test_cli_prints_tables_and_writes_csv(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "stats"
    runner = CliRunner()
    result = runner.invoke(main, ["stats", "--db", str(project.path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Code frequencies" in result.output and "Co-occurrence" in result.output
    assert "sub-codes" in result.output
    assert "the same coder applied both" in " ".join(result.output.split())
    freq = _read(out / "frequencies.csv")
    assert freq[0][:7] == ["code_key", "code_name", "code_path", "depth", "segments",
                           "paragraphs", "documents"]
    assert freq[0][7:] == ["segments_alice", "segments_bob", "segments_with_subcodes"]
    stigma = next(r for r in freq if r[0] == "stigma")
    assert stigma[4:7] == ["4", "3", "2"]
    assert stigma[9] == str(len(project.segment_rows(code_keys=["stigma", "labels", "media"])))
    media = next(r for r in freq if r[0] == "media")
    assert media[9] == media[4]
    cov = {r[0]: r for r in _read(out / "coverage.csv")[1:]}
    assert cov["Focus group 2"][1:4] == ["3", "2", "0.6667"]
    co = _read(out / "cooccurrence.csv")
    header = co[0][1:]
    row = next(r for r in co if r[0] == "labels")
    assert row[1 + header.index("stigma")] == str(_same_coder_pairs(project, "labels", "stigma"))

    again = runner.invoke(main, ["stats", "--db", str(project.path), "--out", str(out)])
    assert again.exit_code != 0 and "--force" in again.output
    forced = runner.invoke(main, ["stats", "--db", str(project.path), "--out", str(out),
                                  "--force", "--coder", "alice"])
    assert forced.exit_code == 0, forced.output
    assert _read(out / "frequencies.csv")[0][7:] == ["segments_alice", "segments_with_subcodes"]


def test_csv_name_gives_three_files_beside_it(project: Store, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["stats", "--db", str(project.path),
                                       "--out", str(tmp_path / "methods.csv")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("methods-*.csv")) == [
        "methods-cooccurrence.csv", "methods-coverage.csv", "methods-frequencies.csv"]


def test_existing_csv_is_refused_before_any_table_is_printed(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "st"
    out.mkdir()
    (out / "coverage.csv").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["stats", "--db", str(project.path), "--out", str(out)])
    assert result.exit_code == 2
    assert "--force" in result.output and "Code frequencies" not in result.output
    assert (out / "coverage.csv").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in out.iterdir()) == ["coverage.csv"]


def test_a_file_name_is_not_made_into_a_folder(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "newdir.txt"
    result = CliRunner().invoke(main, ["stats", "--db", str(project.path), "--out", str(out)])
    assert result.exit_code == 2 and ".txt" in result.output
    assert not out.exists() and "Code frequencies" not in result.output
    made = tmp_path / "v1.2"
    made.mkdir()
    ok = CliRunner().invoke(main, ["stats", "--db", str(project.path), "--out", str(made)])
    assert ok.exit_code == 0, ok.output
    assert (made / "frequencies.csv").exists()
