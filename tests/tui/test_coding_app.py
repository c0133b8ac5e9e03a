"""Drive every binding of the coding app headless, then check the project file and the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_project
from rich.console import Console
from textual import events
from textual.widgets import Input

from coder.codebook import RESERVED_KEYS, load_codebook
from coder.models import ParagraphIn, ParsedDocument
from coder.store import Store
from coder.tui.app import CoderApp
from coder.tui.screens.ask_coder import AskCoderScreen
from coder.tui.screens.coding import CodingScreen
from coder.tui.screens.help import HelpScreen
from coder.tui.screens.review import ReviewScreen
from coder.tui.widgets.bars import StatusLine, TopBar
from coder.tui.widgets.paragraph_view import ParagraphView

SIZE = (120, 40)


def codings(path: Path, coder: str = "alice") -> list[tuple[str, int, str, str | None]]:
    """(document, paragraph number, code key, quote or None) of a coder's live segments."""
    with Store(path) as store:
        return [
            (r.document, r.n, r.code_key, r.quote if r.start is not None else None)
            for r in store.segment_rows(coders=[coder])
        ]


def view_text(app: CoderApp) -> str:
    view = app.screen.query_one(ParagraphView)
    return "\n".join(view.render_line(y).text for y in range(view.size.height))


def status(app: CoderApp) -> str:
    return app.screen.query_one(StatusLine).message


def top_bar(app: CoderApp) -> str:
    return str(app.screen.query_one(TopBar).render())


def current_n(app: CoderApp) -> int:
    view = app.screen.query_one(ParagraphView)
    return app.session.paragraphs[view.current_index].n


async def goto(pilot, n: int) -> None:
    await pilot.press("colon", *str(n), "enter")


async def test_code_and_uncode_a_paragraph_by_shortcut(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "b")
        assert codings(project) == [("notes", 3, "stigma", None)]
        assert status(app) == "saved: Stigma on ¶3"
        assert " Stigma " in view_text(app)
        assert "Stigma 1" in str(app.screen.query_one("#codebook").cursor_node.label)
        await pilot.press("b")
        assert codings(project) == []
        assert status(app) == "saved: removed Stigma from ¶3"
        await pilot.press("down", "h", "l")
        assert codings(project) == [("notes", 4, "labels", None), ("notes", 4, "leaving-care", None)]


async def test_keys_typed_ahead_land_in_order(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "j", "l", "k", "b")
        assert codings(project) == [("notes", 3, "stigma", None), ("notes", 4, "leaving-care", None)]


async def test_span_coding_by_word_and_sentence(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, 3)
        await pilot.press("s", "right", "shift+right", "shift+right", "h")
        text = "People hear care and assume you did something wrong. It follows you."
        assert codings(project) == [("notes", 3, "labels", "hear care and")]
        assert "“hear care and”" in view_text(app)
        assert not app.screen.query_one(ParagraphView).span_mode
        await pilot.press("s", "down", "b")
        await pilot.press("s", "down", "down", "l")
        rows = codings(project)
        assert ("notes", 3, "stigma", text.split(" It")[0]) in rows
        assert ("notes", 3, "leaving-care", "It follows you.") in rows
        await pilot.press("s", "right", "escape")
        assert not app.screen.query_one(ParagraphView).span_mode
        assert len(codings(project)) == 3


async def test_span_coding_through_the_picker_and_uncoding_it(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, 4)
        await pilot.press("s", "shift+right", "c", *"belo", "enter")
        assert codings(project) == [("notes", 4, "belonging", "At 18")]
        await pilot.press("s", "shift+right", "c", *"belo", "enter")
        assert codings(project) == []


