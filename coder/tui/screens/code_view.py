"""Every quote of a code (with its sub-codes) across the project: where, who said it, who
coded it. Enter opens the paragraph in the coding screen, where the quote can be recoded or
uncoded like any other coding (and undone with u)."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType

from ...attributes import AttributeIndex
from ...groupings import groupings
from ...retrieval import Within, code_quotes
from ...store import QuoteRow, Store
from ...text import clean, ellipsize
from .table_screen import Jump, TableScreen, column_widths, quote_width

CAPS = (18, 6, 10, 16, 10, 14)


class CodeViewScreen(TableScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "open \u00b6",
                tooltip="open the quote's paragraph in its document, to recode or uncode it"),
        Binding("w", "within", "where",
                tooltip="show only the quotes in one document (or case, or attribute value); "
                        "w again shows all"),
        *TableScreen.BINDINGS,
    ]

    def __init__(self, store: Store, code_id: int, *, within: Within | None = None) -> None:
        super().__init__()
        self.store = store
        self.code_id = code_id
        self.within = within
        self.rows: list[QuoteRow] = []
        self.cases: list[str] = []

    def fill(self) -> None:
        headers = ["document", "\u00b6", "speaker", "case", "coder", "code"]
        self.rows = rows = code_quotes(self.store, self.code_id, within=self.within)
        index = AttributeIndex.load(self.store)
        cases = [index.case_of(r.document_id, r.speaker) for r in rows]
        self.cases = [c.name if c else "" for c in cases]
        raw = [(r.document, str(r.n), r.speaker or "", case, r.coder, r.code_name)
               for r, case in zip(rows, self.cases, strict=True)]
        widths = column_widths(raw, headers, CAPS)
        width = min(quote_width(self.app.size.width, widths),
                    max([5, *(len(r.quote) for r in rows)]))

        def make_row(i: int) -> list[Text]:
            cells = [Text(ellipsize(v, w)) for v, w in zip(raw[i], widths, strict=True)]
            return [*cells, Text(ellipsize(rows[i].quote, width))]

        self.load_rows([*headers, "quote"], [*widths, width], make_row, len(rows))
        code = next(c for c in self.store.codes(include_retired=True) if c.id == self.code_id)
        documents = len({r.document_id for r in self.rows})
        where = f" \u00b7 {self.within.describe()}" if self.within else ""
        self.title_line(f"{clean(code.path)} (with sub-codes){where}: {len(self.rows)} "
                        f"quote(s) in {documents} document(s)")
        if self.rows:
            self.highlighted(0)
            self.say("enter opens the paragraph, to recode or uncode there \u00b7 "
                     "w filters \u00b7 esc back")
        else:
            self.show_detail(Text(""))
            self.say("no quote of this code here yet \u00b7 esc back")

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
