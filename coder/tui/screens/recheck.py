"""The recheck screen: codings made under an older meaning of their code, one at a time,
with the meaning they were made under beside the current one; one key keeps, removes or
moves each. The review screen's keys step, undo, help and leave.

Decisions go through `coder.code_history`, one transaction and one undo step each, so
quitting at any point loses nothing: the queue is what is still undecided.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ...code_history import RecheckItem, changed_fields, decide, recheck_queue
from ...errors import CoderError
from ...models import Code
from ...session import SAVE_ERRORS
from ...store import MEANING_FIELDS, CodeRevision, Store
from ...text import clean
from ...vocab import RecheckDecision
from ..widgets.bars import StatusLine
from ..widgets.footer import SteadyFooter
from ..widgets.review_panels import paragraph_text
from .help import HelpScreen
from .list_dialog import FilterDialog
from .picker import matches

DECIDE = Binding.Group("keep/remove/move")
STEP = Binding.Group("next/prev")


def meaning(revision: CodeRevision, changed: list[str]) -> Text:
    """A revision's meaning fields, the ones that changed in bold."""
    text = Text(end="")
    for field in MEANING_FIELDS:
        value = getattr(revision, field)
        if not value and field not in changed:
            continue
        if text.plain:
            text.append("\n")
        text.append(field.replace("_", " ").capitalize() + ": ", style=Style(dim=True))
        text.append(clean(value) or "(none)", style=Style(bold=field in changed))
    return text


class MoveDialog(FilterDialog[int | None]):
    """The codes in use, filtered as typed; returns the chosen code's id."""

    ids = ("move-picker", "move-codes")
    placeholder = "type to filter codes"

    def __init__(self, codes: list[Code], title: str) -> None:
        super().__init__()
        self.codes = codes
        self.title_text = title

    def heading(self) -> str:
        return self.title_text

    def fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        found = [c for c in self.codes if matches(c, query)]
        options.add_options([Option(Text(clean(c.path)), id=str(c.id)) for c in found])
        if found:
            options.highlighted = 0


