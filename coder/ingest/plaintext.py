"""Plain text and Markdown: blank-line separated blocks, cut further where the lines say so.

A block is normally one paragraph. It is cut into several when its lines are list items,
tab-separated table rows, speaker turns or Otter headers, and line by line when it is a long
run of self-contained lines (a transcript typed without blank lines). Text is kept exactly;
only trailing spaces and Markdown structure markers (`#`, `>`) are removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from coder.models import ParagraphIn

from . import speakers
from .units import LIST_ITEM_RE, Unit, finish

_ATX_HEADING_RE = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_MD_QUOTE_RE = re.compile(r"^[ \t]{0,3}>[ \t]?")
_MD_PIPE_ROW_RE = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
_MD_PIPE_SEPARATOR_RE = re.compile(
    r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$"
)
_MD_RULE_RE = re.compile(r"^[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SETEXT_RE = re.compile(r"^[ \t]{0,3}(=+|-+)[ \t]*$")
_FENCE_RE = re.compile(r"^[ \t]{0,3}(```|~~~)")
_WRAP_END_RE = re.compile(r"[.?!:;”\"]$")
_OTTER_FOOTER_RE = re.compile(r"^Transcribed by https?://otter\.ai/?$", re.IGNORECASE)
_BOILERPLATE_TEXT = """
    skip to content, skip to main content, skip to navigation, jump to content,
    related news articles, related articles, related posts, related content, share this,
    share this page, share this article, back to top, print this page, cookie settings,
    accept cookies, you may also like, read more, menu
"""
_BOILERPLATE = frozenset(item.strip() for item in _BOILERPLATE_TEXT.split(","))
_EDGE = 2
_LINE_BY_LINE_MIN = 5
_WRAPPED_SHARE = 0.2


@dataclass
class PlainResult:
    paragraphs: list[ParagraphIn]
    warnings: list[str]
    furniture: list[dict[str, int | str]]
    has_speakers: bool


def is_wrapped(lines: list[str]) -> bool:
    """Lines that often break mid-sentence (end unpunctuated, next starts lower-case)."""
    if len(lines) < 2:
        return False
    breaks = sum(
        1
        for a, b in pairwise(lines)
        if not _WRAP_END_RE.search(a.rstrip()) and b.lstrip()[:1].islower()
    )
    return breaks / (len(lines) - 1) >= _WRAPPED_SHARE


def _blocks(lines: list[str], markdown: bool) -> list[list[tuple[int, str]]]:
    blocks: list[list[tuple[int, str]]] = []
    block: list[tuple[int, str]] = []
    fence: str | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if markdown:
            opened = _FENCE_RE.match(line)
            if fence is not None:
                block.append((number, line))
                if opened and opened.group(1) == fence:
                    fence = None
                continue
            if opened:
                fence = opened.group(1)
                block.append((number, line))
                continue
        if line:
            block.append((number, line))
        elif block:
            blocks.append(block)
            block = []
    if block:
        blocks.append(block)
    return blocks


def read_plain(text: str, *, markdown: bool) -> PlainResult:
    lines = text.split("\n")
    blocks = _blocks(lines, markdown)
    nonblank = [line for block in blocks for _, line in block]
    accepted = speakers.accepted_speakers(line.lstrip() for line in nonblank)
    otter = sum(1 for line in nonblank if speakers.find_header(line) is not None) >= 2

    furniture: list[dict[str, int | str]] = []
    units: list[Unit] = []
    for block in blocks:
        if len(block) == 1 and not markdown:
            number, line = block[0]
            spoken = _spoken(line, accepted)
            units.append(_standalone(number, line, spoken, otter) or _opening(number, line))
        else:
            units.extend(_cut_block(block, markdown, accepted, otter, furniture))

    _set_aside_boilerplate(units, furniture)
    paragraphs = finish(units, headings=True, accepted=accepted)
    warnings: list[str] = []
    if furniture:
        furniture.sort(key=lambda f: int(f["line"]))
        warnings.append(
            f"{len(furniture)} line(s) that are not part of the text (web-page navigation, "
            "export footers, horizontal rules) were set aside; they are kept in the document's "
            "metadata as furniture."
        )
    return PlainResult(
        paragraphs=paragraphs,
        warnings=warnings,
        furniture=furniture,
        has_speakers=any(p.speaker for p in paragraphs),
    )


def _cut_block(
    block: list[tuple[int, str]],
    markdown: bool,
    accepted: set[str],
    otter: bool,
    furniture: list[dict[str, int | str]],
) -> list[Unit]:
    first_line = block[0][1]
    if markdown and _FENCE_RE.match(first_line):
        return [
            Unit(
                text="\n".join(line for _, line in block),
                line=block[0][0],
                kind="text",
                meta={"code": True},
            )
        ]
    texts = [line for _, line in block]
    line_by_line = (len(block) >= _LINE_BY_LINE_MIN and not is_wrapped(texts)) or (
        len(block) > 1 and all(speakers.find_label(t.lstrip()) is not None for t in texts)
    )
    # The unit being continued, when there is one, is always the last one begun; its lines
    # are collected in `parts[-1]` and joined once at the end.
    units: list[Unit] = []
    parts: list[list[str]] = []
    current: Unit | None = None

    def begin(unit: Unit) -> Unit:
        units.append(unit)
        parts.append([unit.text])
        return unit

    for number, line in block:
        if markdown:
            stripped = line.strip()
            if (
                current is not None
                and _SETEXT_RE.match(line)
                and current.kind is None
                and len(parts[-1]) == 1
            ):
                current.kind = "heading"
                current.meta["level"] = 1 if stripped.startswith("=") else 2
                current.meta["underline"] = stripped
                current = None
                continue
            if _MD_RULE_RE.match(line):
                furniture.append({"line": number, "text": stripped})
                current = None
                continue
        if markdown and _MD_PIPE_ROW_RE.match(line):
            if _MD_PIPE_SEPARATOR_RE.match(line) and units and units[-1].kind == "table":
                units[-1].meta["separator"] = stripped
                continue
            begin(Unit(text=stripped, line=number, kind="table"))
            current = None
            continue
        if markdown and _MD_QUOTE_RE.match(line):
            body = _MD_QUOTE_RE.sub("", line, count=1)
            if current is not None and current.kind == "quote":
                parts[-1].append(body)
            else:
                current = begin(Unit(text=body, line=number, kind="quote"))
            continue
        spoken = _spoken(line, accepted)
        alone = _standalone(number, line, spoken, otter)
        if alone is not None:
            begin(alone)
            current = None
            continue
        is_item = LIST_ITEM_RE.match(line) is not None
        starts = current is None or line_by_line or is_item or spoken or current.kind == "quote"
        if starts:
            current = begin(_opening(number, line, is_item))
        else:
            parts[-1].append(line)
    for unit, lines in zip(units, parts, strict=True):
        if len(lines) > 1:
            unit.text = "\n".join(lines)
    return units


def _spoken(line: str, accepted: set[str]) -> bool:
    """Does the line open with an accepted speaker's label?"""
    if not accepted:
        return False
    label = speakers.find_label(line.lstrip())
    return label is not None and label.key in accepted


