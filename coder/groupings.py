"""Ways to split a project for comparison: by document, and (with attributes) by case or by
an attribute's values.

A grouping names, for a paragraph's document and speaker, the group it falls in. The matrix
totals counts with it and the code view filters quotes with it, so a cell's count and the
quotes that open from it are the same segments by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .store import Store


@dataclass(frozen=True)
class Grouping:
    """`labels` in display order; `of(document_id, speaker)` is the label, or None when the
    paragraph belongs to no group (a document with no value for the attribute)."""

    name: str
    labels: list[str]
    of: Callable[[int, str | None], str | None]


def by_document(store: Store) -> Grouping:
    documents = store.documents()
    names = {d.id: d.name for d in documents}
    return Grouping("document", [d.name for d in documents],
                    lambda document_id, _speaker: names.get(document_id))


def groupings(store: Store) -> list[Grouping]:
    """Every grouping the project offers, the documents first."""
    return [by_document(store)]
