"""Text extracted from a PDF: detect it, set page furniture aside, rebuild the paragraphs.

Follows interop guide B.6. Extraction leaves every printed line as a line followed by a
blank line, so blank lines no longer separate paragraphs; the paragraphs are rebuilt from
line lengths, punctuation and case. Web-derived text (one paragraph per line) must not be
touched, which is why detection needs all three signals. Hyphens at line ends are kept:
in this corpus they are real (`care-` / `experienced`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from coder.models import ParagraphIn

from . import speakers
from .units import BULLET_RE, SENTENCE_END_RE, URL_RE, Unit, finish, looks_like_heading

_WRAP_END_RE = re.compile(r"[.?!:;”\"…]$")
_PAGE_NUMBER_RE = re.compile(
    r"^(?:(?:page[ \t]+)?\d{1,4}(?:[ \t]+of[ \t]+\d{1,4})?|[-–—][ \t]*\d{1,4}[ \t]*[-–—])$",
    re.IGNORECASE,
)
_FOOTNOTE_RE = re.compile(r"^\[\d{1,3}\][ \t]+[A-Z]")
_HYPHEN_END_RE = re.compile(r"\w-$")
_OPEN_QUOTES = ("“", '"')
_CLOSE_QUOTE_RE = re.compile(r"[”\"]$")
_LEAD_IN_WORDS = frozenset({"visit", "see", "at", "here", "from", "via", "on", "to", "website"})

MIN_LINES = 8
MAX_WIDTH = 130
ONE_BLANK_SHARE = 0.6
MID_SENTENCE_SHARE = 0.2
FULL_LINE = 0.8
REPEATS = 3


@dataclass
class _Line:
    number: int
    text: str
    indented: bool
    blanks_before: int
    blanks_after: int = 0


@dataclass
class Reflowed:
    paragraphs: list[ParagraphIn]
    warnings: list[str]
    furniture: list[dict[str, object]]
    layout: str
    width: int


def _scan(text: str) -> list[_Line]:
    lines: list[_Line] = []
    blanks = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not stripped:
            blanks += 1
            continue
        if lines:
            lines[-1].blanks_after = blanks
        lines.append(_Line(number, stripped, raw[:1] in (" ", "\t"), blanks))
        blanks = 0
    return lines


def _width(lines: list[_Line]) -> int:
    lengths = sorted(len(line.text) for line in lines)
    return lengths[int(0.9 * (len(lengths) - 1))]


def detect_layout(text: str) -> str | None:
    """ "pdf-text" for the every-line-then-a-blank-line shape, "wrapped" for hard-wrapped
    lines without blank lines, None when the text must be read block by block.

    Every import asks, so this works on plain lists (line numbers, stripped texts) rather
    than building a `_Line` per line as `reflow` does, and settles the cheap signals first.
    """
    stripped = list(map(str.strip, text.split("\n")))
    numbers = [i for i, line in enumerate(stripped) if line]
    if len(numbers) < MIN_LINES:
        return None
    pairs = len(numbers) - 1
    gaps = [b - a - 1 for a, b in pairwise(numbers)]
    one_blank = gaps.count(1) / pairs
    no_blank = pairs - gaps.count(0) <= 0.05 * pairs
    if one_blank < ONE_BLANK_SHARE and not no_blank:
        return None
    texts = [stripped[i] for i in numbers]
    lengths = sorted(map(len, texts))
    if lengths[int(0.9 * pairs)] > MAX_WIDTH:
        return None
    mid = sum(1 for a, b in pairwise(texts) if b[:1].islower() and not _WRAP_END_RE.search(a))
    if mid / pairs < MID_SENTENCE_SHARE:
        return None
    return "pdf-text" if one_blank >= ONE_BLANK_SHARE else "wrapped"


def _is_page_start(lines: list[_Line], i: int) -> bool:
    return i > 0 and (lines[i].indented or lines[i].blanks_before >= 2)


def _near_page_edge(lines: list[_Line], i: int) -> bool:
    """First or last line of a page, or next to a lone page number."""
    if i == 0 or _is_page_start(lines, i) or (i + 1 < len(lines) and _is_page_start(lines, i + 1)):
        return True
    return any(
        0 <= j < len(lines) and _PAGE_NUMBER_RE.match(lines[j].text) is not None
        for j in (i - 1, i + 1)
    )


def _mark_furniture(lines: list[_Line], width: int) -> list[bool]:
    furniture = [bool(_PAGE_NUMBER_RE.match(line.text)) for line in lines]
    counts = Counter(line.text for line in lines)
    near_page_edge: Counter[str] = Counter(
        line.text for i, line in enumerate(lines) if _near_page_edge(lines, i)
    )
    for i, line in enumerate(lines):
        if (
            counts[line.text] >= REPEATS
            and near_page_edge[line.text] >= 2
            and 4 <= len(line.text) < width
            and not line.text[:1].islower()
            and not SENTENCE_END_RE.search(line.text)
            and not BULLET_RE.match(line.text)
        ):
            furniture[i] = True
    for j, line in enumerate(lines):
        if not _PAGE_NUMBER_RE.match(line.text):
            continue
        for k in range(j - 1, max(-1, j - 3), -1):
            if lines[k].blanks_before >= 2 or lines[k].indented:
                run = lines[k:j]
                if all(len(r.text) < width and not SENTENCE_END_RE.search(r.text) for r in run):
                    for m in range(k, j):
                        furniture[m] = True
                break
    for s in range(1, len(lines)):
        if not _is_page_start(lines, s):
            continue
        k = s - 1
        while k >= 0 and (furniture[k] or URL_RE.match(lines[k].text)):
            if not furniture[k]:
                before = lines[k - 1].text if k > 0 else ""
                last_word = before.rsplit(maxsplit=1)[-1].casefold() if before else ""
                if before.endswith(":") or last_word in _LEAD_IN_WORDS:
                    break
                furniture[k] = True
            k -= 1
    return furniture


def _breaks_before(line: _Line, para: list[_Line], width: int, accepted: set[str]) -> bool:
    """Rules 4 to 6 of B.6: does `line` start a new paragraph after `para`?"""
    prev = para[-1].text
    if para[0].text.startswith(_OPEN_QUOTES) and _CLOSE_QUOTE_RE.search(prev):
        return True
    text = line.text
    if BULLET_RE.match(text) or _FOOTNOTE_RE.match(text):
        return True
    if text.startswith(_OPEN_QUOTES) and SENTENCE_END_RE.search(prev):
        return True
    label = speakers.find_label(text)
    if label is not None and label.key in accepted:
        return True
    if _HYPHEN_END_RE.search(prev):
        return False
    if not _WRAP_END_RE.search(prev) and text[:1].islower():
        return False
    return len(prev) < FULL_LINE * width


def _join(para: list[_Line]) -> tuple[str, list[list[int]]]:
    parts: list[str] = []
    line_map: list[list[int]] = []
    offset = 0
    for i, line in enumerate(para):
        if i:
            sep = "" if _HYPHEN_END_RE.search(para[i - 1].text) else " "
            parts.append(sep)
            offset += len(sep)
        line_map.append([offset, line.number])
        parts.append(line.text)
        offset += len(line.text)
    return "".join(parts), line_map


def reflow(text: str, layout: str) -> Reflowed:
    lines = _scan(text)
    width = _width(lines)
    furniture = _mark_furniture(lines, width)
    flow = [line for line, f in zip(lines, furniture, strict=True) if not f]
    accepted = speakers.accepted_speakers(line.text for line in flow)

    paras: list[list[_Line]] = []
    for line in flow:
        if paras and not _breaks_before(line, paras[-1], width, accepted):
            paras[-1].append(line)
        else:
            paras.append([line])

    units: list[Unit] = []
    for para in paras:
        joined, line_map = _join(para)
        kind = "heading" if looks_like_heading(joined, max_chars=width) else None
        units.append(
            Unit(
                text=joined,
                line=para[0].number,
                kind=kind,
                meta={"lines": [para[0].number, para[-1].number], "line_map": line_map},
            )
        )
    paragraphs = finish(units, headings=False, accepted=accepted)
    set_aside = [
        {"line": line.number, "text": line.text}
        for line, f in zip(lines, furniture, strict=True)
        if f
    ]
    shape = "extracted from a PDF" if layout == "pdf-text" else "one printed line per line"
    warnings = [
        (
            f"The text looks hard-wrapped ({shape}): {len(flow)} lines were joined into "
            f"{len(paragraphs)} paragraphs; hyphens at line ends were kept."
        )
    ]
    if set_aside:
        warnings.append(
            f"{len(set_aside)} line(s) of page furniture (running headers, page numbers, footer "
            "and footnote URLs) were set aside from the text; they are kept in the document's "
            "metadata."
        )
    return Reflowed(paragraphs, warnings, set_aside, layout, width)
