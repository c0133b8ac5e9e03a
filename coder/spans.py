"""The overlap rule: one coder's spans of one code on one paragraph never overlap.

Two overlapping spans of the same code by the same coder would count the shared words twice
(in exports, stats and character agreement), so every way codings come in (the app, codings
CSV, REFI-QDA import, merge) asks this module, and only this module, whether a span may join
the ones already there. The same span twice is not an overlap (it is the same coding, which
the store de-duplicates), and a whole-paragraph coding never overlaps a span.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

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
