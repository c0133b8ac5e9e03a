"""Bringing the codings of another copy of a project into this one.

Coders who work blind on their own machines each keep a copy; `merge` joins them. Documents
are matched by their text (not their name, which each coder may have chosen), codes by GUID
(a code renamed in either copy is still the same code) and then by key, coders by name.
Segments carry a GUID from the moment they are made, so a segment seen before is skipped:
merging the same file twice changes nothing, and no coder's work is ever replaced by
another's. A copy that shares no document with this project is refused unless asked for, and
a dry run works the merge out on a scratch copy.

A merge brings a coder's state, not only their new codings, because agreement counts the
documents a coder marked done as units even where they applied no code, and because a coder
who merges, codes on and merges again expects the second merge to show their corrections:

- Document status: the further along wins (done over in progress over not started), so a
  merge never takes a "done" back. Clocks of two machines, and the stamps a merge itself
  writes, can't be compared reliably enough to let an older copy undo a deliberate mark; a
  coder who reopens a document changes its status in the merged project.
- A coding the coder removed in the other copy is removed here too (marked removed, as every
  removal is), with the copies of it carried to corrected versions of the transcript. Removals
  come first, so a code taken off and put back there (a new segment in the same place) stays.
- A coding removed here and still live there stays removed, unless the coder brought it back
  there (undo, redo) after it was removed here: the later decision wins.
- A memo the coder changed later (on a coding, or a paragraph memo) replaces the older one.
- Reading marks (how far a coder read each document, which agreement counts by): the further
  of the two, as a mark only grows.
- Exclusive groups (`exclusive: true` parents): those of both copies; codings that break the
  one-sub-code rule are kept and named in the report.
- Automatic codings (autocoding) come in marked as such, with their rule, so they are not
  taken for codings made by hand; one confirmed in the other copy is confirmed here too.
- Each coding keeps the revision of its code it was made under, matched by the code's GUID
  and the revision's number; a revision the other copy has and this one lacks is brought in
  under its number (one whose number this project gives another meaning, under the next
  free number), and the report names it.
- A code retired here that incoming codings use is un-retired (nothing brought in is hidden).
  Codebook changes themselves are not merged: a code merged into another (`codebook use
  --move`) only in the other copy stays separate here, and the summary says so.

All of this matches segments by GUID and by coder: a GUID found here under another coder is
left alone, so no coder's data ever changes another coder's codings.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .codetree import CodeTree
from .errors import CoderError
from .exclusive import breaches, exclusive_groups, set_exclusive_groups
from .models import Code, Document, ParagraphIn, ParsedDocument
from .revisions import carried_guid, carry_forward
from .spans import sort_out
from .store import (
    MEANING_FIELDS,
    STATUSES,
    CodeRevision,
    SegmentRow,
    Store,
    open_for_reading,
    text_hash,
)
from .text import coder_name_problem
from .vocab import DocumentStatus, EventKind

_RANK = {status: i for i, status in enumerate(STATUSES)}


@dataclass
class MergeReport:
    source: str
    documents_matched: int = 0
    documents_added: list[str] = field(default_factory=list)
    codes_added: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    segments_added: int = 0
    segments_skipped: int = 0
    removed: dict[str, int] = field(default_factory=dict)
    """Codings removed here because their coder removed them in the other copy, by coder."""
    restored: dict[str, int] = field(default_factory=dict)
    """Codings removed here that their coder brought back in the other copy later, by coder."""
    memos_added: int = 0
    memos_updated: int = 0
    statuses_set: int = 0
    codes_renamed: list[str] = field(default_factory=list)
    """"THEIR-KEY (here KEY)" for each code the other copy calls by another key."""
    codes_unretired: list[str] = field(default_factory=list)
    merges_not_carried: list[str] = field(default_factory=list)
    """"OLD -> TARGET" for each code merge done only in the other copy."""
    overlapping: list[str] = field(default_factory=list)
    """Incoming spans not brought in because they overlap a span of the same code by the same
    coder here (see `coder.spans`), each named; the other copy keeps them."""
    reading_marks_raised: int = 0
    """Reading marks (how far a coder read a document) the other copy had further along."""
    exclusive_groups_added: list[str] = field(default_factory=list)
    """Parents the other copy marks `exclusive: true` that this project did not."""
    exclusive_breaches: list[str] = field(default_factory=list)
    """Places where a merged coder now has two sub-codes of one exclusive group on a paragraph
    (kept: `coder agree` gives that coder no value for the group there)."""
    backup: str | None = None
    dry_run: bool = False
    """Worked out on a copy of the project: nothing here was changed."""
    unrelated: bool = False
    """The other copy shares no document with this project (which has some)."""
    attributes_added: list[str] = field(default_factory=list)
    cases_added: list[str] = field(default_factory=list)
    attribute_values_added: int = 0
    case_links_added: int = 0
    attribute_conflicts: list[str] = field(default_factory=list)
    """Values, types and case links the two copies disagree on: this project's are kept."""
    foreign: list[str] = field(default_factory=list)
    """Schema objects in the other copy that coder did not make ("view NAME"): never read."""
    automatic_added: int = 0
    """Codings brought in that a rule made and their coder has not confirmed yet."""
    confirmations: int = 0
    """Automatic codings both copies hold that their coder confirmed in the other copy."""
    revisions_added: list[str] = field(default_factory=list)
    """"KEY rN" for each code revision brought in (codings there were made under it)."""

    @property
    def segments_removed(self) -> int:
        return sum(self.removed.values())

    @property
    def segments_restored(self) -> int:
        return sum(self.restored.values())


