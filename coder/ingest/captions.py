"""WebVTT and SubRip captions turned into speaker turns (interop guide B.2, B.3, B.7).

Captions cut speech by time; a researcher codes turns. Consecutive cues of one speaker are
merged into one paragraph (start of the first cue, end of the last, cue numbers in `meta`),
never across a change of speaker. The file is cut into cues by `cueblocks` (which refuses a
block it cannot read rather than dropping it); voice spans are read from the raw cue text so
that a cue holding two voices is split rather than attributed to the first.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from coder.errors import CoderError
from coder.models import ParagraphIn, ParsedDocument

from . import speakers
from .cueblocks import read_cue_blocks
from .units import SENTENCE_END_RE

_VOICE_RE = re.compile(r"<v(?:\.[^\s>]+)*[ \t]+([^>\n]*)>")
_TAG_RE = re.compile(r"<[^>\n]*>")
_TEAMS_ID_RE = re.compile(r"/(\d+)-\d+$")
_GAP_SECONDS = 5.0
_LONG_TURN_CHARS = 1200


@dataclass
class _Utterance:
    text: str
    start: float
    end: float
    cue: int
    cue_id: str | None
    voice: str | None = None
    new_turn: bool = False
    speaker: str | None = None
    sound: bool = False


@dataclass
class _Turn:
    speaker: str | None
    start: float
    end: float
    sound: bool = False
    parts: list[str] = field(default_factory=list)
    cues: list[int] = field(default_factory=list)
    cue_ids: list[str | None] = field(default_factory=list)
    teams: str | None = None
    length: int = 0


def read_captions(text: str, fmt: str, path: Path) -> ParsedDocument:
    parsed = read_cue_blocks(text, fmt, path)
    cues = parsed.cues
    if not cues:
        raise CoderError("The caption file contains no cues.", path=path)

    warnings: list[str] = list(parsed.warnings)
    ids: list[str | None] = [c.identifier for c in cues]

    cue_lines = [_cue_segments(c.text) for c in cues]
    if _is_rolling([[t for _, t in segs] for segs in cue_lines]):
        _drop_rolling_repeats(cue_lines)
        warnings.append(
            "These look like rolling (YouTube-style) captions: the lines each cue repeats from "
            "the previous one were removed before the cues were merged."
        )

    utterances: list[_Utterance] = []
    for n, (cue, segs) in enumerate(zip(cues, cue_lines, strict=True), start=1):
        start, end = cue.start, cue.end
        before = len(utterances)
        for voice, lines in _group_lines(segs):
            for text_, new_turn in lines:
                sound = speakers.is_sound_description(text_)
                utterances.append(
                    _Utterance(text_, start, end, n, ids[n - 1], voice=None if sound else voice,
                               new_turn=new_turn or sound, sound=sound)
                )
        if len(utterances) == before:
            utterances.append(_Utterance("", start, end, n, ids[n - 1]))

    accepted = speakers.accepted_speakers(u.text for u in utterances if u.voice is None)
    for u in utterances:
        if u.sound:
            continue
        if u.voice:
            u.speaker = u.voice
            continue
        label = speakers.find_label(u.text)
        if label is not None and label.key in accepted:
            u.speaker = label.speaker
            u.text = u.text[label.end :]

    turns = _merge(utterances)
    paragraphs = []
    for turn in turns:
        meta: dict[str, object] = {"cues": turn.cues}
        if any(turn.cue_ids):
            meta["cue_ids"] = turn.cue_ids
        paragraphs.append(
            ParagraphIn(
                text=" ".join(p for p in turn.parts if p),
                speaker=turn.speaker,
                start_time=turn.start,
                end_time=turn.end,
                meta=meta,
            )
        )
    paragraphs = [p for p in paragraphs if p.text]
    if not paragraphs:
        raise CoderError("The caption file's cues contain no text.", path=path)

    doc_meta: dict[str, object] = {"cue_count": len(cues)}
    if parsed.header:
        doc_meta["header"] = parsed.header
    if parsed.notes:
        doc_meta["notes"] = parsed.notes
        warnings.append(
            f"{len(parsed.notes)} NOTE comment block(s) are not transcript text; they are kept "
            "in the document's metadata."
        )
    return ParsedDocument(format=fmt, paragraphs=paragraphs, warnings=warnings, meta=doc_meta)


def _cue_segments(raw: str) -> list[tuple[str | None, str]]:
    """(voice, line) pairs of one cue: tags stripped, character references decoded."""
    pieces: list[tuple[str | None, str]] = []
    voice: str | None = None
    pos = 0
    for match in _VOICE_RE.finditer(raw):
        if match.start() > pos:
            pieces.append((voice, raw[pos : match.start()]))
        voice = match.group(1).strip() or None
        pos = match.end()
    pieces.append((voice, raw[pos:]))
    out: list[tuple[str | None, str]] = []
    for v, chunk in pieces:
        for line in chunk.split("\n"):
            clean = html.unescape(_TAG_RE.sub("", line)).strip()
            if clean:
                out.append((v, clean))
    return out


def _is_rolling(cues: list[list[str]]) -> bool:
    """Most cues start with the previous cue's last line (YouTube auto-captions)."""
    pairs = [(a, b) for a, b in pairwise(cues) if a and b]
    if not pairs:
        return False
    repeats = sum(1 for a, b in pairs if b[0] == a[-1])
    return repeats >= 1 and repeats * 2 >= len(pairs)


