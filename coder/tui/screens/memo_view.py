"""Every memo in the project, paragraph memos and coding memos, by document or by code;
Enter opens the paragraph it was written on."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType

from ...retrieval import memos
from ...store import MemoRow, Store
from ...text import clean, ellipsize
from .table_screen import Jump, TableScreen, column_widths, quote_width

CAPS = (18, 6, 10, 16)


class MemoViewScreen(TableScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "open \u00b6", tooltip="open the paragraph the memo is on"),
        Binding("b", "by", "by", tooltip="memos in reading order, or grouped by code"),
        *TableScreen.BINDINGS,
    ]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.by = "document"
        self.rows: list[MemoRow] = []

    def fill(self) -> None:
        headers = ["document", "\u00b6", "coder", "on"]
        self.rows = rows = memos(self.store, by=self.by)
        raw = [(m.document, str(m.n), m.coder, m.code_name or "the paragraph") for m in rows]
        widths = column_widths(raw, headers, CAPS)
        width = min(quote_width(self.app.size.width, widths),
                    max([4, *(len(m.memo) for m in rows)]))

        def make_row(i: int) -> list[Text]:
            italic = Style(italic=True)
            cells = [Text(ellipsize(v, w), style=italic if c == 3 and rows[i].code_name is None
                          else Style())
                     for c, (v, w) in enumerate(zip(raw[i], widths, strict=True))]
            return [*cells, Text(ellipsize(rows[i].memo, width))]

        self.load_rows([*headers, "memo"], [*widths, width], make_row, len(rows))
        other = "code" if self.by == "document" else "document"
        self.title_line(f"Memos by {self.by}: {len(self.rows)} "
                        f"({sum(m.kind == 'paragraph' for m in self.rows)} on paragraphs, "
                        f"{sum(m.kind == 'coding' for m in self.rows)} on codings) "
                        f"\u00b7 b: by {other}")
        if self.rows:
            self.highlighted(0)
            self.say("enter opens the paragraph \u00b7 b regroups \u00b7 esc back")
        else:
            self.show_detail(Text(""))
            self.say("no memos yet: m in the coding screen writes one \u00b7 esc back")

    def highlighted(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        m = self.rows[row]
        text = Text()
        text.append(clean(m.document), style=Style(bold=True))
        text.append(f" \u00b6{m.n}")
        if m.speaker:
            text.append(f" \u00b7 {clean(m.speaker)}")
        on = f"coding {clean(m.code_name)}" if m.code_name else "the paragraph"
        text.append(f" \u00b7 {clean(m.coder)}'s memo on {on}\n")
        text.append(m.memo)
        text.append("\n\u201c", style=Style(dim=True))
        text.append(ellipsize(m.quote, 200), style=Style(dim=True))
        text.append("\u201d", style=Style(dim=True))
        self.show_detail(text)

    def chosen(self, row: int, column: int) -> None:
        if 0 <= row < len(self.rows):
            m = self.rows[row]
            self.dismiss(Jump(m.document_id, m.paragraph_id))

    def action_open(self) -> None:
        self.chosen(self.table.cursor_row, 0)

    def action_by(self) -> None:
        self.by = "code" if self.by == "document" else "document"
        self.fill()
