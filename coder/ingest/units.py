"""Candidate paragraphs before speakers and kinds are settled.

Every line-based reader (plain text, reflowed PDF text, .docx) first cuts its source into
`Unit`s; `finish` then applies the same speaker rules and kind guesses to all of them, so
that a transcript reads the same whichever file shape it came in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from coder.models import ParagraphIn

from . import speakers

SENTENCE_END_RE = re.compile(r"[.?!…][\"”’')\]]*$")
FINAL_PUNCT_RE = re.compile(r"[.?!…:;,][\"”’')\]]*$")
LIST_ITEM_RE = re.compile(r"^[ \t]{0,3}(?:[-*•‣◦▪]|\d{1,3}[.)]|[a-z][.)])[ \t]+\S")
BULLET_RE = re.compile(r"^[ \t]{0,3}(?:[-*•‣◦▪]|\d{1,3}[.)])[ \t]+\S")
URL_RE = re.compile(r"^<?(?:https?://|www\.)\S+>?$", re.IGNORECASE)
QUOTE_RE = re.compile(
    r"^[“\"‘].*[”\"’](?:[ \t]*\([^()\n]{1,200}\)|[ \t]+[A-Z]{2,6})?[ \t]*$", re.DOTALL
)
_NOT_HEADING_STARTS_TEXT = """
    and but so um uh erm er yeah yes no then oh well okay ok or because like mm hmm right
"""
_NOT_HEADING_STARTS = frozenset(_NOT_HEADING_STARTS_TEXT.split())
MAX_HEADING_CHARS = 120


@dataclass
class Unit:
    """A paragraph candidate: its text, where it came from, and what the reader already knows.

    `kind` is set when the source says so (a markdown heading, a table row, a Word style);
    otherwise `finish` guesses it. `header` marks an Otter/Teams `Name  0:52` line whose
    speaker and time belong to the next unit.
    """

    text: str
    line: int | None = None
    kind: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    speaker: str | None = None
    start_time: float | None = None
    end_time: float | None = None
    header: bool = False
    alone: bool = False
    """The source says nobody spoke it (a transcript table row with an empty speaker cell):
    it takes no speaker from the turn before and ends that turn."""


def looks_like_heading(text: str, max_chars: int = MAX_HEADING_CHARS) -> bool:
    """A short line without final punctuation that starts like a title, not like speech."""
    if not text or len(text) > max_chars or "\n" in text or "\t" in text:
        return False
    first = text[0]
    if not (first.isupper() or first.isdigit()):
        return False
    if FINAL_PUNCT_RE.search(text) or URL_RE.match(text):
        return False
    if not any(ch.isalpha() for ch in text):
        return False
    first_word = text.split(maxsplit=1)[0].strip(",.!?").casefold()
    return first_word not in _NOT_HEADING_STARTS


def looks_like_quote(text: str) -> bool:
    """A paragraph that is one quotation: opens with a quote mark and closes with one.

    A trailing attribution in brackets or a short tag (`(CEA)`, `CEA`) may follow.
    """
    return bool(QUOTE_RE.match(text)) and not text.startswith(("‘", "'"))


def label_keys(units: Iterable[Unit]) -> set[str]:
    return speakers.accepted_speakers(
        u.text for u in units if not u.header and u.kind in (None, "text")
    )


def finish(
    units: list[Unit], *, headings: bool, accepted: set[str] | None = None
) -> list[ParagraphIn]:
    """Settle speakers (B.1, B.4) and kinds, and build the paragraphs.

    Speaker rules: an accepted label names the speaker and is cut from the text; an
    unlabelled paragraph continues the previous speaker's turn; a heading, a table row, an
    annotation (`Image description: …`) or a name-like label that was not accepted
    (`MS. SMITH:` heard once) ends the turn and keeps its text whole, so it never inherits a
    speaker it may not belong to; a sentence with an early colon (`Honestly: …`) does.
    """
    if accepted is None:
        accepted = label_keys(units)
    out: list[ParagraphIn] = []
    current: str | None = None
    pending: Unit | None = None
    for unit in units:
        if unit.header:
            pending = unit
            current = unit.speaker
            continue
        text, kind, meta = unit.text, unit.kind, dict(unit.meta)
        speaker, start, end = unit.speaker, unit.start_time, unit.end_time
        if unit.line is not None:
            meta.setdefault("line", unit.line)
        if pending is not None:
            speaker, start = pending.speaker, pending.start_time
            if pending.line is not None:
                meta["header_line"] = pending.line
            current = speaker
            pending = None
        elif speaker is not None:
            current = speaker
        elif unit.alone:
            current = None
        elif kind == "list" and (label := speakers.find_label(text)) is not None \
                and label.key in accepted:
            speaker, current = label.speaker, label.speaker
            text = text[label.end :]
        elif kind in (None, "text") and speakers.is_footnote(text):
            current = None
        elif kind in (None, "text"):
            label = speakers.find_label(text)
            if label is not None and label.key in accepted:
                speaker, current = label.speaker, label.speaker
                text = text[label.end :]
                if label.time is not None:
                    start = label.time
            elif label is not None and (
                speakers.is_annotation(label.key) or speakers.looks_like_name(label)
            ):
                current = None
                kind = "text"
            else:
                timed = speakers.find_time_prefix(text)
                if timed is not None:
                    start, cut = timed
                    text = text[cut:]
                if headings and looks_like_heading(text):
                    kind, current = "heading", None
                else:
                    speaker = current
        if kind is None:
            kind = (
                "quote"
                if speaker is None and looks_like_quote(text)
                else ("list" if BULLET_RE.match(text) else "text")
            )
        elif kind in ("heading", "table") and unit.speaker is None:
            current = None
        out.append(
            ParagraphIn(
                text=text, kind=kind, speaker=speaker, start_time=start, end_time=end, meta=meta
            )
        )
    if pending is not None:
        out.append(ParagraphIn(text=pending.text, meta={"line": pending.line}))
    return [p for p in out if p.text.strip()]
