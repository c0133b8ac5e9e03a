"""The code view (r), the matrix (x) and the memo view (e), driven by keys: what they list, and
that Enter lands in the coding screen where a quote is recoded, uncoded and undone."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text

from coder.attributes import link, set_value
from coder.store import Store
from coder.tui.app import CoderApp
from coder.tui.screens.code_view import CodeViewScreen
from coder.tui.screens.coding import CodingScreen
from coder.tui.screens.help import HelpScreen
from coder.tui.screens.matrix import MatrixScreen
from coder.tui.screens.memo_view import MemoViewScreen
from coder.tui.widgets.paragraph_view import ParagraphView

SIZE = (120, 40)


def code_some(project: Path) -> Path:
    """alice: Labels on notes ¶3 (with a memo); bob: Stigma on blog ¶3, Leaving care on notes
    ¶4; alice's paragraph memo on blog ¶2. Regions on both documents; P2 of the notes is the
    case Sam, the whole blog the case Plymouth group."""
    with Store(project) as store:
        alice, bob = store.coder_id("alice"), store.coder_id("bob")
        notes, blog = store.document("notes").id, store.document("blog").id
        labels = store.toggle_segment(alice, store.paragraph_at(notes, 3).id,
                                      store.code("labels").id)
        store.set_segment_memo(alice, labels.segment_id, "assumed guilt")
        store.toggle_segment(bob, store.paragraph_at(blog, 3).id, store.code("stigma").id)
        store.toggle_segment(bob, store.paragraph_at(notes, 4).id, store.code("leaving-care").id)
        store.set_paragraph_memo(alice, store.paragraph_at(blog, 2).id, "housing first")
        set_value(store, "region", "West Midlands", document="notes")
        set_value(store, "region", "South West", document="blog")
        link(store, "Sam", "notes", "P2")
        link(store, "Plymouth group", "blog")
    return project


def live(project: Path, coder: str = "alice") -> set[tuple[str, int, str]]:
    with Store(project) as store:
        return {(r.document, r.n, r.code_key) for r in store.segment_rows(coders=[coder])}


def cell(screen, row: int, column: int) -> str:
    value = screen.table.get_cell_at((row, column))
    return value.plain if isinstance(value, Text) else str(value)


def at(app: CoderApp) -> tuple[str, int]:
    screen = app.screen
    assert isinstance(screen, CodingScreen)
    index = screen.query_one(ParagraphView).current_index
    assert app.session.document is not None and index is not None
    return app.session.document.name, app.session.paragraphs[index].n


async def test_code_view_lists_every_quote_of_a_code_and_its_subcodes(project: Path) -> None:
    app = CoderApp(code_some(project), coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        screen = app.screen
        assert isinstance(screen, CodeViewScreen)
        rows = [tuple(cell(screen, i, c) for c in range(6)) for i in range(screen.table.row_count)]
        assert rows == [("notes", "3", "P2", "Sam", "alice", "Labels"),
                        ("blog", "3", "Author", "Plymouth group", "bob", "Stigma")]
        detail = str(screen.query_one("#table-detail").render())
        assert "assumed guilt" in detail and "People hear care" in detail


async def test_enter_on_a_quote_opens_it_to_recode_uncode_and_undo(project: Path) -> None:
    app = CoderApp(code_some(project), coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", "j", "enter")
        assert isinstance(app.screen, CodingScreen)
        assert at(app) == ("blog", 3)
        await pilot.press("b")
        assert ("blog", 3, "stigma") in live(project)
        await pilot.press("u")
        assert ("blog", 3, "stigma") not in live(project)
        await pilot.press("r", "enter", "h")
        assert at(app) == ("notes", 3)
        assert ("notes", 3, "labels") not in live(project)
        await pilot.press("u")
        assert ("notes", 3, "labels") in live(project)


async def test_code_view_within_one_document(project: Path) -> None:
    app = CoderApp(code_some(project), coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", "w")
        await pilot.press("down", "enter")
        screen = app.screen
        assert isinstance(screen, CodeViewScreen)
        assert screen.within is not None and screen.within.describe() == "document = blog"
        assert [r.document for r in screen.rows] == ["blog"]
        await pilot.press("w")
        assert len(screen.rows) == 2


async def test_code_view_within_an_attribute_value_and_a_case(project: Path) -> None:
    app = CoderApp(code_some(project), coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", "w")
        picker = app.screen
        labels = [str(o.prompt) for o in picker.query_one("#within-options").options]
        assert labels == ["document = notes", "document = blog", "case = Plymouth group",
                          "case = Sam", "region = South West", "region = West Midlands"]
        await pilot.press("down", "down", "down", "down", "enter")
        screen = app.screen
        assert isinstance(screen, CodeViewScreen)
        assert [(r.document, r.n) for r in screen.rows] == [("blog", 3)]
        await pilot.press("w", "w", "down", "down", "down", "enter")
        assert [(r.document, r.n) for r in screen.rows] == [("notes", 3)]


async def test_matrix_counts_with_shades_and_opens_a_cell(project: Path) -> None:
    app = CoderApp(code_some(project), coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        screen = app.screen
        assert isinstance(screen, MatrixScreen)
        table = screen.table
        labels = [str(c.label) for c in table.columns]
        assert labels == ["code", "notes", "blog", "total"]
        assert [cell(screen, 0, c) for c in range(4)] == ["Stigma", "\u2588 1", "\u2588 1", "2"]
        assert [cell(screen, 1, c) for c in range(4)] == ["  Labels", "\u2588 1", "\u00b7 0", "1"]
        assert [cell(screen, 3, c) for c in range(4)] == ["Belonging", "\u00b7 0", "\u00b7 0", "0"]
        await pilot.press("b")
        assert [str(c.label) for c in table.columns] == [
            "code", "Plymouth group", "Sam", "total"]
        assert [cell(screen, 0, c) for c in range(4)] == ["Stigma", "\u2588 1", "\u2588 1", "2"]
        await pilot.press("b")
        assert [str(c.label) for c in table.columns] == [
            "code", "South West", "West Midlands", "total"]
        assert [cell(screen, 2, c) for c in range(4)] == [
            "Leaving care", "\u00b7 0", "\u2588 1", "1"]
        await pilot.press("b")
        assert [str(c.label) for c in table.columns] == ["code", "notes", "blog", "total"]
        await pilot.press("l", "enter")
        view = app.screen
        assert isinstance(view, CodeViewScreen)
        assert [(r.document, r.n) for r in view.rows] == [("blog", 3)]
        await pilot.press("enter")
        assert isinstance(app.screen, CodingScreen)
        assert at(app) == ("blog", 3)


async def test_keys_in_a_burst_reach_the_quote(project: Path) -> None:
    app = CoderApp(code_some(project), coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x", "j", "j", "enter", "enter", "b")
        assert at(app) == ("notes", 4)
        assert ("notes", 4, "stigma") in live(project)


async def test_memo_view_by_document_and_by_code(project: Path) -> None:
    app = CoderApp(code_some(project), coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        screen = app.screen
        assert isinstance(screen, MemoViewScreen)
        assert [(m.document, m.n, m.kind, m.memo) for m in screen.rows] == [
            ("notes", 3, "coding", "assumed guilt"), ("blog", 2, "paragraph", "housing first")]
        await pilot.press("b")
        assert [m.kind for m in screen.rows] == ["coding", "paragraph"]
        assert cell(screen, 1, 3) == "the paragraph"
        await pilot.press("j", "enter")
        assert at(app) == ("blog", 2)


async def test_help_lists_the_new_screens_keys(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(r) for r in app.screen.content.renderables)
        for heading in ("Quotes of a code (after r)", "Matrix (after x)", "Memos (after ctrl+e)"):
            assert heading in text


async def test_a_long_code_view_draws_as_it_scrolls_and_g_reaches_the_last(tmp_path: Path) -> None:
    from conftest import build_project

    project = build_project(tmp_path / "long.db", long_document=450)
    with Store(project) as store:
        alice, stigma = store.coder_id("alice"), store.code("stigma").id
        long = store.document("long").id
        for n in range(1, 451):
            store.toggle_segment(alice, store.paragraph_at(long, n).id, stigma)
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", "G")
        screen = app.screen
        assert isinstance(screen, CodeViewScreen)
        assert screen.table.row_count == 450
        assert screen.table.cursor_row == 449
        bottom = screen.table.render_line(screen.table.size.height - 1).text
        assert bottom.split()[:2] == ["long", "450"]
        await pilot.press("enter")
        assert at(app) == ("long", 450)