class RecheckScreen(Screen[None]):
    """One coder's codings made under an older revision of their code."""

    DEFAULT_CSS = """
    RecheckScreen { layout: vertical; }
    #recheck-header { height: 1; background: $panel; padding: 0 1; }
    #recheck-text-scroll {
        height: auto; max-height: 40%;
        border: round $primary 40%; border-title-color: $text; padding: 0 1;
    }
    #recheck-sides { height: 1fr; }
    .recheck-side {
        width: 1fr; height: 1fr;
        border: round $primary 40%; border-title-color: $text; padding: 0 1;
    }
    #recheck-now { border: round $success 60%; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "decide('keep')", "keep", tooltip="keep: the coding fits the new meaning",
                group=DECIDE),
        Binding("x", "decide('remove')", "remove", tooltip="remove the coding", group=DECIDE),
        Binding("m", "move", "move", tooltip="move the coding to another code", group=DECIDE),
        Binding("n", "step(1)", "next", tooltip="next coding", group=STEP),
        Binding("p", "step(-1)", "previous", tooltip="previous coding", group=STEP),
        Binding("u", "undo", "undo", tooltip="undo the last decision (works after a restart)"),
        Binding("question_mark", "help", "help", tooltip="help"),
        Binding("q", "back", "back", tooltip="leave the recheck (everything is saved)"),
    ]

    def __init__(self, store: Store, coder: str, *, code: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.coder = coder
        self.code = code or None
        self.queue: list[RecheckItem] = []
        self.index = 0

    def compose(self) -> ComposeResult:
        yield Label(Text(""), id="recheck-header")
        with VerticalScroll(id="recheck-text-scroll", can_focus=False):
            yield Static(Text(""), id="recheck-text")
        with Horizontal(id="recheck-sides"):
            yield Static(Text(""), id="recheck-then", classes="recheck-side")
            yield Static(Text(""), id="recheck-now", classes="recheck-side")
        yield StatusLine(id="status")
        yield SteadyFooter(compact=True)

    def on_mount(self) -> None:
        try:
            self.store.coder_id(self.coder)
            self.reload()
        except CoderError as exc:
            self.say(str(exc), error=True)

    def say(self, message: str, *, ok: bool = True, error: bool = False) -> None:
        self.query_one(StatusLine).say(message, ok=ok, error=error)

    @property
    def item(self) -> RecheckItem | None:
        return self.queue[self.index] if self.queue else None

    def reload(self, *, at: int | None = None) -> None:
        self.queue = recheck_queue(self.store, code=self.code, coder=self.coder)
        self.index = min(at if at is not None else self.index, max(len(self.queue) - 1, 0))
        self.show()

    def show(self) -> None:
        header = self.query_one("#recheck-header", Label)
        item = self.item
        if item is None:
            header.update(Text(f"recheck \u00b7 {clean(self.coder)} \u00b7 nothing left"))
            self.query_one("#recheck-text", Static).update(Text(
                "Every coding here was made under its code's current definition."))
            for side in ("then", "now"):
                self.query_one(f"#recheck-{side}", Static).update(Text(""))
            return
        r = item.row
        header.update(Text(f"recheck \u00b7 {clean(self.coder)} \u00b7 {clean(r.code_key)} "
                           f"\u00b7 {self.index + 1} of {len(self.queue)}"))
        title = f"{clean(r.document)} \u00b7 \u00b6{r.n}"
        if r.speaker:
            title += f" \u00b7 {clean(r.speaker)}"
        self.query_one("#recheck-text-scroll").border_title = Text(title)
        spans = [(r.start, r.end)] if r.start is not None and r.end is not None else []
        self.query_one("#recheck-text", Static).update(paragraph_text(r.paragraph_text, spans))
        changed = changed_fields(item.made_under, item.current)
        then = self.query_one("#recheck-then", Static)
        was = f"{item.merged_from} " if item.merged_from else ""
        then.border_title = Text(f"then: {clean(was)}r{item.made_under.n}")
        then.update(meaning(item.made_under, changed))
        now = self.query_one("#recheck-now", Static)
        now.border_title = Text(f"now: {clean(r.code_key)} r{item.current.n}")
        now.update(meaning(item.current, changed))

    def _decide(self, decision: RecheckDecision, to: str | None = None) -> None:
        item = self.item
        if item is None:
            self.say("nothing left to recheck", ok=False)
            return
        try:
            decide(self.store, self.coder, item.segment_id, decision, to=to)
        except SAVE_ERRORS as exc:
            self.say(f"not saved: {exc}", error=True)
            return
        where = f"{item.row.document} \u00b6{item.row.n}"
        self.reload()
        self.say(f"{decision}{f' to {to}' if to else ''}: {where} (saved; u undoes)")

    def action_decide(self, decision: str) -> None:
        self._decide(RecheckDecision(decision))

    def action_move(self) -> None:
        item = self.item
        if item is None:
            self.say("nothing left to recheck", ok=False)
            return
        codes = [c for c in self.store.codes() if c.id != item.row.code_id]
        keys = {c.id: c.key for c in codes}

        def moved(code_id: int | None) -> None:
            if code_id is not None:
                self._decide(RecheckDecision.MOVE, keys[code_id])

        self.app.push_screen(MoveDialog(codes, f"Move to which code? ({item.row.code_key} now)"),
                             moved)

    def action_step(self, delta: int) -> None:
        if not self.queue:
            return
        self.index = (self.index + delta) % len(self.queue)
        self.show()

    def action_undo(self) -> None:
        try:
            done = self.store.undo(self.store.coder_id(self.coder))
        except SAVE_ERRORS as exc:
            self.say(f"not undone: {exc}", error=True)
            return
        if done is None:
            self.say("nothing to undo", ok=False)
            return
        segment = done.get("segment")
        self.reload()
        at = next((i for i, it in enumerate(self.queue) if it.segment_id == segment), None)
        if at is not None:
            self.index = at
            self.show()
        self.say(f"undone: {done['kind']}")

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(None, recheck=True))

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()
