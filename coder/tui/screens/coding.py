"""The coding screen: documents and codebook on the left, the paragraph column in the middle.

Each action is one store call that commits before the status line says "saved", so what the
researcher is told was saved survives a crash or a kill. Code shortcuts come from the codebook
and are bound per screen at run time, beside the keys the app binds itself (the codebook's
`RESERVED_KEYS`, which a shortcut can never take).
"""

from __future__ import annotations

import gc
from time import monotonic
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Tree

from ...codekeys import RESERVED_KEYS
from ...errors import CoderError, ProjectChanged
from ...models import Code
from ...session import SAVE_ERRORS, CodingSession, Outcome
from ...text import clean, ellipsize
from ..widgets.bars import StatusLine, TopBar
from ..widgets.code_detail import CodeDetail
from ..widgets.codebook_tree import CodebookTree
from ..widgets.document_list import DocumentList, DocumentRow
from ..widgets.footer import SteadyFooter
from ..widgets.paragraph_view import ParagraphView

if TYPE_CHECKING:
    from ...codebook_edit import EditOutcome
    from ..app import CoderApp
    from .add_code import AddCodeRequest
    from .code_editor import CodeEditorScreen
    from .search import SearchHits
    from .split import SplitTarget
    from .table_screen import Jump

POSITION_SAVE_SECONDS = 3.0
BUSY_CHECK_SECONDS = 1.0
BUSY_MESSAGE = "project file busy (another program is writing): nothing can be saved yet"
FREE_MESSAGE = "project file free again: coding is saved as usual"