@dataclass
class _Incoming:
    """What the coders being merged left in the other copy (current documents only)."""

    rows: list[SegmentRow]
    states: list[dict[str, Any]]
    statuses: dict[tuple[int, str], str]
    memos: dict[tuple[int, str], dict[int, tuple[str, str]]]
    marks: dict[tuple[int, str], int] = field(default_factory=dict)

    @property
    def contributors(self) -> set[str]:
        """Coders with something to bring in: codings, a status, a reading mark or a memo."""
        return ({r.coder for r in self.rows} | {c for _, c in self.statuses}
                | {c for _, c in self.memos} | {c for _, c in self.marks})

    @property
    def coders(self) -> list[str]:
        removers = {s["coder"] for s in self.states if s["deleted_at"] is not None}
        return sorted(self.contributors | removers)

    @property
    def documents(self) -> set[int]:
        return ({r.document_id for r in self.rows} | {d for d, _ in self.statuses}
                | {d for d, _ in self.memos} | {d for d, _ in self.marks})


def merge_project(store: Store, other_path: Path, *, coders: list[str] | None = None,
                  dry_run: bool = False, allow_new: bool = False) -> MergeReport:
    """Merge `other_path` into `store`.

    A copy that shares no document with a project that has some is most likely the wrong
    file (another study's project), and merging it would fill this one with documents and
    codes nobody meant to bring: it is refused unless `allow_new`. `dry_run` works the whole
    merge out on a scratch copy of the project, so the report is exactly what a merge would
    do, and the project file itself is not written.
    """
    other_path = Path(other_path)
    if not other_path.exists():
        raise CoderError("no such project file", path=other_path)
    if not other_path.is_file():
        raise CoderError("is not a file (a folder or a device); give the other coder's "
                         "project file", path=other_path)
    if other_path.resolve() == store.path.resolve():
        raise CoderError("cannot merge a project into itself", path=other_path)
    with tempfile.TemporaryDirectory(prefix="coder-merge-other-") as folder:
        other, foreign = open_for_reading(other_path, Path(folder))
        try:
            missing = other.missing_tables()
            if missing:
                raise CoderError(
                    f"is not a whole coder project: {', '.join(missing)} missing or replaced by "
                    "something else (a view?); nothing was merged", path=other_path)
            report = _merge_from(store, other, coders, dry_run, allow_new)
        finally:
            other.close()
    report.foreign = foreign
    return report


