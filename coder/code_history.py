"""A code's meanings over time, and rechecking the codings made under an older one.

When a definition is sharpened, or a code takes in another by a merge, the codings made
before may no longer fit. The recheck queue lists them with the meaning they were made
under beside the current one; each is kept (it now counts as made under the current
meaning), removed, or moved to another code. Every decision is one undo step.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import CoderError
from .store import MEANING_FIELDS, CodeRevision, RecheckRow, Store
from .vocab import RecheckDecision


@dataclass(frozen=True)
class RecheckItem:
    """One coding to recheck: where it is, what it quotes, and both meanings of its code."""

    row: RecheckRow
    made_under: CodeRevision
    current: CodeRevision
    made_under_key: str

    @property
    def segment_id(self) -> int:
        return self.row.segment_id

    @property
    def merged_from(self) -> str | None:
        """The code the coding was made on, when a merge brought it to this one."""
        return self.made_under_key if self.made_under_key != self.row.code_key else None

    def changed(self) -> list[str]:
        return changed_fields(self.made_under, self.current)


def changed_fields(old: CodeRevision, new: CodeRevision) -> list[str]:
    """The meaning fields that differ between two revisions, by field name."""
    return [f for f in MEANING_FIELDS if getattr(old, f) != getattr(new, f)]


def code_history(store: Store, key: str) -> list[CodeRevision]:
    """A code's revisions, oldest first; `key` may be a key it had before a rename."""
    code = store.resolve_code(key)
    if code is None:
        raise CoderError(f"no code with key {key!r} in this project")
    return store.code_revisions(code.id)


def recheck_queue(
    store: Store, *, code: str | None = None, coder: str | None = None
) -> list[RecheckItem]:
    """The codings (of one coder, on one code, when given) made under a revision of their
    code other than its current one, in code order then reading order."""
    code_ids = None
    if code is not None:
        found = store.resolve_code(code)
        if found is None:
            raise CoderError(f"no code with key {code!r} in this project")
        code_ids = [found.id]
    if coder is not None:
        store.coder_id(coder, create=False)
    rows = store.recheck_rows(code_ids=code_ids, coders=[coder] if coder else None)
    keys = {c.id: c.key for c in store.codes(include_retired=True)}
    revisions: dict[int, CodeRevision] = {}

    def revision(rev_id: int) -> CodeRevision:
        if rev_id not in revisions:
            revisions[rev_id] = store.code_revision(rev_id)
        return revisions[rev_id]

    items = []
    for r in rows:
        old = (revision(r.revision_id) if r.revision_id is not None
               else store.code_revisions(r.code_id)[0])
        items.append(RecheckItem(r, old, revision(r.current_revision_id), keys[old.code_id]))
    return items


def decide(
    store: Store, coder: str, segment_id: int, decision: RecheckDecision | str,
    *, to: str | None = None,
) -> None:
    """Keep, remove or move (to the code keyed `to`) one coding from the recheck queue."""
    coder_id = store.coder_id(coder, create=False)
    decision = RecheckDecision(decision)
    if decision == RecheckDecision.KEEP:
        store.recheck_keep(coder_id, segment_id)
    elif decision == RecheckDecision.REMOVE:
        store.recheck_remove(coder_id, segment_id)
    else:
        target = store.resolve_code(to or "")
        if target is None:
            raise CoderError(f"no code with key {to!r} to move the coding to")
        store.recheck_move(coder_id, segment_id, target.id)
