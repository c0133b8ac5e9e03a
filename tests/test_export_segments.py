"""Segments as CSV and JSON lines, read back with the csv and json modules."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_export_fixture import build_project

from coder.cli import main
from coder.errors import CoderError
from coder.export.atomic import atomic_path
from coder.export.scope import select
from coder.export.segments import segments_csv, segments_jsonl
from coder.models import ParagraphIn, ParsedDocument
from coder.store import Store


@pytest.fixture
def project(tmp_path: Path) -> Store:
    store = build_project(tmp_path / "p.db")
    yield store
    store.close()


def _db_rows(store: Store, **filters) -> list[tuple]:
    paths = {c.key: c.path for c in store.codes()}
    return [
        (r.document, str(r.n), r.speaker or "", r.coder, r.code_key, paths[r.code_key],
         "" if r.start is None else str(r.start), "" if r.end is None else str(r.end),
         r.quote, r.memo or "")
        for r in store.segment_rows(**filters)
    ]


def _csv_rows(data: bytes) -> list[tuple]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return [
        (r["document"], r["paragraph"], r["speaker"], r["coder"], r["code_key"], r["code_path"],
         r["start"], r["end"], r["quote"], r["memo"])
        for r in reader
    ]


def test_csv_rows_match_the_database_exactly(project: Store) -> None:
    data = segments_csv(select(project))
    rows = _csv_rows(data)
    assert rows == _db_rows(project)
    assert any("\n" in r[8] for r in rows)
    assert any(r[8] == "[Spotlight Inquiry]" for r in rows)
    assert any(r[5] == "Stigma/Labels/Media images" for r in rows)
    assert not data.startswith(b"\xef\xbb\xbf")


def test_csv_bom_for_excel(project: Store) -> None:
    data = segments_csv(select(project), bom=True)
    assert data.startswith(b"\xef\xbb\xbf")
    assert _csv_rows(data) == _db_rows(project)


def test_jsonl_one_object_per_segment(project: Store) -> None:
    doc = project.add_document(
        "odd", ParsedDocument("text", [ParagraphIn("before\u2028after\x85end")]),
        source_path=None, content_hash="odd")
    para = project.paragraphs(doc.id)[0]
    project.add_segment(project.coder_id("alice"), para.id, project.code("stigma").id)
    text = segments_jsonl(select(project)).decode("utf-8")
    lines = text.splitlines()  # splits on U+2028 too: must not break records
    records = [json.loads(line) for line in lines]
    rows = project.segment_rows()
    assert len(records) == len(rows)
    for rec, row in zip(records, rows):
        assert rec["quote"] == row.quote
        assert (rec["start"], rec["end"]) == (row.start, row.end)
        assert rec["memo"] == row.memo
        assert rec["segment_guid"] == row.guid
    assert records[-1]["quote"] == "before\u2028after\x85end"


def test_code_filter_includes_children(project: Store) -> None:
    keys = {r.code_key for r in select(project, codes=["stigma"]).rows}
    assert keys == {"stigma", "labels", "media"}
    assert {r.code_key for r in select(project, codes=["Labels"]).rows} == {"labels", "media"}


def test_other_filters(project: Store) -> None:
    assert {r.coder for r in select(project, coders=["bob"]).rows} == {"bob"}
    assert {r.document for r in select(project, document="Focus").rows} == {"Focus group 2"}
    assert {r.speaker for r in select(project, speaker="P2").rows} == {"P2"}
    with pytest.raises(CoderError, match="no coder"):
        select(project, coders=["nobody"])
    with pytest.raises(CoderError, match="no code"):
        select(project, codes=["nothing-like-this"])


def test_cli_csv_to_stdout_and_file(project: Store, tmp_path: Path) -> None:
    db = str(project.path)
    runner = CliRunner()
    result = runner.invoke(main, ["export", "segments", "--db", db, "--code", "stigma"])
    assert result.exit_code == 0, result.output
    assert _csv_rows(result.stdout_bytes) == _db_rows(project, code_keys=["stigma", "labels", "media"])

    out = tmp_path / "seg.jsonl"
    result = runner.invoke(main, ["export", "segments", "--db", db, "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["quote"] for r in records] == [r.quote for r in project.segment_rows()]


def test_never_overwrites_without_force(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "seg.csv"
    out.write_text("precious", encoding="utf-8")
    runner = CliRunner()
    args = ["export", "segments", "--db", str(project.path), "--out", str(out)]
    result = runner.invoke(main, args)
    assert result.exit_code != 0
    assert "--force" in result.output
    assert out.read_text(encoding="utf-8") == "precious"
    result = runner.invoke(main, args + ["--force"])
    assert result.exit_code == 0, result.output
    assert _csv_rows(out.read_bytes()) == _db_rows(project)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_refuses_to_write_over_the_project(project: Store) -> None:
    before = project.path.read_bytes()
    result = CliRunner().invoke(main, ["export", "segments", "--db", str(project.path),
                                       "--out", str(project.path), "--force"])
    assert result.exit_code != 0
    assert "project file itself" in result.output
    assert project.path.read_bytes() == before


def test_docx_needs_out(project: Store) -> None:
    result = CliRunner().invoke(main, ["export", "segments", "--db", str(project.path),
                                       "--format", "docx"])
    assert result.exit_code != 0
    assert "--out" in result.output


def test_interrupted_write_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half a rep", encoding="utf-8")
        raise RuntimeError("crash")
    assert list(tmp_path.iterdir()) == []


def test_existing_file_is_kept_when_write_fails(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target, force=True) as tmp:
        tmp.write_text("new but broken", encoding="utf-8")
        raise RuntimeError("crash")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


@pytest.mark.parametrize("filters", [
    {}, {"codes": ["stigma"]}, {"coders": ["bob"]}, {"document": "Focus"}, {"speaker": "P2"},
    {"codes": ["labels"], "coders": ["alice"], "document": "West"},
])
def test_fast_records_are_the_same_segments(project: Store, filters: dict) -> None:
    fast = select(project, as_records=True, **filters)
    full = select(project, **filters)
    assert fast.size == full.size > 0
    assert segments_csv(fast) == segments_csv(full)
    assert segments_jsonl(fast) == segments_jsonl(full)


def _add_paragraphs(store: Store, texts: list[str], speaker: str | None = None) -> list[int]:
    doc = store.add_document("risky", ParsedDocument("text", [ParagraphIn(t, speaker=speaker)
                                                              for t in texts]),
                             source_path=None, content_hash="risky-" + "|".join(texts))
    return [p.id for p in store.paragraphs(doc.id)]


def test_excel_safe_guards_formula_cells_and_only_them(project: Store, tmp_path: Path) -> None:
    risky = ["- and then nothing", "=SUM(A1:A9)", "+44 7700 900123", "@council said no"]
    ids = _add_paragraphs(project, risky, speaker="-P9")
    alice, stigma = project.coder_id("alice"), project.code("stigma").id
    for pid in ids:
        project.add_segment(alice, pid, stigma, memo="=HYPERLINK(\"x\")")
    db = str(project.path)
    runner = CliRunner()
    exact = runner.invoke(main, ["export", "segments", "--db", db])
    assert exact.exit_code == 0, exact.output
    assert _csv_rows(exact.stdout_bytes) == _db_rows(project)  # exact text by default

    out = tmp_path / "excel.csv"
    safe = runner.invoke(main, ["export", "segments", "--db", db, "--out", str(out),
                                "--excel-safe", "--bom"])
    assert safe.exit_code == 0, safe.output
    expected = [tuple("'" + v if v[:1] in "=+-@" and v else v for v in row)
                for row in _db_rows(project)]
    got = _csv_rows(out.read_bytes())
    assert got == expected
    quotes = [r[8] for r in got]
    assert all("'" + t in quotes for t in risky)
    assert "'-P9" in {r[2] for r in got}
    assert any(q == '"care"' for q in quotes)  # ordinary cells untouched

    help_text = runner.invoke(main, ["export", "segments", "--help"]).output
    assert "formula" in help_text and "--excel-safe" in help_text
    refused = runner.invoke(main, ["export", "segments", "--db", db, "--format", "jsonl",
                                   "--excel-safe"])
    assert refused.exit_code == 2 and "--excel-safe" in refused.output


def test_unknown_speaker_is_refused_with_the_known_ones(project: Store) -> None:
    db = str(project.path)
    runner = CliRunner()
    result = runner.invoke(main, ["export", "segments", "--db", db, "--speaker", "P7"])
    assert result.exit_code == 2
    assert "no speaker 'P7'" in result.output
    for name in ("Facilitator", "P1", "P2", "P3"):
        assert name in result.output
    in_doc = runner.invoke(main, ["export", "segments", "--db", db, "--speaker", "P3",
                                  "--document", "Focus"])
    assert in_doc.exit_code == 2 and "in Focus group 2" in in_doc.output
    assert "P3" not in in_doc.output.split("speakers:")[1]

    folded = runner.invoke(main, ["export", "segments", "--db", db, "--speaker", " facilitator"])
    assert folded.exit_code == 0, folded.output
    assert _csv_rows(folded.stdout_bytes) == _db_rows(project, speaker="Facilitator") != []


def test_ambiguous_speaker_case_needs_the_exact_name(project: Store) -> None:
    _add_paragraphs(project, ["one", "two"], speaker="p2")
    with pytest.raises(CoderError, match="ambiguous"):
        select(project, speaker=" P2")
    assert {r.speaker for r in select(project, speaker="P2").rows} == {"P2"}
    assert select(project, speaker="p2").rows == []  # exact spelling wins; p2 has no codings


@pytest.mark.parametrize("args, message", [
    (["--format", "csv", "--out", "x.docx"], "ends in .docx but --format is csv"),
    (["--out", "x.zip"], ".zip is not one of"),
    (["--out", "segments"], "no suffix"),
])
def test_out_name_must_agree_with_the_format(project: Store, tmp_path: Path, args: list[str],
                                             message: str) -> None:
    args = [a if not a.startswith(("x.", "segments")) else str(tmp_path / a) for a in args]
    result = CliRunner().invoke(main, ["export", "segments", "--db", str(project.path), *args])
    assert result.exit_code == 2 and message in result.output
    assert not any(p.name.startswith(("x", "segments")) for p in tmp_path.iterdir())


def test_explicit_format_with_an_unlisted_suffix_is_allowed(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "segments.txt"
    result = CliRunner().invoke(main, ["export", "segments", "--db", str(project.path),
                                       "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _csv_rows(out.read_bytes()) == _db_rows(project)


def test_a_killed_export_leaves_no_temp_file_after_the_next_one(project: Store,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "seg.csv"
    script = ("import sys, time\n"
              "from pathlib import Path\n"
              "from coder.export.atomic import atomic_path\n"
              "with atomic_path(Path(sys.argv[1])) as tmp:\n"
              "    tmp.write_text('half a file')\n"
              "    print(tmp, flush=True)\n"
              "    time.sleep(60)\n")
    child = subprocess.Popen([sys.executable, "-c", script, str(out)], stdout=subprocess.PIPE,
                             text=True)
    left = Path(child.stdout.readline().strip())
    assert left.exists() and left.parent == tmp_path
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    assert left.exists() and not out.exists()  # what SIGKILL leaves behind
    busy = tmp_path / f".seg.csv.{os.getpid()}.busy1234.tmp"  # a live export's file
    other = tmp_path / ".seg.csv.notours.tmp"
    busy.write_text("x")
    other.write_text("x")
    result = CliRunner().invoke(main, ["export", "segments", "--db", str(project.path),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not left.exists()
    assert busy.exists() and other.exists()
    assert _csv_rows(out.read_bytes()) == _db_rows(project)
