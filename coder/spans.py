"""The overlap rule: one coder's spans of one code on one paragraph never overlap.

Two overlapping spans of the same code by the same coder would count the shared words twice
(in exports, stats and character agreement), so every way codings come in (the app, codings
CSV, REFI-QDA import, merge) asks this module, and only this module, whether a span may join
the ones already there. The same span twice is not an overlap (it is the same coding, which
the store de-duplicates), and a whole-paragraph coding never overlaps a span.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .models import Segment

T = TypeVar("T")
Span = tuple[int, int]


def overlaps(a: Span, b: Span) -> bool:
    """Two different spans sharing at least one character (ends are exclusive)."""
    return a != b and a[0] < b[1] and b[0] < a[1]


def first_overlap(spans: Iterable[tuple[int | None, int | None]], start: int, end: int
                  ) -> Span | None:
    """The first of `spans` that `[start, end)` overlaps; None-ended (whole-paragraph)
    entries are passed over."""
    for s, e in spans:
        if s is not None and e is not None and overlaps((s, e), (start, end)):
            return s, e
    return None


@dataclass
class OverlapCheck(Generic[T]):
    """Spans accepted so far, per place (paragraph, code, coder), each with what it stands for
    (a CSV line, a segment): `admit` takes a new span in, or names the one it overlaps.

    A refused span is not recorded, so each later span is judged only against accepted ones.
    """

    _spans: dict[Hashable, list[tuple[int, int, T]]] = field(default_factory=dict)

    def admit(self, where: Hashable, start: int | None, end: int | None, item: T) -> T | None:
        """None once the span is accepted (whole-paragraph codings always are), else the
        item of the accepted span it overlaps."""
        if start is None or end is None:
            return None
        taken = self._spans.setdefault(where, [])
        for s, e, other in taken:
            if overlaps((s, e), (start, end)):
                return other
        taken.append((start, end, item))
        return None


def sort_out(existing: Iterable[Segment], rows: Sequence[dict[str, Any]],
             known_guids: frozenset[str] | set[str] = frozenset()
             ) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], Span]]]:
    """Bulk rows (as `Store.insert_segments` takes them) split into those the rule admits
    beside the `existing` live segments and the rows before them, and those it refuses, each
    with the span it overlaps. A row whose GUID is in `known_guids` is a segment the project
    already has (live or removed) and passes untouched: the store skips it anyway."""
    check: OverlapCheck[Span] = OverlapCheck()
    for seg in existing:
        if seg.start is not None and seg.end is not None:
            check.admit((seg.paragraph_id, seg.code_id, seg.coder_id), seg.start, seg.end,
                        (seg.start, seg.end))
    kept: list[dict[str, Any]] = []
    refused: list[tuple[dict[str, Any], Span]] = []
    for row in rows:
        start, end = row.get("start"), row.get("end")
        if row.get("guid") not in known_guids and start is not None and end is not None:
            other = check.admit((row["paragraph_id"], row["code_id"], row["coder_id"]),
                                start, end, (start, end))
            if other is not None:
                refused.append((row, other))
                continue
        kept.append(row)
    return kept, refused
