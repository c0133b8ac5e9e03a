"""The CLI end to end, through click's runner: real files in, the project file checked after."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from coder.cli import main
from coder.store import Store

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
CODEBOOK = REPO / "codebooks" / "care-and-community.yaml"
WEST = SEEDS / "west-midlands-evidence-session-2021-03.txt"


def run(*args: str, db: Path | None = None) -> tuple[int, str, str]:
    runner = CliRunner(env={"COLUMNS": "200"})
    argv = list(args) + (["--db", str(db)] if db else [])
    result = runner.invoke(main, argv, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def snapshot(db: Path) -> list[tuple]:
    """Everything a user could lose, to prove a failed command changed nothing."""
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    rows = []
    for table in ("documents", "paragraphs", "codes", "coders", "segments"):
        rows += [(table, *r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY id")]
    conn.close()
    return rows


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "p.db"
    assert run("import", str(WEST), db=path)[0] == 0
    assert run("codebook", "use", str(CODEBOOK), db=path)[0] == 0
    return path


def test_import_reports_paragraphs_and_reimport_does_nothing(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    code, out, _ = run("import", str(WEST), db=db)
    assert code == 0
    assert "imported as 'west-midlands-evidence-session-2021-03'" in out
    before = snapshot(db)
    code, out, _ = run("import", str(WEST), db=db)
    assert code == 0 and "unchanged" in out
    assert snapshot(db) == before


def test_db_comes_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "env.db"
    monkeypatch.setenv("CODER_DB", str(db))
    assert run("import", str(WEST))[0] == 0
    assert [d.name for d in Store(db).documents()] == ["west-midlands-evidence-session-2021-03"]


def test_import_with_name(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    assert run("import", str(WEST), "--name", "wm", db=db)[0] == 0
    assert [d.name for d in Store(db).documents()] == ["wm"]


def test_show_prints_brackets_literally(db: Path) -> None:
    code, out, _ = run("show", "west", db=db)
    assert code == 0
    assert "[Spotlight Inquiry](#)" in out
    code, out, _ = run("show", "west", "--json", db=db)
    items = json.loads(out)
    assert items[2] == {
        "n": 3,
        "kind": "text",
        "speaker": None,
        "text": "The APPG held the first online evidence session of the [Spotlight Inquiry](#) in "
        "March, focussing on care and community connections in the West Midlands.",
    }
    assert {"n", "kind", "speaker", "text"} == set(items[0])


def test_documents_lists_coders_progress(db: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "c.csv"
    csv_file.write_text(
        "document,paragraph,coder,code\n"
        "west-midlands-evidence-session-2021-03,3,alice,stigma\n"
        "west-midlands-evidence-session-2021-03,4,alice,stigma\n"
    )
    assert run("codings", "import", str(csv_file), db=db)[0] == 0
    code, out, _ = run("documents", db=db)
    assert code == 0
    assert "west-midlands-evidence-session-2021-03" in out
    assert "in progress, 2 seg, 2/78" in out


def test_codebook_check_exit_codes(tmp_path: Path) -> None:
    code, out, _ = run("codebook", "check", str(CODEBOOK))
    assert code == 0 and "ok" in out
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\ncodes:\n  - key: a\n    name: A\n    descripton: typo\n")
    code, _, err = run("codebook", "check", str(broken))
    assert code == 1
    assert f"{broken}:5:5:" in err and "descripton" in err


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: d / "absent.txt", "absent.txt"),
        (lambda d: d, "directory"),
        (lambda d: _write(d / "empty.txt", b""), "empty"),
        (lambda d: _write(d / "blob.txt", b"\x00\x01\x02binary\x00" * 50), "binary"),
        (lambda d: _write(d / "scan.pdf", b"%PDF-1.4 something"), "pdf"),
    ],
)
def test_import_errors_are_one_line_exit_2_and_change_nothing(
    db: Path, tmp_path: Path, make, message: str
) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    bad = make(folder)
    before = snapshot(db)
    code, out, err = run("import", str(bad), db=db)
    assert code == 2
    assert message.lower() in err.lower() and str(bad) in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert snapshot(db) == before


def test_a_batch_imports_its_good_files_and_names_each_bad_one(db: Path, tmp_path: Path) -> None:
    good = _write(tmp_path / "notes.txt", b"First paragraph.\n\nSecond paragraph.\n")
    empty = _write(tmp_path / "empty.txt", b"")
    scan = _write(tmp_path / "scan.pdf", b"%PDF-1.4 something")
    code, out, err = run("import", str(scan), str(WEST), str(good), str(empty), db=db)
    assert code == 2 and "Traceback" not in err
    assert "notes.txt: imported as 'notes'" in out and "unchanged" in out
    lines = err.splitlines()
    assert len(lines) == 3
    assert str(scan) in lines[0] and ".pdf" in lines[0]
    assert str(empty) in lines[1] and "empty" in lines[1]
    assert "2 of 4 file(s) not imported" in lines[2]
    assert [d.name for d in Store(db).documents()] == [
        "west-midlands-evidence-session-2021-03", "notes"]


def test_a_batch_of_bad_files_leaves_no_new_project_behind(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    empty = _write(tmp_path / "empty.txt", b"")
    code, _, err = run("import", str(empty), str(tmp_path / "absent.txt"), db=db)
    assert code == 2 and "2 of 2 file(s) not imported" in err
    assert not db.exists()


def test_cp1252_file_imports_with_a_warning(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    path = _write(tmp_path / "old.txt", "Caf\xe9 notes \u2013 first.\n\nSecond paragraph.\n".encode("cp1252"))
    code, out, _ = run("import", str(path), db=db)
    assert code == 0 and "warning" in out.lower()
    assert Store(db).paragraphs(1)[0].text.startswith("Café notes – first.")


def test_broken_codebook_is_refused_and_changes_nothing(db: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\ncodes:\n  - key: a\n    name: [oops\n")
    before = snapshot(db)
    code, _, err = run("codebook", "use", str(broken), db=db)
    assert code != 0 and "broken.yaml:5:1: YAML syntax" in err and "Traceback" not in err
    assert snapshot(db) == before


def test_codebook_use_refuses_to_drop_used_code(db: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "c.csv"
    csv_file.write_text("document,paragraph,coder,code\nwest-midlands-evidence-session-2021-03,3,alice,stigma\n")
    assert run("codings", "import", str(csv_file), db=db)[0] == 0
    small = tmp_path / "small.yaml"
    small.write_text("name: small\ncodes:\n  - key: other\n    name: Other\n")
    before = snapshot(db)
    code, _, err = run("codebook", "use", str(small), db=db)
    assert code == 2 and "'Stigma' (stigma) is used by 1 segment" in err
    assert snapshot(db) == before


def test_commands_on_a_missing_project_say_so(tmp_path: Path) -> None:
    db = tmp_path / "none.db"
    for args in (["documents"], ["show", "x"], ["codings", "import", "x.csv"]):
        code, _, err = run(*args, db=db)
        assert code == 2 and "no project file" in err
    assert not db.exists()


def test_wrong_arguments_are_usage_errors(db: Path) -> None:
    code, _, err = run("show", db=db)
    assert code == 2 and "Missing argument" in err
    code, _, err = run("show", "nonexistent-doc", db=db)
    assert code == 2 and "no document 'nonexistent-doc'" in err
    code, _, err = run("import", str(WEST), "--format", "pdf", db=db)
    assert code == 2 and "Invalid value" in err


def test_bad_codings_csv_exits_2_naming_lines(db: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "c.csv"
    csv_file.write_text("document,paragraph,coder,code\nwest-midlands-evidence-session-2021-03,999,a,stigma\n")
    before = snapshot(db)
    code, _, err = run("codings", "import", str(csv_file), db=db)
    assert code == 2 and f"{csv_file}:2: paragraph 999 is out of range" in err
    assert snapshot(db) == before


def test_demo_sets_up_all_seeds_without_the_app(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    code, out, _ = run("demo", "--no-app", "--db", str(db))
    assert code == 0
    store = Store(db)
    assert len(store.documents()) == 5
    assert len(store.codes()) >= 12
    code, out, _ = run("demo", "--no-app", "--db", str(db))
    assert code == 0 and out.count("unchanged") == 5


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_damaged_or_foreign_project_file_is_one_line_not_a_traceback(
    db: Path, tmp_path: Path
) -> None:
    damaged = tmp_path / "damaged.db"
    data = bytearray(db.read_bytes())
    data[8192:40960] = bytes(range(256)) * 128
    damaged.write_bytes(bytes(data))
    for args in (["documents"], ["show", "west"], ["export", "segments", "--format", "csv"]):
        result = CliRunner().invoke(main, [*args, "--db", str(damaged)])
        assert result.exit_code == 2, (args, result.output)
        assert result.output.count("\n") == 1 and "damaged.db" in result.output
        assert "Traceback" not in result.output and "coder restore" in result.output
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE measurements (x)")
    conn.commit()
    conn.close()
    before = foreign.read_bytes()
    code, _, err = run("documents", db=foreign)
    assert code == 2 and "not a coder project" in err and "measurements" in err
    assert foreign.read_bytes() == before


def test_show_makes_control_characters_visible_and_json_keeps_them(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    src = tmp_path / "esc.txt"
    src.write_text("Plain [bold] text, long enough to read as a transcript paragraph.\n\n"
                   "An \x1b[31mescape\x1b[0m and a bell\x07.\n", encoding="utf-8")
    assert run("import", str(src), db=db)[0] == 0
    code, out, _ = run("show", "esc", db=db)
    assert code == 0 and "\x1b" not in out
    assert "An \u241b[31mescape\u241b[0m and a bell\u2407." in out
    assert "Plain [bold] text, long" in out
    items = json.loads(run("show", "esc", "--json", db=db)[1])
    assert items[1]["text"] == "An \x1b[31mescape\x1b[0m and a bell\x07."


def test_a_command_that_fails_on_a_new_project_file_leaves_no_file(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    code, _, err = run("import", str(tmp_path / "missing.txt"), db=db)
    assert code == 2 and "missing.txt" in err
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\ncodes:\n  - key: a\n    nme: b\n")
    assert run("codebook", "use", str(broken), db=db)[0] == 2
    assert list(tmp_path.glob("new.db*")) == []
    assert run("import", str(WEST), db=db)[0] == 0
    assert run("import", str(tmp_path / "missing.txt"), db=db)[0] == 2
    assert db.exists()  # an existing project is never removed


def test_documents_lists_whole_names_in_a_narrow_terminal(db: Path) -> None:
    result = CliRunner(env={"COLUMNS": "60"}).invoke(main, ["documents", "--db", str(db)])
    assert result.exit_code == 0
    cells = "".join(line.split("│")[1].strip() for line in result.output.splitlines()
                    if line.startswith("│"))
    assert "west-midlands-evidence-session-2021-03" in cells


def test_piped_tables_are_not_cut_at_80_columns(db: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    out = subprocess.run([sys.executable, "-m", "coder", "documents", "--db", str(db)],
                         capture_output=True, text=True, env=env, check=True).stdout
    [row] = [line for line in out.splitlines() if "west-midlands" in line]
    assert "west-midlands-evidence-session-2021-03" in row
    assert "West Midlands evidence session notes" in row


def test_a_coder_name_differing_only_in_case_is_refused_before_the_app(db: Path) -> None:
    with Store(db) as store:
        store.coder_id("alice")
    code, _, err = run("code", "--coder", "Alice", db=db)
    assert code == 2 and "there is a coder 'alice'" in err and "case-sensitive" in err
    code, _, err = run("code", "nosuchdoc", "--coder", "alice", db=db)
    assert code == 2 and "nosuchdoc" in err
    with Store(db) as store:
        assert store.coders() == ["alice"]


def test_the_name_a_review_writes_to_is_refused_as_a_coder(db: Path) -> None:
    code, _, err = run("code", "--coder", "Consensus", db=db)
    assert code == 2 and "'consensus' is the name a review writes its decisions to" in err
    with Store(db) as store:
        assert store.coders() == []
