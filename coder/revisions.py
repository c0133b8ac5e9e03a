"""Revisions that must not lose codings: corrected transcripts and codebook moves.

A corrected transcript (typos fixed, a mis-heard word, a turn split in two) is imported as a
new version of its document. The old version is kept, superseded and hidden from the lists,
with every segment on it untouched; each segment is then carried to the paragraph of the new
version that matches its own: identical text first, then close text (difflib), and a span is
re-anchored by finding the text it quoted. What cannot be placed is listed, never dropped.

Carried segments get a GUID derived from the original's and the new text, so carrying twice,
or two copies of a project that imported the same correction, never doubles a coding.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import itertools
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CoderError
from .models import Paragraph
from .store import GUID_NAMESPACE, Store, text_hash
from .vocab import EventKind

CLOSE_CUTOFF = 0.6
"""Lowest similarity (difflib ratio) at which an edited paragraph counts as the same one."""
QUOTE_CUTOFF = 0.75
"""Lowest similarity at which an edited quote still counts as the quoted text."""
MIN_QUOTE_ELSEWHERE = 8
"""A quote this short is too common to look for outside its own paragraph."""
MIN_CONTAINED = 20
"""A paragraph this short found inside another is not evidence that they are the same."""
WINDOW = 3
"""How many paragraphs either side of where a paragraph should be are searched."""
GLOBAL_SEARCH_LIMIT = 100_000
"""Most pairs of paragraphs compared when looking for a paragraph that moved far."""


@dataclass(frozen=True)
class Match:
    """Where an old paragraph went: `new_index`, plus `also` the other pieces when it was
    split into several paragraphs."""

    new_index: int
    how: str  # "exact" or "close"
    also: tuple[int, ...] = ()


@dataclass(frozen=True)
class Unplaced:
    """A coding that stays on the older version only, with what the user needs to find it."""

    paragraph: int
    coder: str
    code: str
    quote: str
    reason: str


@dataclass
class CarryReport:
    """Segments carried to an identical paragraph (`exact`) or an edited one (`close`), spans
    whose offsets changed, segments that were already there, memos, and what stayed behind."""

    exact: int = 0
    close: int = 0
    reanchored: int = 0
    already: int = 0
    memos: int = 0
    split: int = 0
    unplaced: list[Unplaced] = field(default_factory=list)

    @property
    def carried(self) -> int:
        return self.exact + self.close

    def add(self, other: CarryReport) -> None:
        self.exact += other.exact
        self.close += other.close
        self.reanchored += other.reanchored
        self.already += other.already
        self.memos += other.memos
        self.split += other.split
        self.unplaced.extend(other.unplaced)


@dataclass
class RevisionReport:
    document: str
    status: str  # "replaced", "unchanged" or "planned" (a dry run)
    paragraphs_before: int
    paragraphs_after: int
    carry: CarryReport
    old_version: str | None = None
    backup: str | None = None
    warnings: list[str] = field(default_factory=list)


# -- matching paragraphs and spans (pure) ------------------------------------------------


_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=65536)
def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


@functools.lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.casefold()))


def _similarity(a: str, b: str) -> float:
    """difflib's ratio over the words of both paragraphs, raised for one text that contains
    the other whole (a turn split in two, or two joined), so those still count as the same.

    Words rather than characters: every English paragraph has much the same letters, so a
    character ratio is slow to rule anything out and flatters unrelated text.
    """
    na, nb = _norm(a), _norm(b)
    short, long_ = sorted((na, nb), key=len)
    if len(short) >= MIN_CONTAINED and short in long_:
        return 0.75 + 0.25 * len(short) / len(long_)
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 1.0 if na == nb else 0.0
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    if matcher.real_quick_ratio() < CLOSE_CUTOFF or matcher.quick_ratio() < CLOSE_CUTOFF:
        return 0.0
    return matcher.ratio()


def match_paragraphs(old: Sequence[str], new: Sequence[str]) -> dict[int, Match]:
    """Map each old paragraph (index) to the new paragraph it became, where there is one.

    Identical paragraphs are aligned in order first (difflib over the paragraph lists), then
    identical paragraphs that moved, then each remaining old paragraph takes the most similar
    new paragraph that has no identical twin, looking near where it should be and, failing
    that, anywhere. Several old paragraphs may map to one new one (paragraphs joined), and an
    old paragraph split into adjacent new ones keeps all the pieces.
    """
    out: dict[int, Match] = {}
    taken: set[int] = set()
    opcodes = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False).get_opcodes()
    for tag, i1, i2, j1, _ in opcodes:
        if tag == "equal":
            for k in range(i2 - i1):
                out[i1 + k] = Match(j1 + k, "exact")
                taken.add(j1 + k)
    free_by_text: dict[str, list[int]] = defaultdict(list)
    for j, text in enumerate(new):
        if j not in taken:
            free_by_text[text].append(j)
    for i, text in enumerate(old):
        if i not in out and free_by_text.get(text):
            j = free_by_text[text].pop(0)
            out[i] = Match(j, "exact")
            taken.add(j)

    expected = _expected_positions(opcodes, len(new))
    leftovers: list[int] = []
    for i, text in enumerate(old):
        if i in out:
            continue
        lo, hi = expected[i]
        best = _best_close(text, new, range(max(0, lo - WINDOW), min(len(new), hi + WINDOW)),
                           taken)
        if best is None:
            leftovers.append(i)
        else:
            out[i] = Match(best, "close")
    free = [j for j in range(len(new)) if j not in taken]
    if leftovers and len(leftovers) * len(free) <= GLOBAL_SEARCH_LIMIT:
        for i in leftovers:
            best = _best_close(old[i], new, free, taken)
            if best is not None:
                out[i] = Match(best, "close")
    _add_split_pieces(old, new, out, taken)
    return out


def _add_split_pieces(old: Sequence[str], new: Sequence[str], out: dict[int, Match],
                      taken: set[int]) -> None:
    claimed = taken | {m.new_index for m in out.values()}
    for i, m in list(out.items()):
        whole = _norm(old[i])
        piece = _norm(new[m.new_index])
        if m.how != "close" or len(piece) >= len(whole) or piece not in whole:
            continue
        also = []
        for step in (-1, 1):
            j = m.new_index + step
            while 0 <= j < len(new) and j not in claimed:
                text = _norm(new[j])
                if len(text) < MIN_CONTAINED or text not in whole:
                    break
                also.append(j)
                claimed.add(j)
                j += step
        if also:
            out[i] = Match(m.new_index, "close", tuple(sorted(also)))


def _expected_positions(opcodes: Sequence[tuple[str, int, int, int, int]],
                        n_new: int) -> dict[int, tuple[int, int]]:
    """For each old paragraph, the range of new positions it should fall in."""
    expected: dict[int, tuple[int, int]] = {}
    for _, i1, i2, j1, j2 in opcodes:
        for i in range(i1, i2):
            expected[i] = (j1, max(j2, j1 + 1) if n_new else j1)
    return expected


def _best_close(text: str, new: Sequence[str], candidates: Iterable[int],
                taken: set[int]) -> int | None:
    best, best_score = None, CLOSE_CUTOFF
    for j in candidates:
        if j in taken:
            continue
        score = _similarity(text, new[j])
        if score >= best_score and (best is None or score > best_score):
            best, best_score = j, score
    return best


def place_span(old_text: str, start: int, end: int, new_text: str) -> tuple[int, int] | None:
    """Where the text quoted by `[start, end)` of the old paragraph is in the new one."""
    if new_text == old_text:
        return start, end
    quote = old_text[start:end]
    if not quote.strip():
        return None
    hits = _occurrences(new_text, quote)
    if hits:
        guess = round(start * len(new_text) / max(len(old_text), 1))
        best = min(hits, key=lambda h: abs(h - guess))
        return best, best + len(quote)
    blocks = difflib.SequenceMatcher(None, old_text, new_text, autojunk=False).get_matching_blocks()
    new_start = _map_start(blocks, start)
    new_end = _map_end(blocks, end)
    if new_start is None or new_end is None or new_end <= new_start:
        return None
    candidate = new_text[new_start:new_end]
    if difflib.SequenceMatcher(None, quote, candidate, autojunk=False).ratio() < QUOTE_CUTOFF:
        return None
    return new_start, new_end


def _occurrences(text: str, needle: str) -> list[int]:
    hits, at = [], text.find(needle)
    while at >= 0:
        hits.append(at)
        at = text.find(needle, at + 1)
    return hits


def _map_start(blocks: list[Any], x: int) -> int | None:
    for a, b, size in blocks:
        if a <= x < a + size:
            return b + (x - a)
        if a > x and size:
            return b
    return None


def _map_end(blocks: list[Any], x: int) -> int | None:
    last = None
    for a, b, size in blocks:
        if not size:
            continue
        if a < x <= a + size:
            return b + (x - a)
        if a + size <= x:
            last = b + size
    return last


# -- carrying segments between two versions ----------------------------------------------


def carried_guid(old_guid: str, new_text_hash: str, paragraph_n: int) -> str:
    """The same in every copy of a project that carries the same segment to the same text."""
    return str(uuid.uuid5(GUID_NAMESPACE,
                          f"carry:{old_guid}:{new_text_hash}:{paragraph_n}")).upper()


@dataclass
class _Placement:
    segment: dict[str, Any]
    paragraph: Paragraph
    start: int | None
    end: int | None
    how: str
    moved_span: bool


def plan_carry(
    old_paragraphs: Sequence[Paragraph],
    new_paragraphs: Sequence[Paragraph],
    segments: Sequence[dict[str, Any]],
    matches: dict[int, Match] | None = None,
) -> tuple[list[_Placement], list[tuple[dict[str, Any], Paragraph, str]]]:
    """Where each segment of the old version goes in the new one, and what has nowhere to go."""
    old_texts = [p.text for p in old_paragraphs]
    new_texts = [p.text for p in new_paragraphs]
    if matches is None:
        matches = match_paragraphs(old_texts, new_texts)
    index_of = {p.id: i for i, p in enumerate(old_paragraphs)}
    placed: list[_Placement] = []
    unplaced: list[tuple[dict[str, Any], Paragraph, str]] = []
    for seg in segments:
        i = index_of.get(seg["paragraph_id"])
        if i is None:
            continue
        old_p = old_paragraphs[i]
        match = matches.get(i)
        if seg["start"] is None:
            if match is None:
                unplaced.append((seg, old_p, "no matching paragraph in the new version"))
                continue
            for j in sorted((match.new_index, *match.also)):
                placed.append(_Placement(seg, new_paragraphs[j], None, None, match.how, False))
            continue
        spot = _place_quote(old_p.text, seg["start"], seg["end"], new_texts, match, i,
                            len(old_paragraphs))
        if spot is None:
            reason = ("the quoted text is not in the new version" if match is not None
                      else "no matching paragraph in the new version")
            unplaced.append((seg, old_p, reason))
            continue
        j, start, end = spot
        how = "exact" if match is not None and match.how == "exact" and j == match.new_index \
            else "close"
        moved = (start, end) != (seg["start"], seg["end"])
        placed.append(_Placement(seg, new_paragraphs[j], start, end, how, moved))
    return placed, unplaced


def _place_quote(old_text: str, start: int, end: int, new_texts: Sequence[str],
                 match: Match | None, i: int, n_old: int) -> tuple[int, int, int] | None:
    if match is not None:
        spot = place_span(old_text, start, end, new_texts[match.new_index])
        if spot is not None:
            return (match.new_index, *spot)
        centre = match.new_index
    else:
        centre = round(i * len(new_texts) / max(n_old, 1))
    quote = old_text[start:end]
    if len(quote.strip()) < MIN_QUOTE_ELSEWHERE:
        return None
    near = sorted(range(max(0, centre - WINDOW), min(len(new_texts), centre + WINDOW + 1)),
                  key=lambda j: abs(j - centre))
    for j in near:
        hits = _occurrences(new_texts[j], quote)
        if hits:
            return j, hits[0], hits[0] + len(quote)
    return None


def carry_segments(store: Store, old_document_id: int, new_document_id: int,
                   matches: dict[int, Match] | None = None) -> CarryReport:
    """Copy the live segments and paragraph memos of one version onto the next.

    Runs in one transaction; segments already carried (same derived GUID) are left alone, so
    running it again changes nothing.
    """
    with store.transaction():
        old_paragraphs = store.paragraphs(old_document_id)
        new_paragraphs = store.paragraphs(new_document_id)
        new_hash = text_hash(p.text for p in new_paragraphs)
        segments = store.document_segments(old_document_id)
        placed, unplaced = plan_carry(old_paragraphs, new_paragraphs, segments, matches)
        code_ids = store.code_key_map()
        keys = {c.id: c.key for c in store.codes(include_retired=True)}
        names = store.coder_names()
        rows = []
        for pl in placed:
            seg = pl.segment
            rows.append({
                "paragraph_id": pl.paragraph.id,
                "code_id": code_ids.get(keys[seg["code_id"]], seg["code_id"]),
                "coder_id": seg["coder_id"],
                "start": pl.start,
                "end": pl.end,
                "memo": seg["memo"],
                "guid": carried_guid(seg["guid"], new_hash, pl.paragraph.n),
                "created_at": seg["created_at"],
                # A carried copy is the same coding: a memo its coder edits in another copy
                # of the project after the last edit here must still win a merge.
                "updated_at": seg["updated_at"],
            })
        _, skipped = store.insert_segments(rows, event=None, backup=False)
        report = _summarise(placed, unplaced, names, keys)
        report.already = skipped
        report.memos = _carry_memos(store, old_paragraphs, new_paragraphs, old_document_id,
                                    matches)
    return report


def _summarise(placed: Sequence[_Placement],
               unplaced: Sequence[tuple[dict[str, Any], Paragraph, str]],
               names: dict[int, str], keys: dict[int, str]) -> CarryReport:
    """Counts per segment (a segment carried to both halves of a split paragraph counts once),
    so exact + close + unplaced is every segment of the old version."""
    report = CarryReport()
    how: dict[int, str] = {}
    pieces: dict[int, int] = {}
    for pl in placed:
        seg_id = pl.segment["id"]
        if how.get(seg_id) != "close":
            how[seg_id] = pl.how
        pieces[seg_id] = pieces.get(seg_id, 0) + 1
        report.reanchored += pl.moved_span
    report.split = sum(1 for n in pieces.values() if n > 1)
    report.exact = sum(1 for h in how.values() if h == "exact")
    report.close = len(how) - report.exact
    for seg, p, reason in unplaced:
        quote = p.text if seg["start"] is None else p.text[seg["start"]:seg["end"]]
        report.unplaced.append(Unplaced(p.n, names.get(seg["coder_id"], "?"),
                                        keys.get(seg["code_id"], "?"), quote, reason))
    return report


def _carry_memos(store: Store, old_paragraphs: Sequence[Paragraph],
                 new_paragraphs: Sequence[Paragraph], old_document_id: int,
                 matches: dict[int, Match] | None) -> int:
    if matches is None:
        matches = match_paragraphs([p.text for p in old_paragraphs],
                                   [p.text for p in new_paragraphs])
    index_of = {p.id: i for i, p in enumerate(old_paragraphs)}
    carried = 0
    for paragraph_id, coder_id, memo in store.document_paragraph_memos(old_document_id):
        match = matches.get(index_of[paragraph_id])
        if match is None:
            continue
        target = new_paragraphs[match.new_index].id
        have = store.paragraph_memo(coder_id, target)
        if have and memo in have:
            continue
        store.put_paragraph_memo(coder_id, target, f"{have}\n\n{memo}" if have else memo)
        carried += 1
    return carried


def carry_forward(store: Store, document_id: int) -> CarryReport:
    """Carry codings from every older version of a document up to the current one.

    For codings that reached an older version after the re-import (a merge from a copy made
    before it): each version passes its segments to the next, oldest first.
    """
    versions = store.versions(document_id)
    report = CarryReport()
    for older, newer in itertools.pairwise(versions):
        report.add(carry_segments(store, older.document.id, newer.document.id))
    return report


# -- re-importing a corrected transcript --------------------------------------------------


def reimport_document(store: Store, document: str | int, path: Path, *,
                      format: str | None = None, dry_run: bool = False,
                      speakers: Sequence[str] = ()) -> RevisionReport:
    """Replace a document's text with a corrected version of the transcript, carrying every
    coding over; the old version stays in the project (superseded) with its codings intact."""
    from .ingest import read_document

    path = Path(path)
    doc = store.document(document)
    current = store.current_version(doc.id)
    if current.id != doc.id:
        raise CoderError(f"{doc.name!r} is an older version of {current.name!r}; "
                         f"use --replace {current.name!r}")
    parsed = read_document(path, format=format, speakers=speakers)
    if not parsed.paragraphs:
        raise CoderError("no text found to code", path=path)
    content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    old_paragraphs = store.paragraphs(doc.id)
    new_texts = [p.text for p in parsed.paragraphs]
    if [(p.speaker, p.text) for p in parsed.paragraphs] == [
            (p.speaker, p.text) for p in old_paragraphs]:
        return RevisionReport(doc.name, "unchanged", len(old_paragraphs), len(new_texts),
                              CarryReport(), warnings=list(parsed.warnings))
    matches = match_paragraphs([p.text for p in old_paragraphs], new_texts)
    if dry_run:
        preview = [Paragraph(-(n + 1), doc.id, n + 1, p.kind, p.speaker, p.text)
                   for n, p in enumerate(parsed.paragraphs)]
        placed, unplaced = plan_carry(old_paragraphs, preview, store.document_segments(doc.id),
                                      matches)
        carry = _summarise(placed, unplaced, store.coder_names(),
                           {c.id: c.key for c in store.codes(include_retired=True)})
        return RevisionReport(doc.name, "planned", len(old_paragraphs), len(new_texts), carry,
                              warnings=list(parsed.warnings))
    backup = store.auto_backup("before-reimport")
    with store.transaction():
        old = store.replace_document(doc.id, parsed, source_path=str(Path(path).resolve()),
                                     content_hash=content_hash)
        carry = carry_segments(store, old.id, doc.id, matches)
        store.log_event(EventKind.REIMPORT, {
            "document": doc.name,
            "source": str(path),
            "old version": old.name,
            "paragraphs": [len(old_paragraphs), len(new_texts)],
            "carried exact": carry.exact,
            "carried close": carry.close,
            "spans re-anchored": carry.reanchored,
            "memos": carry.memos,
            "not placed": [
                {"paragraph": u.paragraph, "coder": u.coder, "code": u.code,
                 "quote": u.quote[:200], "reason": u.reason}
                for u in carry.unplaced
            ],
            "backup": str(backup),
        })
    return RevisionReport(doc.name, "replaced", len(old_paragraphs), len(new_texts), carry,
                          old_version=old.name, backup=str(backup),
                          warnings=list(parsed.warnings))


# -- codebook revisions --------------------------------------------------------------------


def parse_moves(specs: Sequence[str]) -> dict[str, str]:
    """`OLD=TARGET` pairs from the command line: where a removed code's segments go."""
    moves: dict[str, str] = {}
    for spec in specs:
        old, sep, target = spec.partition("=")
        old, target = old.strip(), target.strip()
        if not sep or not old or not target:
            raise CoderError(f"--move {spec!r}: write it as OLD-KEY=TARGET-KEY")
        if old in moves and moves[old] != target:
            raise CoderError(f"--move: {old!r} is sent to both {moves[old]!r} and {target!r}")
        moves[old] = target
    return moves
