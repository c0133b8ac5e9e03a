"""Where output goes (issue 12): an export never replaces a link or a device, a folder that
cannot be written or a full standard output is one line and the right exit code, and names
that Excel would run as formulas or that could not be typed back are handled."""

from __future__ import annotations

import csv
import io
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import make_project

from coder.cli import main
from coder.errors import CoderError
from coder.export import refi
from coder.merge import merge_project
from coder.store import Store
from coder.text import coder_name_problem

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path) -> Path:
    db = tmp_path / "p.db"
    with make_project(db) as store:
        alice = store.coder_id("alice")
        store.toggle_segment(alice, store.paragraphs(1)[2].id, store.code("stigma").id)
    return db


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


# Every command that takes --out FILE --force, with the name of the file it writes there.
EXPORTS = [
    (["export", "segments", "--format", "csv"], "out.csv", "out.csv"),
    (["export", "segments", "--format", "md"], "out.md", "out.md"),
    (["export", "segments", "--format", "docx"], "out.docx", "out.docx"),
    (["export", "matrix"], "out.csv", "out.csv"),
    (["stats"], "out.csv", "out-frequencies.csv"),
    (["codebook", "export", "--format", "md"], "out.md", "out.md"),
    (["codebook", "export", "--format", "csv"], "out.csv", "out.csv"),
    (["codebook", "export", "--format", "qdc"], "out.qdc", "out.qdc"),
    (["export", "qdpx"], "out.qdpx", "out.qdpx"),
]


@pytest.mark.parametrize("command,out,written", EXPORTS, ids=lambda v: " ".join(v)
                         if isinstance(v, list) else None)
def test_no_export_replaces_a_link_even_with_force(project: Path, tmp_path: Path,
                                                   command: list[str], out: str,
                                                   written: str) -> None:
    kept = tmp_path / "kept.txt"
    kept.write_text("the user's own file\n")
    (tmp_path / written).symlink_to(kept)
    code, output = run(*command, "--out", str(tmp_path / out), "--force", "--db", str(project))
    assert code == 2, output
    assert "is a link; coder never replaces a link" in output
    assert output.count("\n") == 1 and "Traceback" not in output
    assert (tmp_path / written).is_symlink()
    assert os.readlink(tmp_path / written) == str(kept)
    assert kept.read_text() == "the user's own file\n"


@pytest.mark.parametrize("command,out,written", EXPORTS, ids=lambda v: " ".join(v)
                         if isinstance(v, list) else None)
def test_no_export_replaces_a_device_or_pipe_even_with_force(project: Path, tmp_path: Path,
                                                              command: list[str], out: str,
                                                              written: str) -> None:
    os.mkfifo(tmp_path / written)
    code, output = run(*command, "--out", str(tmp_path / out), "--force", "--db", str(project))
    assert code == 2, output
    assert "is a device or another special file" in output
    assert (tmp_path / written).is_fifo()


@pytest.mark.skipif(not Path("/dev/null").is_char_device(), reason="needs /dev/null")
def test_dev_null_is_not_replaced(project: Path) -> None:
    before = os.stat("/dev/null")
    code, output = run("export", "segments", "--format", "csv", "--out", "/dev/null",
                       "--force", "--db", str(project))
    assert code == 2 and "/dev/null: is a device" in output
    after = os.stat("/dev/null")
    assert after.st_ino == before.st_ino and Path("/dev/null").is_char_device()


def test_refi_import_of_a_qdc_onto_a_link_is_refused(project: Path, tmp_path: Path) -> None:
    with Store(project) as store:
        refi.codebook_qdc(store, tmp_path / "book.qdc")
    kept = tmp_path / "kept.yaml"
    kept.write_text("mine\n")
    (tmp_path / "book.yaml").symlink_to(kept)
    code, output = run("refi", "import", str(tmp_path / "book.qdc"), "--out",
                       str(tmp_path / "book.yaml"), "--force", "--db", str(project))
    assert code == 2 and "is a link" in output
    assert kept.read_text() == "mine\n"


def _unwritable_folder(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    if not Path("/sys").is_dir() or os.access("/sys", os.W_OK) and _can_create("/sys"):
        pytest.skip("no folder that root cannot write to")
    return Path("/sys")


def _can_create(folder: str) -> bool:
    try:
        Path(folder, ".coder-probe").touch()
    except OSError:
        return False
    Path(folder, ".coder-probe").unlink()
    return True


@pytest.mark.parametrize("command,out", [
    (["export", "segments"], "x.csv"), (["export", "segments"], "x.docx"),
    (["export", "qdpx"], "x.qdpx"), (["codebook", "export"], "x.md"), (["stats"], "x.csv"),
    (["stats"], "folder"),
])
def test_exporting_into_a_folder_that_cannot_be_written_is_one_line(
        project: Path, tmp_path: Path, command: list[str], out: str) -> None:
    folder = _unwritable_folder(tmp_path)
    try:
        result = CliRunner().invoke(main, [*command, "--out", str(folder / out),
                                           "--db", str(project)])
    finally:
        if folder != Path("/sys"):
            folder.chmod(0o755)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"Error: {folder / Path(out).stem}")
    assert "cannot be written to" in last or "cannot be made" in last


def _coder(*args: str, stdout: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "coder", *args], stdout=stdout,  # type: ignore[arg-type]
                          stderr=subprocess.PIPE, cwd=REPO, timeout=120)


full = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")


@full
@pytest.mark.parametrize("command", [["show", "notes"], ["documents"], ["export", "segments"],
                                     ["stats"]])