def _drop_rolling_repeats(cue_lines: list[list[tuple[str | None, str]]]) -> None:
    previous: list[str] = []
    for i, segs in enumerate(cue_lines):
        texts = [t for _, t in segs]
        overlap = 0
        for k in range(min(len(previous), len(texts)), 0, -1):
            if previous[-k:] == texts[:k]:
                overlap = k
                break
        if texts:
            previous = texts
        cue_lines[i] = segs[overlap:]


def _group_lines(
    segs: list[tuple[str | None, str]],
) -> list[tuple[str | None, list[tuple[str, bool]]]]:
    """Join a cue's wrapped lines per voice; `- ` lines and `>>` are separate speakers, and a
    sound description on a line of its own (`[door closes]`) is never joined to a line."""
    groups: list[tuple[str | None, list[tuple[str, bool]]]] = []
    after_sound = False
    for voice, line in segs:
        new_turn = False
        if line.startswith((">>", "- ")):
            line, new_turn = line[2:].lstrip(), True
        sound = speakers.is_sound_description(line)
        if not groups or groups[-1][0] != voice:
            groups.append((voice, []))
        entries = groups[-1][1]
        if new_turn or not entries or sound or after_sound:
            entries.append((line, new_turn))
        else:
            entries[-1] = (entries[-1][0] + " " + line, entries[-1][1])
        after_sound = sound
    return groups


def _merge(utterances: list[_Utterance]) -> list[_Turn]:
    turns: list[_Turn] = []
    for u in utterances:
        teams = None
        if u.cue_id and (m := _TEAMS_ID_RE.search(u.cue_id)):
            teams = m.group(1)
        cur = turns[-1] if turns else None
        if not u.text and cur is not None:
            cur.end = max(cur.end, u.end)
            _add_cue(cur, u)
            continue
        if (
            cur is None
            or u.new_turn
            or cur.sound
            or cur.speaker != u.speaker
            or u.start - cur.end > _GAP_SECONDS
            or (teams is not None and cur.teams is not None and teams != cur.teams)
            or (
                cur.length >= _LONG_TURN_CHARS
                and SENTENCE_END_RE.search(cur.parts[-1] if cur.parts else "")
            )
        ):
            cur = _Turn(speaker=u.speaker, start=u.start, end=u.end, teams=teams,
                        sound=u.sound)
            turns.append(cur)
        cur.parts.append(u.text)
        cur.length += len(u.text) + 1
        cur.end = max(cur.end, u.end)
        cur.teams = teams
        _add_cue(cur, u)
    return turns


def _add_cue(turn: _Turn, u: _Utterance) -> None:
    if not turn.cues or turn.cues[-1] != u.cue:
        turn.cues.append(u.cue)
        turn.cue_ids.append(u.cue_id)