def _merge_from(store: Store, other: Store, coders: list[str] | None, dry_run: bool,
                allow_new: bool) -> MergeReport:
    if not dry_run:
        return _merge(store, other, coders, allow_new)
    with tempfile.TemporaryDirectory(prefix="coder-merge-") as scratch:
        trial = Store(store.backup(Path(scratch) / store.path.name))
        try:
            report = _merge(trial, other, coders, allow_new=True)
        finally:
            trial.close()
    report.backup, report.dry_run = None, True
    return report


def _merge(store: Store, other: Store, coders: list[str] | None,
           allow_new: bool = False) -> MergeReport:
    report = MergeReport(source=str(other.path))
    wanted = sorted(set(coders)) if coders else None
    if wanted:
        unknown = set(wanted) - set(other.coders())
        if unknown:
            raise CoderError(
                f"no coder {', '.join(sorted(unknown))} in {other.path} "
                f"(coders there: {', '.join(other.coders()) or 'none'})"
            )
    incoming = _incoming(other, wanted or other.coders())
    report.coders = incoming.coders
    if not report.coders:
        raise CoderError(f"nothing to merge: {other.path} has no codings, document statuses "
                         "or memos" + (f" by {', '.join(wanted)}" if wanted else ""))
    report.unrelated = _unrelated(store, other, incoming)
    if report.unrelated and not allow_new:
        raise _unrelated_refusal(store, other, incoming)
    _check_coder_names(store, other, incoming.contributors)
    report.backup = str(store.auto_backup("before-merge"))
    with store.transaction():
        doc_map = _match_documents(store, other, incoming.documents, report)
        code_ids = _map_codes(store, other, incoming.rows, report)
        coder_ids = {name: store.coder_id(name) for name in sorted(incoming.contributors)}
        paragraph_ids = {(doc_id, n): par_id for doc_id, par_id, n, _
                         in store.paragraph_index(include_superseded=True)}
        _merge_later_changes(store, incoming, report)
        stamps = {s["guid"]: s["updated_at"] for s in incoming.states}
        rows = _without_overlaps(store, [
            {
                "paragraph_id": paragraph_ids[(doc_map[r.document_id], r.n)],
                "code_id": code_ids[r.code_key],
                "coder_id": coder_ids[r.coder],
                "start": r.start,
                "end": r.end,
                "memo": r.memo,
                "guid": r.guid,
                "created_at": r.created_at,
                "updated_at": stamps.get(r.guid),
                "_incoming": r,
            }
            for r in incoming.rows
        ], sorted(coder_ids), report)
        known = {s["guid"] for s in store.segment_states(sorted(coder_ids))}
        report.segments_added, report.segments_skipped = store.insert_segments(
            rows, event=None, backup=False)
        _merge_marks(store, other, incoming, known, report)
        report.codes_unretired = store.unretire_codes_in_use(
            f"the merge of {other.path} brought codings on it")
        _merge_statuses(store, incoming, doc_map, coder_ids, report)
        _merge_reading_marks(store, incoming, doc_map, coder_ids, report)
        _merge_exclusive_groups(store, other, report)
        _merge_paragraph_memos(store, other, incoming, doc_map, coder_ids, paragraph_ids, report)
        _merge_attributes(store, other, doc_map, report)
        for my_doc in set(doc_map.values()):
            current = store.current_version(my_doc)
            if current.id != my_doc:
                carry_forward(store, current.id)
        store.log_event(EventKind.MERGE, {
            "source": str(other.path), "coders": report.coders,
            "added": report.segments_added, "skipped": report.segments_skipped,
            "removed": report.segments_removed, "restored": report.segments_restored,
            "memos added": report.memos_added,
            "memos updated": report.memos_updated, "statuses": report.statuses_set,
            "codes unretired": report.codes_unretired,
            "code merges not carried": report.merges_not_carried,
            "overlapping, not brought in": report.overlapping, "backup": report.backup,
            "attributes added": report.attributes_added, "cases added": report.cases_added,
            "attribute values added": report.attribute_values_added,
            "case links added": report.case_links_added,
            "attribute conflicts, kept here": report.attribute_conflicts,
            "reading marks": report.reading_marks_raised,
            "exclusive groups added": report.exclusive_groups_added,
            "automatic codings": report.automatic_added,
            "confirmations": report.confirmations,
            "revisions added": report.revisions_added,
        })
    report.exclusive_breaches = breaches(
        store, sorted(coder_ids), sorted({store.current_version(d).id for d in doc_map.values()}))
    return report


