"""Turning transcript text into something a terminal can show literally.

Transcript text is data: brackets, angle brackets and backslashes are shown as typed, and
characters a terminal would act on (controls, bidi overrides, line separators) are swapped for
visible stand-ins. The swap changes lengths, so `DisplayText` keeps the map between display
positions and positions in the stored text; spans are always stored in the latter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.cells import cell_len, get_character_cell_size

from ..text import visible_char

TAB_STOP = 4


@dataclass
class DisplayText:
    """Stored text as shown, with the maps between the two sets of positions.

    `raw_of[i]` is the stored position of display position `i` (with one extra entry for the
    end); `disp_of[j]` is the display position where stored character `j` begins.
    """

    text: str
    raw_of: list[int]
    disp_of: list[int]

    @classmethod
    def build(cls, raw: str) -> DisplayText:
        if raw.isprintable():
            identity = list(range(len(raw) + 1))
            return cls(raw, identity, identity)
        out: list[str] = []
        raw_of: list[int] = []
        disp_of: list[int] = []
        column = 0
        for j, ch in enumerate(raw):
            disp_of.append(len(out))
            if ch == "\n":
                shown = "\n"
                column = -1
            elif ch == "\t":
                shown = " " * (TAB_STOP - column % TAB_STOP)
            else:
                shown = visible_char(ch)
            for piece in shown:
                out.append(piece)
                raw_of.append(j)
            column += len(shown)
        disp_of.append(len(out))
        raw_of.append(len(raw))
        return cls("".join(out), raw_of, disp_of)


_TOKEN = re.compile(r"\n|[^\S\n]+|[^\s]+")


def wrap_ranges(text: str, width: int) -> list[tuple[int, int]]:
    """Where to break `text` into lines of at most `width` cells.

    Breaks at spaces, folds words wider than the line, and honours newlines. Returns
    (start, end) index pairs into `text`; trailing spaces stay on the line they end so that
    every character belongs to exactly one line (which mouse selection relies on).
    """
    width = max(1, width)
    lines: list[tuple[int, int]] = []
    start = 0
    used = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        t_start, t_end = match.span()
        if token == "\n":
            lines.append((start, t_start))
            start, used = t_end, 0
            continue
        size = cell_len(token)
        if token[0].isspace():
            used += size
            continue
        if used + size <= width:
            used += size
            continue
        if used > 0:
            lines.append((start, t_start))
            start, used = t_start, 0
        if size <= width:
            used = size
            continue
        for i, ch in enumerate(token, start=t_start):
            w = get_character_cell_size(ch)
            if used + w > width and used > 0:
                lines.append((start, i))
                start, used = i, 0
            used += w
    lines.append((start, len(text)))
    return lines


_WORD = re.compile(r"\S+")
_SENTENCE = re.compile(r"[^\s].*?(?:[.!?…]+['\"”’)\]]*(?=\s|$)|$)", re.DOTALL)


def word_spans(text: str) -> list[tuple[int, int]]:
    """Each whitespace-separated word of stored text, as [start, end) offsets."""
    return [m.span() for m in _WORD.finditer(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences: runs ending in . ! ? or … (with closing quotes), or the end of the text."""
    spans = []
    for m in _SENTENCE.finditer(text):
        s, e = m.span()
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


def find_folded(text: str, query: str) -> tuple[int, int] | None:
    """Where `query` first occurs in `text` ignoring case, as `folded_matches` finds it."""
    matches = folded_matches(text, query, limit=1)
    return matches[0] if matches else None


def folded_matches(text: str, query: str, limit: int | None = None) -> list[tuple[int, int]]:
    """Every place `query` occurs in `text` ignoring case as `str.casefold` does (the store's
    search folds the same way), as non-overlapping (start, end) pairs in `text`.

    Folding may change lengths ("ß" is "ss"), so such text is matched per character rather
    than in the folded copy; text whose folded copy keeps its length (nearly all) is searched
    with `str.find`, which a 50,000-character paragraph needs."""
    needle = query.casefold()
    if not needle:
        return []
    found: list[tuple[int, int]] = []
    whole = text.casefold()
    if len(whole) == len(text):
        at = whole.find(needle)
        while at >= 0 and (limit is None or len(found) < limit):
            found.append((at, at + len(needle)))
            at = whole.find(needle, at + len(needle))
        return found
    folded = [ch.casefold() for ch in text]
    start = 0
    while start < len(text) and (limit is None or len(found) < limit):
        if folded[start][:1] == needle[:1]:
            got = ""
            for end in range(start, len(text)):
                got += folded[end]
                if got.startswith(needle):
                    found.append((start, end + 1))
                    start = end
                    break
                if not needle.startswith(got):
                    break
        start += 1
    return found
    folded = [ch.casefold() for ch in text]
    for start in range(len(text)):
        if folded[start][:1] != needle[:1]:
            continue
        got = ""
        for end in range(start, len(text)):
            got += folded[end]
            if got.startswith(needle):
                return start, end + 1
            if not needle.startswith(got):
                break
    return None
