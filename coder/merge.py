"""Bringing the codings of another copy of a project into this one.

Coders who work blind on their own machines each keep a copy; `merge` joins them. Documents
are matched by their text (not their name, which each coder may have chosen), codes by stable
key, coders by name. Segments carry a GUID from the moment they are made, so a segment seen
before is skipped: merging the same file twice changes nothing, and no coder's work is ever
replaced by another's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import CoderError
from .models import ParagraphIn, ParsedDocument
from .revisions import carry_forward
from .store import Store, text_hash


@dataclass
class MergeReport:
    source: str
    documents_matched: int = 0
    documents_added: list[str] = field(default_factory=list)
    codes_added: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    segments_added: int = 0
    segments_skipped: int = 0
    memos_added: int = 0
    backup: str | None = None


def merge_project(store: Store, other_path: Path, *, coders: list[str] | None = None) -> MergeReport:
    other_path = Path(other_path)
    if not other_path.exists():
        raise CoderError("no such project file", path=other_path)
    if other_path.resolve() == store.path.resolve():
        raise CoderError("cannot merge a project into itself", path=other_path)
    other = Store(other_path, create=False)
    try:
        return _merge(store, other, coders)
    finally:
        other.close()


def _merge(store: Store, other: Store, coders: list[str] | None) -> MergeReport:
    report = MergeReport(source=str(other.path))
    wanted = set(coders) if coders else None
    if wanted:
        unknown = wanted - set(other.coders())
        if unknown:
            raise CoderError(
                f"no coder {', '.join(sorted(unknown))} in {other.path} "
                f"(coders there: {', '.join(other.coders()) or 'none'})"
            )
    rows = other.segment_rows(coders=sorted(wanted) if wanted else None)
    if not rows:
        raise CoderError(f"nothing to merge: {other.path} has no codings"
                         + (f" by {', '.join(sorted(wanted))}" if wanted else ""))
    report.backup = str(store.auto_backup("before-merge"))

    doc_map: dict[int, int] = {}
    needed_docs = {r.document_id for r in rows}
    for doc in other.documents():
        if doc.id not in needed_docs:
            continue
        paragraphs = other.paragraphs(doc.id)
        mine = store.find_document_by_text_hash(
            text_hash(p.text for p in paragraphs), include_superseded=True)
        if mine is None:
            name = doc.name
            taken = {d.name for d in store.documents(include_superseded=True)}
            suffix = 2
            while name in taken:
                name = f"{doc.name}-{suffix}"
                suffix += 1
            parsed = ParsedDocument(
                doc.format,
                [ParagraphIn(p.text, kind=p.kind, speaker=p.speaker, start_time=p.start_time)
                 for p in paragraphs],
                meta=doc.meta,
            )
            mine = store.add_document(
                name, parsed, source_path=doc.source_path, content_hash=doc.content_hash
            )
            report.documents_added.append(name)
        else:
            report.documents_matched += 1
        doc_map[doc.id] = mine.id

    other_codes = other.codes(include_retired=True)
    by_id = {c.id: c for c in other_codes}
    parents = {c.key: by_id[c.parent_id].key if c.parent_id in by_id else None
               for c in other_codes}
    used_keys = {r.code_key for r in rows}
    report.codes_added = store.ensure_codes(
        [c for c in other_codes if (c.key in used_keys or _is_ancestor(c, used_keys, by_id))
         and store.resolve_code(c.key) is None],
        parents,
    )
    code_ids = store.code_key_map()
    report.coders = sorted({r.coder for r in rows})
    coder_ids = {name: store.coder_id(name) for name in report.coders}

    paragraph_ids: dict[tuple[int, int], int] = {}
    for doc_id, par_id, n, _ in store.paragraph_index(include_superseded=True):
        paragraph_ids[(doc_id, n)] = par_id
    new_rows = [
        {
            "paragraph_id": paragraph_ids[(doc_map[r.document_id], r.n)],
            "code_id": code_ids[r.code_key],
            "coder_id": coder_ids[r.coder],
            "start": r.start,
            "end": r.end,
            "memo": r.memo,
            "guid": r.guid,
            "created_at": r.created_at,
        }
        for r in rows
    ]
    report.segments_added, report.segments_skipped = store.insert_segments(
        new_rows, event="merge", detail={"source": str(other.path), "coders": report.coders},
        backup=False,
    )
    for name in report.coders:
        other_id = other.coder_id(name, create=False)
        for other_doc, my_doc in doc_map.items():
            status = other.status(other_id, other_doc)
            current = store.current_version(my_doc).id
            mine_status = store.status(coder_ids[name], current)
            if status == "done" and mine_status != "done":
                store.put_status(coder_ids[name], current, "done")
            for par_id, memo in other.paragraph_memos(other_id, other_doc).items():
                n = other.paragraph(par_id).n
                target = paragraph_ids[(my_doc, n)]
                if store.paragraph_memo(coder_ids[name], target) is None:
                    store.put_paragraph_memo(coder_ids[name], target, memo)
                    report.memos_added += 1
    for my_doc in set(doc_map.values()):
        current = store.current_version(my_doc)
        if current.id != my_doc:
            carry_forward(store, current.id)
    return report


def _is_ancestor(code, used_keys: set[str], by_id: dict) -> bool:
    """Parents of used codes come along so the hierarchy is kept."""
    for c in by_id.values():
        if c.key not in used_keys:
            continue
        parent = by_id.get(c.parent_id)
        while parent is not None:
            if parent.id == code.id:
                return True
            parent = by_id.get(parent.parent_id)
    return False
