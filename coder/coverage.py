"""Which paragraphs each coder read: the rule agreement counts absence by.

A paragraph a coder read and left uncoded says "this code is absent"; one they never reached
says nothing. So a paragraph counts for a coder when the document is marked done, or when it
lies within what the coder reached: the larger of the reading mark the app keeps (the furthest
paragraph the cursor reached) and the last paragraph they coded. The second half is what an
imported coding (CSV, REFI-QDA) counts as when nothing else is known: up to its last coded
paragraph, and not the rest, since nothing says the coder read on (`coder status --done` or
`codings import --done` says they did). Beyond that, in a partly read document, the coder's
ratings are missing, never "absent".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .errors import CoderError
from .store import Store
from .vocab import DocumentStatus

WHOLE = None
"""A reach of `WHOLE`: the coder covers every paragraph of the document (marked done)."""

RULE = (
    "a paragraph counts for a coder when the document is marked done, or when it lies within"
    " the furthest paragraph the coder reached in the app or coded; beyond that, in a partly"
    " read document, the coder's ratings are missing, not absent"
)


@dataclass(frozen=True)
class Coverage:
    """Per coder, per document they cover: `WHOLE`, or the last paragraph number they read."""

    reach: dict[str, dict[int, int | None]] = field(default_factory=dict)

    def documents(self, coder: str) -> set[int]:
        return set(self.reach.get(coder, {}))

    def covers(self, coder: str, document_id: int, n: int) -> bool:
        if document_id not in self.reach.get(coder, {}):
            return False
        upto = self.reach[coder][document_id]
        return upto is WHOLE or n <= upto

    def partly_read(self, coder: str) -> dict[int, int]:
        """Documents the coder covers only in part, with the last paragraph number read."""
        return {d: upto for d, upto in self.reach.get(coder, {}).items() if upto is not WHOLE}

    def only(self, documents: set[int]) -> Coverage:
        return Coverage({c: {d: r for d, r in by_doc.items() if d in documents}
                         for c, by_doc in self.reach.items()})


def reach(coders: Sequence[str], statuses: Mapping[tuple[int, str], str],
          marks: Mapping[tuple[int, str], int],
          coded: Iterable[tuple[int, int, str]]) -> Coverage:
    """The rule, from plain data: statuses and marks keyed (document_id, coder), and
    (document_id, paragraph number, coder) of each coding."""
    wanted = set(coders)
    out: dict[str, dict[int, int | None]] = {c: {} for c in coders}

    def further(coder: str, doc: int, n: int) -> None:
        if n <= 0:
            return
        upto = out[coder].get(doc, 0)
        if upto is not WHOLE and n > upto:
            out[coder][doc] = n

    for (doc, coder), n in marks.items():
        if coder in wanted:
            further(coder, doc, n)
    for doc, n, coder in coded:
        if coder in wanted:
            further(coder, doc, n)
    for (doc, coder), status in statuses.items():
        if coder in wanted and status == DocumentStatus.DONE:
            out[coder][doc] = WHOLE
    return Coverage(out)


def read_coverage(store: Store, coders: Sequence[str],
                  coded: Iterable[tuple[int, int, str]]) -> Coverage:
    """`reach` over the project's statuses and reading marks; `coded` as for `reach`."""
    return reach(coders, store.statuses(), store.reading_marks(), coded)


def project_coverage(store: Store, coders: Sequence[str]) -> Coverage:
    """The rule over the whole project, current documents only."""
    where = {u[1]: (u[0], u[2]) for u in store.agreement_units()}
    return read_coverage(store, coders, ((*where[r[0]], r[1])
                                         for r in store.agreement_codings(list(coders))
                                         if r[0] in where))


def mark_documents(store: Store, marks: Iterable[tuple[str, int]], status: str) -> int:
    """Set `status` for each (coder, document_id), in one transaction, without undo entries.

    For scripts and imports that state what a coder read (`coder status`, `codings import
    --done`); a coder named here that the project does not know yet is added, as an import
    adds one. Returns how many statuses changed.
    """
    if status not in tuple(DocumentStatus):
        raise CoderError(f"status must be one of {', '.join(DocumentStatus)}")
    changed = 0
    with store.transaction():
        for coder, document_id in sorted(set(marks)):
            coder_id = store.coder_id(coder)
            if store.status(coder_id, document_id) != status:
                store.put_status(coder_id, document_id, status)
                changed += 1
    return changed
