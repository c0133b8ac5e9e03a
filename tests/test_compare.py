from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import make_project

from coder.cli import main
from coder.compare import compare
from coder.errors import CoderError
from coder.models import ParagraphIn, ParsedDocument
from coder.store import Store


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
    store.raise_reading_mark(a, 1, len(p))
    store.raise_reading_mark(b, 1, len(p))
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
    result = runner.invoke(main, ["agree", "--coders", "alice,bob", "--db", str(coded.path),
                                  "--code", "stigma", "--code", "labels"])
    assert result.exit_code == 0
    assert "Stigma" in result.stdout and "n/a" in result.stdout
    result = runner.invoke(
        main, ["agree", "--coders", "alice,bob", "--explain", "stigma", "--db", str(coded.path)])
    assert result.exit_code == 0 and "both = 1" in result.stdout
    result = runner.invoke(main, ["agree", "--coders", "alice", "--db", str(coded.path)])
    assert result.exit_code == 2 and "at least two coders" in result.stderr


def _agree(store: Store, *args: str, columns: int = 250):
    result = CliRunner(env={"COLUMNS": str(columns)}).invoke(
        main, ["agree", "--db", str(store.path), *args])
    assert result.exit_code == 0, result.output
    return result


def _row(output: str, label: str) -> list[str]:
    """The cells of the table row whose first cell starts with `label`."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells and cells[0].startswith(label):
            return cells
    raise AssertionError(f"no row {label!r} in:\n{output}")


def _header(output: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.startswith("┃"))
    return [c.strip() for c in line.split("┃")[1:-1]]


def test_pool_covers_only_codes_a_compared_coder_used(coded: Store) -> None:
    """Pooled: stigma 1/1/0/1 + leaving-care 0/0/1/2 = 1/1/1/3 over 6 (unit, code) pairs, so
    κ = (4/6 − 5/9) / (1 − 5/9) = 0.25; 'labels', which nobody applied, must not add 3 more
    agreements on absence (that would give 0.357)."""
    [everything] = compare(coded, ["alice", "bob"])
    [used] = compare(coded, ["alice", "bob"], codes=["stigma", "leaving-care"])
    assert everything.report.pooled_codes == ("stigma", "leaving-care")
    assert everything.report.not_pooled == ("labels",)
    kappa = everything.report.overall["cohen_kappa"]
    assert kappa.value == pytest.approx(0.25, abs=1e-12) and kappa.n_units == 6
    for key, metric in everything.report.overall.items():
        assert metric.value == used.report.overall[key].value, key

    data = json.loads(_agree(coded, "--coders", "alice,bob", "--json").stdout)
    assert data["overall"]["pooled_codes"] == ["stigma", "leaving-care"]
    assert [c["code"] for c in data["overall"]["not_pooled"]] == ["labels"]
    assert "no compared coder applied it" in data["overall"]["not_pooled"][0]["reason"]
    assert {c["code"]: c["pooled"] for c in data["codes"]} == {
        "stigma": True, "labels": False, "leaving-care": True}
    assert data["overall"]["n_units"]["cohen_kappa"] == 6

    out = _agree(coded, "--coders", "alice,bob").stdout
    assert _row(out, "overall (pooled, 2 codes)")[1] == "2×3"
    assert _row(out, "overall")[_header(out).index("Cohen κ")] == "0.250"
    assert "Stigma/Labels" not in out
    assert "not pooled: 1 code(s) no compared coder applied in these units" in out
    assert out.rstrip().endswith("working.") and ": labels" in out
    named = _agree(coded, "--coders", "alice,bob", "--code", "labels", "--code", "stigma").stdout
    assert _row(named, "Stigma/Labels")[0] == "Stigma/Labels (not pooled)"


def test_no_code_used_leaves_nothing_to_pool(coded: Store) -> None:
    [result] = compare(coded, ["alice", "bob"], codes=["labels"])
    for metric in result.report.overall.values():
        if metric.name.startswith("Krippendorff's alpha on code sets"):
            continue
        assert metric.value is None and "no code to pool" in metric.reason


def test_table_shows_kappa_band_and_ci_column(coded: Store) -> None:
    out = _agree(coded, "--coders", "alice,bob", "--ci", "0.95").stdout
    header = _header(out)
    assert header[-2:] == ["α reading", "κ reading"]
    assert header.index("α 95% CI") == header.index("Kripp. α") + 1
    stigma = _row(out, "Stigma")
    # stigma: both 1, only_a 1, neither 1: κ = (2/3 − 4/9) / (1 − 4/9) = 0.4: fair
    assert stigma[header.index("Cohen κ")] in ("0.399", "0.400")
    assert stigma[header.index("κ reading")] == "fair"
    interval = stigma[header.index("α 95% CI")]
    assert interval.startswith("[") and interval.endswith("]")
    [result] = compare(coded, ["alice", "bob"], ci=0.95)
    shown = [float(x) for x in interval[1:-1].split(",")]
    for printed, key in zip(shown, ("low", "high"), strict=True):
        exact = result.report.ci["codes"]["stigma"][key]
        assert printed <= exact < printed + 0.001
    assert "bootstrap: {" not in out and "percentile bootstrap, 1000 resamples" in out
    assert "Landis & Koch (1977) on Cohen's κ" in out
    assert "cut, not rounded, to 3 decimals" in out


def test_bootstrap_interval_of_a_code_ignores_the_other_codes(coded: Store) -> None:
    [alone] = compare(coded, ["alice", "bob"], codes=["stigma"], ci=0.9, n_boot=200, seed=3)
    [more] = compare(coded, ["alice", "bob"], codes=["stigma", "leaving-care"], ci=0.9,
                     n_boot=200, seed=3)
    assert alone.report.ci["codes"]["stigma"] == more.report.ci["codes"]["stigma"]
    [other] = compare(coded, ["alice", "bob"], codes=["stigma"], ci=0.9, n_boot=200, seed=4)
    assert other.report.ci["codes"]["stigma"] != alone.report.ci["codes"]["stigma"]


@pytest.fixture
def three(coded: Store) -> Store:
    """carol reads and codes 'notes' only; 'third' is coded by alice (marked done) and bob, not
    carol."""
    carol = coded.coder_id("carol")
    p = coded.paragraphs(1)
    coded.add_segment(carol, p[1].id, coded.code("stigma").id)
    coded.raise_reading_mark(carol, 1, len(p))
    coded.add_document("third", ParsedDocument("text", [ParagraphIn("One."), ParagraphIn("Two.")]),
                       source_path=None, content_hash="h3")
    t = coded.paragraphs(3)
    coded.add_segment(coded.coder_id("alice"), t[0].id, coded.code("stigma").id)
    coded.add_segment(coded.coder_id("bob"), t[1].id, coded.code("leaving-care").id)
    coded.put_status(coded.coder_id("alice"), 3, "done")
    return coded


def test_three_coder_table_percent_counts_and_unit_counts(three: Store) -> None:
    out = _agree(three, "--coders", "alice,bob,carol").stdout
    header = _header(out)
    assert "Cohen κ" not in header and "Scott π" not in header
    assert header[1:3] == ["units", "by 0/1/2/3"]
    stigma = _row(out, "Stigma")
    # notes: p1 all three, p2 alice only, p3 nobody; third: t1 alice only, t2 nobody (alice and
    # bob only): Gwet's rule uses all five units two or more coders covered
    assert stigma[1:3] == ["5", "2/2/0/1"]
    # mean pairwise agreement: (1 + 1/3 + 1 + 0 + 1) / 5 = 0.6666…: cut, not rounded
    assert stigma[header.index("% agr")] == "66.6%"
    assert "missing ratings: Gwet (2014), as irrCAC" in out
    assert "on Fleiss' κ" in out

    out = _agree(three, "--coders", "alice,bob,carol", "--complete-units").stdout
    header = _header(out)
    assert header[1:4] == ["units", "α units", "by 0/1/2/3"]
    stigma = _row(out, "Stigma")
    assert stigma[1:4] == ["3", "5", "1/1/0/1"]
    # mean pairwise agreement over notes only: (1 + 1/3 + 1) / 3 = 0.7777…
    assert stigma[header.index("% agr")] == "77.7%"
    pooled = _row(out, "overall (pooled, 2 codes)")
    assert pooled[1:3] == ["2×3", "2×5"]
    assert "unit: paragraph, 5 units (3 covered by all 3 coders)" in out
    assert "α units: paragraphs two or more covered" in out
    assert "missing ratings: complete units only (--complete-units)" in out


def test_character_unit_counts_only_paragraph_text(coded: Store) -> None:
    texts = [p.text for p in coded.paragraphs(1)]
    heading = coded.paragraphs(1)[0]
    coded.add_segment(coded.coder_id("alice"), heading.id, coded.code("stigma").id)
    [result] = compare(coded, ["alice", "bob"], unit="character", documents=["notes"],
                       codes=["stigma"])
    report = result.report
    assert report.n_units == sum(len(t) for t in texts[1:])
    counts = report.code("stigma").counts
    assert counts["both"] == len(texts[1]) and counts["only_a"] == len(texts[2])
    notes = dict(report.excluded)
    key = next(d for d in notes if d.startswith("characters of 1 heading paragraph"))
    assert notes[key] == len(texts[0]) and "1 coding(s) on headings ignored" in key
    [with_headings] = compare(coded, ["alice", "bob"], unit="character", documents=["notes"],
                              codes=["stigma"], include_headings=True)
    assert with_headings.report.n_units == sum(len(t) for t in texts)
    assert with_headings.report.code("stigma").counts["only_a"] == len(texts[2]) + len(texts[0])


def test_by_document_says_when_only_one_coder_covered_it(coded: Store) -> None:
    out = _agree(coded, "--coders", "alice,bob", "--by", "document").stdout
    assert ("Agreement of alice, bob — second: only alice has coded or finished this document:"
            " nothing to compare") in out
    assert out.count("┏") == 1
    data = json.loads(_agree(coded, "--coders", "alice,bob", "--by", "document", "--json").stdout)
    second = next(d for d in data if d["document"] == "second")
    assert second["covered_by"] == ["alice"] and "only alice" in second["note"]
    notes = next(d for d in data if d["document"] == "notes")
    assert notes["covered_by"] == ["alice", "bob"] and notes["note"] is None
    text = _agree(coded, "--coders", "alice,bob", "--by", "document", "--explain", "stigma").stdout
    assert "== second\nonly alice has coded or finished this document" in text


def test_explain_with_json_gives_the_working_as_json(coded: Store) -> None:
    data = json.loads(_agree(coded, "--coders", "alice,bob", "--explain", "stigma", "--json",
                             "--ci", "0.9").stdout)
    [result] = compare(coded, ["alice", "bob"], ci=0.9)
    code = result.report.code("stigma")
    assert data["code"] == "stigma" and data["counts"] == code.counts
    for key, metric in code.metrics.items():
        assert data["metrics"][key]["value"] == metric.value
        assert data["metrics"][key]["n_units"] == metric.n_units
    assert data["metrics"]["cohen_kappa"]["reading"].startswith("fair")
    assert any("p_A = 2/3" in line for line in data["metrics"]["cohen_kappa"]["working"])
    assert data["ci"]["interval"] == result.report.ci["codes"]["stigma"]
    assert data["pooled"] is True
    by_doc = json.loads(_agree(coded, "--coders", "alice,bob", "--explain", "stigma", "--json",
                               "--by", "document").stdout)
    assert [d["document"] for d in by_doc] == ["notes", "second"]
    assert by_doc[0]["counts"] == code.counts and "metrics" not in by_doc[1]


def test_negative_seed_is_refused(coded: Store) -> None:
    result = CliRunner().invoke(main, ["agree", "--coders", "alice,bob", "--ci", "0.9",
                                       "--seed", "-1", "--db", str(coded.path)])
    assert result.exit_code == 2 and "--seed" in result.stderr
    with pytest.raises(CoderError, match="seed must be a whole number"):
        compare(coded, ["alice", "bob"], ci=0.9, seed=-1)


def test_a_narrow_terminal_gets_a_compact_table_and_a_pipe_gets_every_column(
    coded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    import coder.cli.agree as agree_cli

    piped = _agree(coded, "--coders", "alice,bob", columns=80).output
    assert "Scott π" in _header(piped) and "κ reading" in _header(piped)
    assert max(len(line) for line in piped.splitlines()) > 80
    assert "narrow terminal" not in piped

    terminal = Console(force_terminal=True, width=80, record=True, highlight=False,
                       color_system=None)
    monkeypatch.setattr(agree_cli, "console", terminal)
    _agree(coded, "--coders", "alice,bob")
    shown = terminal.export_text()
    assert max(len(line) for line in shown.splitlines()) <= 80
    header = next(line for line in shown.splitlines() if line.lstrip().startswith("code"))
    assert header.split() == ["code", "units", "both/A/B/∅", "%", "agr", "Cohen", "κ", "Kripp.",
                              "α", "Gwet", "AC1", "α", "reading"]
    assert "narrow terminal (80 columns): Scott π, Fleiss κ, B-P, κ reading not shown" in (
        " ".join(shown.split()))
    stigma = next(line for line in shown.splitlines() if line.lstrip().startswith("Stigma"))
    piped_stigma = _row(piped, "Stigma")
    assert stigma.split()[1:5] == [piped_stigma[1], piped_stigma[2], piped_stigma[3],
                                   piped_stigma[4]]


@pytest.fixture
def partly(tmp_path: Path) -> Store:
    """'notes': alice read to ¶3 (her mark) and coded ¶2; bob coded ¶2 and ¶4 and marked it
    done. ¶4 is missing for alice, not absent."""
    store = make_project(tmp_path / "p.db")
    a, b = store.coder_id("alice"), store.coder_id("bob")
    p = store.paragraphs(1)
    stigma, leaving = store.code("stigma").id, store.code("leaving-care").id
    store.add_segment(a, p[1].id, stigma)
    store.add_segment(b, p[1].id, stigma)
    store.add_segment(b, p[3].id, leaving, 0, 5)
    store.raise_reading_mark(a, 1, 3)
    store.put_status(b, 1, "done")
    return store


def test_units_beyond_a_coders_reach_are_missing_not_absent(partly: Store) -> None:
    [result] = compare(partly, ["alice", "bob"], codes=["stigma", "leaving-care"])
    leaving = result.report.code("leaving-care")
    assert leaving.counts == {"both": 0, "only_a": 0, "only_b": 0, "neither": 2}
    assert result.report.n_units == 2
    assert [(u.coder, u.document, u.read_to, u.units) for u in result.unread] == [
        ("alice", "notes", 3, 1)]
    partly.raise_reading_mark(partly.coder_id("alice"), 1, 2)  # a lower mark changes nothing
    [again] = compare(partly, ["alice", "bob"], codes=["leaving-care"])
    assert again.report.n_units == 2
    partly.raise_reading_mark(partly.coder_id("alice"), 1, 4)
    [read] = compare(partly, ["alice", "bob"], codes=["leaving-care"])
    assert read.report.code("leaving-care").counts["only_b"] == 1 and not read.unread


def test_character_units_stop_where_a_coder_stopped_reading(partly: Store) -> None:
    [result] = compare(partly, ["alice", "bob"], unit="character", codes=["leaving-care"])
    p = partly.paragraphs(1)
    assert result.report.n_units == len(p[1].text) + len(p[2].text)
    assert result.report.code("leaving-care").counts["only_b"] == 0
    assert [(u.coder, u.units) for u in result.unread] == [("alice", len(p[3].text))]
    partly.raise_reading_mark(partly.coder_id("alice"), 1, 4)
    [read] = compare(partly, ["alice", "bob"], unit="character", codes=["leaving-care"])
    assert read.report.code("leaving-care").counts["only_b"] == 5


def test_cli_says_how_many_units_are_missing(partly: Store) -> None:
    out = _agree(partly, "--coders", "alice,bob").stdout
    assert "not read yet: 1 paragraph(s) by alice, missing (not absent) — notes read to ¶3, 1 beyond" \
        in " ".join(out.split())
    data = json.loads(_agree(partly, "--coders", "alice,bob", "--json").stdout)
    assert data["coverage"]["units_beyond_reach"] == {"alice": 1}
    assert data["coverage"]["partly_read"] == [
        {"coder": "alice", "document": "notes", "read_to": 3, "units": 1}]


def test_status_command_states_coverage(partly: Store) -> None:
    db = str(partly.path)
    run = CliRunner()
    shown = run.invoke(main, ["status", "notes", "--coder", "alice", "--db", db])
    assert shown.exit_code == 0 and shown.output == "notes: in progress, read to ¶3 of 4\n"
    done = run.invoke(main, ["status", "notes", "--coder", "alice", "--done", "--db", db])
    assert done.output == "alice: 1 document(s) done (1 changed)\n"
    assert run.invoke(main, ["status", "--all", "--coder", "alice", "--db", db]).output == (
        "notes: done, every paragraph counts\n")
    [result] = compare(partly, ["alice", "bob"], codes=["leaving-care"])
    assert result.report.code("leaving-care").counts["only_b"] == 1 and not result.unread
    both = run.invoke(main, ["status", "notes", "--all", "--coder", "alice", "--db", db])
    assert both.exit_code != 0 and "not both" in both.output
    nobody = run.invoke(main, ["status", "notes", "--coder", "zed", "--db", db])
    assert nobody.exit_code != 0 and "zed" in nobody.output
    back = run.invoke(main, ["status", "notes", "--coder", "alice", "--in-progress", "--db", db])
    assert back.exit_code == 0
    assert compare(partly, ["alice", "bob"])[0].unread


def test_codings_import_done_marks_the_files_documents(tmp_path: Path) -> None:
    store = make_project(tmp_path / "p.db")
    csv_file = tmp_path / "c.csv"
    csv_file.write_text("document,paragraph,coder,code\nnotes,2,carol,stigma\n")
    run = CliRunner()
    plain = run.invoke(main, ["codings", "import", str(csv_file), "--db", str(store.path)])
    assert plain.exit_code == 0
    carol = store.coder_id("carol")
    assert store.status(carol, 1) == "in progress"
    done = run.invoke(main, ["codings", "import", "--done", str(csv_file), "--db", str(store.path)])
    assert done.output.endswith("0 segment(s) added, 1 already there; its documents marked done"
                                " for its coders\n")
    assert store.status(carol, 1) == "done"
    assert store.status(store.coder_id("alice"), 1) == "not started"
