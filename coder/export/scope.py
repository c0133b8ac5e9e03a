"""What an export covers: the codes in codebook order, and the segments the filters let through.

Every export shares these rules, so a CSV, a report and a stats table built with the same
filters always count the same segments. A code filter takes the code's children along: asking
for "Leaving care" means everything filed under it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypedDict

from ..codetree import CodeTree
from ..errors import CoderError
from ..models import Code, Document
from ..store import CodeTally, Coding, SegmentRow, Store

if TYPE_CHECKING:
    from ..attributes import Where

# Characters XML 1.0 cannot hold at all (not even escaped). PDF extraction leaves form feeds.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` with the characters XML cannot represent replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def subtree_keys(tree: CodeTree[Code]) -> dict[str, list[str]]:
    """Each code's key with the keys below it: what a parent's count "with sub-codes" adds
    up, the same codes a `--code` filter takes along."""
    return {code.key: [c.key for c in tree.descendants(code.id)] for code in tree}


def find_code(store: Store, codes: Sequence[Code], ref: str) -> Code:
    """A code by key, by a key it had before, by path or by name (case-insensitive)."""
    for c in codes:
        if c.key == ref:
            return c
    resolved = store.resolve_code(ref)
    if resolved is not None:
        return resolved
    folded = ref.casefold().strip()
    for attr in ("path", "name"):
        matches = [c for c in codes if getattr(c, attr).casefold() == folded]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            paths = ", ".join(f"{c.path} ({c.key})" for c in matches)
            raise CoderError(f"code {ref!r} is ambiguous: {paths}; give its key")
    keys = ", ".join(c.key for c in codes) or "none yet"
    raise CoderError(f"no code {ref!r} in this project (keys: {keys})")


def find_speaker(store: Store, documents: Sequence[Document], ref: str) -> str:
    """The stored spelling of speaker `ref` in `documents`: exact, else ignoring case and
    surrounding spaces. An unknown name is refused with the speakers there are, as a mistyped
    coder is, because an empty export looks the same as a speaker who said nothing coded."""
    spoken: set[str] = set()
    for doc in documents:
        spoken.update(p.speaker for p in store.paragraphs(doc.id) if p.speaker)
    if ref in spoken:
        return ref
    folded = ref.casefold().strip()
    matches = sorted(name for name in spoken if name.casefold().strip() == folded)
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise CoderError(f"speaker {ref!r} is ambiguous: {', '.join(matches)}; give it exactly")
    where = f" in {documents[0].name}" if len(documents) == 1 else ""
    known = ", ".join(sorted(spoken, key=str.casefold)) or "none"
    raise CoderError(f"no speaker {ref!r}{where} (speakers: {known})")


@dataclass
class Scope:
    """The segments an export shows, and the codes they belong to.

    `rows` holds full `SegmentRow`s; a scope selected `as_records` holds the same segments as
    plain tuples in `records` instead (see `Store.segment_records`), for the data exports; one
    selected `as_tallies` holds their counts per document, speaker and code in `tallies` (see
    `Store.code_tallies`), for the crosstabs; one selected `as_codings` holds them without
    text in `codings` (see `Store.codings`), for the code matrix.
    """

    rows: list[SegmentRow]
    code_tree: CodeTree[Code]
    codes_by_key: dict[str, Code]
    documents: list[Document]
    filters: dict[str, str] = field(default_factory=dict)
    records: list[tuple[Any, ...]] | None = None
    tallies: list[CodeTally] | None = None
    codings: list[Coding] | None = None

    @property
    def size(self) -> int:
        return len(self.records) if self.records is not None else len(self.rows)

    @property
    def coders(self) -> list[str]:
        return sorted({r.coder for r in self.rows})

    @cached_property
    def tree(self) -> list[tuple[Code, int]]:
        """The export's codes parent first, siblings in codebook order, with their depth."""
        return self.code_tree.walk()

    def path(self, key: str) -> str:
        code = self.codes_by_key.get(key)
        return code.path if code else key


class _SegmentQuery(TypedDict):
    """The filters `Store.segment_rows` and `Store.segment_records` both take."""

    coders: list[str] | None
    code_keys: list[str] | None
    document_ids: list[int] | None
    speaker: str | None


def select(
    store: Store,
    *,
    codes: Iterable[str] = (),
    coders: Iterable[str] = (),
    document: str | None = None,
    speaker: str | None = None,
    as_records: bool = False,
    as_tallies: bool = False,
    as_codings: bool = False,
    where: Where | None = None,
) -> Scope:
    """Resolve the user's filters against the project and fetch the segments they select.

    `where` (see `coder.attributes.parse_where`) keeps the segments on paragraphs whose
    attributes match, and the documents with any such paragraph."""
    all_codes = store.codes(include_retired=True)
    live_ids = {c.id for c in store.codes()}
    filters: dict[str, str] = {}
    code_keys: list[str] | None = None
    wanted_ids: set[int] | None = None
    code_refs = [c for c in codes if c]
    if code_refs:
        wanted_ids = set()
        chosen = [find_code(store, all_codes, ref) for ref in code_refs]
        everything = CodeTree(all_codes)
        for c in chosen:
            wanted_ids |= everything.descendant_ids(c.id)
        code_keys = [c.key for c in all_codes if c.id in wanted_ids]
        filters["codes"] = ", ".join(c.path for c in chosen) + " (with sub-codes)"
    coder_names = [c for c in coders if c]
    if coder_names:
        for name in coder_names:
            store.coder_id(name, create=False)
        filters["coders"] = ", ".join(coder_names)
    document_ids = None
    documents = store.documents()
    if document:
        doc = store.document(document)
        document_ids = [doc.id]
        documents = [doc]
        filters["document"] = doc.name
    if speaker:
        speaker = find_speaker(store, documents, speaker)
        filters["speaker"] = speaker
    query: _SegmentQuery = {"coders": coder_names or None, "code_keys": code_keys,
             "document_ids": document_ids, "speaker": speaker or None}
    records = store.segment_records(**query) if as_records else None
    tallies = store.code_tallies(**query) if as_tallies else None
    codings = store.codings(**query) if as_codings else None
    rows = [] if as_records or as_tallies or as_codings else store.segment_rows(**query)
    if where:
        assert where is not None
        ids = {d.name: d.id for d in documents}
        if records is not None:
            records = [r for r in records if where.matches(ids[r[0]], r[2])]
        if tallies is not None:
            tallies = [t for t in tallies if where.matches(t.document_id, t.speaker)]
        if codings is not None:
            codings = [c for c in codings if where.matches(c.document_id, c.speaker)]
        rows = [r for r in rows if where.matches(r.document_id, r.speaker)]
        spoken = store.paragraph_speakers([d.id for d in documents])
        documents = [d for d in documents
                     if any(where.matches(d.id, sp) for sp in spoken.get(d.id, {}))]
        filters["where"] = where.describe()
    used = ({r[4] for r in records} if records is not None
            else {t.code_key for t in tallies} if tallies is not None
            else {c.code_key for c in codings} if codings is not None
            else {r.code_key for r in rows})
    in_tree = [c for c in all_codes if c.id in live_ids or c.key in used]
    if wanted_ids is not None:
        in_tree = [c for c in in_tree if c.id in wanted_ids]
    return Scope(
        rows=rows,
        code_tree=CodeTree(in_tree),
        codes_by_key={c.key: c for c in all_codes},
        documents=documents,
        filters=filters,
        records=records,
        tallies=tallies,
        codings=codings,
    )