def _merge_marks(store: Store, other: Store, incoming: _Incoming, known: set[str],
                 report: MergeReport) -> None:
    """The revision and automatic marks of the codings just brought in (those not here
    before, `known`), and confirmations made there of automatic codings both copies hold."""
    here = {s["guid"]: s for s in store.segment_states(incoming.coders)}
    revisions = _Revisions(store, other, report)
    marks = []
    for theirs in incoming.states:
        mine = here.get(theirs["guid"])
        if mine is None or mine["coder"] != theirs["coder"]:
            continue
        if theirs["guid"] not in known:
            marks.append({"guid": theirs["guid"], "auto_rule": theirs["auto_rule"],
                          "confirmed_at": theirs["confirmed_at"],
                          "revision_id": revisions.here(theirs["revision_id"])})
            report.automatic_added += bool(theirs["auto_rule"] and not theirs["confirmed_at"]
                                           and theirs["deleted_at"] is None)
        elif mine["auto_rule"] and theirs["confirmed_at"] and not mine["confirmed_at"]:
            marks.append({**{k: mine[k] for k in ("guid", "auto_rule", "revision_id")},
                          "confirmed_at": theirs["confirmed_at"]})
            report.confirmations += 1
    store.set_segment_marks(marks)


class _Revisions:
    """This project's revision for one of the other copy's: the same code (by GUID, then key)
    and the same number, brought in when this project lacks it."""

    def __init__(self, store: Store, other: Store, report: MergeReport) -> None:
        self.store, self.other, self.report = store, other, report
        self.codes = {c.id: c for c in other.codes(include_retired=True)}
        self.finder = _CodesHere(store)
        self.found: dict[int, int | None] = {}

    def here(self, revision_id: int | None) -> int | None:
        if revision_id is None:
            return None
        if revision_id not in self.found:
            self.found[revision_id] = self._find(self.other.code_revision(revision_id))
        return self.found[revision_id]

    def _find(self, theirs: CodeRevision) -> int | None:
        code = self.codes.get(theirs.code_id)
        mine = self.finder(code) if code is not None else None
        if code is None or mine is None:
            return None
        known = {r.n: r for r in self.store.code_revisions(mine)}
        same = known.get(theirs.n)
        if same is not None and _meaning(same) == _meaning(theirs):
            return same.id
        if same is not None:
            theirs = replace(theirs, n=max(known) + 1)
        note = "; ".join(x for x in (theirs.note, f"brought in by a merge of {self.other.path}")
                         if x)
        added = self.store.add_revision(mine, theirs, note)
        self.report.revisions_added.append(f"{self.finder.key_of[mine]} r{added.n}")
        return added.id


def _meaning(revision: CodeRevision) -> tuple[str, ...]:
    return tuple(getattr(revision, f) for f in MEANING_FIELDS)


