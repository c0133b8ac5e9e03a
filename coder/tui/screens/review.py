"""The review screen: two coders' disagreements, one paragraph at a time, settled by one key.

The outcome goes to a consensus coder through `coder.reconcile`, which writes one transaction
per decision and logs it, so the status line's "saved" is true and quitting at any point loses
nothing: the next review of the same coders starts at the first paragraph still undecided.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from ...agreement import Metric, cut
from ...errors import CoderError
from ...reconcile import (
    AgreementSummary,
    Disagreement,
    Review,
    agreement_summary,
    decision_label,
)
from ...session import SAVE_ERRORS
from ...store import Store
from ...text import clean
from ..widgets.bars import StatusLine
from ..widgets.code_detail import describe
from ..widgets.footer import SteadyFooter
from ..widgets.review_panels import ReviewHeader, SidePanel, code_lines, paragraph_text

DECISION_WORDS = {"a": "A's", "b": "B's", "both": "both", "neither": "neither"}
# Grouped in a compact footer, so that the keys that matter fit 80 columns (= is in the help,
# and the agreement shows by itself once the last disagreement is decided).
DECIDE = Binding.Group("A's/B's/both/neither")
STEP = Binding.Group("next/prev")
SCROLL = Binding.Group("scroll")


class ReviewScreen(Screen[None]):
    """Every disagreement between two coders, with their codes side by side."""

    DEFAULT_CSS = """
    ReviewScreen { layout: vertical; }
    ReviewHeader { height: 1; background: $panel; }
    #review-note { width: 100%; height: auto; color: $text-muted; padding: 0 1; }
    #review-body { height: 1fr; }
    #review-text-scroll {
        height: auto; max-height: 40%;
        border: round $primary 40%; border-title-color: $text;
        padding: 0 1;
    }
    #review-sides { height: auto; max-height: 16; }
    SidePanel > .side-body { height: auto; }
    SidePanel {
        width: 1fr; height: auto; min-height: 4; max-height: 16;
        border: round $primary 40%; border-title-color: $text; padding: 0 1;
    }
    #review-consensus { border: round $success 60%; }
    #review-definition {
        height: 1fr; min-height: 5;
        border: round $primary 40%; border-title-color: $text-muted; padding: 0 1;
    }
    ReviewScreen Footer.-compact FooterLabel { margin: 0 1 0 0; }
    ReviewScreen Footer.-compact FooterKey.-grouped { margin: 0 1 0 0; }
    ReviewScreen.-short #review-text-scroll { max-height: 6; }
    ReviewScreen.-short #review-sides { max-height: 8; }
    ReviewScreen.-short SidePanel { max-height: 8; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "decide('a')", "A's", tooltip="take A's codes for this paragraph",
                group=DECIDE),
        Binding("b", "decide('b')", "B's", tooltip="take B's codes for this paragraph",
                group=DECIDE),
        Binding("2,plus", "decide('both')", "both", tooltip="take both coders' codes",
                group=DECIDE),
        Binding("0,x", "decide('neither')", "neither",
                tooltip="take neither: only the codes both applied", group=DECIDE),
        Binding("down,j", "cursor(1)", "next code", show=False,
                tooltip="highlight the next code (its definition shows below)"),
        Binding("up,k", "cursor(-1)", "previous code", show=False,
                tooltip="highlight the previous code"),
        Binding("space", "toggle_keep", "keep/drop", show=False,
                tooltip="code by code: keep or drop the highlighted code, then enter saves"),
        Binding("enter", "save_choice", "save choice", show=False,
                tooltip="save the code-by-code choice"),
        Binding("escape", "clear_choice", "clear choice", show=False,
                tooltip="forget the code-by-code choice"),
        Binding("n", "step(1)", "next", tooltip="next disagreement", group=STEP),
        Binding("p", "step(-1)", "previous", tooltip="previous disagreement", group=STEP),
        Binding("pageup", "scroll_text(-1)", "scroll up", key_display="PgUp",
                tooltip="scroll a long paragraph up", group=SCROLL),
        Binding("pagedown", "scroll_text(1)", "scroll down", key_display="PgDn",
                tooltip="scroll a long paragraph down", group=SCROLL),
        Binding("u", "undo", "undo", tooltip="undo the last decision (works after a restart)"),
        Binding("equals_sign", "agreement", "agreement", show=False,
                tooltip="agreement before and after the review"),
        Binding("question_mark", "help", "help", tooltip="help: the review keys"),
        Binding("q", "back", "back", tooltip="leave the review (everything is saved)"),
    ]

    def __init__(self, store: Store, coders: tuple[str, str], *, consensus: str,
                 document: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.coders = coders
        self.consensus = consensus
        self.document = document
        self.review: Review | None = None
        self.index = 0
        self.cursor: str | None = None
        self.keep: dict[str, bool] | None = None

    def compose(self) -> ComposeResult:
        yield ReviewHeader(id="review-header")
        yield Label(Text(""), id="review-note")
        with Vertical(id="review-body"):
            # Not focusable: its own PgUp/PgDn would hide the screen's (and the footer's).
            with VerticalScroll(id="review-text-scroll", can_focus=False):
                yield Static(Text(""), id="review-text")
            with Horizontal(id="review-sides"):
                yield SidePanel(id="review-a")
                yield SidePanel(id="review-b")
                yield SidePanel(id="review-consensus")
            yield Static(Text(""), id="review-definition")
        yield StatusLine(id="status")
        yield SteadyFooter(compact=True)

    # -- opening -------------------------------------------------------------------------

    def on_mount(self) -> None:
        try:
            review = Review.open(self.store, *self.coders, consensus=self.consensus,
                                 document=self.document)
            copied_now = review.begin() if review.total else 0
        except SAVE_ERRORS as exc:
            self._empty(str(exc))
            self.say(str(exc), error=True)
            return
        self.review = review
        a, b = review.coders
        if not review.total:
            why = ("they have no document in common yet" if not review.queue.documents
                   else f"they agree on all {review.queue.n_units} paragraphs they both coded")
            self._empty(f"Nothing to reconcile between {a} and {b}: {why}.")
            self.say("nothing to reconcile; q leaves", ok=False)
            return
        self.query_one("#review-note", Label).update(Text(
            f"Codes both applied ({review.copied} on {len(review.queue.agreed)} paragraphs) "
            f"were copied to {review.consensus} when this review began; {a}'s and {b}'s own "
            f"codings are never changed.", style=Style(dim=True)))
        first = review.next_undecided()
        self.show_item(first if first is not None else 0)
        if copied_now and review.copied == copied_now:
            self.say(f"copied {copied_now} agreed coding(s) to {review.consensus}; "
                     f"{review.total} disagreements to settle", ok=False)
        elif first is None:
            self.say(f"all {review.total} disagreements are decided; = shows agreement, "
                     f"q leaves", ok=False)
        else:
            self.say(f"resumed: {review.decided_count} of {review.total} decided"
                     + (f"; {copied_now} newly agreed coding(s) copied" if copied_now else ""),
                     ok=False)

    def _empty(self, message: str) -> None:
        self.query_one("#review-text", Static).update(Text(message))
        self.query_one("#review-text-scroll").border_title = "review"
        self.query_one("#review-sides").display = False
        self.query_one("#review-definition").display = False
        self.query_one(ReviewHeader).show(coders=self.coders, consensus=self.consensus,
                                          position="", progress="nothing to reconcile")

    # -- drawing -------------------------------------------------------------------------

    def say(self, message: str, *, ok: bool = True, error: bool = False) -> None:
        self.query_one(StatusLine).say(message, ok=ok, error=error)

    @property
    def item(self) -> Disagreement | None:
        if self.review is None or not self.review.total:
            return None
        return self.review.items[self.index]

    def involved(self, item: Disagreement) -> list[str]:
        """Every code either coder applied here, in codebook order."""
        assert self.review is not None
        codes = self.review.codes
        keys = item.a_codes | item.b_codes
        return sorted(keys, key=lambda k: (codes[k].position if k in codes else 0, k))

    def show_item(self, index: int) -> None:
        assert self.review is not None
        self.index = index
        self.keep = None
        item = self.review.items[index]
        self.cursor = item.disputed[0] if item.disputed else None
        self.refresh_item()
        self.query_one("#review-text-scroll", VerticalScroll).scroll_home(animate=False)

    def refresh_item(self) -> None:
        review, item = self.review, self.item
        if review is None or item is None:
            return
        a, b = review.coders
        order = self.involved(item)
        decision = review.decision(item.paragraph_id)
        self.query_one(ReviewHeader).show(
            coders=review.coders, consensus=review.consensus,
            position=item.document, paragraph=f"\u00b6{item.n}",
            progress=f"#{self.index + 1} \u00b7 {review.decided_count} of {review.total} decided")
        title = f"{clean(item.document)} \u00b7 \u00b6{item.n}"
        if item.speaker:
            title += f" \u00b7 {clean(item.speaker)}"
        scroll = self.query_one("#review-text-scroll", VerticalScroll)
        scroll.border_title = Text(title)  # names are data: a Text is never read as markup
        spans = [(m.start, m.end) for m in (*item.a, *item.b)
                 if m.code == self.cursor and m.start is not None and m.end is not None]
        self.query_one("#review-text", Static).update(paragraph_text(item.text, spans))
        codes = review.codes
        lines = functools.partial(code_lines, text=item.text, codes=codes, order=order,
                                  cursor=self.cursor, disputed=item.disputed)
        self.query_one("#review-a", SidePanel).show(f"A: {clean(a)}", lines(item.a))
        self.query_one("#review-b", SidePanel).show(f"B: {clean(b)}", lines(item.b))
        state = decision_label(decision, review.coders, codes)
        if self.keep is not None:
            state = "choosing code by code (enter saves)"
        self.query_one("#review-consensus", SidePanel).show(
            f"{clean(review.consensus)}: {state}",
            lines(review.consensus_marks(item.paragraph_id), keep=self.keep))
        self._show_definition(item, order)

    def _show_definition(self, item: Disagreement, order: list[str]) -> None:
        assert self.review is not None
        codes = self.review.codes
        panel = self.query_one("#review-definition", Static)
        code = codes.get(self.cursor) if self.cursor else None
        text = describe(code)
        others = [codes[k].name if k in codes else k for k in order if k != self.cursor]
        if others:
            text.append("\nAlso here: ", style=Style(dim=True))
            text.append(clean(", ".join(others)), style=Style(dim=True))
            text.append("  (\u2191\u2193 to read their definitions)", style=Style(dim=True))
        panel.border_title = "definition"
        panel.update(text)

    # -- deciding ------------------------------------------------------------------------

    def _decided(self, message: str) -> None:
        """After a decision: say it, move to the next undecided paragraph, or show the end."""
        review = self.review
        assert review is not None
        self.say(message)
        following = review.next_undecided(self.index)
        if following is None:
            self.refresh_item()
            self.say(f"{message} \u2014 all {review.total} disagreements decided")
            self.action_agreement(finished=True)
            return
        self.show_item(following)

    def action_decide(self, decision: str) -> None:
        review, item = self.review, self.item
        if review is None or item is None:
            return
        try:
            made = review.decide(self.index, decision)
        except SAVE_ERRORS as exc:
            self.say(str(exc), error=True)
            return
        kept = ", ".join(review.codes[k].name if k in review.codes else k for k in made.kept)
        self._decided(f"saved: \u00b6{item.n} took {DECISION_WORDS[decision]}"
                      + (f" ({kept})" if kept else " (no disputed code kept)"))

    def action_cursor(self, delta: int) -> None:
        item = self.item
        if item is None:
            return
        order = self.involved(item)
        if not order:
            return
        i = order.index(self.cursor) if self.cursor in order else -1
        self.cursor = order[max(0, min(len(order) - 1, i + delta))]
        self.refresh_item()

    def action_toggle_keep(self) -> None:
        review, item = self.review, self.item
        if review is None or item is None or self.cursor is None:
            return
        if self.cursor not in item.disputed:
            self.say("both coders applied this code: it is in the consensus already", ok=False)
            return
        if self.keep is None:
            decision = review.decision(item.paragraph_id)
            kept = set(decision.kept) if decision else set()
            self.keep = {k: k in kept for k in item.disputed}
        self.keep[self.cursor] = not self.keep[self.cursor]
        self.refresh_item()
        names = [review.codes[k].name for k, v in self.keep.items() if v and k in review.codes]
        self.say("keeping " + (", ".join(names) if names else "no disputed code")
                 + ": enter saves, esc forgets", ok=False)

    def action_save_choice(self) -> None:
        review, item = self.review, self.item
        if review is None or item is None:
            return
        if self.keep is None:
            self.say("space keeps or drops the highlighted code, enter saves that choice; "
                     "or a, b, 2, 0 for the whole paragraph", ok=False)
            return
        kept = [k for k, v in self.keep.items() if v]
        try:
            made = review.decide(self.index, "custom", kept)
        except SAVE_ERRORS as exc:
            self.say(str(exc), error=True)
            return
        self.keep = None
        names = ", ".join(review.codes[k].name for k in made.kept if k in review.codes)
        self._decided(f"saved: \u00b6{item.n} chose code by code ("
                      + (f"kept {names}" if names else "kept no disputed code") + ")")

    def action_clear_choice(self) -> None:
        if self.keep is not None:
            self.keep = None
            self.refresh_item()
            self.say("code-by-code choice forgotten", ok=False)

    def action_undo(self) -> None:
        review = self.review
        if review is None or not review.total:
            return
        try:
            undone = review.undo()
        except SAVE_ERRORS as exc:
            self.say(str(exc), error=True)
            return
        if undone is None:
            self.say("nothing to undo", ok=False)
            return
        index = review.index_of.get(undone.paragraph_id)
        if index is not None:
            self.show_item(index)
        standing = decision_label(review.decision(undone.paragraph_id), review.coders,
                                  review.codes)
        n = review.items[index].n if index is not None else "?"
        self.say(f"undone: \u00b6{n} is {standing} again")

    # -- moving --------------------------------------------------------------------------

    def action_step(self, delta: int) -> None:
        review = self.review
        if review is None or not review.total:
            return
        target = self.index + delta
        if not 0 <= target < review.total:
            self.say("first disagreement" if delta < 0 else "last disagreement", ok=False)
            return
        self.show_item(target)
        self.say("", ok=False)

    def action_scroll_text(self, direction: int) -> None:
        scroll = self.query_one("#review-text-scroll", VerticalScroll)
        if direction > 0:
            scroll.scroll_page_down(animate=False)
        else:
            scroll.scroll_page_up(animate=False)

    def action_agreement(self, finished: bool = False) -> None:
        review = self.review
        if review is None or not review.total:
            return
        title = (f"All {review.total} disagreements decided" if finished
                 else f"{review.decided_count} of {review.total} disagreements decided")
        self.app.push_screen(AgreementScreen(
            self.store.path, review.coders, review.consensus, review.queue.document_names,
            title=title, left_out=review.queue.left_out))

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(None))

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.dismiss(None)
        else:
            self.app.exit()


