"""Every quote of a code (with its sub-codes) across the project: where, who said it, who
coded it. Enter opens the paragraph in the coding screen, where the quote can be recoded or
uncoded like any other coding (and undone with u). Quotes marked here (space, a) move to a
new or existing sub-code of the code, which splits it (`coder.codebook_edit.split_code`, run
by the coding screen through `split`, so the codebook there follows)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType

from ...attributes import AttributeIndex
from ...groupings import groupings
from ...models import Code
from ...retrieval import Within, code_quotes
from ...store import QuoteRow, Store
from ...text import clean, ellipsize
from .split import SplitTarget
from .table_screen import Jump, TableScreen, column_widths, quote_width

if TYPE_CHECKING:
    from ...codebook_edit import EditOutcome

CAPS = (18, 6, 10, 16, 10, 14)
MARK = "\u2713 "

# Make the split (code key, segment ids, where to): the outcome, or None when refused (the
# callback has then said why through the second argument).
SplitCall = Callable[[str, list[int], SplitTarget, Callable[[str], None]], "EditOutcome | None"]


class CodeViewScreen(TableScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "open \u00b6",
                tooltip="open the quote's paragraph in its document, to recode or uncode it"),
        Binding("w", "within", "where",
                tooltip="show only the quotes in one document (or case, or attribute value); "
                        "w again shows all"),
        Binding("space", "mark", "mark", tooltip="mark or unmark the highlighted quote (and go "
                                                 "to the next), to split the code"),
        Binding("a", "mark_all", "mark all", tooltip="mark every quote shown (a again unmarks "
                                                     "them all)"),
        Binding("s", "split", "split", tooltip="split the code: move the marked quotes to a new "
                                               "or existing sub-code (u in the coding screen "
                                               "undoes)"),
        *TableScreen.BINDINGS,
    ]

    def __init__(self, store: Store, code_id: int, *, within: Within | None = None,
                 split: SplitCall | None = None) -> None:
        super().__init__()
        self.store = store
        self.code_id = code_id
        self.within = within
        self.split = split
        self.rows: list[QuoteRow] = []
        self.cases: list[str] = []
        self.marked: set[int] = set()

    def fill(self) -> None:
        headers = ["document", "\u00b6", "speaker", "case", "coder", "code"]
        self.rows = rows = code_quotes(self.store, self.code_id, within=self.within)
        self.marked &= {r.segment_id for r in rows}
        index = AttributeIndex.load(self.store)
        cases = [index.case_of(r.document_id, r.speaker) for r in rows]
        self.cases = [c.name if c else "" for c in cases]
        raw = [(r.document, str(r.n), r.speaker or "", case, r.coder, r.code_name)
               for r, case in zip(rows, self.cases, strict=True)]
        widths = column_widths(raw, headers, CAPS)
        width = min(quote_width(self.app.size.width, widths),
                    max([5, *(len(r.quote) for r in rows)]))

        self._first_width = widths[0]

        def make_row(i: int) -> list[Text]:
            cells = [Text(ellipsize(v, w)) for v, w in zip(raw[i], widths, strict=True)]
            cells[0] = self._first_cell(i)
            return [*cells, Text(ellipsize(rows[i].quote, width))]

        self.load_rows([*headers, "quote"], [*widths, width], make_row, len(rows))
        self._title()
        if self.rows:
            self.highlighted(0)
            self.say("enter opens the \u00b6 to recode it \u00b7 w filters \u00b7 "
                     "space marks, s splits the code \u00b7 esc back")
        else:
            self.show_detail(Text(""))
            self.say("no quote of this code here yet \u00b7 esc back")

    @property
    def code(self) -> Code:
        return next(c for c in self.store.codes(include_retired=True) if c.id == self.code_id)

    def _title(self) -> None:
        documents = len({r.document_id for r in self.rows})
        where = f" \u00b7 {self.within.describe()}" if self.within else ""
        marked = f" \u00b7 {len(self.marked)} marked" if self.marked else ""
        self.title_line(f"{clean(self.code.path)} (with sub-codes){where}: {len(self.rows)} "
                        f"quote(s) in {documents} document(s){marked}")

    def _first_cell(self, row: int) -> Text:
        """The document's name, after a tick when the quote is marked (so a mark reads
        without colour)."""
        r = self.rows[row]
        if r.segment_id in self.marked:
            return Text(MARK + ellipsize(r.document, self._first_width))
        return Text(ellipsize(r.document, self._first_width))

    def action_mark(self) -> None:
        row = self.table.cursor_row
        if not 0 <= row < len(self.rows):
            return
        self.marked ^= {self.rows[row].segment_id}
        self.table.refresh_rows(row)
        self._title()
        self.table.action_cursor_down()

    def action_mark_all(self) -> None:
        shown = {r.segment_id for r in self.rows}
        self.marked = set() if shown and shown <= self.marked else shown
        self.table.refresh_rows()
        self._title()
        self.say(f"{len(self.marked)} quote(s) marked: s moves them to a sub-code"
                 if self.marked else "no quote marked")

    def action_split(self) -> None:
        from .split import SplitDialog

        if self.split is None:
            self.say("splitting is done from the coding screen's code view (r)")
            return
        if not self.marked:
            self.say("mark the quotes to move first: space marks one, a marks all shown")
            return
        code = self.code
        children = [c for c in self.store.codes() if c.parent_id == code.id]
        marked = sorted(self.marked)
        split = self.split

        def chosen(target: SplitTarget | None) -> None:
            if target is None:
                return
            outcome = split(code.key, marked, target, self.say)
            if outcome is None:
                return
            self.marked.clear()
            row = self.table.cursor_row
            self.fill()
            if self.rows:
                self.table.move_cursor(row=min(row, len(self.rows) - 1))
            self.say(f"{outcome.message} (u in the coding screen undoes)")

        self.app.push_screen(SplitDialog(code, children, len(marked)), chosen)

    def highlighted(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        r = self.rows[row]
        text = Text()
        text.append(clean(r.document), style=Style(bold=True))
        text.append(f" \u00b6{r.n}")
        if r.speaker:
            text.append(f" \u00b7 {clean(r.speaker)}")
        if self.cases[row]:
            text.append(f" (case {clean(self.cases[row])})")
        text.append(f" \u00b7 {clean(r.code_name)} by {clean(r.coder)}\n")
        text.append(r.quote)
        if r.memo:
            text.append("\nmemo: ", style=Style(bold=True))
            text.append(r.memo)
        self.show_detail(text)

    def chosen(self, row: int, column: int) -> None:
        if 0 <= row < len(self.rows):
            r = self.rows[row]
            self.dismiss(Jump(r.document_id, r.paragraph_id))

    def action_open(self) -> None:
        self.chosen(self.table.cursor_row, 0)

    def action_within(self) -> None:
        from .within import WithinPicker

        if self.within is not None:
            self.within = None
            self.fill()
            return

        def done(within: Within | None) -> None:
            if within is not None:
                self.within = within
                self.fill()

        self.app.push_screen(WithinPicker(groupings(self.store)), done)