async def test_mouse_click_and_drag_select_a_span(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(ParagraphView)
        lines = view_text(app).splitlines()
        y = next(i for i, line in enumerate(lines) if "At 18 the support" in line)
        x = lines[y].index("At 18") + view.region.x - view.region.x
        await pilot.click(view, offset=(x + 1, y))
        assert current_n(app) == 4
        end_x = lines[y].index("support") + 2
        await pilot.mouse_down(view, offset=(x + 6, y))
        await pilot._post_mouse_events([events.MouseMove], view, offset=(end_x, y), button=1)
        await pilot.mouse_up(view, offset=(end_x, y))
        assert view.span_mode
        await pilot.press("l")
        assert codings(project) == [("notes", 4, "leaving-care", "the support")]


async def test_paragraph_and_segment_memos(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, 5)
        await pilot.press("m", *"home", "ctrl+s")
        with Store(project) as store:
            alice = store.coder_id("alice")
            para = store.paragraph_at(store.document("notes").id, 5)
            assert store.paragraph_memo(alice, para.id) == "home"
        assert status(app) == "saved: memo on ¶5"
        assert "✎ home" in view_text(app)
        await pilot.press("l", "m", "shift+tab", "down", "tab", *"why", "ctrl+s")
        with Store(project) as store:
            segs = store.segments(paragraph_id=para.id)
            assert [s.memo for s in segs] == ["why"]
            assert store.paragraph_memo(alice, para.id) == "home"
        await pilot.press("m", "ctrl+u", "ctrl+s")
        with Store(project) as store:
            assert store.paragraph_memo(alice, para.id) is None


async def test_memo_escape_cancels_and_the_save_button_saves(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, 4)
        with Store(project) as store:
            alice = store.coder_id("alice")
            para = store.paragraph_at(store.document("notes").id, 4)
        await pilot.press("m")
        assert "esc cancels without saving" in str(app.screen.query_one(".dialog-help").render())
        await pilot.press(*"lost", "escape")
        assert isinstance(app.screen, CodingScreen)
        with Store(project) as store:
            assert store.paragraph_memo(alice, para.id) is None
        assert status(app) == "memo closed without saving"
        assert "lost" not in view_text(app)
        await pilot.press("m", *"kept", "tab")
        assert app.screen.focused.id == "memo-save"
        await pilot.press("enter")
        with Store(project) as store:
            assert store.paragraph_memo(alice, para.id) == "kept"
        assert status(app) == "saved: memo on ¶4"
        await pilot.press("m", *" more", "tab", "tab")
        assert app.screen.focused.id == "memo-cancel"
        await pilot.press("enter")
        with Store(project) as store:
            assert store.paragraph_memo(alice, para.id) == "kept"
        await pilot.press("m", "ctrl+s")
        assert status(app) == "memo unchanged"
        await pilot.press("u")
        with Store(project) as store:
            assert store.paragraph_memo(alice, para.id) is None


async def test_undo_and_redo_survive_a_restart(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "b", "j", "l")
        assert len(codings(project)) == 2
        await pilot.press("q")
    assert app.return_code == 0

    again = CoderApp(project, coder="alice")
    async with again.run_test(size=SIZE) as pilot:
        assert current_n(again) == 4
        await pilot.press("u")
        assert codings(project) == [("notes", 3, "stigma", None)]
        assert status(again) == "undone: removed Leaving care from ¶4"
        await pilot.press("u")
        assert codings(project) == []
        await pilot.press("U")
        assert codings(project) == [("notes", 3, "stigma", None)]
        await pilot.press("ctrl+r")
        assert len(codings(project)) == 2
        await pilot.press("U")
        assert status(again) == "nothing to redo"
        assert " Leaving care " in view_text(again)


async def test_undo_of_work_in_another_document_opens_it(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "b", "d", "down", "enter")
        assert app.session.document.name == "blog"
        await pilot.press("u")
        assert app.session.document.name == "notes"
        assert codings(project) == []
        assert current_n(app) == 2


async def test_search_all_documents_and_jump_to_a_hit(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"youth")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        assert current_n(app) == 5
        assert app.session.document.name == "notes"
        await pilot.press("slash", *"plym")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        assert app.session.document.name == "blog"
        assert current_n(app) == 2
        await pilot.press("l")
        assert codings(project) == [("blog", 2, "leaving-care", None)]


async def test_f3_and_ctrl_g_go_to_the_next_hit_of_the_last_search(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        assert status(app).startswith("no search yet")
        assert current_n(app) == 1
        await pilot.press("slash", *"care")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        assert (app.session.document.name, current_n(app)) == ("notes", 3)
        assert status(app) == "search “care”: hit 1 of 3, ¶3 · F3 next"
        await pilot.press("f3")
        assert (app.session.document.name, current_n(app)) == ("notes", 6)
        await pilot.press("b", "ctrl+g")
        assert (app.session.document.name, current_n(app)) == ("blog", 2)
        assert status(app) == "search “care”: hit 3 of 3, ¶2 · F3 next"
        await pilot.press("l", "f3")
        assert (app.session.document.name, current_n(app)) == ("notes", 3)
        assert "back at the first hit" in status(app)
        await goto(pilot, 4)
        await pilot.press("f3", "h")
        assert current_n(app) == 6
    assert codings(project) == [("notes", 6, "stigma", None), ("notes", 6, "labels", None),
                                ("blog", 2, "leaving-care", None)]


async def test_filter_to_paragraphs_carrying_a_code(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "h", "j", "j", "b")
        await pilot.press("f", *"stig", "enter")
        view = app.screen.query_one(ParagraphView)
        numbers = [app.session.paragraphs[i].n for i in view.rows]
        assert numbers == [3, 5]
        assert "filter: Stigma (2 ¶)" in top_bar(app)
        assert status(app) == "filter: 2 paragraphs carry Stigma; f again shows all"
        assert "At 18" not in view_text(app)
        await pilot.press("f")
        assert len(view.rows) == 6
        assert "filter" not in top_bar(app)
        await pilot.press("f", *"lea", "enter")
        assert len(view.rows) == 6
        assert "no paragraph here carries Leaving care" in status(app)
        await pilot.press("f", *"labels", "enter")
        assert status(app) == "filter: 1 paragraph carries Labels; f again shows all"


async def test_switch_document_shows_progress_and_remembers_place(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "b", "d")
        switcher = app.screen
        prompts = [str(switcher.query_one("OptionList").get_option_at_index(i).prompt)
                   for i in range(2)]
        assert "1/6 ¶ coded" in prompts[0] and "in progress" in prompts[0]
        assert "0/3 ¶ coded" in prompts[1] and "not started" in prompts[1]
        await pilot.press("down", "enter")
        assert app.session.document.name == "blog"
        assert "blog" in top_bar(app)
        await pilot.press("j", "l", "d", "up", "enter")
        assert app.session.document.name == "notes"
        assert current_n(app) == 3
    assert codings(project) == [("notes", 3, "stigma", None), ("blog", 2, "leaving-care", None)]


async def test_switch_document_with_j_and_k(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        options = app.screen.query_one("#switcher-documents")
        assert options.highlighted == 0
        await pilot.press("j", "j", "j")
        assert options.highlighted == 1
        await pilot.press("enter", "j", "l")
        assert app.session.document.name == "blog"
        await pilot.press("d", "k", "k")
        assert app.screen.query_one("#switcher-documents").highlighted == 0
        await pilot.press("enter", "j", "b")
        assert app.session.document.name == "notes"
    assert codings(project) == [("notes", 2, "stigma", None), ("blog", 2, "leaving-care", None)]


async def test_add_code_on_the_fly_and_to_the_codebook_file(project: Path, tmp_path: Path) -> None:
    yaml_path = tmp_path / "book.yaml"
    yaml_path.write_text(
        "name: Small\ncodes:\n  - key: stigma\n    name: Stigma\n    shortcut: b\n"
        "    codes:\n      - key: labels\n        name: Labels\n        shortcut: h\n"
        "  - key: leaving-care\n    name: Leaving care\n    shortcut: l\n"
        "  - key: belonging\n    name: Belonging\n",
        encoding="utf-8",
    )
    with Store(project) as store:
        store.set_setting("codebook_path", str(yaml_path))
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, 4)
        await pilot.press("a", *"Rent", "tab")
        await pilot.press("enter", *"leav", "enter")
        await pilot.press("tab", "tab", "t", "tab", "tab", "space", "ctrl+s")
        assert status(app) == "saved: new code Rent on ¶4; added to book.yaml"
        with Store(project) as store:
            code = store.code("rent")
            assert code.name == "Rent" and code.shortcut == "t"
            assert store.codes()[[c.key for c in store.codes()].index("rent")].path == \
                "Leaving care/Rent"
        assert codings(project) == [("notes", 4, "rent", None)]
        book = load_codebook(yaml_path)
        assert book.by_key("rent").parent_key == "leaving-care"
        assert book.by_key("rent").shortcut == "t"
        await pilot.press("j", "t")
        assert ("notes", 5, "rent", None) in codings(project)
        await pilot.press("a", *"rent", "tab", "enter", *"leav", "enter", "ctrl+s")
        assert "already a code named 'rent' under Leaving care" in str(
            app.screen.query_one("#add-error").render())
        await pilot.press("escape")


async def test_a_failed_write_back_to_the_codebook_file_is_reported(
        project: Path, tmp_path: Path) -> None:
    yaml_path = tmp_path / "book.yaml"
    broken = "name: Small\ncodes:\n  - key: stigma\n    name: Stigma\n   bad: [\n"
    yaml_path.write_text(broken, encoding="utf-8")
    with Store(project) as store:
        store.set_setting("codebook_path", str(yaml_path))
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, 4)
        await pilot.press("a", *"Rent", "tab", "tab", "tab", "tab", "tab", "space", "ctrl+s")
        await pilot.pause()
        message = status(app)
        assert message.startswith("saved: new code Rent on ¶4; NOT added to the codebook file")
        assert f"{yaml_path}:5:" in message
        assert app.screen.query_one(StatusLine).has_class("-error")
        assert any(f"{yaml_path}:5:" in n.message for n in app._notifications)
    assert codings(project) == [("notes", 4, "rent", None)]
    assert yaml_path.read_text(encoding="utf-8") == broken


async def test_mark_document_done_and_undo_it(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D")
        with Store(project) as store:
            assert store.status(store.coder_id("alice"), store.document("notes").id) == "done"
        assert "done" in top_bar(app)
        await pilot.press("D")
        with Store(project) as store:
            assert store.status(store.coder_id("alice"), store.document("notes").id) == \
                "in progress"
        await pilot.press("u", "u")
        with Store(project) as store:
            assert store.status(store.coder_id("alice"), store.document("notes").id) == \
                "not started"


async def test_jump_next_uncoded_and_movement_keys(tmp_path: Path) -> None:
    project = build_project(tmp_path / "long.db", long_document=300)
    app = CoderApp(project, coder="alice", document="long")
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, 120)
        assert current_n(app) == 120
        await pilot.press("G")
        assert current_n(app) == 300
        await pilot.press("g")
        assert current_n(app) == 1
        await pilot.press("end", "up", "k")
        assert current_n(app) == 298
        await pilot.press("home", "down", "j")
        assert current_n(app) == 3
        await pilot.press("pagedown")
        after_page = current_n(app)
        assert after_page > 5
        assert f"¶{after_page}/300" in top_bar(app)
        await pilot.press("pageup")
        assert current_n(app) < after_page
        await pilot.press("g", "b", "j", "b", "j", "j", "b", "g", "n")
        assert current_n(app) == 3
        await pilot.press("n")
        assert current_n(app) == 5
        await pilot.press("G", "N")
        assert current_n(app) == 299
        await goto(pilot, 9999)
        assert current_n(app) == 300


async def test_blind_by_default_others_shown_on_request(project: Path) -> None:
    with Store(project) as store:
        bob = store.coder_id("bob")
        para = store.paragraph_at(store.document("notes").id, 3)
        store.toggle_segment(bob, para.id, store.code("leaving-care").id)
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, 3)
        assert "Leaving care" not in view_text(app)
        assert "blind: only your codings" in top_bar(app)
        await pilot.press("o")
        assert "Leaving care ·bob" in view_text(app)
        assert "showing others: bob" in top_bar(app)
        await pilot.press("f", *"lea", "enter")
        assert [app.session.paragraphs[i].n for i in app.screen.query_one(ParagraphView).rows] \
            == [3]
        await pilot.press("f", "o")
        assert "Leaving care" not in view_text(app)
        assert "blind" in top_bar(app)


