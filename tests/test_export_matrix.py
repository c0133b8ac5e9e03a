"""The 0/1 code matrix, read back with the csv module and checked against the coded_text view."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import make_project

from coder.cli import main
from coder.models import ParagraphIn, ParsedDocument
from coder.store import Store


@pytest.fixture
def project(tmp_path: Path) -> Path:
    store = make_project(tmp_path / "p.db")
    store.add_document("other", ParsedDocument("text", [ParagraphIn("One."), ParagraphIn("Two.")]),
                       source_path=None, content_hash="h-other")
    alice, bob = store.coder_id("alice"), store.coder_id("bob")
    p = {x.n: x.id for x in store.paragraphs(store.document("notes").id)}
    code = {c.key: c.id for c in store.codes()}
    store.add_segment(alice, p[2], code["stigma"])
    store.add_segment(alice, p[3], code["labels"], 0, 6)
    store.add_segment(alice, p[4], code["leaving-care"])
    store.add_segment(bob, p[3], code["stigma"])
    removed = store.add_segment(bob, p[4], code["labels"])
    store.remove_segment(bob, removed)
    store.set_status(bob, store.document("other").id, "done")
    store.close()
    return tmp_path / "p.db"


def _matrix(project: Path, *args: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(main, ["export", "matrix", "--db", str(project), *args])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_every_cell_is_what_the_coded_text_view_says(project: Path) -> None:
    rows = _matrix(project)
    conn = sqlite3.connect(project)
    coded = {(d, n, c, k) for d, n, c, k in conn.execute(
        "SELECT document, paragraph, coder, code_key FROM coded_text")}
    conn.close()
    assert {(r["document"], r["coder"]) for r in rows} == {
        ("notes", "alice"), ("notes", "bob"), ("other", "bob")}
    assert len(rows) == 4 + 4 + 2
    for r in rows:
        for key in ("stigma", "labels", "leaving-care"):
            expected = (r["document"], int(r["paragraph"]), r["coder"], key) in coded
            assert r[key] == ("1" if expected else "0"), (r, key)
    assert [r["kind"] for r in rows[:2]] == ["heading", "text"]
    assert rows[2]["speaker"] == "P2"


def test_with_subcodes_a_parent_counts_its_children(project: Path) -> None:
    plain = {(r["coder"], r["paragraph"]): r for r in _matrix(project, "--document", "notes")}
    rolled = {(r["coder"], r["paragraph"]): r
              for r in _matrix(project, "--document", "notes", "--with-subcodes")}
    assert plain[("alice", "3")]["stigma"] == "0" and plain[("alice", "3")]["labels"] == "1"
    assert rolled[("alice", "3")]["stigma"] == "1" and rolled[("alice", "3")]["labels"] == "1"
    for key, row in rolled.items():
        assert row["stigma"] == str(max(int(plain[key]["stigma"]), int(plain[key]["labels"])))


def test_filters_and_output_file(project: Path, tmp_path: Path) -> None:
    only = _matrix(project, "--coder", "bob", "--code", "leaving-care")
    assert list(only[0]) == ["document", "document_title", "paragraph", "kind", "speaker",
                             "coder", "leaving-care"]
    assert {r["coder"] for r in only} == {"bob"}
    out = tmp_path / "m.csv"
    runner = CliRunner()
    ok = runner.invoke(main, ["export", "matrix", "--db", str(project), "--out", str(out)])
    assert ok.exit_code == 0 and "10 row(s)" in ok.output
    assert runner.invoke(main, ["export", "matrix", "--db", str(project),
                                "--out", str(out)]).exit_code == 2
    wrong = runner.invoke(main, ["export", "matrix", "--db", str(project),
                                 "--out", str(tmp_path / "m.docx")])
    assert wrong.exit_code == 2 and not (tmp_path / "m.docx").exists()
    with Store(project) as store:
        assert store.coders() == ["alice", "bob"]