def _merge_attributes(store: Store, other: Store, doc_map: dict[int, int],
                      report: MergeReport) -> None:
    """Bring in the other copy's attributes, cases, values and case links that this project
    lacks. Where both have one and they differ, this project's stays and the report names it:
    a merge never overwrites what a researcher set here."""
    theirs = other.attributes()
    if not theirs and not other.cases():
        return
    attr_ids: dict[str, int] = {}
    for attr in theirs:
        mine = store.attribute(attr.name)
        if mine is None:
            mine = store.declare_attribute(attr.name, attr.type, guid=attr.guid)
            report.attributes_added.append(attr.name)
        elif mine.type != attr.type:
            report.attribute_conflicts.append(
                f"attribute {attr.name}: {mine.type} here, {attr.type} there (values not merged)")
            continue
        attr_ids[attr.name] = mine.id
    case_ids: dict[int, int] = {}
    for case in other.cases():
        mine_case = store.case(case.name)
        if mine_case is None:
            mine_case = store.add_case(case.name, case.description, guid=case.guid)
            report.cases_added.append(case.name)
        case_ids[case.id] = mine_case.id
    docs = dict(doc_map)
    for doc in other.documents():
        if doc.id not in docs:
            found = _here(store, other, doc.id)
            if found is not None:
                docs[doc.id] = store.current_version(found.id).id
    names = {d.id: d.name for d in store.documents()}
    here_docs = {(d, a): v for d, a, v in store.document_attribute_values()}
    here_cases = {(c, a): v for c, a, v in store.case_attribute_values()}
    new_doc_values: list[tuple[int, int, str]] = []
    new_case_values: list[tuple[int, int, str]] = []
    for owners, values, here, out, label in (
        (docs, other.document_attribute_values(), here_docs, new_doc_values, "document"),
        (case_ids, other.case_attribute_values(), here_cases, new_case_values, "case"),
    ):
        for owner, name, value in values:
            if owner not in owners or name not in attr_ids:
                continue
            mine_value = here.get((owners[owner], name))
            if mine_value is None:
                out.append((owners[owner], attr_ids[name], value))
            elif mine_value != value:
                who = names.get(owners[owner], owners[owner]) if label == "document" else next(
                    (c.name for c in other.cases() if c.id == owner), owner)
                report.attribute_conflicts.append(
                    f"{label} {who}: {name} is {mine_value!r} here, {value!r} there")
    if new_doc_values or new_case_values:
        report.attribute_values_added = store.set_attribute_values(
            new_doc_values, new_case_values, detail={"merge": str(other.path)})
    links = {(d, (sp or "").casefold()): c for c, d, sp in store.case_links()}
    for case_id, doc_id, speaker in other.case_links():
        if doc_id not in docs or case_id not in case_ids:
            continue
        here_case = links.get((docs[doc_id], (speaker or "").casefold()))
        if here_case is None:
            store.link_case(case_ids[case_id], docs[doc_id], speaker)
            report.case_links_added += 1
        elif here_case != case_ids[case_id]:
            report.attribute_conflicts.append(
                f"{speaker or 'all'} in {names.get(docs[doc_id])}: linked to another case here")


def _without_overlaps(store: Store, rows: list[dict[str, Any]], coders: list[str],
                      report: MergeReport) -> list[dict[str, Any]]:
    """The incoming rows that keep the overlap rule here. One that overlaps a span of the
    same code by the same coder here (made in this copy, or brought in by an earlier merge)
    is skipped and named, never dropped silently: which of the two the coder meant is theirs
    to decide, by taking one off in either copy."""
    existing = store.segments(coder_ids=[store.coder_id(name) for name in coders])
    known = {s["guid"] for s in store.segment_states(coders)}
    kept, refused = sort_out(existing, rows, known)
    for row, (start, end) in refused:
        r: SegmentRow = row["_incoming"]
        report.overlapping.append(
            f"{r.document} \u00b6{r.n}: {r.code_key} by {r.coder} at {r.start}-{r.end} "
            f"overlaps their {r.code_key} at {start}-{end} here")
    for row in kept:
        del row["_incoming"]
    return kept


