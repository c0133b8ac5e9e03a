"""The CLI imports a command only when it runs, and its listing still tells the truth.

Start-up time itself is measured in bench/startup.py; here: which modules a command pulls in,
and that the short help kept for the listing matches each command's own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from coder.cli import COMMANDS, main
from coder.cli.lazy import LazyGroup

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("numpy", "textual", "docx", "lxml", "coder.agreement", "coder.tui", "coder.export",
         "coder.ingest.word", "sqlite_utils")


def _groups() -> list[tuple[str, LazyGroup]]:
    codebook = main.get_command(click.Context(main), "codebook")
    assert isinstance(codebook, LazyGroup)
    return [("coder", main), ("coder codebook", codebook)]


@pytest.mark.parametrize("where, group", _groups())
def test_listed_help_is_each_commands_own(where: str, group: LazyGroup) -> None:
    for name, lazy in group.lazy.items():
        command = lazy.load()
        assert command.name == name, f"{where} {name}"
        assert command.get_short_help_str(limit=1000) == lazy.help, f"{where} {name}"


def test_help_lists_every_command() -> None:
    output = CliRunner().invoke(main, ["--help"], terminal_width=200, max_content_width=200).output
    listed = output.split("Commands:")[1].split()
    for name, lazy in COMMANDS.items():
        assert name in listed
        assert lazy.help.rstrip(".") in output


def test_unknown_command_is_refused() -> None:
    result = CliRunner().invoke(main, ["nonsense"])
    assert result.exit_code == 2
    assert "No such command 'nonsense'" in result.output


def _imported_after(args: list[str]) -> set[str]:
    code = ("import sys\nfrom coder.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
            "print('\\n'.join(sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, check=True)
    return set(done.stderr.split())


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY or
                  any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_help_imports_no_command(tmp_path: Path) -> None:
    modules = _imported_after(["--help"])
    assert not [m for m in modules if m.startswith("coder.cli.") and m != "coder.cli.lazy"]
    assert not _heavy(modules)


def test_documents_imports_only_what_it_uses(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    CliRunner().invoke(main, ["import", str(REPO / "seeds" / "care-leavers-plymouth-blog.txt"),
                              "--db", str(db)], catch_exceptions=False)
    modules = _imported_after(["documents", "--db", str(db)])
    assert "coder.cli.documents" in modules
    assert not _heavy(modules)


def test_the_coding_app_starts_without_agreement_yaml_or_importers(tmp_path: Path) -> None:
    """What `coder code` loads before its first screen: the app, the session and the store, not
    numpy (agreement), a YAML parser (codebook files) or the importers, which cost the first
    screen a third of its time when the name check reached for the review module."""
    code = ("import sys\nimport coder.cli.app, coder.tui.app, coder.session\n"
            "from coder.store import Store\n"
            f"with Store({str(tmp_path / 'p.db')!r}) as store:\n"
            "    coder.cli.app._check_coder_name('alice', store)\n"
            "print('\\n'.join(sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, check=True)
    modules = set(done.stdout.split())
    assert "coder.tui.screens.coding" in modules
    late = {"numpy", "yaml", "ruamel", "coder.agreement", "coder.reconcile", "coder.ingest",
            "coder.codebook", "coder.codebook_edit", "coder.project"}
    assert not sorted(m for m in modules if m.split(".")[0] in late or m in late
                      or any(m.startswith(x + ".") for x in late))
