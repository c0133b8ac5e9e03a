"""Segments as CSV and JSON lines, read back with the csv and json modules."""

from __future__ import annotations

import csv
import io
import json
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
