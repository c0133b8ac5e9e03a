"""The app open while another program restores a backup or changes the codebook (issue 12):
the next key saves nothing onto the wrong paragraph or a retired code; the app reloads."""

from __future__ import annotations

from pathlib import Path

from conftest import BLOG, CODES, NOTES
from test_coding_app import SIZE, codings, current_n, status

from coder.models import ParsedDocument
from coder.store import Store
from coder.tui.app import CoderApp


def reordered_backup(path: Path) -> Path:
    """The same documents imported in the other order: every paragraph id means another text."""
    with Store(path) as store:
        store.add_document("blog", ParsedDocument("text", list(BLOG)), source_path="blog.txt",
                           content_hash="hash-blog")
        store.add_document("notes", ParsedDocument("text", list(NOTES)), source_path="notes.txt",
                           content_hash="hash-notes")
        store.sync_codes(CODES)
    return path


async def test_a_restore_under_the_app_is_caught_and_the_key_then_codes_the_right_text(
        project: Path, tmp_path: Path) -> None:
    backup = reordered_backup(tmp_path / "reordered.db")
    app = CoderApp(project, coder="alice", document="notes")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "b")
        assert status(app) == "saved: Stigma on ¶3"
        with Store(project) as other_program:
            other_program.restore(backup)
        await pilot.press("j", "b")
        await pilot.pause()
        assert "another program changed the project" in status(app)
        assert "reloaded" in status(app)
        assert codings(project) == []  # the restored state, with nothing written onto "blog"
        assert app.screen.session.document.name == "notes"
        assert current_n(app) == 4
        await pilot.press("b")
        assert status(app) == "saved: Stigma on ¶4"
        assert codings(project) == [("notes", 4, "stigma", None)]


async def test_a_code_moved_away_under_the_app_is_not_coded_on(project: Path) -> None:
    app = CoderApp(project, coder="alice", document="notes")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "h")
        assert status(app) == "saved: Labels on ¶3"
        with Store(project) as other_program:
            other_program.sync_codes([c for c in CODES if c["key"] != "labels"],
                                     moves={"labels": "stigma"})
        await pilot.press("j", "h")  # the retired code's old key
        await pilot.pause()
        assert "another program changed the project" in status(app)
        assert codings(project) == [("notes", 3, "stigma", None)]
        await pilot.press("h")  # no longer bound: nothing saved
        assert codings(project) == [("notes", 3, "stigma", None)]
