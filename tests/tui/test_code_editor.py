"""Editing the codebook from the coding screen by keyboard: e edits the highlighted code,
x merges it, r retires it, ctrl+n in the editor adds a child; each is one undo step, and the
YAML codebook keeps its comments and order."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_coding_app import SIZE, codings, goto, status

from coder.codebook import load_codebook
from coder.project import use_codebook
from coder.store import Store
from coder.tui.app import CoderApp
from coder.tui.screens.code_editor import CodeEditorScreen, ReloadScreen
from coder.tui.screens.coding import CodingScreen
from coder.tui.widgets.code_detail import CodeDetail
from coder.tui.widgets.codebook_tree import CodebookTree

BOOK = """\
# Codebook for the tests: this comment must survive edits.
name: Small
codes:
  - key: stigma   # the first theme
    name: Stigma
    definition: Being treated differently because of care experience
    when_to_use: Prejudice attributed to care experience
    when_not_to_use: 'A named label: use Labels'
    example: People assume you did something wrong
    color: "#d62728"
    shortcut: b
    codes:
      - key: labels
        name: Labels
        definition: Named labels and stereotypes
        color: "#ff9896"
        shortcut: h
  - key: leaving-care
    name: Leaving care
    definition: The move out of care at 18 and the support that follows
    color: "#1f77b4"
    shortcut: l
  # belonging has no shortcut yet
  - key: belonging
    name: Belonging
    definition: Feeling part of a community, or not
    color: "#2ca02c"
"""


@pytest.fixture
def book(project: Path, tmp_path: Path) -> Path:
    path = tmp_path / "book.yaml"
    path.write_text(BOOK, encoding="utf-8")
    with Store(project) as store:
        use_codebook(store, path)
    return path


def shown_tree(app: CoderApp) -> list[str]:
    tree = app.screen.query_one(CodebookTree)
    return [str(tree.get_node_at_line(i).label) for i in range(tree.last_line + 1)]


async def highlight(pilot, app: CoderApp, name: str) -> None:
    """Move the codebook's cursor to a code by keyboard: tab into the tree, then arrows."""
    tree = app.screen.query_one(CodebookTree)
    while app.focused is not tree:
        await pilot.press("tab")
    await pilot.press("home")
    for _ in range(tree.last_line + 1):
        if name in str(tree.cursor_node.label):
            return
        await pilot.press("down")
    raise AssertionError(f"{name} not in the codebook tree")


