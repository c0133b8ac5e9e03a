"""WebVTT and SubRip files cut into cues, with the line number of every block.

Caption libraries skip a block whose timing line they cannot read, or glue it to the cue
before (webvtt-py does both), so a typo such as `00:00:0x.000` or `->` for `-->` loses or
garbles speech without a word. Here every non-blank block must be a cue or, in WebVTT, a
NOTE, STYLE or REGION block; anything else is a `CoderError` naming the line, so that the
researcher can fix the file instead of coding a transcript with holes in it.

The one leniency is SubRip's: a block of plain text right after a cue is a blank line inside
that cue's text (some tools write them), so it is kept as part of the cue, with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from coder.errors import CoderError

_STAMP = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[.,](\d{1,9})"
_TIMING_RE = re.compile(rf"^\s*{_STAMP}\s*-->\s*{_STAMP}(?:[ \t]+.*)?$")
_INDEX_RE = re.compile(r"^\s*\d+\s*$")
_STAMP_LIKE_RE = re.compile(r"\d+:\d{2}:\d{2}|\d{2}:\d{2}[.,]\d")
_HEADER_RE = re.compile(r"^\ufeff?WEBVTT(?:[ \t](?P<text>.*))?$")
_MAX_LISTED = 5


@dataclass
class Cue:
    """One cue: `text` is the raw payload (tags and character references still in it)."""

    line: int
    identifier: str | None
    start: float
    end: float
    text: str


@dataclass
class CaptionFile:
    cues: list[Cue]
    header: str = ""
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Block:
    first: int
    lines: list[str]


def _blocks(text: str) -> list[_Block]:
    """Blocks between blank lines; an arrow line that cannot be this block's timing line
    (caption tools sometimes omit the blank line) starts a new block, taking a bare cue
    number just above it along."""
    blocks: list[_Block] = []
    current: _Block | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            current = None
            continue
        if current is not None and "-->" in line:
            lines = current.lines
            in_header = current is blocks[0]
            timing_here = len(lines) == 1 and "-->" not in lines[0] and not in_header
            if not timing_here:
                carry = []
                if len(lines) > 1 and _INDEX_RE.match(lines[-1]):
                    carry = [lines.pop()]
                current = _Block(number - len(carry), carry)
                blocks.append(current)
        if current is None:
            current = _Block(number, [])
            blocks.append(current)
        current.lines.append(line)
    return _join_lone_indexes(blocks)


def _join_lone_indexes(blocks: list[_Block]) -> list[_Block]:
    """A cue number separated from its timing line by a blank line still belongs to it."""
    out: list[_Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (
            prev is not None
            and len(prev.lines) == 1
            and _INDEX_RE.match(prev.lines[0])
            and "-->" in block.lines[0]
        ):
            prev.lines.extend(block.lines)
            continue
        out.append(block)
    return out


def _seconds(match: re.Match[str], first: int) -> float | None:
    hours, minutes, seconds, fraction = match.group(first, first + 1, first + 2, first + 3)
    if int(minutes) > 59 or int(seconds) > 59:
        return None
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + float(f"0.{fraction}")


def _timing_position(lines: list[str]) -> int | None:
    if "-->" in lines[0]:
        return 0
    if len(lines) > 1 and "-->" in lines[1]:
        return 1
    return None


def _looks_like_cue(lines: list[str]) -> bool:
    """A block that was meant to be a cue but whose timing line is broken."""
    if len(lines) > 1 and _INDEX_RE.match(lines[0]):
        return True
    return any(_STAMP_LIKE_RE.search(line) for line in lines[:2])


def _bad_timing(line: str, sep: str) -> str:
    return (
        f"cannot read the timing line {line.strip()!r}; expected 'start --> end' with times "
        f"such as 00:01:02{sep}500"
    )


def read_cue_blocks(text: str, fmt: str, path: Path) -> CaptionFile:
    """The cues of a caption file, or a CoderError naming the first block that is not one."""
    blocks = _blocks(text)
    result = CaptionFile(cues=[])
    sep = "." if fmt == "vtt" else ","
    problems: list[tuple[int, str]] = []
    joined: list[int] = []
    if fmt == "vtt":
        header = _HEADER_RE.match(blocks[0].lines[0]) if blocks else None
        if header is None:
            raise CoderError("Not a WebVTT file: the first line must start with WEBVTT.", path=path)
        result.header = (header.group("text") or "").strip()
        blocks = blocks[1:]
    elif not blocks or (_timing_position(blocks[0].lines) is None and not _looks_like_cue(
        blocks[0].lines
    )):
        raise CoderError(
            "Not a SubRip (.srt) file: it must start with a cue number and a '-->' timing line.",
            path=path,
        )

    for block in blocks:
        lines = block.lines
        at = _timing_position(lines)
        if at is None:
            head = lines[0].strip()
            if fmt == "vtt" and head.startswith("NOTE"):
                result.notes.append("\n".join(lines)[4:].strip())
            elif fmt == "vtt" and head in ("STYLE", "REGION"):
                continue
            elif fmt == "srt" and result.cues and not _looks_like_cue(lines):
                result.cues[-1].text += "\n" + "\n".join(lines)
                joined.append(block.first)
            elif _looks_like_cue(lines):
                at = next((i for i, t in enumerate(lines[:2]) if _STAMP_LIKE_RE.search(t)), 1)
                problems.append((block.first + at, _bad_timing(lines[at], sep)))
            else:
                what = "a cue, a NOTE, a STYLE or a REGION block" if fmt == "vtt" else "a cue"
                message = (
                    f"this text is not part of {what} (it has no timing line above it; a "
                    "blank line inside a cue's text ends the cue)"
                )
                problems.append((block.first, message))
            continue
        timing = _TIMING_RE.match(lines[at])
        start = end = None
        if timing is not None:
            start, end = _seconds(timing, 1), _seconds(timing, 5)
        if start is None or end is None:
            problems.append((block.first + at, _bad_timing(lines[at], sep)))
            continue
        identifier = lines[0].strip() if at == 1 else None
        result.cues.append(
            Cue(block.first + at, identifier or None, start, end, "\n".join(lines[at + 1 :]))
        )

    if problems:
        line, message = problems[0]
        if len(problems) > 1:
            others = ", ".join(str(n) for n, _ in problems[1:_MAX_LISTED + 1])
            more = "" if len(problems) <= _MAX_LISTED + 1 else ", ..."
            message += f" (and {len(problems) - 1} more problem(s), at line(s) {others}{more})"
        raise CoderError(
            f"{message}. Nothing was imported: fix the caption file and import it again.",
            path=path,
            line=line,
        )
    if joined:
        lines_ = ", ".join(str(n) for n in joined[:_MAX_LISTED])
        result.warnings.append(
            f"{len(joined)} block(s) of text after a blank line inside a cue (line(s) "
            f"{lines_}{', ...' if len(joined) > _MAX_LISTED else ''}) were kept as part of "
            "the cue before them."
        )
    return result