async def test_coder_name_is_asked_once_and_remembered(project: Path) -> None:
    app = CoderApp(project)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, AskCoderScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, AskCoderScreen)
        await pilot.press(*"carol", "enter")
        assert isinstance(app.screen, CodingScreen)
        assert "coder: carol" in top_bar(app)
        await pilot.press("j", "b")
    assert codings(project, "carol") == [("notes", 2, "stigma", None)]
    with Store(project) as store:
        assert store.get_setting("last_coder") == "carol"
    again = CoderApp(project)
    async with again.run_test(size=SIZE) as pilot:
        assert isinstance(again.screen, CodingScreen)
        assert again.session.coder == "carol"


async def test_a_name_differing_from_a_known_coder_only_in_case_is_refused(
    project: Path,
) -> None:
    with Store(project) as store:
        store.coder_id("carol")
    app = CoderApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Carol ", "enter")
        assert isinstance(app.screen, AskCoderScreen)
        error = str(app.screen.query_one("#ask-error").render())
        assert "there is a coder 'carol' already" in error
        await pilot.press(*["backspace"] * 6, *"dana", "enter")
        assert isinstance(app.screen, CodingScreen)
    with Store(project) as store:
        assert store.coders() == ["carol", "dana"]


async def test_transcript_text_is_shown_literally(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        text = view_text(app)
        assert "See [Spotlight Inquiry](#) and [bold]not bold[/] from <v Bob>" in text
        assert "\t" not in text and "\x07" not in text
        assert "␇ bell." in text
        assert "here" in text.split("<v Bob>")[1].split("␇")[0]
        await pilot.press("s", *["shift+right"] * 3, "b")
        assert codings(project) == [("notes", 2, "stigma", "See [Spotlight Inquiry](#) and")]
        assert "“See [Spotlight Inquiry](#) and”" in view_text(app)


async def test_control_characters_in_names_and_text_never_crash(tmp_path: Path) -> None:
    path = tmp_path / "odd.db"
    with Store(path) as store:
        store.add_document("odd\x1b[31m", ParsedDocument("text", [
            ParagraphIn("\x1b[2J\x00nul \u202eevil\u202c \r\n line \u2028 sep", speaker="[b]X[/b]"),
            ParagraphIn("", kind="text"),
            ParagraphIn("wide 漢字漢字 " * 30),
        ]), source_path=None, content_hash="odd")
        store.sync_codes([{"key": "k", "name": "[red]Odd[/red]", "parent_key": None,
                           "shortcut": "b", "color": "not-a-colour"}])
    app = CoderApp(path, coder="[x]")
    async with app.run_test(size=(80, 24)) as pilot:
        text = view_text(app)
        assert "␛[2J␀nul" in text
        assert "[b]X[/b]:" in text
        await pilot.press("b", "j", "s", "b", "j", "s", "shift+right", "b")
        assert "nothing to select" not in status(app)
        assert "[red]Odd[/red]" in view_text(app)
        assert "coder: [x]" in top_bar(app)
    rows = codings(path, "[x]")
    assert [(n, quote) for _, n, _, quote in rows] == [(1, None), (2, None), (3, "wide 漢字漢字")]


async def test_help_lists_every_binding(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=200, record=True)
        console.print(app.screen.content)
        rendered = console.export_text()
        for binding in CodingScreen.BINDINGS + ParagraphView.BINDINGS:
            assert (binding.tooltip or binding.description) in rendered
        assert "Labels" in rendered and "Shift+→" in rendered
        review = rendered.split("Reviewing disagreements (coder review A B)")[1]
        for binding in ReviewScreen.BINDINGS:
            assert binding.tooltip and binding.tooltip in review
        lines = review.splitlines()
        assert any(line.split()[:3] == ["2,", "+", "take"] for line in lines)
        assert any(line.split()[:2] == ["=", "agreement"] for line in lines)
        await pilot.press("escape")
        assert isinstance(app.screen, CodingScreen)


async def test_quit_never_asks_and_everything_is_already_saved(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "b", "q")
        assert not app.is_running
    assert codings(project) == [("notes", 2, "stigma", None)]


async def test_empty_project_opens_with_a_hint(tmp_path: Path) -> None:
    app = CoderApp(tmp_path / "empty.db", coder="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        assert "coder import" in view_text(app)
        await pilot.press("j", "b", "s", "m", "n", "D", "c")
        await pilot.press("escape", "q")


def test_app_keys_are_reserved_in_the_codebook() -> None:
    """A code shortcut can never shadow one of the app's own keys."""
    from textual.keys import key_to_character

    for binding in CodingScreen.BINDINGS:
        for key in binding.key.split(","):
            key = key.strip()
            char = key_to_character(key)
            if char is not None and char.isprintable():
                assert char in RESERVED_KEYS or key in RESERVED_KEYS, key


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_side_panel_fits_small_terminals(project: Path, size: tuple[int, int]) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=size) as pilot:
        await pilot.press("j", "j", "b")
        side = app.screen.query_one("#side")
        view = app.screen.query_one(ParagraphView)
        assert view.size.width >= 48
        assert side.display
        assert app.screen.query_one("#documents").display == (size[0] >= 100)
        assert "People hear care" in view_text(app)


async def test_no_color_keeps_codes_apart_by_their_names(project: Path, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.no_color
        await pilot.press("j", "j", "b", "h", "l", "m", *"memo", "ctrl+s", "o", "question_mark")
        await pilot.press("escape")
        text = view_text(app)
        assert " Stigma " in text and " Labels " in text and " Leaving care " in text
        assert "✎ memo" in text


async def test_a_write_the_file_refuses_is_reported_not_claimed(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        app.store.conn.execute("PRAGMA busy_timeout = 50")
        blocker = Store(project)
        blocker.conn.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("j", "j", "b")
            assert "nothing was saved" in status(app)
            assert " Stigma " not in view_text(app)
        finally:
            blocker.conn.execute("ROLLBACK")
            blocker.close()
        await pilot.press("b")
        assert status(app) == "saved: Stigma on ¶3"
    assert codings(project) == [("notes", 3, "stigma", None)]


async def test_codebook_click_shows_double_click_applies(project: Path) -> None:
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        tree = app.screen.query_one("#codebook")
        line = next(i for i in range(tree.last_line + 1)
                    if tree.get_node_at_line(i).data == app.session.code_by_shortcut["l"].id)
        await pilot.click(tree, offset=(8, line + 1))
        assert "Leaving care" in str(app.screen.query_one("#detail").render())
        assert codings(project) == []
        await pilot.click(tree, offset=(8, line + 1), times=2)
        assert codings(project) == [("notes", 1, "leaving-care", None)]


async def test_undo_onto_a_retired_code_brings_the_code_back_and_says_so(project: Path) -> None:
    from factories import SMALL_CODES

    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, 4)
        await pilot.press("l", "l")
    with Store(project) as store:
        store.sync_codes([c for c in SMALL_CODES if c["key"] != "leaving-care"])
        assert "leaving-care" not in {c.key for c in store.codes()}
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        assert "Leaving care" not in str(app.screen.query_one("#codebook").root.children)
        await pilot.press("u")
        assert status(app) == "undone: Leaving care on ¶4 — Leaving care back in the codebook"
        with Store(project) as store:
            assert "leaving-care" in {c.key for c in store.codes()}
        assert any("Leaving care" in str(node.label)
                   for node in app.screen.query_one("#codebook").root.children)
    assert codings(project) == [("notes", 4, "leaving-care", None)]


async def test_an_exclusive_group_takes_one_sub_code_at_a_time(project: Path) -> None:
    from coder.exclusive import set_exclusive_groups

    with Store(project) as store:
        store.add_code("slurs", "Slurs", parent_key="stigma", shortcut="w")
        set_exclusive_groups(store, ["stigma"])
    app = CoderApp(project, coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "h", "w")
        assert codings(project) == [("notes", 3, "slurs", None)]
        assert status(app) == ("saved: Slurs on ¶3, replacing Labels (Stigma is exclusive: one"
                               " sub-code per paragraph; u undoes both)")
        assert " Slurs " in view_text(app) and " Labels " not in view_text(app)
        await pilot.press("u")
        assert codings(project) == [("notes", 3, "labels", None)]
        assert status(app) == "undone: Labels back in place of Slurs on ¶3"
        await pilot.press("w", "h", "w", "l")  # a burst: the last sub-code stands
        assert sorted(codings(project)) == [("notes", 3, "leaving-care", None),
                                            ("notes", 3, "slurs", None)]
        await pilot.press("j", "q")
    with Store(project) as store:
        assert store.reading_mark(store.coder_id("alice"), 1) == 4


async def test_a_name_with_a_control_character_is_refused_at_the_prompt(project: Path) -> None:
    app = CoderApp(project)
    async with app.run_test(size=SIZE) as pilot:
        name = app.screen.query_one(Input)
        name.value = "ali\x1bce"
        await pilot.press("enter")
        assert isinstance(app.screen, AskCoderScreen)
        error = str(app.screen.query_one("#ask-error").render())
        assert "cannot hold a line break, a tab or another control" in error
        assert "\x1b" not in error
        name.value = ""
        await pilot.press(*"alice", "enter")
        assert isinstance(app.screen, CodingScreen)
    with Store(project) as store:
        assert store.coders() == ["alice"]