async def test_rename_and_sharpen_a_definition_then_undo_and_redo(project: Path, book: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        assert isinstance(app.screen, CodeEditorScreen)
        await pilot.press("home", "ctrl+k", *"Stigma and shame", "tab", "home", "ctrl+k",
                          *"Treated differently for being in care", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        assert status(app) == ("saved: Stigma: name 'Stigma' -> 'Stigma and shame'; definition "
                               "changed \u2014 new revision: stigma r2; written to book.yaml")
        assert any("Stigma and shame" in label for label in shown_tree(app))
        assert "Treated differently for being in care" in str(
            app.screen.query_one(CodeDetail).render_text())
        with Store(project) as store:
            code = store.code("stigma")
            assert (code.name, code.definition) == ("Stigma and shame",
                                                    "Treated differently for being in care")
            assert len(store.code_revisions(code.id)) == 2
        text = book.read_text(encoding="utf-8")
        assert "# Codebook for the tests" in text and "# the first theme" in text
        assert "# belonging has no shortcut yet" in text
        assert text.splitlines()[4:6] == [
            "    name: Stigma and shame",
            "    definition: Treated differently for being in care"]
        assert text.splitlines()[6:] == BOOK.splitlines()[6:]
        await pilot.press("u")
        assert status(app).startswith("undone: Stigma: name 'Stigma' -> 'Stigma and shame'")
        with Store(project) as store:
            assert store.code("stigma").name == "Stigma"
            assert len(store.code_revisions(store.code("stigma").id)) == 1
        assert book.read_text(encoding="utf-8") == BOOK
        assert not any("Stigma and shame" in label for label in shown_tree(app))
        await pilot.press("U")
        assert status(app).startswith("redone: Stigma:")
        assert load_codebook(book).by_key("stigma").name == "Stigma and shame"


async def test_a_refused_field_stays_in_the_editor_then_colour_shortcut_and_parent(
        project: Path, book: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await highlight(pilot, app, "Belonging")
        await pilot.press("e")
        for _ in range(6):
            await pilot.press("tab")
        await pilot.press("h", "ctrl+s")
        assert isinstance(app.screen, CodeEditorScreen)
        assert "shortcut 'h' is already used by 'Labels'" in str(
            app.screen.query_one("#edit-error").render())
        await pilot.press("backspace", "y", "shift+tab", "home", "ctrl+k", *"orange",
                          "tab", "tab", "enter", *"leav", "enter", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen), str(app.screen.query_one("#edit-error").render())
        assert status(app).startswith("saved: Belonging: shortcut (none) -> y; color changed; "
                                      "moved to Leaving care")
        code = load_codebook(book).by_key("belonging")
        assert (code.color, code.shortcut, code.parent_key) == ("#ffa500", "y", "leaving-care")
        assert "# belonging has no shortcut yet" in book.read_text(encoding="utf-8")
        await goto(pilot, 5)
        await pilot.press("y")
        assert ("notes", 5, "belonging", None) in codings(project)
        await pilot.press("u", "u")
        with Store(project) as store:
            code = store.code("belonging")
            assert (code.shortcut, code.parent_id, code.color) == (None, None, "#2ca02c")
        assert book.read_text(encoding="utf-8") == BOOK


async def test_merge_with_x_moves_codings_and_u_brings_them_back(project: Path, book: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, 3)
        await pilot.press("h", "j", "h")
        await highlight(pilot, app, "Labels")
        await pilot.press("ctrl+x", *"leav", "enter")
        await pilot.pause()
        assert status(app).startswith("saved: merged Labels into Leaving care (2 codings)")
        assert sorted(c[2] for c in codings(project)) == ["leaving-care", "leaving-care"]
        assert not any("Labels" in label for label in shown_tree(app))
        assert "labels" not in load_codebook(book)
        await pilot.press("u")
        assert sorted(c[2] for c in codings(project)) == ["labels", "labels"]
        assert any("Labels" in label for label in shown_tree(app))
        assert load_codebook(book).by_key("labels").parent_key == "stigma"


async def test_retire_with_ctrl_d_only_an_unused_code(project: Path, book: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, 4)
        await pilot.press("l")
        await highlight(pilot, app, "Leaving care")
        await pilot.press("ctrl+d")
        assert status(app) == ("Leaving care is used by 1 coding: merge it into another code "
                               "instead (ctrl+x), so no coding is lost")
        await highlight(pilot, app, "Belonging")
        await pilot.press("ctrl+d")
        assert status(app) == "saved: retired Belonging; written to book.yaml"
        assert not any("Belonging" in label for label in shown_tree(app))
        assert "belonging" not in load_codebook(book)
        await pilot.press("u")
        assert any("Belonging" in label for label in shown_tree(app))
        assert "belonging" in load_codebook(book)


async def test_add_a_child_from_the_editor_with_a_definition(project: Path, book: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, 4)
        await pilot.press("e", "ctrl+n")
        await pilot.press(*"Being watched", "tab", "tab", *"Feeling monitored", "ctrl+s")
        await pilot.pause()
        assert status(app) == "saved: new code Being watched on ¶4"
        with Store(project) as store:
            code = store.code("being-watched")
            assert (code.path, code.definition) == ("Stigma/Being watched", "Feeling monitored")
        await pilot.press("u", "u")
        with Store(project) as store:
            assert "being-watched" not in [c.key for c in store.codes()]


async def test_a_codebook_changed_on_disk_is_not_overwritten_and_can_be_reloaded(
        project: Path, book: Path) -> None:
    edited = BOOK.replace("name: Belonging", "name: Belonging (edited by hand)")
    book.write_text(edited, encoding="utf-8")
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "end", *" too", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReloadScreen)
        await pilot.press("n")
        assert status(app).startswith("nothing changed: ")
        assert book.read_text(encoding="utf-8") == edited
        with Store(project) as store:
            assert store.code("stigma").name == "Stigma"
        await pilot.press("e", "end", *" too", "ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert status(app).startswith("codebook reloaded from the file: ")
        assert any("Belonging (edited by hand)" in label for label in shown_tree(app))
        await pilot.press("e", "end", *" too", "ctrl+s")
        await pilot.pause()
        assert "name: Stigma too" in book.read_text(encoding="utf-8")
        assert "name: Belonging (edited by hand)" in book.read_text(encoding="utf-8")
