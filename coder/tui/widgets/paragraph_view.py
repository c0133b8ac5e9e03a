"""The document as a column of paragraphs, drawn one screen at a time.

A transcript can have tens of thousands of paragraphs, so nothing is laid out up front: the view
keeps the index of the top paragraph and wraps only the paragraphs that fit on screen (caching
each by width and revision), and draws them through Textual's line API. Scrolling moves by
paragraph; a paragraph taller than the screen is paged through by lines.

A paragraph's lines are rendered only when drawn, and the selection and the current search hit
are laid over the cached wrapping rather than wrapped in: a span key restyles the lines it
touches, so it costs one frame on a 50,000-character paragraph as on a short one.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import get_character_cell_size
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from ...session import CodingSession
from ...text import clean, ellipsize
from ..display import DisplayText, folded_matches, sentence_spans, word_spans, wrap_ranges
from ...vocab import ParagraphKind
from .chips import chip, swatch_style

SCROLL_LINES = 3
_PLAIN = Style()
CACHE_LIMIT = 4000


def _segments(text: Text, console: Console) -> list[Segment]:
    """Rendered segments, each with a style (filters such as NO_COLOR's need one)."""
    return [Segment(t, style or _PLAIN) for t, style, _ in text.render(console)]


@dataclass
class _Palette:
    base: Style
    number: Style
    cursor: Style
    scrollbar: Style
    empty: Style
    heading: Style
    speaker: Style
    span: Style
    selection: Style
    hit: Style
    current_hit: Style
    other: Style
    memo: Style


@dataclass
class _Wrapped:
    """One paragraph styled and wrapped to one width, without the selection or the current
    hit: built once per paragraph, width and revision."""

    text: Text
    ranges: list[tuple[int, int]]
    starts: list[int]
    prefix: int
    disp: DisplayText
    labels: list[Strip]


class _Layout:
    """A wrapped paragraph with marks (the selection, the current hit) laid over it: its lines,
    rendered when first drawn, and how to map a click back to text."""

    def __init__(self, wrapped: _Wrapped, marks: tuple[tuple[int, int, Style], ...],
                 console: Console, width: int) -> None:
        self.wrapped = wrapped
        self.marks = marks
        self.console = console
        self.width = width
        self._lines: dict[int, Strip] = {}

    @property
    def ranges(self) -> list[tuple[int, int]]:
        return self.wrapped.ranges

    @property
    def prefix(self) -> int:
        return self.wrapped.prefix

    @property
    def disp(self) -> DisplayText:
        return self.wrapped.disp

    @property
    def height(self) -> int:
        return len(self.wrapped.ranges) + len(self.wrapped.labels) + 1

    def line_at(self, position: int) -> int:
        """The text line holding display position `position` (prefix included)."""
        return max(0, bisect_right(self.wrapped.starts, position) - 1)

    def line(self, k: int) -> Strip:
        strip = self._lines.get(k)
        if strip is not None:
            return strip
        wrapped = self.wrapped
        if k < len(wrapped.ranges):
            start, end = wrapped.ranges[k]
            piece = wrapped.text[start:end]
            for m_start, m_end, style in self.marks:
                if m_start < end and m_end > start:
                    piece.stylize(style, max(m_start, start) - start, min(m_end, end) - start)
            strip = Strip(_segments(piece, self.console)).crop(0, self.width)
        elif k < len(wrapped.ranges) + len(wrapped.labels):
            strip = wrapped.labels[k - len(wrapped.ranges)]
        else:
            strip = Strip([])
        self._lines[k] = strip
        return strip


class ParagraphView(Widget, can_focus=True):
    """Paragraph column with a cursor paragraph and, in span mode, a word-aligned selection."""

    ALLOW_SELECT = False

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paragraph-view--cursor",
        "paragraph-view--number",
        "paragraph-view--speaker",
        "paragraph-view--heading",
        "paragraph-view--span",
        "paragraph-view--selection",
        "paragraph-view--hit",
        "paragraph-view--hit-current",
        "paragraph-view--other",
        "paragraph-view--memo",
        "paragraph-view--empty",
        "paragraph-view--scrollbar",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right", "word(1)", "word", key_display="\u2190\u2192",
                tooltip="select the next word"),
        Binding("left", "word(-1)", "previous word", show=False,
                tooltip="select the previous word"),
        Binding("shift+right", "extend_word(1)", "extend", key_display="\u21e7\u2190\u2192",
                tooltip="extend the selection by a word"),
        Binding("shift+left", "extend_word(-1)", "shrink", show=False,
                tooltip="shrink the selection by a word (or extend it leftwards)"),
        Binding("down", "sentence(1)", "sentence", key_display="\u2191\u2193",
                tooltip="select the (next) whole sentence"),
        Binding("up", "sentence(-1)", "previous sentence", show=False,
                tooltip="select the (previous) whole sentence"),
        Binding("shift+down", "extend_sentence(1)", "extend by sentence", show=False,
                tooltip="extend the selection to the end of the sentence, then the next"),
        Binding("shift+up", "extend_sentence(-1)", "shrink by sentence", show=False,
                tooltip="move the selection's end back a sentence"),
        Binding("escape", "leave_span", "leave", tooltip="leave span mode"),
    ]

    class CursorMoved(Message):
        def __init__(self, index: int | None) -> None:
            self.index = index
            super().__init__()

    class SpanChanged(Message):
        """The selection changed; `dropped` when span mode ended because the cursor moved
        (so that a code key no longer means the span, which the screen must say)."""

        def __init__(self, selection: tuple[int, int] | None, *, dropped: bool = False) -> None:
            self.selection = selection
            self.dropped = dropped
            super().__init__()

    def __init__(self, session: CodingSession, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self.rows: list[int] = []
        self.cursor = 0
        self.top = 0
        self.top_skip = 0
        self.span_mode = False
        self._words: list[tuple[int, int]] = []
        self._sentences: list[tuple[int, int]] = []
        self._anchor = 0
        self._head = 0
        self._cache: dict[int, tuple[tuple, _Layout]] = {}
        self._marked: tuple[tuple, _Layout] | None = None
        self._word_starts: list[int] = []
        self.search: str | None = None
        self.hit: tuple[int, int, int] | None = None
        self._revision: dict[int, int] = {}
        self._generation = 0
        self._frame: list[tuple[int, int]] | None = None
        self._frame_size: tuple[int, int] = (0, 0)
        self._drag_from: int | None = None
        self._palette: _Palette | None = None
        self.empty_message = "No paragraphs."

    # -- state from outside --------------------------------------------------------------

    def load(self, rows: list[int], cursor_row: int = 0) -> None:
        """Show these paragraph indices (all of them, or a filter), cursor on `cursor_row`."""
        self.rows = rows
        self.hit = None
        self._cache.clear()
        self._revision.clear()
        if self.span_mode:
            self.span_mode = False
            self.post_message(self.SpanChanged(None, dropped=True))
        self.cursor = min(max(cursor_row, 0), max(len(rows) - 1, 0))
        self.top, self.top_skip = self.cursor, 0
        self._invalidate_frame()
        self._scroll_to_cursor()
        self._announce()
        self.refresh_bindings()

    def invalidate(self, indices: set[int] | None = None) -> None:
        """Redraw these paragraphs (by paragraph index), or everything when None."""
        if indices is None:
            self._generation += 1
        else:
            for i in indices:
                self._revision[i] = self._revision.get(i, 0) + 1
        self._invalidate_frame()

    def show_search(self, query: str | None, hit: tuple[int, int, int] | None = None) -> None:
        """Mark every occurrence of `query`, and `hit` (paragraph index, start, end in stored
        text) as the one the search is at, scrolled into view."""
        if query != self.search:
            self.search = query
            self.invalidate(None)
        self.hit = hit
        self._invalidate_frame()
        if hit is not None and hit[0] == self.current_index:
            self._keep_visible(hit[1], hit[2])

    @property
    def current_index(self) -> int | None:
        return self.rows[self.cursor] if self.rows else None

    @property
    def selection(self) -> tuple[int, int] | None:
        if not self.span_mode or not self._words:
            return None
        lo, hi = sorted((self._anchor, self._head))
        return self._words[lo][0], self._words[hi][1]

    def row_of(self, index: int) -> int | None:
        try:
            return self.rows.index(index)
        except ValueError:
            return None

    def move_to(self, row: int) -> None:
        if not self.rows:
            return
        row = min(max(row, 0), len(self.rows) - 1)
        if row == self.cursor and not self.span_mode:
            self._scroll_to_cursor()
            return
        self.cursor = row
        self.leave_span(dropped=True)
        self._scroll_to_cursor()
        self._invalidate_frame()
        self._announce()

    def move_by(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    # -- span mode -----------------------------------------------------------------------

    def enter_span(self, start: int | None = None, end: int | None = None) -> bool:
        index = self.current_index
        if index is None:
            return False
        text = self.session.paragraphs[index].text
        self._words = word_spans(text)
        if not self._words:
            return False
        self._word_starts = [s for s, _ in self._words]
        self._sentences = sentence_spans(text)
        if start is None:
            self._anchor = self._head = 0
        else:
            self._anchor = self._word_at(start)
            self._head = self._word_at(max(start, (end or start) - 1))
        self.span_mode = True
        self._span_changed()
        return True

    def leave_span(self, *, dropped: bool = False) -> None:
        if not self.span_mode:
            return
        self.span_mode = False
        self._span_changed(dropped=dropped)

    def _span_changed(self, *, dropped: bool = False) -> None:
        self._invalidate_frame()
        self._keep_selection_visible()
        self.refresh_bindings()
        self.post_message(self.SpanChanged(self.selection, dropped=dropped))

    def _word_at(self, offset: int) -> int:
        return max(0, bisect_right(self._word_starts, offset) - 1)

    def _sentence_bounds(self, word: int) -> tuple[int, int]:
        """First and last word index of the sentence holding word `word`."""
        offset = self._words[word][0]
        for s, e in self._sentences:
            if s <= offset < e:
                return self._word_at(s), self._word_at(e - 1)
        return word, word

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("word", "extend_word", "sentence", "extend_sentence", "leave_span"):
            return self.span_mode
        return True

    def action_word(self, step: int) -> None:
        lo, hi = sorted((self._anchor, self._head))
        target = hi + 1 if step > 0 else lo - 1
        if lo != hi:
            target = hi if step > 0 else lo
        target = min(max(target, 0), len(self._words) - 1)
        self._anchor = self._head = target
        self._span_changed()

    def action_extend_word(self, step: int) -> None:
        self._head = min(max(self._head + step, 0), len(self._words) - 1)
        self._span_changed()

    def action_sentence(self, step: int) -> None:
        lo, hi = sorted((self._anchor, self._head))
        word = hi if step > 0 else lo
        first, last = self._sentence_bounds(word)
        if (first, last) == (lo, hi):
            neighbour = last + 1 if step > 0 else first - 1
            if 0 <= neighbour < len(self._words):
                first, last = self._sentence_bounds(neighbour)
        self._anchor, self._head = first, last
        self._span_changed()

    def action_extend_sentence(self, step: int) -> None:
        first, last = self._sentence_bounds(self._head)
        if step > 0:
            target = last if self._head != last else self._sentence_bounds(
                min(last + 1, len(self._words) - 1))[1]
        else:
            target = first if self._head != first else self._sentence_bounds(
                max(first - 1, 0))[0]
        self._head = target
        self._span_changed()

    def action_leave_span(self) -> None:
        self.leave_span()

    # -- movement ------------------------------------------------------------------------

    def _height(self, row: int) -> int:
        return self._layout(self.rows[row]).height

    def _scroll_to_cursor(self) -> None:
        height = self.size.height
        if not self.rows or height <= 0:
            return
        if self.cursor < self.top or (self.cursor == self.top and self.top_skip):
            self.top, self.top_skip = self.cursor, 0
            self._invalidate_frame()
            return
        total = -self.top_skip
        for row in range(self.top, self.cursor + 1):
            total += self._height(row)
            if total > height:
                break
        else:
            return
        row, used = self.cursor, self._height(self.cursor)
        while row > 0 and used + self._height(row - 1) <= height:
            row -= 1
            used += self._height(row)
        self.top, self.top_skip = row, 0
        self._invalidate_frame()

    def _keep_selection_visible(self) -> None:
        """In a paragraph taller than the screen, follow the selection's line."""
        selection = self.selection
        if selection is not None:
            self._keep_visible(*selection)

    def _keep_visible(self, start: int, end: int) -> None:
        """Page a paragraph taller than the screen to the line where [start, end) ends."""
        index = self.current_index
        if index is None or self.top != self.cursor or end <= start:
            return
        layout = self._layout(index)
        if layout.height <= self.size.height:
            return
        line = layout.line_at(layout.prefix + layout.disp.disp_of[end - 1])
        if line < self.top_skip:
            self.top_skip = line
        elif line >= self.top_skip + self.size.height:
            self.top_skip = line - self.size.height + 1
        self._invalidate_frame()

    def page(self, direction: int) -> None:
        if not self.rows:
            return
        height = self.size.height
        frame = self._get_frame()
        cursor_height = self._height(self.cursor)
        if direction > 0:
            if self.cursor == self.top and self.top_skip + height < cursor_height:
                self.top_skip = min(self.top_skip + max(height - 2, 1), cursor_height - height)
                self._invalidate_frame()
                return
            fully = [row for row in {r for r, _ in frame}
                     if self._fully_visible(row, frame)]
            last = max(fully) if fully else self.cursor
            target = min(max(last + 1, self.cursor + 1), len(self.rows) - 1)
            self.cursor = target
            self.top, self.top_skip = target, 0
        else:
            if self.top_skip:
                self.top_skip = max(0, self.top_skip - max(height - 2, 1))
                self._invalidate_frame()
                return
            row, used = self.top, 0
            while row > 0 and used + self._height(row - 1) <= height:
                row -= 1
                used += self._height(row)
            if row == self.top:
                row = max(0, row - 1)
            self.cursor = row
            self.top, self.top_skip = row, 0
        self.leave_span(dropped=True)
        self._scroll_to_cursor()
        self._invalidate_frame()
        self._announce()

    def _fully_visible(self, row: int, frame: list[tuple[int, int]]) -> bool:
        lines = [k for r, k in frame if r == row]
        return bool(lines) and lines[0] == 0 and len(lines) >= self._height(row)

    def scroll_lines(self, delta: int) -> None:
        if not self.rows:
            return
        if delta > 0:
            for _ in range(delta):
                if self.top_skip + 1 < self._height(self.top):
                    self.top_skip += 1
                elif self.top + 1 < len(self.rows):
                    self.top, self.top_skip = self.top + 1, 0
        else:
            for _ in range(-delta):
                if self.top_skip > 0:
                    self.top_skip -= 1
                elif self.top > 0:
                    self.top -= 1
                    self.top_skip = self._height(self.top) - 1
        self._invalidate_frame()

    def _announce(self) -> None:
        self.post_message(self.CursorMoved(self.current_index))

    # -- layout --------------------------------------------------------------------------

    @property
    def _gutter(self) -> int:
        last = self.session.paragraphs[-1].n if self.session.paragraphs else 1
        return len(str(last)) + 3

    @property
    def _text_width(self) -> int:
        return max(10, self.size.width - self._gutter - 2)

    def _layout(self, index: int) -> _Layout:
        width = self._text_width
        key = (width, self._generation, self._revision.get(index, 0), self.session.show_others,
               self.search)
        cached = self._cache.get(index)
        if cached is None or cached[0] != key:
            plain = _Layout(self._wrap(index, width), (), self.app.console, width)
            if len(self._cache) > CACHE_LIMIT:
                self._cache.clear()
            cached = self._cache[index] = (key, plain)
        marks = self._marks(index, cached[1].wrapped)
        if not marks:
            return cached[1]
        marked_key = (index, key, marks)
        if self._marked is None or self._marked[0] != marked_key:
            self._marked = (marked_key, _Layout(cached[1].wrapped, marks, self.app.console, width))
        return self._marked[1]

    def _marks(self, index: int, wrapped: _Wrapped) -> tuple[tuple[int, int, Style], ...]:
        """The selection and the current hit in paragraph `index`, in the wrapped text's
        positions; what a key changes without re-wrapping."""
        palette = self._styles()
        stored: list[tuple[int, int, Style]] = []
        if self.hit is not None and self.hit[0] == index:
            stored.append((self.hit[1], self.hit[2], palette.current_hit))
        selection = self.selection if index == self.current_index else None
        if selection is not None:
            stored.append((selection[0], selection[1], palette.selection))
        p, disp_of = wrapped.prefix, wrapped.disp.disp_of
        return tuple((p + disp_of[s], p + disp_of[e], style)
                     for s, e, style in stored if e > s)

    def _wrap(self, index: int, width: int) -> _Wrapped:
        session = self.session
        paragraph = session.paragraphs[index]
        disp = DisplayText.build(paragraph.text)
        heading = paragraph.kind == ParagraphKind.HEADING
        prefix = f"{clean(paragraph.speaker)}: " if paragraph.speaker else ""
        palette = self._styles()
        base = palette.heading if heading else Style()
        text = Text(prefix + disp.text, end="", no_wrap=True)
        if heading:
            text.stylize(base)
        if prefix:
            text.stylize(palette.speaker, 0, len(prefix) - 1)
        p = len(prefix)

        def stylize(start: int, end: int, style: Style) -> None:
            text.stylize(style, p + disp.disp_of[start], p + disp.disp_of[end])

        own = session.own.get(paragraph.id, [])
        others = session.others.get(paragraph.id, []) if session.show_others else []
        for _, seg in others:
            if seg.start is not None and seg.end is not None:
                stylize(seg.start, seg.end, Style(underline=True, italic=True))
        for seg in own:
            if seg.start is not None and seg.end is not None:
                stylize(seg.start, seg.end, palette.span + self._tint(seg.code_id))
        if self.search:
            for start, end in folded_matches(paragraph.text, self.search):
                stylize(start, end, palette.hit)

        ranges = wrap_ranges(text.plain, width)
        return _Wrapped(text, ranges, [s for s, _ in ranges], p, disp,
                        self._labels(paragraph.id, width))

    def _tint(self, code_id: int) -> Style:
        """Text in the code's colour; none with NO_COLOR, where the terminal's grey version of
        a colour can be unreadable (the style alone, e.g. underline, marks the span then)."""
        if self.app.no_color:
            return _PLAIN
        code = self.session.all_codes.get(code_id)
        return swatch_style(code.color if code else None)

    def _labels(self, paragraph_id: int, width: int) -> list[Strip]:
        session = self.session
        chips: list[Text] = []
        for seg in session.own.get(paragraph_id, []):
            code = session.all_codes.get(seg.code_id)
            piece = chip(code, name=session.code_name(seg.code_id) if code else None)
            memo_mark = 2 if seg.memo else 0
            if seg.start is not None:
                quote = session.paragraphs[session.index_of[paragraph_id]].text[seg.start:seg.end]
                room = min(40, width - piece.cell_len - 3 - memo_mark)
                if room >= 6:
                    piece.append(f" \u201c{ellipsize(quote, room)}\u201d", style=Style(italic=True))
                else:
                    piece.append(" \u201c\u2026\u201d", style=Style(italic=True))
            if seg.memo:
                piece.append(" \u270e")
            if seg.automatic:
                piece.stylize(Style(dim=True))
                piece.append(" auto", style=Style(dim=True, italic=True))
            chips.append(piece)
        if session.show_others:
            other_style = self._styles().other
            for coder, seg in session.others.get(paragraph_id, []):
                name = clean(session.code_name(seg.code_id)) if seg.code_id in session.all_codes \
                    else "?"
                mark = "\u25c7" if seg.start is None else "\u25c7\u2026"
                chips.append(Text(f"{mark} {name} \u00b7{clean(coder)}",
                                  style=other_style + self._tint(seg.code_id), end=""))
        memo = session.memos.get(paragraph_id)
        if memo:
            chips.append(Text(f"\u270e {ellipsize(memo, max(10, width - 4))}",
                              style=self._styles().memo, end=""))
        if not chips:
            return []
        console = self.app.console
        lines: list[Strip] = []
        current: list[Segment] = []
        used = 0
        for piece in chips:
            size = piece.cell_len
            if current and used + 1 + size > width:
                lines.append(Strip(current).crop(0, width))
                current, used = [], 0
            if current:
                current.append(Segment(" ", _PLAIN))
                used += 1
            current.extend(_segments(piece, console))
            used += size
        lines.append(Strip(current).crop(0, width))
        return lines

    # -- drawing -------------------------------------------------------------------------

    def _invalidate_frame(self) -> None:
        self._frame = None
        self.refresh()

    def _get_frame(self) -> list[tuple[int, int]]:
        """Which (row, line) each screen line shows. Kept per size: a resize can paint before
        the widget hears of it, and lines wrapped for the old width must never be drawn from
        layouts wrapped for the new one."""
        size = (self.size.width, self.size.height)
        if self._frame is not None and self._frame_size == size:
            return self._frame
        height = self.size.height
        frame: list[tuple[int, int]] = []
        row, skip = self.top, self.top_skip
        if self.rows and row < len(self.rows):
            skip = min(skip, max(self._layout(self.rows[row]).height - 1, 0))
            self.top_skip = skip
        while len(frame) < height and row < len(self.rows):
            layout = self._layout(self.rows[row])
            for k in range(skip, layout.height):
                frame.append((row, k))
                if len(frame) >= height:
                    break
            row, skip = row + 1, 0
        self._frame = frame
        self._frame_size = size
        return frame

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._palette = None
        self.invalidate(None)

    def _styles(self) -> _Palette:
        if self._palette is None:
            style = self.get_component_rich_style
            self._palette = _Palette(
                base=self.rich_style,
                number=style("paragraph-view--number", partial=True),
                cursor=style("paragraph-view--cursor"),
                scrollbar=style("paragraph-view--scrollbar"),
                empty=style("paragraph-view--empty"),
                heading=style("paragraph-view--heading", partial=True),
                speaker=style("paragraph-view--speaker", partial=True),
                span=style("paragraph-view--span", partial=True),
                selection=style("paragraph-view--selection", partial=True),
                hit=style("paragraph-view--hit", partial=True),
                current_hit=style("paragraph-view--hit-current", partial=True),
                other=style("paragraph-view--other", partial=True),
                memo=style("paragraph-view--memo", partial=True),
            )
        return self._palette

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        palette = self._styles()
        base = palette.base
        if not self.rows:
            if y == 1:
                return Strip([Segment("  " + self.empty_message, palette.empty)]) \
                    .adjust_cell_length(width, base)
            return Strip.blank(width, base)
        frame = self._get_frame()
        total = len(self.rows)
        thumb = round(self.cursor / (total - 1) * (height - 1)) if total > 1 else -1
        scrollbar = Segment("\u2588" if y == thumb else "\u2502", palette.scrollbar)
        if y >= len(frame):
            return Strip([Segment(" " * (width - 1), base), scrollbar])
        row, k = frame[y]
        index = self.rows[row]
        layout = self._layout(index)
        is_cursor = row == self.cursor
        gutter_width = self._gutter
        if k == 0:
            n = str(self.session.paragraphs[index].n)
            marker = "\u25b6" if is_cursor else " "
            gutter = Segment(f"{marker}{n.rjust(gutter_width - 2)} ",
                             palette.number + Style(bold=is_cursor))
        elif is_cursor and k < layout.height - 1:
            gutter = Segment("\u2503" + " " * (gutter_width - 1), palette.number + Style(bold=True))
        else:
            gutter = Segment(" " * gutter_width, _PLAIN)
        body = Strip([gutter, *layout.line(k)]).adjust_cell_length(width - 1)
        in_cursor = is_cursor and k < layout.height - 1
        body = body.apply_style(palette.cursor if in_cursor else base)
        return Strip([*body, scrollbar], width)

    def on_resize(self, event: events.Resize) -> None:
        self._invalidate_frame()
        self._scroll_to_cursor()
        # rewrapped to the new width, a long paragraph's selection may sit on another line
        self._keep_selection_visible()

    # -- mouse ---------------------------------------------------------------------------

    def _offset_at(self, x: int, y: int) -> tuple[int, int | None] | None:
        """(row, stored-text offset or None) under a screen cell of this widget."""
        frame = self._get_frame()
        if not 0 <= y < len(frame):
            return None
        row, k = frame[y]
        layout = self._layout(self.rows[row])
        if k >= len(layout.ranges):
            return row, None
        start, end = layout.ranges[k]
        column = x - self._gutter
        if column < 0:
            return row, None
        text = layout.disp.text
        position = start
        used = 0
        while position < end:
            d = position - layout.prefix
            ch = text[d] if d >= 0 else " "
            used += get_character_cell_size(ch)
            if used > column:
                break
            position += 1
        d = min(max(position - layout.prefix, 0), len(layout.disp.raw_of) - 1)
        return row, layout.disp.raw_of[d]

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.scroll_lines(SCROLL_LINES)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.scroll_lines(-SCROLL_LINES)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        hit = self._offset_at(event.x, event.y)
        if hit is None:
            return
        row, offset = hit
        self.focus()
        if row != self.cursor:
            self.move_to(row)
        self._drag_from = offset
        if offset is not None:
            self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_from is None or not event.button:
            return
        hit = self._offset_at(event.x, event.y)
        if hit is None or hit[0] != self.cursor or hit[1] is None:
            return
        start, end = sorted((self._drag_from, hit[1]))
        if hit[1] == self._drag_from:
            return
        if not self.span_mode and not self.enter_span(start, end + 1):
            return
        self._anchor = self._word_at(self._drag_from)
        self._head = self._word_at(hit[1])
        self._span_changed()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag_from is not None:
            self._drag_from = None
            self.release_mouse()