def _figure(metric: Metric | None, *, percent: bool = False) -> Text:
    if metric is None:
        return Text("")
    if metric.value is None:
        return Text("n/a", style=Style(dim=True))
    return Text(f"{cut(metric.value * 100, 1)}%" if percent else cut(metric.value))


def summary_table(summary: AgreementSummary, names: dict[str, str]) -> Table:
    """Before and after side by side: overall alpha, alpha on code sets, % agreement per code."""
    pairs = [summary.before, *summary.after]
    table = Table(title_justify="left", expand=False)
    table.add_column("")
    for p in pairs:
        table.add_column(Text(f"{p.coders[0]} vs {p.coders[1]}"), justify="right")
    table.add_row(Text("paragraphs compared"), *[Text(str(p.n_units)) for p in pairs])
    table.add_row(Text("Krippendorff's \u03b1 (pooled over codes)"),
                  *[_figure(p.alpha) for p in pairs])
    table.add_row(Text("Krippendorff's \u03b1 (code sets, MASI)"),
                  *[_figure(p.alpha_masi) for p in pairs], end_section=True)
    if summary.codes:
        table.add_row(Text("% agreement per code", style=Style(bold=True)),
                      *[Text("") for _ in pairs])
    for key in summary.codes:
        table.add_row(Text("  " + clean(names.get(key, key))),
                      *[_figure(p.percent.get(key), percent=True) for p in pairs])
    return table


