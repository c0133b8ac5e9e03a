"""The second audit's findings, driven through the app: span mode and moving, search past the
listed hits, Unicode case, bracketed names, same-named codes, the filter, overlapping spans and
the small dialog fixes."""

from __future__ import annotations

from pathlib import Path

from conftest import build_project
from test_coding_app import SIZE, codings, current_n, goto, status, top_bar, view_text

from coder.models import ParagraphIn, ParsedDocument
from coder.store import Store
from coder.tui.app import CoderApp
from coder.tui.screens.search import LIMIT, SearchScreen
from coder.tui.widgets.paragraph_view import ParagraphView
from coder.tui.widgets.review_panels import SidePanel


def add_document(path: Path, name: str, texts: list[str]) -> None:
    with Store(path) as store:
        store.add_document(name, ParsedDocument("text", [ParagraphIn(t) for t in texts]),
                           source_path=f"{name}.txt", content_hash=f"hash-{name}")


def screen_text(app: CoderApp) -> str:
    """What the terminal shows, border titles included."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def search(pilot, query: str) -> None:
    await pilot.press("slash", *query)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


# -- 1: moving in span mode ---------------------------------------------------------------

async def test_moving_in_span_mode_drops_the_span_and_says_so(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, 3)
        await pilot.press("s", "shift+right")
        assert status(app).startswith("span “People hear”")
        await pilot.press("j")
        await pilot.pause()
        view = app.screen.query_one(ParagraphView)
        assert not view.span_mode
        assert status(app).startswith("span dropped: now on ¶4")
        await pilot.press("b")
        # the code went where the status line said: the whole of ¶4, not the old span
        assert codings(project) == [("notes", 4, "stigma", None)]
        for keys, n in [(("k",), 3), (("end",), 6), (("pageup",), 1)]:
            await pilot.press("s", "shift+right", *keys)
            await pilot.pause()
            assert current_n(app) == n
            assert status(app).startswith(f"span dropped: now on ¶{n}"), keys


async def test_escape_and_coding_after_a_span_keep_the_status_true(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, 3)
        await pilot.press("s", "escape")
        await pilot.pause()
        assert status(app) == "left span mode: a code key codes the whole of ¶3"
        await pilot.press("s", "shift+right", "b")
        await pilot.pause()
        assert status(app) == "saved: Stigma on ¶3 “People hear”"
        assert codings(project) == [("notes", 3, "stigma", "People hear")]


# -- 2 and 3: search ---------------------------------------------------------------------

async def test_f3_walks_past_the_listed_hits_and_wraps(tmp_path: Path) -> None:
    path = build_project(tmp_path / "p.db", long_document=LIMIT + 60)
    app = CoderApp(path, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "says something")
        assert app.screen.query_one("#search-count").content.plain.startswith(
            f"{LIMIT}+ hits; F3 walks them all")
        await pilot.press("enter")
        assert (app.session.document.name, current_n(app)) == ("long", 1)
        assert status(app).startswith(f"search “says something”: hit 1 of {LIMIT}+, ¶1")
        await goto(pilot, LIMIT + 30)
        await pilot.press("f3")
        assert current_n(app) == LIMIT + 31
        assert f"a hit past the first {LIMIT}" in status(app)
        await goto(pilot, LIMIT + 60)
        await pilot.press("f3")
        assert current_n(app) == 1
        assert "back at the first hit" in status(app)


async def test_search_folds_case_beyond_ascii(project: Path) -> None:
    add_document(project, "accents", ["Nothing here.", "Élodie said: STRASSE, not straße."])
    with Store(project) as store:
        for query in ("élodie", "ÉLODIE", "Élodie"):
            assert [(d.name, p.n) for d, p in store.search(query)] == [("accents", 2)]
        assert [p.n for _, p in store.search("straße")] == [2]
        first = store.search("care")
        assert [p.n for _, p in store.search("care", after=(first[0][0].id, first[0][1].n))] \
            == [p.n for _, p in first[1:]]
        assert store.search("care", limit=1) == first[:1]
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "élodie")
        hits = app.screen.query_one("#search-hits")
        assert hits.option_count == 1
        prompt = hits.get_option_at_index(0).prompt
        assert prompt.plain.startswith("accents ¶2  Élodie said")
        assert [prompt.plain[s.start:s.end] for s in prompt.spans if s.style.reverse] \
            == ["Élodie"]
        assert app.screen.query_one("#search-count").content.plain.startswith("1 hit ·")
        await pilot.press("backspace", *["backspace"] * 5)
        assert app.screen.query_one("#search-count").content.plain.startswith("type to search")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("escape")


# -- 4: brackets in names ------------------------------------------------------------------

async def test_review_titles_show_brackets_in_names(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with Store(path) as store:
        store.add_document("notes [draft]", ParsedDocument("text", [
            ParagraphIn("One."), ParagraphIn("Two [bold]things[/].")]),
            source_path="n.txt", content_hash="h")
        store.sync_codes([{"key": "x", "name": "X [v2]", "parent_key": None}])
        a, b = store.coder_id("alice"), store.coder_id("carol [PI] 🐙")
        code = store.codes()[0].id
        one, two = (p.id for p in store.paragraphs(1))
        store.add_segment(a, two, code, None, None)
        store.add_segment(b, one, code, None, None)
    app = CoderApp(db_path=path, coder="consensus", review=("alice", "carol [PI] 🐙"))
    async with app.run_test(size=SIZE):
        shown = screen_text(app)
        assert "B: carol [PI] 🐙" in shown
        assert "notes [draft] · ¶1" in shown
        assert "X [v2]" in app.screen.query_one("#review-b", SidePanel).shown


# -- 5 and 6: one name under two parents ---------------------------------------------------

async def test_a_name_may_repeat_under_another_parent_and_is_told_apart(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, 4)
        # "Stigma" already exists at the top level; under Leaving care it is a new code
        await pilot.press("a", *"Stigma", "tab", "enter", *"leav", "enter")
        await pilot.press("tab", "tab", "x", "ctrl+s")
        assert "'x' is one of the app's own keys; free:" in str(
            app.screen.query_one("#add-error").render())
        await pilot.press("backspace", "b", "ctrl+s")
        error = str(app.screen.query_one("#add-error").render())
        assert "'b' is already the shortcut of Stigma; free: " in error
        assert " t " in error and " b " not in error
        await pilot.press("backspace", "t", "ctrl+s")
        assert "Stigma has this name too" in str(app.screen.query_one("#add-error").render())
        await pilot.press("ctrl+s")
        assert status(app) == "saved: new code Leaving care/Stigma on ¶4"
        with Store(project) as store:
            paths = {c.path: c.key for c in store.codes()}
        assert paths["Leaving care/Stigma"] != paths["Stigma"]
        await pilot.press("b")
        assert status(app) == "saved: Stigma on ¶4"  # the top-level one, whose path is its name
        assert sorted(codings(project)) == sorted([
            ("notes", 4, paths["Leaving care/Stigma"], None), ("notes", 4, "stigma", None)])
        shown = "\n".join(app.screen.query_one(ParagraphView).render_line(y).text
                          for y in range(30))
        assert " Leaving care/Stigma " in shown
        # a sibling of the same name is still refused
        await pilot.press("a", *"stigma", "tab", "enter", *"leav", "enter", "ctrl+s")
        assert "already a code named 'stigma' under Leaving care" in str(
            app.screen.query_one("#add-error").render())
        await pilot.press("escape")


# -- 7: the filter across documents and coding ---------------------------------------------

async def test_filter_survives_a_switch_and_counts_what_carries_it_now(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "b", "j", "b", "j", "b")
        await pilot.press("f", *"stig", "enter")
        assert "filter: Stigma (3 ¶)" in top_bar(app)
        assert current_n(app) == 5
        await pilot.press("b")  # uncode ¶5: it stays on screen, the count drops
        assert codings(project) == [("notes", 3, "stigma", None), ("notes", 4, "stigma", None)]
        assert "filter: Stigma (2 ¶)" in top_bar(app)
        await pilot.press("u")
        assert "filter: Stigma (3 ¶)" in top_bar(app)
        await pilot.press("d", "enter")  # the same document again
        view = app.screen.query_one(ParagraphView)
        assert [app.session.paragraphs[i].n for i in view.rows] == [3, 4, 5]
        assert status(app) == "opened notes, filter kept: 3 paragraphs carry Stigma; " \
                              "f again shows all"
        await pilot.press("d", "down", "enter")  # blog: nothing carries Stigma there
        assert app.session.document.name == "blog"
        assert len(view.rows) == 3 and "filter" not in top_bar(app)
        assert status(app) == "opened blog: filter lifted, no paragraph here carries Stigma"


# -- 8: overlapping spans of one code --------------------------------------------------------

async def test_an_overlapping_span_of_the_same_code_is_refused(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, 3)
        await pilot.press("s", "shift+right", "shift+right", "b")
        assert codings(project) == [("notes", 3, "stigma", "People hear care")]
        await pilot.press("s", "right", "shift+right", "b")  # "hear care": overlaps
        assert status(app).startswith("not saved: this span overlaps your Stigma on "
                                      "“People hear care” in ¶3")
        assert codings(project) == [("notes", 3, "stigma", "People hear care")]
        view = app.screen.query_one(ParagraphView)
        assert view.span_mode  # the selection is kept to adjust
        await pilot.press("l")  # another code on the same words is fine
        assert ("notes", 3, "leaving-care", "hear care") in codings(project)
        await pilot.press("s", "right", "right", "right", "b")  # "and": no overlap
        assert ("notes", 3, "stigma", "and") in codings(project)
        await pilot.press("s", "j")
        await pilot.pause()
        assert status(app).startswith("span dropped: now on ¶4")


# -- 9: the small ones -----------------------------------------------------------------------

async def test_jump_refuses_a_non_integer_and_names_the_end(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon", *"3.5", "enter")
        assert "'3.5' is not a paragraph number" in str(
            app.screen.query_one("#jump-error").render())
        await pilot.press("escape")
        assert current_n(app) == 1
        await goto(pilot, 99999)
        assert current_n(app) == 6
        assert status(app) == "there is no ¶99999: at ¶6, the last"
        await goto(pilot, 4)
        assert status(app) == "at ¶4"


async def test_document_switcher_filters_as_you_type_and_g_goes_to_the_ends(
        project: Path) -> None:
    for name in ("interview one", "interview two"):
        add_document(project, name, ["Hello."])
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        options = app.screen.query_one("#switcher-documents")
        assert options.option_count == 4 and options.highlighted == 0
        await pilot.press("G")
        assert options.highlighted == 3
        await pilot.press("g")
        assert options.highlighted == 0
        await pilot.press(*"two")
        assert options.option_count == 1
        assert "1 of 4 documents" in str(app.screen.query_one("#switcher-help").render())
        await pilot.press("enter")
        assert app.session.document.name == "interview two"


async def test_resizing_in_span_mode_keeps_the_selection_in_sight(tmp_path: Path) -> None:
    path = build_project(tmp_path / "p.db")
    add_document(path, "monologue", [" ".join(f"Word{i:03d}x is here." for i in range(1, 121))])
    app = CoderApp(path, coder="alice", document="monologue")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s", *["down"] * 99)
        view = app.screen.query_one(ParagraphView)
        assert view.selection is not None
        assert "Word100x" in view_text(app)
        await pilot.resize_terminal(110, 24)
        await pilot.pause()
        assert view.span_mode
        assert "Word100x" in view_text(app)
