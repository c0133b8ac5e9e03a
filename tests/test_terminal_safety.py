"""Names from files never act on the terminal (issue 12): an escape sequence in a title, a
file name, a code, a coder or a .qdpx name is printed as visible marks by every command."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import SMALL_TEXTS

from coder.cli import main
from coder.models import ParsedDocument
from coder.store import Store

# set the terminal title, clear the screen, draw a fake prompt; C1 CSI too
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x1b[H$ \x9b31m"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    db = tmp_path / "p.db"
    with Store(db) as store:
        doc = store.add_document(f"doc{HOSTILE}", ParsedDocument("text", list(SMALL_TEXTS)),
                                 source_path=f"{HOSTILE}.txt", content_hash="h")
        store.set_document_title(doc.id, f"Title {HOSTILE}")
        store.sync_codes([{"key": "k", "name": f"Code {HOSTILE}", "parent_key": None}])
        for coder in ("alice", "bob"):
            cid = store.coder_id(coder)
            for p in store.paragraphs(1)[1:]:
                store.toggle_segment(cid, p.id, store.code("k").id)
        # coder refuses such a name now; a project made before that rule may still hold one
        with store.transaction() as conn:
            conn.execute("UPDATE coders SET name = ? WHERE name = 'alice'", (f"alice{HOSTILE}",))
    return db


COMMANDS = [
    ["documents"], ["stats"], ["agree", "--coders", f"alice{HOSTILE},bob"], ["title", "doc"], ["history"], ["backups"],
    ["export", "segments"], ["show", "doc"], ["title", "nosuch"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_no_command_prints_a_control_character_from_a_name(hostile: Path, args: list[str],
                                                           tmp_path: Path) -> None:
    if args[0] == "export":
        args = [*args, "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(main, [*args, "--db", str(hostile)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 2) and "Usage:" not in result.output
    printed = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert printed.strip()
    assert not any(ch in printed for ch in "\x1b\x07\x9b"), repr(printed)


def test_the_marks_show_where_the_escape_was(hostile: Path) -> None:
    out = CliRunner().invoke(main, ["documents", "--db", str(hostile)]).output
    assert "\u241b]0;pwned" in out  # ESC shown as the visible ␛