class AgreementScreen(ModalScreen[None]):
    """Agreement before the review (A vs B) and after (each against the consensus).

    Computed in a worker on its own connection, so a large project never stalls the screen.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,equals_sign,enter", "close", "close")]

    def __init__(self, db_path: Path, coders: Sequence[str], consensus: str,
                 documents: Sequence[str], *, title: str,
                 left_out: Sequence[str] = ()) -> None:
        super().__init__()
        self.db_path = db_path
        self.coders = tuple(coders)
        self.consensus = consensus
        self.documents = list(documents)
        self.title_text = title
        self.left_out = list(left_out)
        self.summary: AgreementSummary | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide", id="review-agreement"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Static(Text("computing agreement\u2026", style=Style(dim=True)),
                         id="review-agreement-table")
            yield Label(Text(
                "Units: the paragraphs of the documents both coders covered"
                + "".join(f"; left out: {clean(note)}" for note in self.left_out)
                + ". `coder agree --coders A,B` gives every coefficient with its counts."),
                classes="dialog-note")
            yield Label(Text("esc, q or = closes"), classes="dialog-help")

    def on_mount(self) -> None:
        self.compute()

    @work(thread=True, exclusive=True)
    def compute(self) -> None:
        try:
            with Store(self.db_path) as store:
                summary = agreement_summary(store, self.coders, self.consensus, self.documents)
                names = {c.key: c.path for c in store.codes(include_retired=True)}
        except CoderError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show, summary, names)

    def _show(self, summary: AgreementSummary, names: dict[str, str]) -> None:
        self.summary = summary
        self.query_one("#review-agreement-table", Static).update(summary_table(summary, names))

    def _failed(self, message: str) -> None:
        self.query_one("#review-agreement-table", Static).update(
            Text(f"cannot compute agreement: {message}", style=Style(bold=True)))

    def action_close(self) -> None:
        self.dismiss(None)
