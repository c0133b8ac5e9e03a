"""The code hierarchy, walked one way everywhere: the app's codebook panel and filter, exports,
stats, the REFI-QDA codebook, merge and the YAML codebook's checks.

A code whose parent is not among the codes given (retired, or filtered out of an export) is
shown at the top level rather than lost, and a parent cycle (which no codebook can write, but a
hand-edited file could hold) never loops: its codes come last, at the top level.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from operator import attrgetter
from typing import Any, Generic, TypeVar

N = TypeVar("N")


class CodeTree(Generic[N]):
    """Codes (or the YAML codebook's `CodeDef`s, keyed by `key` and `parent_key`) as a tree,
    siblings in the order given: the codebook's order when the codes come from the store."""

    def __init__(self, codes: Iterable[N], *,
                 ident: Callable[[N], Any] = attrgetter("id"),
                 parent: Callable[[N], Any] = attrgetter("parent_id"),
                 name: Callable[[N], str] = attrgetter("name")) -> None:
        self.codes: list[N] = list(codes)
        self._ident = ident
        self._name = name
        self._by: dict[Hashable, N] = {ident(c): c for c in self.codes}
        self._parent: dict[Hashable, Hashable | None] = {}
        self._children: dict[Hashable | None, list[N]] = {}
        for c in self.codes:
            above = parent(c)
            above = above if above in self._by else None
            self._parent[ident(c)] = above
            self._children.setdefault(above, []).append(c)

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self) -> Iterator[N]:
        return iter(self.codes)

    def __contains__(self, ident: object) -> bool:
        return ident in self._by

    def get(self, ident: Hashable) -> N | None:
        return self._by.get(ident)

    def roots(self) -> list[N]:
        return list(self._children.get(None, ()))

    def children(self, ident: Hashable | None) -> list[N]:
        """Direct children; `None` gives the top level."""
        return list(self._children.get(ident, ()))

    def parent(self, ident: Hashable) -> N | None:
        above = self._parent.get(ident)
        return None if above is None else self._by[above]

    def ancestors(self, ident: Hashable) -> list[N]:
        """Parent, grandparent and so on up to the top level."""
        out: list[N] = []
        seen = {ident}
        above = self._parent.get(ident)
        while above is not None and above not in seen:
            seen.add(above)
            out.append(self._by[above])
            above = self._parent.get(above)
        return out

    def path(self, ident: Hashable, sep: str = "/") -> str:
        """Names from the top down: 'Leaving care/Support drops off at 18'."""
        names = [self._by[ident], *self.ancestors(ident)]
        return sep.join(self._name(c) for c in reversed(names))

    def walk(self) -> list[tuple[N, int]]:
        """Every code once, depth first, parents before children, each with its depth (0 for
        the top level); codes only a parent cycle reaches come last, at depth 0."""
        out: list[tuple[N, int]] = []
        seen: set[Hashable] = set()
        for root in self._children.get(None, ()):
            self._walk(root, 0, out, seen)
        for c in self.codes:
            if self._ident(c) not in seen:
                seen.add(self._ident(c))
                out.append((c, 0))
        return out

    def _walk(self, code: N, depth: int, out: list[tuple[N, int]], seen: set[Hashable]) -> None:
        ident = self._ident(code)
        if ident in seen:
            return
        seen.add(ident)
        out.append((code, depth))
        for child in self._children.get(ident, ()):
            self._walk(child, depth + 1, out, seen)

    def descendants(self, ident: Hashable) -> list[N]:
        """The code and every code below it, depth first (empty for an unknown code)."""
        if ident not in self._by:
            return []
        out: list[tuple[N, int]] = []
        self._walk(self._by[ident], 0, out, set())
        return [c for c, _ in out]

    def descendant_ids(self, ident: Hashable) -> set[Any]:
        """`ident` and the identities of every code below it: what a filter on a code takes
        along."""
        return {ident} | {self._ident(c) for c in self.descendants(ident)}
