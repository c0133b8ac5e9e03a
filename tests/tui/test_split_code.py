"""Splitting a code from the code view (r): space marks quotes, a marks all shown, s moves the
marked ones to a new or existing sub-code; one undo step in the coding screen brings them back."""

from __future__ import annotations

from pathlib import Path

from test_analysis_screens import cell
from test_code_editor import BOOK, book, shown_tree  # noqa: F401  (book is a fixture)
from test_coding_app import SIZE, status

from coder.codebook import load_codebook
from coder.store import Store
from coder.tui.app import CoderApp
from coder.tui.screens.code_view import CodeViewScreen
from coder.tui.screens.coding import CodingScreen
from coder.tui.screens.split import SplitDialog


def code_three(project: Path) -> dict[str, int]:
    """Stigma: alice on notes ¶3 and ¶4, bob on blog ¶3; Labels: alice on notes ¶6."""
    with Store(project) as store:
        alice, bob = store.coder_id("alice"), store.coder_id("bob")
        notes, blog = store.document("notes").id, store.document("blog").id
        stigma, labels = store.code("stigma").id, store.code("labels").id
        return {
            "n3": store.toggle_segment(alice, store.paragraph_at(notes, 3).id, stigma).segment_id,
            "n4": store.toggle_segment(alice, store.paragraph_at(notes, 4).id, stigma).segment_id,
            "n6": store.toggle_segment(alice, store.paragraph_at(notes, 6).id, labels).segment_id,
            "b3": store.toggle_segment(bob, store.paragraph_at(blog, 3).id, stigma).segment_id,
        }


def code_of(project: Path) -> dict[int, str]:
    with Store(project) as store:
        keys = {c.id: c.key for c in store.codes(include_retired=True)}
        return {s.id: keys[s.code_id] for s in store.segments()}


async def code_view(pilot, app: CoderApp) -> CodeViewScreen:
    """The code view of the code under the codebook's cursor (Stigma at the start)."""
    await pilot.press("r")
    screen = app.screen
    assert isinstance(screen, CodeViewScreen)
    return screen


def listed(screen: CodeViewScreen) -> list[tuple[str, str, str]]:
    return [(cell(screen, i, 0), cell(screen, i, 1), cell(screen, i, 5))
            for i in range(screen.table.row_count)]


async def test_marked_quotes_move_to_a_new_sub_code_typed_in_one_burst_and_u_undoes(
        project: Path, book: Path) -> None:  # noqa: F811
    ids = code_three(project)
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await code_view(pilot, app)
        order = [r.segment_id for r in screen.rows]
        assert sorted(order) == sorted(ids.values())
        first, second = order[0], order[1]
        # mark two quotes, unmark and re-mark the second, then split, all as one burst
        await pilot.press("space", "space", "k", "space", "k", "space", "s", *"Assumed guilt",
                          "enter")
        await pilot.pause()
        assert app.screen is screen
        assert screen.marked == set()
        assert "marked" not in str(screen.query_one("#table-title").render())
        message = str(screen.query_one("#table-status").render())
        assert message.startswith("saved: split Stigma: 2 codings moved to new code Assumed "
                                  "guilt \u2014 new revision: stigma r2; written to book.yaml")
        coded = code_of(project)
        assert (coded[first], coded[second]) == ("assumed-guilt", "assumed-guilt")
        assert {coded[i] for i in set(ids.values()) - {first, second}} <= {"stigma", "labels"}
        assert sorted(r.code_name for r in screen.rows) == sorted(
            ["Assumed guilt", "Assumed guilt", "Labels", "Stigma"])
        assert [row[2] for row in listed(screen)].count("Assumed guilt") == 2
        with Store(project) as store:
            child = store.code("assumed-guilt")
            assert child.parent_id == store.code("stigma").id
            assert store.current_revision(store.code("stigma").id).n == 2
        written = load_codebook(book)
        assert written.by_key("assumed-guilt").parent_key == "stigma"
        text = book.read_text(encoding="utf-8")
        assert "# the first theme" in text and "# belonging has no shortcut yet" in text

        await pilot.press("escape")
        assert isinstance(app.screen, CodingScreen)
        assert any("Assumed guilt" in label for label in shown_tree(app))
        await pilot.press("u")
        assert status(app).startswith("undone: split Stigma: 2 codings moved to new code")
        coded = code_of(project)
        assert coded[first] == coded[second] == "stigma"
        with Store(project) as store:
            assert "assumed-guilt" not in {c.key for c in store.codes()}
            assert store.current_revision(store.code("stigma").id).n == 1
        assert book.read_text(encoding="utf-8") == BOOK
        assert not any("Assumed guilt" in label for label in shown_tree(app))


async def test_mark_all_then_pick_an_existing_sub_code(project: Path, book: Path) -> None:  # noqa: F811
    ids = code_three(project)
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await code_view(pilot, app)
        await pilot.press("a")
        assert screen.marked == set(ids.values())
        assert all(row[0].startswith("\u2713 ") for row in listed(screen))
        assert "4 marked" in str(screen.query_one("#table-title").render())
        await pilot.press("a")
        assert screen.marked == set()
        assert not any(row[0].startswith("\u2713") for row in listed(screen))
        await pilot.press("a", "s")
        dialog = app.screen
        assert isinstance(dialog, SplitDialog)
        await pilot.press(*"lab")
        options = dialog.query_one("#split-children")
        assert [str(options.get_option_at_index(i).prompt)
                for i in range(options.option_count)] == ["+ new sub-code \u201clab\u201d",
                                                          "Labels"]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert str(screen.query_one("#table-status").render()).startswith(
            "saved: split Stigma: 3 codings moved to Labels")
        assert set(code_of(project).values()) == {"labels"}
        assert load_codebook(book).by_key("labels").parent_key == "stigma"
        assert "Labels" in {row[2] for row in listed(screen)}


async def test_a_refused_split_says_why_and_changes_nothing(project: Path, book: Path) -> None:  # noqa: F811
    code_three(project)
    before = code_of(project)
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await code_view(pilot, app)
        await pilot.press("s")
        assert "mark the quotes to move first" in str(screen.query_one("#table-status").render())
        await pilot.press("space", "s", *"a/b", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert "not changed: a/b:" in str(screen.query_one("#table-status").render())
        assert screen.marked
        await pilot.press("s", "escape")
        assert app.screen is screen
    assert code_of(project) == before
    assert book.read_text(encoding="utf-8") == BOOK
