"""Document titles: found on import, set by the user, kept across a corrected re-import, and
what write-ups cite."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import docx
from click.testing import CliRunner

from coder.cli import main
from coder.ingest import read_document
from coder.store import Store

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
WEST = SEEDS / "west-midlands-evidence-session-2021-03.txt"
BLOG = SEEDS / "care-leavers-plymouth-blog.txt"


def run(*args: str, db: Path) -> tuple[int, str, str]:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        main, [*args, "--db", str(db)], catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def test_a_heading_at_the_top_is_the_title_and_one_further_down_is_not(tmp_path: Path) -> None:
    assert read_document(WEST).meta["title"] == "West Midlands evidence session notes"
    assert "title" not in read_document(BLOG).meta
    late = tmp_path / "late.md"
    late.write_text("Intro one.\n\nIntro two.\n\nIntro three.\n\n# Section\n\nBody.\n")
    assert "title" not in read_document(late).meta
    long = tmp_path / "long.md"
    long.write_text("# " + "word " * 40 + "\n\nBody.\n")
    assert "title" not in read_document(long).meta


def test_a_word_documents_own_title_wins(tmp_path: Path) -> None:
    d = docx.Document()
    d.core_properties.title = "Focus group 3 [pilot]"
    d.add_heading("Transcript", level=1)
    d.add_paragraph("P1: We talked.")
    path = tmp_path / "fg3.docx"
    d.save(str(path))
    assert read_document(path).meta["title"] == "Focus group 3 [pilot]"


def test_title_command_shows_sets_and_reimport_keeps_it(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    assert run("import", str(BLOG), db=db)[0] == 0
    assert run("title", "care-leavers", db=db)[1].strip() == "Care leavers plymouth blog"
    code, out, _ = run("title", "care-leavers", "Blog:  meeting care leavers in Plymouth", db=db)
    assert code == 0 and "'Blog: meeting care leavers in Plymouth'" in out
    corrected = tmp_path / "blog-v2.txt"
    corrected.write_text(BLOG.read_text(encoding="utf-8").replace("Plymouth", "Plymouth, Devon",
                                                                   1), encoding="utf-8")
    assert run("import", str(corrected), "--replace", "care-leavers", db=db)[0] == 0
    with Store(db) as store:
        assert store.document("care-leavers-plymouth-blog").title == (
            "Blog: meeting care leavers in Plymouth")
        assert any(e["kind"] == "document title" for e in store.events())
    code, _, err = run("title", "care-leavers", "   ", db=db)
    assert code == 2 and "empty" in err


def test_import_title_option_and_its_limits(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    assert run("import", str(WEST), "--title", "WM session", db=db)[0] == 0
    code, _, err = run("import", str(BLOG), str(SEEDS / "care-review-newsletter-2021-09.txt"),
                       "--title", "x", db=db)
    assert code == 2 and "one file at a time" in err
    with Store(db) as store:
        assert [d.title for d in store.documents()] == ["WM session"]
    code, out, _ = run("documents", db=db)
    assert "WM session" in out


def test_reports_and_csv_cite_the_title(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    assert run("import", str(WEST), db=db)[0] == 0
    codes = tmp_path / "codes.yaml"
    codes.write_text("name: T\ncodes:\n  - key: stigma\n    name: Stigma\n")
    assert run("codebook", "use", str(codes), db=db)[0] == 0
    rows = tmp_path / "c.csv"
    rows.write_text("document,paragraph,coder,code\n"
                    "west-midlands-evidence-session-2021-03,3,alice,stigma\n")
    assert run("codings", "import", str(rows), db=db)[0] == 0
    code, out, _ = run("export", "segments", "--format", "md", db=db)
    assert code == 0
    assert "(West Midlands evidence session notes, para 3)" in out
    code, out, _ = run("export", "segments", "--format", "csv", db=db)
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert row["document"] == "west-midlands-evidence-session-2021-03"
    assert row["document_title"] == "West Midlands evidence session notes"
