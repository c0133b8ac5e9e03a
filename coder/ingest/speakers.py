"""Speaker labels at the start of a paragraph, and Otter/Teams header lines.

A prefix such as `Rose:` only becomes a speaker when the same label starts at least two
paragraphs (interop guide B.1): a single `Honestly: …` or `Note: …` is a sentence, and
researcher annotations such as `Image description:` recur but are never speech, so they are
refused by name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from typing import NamedTuple

from coder.models import ParagraphIn

_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_TIME_RE = re.compile(rf"^{_TIME}$")
_LABEL_RE = re.compile(
    rf"""
    (?:\[(?P<pre>{_TIME})\][ \t]*)?
    (?P<label>[^\W\d_][^\W_]*(?:[ .'’&-]+[^\W_]+)*\.?)
    (?:[ \t]*\((?P<paren>[^()\n]{{1,30}})\))?
    [ \t]*:[ \t]+(?=\S)
    """,
    re.VERBOSE,
)
_TIME_ONLY_PREFIX_RE = re.compile(rf"\[(?P<pre>{_TIME})\][ \t]+(?=\S)")
_HEADER_RE = re.compile(
    r"^(?:(?P<speaker>\S.*?)[ \t]{2,})?(?P<time>\d{1,2}:\d{2}(?::\d{2})?)[ \t]*$"
)

MAX_LABEL_CHARS = 40
MAX_LABEL_WORDS = 6
_SCAN_CHARS = 100

# Prefixes that look like labels but are metadata or researcher annotations (guide B.1).
_NOT_SPEAKERS_TEXT = """
    date, interview date, time, duration, location, place, venue, source, licence,
    license, description, note, notes, nb, ps, title, subject, keywords, tags, copyright,
    url, link, website, email, e-mail, tel, phone, address, from, to, cc, bcc, sent, re,
    transcript, transcription, transcribed by, recording, file, filename, attendees,
    present, apologies, summary, context, comment, comments, memo, observation,
    translation, caption, example, see, update, edit, warning, tip, important
"""
_NOT_SPEAKERS = frozenset(item.strip() for item in _NOT_SPEAKERS_TEXT.split(","))
_NOT_SPEAKER_TAILS_TEXT = """
    description date note notes source url link comment comments memo caption annotation
    observation time duration location
"""
_NOT_SPEAKER_TAILS = frozenset(_NOT_SPEAKER_TAILS_TEXT.split())
# Words that open a sentence with an early colon (`Honestly: …`) rather than name a speaker.
_SENTENCE_OPENERS_TEXT = """
    honestly basically actually anyway well so yes no yeah okay ok look listen seriously
    frankly sadly luckily fortunately unfortunately again first firstly second secondly
    finally also plus and but because then now however obviously apparently clearly
    personally truthfully admittedly naturally interestingly surprisingly thankfully
"""
_SENTENCE_OPENERS = frozenset(_SENTENCE_OPENERS_TEXT.split())
_NAME_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "bin",
                             "al"})
_NAME_WORD_RE = re.compile(r"^(?:[^\W\d_][\w.'’&-]*|\d+|\([^()]*\))$")
_ROLE_RE = re.compile(
    r"^(?:p|r|i|q|a|participant|speaker|respondent|interviewee|interviewer|moderator|"
    r"facilitator|researcher)\s*\d*(?:\s*\([^()]*\))?$",
    re.IGNORECASE,
)


_SOUND_RE = re.compile(r"^(?:\[[^\[\]\n]{1,80}\]|\([^()\n]{1,80}\))$")
_FOOTNOTE_RE = re.compile(r"^(?:\[\^[^\]\s]{1,20}\]:|\[\d{1,3}\]|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)[ \t]*\S")
# Labels transcription services give a voice they could not tell apart: no one's turn.
_NO_SPEAKER = frozenset({"unknown speaker", "unknown", "unidentified speaker"})


def is_sound_description(line: str) -> bool:
    """A line that is only a bracketed description (`[door closes]`, `(laughter)`): not speech,
    and not anyone's turn."""
    return _SOUND_RE.match(line.strip()) is not None and not _TIME_RE.match(line.strip()[1:-1])


def is_footnote(text: str) -> bool:
    """A footnote (`[^1]: …`, `[2] …`, `¹ …`) placed after a turn: the author's, not the speaker's."""
    return _FOOTNOTE_RE.match(text) is not None


def unify_speakers(paragraphs: Iterable[ParagraphIn]) -> list[ParagraphIn]:
    """One speaker, one name: labels that differ only in case (`INTERVIEWER`, `Interviewer`)
    take the first spelling seen, and a label such as Otter's `Unknown Speaker` is no speaker."""
    spelling: dict[str, str] = {}
    name_of: dict[str, str | None] = {}
    out = []
    for p in paragraphs:
        if p.speaker is not None:
            try:
                name = name_of[p.speaker]
            except KeyError:
                key = " ".join(p.speaker.split()).casefold()
                name = None if key in _NO_SPEAKER else spelling.setdefault(key, p.speaker)
                name_of[p.speaker] = name
            if name != p.speaker:
                p = replace(p, speaker=name)
        out.append(p)
    return out


class Label(NamedTuple):
    """A label found at the start of a line; `end` is where the spoken text begins. A tuple:
    one is made for every line an import reads."""

    speaker: str
    key: str
    end: int
    time: float | None


def parse_seconds(text: str) -> float:
    """`1:02:03.5`, `02:03,5` or `3:05` as seconds."""
    parts = text.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def find_label(line: str) -> Label | None:
    """The speaker-like prefix of `line`, whether or not it will be accepted as a speaker."""
    head = line[:_SCAN_CHARS]
    if ":" not in head:
        return None
    seen = _LABELS.get()
    if seen is None:
        return _find_label(head)
    try:
        return seen[head]
    except KeyError:
        found = seen[head] = _find_label(head)
        return found


def _find_label(head: str) -> Label | None:
    match = _LABEL_RE.match(head)
    if match is None:
        return None
    pre, label, paren = match.group("pre", "label", "paren")
    time = parse_seconds(pre) if pre else None
    if paren is None:
        speaker = label
    elif _TIME_RE.match(paren.strip()):
        time = parse_seconds(paren.strip())
        speaker = label
    else:
        speaker = head[match.start("label"):match.end("paren") + 1]
    # A label's only white space is single spaces between words: fewer spaces than the word
    # limit cannot exceed it, and most labels are settled without splitting.
    if len(speaker) > MAX_LABEL_CHARS or (
            label.count(" ") >= MAX_LABEL_WORDS and len(label.split()) > MAX_LABEL_WORDS):
        return None
    return Label(speaker, speaker.casefold(), match.end(), time)


def find_time_prefix(line: str) -> tuple[float, int] | None:
    """A bare `[12:34] ` at the start of a line: (seconds, where the text begins)."""
    match = _TIME_ONLY_PREFIX_RE.match(line[:_SCAN_CHARS])
    if match is None:
        return None
    return parse_seconds(match.group("pre")), match.end()


def find_header(line: str) -> tuple[str | None, float] | None:
    """An Otter/Teams header line `Name  0:52` (or a bare time): (speaker or None, seconds)."""
    if len(line) > MAX_LABEL_CHARS + 20:
        return None
    match = _HEADER_RE.match(line.strip())
    if match is None:
        return None
    speaker = match.group("speaker")
    if speaker is not None:
        speaker = speaker.strip()
        if len(speaker) > MAX_LABEL_CHARS or speaker[-1:] in ".?!,;:":
            return None
    return speaker, parse_seconds(match.group("time"))


def looks_like_name(label: Label) -> bool:
    """A label written as a name or role (`MS. SMITH`, `Rose`, `Alex Reid`), every word
    capitalised and not a sentence opener such as `Honestly`: heard once it is still a turn
    of someone, so it must not be read as the previous speaker's continuation."""
    words = label.speaker.split()
    if not words or words[0].casefold().strip(".") in _SENTENCE_OPENERS:
        return False
    return all(
        _NAME_WORD_RE.match(w) is not None and (not w[:1].islower() or w in _NAME_PARTICLES)
        for w in words
    ) and not words[0][:1].islower()


def is_annotation(key: str) -> bool:
    """A label that names metadata or an annotation rather than a person."""
    words = key.split()
    return key in _NOT_SPEAKERS or (bool(words) and words[-1] in _NOT_SPEAKER_TAILS)


# The speaker list a researcher confirmed for this import (`coder import --speakers`), casefolded.
_CONFIRMED: ContextVar[frozenset[str]] = ContextVar("confirmed_speakers", default=frozenset())
# An importer asks about each paragraph's opening up to three times (to count labels, to cut
# blocks, to settle speakers): within one read, each opening is parsed once.
_LABELS: ContextVar[dict[str, Label | None] | None] = ContextVar("labels", default=None)


@contextmanager
def confirmed_speakers(names: Iterable[str]) -> Iterator[None]:
    """Within the block, these labels are speakers even when heard once (guide B.1: "or the
    user confirms a speaker list at import")."""
    token = _CONFIRMED.set(frozenset(n.strip().casefold() for n in names if n.strip()))
    labels = _LABELS.set({})
    try:
        yield
    finally:
        _LABELS.reset(labels)
        _CONFIRMED.reset(token)


def accepted_speakers(first_lines: Iterable[str]) -> set[str]:
    """Keys of the labels that start at least two paragraphs and are not annotations, and of
    the labels the researcher confirmed.

    A role label used once (`P7:` in a focus group) is accepted too when other speakers
    were found, because a participant who speaks only once is still a participant.
    """
    counts: Counter[str] = Counter()
    for line in first_lines:
        label = find_label(line)
        if label is not None:
            counts[label.key] += 1
    confirmed = _CONFIRMED.get()
    accepted = {key for key, n in counts.items()
                if (n >= 2 and not is_annotation(key)) or key in confirmed}
    if accepted:
        accepted |= {key for key in counts if _ROLE_RE.match(key)}
    return accepted


def turn_counts(paragraph_speakers: Iterable[str | None]) -> list[tuple[str, int]]:
    """Speakers in order of first appearance with their number of turns.

    A turn is a run of consecutive paragraphs of one speaker (guide B.7 rule 6), so that a
    long answer typed as five paragraphs counts once, as the researcher reads it.
    """
    counts: dict[str, int] = {}
    previous: str | None = None
    for speaker in paragraph_speakers:
        if speaker is not None and speaker != previous:
            counts[speaker] = counts.get(speaker, 0) + 1
        previous = speaker
    return list(counts.items())


def unconfirmed_labels(
    paragraphs: Iterable[tuple[int, str, str | None, str]],
) -> list[tuple[str, int]]:
    """Name-like labels left in the text of paragraphs (n, kind, speaker, text) without a
    speaker, with the paragraph number where each first appears: the ones a researcher may
    want to confirm. Only text and list paragraphs count, since a confirmed label is taken
    there and nowhere else (a heading or table row keeps its text whatever `--speakers` says)."""
    found: dict[str, tuple[str, int]] = {}
    for n, kind, speaker, text in paragraphs:
        if speaker is not None or kind not in ("text", "list"):
            continue
        label = find_label(text)
        if label is not None and looks_like_name(label) and not is_annotation(label.key):
            found.setdefault(label.key, (label.speaker, n))
    return list(found.values())