def _incoming(other: Store, names: list[str]) -> _Incoming:
    current = [d.id for d in other.documents()]
    chosen = set(names)
    statuses = {
        (doc, name): status for (doc, name), status in other.statuses().items()
        if name in chosen and doc in current and status != DocumentStatus.NOT_STARTED
    }
    memos: dict[tuple[int, str], dict[int, tuple[str, str]]] = {}
    for name in names:
        coder_id = other.coder_id(name, create=False)
        for doc in current:
            found = other.paragraph_memo_states(coder_id, doc)
            if found:
                memos[(doc, name)] = found
    marks = {(doc, name): n for (doc, name), n in other.reading_marks().items()
             if name in chosen and doc in current}
    return _Incoming(other.segment_rows(coders=names), other.segment_states(names), statuses,
                     memos, marks)


def _unrelated(store: Store, other: Store, incoming: _Incoming) -> bool:
    """The copy brings documents, this project has some, and none of them is here."""
    theirs = [d.id for d in other.documents() if d.id in incoming.documents]
    return (bool(theirs) and bool(store.documents())
            and not any(_here(store, other, d) for d in theirs))


def _unrelated_refusal(store: Store, other: Store, incoming: _Incoming) -> CoderError:
    theirs = [d.name for d in other.documents() if d.id in incoming.documents]
    codes = _codes_wanted(other.codes(include_retired=True), {r.code_key for r in incoming.rows})
    finder = _CodesHere(store)
    new_codes = [c.key for c in codes if finder(c) is None]
    return CoderError(
        f"{other.path} shares no document with this project: it looks like another project. "
        f"Merging would add {len(theirs)} document(s) ({', '.join(theirs)})"
        + (f" and {len(new_codes)} code(s) ({', '.join(new_codes)})" if new_codes else "")
        + "; see it all with --dry-run, and merge with --allow-new if that is what you want"
    )


def _here(store: Store, other: Store, document_id: int) -> Document | None:
    """The document here with the same text as the other copy's, any version."""
    return store.find_document_by_text_hash(
        text_hash(p.text for p in other.paragraphs(document_id)), include_superseded=True)


def _check_coder_names(store: Store, other: Store, names: Iterable[str]) -> None:
    """A coder new to this project whose name could not be typed or shown as stored (spaces
    only, a line break) is refused before anything is written, as `--coder` refuses it."""
    known = set(store.coders())
    for name in sorted(names):
        problem = None if name in known else coder_name_problem(name)
        if problem:
            raise CoderError(f"{problem}; nothing was merged (rename the coder there first)",
                             path=other.path)


def _match_documents(store: Store, other: Store, needed: set[int],
                     report: MergeReport) -> dict[int, int]:
    """Map the other copy's documents to this one's by text, adding those not here."""
    doc_map: dict[int, int] = {}
    for doc in other.documents():
        if doc.id not in needed:
            continue
        paragraphs = other.paragraphs(doc.id)
        mine = _here(store, other, doc.id)
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
    return doc_map


class _CodesHere:
    """Which code here a code of the other copy is: the one with its GUID (renamed in either
    copy, or merged away here: then the code that took its segments), else the one its key
    means here."""

    def __init__(self, store: Store) -> None:
        key_map = store.code_key_map()
        codes = store.codes(include_retired=True)
        self.key_of = {c.id: c.key for c in codes}
        self.by_guid = {c.guid: key_map[c.key] for c in codes}
        self.by_key = key_map

    def __call__(self, code: Code) -> int | None:
        return (code.guid and self.by_guid.get(code.guid)) or self.by_key.get(code.key)

    def existing(self, code: Code) -> int:
        """The code here for one the merge has made sure exists here."""
        found = self(code)
        if found is None:
            raise CoderError(f"code {code.key!r} is still missing after the merge added it")
        return found