def test_a_full_standard_output_is_one_line_and_exit_1(project: Path,
                                                        command: list[str]) -> None:
    with open("/dev/full", "wb") as sink:
        done = _coder(*command, "--db", str(project), stdout=sink)
    err = done.stderr.decode()
    assert done.returncode == 1, err
    assert err == "Error: cannot write to standard output (No space left on device)\n"


@full
def test_refi_import_exits_0_when_it_committed_even_if_its_report_cannot_be_printed(
        project: Path, tmp_path: Path) -> None:
    qdpx = tmp_path / "p.qdpx"
    with Store(project) as store:
        refi.project_qdpx(store, qdpx)
    fresh = tmp_path / "fresh.db"
    with open("/dev/full", "wb") as sink:
        done = _coder("refi", "import", str(qdpx), "--db", str(fresh), stdout=sink)
    err = done.stderr.decode()
    assert done.returncode == 0, err
    assert "Traceback" not in err and err.count("\n") == 1
    assert f"the change to {fresh} is saved" in err
    with Store(fresh) as store:  # and it really was committed
        assert [r.coder for r in store.segment_rows()] == ["alice"]


def test_a_closed_pipe_ends_quietly(project: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "coder", "show", "notes", "--db",
                             str(project)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=REPO)
    assert proc.stdout is not None
    proc.stdout.close()  # as `| head -0` would
    _, err = proc.communicate(timeout=120)
    assert b"Traceback" not in err


# --- Excel and coder names --------------------------------------------------------------

def test_export_matrix_excel_safe_prefixes_formula_like_cells(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    with make_project(db) as store:
        store.set_document_title(store.document("notes").id, "=HYPERLINK(\"http://x\")")
        for name in ("=1+1", "@SUM(A1)", "-2", "+3", "plain"):
            store.toggle_segment(store.coder_id(name), store.paragraphs(1)[1].id,
                                 store.code("stigma").id)
    plain = CliRunner().invoke(main, ["export", "matrix", "--db", str(db)])
    guarded = CliRunner().invoke(main, ["export", "matrix", "--excel-safe", "--db", str(db)])
    assert plain.exit_code == guarded.exit_code == 0
    raw, safe = plain.stdout, guarded.stdout
    raw_rows = list(csv.DictReader(io.StringIO(raw)))
    safe_rows = list(csv.DictReader(io.StringIO(safe)))
    assert {r["coder"] for r in raw_rows} >= {"=1+1", "@SUM(A1)", "-2", "+3", "plain"}
    assert {r["coder"] for r in safe_rows} >= {"'=1+1", "'@SUM(A1)", "'-2", "'+3", "plain"}
    assert all(r["document_title"] == "'=HYPERLINK(\"http://x\")" for r in safe_rows
               if r["document"] == "notes")
    assert all(not r["coder"].startswith(("=", "+", "-", "@")) for r in safe_rows)
    assert [r["stigma"] for r in safe_rows] == [r["stigma"] for r in raw_rows]  # 0/1 stay numbers


@pytest.mark.parametrize("name", ["   ", "\t", "ali\nce", "bob\x1b[2J", "car\rol", "dan\u202e",
                                  "eve\x00"])
def test_the_one_rule_refuses_names_that_cannot_be_typed_or_shown_as_stored(name: str,
                                                                           tmp_path: Path) -> None:
    assert coder_name_problem(name)
    with Store(tmp_path / "p.db") as store:
        with pytest.raises(CoderError):
            store.coder_id(name)
        with pytest.raises(CoderError):
            store.ensure_coder(name, "4F0C1F67-0000-0000-0000-000000000001")
        assert store.coders() == []


@pytest.mark.parametrize("name", ["alice", "Dr. Ana María Núñez", "P 2", "=1+1", "李"])
def test_ordinary_names_pass(name: str) -> None:
    assert coder_name_problem(name) is None


def test_cli_coder_option_refuses_a_control_character(project: Path) -> None:
    code, output = run("code", "--coder", "ali\x1bce", "--db", str(project))
    assert code == 2
    assert "--coder: a coder's name cannot hold" in output and "\x1b" not in output


def test_codings_csv_names_the_line_of_a_bad_coder_name(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "codings.csv"
    path.write_text('document,paragraph,coder,code\nnotes,2,bob,stigma\n'
                    'notes,3,"car\nol",stigma\n', encoding="utf-8")
    code, output = run("codings", "import", str(path), "--db", str(project))
    assert code == 2
    assert f"{path}:4: a coder's name cannot hold" in output
    with Store(project) as store:
        assert store.coders() == ["alice"]


def test_merge_refuses_a_coder_name_with_a_line_break_and_merges_nothing(
        project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    shutil.copy(project, other)
    conn = sqlite3.connect(other)
    conn.execute("UPDATE coders SET name = 'ali\nce' WHERE name = 'alice'")
    conn.commit()
    conn.close()
    with Store(project) as store:
        before = store.segment_rows()
        with pytest.raises(CoderError, match="cannot hold a line break") as err:
            merge_project(store, other)
        assert str(other) in str(err.value)
        assert store.segment_rows() == before and store.coders() == ["alice"]


def test_refi_import_refuses_a_user_name_with_a_line_break(project: Path, tmp_path: Path) -> None:
    qdpx = tmp_path / "p.qdpx"
    with Store(project) as store:
        refi.project_qdpx(store, qdpx)
    edited = tmp_path / "edited.qdpx"
    import zipfile

    with zipfile.ZipFile(qdpx) as src, zipfile.ZipFile(edited, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "project.qde":
                data = data.replace(b'name="alice"', b'name="ali&#10;ce"')
            dst.writestr(item, data)
    fresh = tmp_path / "fresh.db"
    code, output = run("refi", "import", str(edited), "--db", str(fresh))
    assert code == 2, output
    assert "cannot hold a line break" in output and "nothing was imported" in output
    assert not fresh.exists()
