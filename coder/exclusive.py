"""Exclusive code groups: a parent marked `exclusive: true` whose sub-codes a coder applies one at
a time per paragraph, so that the group reads as one categorical variable in `coder agree`.

The codebook that was last loaded says which parents are exclusive; the project keeps their keys
as a setting. The app keeps the rule as the coder works (`CodingSession.toggle`); codings that
come in from elsewhere (CSV, REFI-QDA, a merge) are kept whole and the breaches named, since
nothing a researcher coded is dropped.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence

from .models import Code
from .store import Store

EXCLUSIVE_GROUPS = "exclusive_groups"


def exclusive_groups(store: Store) -> list[str]:
    """Keys of the parents the codebook last loaded marks `exclusive: true` (a project setting)."""
    return list(json.loads(store.get_setting(EXCLUSIVE_GROUPS) or "[]"))


def set_exclusive_groups(store: Store, keys: Iterable[str]) -> None:
    store.set_setting(EXCLUSIVE_GROUPS, json.dumps(list(dict.fromkeys(keys))))


def group_of(codes: Sequence[Code], groups: Iterable[str]) -> dict[int, str]:
    """Code id -> key of the exclusive parent it is a sub-code of (codes in no group absent)."""
    wanted = set(groups)
    by_id = {c.id: c for c in codes}
    return {c.id: by_id[c.parent_id].key for c in codes
            if c.parent_id is not None and c.parent_id in by_id
            and by_id[c.parent_id].key in wanted}


def breaches(store: Store, coders: Sequence[str],
             document_ids: Sequence[int] | None = None) -> list[str]:
    """Each place where one of `coders` has two or more sub-codes of one exclusive group on one
    paragraph, as "coder on document ¶n: code, code ('group' is exclusive)"."""
    groups = exclusive_groups(store)
    if not groups or not coders:
        return []
    parent = _parent_by_key(store, groups)
    found: dict[tuple[str, str, int, str], list[str]] = defaultdict(list)
    for r in store.segment_rows(coders=list(coders), document_ids=document_ids):
        group = parent.get(r.code_key)
        if group is not None and r.code_key not in found[(r.coder, r.document, r.n, group)]:
            found[(r.coder, r.document, r.n, group)].append(r.code_key)
    return [f"{coder} on {doc} \u00b6{n}: {', '.join(keys)} ({group!r} is exclusive)"
            for (coder, doc, n, group), keys in sorted(found.items()) if len(keys) > 1]


def _parent_by_key(store: Store, groups: Iterable[str]) -> dict[str, str]:
    codes = store.codes(include_retired=True)
    by_id = {c.id: c for c in codes}
    return {by_id[c_id].key: g for c_id, g in group_of(codes, groups).items()}