def _map_codes(store: Store, other: Store, rows: list[SegmentRow],
               report: MergeReport) -> dict[str, int]:
    """The code here for each key the incoming codings use, adding the codes this project
    lacks (with their parents, so the hierarchy is kept)."""
    theirs = other.codes(include_retired=True)
    tree = CodeTree(theirs)
    used = {r.code_key for r in rows}
    here = _CodesHere(store)
    wanted = _codes_wanted(theirs, used)
    parents: dict[str, str | None] = {}
    for c in wanted:
        parent = tree.parent(c.id)
        found = here(parent) if parent else None
        parents[c.key] = here.key_of[found] if found else parent.key if parent else None
    report.codes_added = store.ensure_codes([c for c in wanted if here(c) is None], parents)
    here = _CodesHere(store)
    code_ids = {c.key: here.existing(c) for c in theirs if c.key in used}
    report.codes_renamed = [f"{key} (here {here.key_of[code_id]})"
                            for key, code_id in sorted(code_ids.items())
                            if here.key_of[code_id] != key]
    report.merges_not_carried = _merges_not_carried(store, other, theirs, used, here)
    return code_ids


def _codes_wanted(theirs: list[Code], used: set[str]) -> list[Code]:
    """The codes incoming codings use, with their parents so the hierarchy is kept."""
    tree = CodeTree(theirs)
    needed = {a.id for c in theirs if c.key in used for a in [c, *tree.ancestors(c.id)]}
    return [c for c in theirs if c.id in needed]


def _merges_not_carried(store: Store, other: Store, theirs: list[Code], used: set[str],
                        here: _CodesHere) -> list[str]:
    """Code merges done in the other copy and not here, where codings are concerned: its
    codings on the merged code moved, the copies of them here did not."""
    by_id = {c.id: c for c in theirs}
    surviving = other.code_key_map()
    counts = store.segment_counts_by_code()
    out = []
    for c in theirs:
        target = by_id.get(surviving[c.key])
        if target is None or target.id == c.id:
            continue
        mine, their_target = here(c), here(target)
        if mine is None or mine == their_target:
            continue
        if target.key in used or counts.get(mine):
            out.append(f"{c.key} -> {target.key}")
    return out


def _merge_statuses(store: Store, incoming: _Incoming, doc_map: dict[int, int],
                    coder_ids: dict[str, int], report: MergeReport) -> None:
    for (other_doc, name), status in incoming.statuses.items():
        current = store.current_version(doc_map[other_doc]).id
        if _RANK[status] > _RANK[store.status(coder_ids[name], current)]:
            store.put_status(coder_ids[name], current, status)
            report.statuses_set += 1


def _merge_reading_marks(store: Store, incoming: _Incoming, doc_map: dict[int, int],
                         coder_ids: dict[str, int], report: MergeReport) -> None:
    """The further of the two copies' marks: a mark only grows, so the larger is never stale."""
    for (other_doc, name), n in incoming.marks.items():
        current = store.current_version(doc_map[other_doc]).id
        if n > store.reading_mark(coder_ids[name], current):
            store.raise_reading_mark(coder_ids[name], current, n)
            report.reading_marks_raised += 1


def _merge_exclusive_groups(store: Store, other: Store, report: MergeReport) -> None:
    """Both copies' exclusive groups, as codes here (by GUID, then key): a group is a property
    of the codebook both coders work from, and agreement on it needs it marked here."""
    theirs = exclusive_groups(other)
    if not theirs:
        return
    here = _CodesHere(store)
    by_key = {c.key: c for c in other.codes(include_retired=True)}
    mine = exclusive_groups(store)
    found = [here(by_key[k]) for k in theirs if k in by_key]
    added = [here.key_of[i] for i in found if i is not None and here.key_of[i] not in mine]
    if added:
        set_exclusive_groups(store, [*mine, *added])
        report.exclusive_groups_added = added


def _merge_paragraph_memos(store: Store, other: Store, incoming: _Incoming,
                           doc_map: dict[int, int], coder_ids: dict[str, int],
                           paragraph_ids: dict[tuple[int, int], int],
                           report: MergeReport) -> None:
    """A memo new here is added; one the coder changed there after it was last written here
    replaces it."""
    for (other_doc, name), memos in incoming.memos.items():
        my_doc = doc_map[other_doc]
        number = {p.id: p.n for p in other.paragraphs(other_doc)}
        here = store.paragraph_memo_states(coder_ids[name], my_doc)
        for par_id, (memo, stamp) in memos.items():
            target = paragraph_ids[(my_doc, number[par_id])]
            mine = here.get(target)
            if mine is None:
                report.memos_added += 1
            elif mine[0] != memo and stamp > mine[1]:
                report.memos_updated += 1
            else:
                continue
            store.put_paragraph_memo(coder_ids[name], target, memo)


