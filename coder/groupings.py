"""Ways to split a project for comparison: by document, by case, by an attribute's values.

A grouping names, for a paragraph's document and speaker, the group it falls in (a paragraph's
case and attributes are worked out by `coder.attributes.AttributeIndex`). The matrix totals
counts with it and the code view filters quotes with it, so a cell's count and the quotes
that open from it are the same segments by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .attributes import AttributeIndex, sort_key
from .store import Store


@dataclass(frozen=True)
class Grouping:
    """`labels` in display order; `of(document_id, speaker)` is the label, or None when the
    paragraph belongs to no group (no case, no value for the attribute)."""

    name: str
    labels: list[str]
    of: Callable[[int, str | None], str | None]


def by_document(store: Store) -> Grouping:
    documents = store.documents()
    names = {d.id: d.name for d in documents}
    return Grouping("document", [d.name for d in documents],
                    lambda document_id, _speaker: names.get(document_id))


def by_case(index: AttributeIndex) -> Grouping:
    def of(document_id: int, speaker: str | None) -> str | None:
        case = index.case_of(document_id, speaker)
        return case.name if case is not None else None

    names = sorted((c.name for c in index.cases.values()), key=str.casefold)
    return Grouping("case", names, of)


def by_attribute(index: AttributeIndex, name: str) -> Grouping:
    attr = index.attribute(name)
    seen = {v for values in (*index.document_values.values(), *index.case_values.values())
            for key, v in values.items() if key == attr.name}
    labels = sorted(seen, key=lambda v: sort_key(attr.type, v))
    return Grouping(attr.name, labels,
                    lambda document_id, speaker: index.values(document_id, speaker).get(attr.name))


def groupings(store: Store, index: AttributeIndex | None = None) -> list[Grouping]:
    """Every grouping the project offers: documents, then cases (when there are any), then
    each declared attribute."""
    index = index or AttributeIndex.load(store)
    found = [by_document(store)]
    if index.cases:
        found.append(by_case(index))
    found += [by_attribute(index, name) for name in index.declared]
    return found