class CodingScreen(Screen[None]):
    """Reading and coding one document at a time."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down,space", "move(1)", "next \u00b6", show=False,
                tooltip="next paragraph"),
        Binding("k,up", "move(-1)", "previous \u00b6", show=False,
                tooltip="previous paragraph"),
        Binding("pagedown", "page(1)", "page down", show=False,
                tooltip="a screen down (through a long paragraph first)"),
        Binding("pageup", "page(-1)", "page up", show=False, tooltip="a screen up"),
        Binding("g,home", "first", "first \u00b6", show=False, tooltip="first paragraph"),
        Binding("G,end", "last", "last \u00b6", show=False, tooltip="last paragraph"),
        Binding("n", "next_uncoded(1)", "next uncoded", show=False,
                tooltip="next paragraph you have not coded (headings skipped)"),
        Binding("N", "next_uncoded(-1)", "previous uncoded", show=False,
                tooltip="previous paragraph you have not coded"),
        Binding("colon", "jump", "jump", show=False, tooltip="jump to a paragraph number"),
        Binding("c,enter", "pick_code", "code",
                tooltip="code picker: type to filter by name or definition, Enter applies "
                        "(to the span in span mode); applying a code already there removes it"),
        Binding("s", "span", "span",
                tooltip="span mode: select words or sentences inside the paragraph, then a "
                        "code key or c codes exactly that span"),
        Binding("m", "memo", "memo", tooltip="memo on the paragraph or on one of your codings"),
        Binding("u", "undo", "undo", tooltip="undo your last action (works after a restart)"),
        Binding("U,ctrl+r", "redo", "redo", show=False, tooltip="redo"),
        Binding("slash", "search", "search", tooltip="search all documents and jump to a hit"),
        Binding("f3,ctrl+g", "next_hit", "next hit", show=False,
                tooltip="next hit of the last search (after the current paragraph)"),
        Binding("f", "filter", "filter",
                tooltip="show only paragraphs carrying a code (f again shows all)"),
        Binding("d", "documents", "docs",
                tooltip="switch document (your progress in each)"),
        Binding("D", "toggle_done", "mark done", show=False,
                tooltip="mark this document done, or back to in progress"),
        Binding("a", "add_code", "add code", show=False,
                tooltip="add a code (name, parent, key), optionally to the codebook file"),
        Binding("ctrl+y", "confirm_automatic", "confirm auto", show=False,
                tooltip="confirm the automatic codings of this paragraph (then agreement "
                "counts them)"),
        Binding("e", "edit_code", "edit code", show=False,
                tooltip="edit the highlighted code: name, definition, use when, not when, "
                        "example, colour, shortcut, parent (ctrl+n there adds a child)"),
        Binding("ctrl+x", "merge_code", "merge code", show=False,
                tooltip="merge the highlighted code into another: its codings move there"),
        Binding("ctrl+d", "retire_code", "retire code", show=False,
                tooltip="retire the highlighted code (only one no coding uses)"),
        Binding("r", "code_view", "quotes", show=False,
                tooltip="every quote of the highlighted code (with sub-codes) across all "
                        "documents; enter opens one here"),
        Binding("x", "matrix", "matrix", show=False,
                tooltip="matrix: codes by documents, cases or an attribute's values; enter on "
                        "a cell lists its quotes"),
        Binding("ctrl+e", "memo_view", "memos", show=False,
                tooltip="every memo (paragraph and coding), by document or by code; enter "
                        "opens its paragraph"),
        Binding("o", "toggle_others", "others", show=False,
                tooltip="show or hide other coders' codings (hidden by default: blind coding)"),
        Binding("escape", "clear_filter", "show all", show=False,
                tooltip="leave span mode, or lift the filter"),
        Binding("question_mark", "help", "help", tooltip="this help"),
        Binding("q", "quit", "quit", tooltip="quit (everything is already saved)"),
    ]

    def __init__(self, session: CodingSession, *, document: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.requested_document = document
        self.filter_code: int | None = None
        self._filter_count = 0
        self.last_search: SearchHits | None = None
        self._hit_at: tuple[int, int] | None = None  # (paragraph id, start) of the hit shown
        self._span_prompt: str | None = None
        self._position_dirty = False
        self.bind_code_keys()

    @property
    def coder_app(self) -> CoderApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield TopBar(id="top")
        with Horizontal(id="body"):
            with Vertical(id="side"):
                yield DocumentList(id="documents")
                yield CodebookTree(self.session, id="codebook")
                yield CodeDetail(id="detail")
            yield ParagraphView(self.session, id="paragraphs")
        yield StatusLine(id="status")
        yield SteadyFooter()

    @property
    def view(self) -> ParagraphView:
        return self._view

    @property
    def codebook(self) -> CodebookTree:
        return self._codebook

    @property
    def status_line(self) -> StatusLine:
        return self._status_line

    def on_mount(self) -> None:
        self._view = self.query_one(ParagraphView)
        self._codebook = self.query_one(CodebookTree)
        self._status_line = self.query_one(StatusLine)
        self.query_one("#documents").border_title = "documents"
        self.query_one("#codebook").border_title = "codebook"
        self.view.focus()
        self.set_interval(POSITION_SAVE_SECONDS, self._flush_position)
        session = self.session
        if session.codes:
            self.codebook.show_code(session.codes[0].id)
        documents = session.store.documents()
        message = None
        target = None
        if self.requested_document:
            try:
                target = session.store.document(self.requested_document).id
            except CoderError as exc:
                message = str(exc)
        if target is None and documents:
            remembered = session.remembered_document()
            ids = {d.id for d in documents}
            target = remembered if remembered in ids else documents[0].id
        if target is None:
            self.view.empty_message = "No documents yet: import some with `coder import FILE`."
            self.view.load([])
            self._refresh_documents()
            self._refresh_top()
            self.say("no documents in this project", ok=False)
            return
        self.open_document(target)
        if message:
            self.say(message, error=True)
        if session.pending or session.pending_reach:
            self._wait_for_file()

    def _wait_for_file(self) -> None:
        """The file was busy at start: say so, and say again once it is free."""
        self.say(BUSY_MESSAGE, error=True)

        def check() -> None:
            if self.session.flush_notes():
                timer.stop()
                if self.status_line.has_class("-error"):
                    self.say(FREE_MESSAGE, ok=False)

        timer = self.set_interval(BUSY_CHECK_SECONDS, check)

    # -- helpers -------------------------------------------------------------------------

    def say(self, message: str, *, ok: bool = True, error: bool = False) -> None:
        self.status_line.say(message, ok=ok, error=error)

    def _failed(self, exc: BaseException) -> None:
        """CoderError messages are already worded for the user; others get the prefix."""
        if isinstance(exc, ProjectChanged):
            self._reload_project(exc)
        elif isinstance(exc, CoderError):
            self.say(str(exc), error=True)
        else:
            self.say(f"not saved: {exc}", error=True)

    def _reload_project(self, exc: ProjectChanged) -> None:
        """Another program moved what ids mean: show the project as it is now (the same
        document by name, the same paragraph number) and say that the key did nothing."""
        session = self.session
        index = self.view.current_index
        number = session.paragraphs[index].n if index is not None and session.paragraphs else 1
        self.filter_code = None
        document_id = session.reload()
        self.codebook.rebuild()
        self.bind_code_keys()
        self.codebook.update_counts()
        if document_id is None:
            self.view.load([])
            self._refresh_documents()
            self._refresh_top()
        else:
            self.open_document(document_id)
            self.view.move_to(self.view.row_of(session.index_for_number(number)) or 0)
        self.say(f"{exc.message}; reloaded it as it is now: check the paragraph and try again",
                 error=True)

    def _report(self, outcome: Outcome) -> None:
        self.say(outcome.message, ok=outcome.ok)

    def _measure(self, kind: str) -> None:
        """Record key-to-saved and key-to-drawn times for the benchmark."""
        start = self.coder_app.key_time
        if start is None:
            return
        self.coder_app.key_time = None
        saved = monotonic()
        latencies = self.coder_app.latencies

        def drawn() -> None:
            latencies.append((kind, saved - start, monotonic() - start))

        self.call_after_refresh(drawn)

    def _push(self, screen: Screen, callback=None) -> None:
        """Open a dialog; the keypress that opened it is not the one its result answers."""
        self.coder_app.key_time = None
        self.app.push_screen(screen, callback)

    def _refresh_top(self) -> None:
        session = self.session
        doc = session.document
        index = self.view.current_index
        if doc is not None and index is not None and session.paragraphs:
            position = f"\u00b6{session.paragraphs[index].n}/{len(session.paragraphs)}"
        else:
            position = ""
        filter_name = None
        if self.filter_code is not None:
            filter_name = f"{session.code_name(self.filter_code)} ({self._filter_count} \u00b6)"
        self.query_one(TopBar).show(
            coder=session.coder,
            document=doc.name if doc else None,
            position=position,
            status=session.status,
            others=session.other_coder_names() if session.show_others else None,
            filter_name=filter_name,
            progress=f"{session.coded_count()}/{len(session.paragraphs)} coded" if doc else "",
        )

    def _document_rows(self) -> list[DocumentRow]:
        session = self.session
        rows = []
        for s in session.store.document_summaries(session.coder):
            rows.append(DocumentRow(s.document.id, s.document.name, s.paragraphs_coded,
                                    s.document.n_paragraphs, s.status))
        return rows

    def _refresh_documents(self) -> None:
        current = self.session.document.id if self.session.document else None
        self.query_one(DocumentList).show(self._document_rows(), current)

    def _refresh_current_document_row(self) -> None:
        session = self.session
        if session.document is None:
            return
        self.query_one(DocumentList).update_row(DocumentRow(
            session.document.id, session.document.name, session.coded_count(),
            len(session.paragraphs), session.status))

    # -- opening documents ---------------------------------------------------------------

    def open_document(self, document_id: int, paragraph_id: int | None = None) -> None:
        session = self.session
        self.remember_position()
        kept_filter = self.filter_code
        session.open(document_id)
        self.filter_code = None
        if paragraph_id is not None and paragraph_id in session.index_of:
            start = session.index_of[paragraph_id]
        else:
            start = session.remembered_position(document_id)
        self.view.load(list(range(len(session.paragraphs))), start)
        self._refresh_documents()
        self._refresh_top()
        # The document's rows live as long as it is open: keep them out of the cyclic
        # collector's full passes, which otherwise stall a keypress for ~100 ms now and then.
        gc.freeze()
        doc = session.document
        assert doc is not None
        if kept_filter is not None:
            self._apply_filter(kept_filter, opened=doc.name)
            return
        self.say(f"opened {doc.name}: {len(session.paragraphs)} paragraphs, "
                 f"{session.coded_count()} coded by you", ok=False)

    def _go_to_paragraph(self, paragraph_id: int) -> None:
        """Put the cursor on a paragraph of the open document, lifting a filter that hides it."""
        index = self.session.index_of.get(paragraph_id)
        if index is None:
            return
        row = self.view.row_of(index)
        if row is None:
            self._clear_filter()
            row = self.view.row_of(index)
        if row is not None:
            self.view.move_to(row)

    # -- events --------------------------------------------------------------------------

    def bind_code_keys(self) -> None:
        """Bind each code's shortcut beside the screen's own keys.

        As bindings, code keys are handled in the same queue as moves, so "jjS" typed faster
        than the screen redraws still codes the third paragraph. Keys the app reserves win.
        """
        bindings = self._merged_bindings.copy() if self._merged_bindings else BindingsMap()
        for code in self.session.codes:
            key = code.shortcut
            if key and len(key) == 1 and key not in RESERVED_KEYS and key.isalnum():
                bindings.bind(key, f"code_key({code.id})", code.name, show=False)
        self._bindings = bindings
        self.refresh_bindings()

    def action_code_key(self, code_id: int) -> None:
        self.apply_code(code_id)

    @on(ParagraphView.CursorMoved)
    def _cursor_moved(self, message: ParagraphView.CursorMoved) -> None:
        self._position_dirty = True
        self._refresh_top()

    def _flush_position(self) -> None:
        """Note the reading place now and then, so even a killed session reopens near it."""
        if self._position_dirty:
            self._position_dirty = False
            self.remember_position()
        else:
            self.session.flush_notes()

    @on(ParagraphView.SpanChanged)
    def _span_changed(self, message: ParagraphView.SpanChanged) -> None:
        """Keep the status line true to what a code key will do next.

        When span mode ends the prompt is replaced only if nothing has been said since (a code
        key's "saved" must stay), and a span dropped by moving is named as dropped, with the
        paragraph that a code key now codes whole.
        """
        selection = message.selection
        index = self.view.current_index
        if index is None:
            return
        if selection is None:
            if self._span_prompt is None or self.status_line.message != self._span_prompt:
                return
            self._span_prompt = None
            n = self.session.paragraphs[index].n
            if message.dropped:
                self.say(f"span dropped: now on \u00b6{n}, where a code key codes the whole "
                         "paragraph (s selects a span again)", ok=False)
            else:
                self.say(f"left span mode: a code key codes the whole of \u00b6{n}", ok=False)
            return
        text = self.session.paragraphs[index].text[selection[0]:selection[1]]
        tail = "\u201d: a code key or c applies it, esc leaves"
        # the status keeps to one line: at 80 columns the quote gives way, not the keys
        width = self.status_line.size.width
        room = width - 4 - len("span \u201c" + tail)
        quote = ellipsize(text, max(10, min(60, room)) if width else 60)
        self._span_prompt = f"span \u201c{quote}{tail}"
        self.say(self._span_prompt, ok=False)
        self._measure("span")

    @on(Tree.NodeHighlighted, "#codebook")
    def _code_highlighted(self, message: Tree.NodeHighlighted) -> None:
        code_id = message.node.data
        self.query_one(CodeDetail).show(
            self.session.all_codes.get(code_id) if code_id is not None else None)

    @on(Tree.NodeSelected, "#codebook")
    def _code_selected(self, message: Tree.NodeSelected) -> None:
        if message.node.data is not None:
            self.apply_code(message.node.data)
            self.view.focus()

    @on(DocumentList.OptionSelected, "#documents")
    def _document_selected(self, message: DocumentList.OptionSelected) -> None:
        if message.option.id is not None:
            self.open_document(int(message.option.id))
            self.view.focus()

    # -- coding --------------------------------------------------------------------------

    def apply_code(self, code_id: int, selection: tuple[int, int] | None = None
                   ) -> Outcome | None:
        """Toggle the code and say so; the outcome, or None when nothing was saved."""
        view = self.view
        index = view.current_index
        if index is None:
            self.say("no paragraph to code", ok=False)
            return None
        selection = selection or view.selection
        start, end = selection if selection else (None, None)
        try:
            outcome = self.session.toggle(index, code_id, start, end)
        except SAVE_ERRORS as exc:
            self._failed(exc)
            if view.span_mode:
                # the selection is still there to adjust; when it goes, say so over this
                self._span_prompt = self.status_line.message
            return None
        self._measure("code")
        view.leave_span()
        view.invalidate(outcome.changed)
        self.codebook.update_count(code_id)
        self.codebook.show_code(code_id)
        self._refresh_filter_count()
        self._report(outcome)
        self._refresh_current_document_row()
        self._refresh_top()
        return outcome

    # -- actions: moving -----------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        self.view.move_by(delta)
        self._measure("move")

    def action_page(self, direction: int) -> None:
        self.view.page(direction)
        self._measure("page")

    def action_first(self) -> None:
        self.view.move_to(0)

    def action_last(self) -> None:
        self.view.move_to(len(self.view.rows) - 1)

    def action_next_uncoded(self, step: int) -> None:
        found = self.session.next_uncoded(self.view.rows, self.view.cursor, step)
        if found is None:
            where = "below" if step > 0 else "above"
            self.say(f"no paragraph {where} that you have not coded", ok=False)
            return
        self.view.move_to(found)
        self._measure("next uncoded")

    def action_jump(self) -> None:
        from .jump import JumpScreen

        if not self.session.paragraphs:
            return
        last = self.session.paragraphs[-1].n

        def done(n: int | None) -> None:
            if n is None:
                return
            index = self.session.index_for_number(n)
            self._go_to_paragraph(self.session.paragraphs[index].id)
            at = self.session.paragraphs[index].n
            if at == n:
                self.say(f"at \u00b6{at}", ok=False)
            else:
                self.say(f"there is no \u00b6{n}: at \u00b6{at}, the "
                         f"{'last' if n > at else 'first'}", ok=False)

        self._push(JumpScreen(last), done)

    def action_documents(self) -> None:
        from .documents import DocumentSwitcher

        current = self.session.document.id if self.session.document else None

        def done(document_id: int | None) -> None:
            if document_id is not None:
                self.open_document(document_id)

        self._push(DocumentSwitcher(self._document_rows(), current), done)

    # -- actions: coding -----------------------------------------------------------------

    def action_pick_code(self) -> None:
        from .picker import CodePicker

        index = self.view.current_index
        if index is None:
            return
        selection = self.view.selection
        paragraph = self.session.paragraphs[index]
        if selection:
            quote = ellipsize(paragraph.text[selection[0]:selection[1]], 40)
            title = f"Code \u201c{quote}\u201d in \u00b6{paragraph.n}"
        else:
            title = f"Code \u00b6{paragraph.n} (a code already on it is taken off)"
        applied = self.session.applied_codes(index, selection)

        def done(code_id: int | None) -> None:
            if code_id is not None:
                self.apply_code(code_id, selection)

        self._push(CodePicker(self.session, title, applied=applied), done)

    def action_span(self) -> None:
        view = self.view
        if view.span_mode:
            view.leave_span()
            self.say("left span mode", ok=False)
            return
        if not view.enter_span():
            self.say("nothing to select in this paragraph", ok=False)

    def action_memo(self) -> None:
        from .memo import MemoScreen, MemoTarget

        index = self.view.current_index
        if index is None:
            return
        session = self.session
        paragraph = session.paragraphs[index]
        targets = [MemoTarget(None, f"\u00b6{paragraph.n} (the paragraph)",
                              session.memos.get(paragraph.id, ""))]
        selection = self.view.selection
        preselect = 0
        for seg in session.own.get(paragraph.id, []):
            label = session.code_name(seg.code_id)
            if seg.start is not None:
                label += f" \u201c{ellipsize(paragraph.text[seg.start:seg.end], 30)}\u201d"
            targets.append(MemoTarget(seg.id, label, seg.memo or ""))
            if selection and (seg.start, seg.end) == selection:
                preselect = len(targets) - 1

        def done(changes: dict[int | None, str] | None) -> None:
            if changes is None:
                self.say("memo closed without saving", ok=False)
                return
            if not changes:
                self.say("memo unchanged", ok=False)
                return
            for segment_id, text in changes.items():
                try:
                    if segment_id is None:
                        outcome = session.set_paragraph_memo(index, text)
                    else:
                        outcome = session.set_segment_memo(index, segment_id, text)
                except SAVE_ERRORS as exc:
                    self._failed(exc)
                    return
                self._report(outcome)
            self.view.leave_span()
            self.view.invalidate({index})

        self._push(MemoScreen(f"Memo on \u00b6{paragraph.n}", targets, preselect), done)

    def action_undo(self) -> None:
        self._step(undo=True)

    def action_redo(self) -> None:
        self._step(undo=False)

    def _step(self, *, undo: bool) -> None:
        session = self.session
        try:
            outcome = session.undo() if undo else session.redo()
        except SAVE_ERRORS as exc:
            self._failed(exc)
            return
        self._measure("undo" if undo else "redo")
        if outcome.ok and outcome.document_id is not None and (
                session.document is None or outcome.document_id != session.document.id):
            self.open_document(outcome.document_id, outcome.paragraph_id)
        elif outcome.paragraph_id is not None:
            self._go_to_paragraph(outcome.paragraph_id)
        self.view.leave_span()
        self.view.invalidate(outcome.changed)
        if outcome.codes_changed:
            self.codebook.rebuild()
            self.bind_code_keys()
        self.codebook.update_counts()
        self._refresh_filter_count()
        self._refresh_current_document_row()
        self._refresh_top()
        self._report(outcome)

    def action_toggle_done(self) -> None:
        from .confirm import ConfirmScreen

        question = self.session.done_needs_asking()
        if question is None:
            self._toggle_done()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._toggle_done()
            else:
                self.say("not marked done: nothing changed", ok=False)

        self._push(ConfirmScreen(question), answered)

    def _toggle_done(self) -> None:
        try:
            outcome = self.session.toggle_done()
        except SAVE_ERRORS as exc:
            self._failed(exc)
            return
        self._refresh_current_document_row()
        self._refresh_top()
        self._report(outcome)

    def action_search(self) -> None:
        from .search import SearchScreen

        def done(found: SearchHits | None) -> None:
            if found is not None and found.code_all:
                self._code_all_hits(found.query)
            elif found is not None:
                self.last_search = found
                document_id, paragraph_id, _, start, end = found.hits[found.chosen]
                self._go_to_hit(found, document_id, paragraph_id, (start, end))

        self._push(SearchScreen(self.session.store.path), done)

    def _code_all_hits(self, query: str) -> None:
        """Every hit of a search coded at once: pick the code, see the hits, confirm; the
        codings are marked automatic and one undo takes them all back."""
        from ...autocode import Rule, apply_hits, find_hits
        from .autocode import AutocodePreview
        from .picker import CodePicker

        session = self.session
        rule = Rule(search=query)

        def picked(code_id: int | None) -> None:
            if code_id is None:
                return
            code = session.all_codes[code_id]
            try:
                hits = find_hits(session.store, rule)
            except SAVE_ERRORS as exc:
                self._failed(exc)
                return

            def confirmed(yes: bool | None) -> None:
                if not yes:
                    self.say("nothing coded", ok=False)
                    return
                try:
                    added, skipped = apply_hits(session.store, code.key, session.coder, hits,
                                                rule)
                except SAVE_ERRORS as exc:
                    self._failed(exc)
                    return
                session.reload_document()
                self.view.invalidate(set(range(len(session.paragraphs))))
                self.codebook.update_counts()
                self._refresh_filter_count()
                self._refresh_current_document_row()
                self._refresh_top()
                self.say(f"coded {len(added)} with {session.code_name(code_id)} (automatic"
                         + (f"; {skipped} already coded" if skipped else "")
                         + "; u undoes them all, ctrl+y confirms one paragraph's)")

            self._push(AutocodePreview(hits, session.code_name(code_id), rule.describe()),
                       confirmed)

        self._push(CodePicker(session, f"Code every hit of \u201c{ellipsize(clean(query), 24)}"
                              "\u201d with"), picked)

    def action_confirm_automatic(self) -> None:
        index = self.view.current_index
        if index is None:
            return
        try:
            outcome = self.session.confirm_automatic(index)
        except SAVE_ERRORS as exc:
            self._failed(exc)
            return
        self.view.invalidate(outcome.changed)
        self._report(outcome)

    def action_next_hit(self) -> None:
        """The next hit after the current one in this paragraph, else the first hit after the
        cursor's paragraph in reading order, wrapping round to the first.

        Paragraphs are asked of the store each time rather than taken from the dialog's list,
        so F3 reaches every hit however many there are, and hits in documents imported since.
        """
        from .search import occurrences

        found = self.last_search
        if found is None or not found.hits:
            self.say("no search yet: / searches, then F3 or ctrl+g goes to the next hit",
                     ok=False)
            return
        session = self.session
        index = self.view.current_index
        here = None
        if session.document is not None and index is not None:
            paragraph = session.paragraphs[index]
            here = (session.document.id, paragraph.n)
            if self._hit_at is not None and self._hit_at[0] == paragraph.id:
                later = [at for at in occurrences(paragraph, found.query)
                         if at[0] > self._hit_at[1]]
                if later:
                    self._go_to_hit(found, session.document.id, paragraph.id, later[0])
                    return
        try:
            hits = session.store.search(found.query, limit=1, after=here)
            wrapped = not hits and here is not None
            if wrapped:
                hits = session.store.search(found.query, limit=1)
        except SAVE_ERRORS as exc:
            self._failed(exc)
            return
        if not hits:
            self.say(f"search \u201c{ellipsize(clean(found.query), 24)}\u201d: no paragraph "
                     "holds it any more", ok=False)
            return
        document, paragraph = hits[0]
        self._go_to_hit(found, document.id, paragraph.id,
                        occurrences(paragraph, found.query)[0], wrapped=wrapped)

    def _go_to_hit(self, found: SearchHits, document_id: int, paragraph_id: int,
                   at: tuple[int, int], *, wrapped: bool = False) -> None:
        if self.session.document is None or document_id != self.session.document.id:
            try:
                self.open_document(document_id, paragraph_id)
            except CoderError as exc:
                self._failed(exc)
                return
        self._go_to_paragraph(paragraph_id)
        index = self.session.index_of.get(paragraph_id)
        if index is None:
            return
        self._hit_at = (paragraph_id, at[0])
        self.view.show_search(found.query, (index, *at))
        n = self.session.paragraphs[index].n
        listed = [(hit[1], hit[3]) for hit in found.hits]
        total = f"{len(found.hits)}{'+' if found.truncated else ''}"
        if (paragraph_id, at[0]) in listed:
            where = f"hit {listed.index((paragraph_id, at[0])) + 1} of {total}, \u00b6{n}"
        else:
            document = self.session.document.name if self.session.document else ""
            where = f"\u00b6{n} of {document}, a hit past the first {len(found.hits)}"
        message = f"search \u201c{ellipsize(clean(found.query), 24)}\u201d: {where}"
        if wrapped:
            message += " (back at the first hit)"
        self.say(message + " \u00b7 F3 next", ok=False)

    def action_filter(self) -> None:
        from .picker import CodePicker

        if self.filter_code is not None:
            self._clear_filter()
            self.say("filter cleared: all paragraphs", ok=False)
            return

        def done(code_id: int | None) -> None:
            if code_id is not None:
                self._apply_filter(code_id)

        self._push(CodePicker(
            self.session, "Show only paragraphs carrying (with its sub-codes)"), done)

    def _refresh_filter_count(self) -> None:
        """After coding or undo: the top bar counts the paragraphs that carry the code now
        (the rows shown stay put, so an uncoded paragraph does not vanish under the cursor)."""
        if self.filter_code is not None:
            self._filter_count = len(self.session.filter_rows(self.filter_code))

    def _apply_filter(self, code_id: int, *, opened: str | None = None) -> None:
        """Filter the open document; `opened` names a document just opened with a filter on,
        which is carried over to it (or lifted, saying so, when nothing there carries it)."""
        rows = self.session.filter_rows(code_id)
        name = self.session.code_name(code_id)
        if not rows:
            if opened is not None:
                self._refresh_top()
                self.say(f"opened {opened}: filter lifted, no paragraph here carries {name}",
                         ok=False)
            else:
                self.say(f"no paragraph here carries {name}", ok=False)
            return
        current = self.view.current_index or 0
        start = next((r for r, i in enumerate(rows) if i >= current), len(rows) - 1)
        self.filter_code = code_id
        self._filter_count = len(rows)
        self.view.load(rows, start)
        self._refresh_top()
        carry = "paragraph carries" if len(rows) == 1 else "paragraphs carry"
        where = f"opened {opened}, filter kept" if opened is not None else "filter"
        self.say(f"{where}: {len(rows)} {carry} {name}; f again shows all", ok=False)

    def action_clear_filter(self) -> None:
        if self.filter_code is not None:
            self._clear_filter()
            self.say("filter cleared: all paragraphs", ok=False)

    def _clear_filter(self) -> None:
        if self.filter_code is None:
            return
        current = self.view.current_index or 0
        self.filter_code = None
        self.view.load(list(range(len(self.session.paragraphs))), current)
        self._refresh_top()

    def action_add_code(self, parent_key: str | None = None) -> None:
        from .add_code import AddCodeScreen

        index = self.view.current_index
        selection = self.view.selection
        where = None
        if index is not None:
            where = f"\u00b6{self.session.paragraphs[index].n}"
            if selection:
                where = "the selected span"
        path = self.session.store.get_setting("codebook_path")

        def done(request: AddCodeRequest | None) -> None:
            if request is None:
                return
            self._add_code(request, selection)

        self._push(AddCodeScreen(self.session, where, path, parent_key=parent_key), done)

    def _add_code(self, request: AddCodeRequest, selection: tuple[int, int] | None) -> None:
        from ...codebook import CodeDef
        from ...codebook_edit import append_to_file

        session = self.session
        try:
            code = session.add_code(request.name, request.parent_key, request.shortcut,
                                    request.definition)
        except SAVE_ERRORS as exc:
            self._failed(exc)
            return
        problem = None
        if request.append_to:
            parent = session.all_codes.get(code.parent_id) if code.parent_id else None
            try:
                append_to_file(session.store, request.append_to, CodeDef(
                    key=code.key, name=code.name, parent_key=parent.key if parent else None,
                    shortcut=code.shortcut, definition=code.definition))
            except (CoderError, OSError) as exc:
                problem = str(exc)
        self.codebook.rebuild()
        self.bind_code_keys()
        message = f"saved: new code {session.code_name(code.id)}"
        failed = problem is not None
        if request.apply and self.view.current_index is not None:
            applied = self.apply_code(code.id, selection)
            if applied is None:
                message += f" (not applied: {self.status_line.message})"
                failed = True
            else:
                message = applied.message.replace("saved: ", "saved: new code ", 1)
        else:
            self.codebook.show_code(code.id)
        if problem is not None:
            message += f"; NOT added to the codebook file: {problem}"
            self.notify(f"{code.name} is in the project, but the codebook file was left as "
                        f"it was: {problem}", severity="error", timeout=10,
                        markup=False)
        elif request.append_to:
            message += f"; added to {request.append_to.name}"
        self.say(message, error=failed)

    # -- actions: the codebook ---------------------------------------------------------

    def _highlighted_code(self) -> Code | None:
        node = self.codebook.cursor_node
        code = self.session.all_codes.get(node.data) if node and node.data is not None else None
        if code is None:
            self.say("no code highlighted: move to one in the codebook (tab) first", ok=False)
        return code

    def _codebook_edited(self, outcome: EditOutcome) -> None:
        self.codebook.rebuild()
        self.bind_code_keys()
        key = outcome.key
        code = next((c for c in self.session.codes if c.key == key), None) if key else None
        if code is not None:
            self.codebook.show_code(code.id)
            self.query_one(CodeDetail).show(None)
            self.query_one(CodeDetail).show(code)
        self.view.invalidate(None)
        self._refresh_filter_count()
        self._refresh_top()
        self.say(outcome.message, ok=outcome.ok, error=not outcome.ok)

    def _edit(self, edit: Callable[[], EditOutcome],
              editor: CodeEditorScreen | None = None,
              refused: Callable[[str], None] | None = None) -> EditOutcome | None:
        """Run one codebook edit; a refusal is shown in the editor when it is open (so the
        typing is kept), or handed to `refused` (the screen the edit came from), and a
        codebook file changed on disk offers to reload it. The outcome, or None."""
        from ...codebook_edit import CodebookFileChanged
        from .code_editor import ReloadScreen

        try:
            outcome = edit()
        except CodebookFileChanged as exc:
            if editor is not None:
                editor.dismiss(None)
            why = str(exc)

            def reload(yes: bool | None) -> None:
                if not yes:
                    self.say(f"nothing changed: {why}", ok=False)
                    return
                try:
                    message = self.session.reload_codebook()
                except SAVE_ERRORS as error:
                    self._failed(error)
                    return
                from ...codebook_edit import EditOutcome

                self._codebook_edited(EditOutcome(message))

            self._push(ReloadScreen(why), reload)
            return None
        except SAVE_ERRORS as exc:
            if editor is not None:
                editor.show_error(str(exc))
            elif refused is not None and not isinstance(exc, ProjectChanged):
                refused(f"not changed: {exc}")
            else:
                self._failed(exc)
            return None
        if editor is not None:
            editor.dismiss(None)
        self._codebook_edited(outcome)
        return outcome

    def action_edit_code(self) -> None:
        from .code_editor import CodeEditorScreen, EditRequest

        code = self._highlighted_code()
        if code is None:
            return
        editor = CodeEditorScreen(self.session, code)

        def saved(request: EditRequest) -> None:
            if request.add_child:
                editor.dismiss(None)
                self.action_add_code(parent_key=code.key)
                return
            change = request.change
            assert change is not None
            self._edit(lambda: self.session.edit_code(code.key, change,
                                                      cosmetic=request.cosmetic), editor)

        editor.on_request = saved
        self._push(editor)

    def action_merge_code(self) -> None:
        from .picker import CodePicker

        code = self._highlighted_code()
        if code is None:
            return

        def done(into: int | None) -> None:
            target = self.session.all_codes.get(into) if into is not None else None
            if target is not None:
                self._edit(lambda: self.session.merge_codes(code.key, target.key))

        self._push(CodePicker(self.session, f"Merge {clean(code.path)} into (its codings move "
                                            "there)", applied={code.id}), done)

    def action_retire_code(self) -> None:
        code = self._highlighted_code()
        if code is not None:
            self._edit(lambda: self.session.retire_code(code.key))

    def action_toggle_others(self) -> None:
        session = self.session
        session.set_show_others(not session.show_others)
        self.view.invalidate(None)
        self._refresh_top()
        if session.show_others:
            names = session.other_coder_names()
            if names:
                self.say(f"showing codings by {', '.join(names)} (o hides them)", ok=False)
            else:
                self.say("no other coder has coded in this project yet", ok=False)
        else:
            self.say("blind: only your codings are shown", ok=False)

    def action_code_view(self) -> None:
        from .code_view import CodeViewScreen

        node = self.codebook.cursor_node
        code_id = node.data if node is not None else None
        if code_id is None:
            self.say("no code highlighted in the codebook", ok=False)
            return
        self._push(CodeViewScreen(self.session.store, code_id, split=self._split), self._jumped)

    def _split(self, key: str, segment_ids: list[int], target: SplitTarget,
               refused: Callable[[str], None]) -> EditOutcome | None:
        """A split asked for in the code view, run as every codebook edit is."""
        return self._edit(lambda: self.session.split_code(
            key, segment_ids, into=target.into, new_name=target.new_name), refused=refused)

    def action_matrix(self) -> None:
        from .matrix import MatrixScreen

        self._push(MatrixScreen(self.session.store), self._jumped)

    def action_memo_view(self) -> None:
        from .memo_view import MemoViewScreen

        self._push(MemoViewScreen(self.session.store), self._jumped)

    def _jumped(self, jump: Jump | None) -> None:
        """Back from a list of quotes or memos: on the paragraph chosen there, if any."""
        if jump is None:
            return
        try:
            if self.session.document is None or self.session.document.id != jump.document_id:
                self.open_document(jump.document_id, jump.paragraph_id)
            self._go_to_paragraph(jump.paragraph_id)
        except SAVE_ERRORS as exc:
            self._failed(exc)
            return
        index = self.session.index_of.get(jump.paragraph_id)
        if index is not None and self.session.document is not None:
            self.say(f"at \u00b6{self.session.paragraphs[index].n} of "
                     f"{self.session.document.name}: code keys recode it, u undoes", ok=False)

    def action_help(self) -> None:
        from .help import HelpScreen

        self._push(HelpScreen(self.session))

    def remember_position(self) -> None:
        """Note the reading place; a busy file only delays that (see `CodingSession.note`)."""
        if self.session.document is not None and self.view.current_index is not None:
            self.session.remember_position(self.view.current_index)

    async def action_quit(self) -> None:
        await self.app.action_quit()