def _standalone(number: int, line: str, spoken: bool, otter: bool) -> Unit | None:
    """A line that is a unit of its own whatever surrounds it: a `#` heading, a table row
    (tab-separated, unless a speaker's turn), an Otter header."""
    if "#" in line and (heading := _ATX_HEADING_RE.match(line)) is not None:
        return Unit(text=heading.group(2), line=number, kind="heading",
                    meta={"level": len(heading.group(1))})
    if not spoken and "\t" in line and "\t" in (cell := line.strip()):
        return Unit(text=cell, line=number, kind="table")
    header = speakers.find_header(line) if otter else None
    if header is not None:
        return Unit(text=line.strip(), line=number, header=True, speaker=header[0],
                    start_time=header[1])
    return None


def _opening(number: int, line: str, is_item: bool | None = None) -> Unit:
    """A line that starts a paragraph (or a list item)."""
    if is_item is None:
        is_item = LIST_ITEM_RE.match(line) is not None
    return Unit(text=line.lstrip(), line=number, kind="list" if is_item else None)


def _set_aside_boilerplate(units: list[Unit], furniture: list[dict[str, int | str]]) -> None:
    """Move navigation lines of saved web pages (and Otter's footer) out of the text."""
    if not units:
        return
    edges = set(range(min(_EDGE, len(units)))) | set(range(max(0, len(units) - _EDGE), len(units)))
    drop = set()
    for i in edges:
        unit = units[i]
        if (
            unit.kind is None
            and "\n" not in unit.text
            and (
                unit.text.strip().casefold() in _BOILERPLATE
                or (_OTTER_FOOTER_RE.match(unit.text.strip()) is not None)
            )
        ):
            drop.add(i)
            assert unit.line is not None, "every plain-text unit carries its line"
            furniture.append({"line": unit.line, "text": unit.text.strip()})
    if drop and len(drop) < len(units):
        units[:] = [u for i, u in enumerate(units) if i not in drop]
    elif drop:
        furniture.clear()