def _merge_later_changes(store: Store, incoming: _Incoming, report: MergeReport) -> None:
    """Removals, revivals and memo edits a coder made in the other copy to codings both
    copies hold. Runs before new codings are added, so one put back in the place of a removed
    one is not taken for it."""
    states = incoming.states
    live_there = {r.guid for r in incoming.rows}
    here = store.segment_states(sorted({s["coder"] for s in states}))
    by_guid = {s["guid"]: s for s in here}
    by_document: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in here:
        by_document[s["document_id"]].append(s)
    lineage = _Lineage(store, by_document)
    removed: Counter[str] = Counter()
    changes: list[dict[str, Any]] = []
    revivals: list[tuple[str, list[dict[str, Any]]]] = []
    for theirs in states:
        mine = by_guid.get(theirs["guid"])
        if mine is None or mine["coder"] != theirs["coder"]:
            continue
        copies = [mine, *lineage.carried(mine)]
        targets = [t for t in copies if t["deleted_at"] is None]
        if theirs["guid"] in live_there:
            revivals.append((theirs["coder"], [
                {**t, "memo": theirs["memo"], "updated_at": theirs["updated_at"]}
                for t in copies
                if t["deleted_at"] is not None and theirs["updated_at"] > t["updated_at"]]))
        if theirs["deleted_at"] is not None:
            changes += [{**t, "deleted_at": theirs["deleted_at"],
                         "updated_at": theirs["updated_at"]} for t in targets]
            removed[theirs["coder"]] += bool(targets)
            continue
        edited = [t for t in targets if (t["memo"] or None) != (theirs["memo"] or None)
                  and theirs["updated_at"] > t["updated_at"]]
        changes += [{**t, "memo": theirs["memo"], "updated_at": theirs["updated_at"]}
                    for t in edited]
        report.memos_updated += bool(edited)
    store.update_segments(changes)
    report.removed = {name: n for name, n in sorted(removed.items()) if n}
    revived = set(store.revive_segments([t for _, back in revivals for t in back]))
    restored = Counter(name for name, back in revivals if any(t["id"] in revived for t in back))
    report.restored = dict(sorted(restored.items()))


class _Lineage:
    """The copies a re-import carried a segment to, found by the GUID each copy derives from
    its original (see `coder.revisions.carried_guid`)."""

    def __init__(self, store: Store, by_document: dict[int, list[dict[str, Any]]]) -> None:
        self.store = store
        self.by_document = by_document
        self._versions: dict[int, list[tuple[int, str]]] = {}

    def versions(self, document_id: int) -> list[tuple[int, str]]:
        """(document_id, text hash) of every version of the document, oldest first."""
        if document_id not in self._versions:
            found = [(v.document.id, "") for v in self.store.versions(document_id)]
            if len(found) > 1:
                found = [(doc, text_hash(p.text for p in self.store.paragraphs(doc)))
                         for doc, _ in found]
            for doc, _ in found:
                self._versions[doc] = found
        return self._versions[document_id]

    def carried(self, segment: dict[str, Any]) -> list[dict[str, Any]]:
        versions = self.versions(segment["document_id"])
        position = [doc for doc, _ in versions].index(segment["document_id"])
        ancestors = {segment["guid"]}
        out: list[dict[str, Any]] = []
        for doc, digest in versions[position + 1:]:
            for s in self.by_document.get(doc, ()):
                if s["coder"] == segment["coder"] and any(
                        carried_guid(g, digest, s["n"]) == s["guid"] for g in ancestors):
                    out.append(s)
            ancestors |= {s["guid"] for s in out}
        return out
