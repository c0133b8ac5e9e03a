"""Search the text of every document and jump to a hit (F3 then goes on to the next).

A hit is one occurrence, not one paragraph: a paragraph saying "care" three times is three hits,
listed, counted and walked by F3 one by one, and marked where they are in the paragraph.

The query runs in a worker thread on its own connection, so typing stays responsive on a large
project.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ...models import Document, Paragraph
from ...store import Store
from ...text import clean
from ..display import folded_matches
from .list_dialog import ListDialog

LIMIT = 200
HELP = ("type to search \u00b7 \u2191\u2193 choose \u00b7 enter go \u00b7 ctrl+o code all hits"
        " \u00b7 esc cancel")


Hit = tuple[int, int, int, int, int]


def occurrences(paragraph: Paragraph, query: str) -> list[tuple[int, int]]:
    """Where `query` is in the paragraph; the paragraph whole (0, 0) when the store matched
    folded text that no run of characters folds to (a fold that merges characters)."""
    return folded_matches(paragraph.text, query) or [(0, 0)]


@dataclass(frozen=True)
class SearchHits:
    """A search and where it led, kept so that F3 steps on through its hits later.

    `hits` are (document id, paragraph id, paragraph number, start, end) of the first LIMIT
    hits in reading order, as listed, start and end in the stored text; `truncated` says there
    were more (F3 asks the store for those).
    """

    query: str
    hits: list[Hit]
    truncated: bool
    chosen: int
    code_all: bool = False  # the researcher asked to code every hit (ctrl+o)


def hit_prompt(document: Document, paragraph: Paragraph, at: tuple[int, int],
               width: int = 90) -> Text:
    """The paragraph's words around one hit, the hit reversed."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append(f"{clean(document.name)} \u00b6{paragraph.n}", style=Style(bold=True))
    if paragraph.speaker:
        text.append(f" {clean(paragraph.speaker)}", style=Style(dim=True))
    text.append("  ")
    start = max(0, at[0] - 30)
    before = clean(paragraph.text[start:at[0]])
    text.append(("\u2026" if start else "") + before)
    text.append(clean(paragraph.text[at[0]:at[1]]), style=Style(reverse=True))
    text.append(clean(paragraph.text[at[1]:at[1] + width]))
    return text


class SearchScreen(ListDialog[SearchHits | None]):
    """Returns the hits with the one chosen, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "code_all", "code all hits", tooltip="code every hit with one code"),
    ]

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = db_path
        self.hits: list[Hit] = []
        self.searched = ""
        self.truncated = False
        self.enter_waiting = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="search"):
            yield Label(Text("Search all documents"), classes="dialog-title")
            yield Input(placeholder="words to find (case does not matter)", id="search-query")
            yield OptionList(id="search-hits")
            yield Label(Text(HELP), id="search-count", classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed, "#search-query")
    def _changed(self, event: Input.Changed) -> None:
        query = event.value
        self.enter_waiting = False
        if len(query.strip()) < 2:
            self.hits = []
            self.query_one(OptionList).clear_options()
            self._count(HELP)
            return
        self.run_search(query)

    def enter_in_field(self, value: str) -> None:
        """Enter typed before the hits of what was typed have come in goes to the first of
        them when they do, rather than to the hits of an earlier, shorter query."""
        if len(value.strip()) >= 2 and value != self.searched:
            self.enter_waiting = True
            return
        super().enter_in_field(value)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        store = Store(self.db_path)
        try:
            found = store.search(query, limit=LIMIT + 1)
        finally:
            store.close()
        listed: list[tuple[Document, Paragraph, tuple[int, int]]] = []
        for document, paragraph in found:
            listed.extend((document, paragraph, at) for at in occurrences(paragraph, query))
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, query, listed, len({p.id for _, p in found}))

    def _show(self, query: str, found: list[tuple[Document, Paragraph, tuple[int, int]]],
              paragraphs: int) -> None:
        if self.query_one(Input).value != query:
            return
        self.hits = [(d.id, p.id, p.n, *at) for d, p, at in found[:LIMIT]]
        self.searched = query
        self.truncated = len(found) > LIMIT
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(hit_prompt(d, p, at), id=str(i))
                             for i, (d, p, at) in enumerate(found[:LIMIT])])
        if self.hits:
            options.highlighted = 0
            if self.enter_waiting:
                self.choose("0")
                return
        self.enter_waiting = False
        if self.truncated:
            count = f"{LIMIT}+ hits; F3 walks them all"
        elif len(self.hits) == 1:
            count = "1 hit"
        else:
            count = f"{len(self.hits)} hits in {paragraphs} paragraph{'s' if paragraphs > 1 else ''}"
        self._count(f"{count} \u00b7 \u2191\u2193 choose \u00b7 enter go \u00b7 ctrl+o code all"
                    " \u00b7 esc cancel")

    def _count(self, line: str) -> None:
        self.query_one("#search-count", Label).update(Text(line))

    def choose(self, option_id: str) -> None:
        self.dismiss(SearchHits(self.searched, self.hits, self.truncated, int(option_id)))

    def action_code_all(self) -> None:
        if not self.hits:
            self._count("nothing found yet to code \u00b7 type at least two characters")
            return
        self.dismiss(SearchHits(self.searched, self.hits, self.truncated, 0, code_all=True))
