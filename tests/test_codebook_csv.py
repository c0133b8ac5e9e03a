"""The codebook as CSV in Taguette's layout: what coder writes is what Taguette's importer
takes (one of tag/name/path, then description), and what Taguette writes loads back without
renaming or wiping anything."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_export_fixture import build_project

from coder.cli import main
from coder.errors import CoderError
from coder.export.refi_import import qdc_to_yaml
from coder.project import use_codebook
from coder.store import Store


def _fields(store: Store) -> list[tuple]:
    return [(c.key, c.name, c.path, c.color, c.shortcut, c.definition, c.when_to_use,
             c.when_not_to_use, c.example) for c in store.codes()]


def _export(db: Path, out: Path) -> str:
    result = CliRunner().invoke(main, ["codebook", "export", "--out", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return result.output


def test_export_is_what_taguettes_importer_reads(tmp_path: Path) -> None:
    store = build_project(tmp_path / "p.db")
    _export(store.path, tmp_path / "book.csv")
    with open(tmp_path / "book.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = [h.lower() for h in rows[0]]
    assert sum(h in header for h in ("tag", "name", "path")) == 1  # Taguette refuses two
    tag, description = header.index("tag"), header.index("description")
    assert [(r[tag], r[description]) for r in rows[1:]] == [
        (c.path, c.definition) for c in store.codes()]
    store.close()


def test_round_trip_changes_nothing(tmp_path: Path) -> None:
    store = build_project(tmp_path / "p.db")
    before = _fields(store)
    _export(store.path, tmp_path / "book.csv")
    report = use_codebook(store, tmp_path / "book.csv")
    assert not any(report.get(k) for k in ("added", "renamed", "retired", "changed", "merged"))
    assert _fields(store) == before
    store.close()


def test_a_taguette_codebook_keeps_keys_and_what_it_lacks(tmp_path: Path) -> None:
    store = build_project(tmp_path / "p.db")
    before = {c.key: c for c in store.codes()}
    stigma = before["stigma"]
    path = tmp_path / "taguette.csv"
    rows = [(c.path, "Judged for being in care" if c.key == "stigma" else c.definition)
            for c in before.values()] + [("Brand new", "")]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["tag", "description", "number of highlights", "number of documents"])
        writer.writerows([(tag, description, 3, 1) for tag, description in rows])
    use_codebook(store, path)
    after = {c.key: c for c in store.codes()}
    assert after["stigma"].definition == "Judged for being in care"
    assert after["stigma"].when_to_use == stigma.when_to_use and stigma.when_to_use
    assert after["stigma"].color == stigma.color
    assert after["brand-new"].name == "Brand new"
    store.close()


@pytest.mark.parametrize("text, message, line", [
    ("code,description\r\nA,x\r\n", "no 'tag', 'name' or 'path' column", 1),
    ("tag,name\r\nA,B\r\n", "'tag', 'name' both name the code", 1),
    ("tag,description\r\nA,x\r\n/B,y\r\n", "empty code name", 3),
    ("tag,description\r\nA,x\r\nA,y\r\n", "listed twice", 3),
    ("tag,color\r\nA,#fff\r\nB,blurple\r\n", "is not a colour", 3),
])
def test_bad_csv_names_file_and_line_and_changes_nothing(tmp_path: Path, text: str, message: str,
                                                         line: int) -> None:
    store = build_project(tmp_path / "p.db")
    before = _fields(store)
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CoderError) as info:
        use_codebook(store, path)
    assert message in str(info.value) and f"bad.csv:{line}" in str(info.value)
    assert _fields(store) == before
    store.close()


def test_qdc_colour_alpha_is_noted(tmp_path: Path) -> None:
    qdc = tmp_path / "a.qdc"
    qdc.write_text('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
                   '<Codes><Code guid="C1A4E3B2-77D0-5F1E-8B6A-9D2C4E5F6A78" name="Stigma" '
                   'isCodable="true" color="#D6272880"/></Codes></CodeBook>', encoding="utf-8")
    text, report = qdc_to_yaml(qdc)
    assert "#d62728" in text
    assert any("alpha" in n and "Stigma (#D6272880)" in n for n in report.notes)
