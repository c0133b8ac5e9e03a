"""Drive the review screen headless: decide, quit, reopen, undo, and read the outcome back."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static

from coder.agreement import cut
from coder.store import Store
from coder.tui.app import CoderApp
from coder.tui.screens.review import AgreementScreen, ReviewScreen
from coder.tui.widgets.bars import StatusLine
from coder.tui.widgets.review_panels import ReviewHeader, SidePanel

SIZE = (120, 40)


def code_both(path: Path) -> None:
    """notes ¶2 (the tricky text): alice stigma, bob nothing; ¶3: labels disputed (stigma
    agreed); ¶4: belonging disputed (leaving-care agreed; bob's is the span "At 18");
    ¶5: alice belonging, bob labels; ¶6 agreed (leaving-care). Queue: ¶2 ¶3 ¶4 ¶5."""
    with Store(path) as store:
        a, b = store.coder_id("alice"), store.coder_id("bob")
        code = {c.key: c.id for c in store.codes()}
        p = {x.n: x.id for x in store.paragraphs(1)}
        for coder, n, key, span in [
            (a, 2, "stigma", None),
            (a, 3, "stigma", None), (a, 3, "labels", None), (b, 3, "stigma", None),
            (a, 4, "leaving-care", None), (b, 4, "leaving-care", (0, 5)),
            (b, 4, "belonging", None),
            (a, 5, "belonging", None), (b, 5, "labels", None),
            (a, 6, "leaving-care", None), (b, 6, "leaving-care", None),
        ]:
            store.add_segment(coder, p[n], code[key], *(span or (None, None)))


def consensus(path: Path) -> set[tuple[int, str, str | None]]:
    with Store(path) as store:
        return {(r.n, r.code_key, r.quote if r.start is not None else None)
                for r in store.segment_rows(coders=["consensus"])}


def alice_and_bob(path: Path) -> list[tuple]:
    with Store(path) as store:
        return [(r.segment_id, r.coder, r.n, r.code_key, r.start, r.end)
                for r in store.segment_rows(coders=["alice", "bob"])]


def header(app: CoderApp) -> str:
    return app.screen.query_one(ReviewHeader).shown


def panel(app: CoderApp, name: str) -> str:
    widget = app.screen.query_one(f"#review-{name}", SidePanel)
    return f"{widget.border_title}\n{widget.shown}"


def text_of(app: CoderApp, selector: str) -> str:
    return app.screen.query_one(selector, Static).content.plain


def status(app: CoderApp) -> str:
    return app.screen.query_one(StatusLine).message


def review_app(path: Path) -> CoderApp:
    return CoderApp(db_path=path, coder="consensus", review=("alice", "bob"))


async def test_decide_quit_and_resume(project: Path) -> None:
    code_both(project)
    originals = alice_and_bob(project)
    app = review_app(project)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, ReviewScreen)
        assert "notes ¶2" in header(app) and "0 of 4 decided" in header(app)
        shown = text_of(app, "#review-text")
        assert shown.startswith("See [Spotlight Inquiry](#) and [bold]not bold[/] from <v Bob>")
        assert shown.endswith("here␇ bell.")
        assert "Stigma" in panel(app, "a") and "no codes" in panel(app, "b")
        assert "Being treated differently" in text_of(app, "#review-definition")
        assert text_of(app, "#review-note").startswith(
            "Codes both applied (3 on 3 paragraphs) were copied to consensus when this review "
            "began")
        assert consensus(project) == {(3, "stigma", None), (4, "leaving-care", None),
                                      (6, "leaving-care", None)}
        await pilot.press("a")
        assert status(app) == "saved: ¶2 took A's (Stigma)"
        assert "notes ¶3" in header(app) and "1 of 4 decided" in header(app)
        assert "Labels" in panel(app, "a") and "Stigma agreed" in panel(app, "b")
        await pilot.press("b")
        assert "notes ¶4" in header(app) and "2 of 4 decided" in header(app)
        assert "“At 18”" in panel(app, "b")
        assert "Feeling part of a community" in text_of(app, "#review-definition")
        await pilot.press("k")  # up to leaving-care, which bob coded on "At 18" only
        assert "The move out of care at 18" in text_of(app, "#review-definition")
        text = app.screen.query_one("#review-text", Static).content
        assert [(s.start, s.end) for s in text.spans if s.style.underline] == [(0, 5)]
        await pilot.press("space")
        assert status(app) == "both coders applied this code: it is in the consensus already"
        await pilot.press("q")
    assert consensus(project) == {(2, "stigma", None), (3, "stigma", None),
                                  (4, "leaving-care", None), (6, "leaving-care", None)}

    app = review_app(project)
    async with app.run_test(size=SIZE) as pilot:
        assert "notes ¶4" in header(app) and "2 of 4 decided" in header(app)
        assert status(app) == "resumed: 2 of 4 decided"
        await pilot.press("p")
        assert "notes ¶3" in header(app)
        assert panel(app, "consensus").startswith("consensus: took bob's")
        await pilot.press("n", "2")
        assert "notes ¶5" in header(app) and "3 of 4 decided" in header(app)
        await pilot.press("0")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, AgreementScreen)
        summary = app.screen.summary
        assert summary is not None
        assert [p.coders for p in (summary.before, *summary.after)] == [
            ("alice", "bob"), ("alice", "consensus"), ("bob", "consensus")]
        console = Console(width=110, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#review-agreement-table", Static).content)
        shown = console.export_text()
        assert "All 4 disagreements decided" in str(app.screen.query_one(".dialog-title")
                                                    .content)
        assert "alice vs bob" in shown and "bob vs consensus" in shown
        assert "Krippendorff's α (pooled over codes)" in shown
        before = summary.before.alpha.value
        [alpha_row] = [line for line in shown.splitlines() if "(pooled over codes)" in line]
        assert alpha_row.split("│")[2].strip() == cut(before)  # as `coder agree` prints it
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("q")
    assert consensus(project) == {
        (2, "stigma", None), (3, "stigma", None), (4, "leaving-care", None),
        (4, "belonging", None), (6, "leaving-care", None)}
    assert alice_and_bob(project) == originals
    with Store(project) as store:
        decisions = [e["decision"] for e in store.events("review decision")]
    assert decisions == ["a", "b", "both", "neither"]


async def test_undo_and_code_by_code(project: Path) -> None:
    code_both(project)
    app = review_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        assert "1 of 4 decided" in header(app)
        await pilot.press("u")
        assert status(app) == "undone: ¶2 is undecided again"
        assert "notes ¶2" in header(app) and "0 of 4 decided" in header(app)
        await pilot.press("u")
        assert status(app) == "nothing to undo"
        await pilot.press("n", "n", "n")  # ¶5: belonging (A) against labels (B)
        assert "notes ¶5" in header(app)
        assert "Labels" in text_of(app, "#review-definition")
        await pilot.press("enter")
        assert "space keeps or drops" in status(app)
        await pilot.press("space")
        assert panel(app, "consensus").startswith("consensus: choosing code by code")
        assert "☑" in panel(app, "consensus") and "☐" in panel(app, "consensus")
        await pilot.press("enter")
        assert status(app) == "saved: ¶5 chose code by code (kept Labels)"
        assert "notes ¶2" in header(app)
    assert consensus(project) >= {(5, "labels", None)}
    assert (5, "belonging", None) not in consensus(project)


async def test_unknown_coder_and_nothing_to_reconcile(project: Path) -> None:
    app = review_app(project)
    async with app.run_test(size=SIZE) as pilot:
        assert status(app) == "no coder 'alice' in this project (coders: none yet)"
        assert app.screen.query_one(StatusLine).has_class("-error")
        await pilot.press("a", "u", "n", "equals_sign")
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("q")
    with Store(project) as store:
        stigma = store.code("stigma").id
        store.add_segment(store.coder_id("alice"), store.paragraphs(1)[2].id, stigma)
        store.add_segment(store.coder_id("bob"), store.paragraphs(2)[1].id, stigma)
    app = review_app(project)
    async with app.run_test(size=SIZE) as pilot:
        assert "they have no document in common yet" in text_of(app, "#review-text")
        assert status(app) == "nothing to reconcile; q leaves"
        await pilot.press("a", "u", "n", "q")
    with Store(project) as store:
        assert "consensus" not in store.coders()
        assert store.events("review decision") == []


REPO = Path(__file__).resolve().parents[2]


def two_coder_example(path: Path) -> Path:
    """The README's walk-through project: both evidence sessions, the sample codebook, and
    examples/two-coders' blind codings by alice and bob."""
    from click.testing import CliRunner

    from coder.cli import main

    seeds = REPO / "seeds"
    for args in (["import", str(seeds / "west-midlands-evidence-session-2021-03.txt"),
                  str(seeds / "east-of-england-evidence-session-2021-05.txt")],
                 ["codebook", "use", str(REPO / "codebooks" / "care-and-community.yaml")],
                 ["codings", "import", str(REPO / "examples" / "two-coders" / "alice.csv")],
                 ["codings", "import", str(REPO / "examples" / "two-coders" / "bob.csv")]):
        result = CliRunner().invoke(main, [*args, "--db", str(path)])
        assert result.exit_code == 0, result.output
    return path


def visible_in(app: CoderApp, selector: str) -> str:
    """The text the terminal shows inside one widget's region."""
    region = app.screen.query_one(selector).region
    strips = app.screen._compositor.render_strips()
    return "\n".join(strips[y].text[region.x:region.right]
                     for y in range(region.y, region.bottom))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_code_being_decided_is_always_in_sight(tmp_path: Path,
                                                         size: tuple[int, int]) -> None:
    project = two_coder_example(tmp_path / "two.db")
    app = review_app(project)
    async with app.run_test(size=size) as pilot:
        await pilot.press("n", "n", "n")
        assert "¶75" in header(app)
        assert app.screen.cursor == "ce-parents"
        shown = visible_in(app, "#review-a")
        assert "▶" in shown and "Care-experienced" in shown
        await pilot.press("up")
        shown = visible_in(app, "#review-a")
        assert "▶   Being heard" in shown
        assert "▶   Being heard" in visible_in(app, "#review-b")
