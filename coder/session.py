"""One coder's working state on one document, kept in memory beside the project file.

Every action writes through the store at once (one transaction each) and then updates the
in-memory maps, so a keypress costs one small commit and no re-query of the document. The rules
of coding live here (the overlap rule is asked of `spans`), free of Textual, so tests and the
benchmark drive it directly; the app only shows what it holds and dispatches keys to it. Span
selection (word by word, on the text as displayed) stays in the app: the session receives the
chosen `[start, end)` in stored-text positions.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING

from .codekeys import name_problem
from .codetree import CodeTree
from .errors import CoderError
from .exclusive import exclusive_groups, group_of
from .models import Code, Document, Paragraph, Segment
from .spans import first_overlap
from .store import Store
from .text import ellipsize
from .vocab import DEFAULT_CONSENSUS, DocumentStatus, EventKind, ParagraphKind, UndoKind

if TYPE_CHECKING:
    from .codebook_edit import CodeChange, EditOutcome

POSITION_SETTING = "position:{coder}:{document}"
LAST_DOCUMENT_SETTING = "last_document:{coder}"
# A user's mistake, or the file refusing the write (locked by another program past the busy
# timeout, disk full, read-only): either way the status line says nothing was saved.
SAVE_ERRORS = (CoderError, sqlite3.Error, OSError)
IMPATIENT_MS = 50


@dataclass
class Outcome:
    """What an action did, worded for the status line, and where it happened."""

    message: str
    document_id: int | None = None
    paragraph_id: int | None = None
    changed: set[int] = field(default_factory=set)
    ok: bool = True
    codes_changed: bool = False


def _edits() -> ModuleType:
    """`coder.codebook_edit`, imported on the first codebook edit: it brings the YAML reader and
    writer, which opening the app does not need."""
    from . import codebook_edit

    return codebook_edit


class CodingSession:
    """The coder, the codebook and the open document, with this coder's codings in memory."""

    def __init__(self, store: Store, coder: str) -> None:
        self.store = store
        self.coder = coder.strip()
        self.coder_id = 0
        self._pin_with_coder()
        self.document: Document | None = None
        self.paragraphs: list[Paragraph] = []
        self.index_of: dict[int, int] = {}
        self.own: dict[int, list[Segment]] = {}
        self.memos: dict[int, str] = {}
        self.others: dict[int, list[tuple[str, Segment]]] = {}
        self.show_others = False
        self.status = "not started"
        self.pending: dict[str, str] = {}
        self.reached: dict[int, int] = {}
        self.pending_reach: dict[int, int] = {}
        self.reload_codes()

    def _pin_with_coder(self) -> None:
        """Pin the project's state with this coder's id valid in it. The coder is added
        unpinned (a restored file may lack them; adding a coder moves no id, and pinned, the
        write would be refused again); if another program changed the project between that
        and the pin, the id is looked up again. A change after the pin is caught at the next
        save, as always."""
        while True:
            self.store.pinned_generation = None
            coder_id = self.store.coder_id(self.coder)
            self.store.pin_generation()
            try:
                if self.store.coder_id(self.coder, create=False) == coder_id:
                    self.coder_id = coder_id
                    return
            except CoderError:
                continue

    # -- codebook ------------------------------------------------------------------------

    def reload_codes(self) -> None:
        self.codes: list[Code] = self.store.codes()
        self.tree: CodeTree[Code] = CodeTree(self.codes)
        self.all_codes: dict[int, Code] = {c.id: c for c in self.store.codes(include_retired=True)}
        self.code_by_shortcut: dict[str, Code] = {c.shortcut: c for c in self.codes if c.shortcut}
        self.group_of: dict[int, str] = group_of(list(self.all_codes.values()),
                                                 exclusive_groups(self.store))
        self.counts: dict[int, int] = self.store.segment_counts_by_code(self.coder_id)
        names = Counter(c.name.casefold() for c in self.all_codes.values())
        self.clashing: set[str] = {name for name, n in names.items() if n > 1}

    def code_name(self, code_id: int) -> str:
        """The code's name, or its path where another code has the same name (an "Other"
        under two themes), so a chip or a "saved" message says which one it was."""
        code = self.all_codes.get(code_id)
        if code is None:
            return f"code {code_id}"
        return code.path if code.name.casefold() in self.clashing else code.name

    def add_code(self, name: str, parent_key: str | None = None,
                 shortcut: str | None = None, definition: str = "") -> Code:
        """A new code, one undoable step; written back to the codebook file only when asked
        (the add-code dialog's checkbox), so this leaves the file alone."""
        name = name.strip()
        if not name:
            raise CoderError("a code needs a name")
        problem = name_problem(name)
        if problem:
            raise CoderError(problem)
        outcome = _edits().add_code(self.store, self.coder_id, name, parent_key=parent_key,
                                         shortcut=shortcut, definition=definition,
                                         write=False)
        self.reload_codes()
        assert outcome.key is not None
        return self.store.code(outcome.key)

    def edit_code(self, key: str, change: CodeChange, *, cosmetic: bool = False) -> EditOutcome:
        return self._edited(_edits().edit_code(self.store, self.coder_id, key, change,
                                                    cosmetic=cosmetic))

    def add_child(self, parent_key: str, name: str, definition: str = "") -> EditOutcome:
        return self._edited(_edits().add_code(
            self.store, self.coder_id, name, parent_key=parent_key, definition=definition))

    def merge_codes(self, key: str, into: str) -> EditOutcome:
        return self._edited(_edits().merge_codes(self.store, self.coder_id, key, into))

    def split_code(self, key: str, segment_ids: list[int], *, into: str | None = None,
                   new_name: str | None = None) -> EditOutcome:
        return self._edited(_edits().split_code(self.store, self.coder_id, key, segment_ids,
                                                     into=into, new_name=new_name))

    def retire_code(self, key: str) -> EditOutcome:
        return self._edited(_edits().retire_code(self.store, self.coder_id, key))

    def reload_codebook(self) -> str:
        report = _edits().reload_codebook(self.store)
        self.reload_codes()
        changes = ", ".join(f"{len(v)} {k}" for k, v in report.items() if v and k != "changed")
        return f"codebook reloaded from the file: {changes or 'no changes'}"

    def _edited(self, outcome: EditOutcome) -> EditOutcome:
        self.reload_codes()
        if self.document is not None:
            self.open(self.document.id)
        return outcome

    # -- another program changed the project ---------------------------------------------

    def reload(self) -> int | None:
        """Start again from the file after another program moved what ids mean (a restore,
        a codebook change, a merge, a re-import; the store refused the write with
        `ProjectChanged`): pin the new state, re-read the codebook, and find the open
        document again by name, since its id may now belong to another document. The id to
        reopen, or None when the document is gone; nothing is opened yet."""
        name = self.document.name if self.document else None
        self._pin_with_coder()
        self.pending.clear()  # reading places named by the old ids
        self.document, self.paragraphs, self.index_of = None, [], {}
        self.own, self.memos, self.others = {}, {}, {}
        self.reload_codes()
        if name is None:
            return None
        try:
            found = self.store.document(name)
        except CoderError:
            return None
        return self.store.current_version(found.id).id

    # -- documents -----------------------------------------------------------------------

    def open(self, document_id: int) -> None:
        store = self.store
        self.document = store.document(document_id)
        self.paragraphs = store.paragraphs(document_id)
        self.index_of = {p.id: i for i, p in enumerate(self.paragraphs)}
        self.own = {}
        for seg in store.segments(document_id=document_id, coder_ids=[self.coder_id]):
            self.own.setdefault(seg.paragraph_id, []).append(seg)
        self.memos = store.paragraph_memos(self.coder_id, document_id)
        self.status = store.status(self.coder_id, document_id)
        self.reached[document_id] = max(self.reached.get(document_id, 0),
                                        store.reading_mark(self.coder_id, document_id))
        self.others = {}
        if self.show_others:
            self._load_others()

    def _load_others(self) -> None:
        self.others = {}
        if self.document is None:
            return
        names = {self.store.coder_id(n, create=False): n for n in self.store.coders()}
        ids = [i for i in names if i != self.coder_id]
        if not ids:
            return
        for seg in self.store.segments(document_id=self.document.id, coder_ids=ids):
            self.others.setdefault(seg.paragraph_id, []).append((names[seg.coder_id], seg))

    def set_show_others(self, show: bool) -> None:
        self.show_others = show
        if show:
            self._load_others()
        else:
            self.others = {}

    def other_coder_names(self) -> list[str]:
        return [n for n in self.store.coders() if n != self.coder]

    def remember_position(self, index: int) -> None:
        if self.document is None or not self.paragraphs:
            return
        n = self.paragraphs[min(index, len(self.paragraphs) - 1)].n
        self.reach(n)
        self.note(POSITION_SETTING.format(coder=self.coder, document=self.document.id), str(n))
        self.note(LAST_DOCUMENT_SETTING.format(coder=self.coder), str(self.document.id))

    def reach(self, n: int) -> None:
        """The coder's cursor got to paragraph `n`: raise the reading mark agreement counts by
        (`coder.coverage`), queued with the reading place and written only when it grows."""
        if self.document is None:
            return
        doc = self.document.id
        if n > self.reached.get(doc, 0):
            self.reached[doc] = n
            self.pending_reach[doc] = n

    def note(self, key: str, value: str) -> bool:
        """Keep a setting, now if the file is free, else at the next `flush_notes`."""
        self.pending[key] = value
        return self.flush_notes()

    def flush_notes(self) -> bool:
        """Write the settings still waiting; False while the file stays busy (or unwritable)."""
        if not self.pending and not self.pending_reach:
            return True
        try:
            with self.store.impatient(IMPATIENT_MS), self.store.transaction():
                for key, value in self.pending.items():
                    self.store.set_setting(key, value)
                for doc, n in self.pending_reach.items():
                    self.store.raise_reading_mark(self.coder_id, doc, n)
        except SAVE_ERRORS:
            return False
        self.pending.clear()
        self.pending_reach.clear()
        return True

    def remembered_position(self, document_id: int) -> int:
        key = POSITION_SETTING.format(coder=self.coder, document=document_id)
        value = self.pending.get(key) or self.store.get_setting(key)
        return self.index_for_number(int(value)) if value and value.isdigit() else 0

    def remembered_document(self) -> int | None:
        key = LAST_DOCUMENT_SETTING.format(coder=self.coder)
        value = self.pending.get(key) or self.store.get_setting(key)
        return int(value) if value and value.isdigit() else None

    def index_for_number(self, n: int) -> int:
        """The index of paragraph number `n` (numbers are 1-based and dense per document)."""
        if not self.paragraphs:
            return 0
        i = min(max(n - 1, 0), len(self.paragraphs) - 1)
        if self.paragraphs[i].n == n:
            return i
        for j, p in enumerate(self.paragraphs):
            if p.n >= n:
                return j
        return len(self.paragraphs) - 1

    def coded_count(self) -> int:
        return sum(1 for segs in self.own.values() if segs)

    def uncoded_count(self) -> tuple[int, int]:
        """(paragraphs this coder has not coded, paragraphs there are to code): headings are
        left out, as agreement leaves them out."""
        units = [p for p in self.paragraphs if p.kind != ParagraphKind.HEADING]
        return sum(1 for p in units if not self.own.get(p.id)), len(units)

    def done_needs_asking(self) -> str | None:
        """The question to ask before marking the document done while most of it is uncoded
        (done feeds agreement, where an uncoded paragraph counts as \"no code applies\")."""
        if self.status == DocumentStatus.DONE:
            return None
        uncoded, units = self.uncoded_count()
        if units == 0 or uncoded * 2 <= units:
            return None
        return (f"{uncoded} of {units} paragraphs uncoded: mark done anyway? "
                "Agreement will count them as coded with nothing. y/n")

    # -- reading state -------------------------------------------------------------------

    def is_coded(self, index: int) -> bool:
        return bool(self.own.get(self.paragraphs[index].id))

    def carries(self, index: int, code_ids: set[int]) -> bool:
        pid = self.paragraphs[index].id
        if any(s.code_id in code_ids for s in self.own.get(pid, ())):
            return True
        return self.show_others and any(
            s.code_id in code_ids for _, s in self.others.get(pid, ()))

    def filter_rows(self, code_id: int) -> list[int]:
        """The paragraphs (by index) carrying the code or one of its sub-codes: this coder's,
        and other coders' too while they are shown."""
        wanted = self.tree.descendant_ids(code_id)
        return [i for i in range(len(self.paragraphs)) if self.carries(i, wanted)]

    def applied_codes(self, index: int, span: tuple[int, int] | None) -> set[int]:
        """The codes this coder put on exactly this span (or on the whole paragraph): the
        ones a code key or the picker would take off rather than add."""
        where = span or (None, None)
        return {s.code_id for s in self.own.get(self.paragraphs[index].id, [])
                if (s.start, s.end) == where}

    def next_uncoded(self, rows: list[int], position: int, step: int) -> int | None:
        """The next row (by position in `rows`) whose paragraph this coder has not coded.
        Headings are passed over: they are signposts, not data."""
        i = position + step
        while 0 <= i < len(rows):
            p = self.paragraphs[rows[i]]
            if p.kind != ParagraphKind.HEADING and not self.own.get(p.id):
                return i
            i += step
        return None

    # -- coding actions ------------------------------------------------------------------

    def toggle(self, index: int, code_id: int, start: int | None = None,
               end: int | None = None) -> Outcome:
        p = self.paragraphs[index]
        segs = self.own.setdefault(p.id, [])
        name = self.code_name(code_id)
        if start is not None and end is not None:
            self._refuse_overlap(p, segs, code_id, start, end)
        replaced = self._siblings(segs, code_id, start, end)
        if replaced:
            result = self.store.replace_segments(self.coder_id, p.id, code_id, start, end,
                                                 [s.id for s in replaced])
        else:
            result = self.store.toggle_segment(self.coder_id, p.id, code_id, start, end)
        where = f"\u00b6{p.n}"
        if start is not None and end is not None:
            where += f" \u201c{ellipsize(p.text[start:end], 40)}\u201d"
        if result.added:
            segs[:] = [s for s in segs if s not in replaced]
            for s in replaced:
                self.counts[s.code_id] = max(0, self.counts.get(s.code_id, 0) - 1)
            segs.append(Segment(result.segment_id, p.id, code_id, self.coder_id, start, end,
                                None, "", ""))
            self.counts[code_id] = self.counts.get(code_id, 0) + 1
            message = f"saved: {name} on {where}"
            if replaced:
                gone = ", ".join(dict.fromkeys(self.code_name(s.code_id) for s in replaced))
                group = self.code_name(self.store.code(self.group_of[code_id]).id)
                message += (f", replacing {gone} ({group} is exclusive: one sub-code per"
                            " paragraph; u undoes both)")
            if p.kind == ParagraphKind.HEADING:
                message += " (a heading: agreement leaves headings out)"
        else:
            segs[:] = [s for s in segs if s.id != result.segment_id]
            self.counts[code_id] = max(0, self.counts.get(code_id, 0) - 1)
            message = f"saved: removed {name} from {where}"
        if self.status == "not started":
            self.status = "in progress"
        return Outcome(message, self.document.id if self.document else None, p.id, {index})

    def _siblings(self, segs: list[Segment], code_id: int, start: int | None,
                  end: int | None) -> list[Segment]:
        """This coder's codings on the paragraph that applying `code_id` replaces: the other
        sub-codes of its exclusive group (none when it is being taken off, or in no group)."""
        group = self.group_of.get(code_id)
        if group is None or any(s.code_id == code_id and (s.start, s.end) == (start, end)
                                for s in segs):
            return []
        return [s for s in segs if s.code_id != code_id and self.group_of.get(s.code_id) == group]

    def _refuse_overlap(self, p: Paragraph, segs: list[Segment], code_id: int, start: int,
                        end: int) -> None:
        """One coder's same code on overlapping spans would count the shared words twice
        (in exports and agreement), so the second span is refused, saying what to do."""
        clash = first_overlap(((s.start, s.end) for s in segs if s.code_id == code_id),
                              start, end)
        if clash is not None:
            quote = ellipsize(p.text[clash[0]:clash[1]], 30)
            raise CoderError(
                f"not saved: this span overlaps your {self.code_name(code_id)} on "
                f"\u201c{quote}\u201d in \u00b6{p.n}; to join them, take that one off "
                "(select it, same key) and code the whole stretch")

    def set_paragraph_memo(self, index: int, memo: str) -> Outcome:
        p = self.paragraphs[index]
        memo = memo.strip()
        if memo == self.memos.get(p.id, ""):
            return Outcome("memo unchanged", ok=False)
        self.store.set_paragraph_memo(self.coder_id, p.id, memo or None)
        if memo:
            self.memos[p.id] = memo
        else:
            self.memos.pop(p.id, None)
        verb = "memo on" if memo else "memo removed from"
        return Outcome(f"saved: {verb} \u00b6{p.n}", self.document.id if self.document else None,
                       p.id, {index})

    def set_segment_memo(self, index: int, segment_id: int, memo: str) -> Outcome:
        p = self.paragraphs[index]
        memo = memo.strip()
        segs = self.own.get(p.id, [])
        current = next((s for s in segs if s.id == segment_id), None)
        if current is None:
            raise CoderError("that coding is no longer there")
        if (current.memo or "") == memo:
            return Outcome("memo unchanged", ok=False)
        self.store.set_segment_memo(self.coder_id, segment_id, memo or None)
        segs[:] = [
            Segment(s.id, s.paragraph_id, s.code_id, s.coder_id, s.start, s.end, memo or None,
                    s.created_at, s.updated_at) if s.id == segment_id else s
            for s in segs
        ]
        name = self.code_name(current.code_id)
        return Outcome(f"saved: memo on {name} at \u00b6{p.n}",
                       self.document.id if self.document else None, p.id, {index})

    def toggle_done(self) -> Outcome:
        if self.document is None:
            return Outcome("no document open", ok=False)
        new = "in progress" if self.status == "done" else "done"
        self.store.set_status(self.coder_id, self.document.id, new)
        self.status = new
        return Outcome(f"saved: {self.document.name} marked {new}", self.document.id)

    def undo(self) -> Outcome:
        return self._step(undo=True)

    def redo(self) -> Outcome:
        return self._step(undo=False)

    def _step(self, *, undo: bool) -> Outcome:
        verb = "undone" if undo else "redone"
        done = self.store.undo(self.coder_id) if undo else self.store.redo(self.coder_id)
        if done is None:
            return Outcome(f"nothing to {'undo' if undo else 'redo'}", ok=False)
        kind = done["kind"]
        if kind == UndoKind.CODEBOOK_EDIT:
            self.reload_codes()
            if self.document is not None:
                self.open(self.document.id)
            note = _edits().write_back(self.store)
            return Outcome(f"{verb}: {done['summary']}{note}", ok="NOT written" not in note,
                           codes_changed=True, changed=set(range(len(self.paragraphs))))
        if kind == "status":
            document_id = done["document"]
            doc = self.store.document(document_id)
            value = done["before"] if undo else done["after"]
            if self.document and document_id == self.document.id:
                self.status = value
            return Outcome(f"{verb}: {doc.name} back to {value}" if undo else
                           f"{verb}: {doc.name} marked {value}", document_id)
        if kind == "paragraph memo":
            paragraph = self.store.paragraph(done["paragraph"])
            self._refresh_paragraph(paragraph)
            return Outcome(f"{verb}: memo on \u00b6{paragraph.n}", paragraph.document_id,
                           paragraph.id, self._changed(paragraph))
        if kind == UndoKind.AUTOCODE:
            self.reload_document()
            n = len(done["segments"])
            return Outcome(f"{verb}: {n} automatic coding{'s' if n != 1 else ''}",
                           changed=set(range(len(self.paragraphs))))
        back = ""
        if done.get("unretired"):
            self.reload_codes()
            back = " — " + ", ".join(
                self.code_name(c.id) for c in self.codes if c.key in done["unretired"]
            ) + " back in the codebook"
        outcome = self._segment_step(done, verb, undo)
        if back:
            outcome.message += back
            outcome.codes_changed = True
        return outcome

    def _segment_step(self, done: dict, verb: str, undo: bool) -> Outcome:
        kind = done["kind"]
        segment = self.store.segment(done["segment"])
        paragraph = self.store.paragraph(segment.paragraph_id)
        if self.store.current_version(paragraph.document_id).id != paragraph.document_id:
            name = self.code_name(segment.code_id)
            self.counts = self.store.segment_counts_by_code(self.coder_id)
            return Outcome(f"{verb}: {name} on \u00b6{paragraph.n} of an older version of "
                           f"{self.store.current_version(paragraph.document_id).name}")
        self._refresh_paragraph(paragraph)
        self.counts = self.store.segment_counts_by_code(self.coder_id)
        name = self.code_name(segment.code_id)
        if kind == UndoKind.REPLACE:
            others = ", ".join(dict.fromkeys(
                self.code_name(self.store.segment(i).code_id) for i in done["replaced"]))
            what = (f"{others} back in place of {name} on \u00b6{paragraph.n}" if undo else
                    f"{name} on \u00b6{paragraph.n}, replacing {others}")
        elif kind == "segment memo":
            what = f"memo on {name} at \u00b6{paragraph.n}"
        elif (kind == "add") == undo:
            what = f"removed {name} from \u00b6{paragraph.n}"
        else:
            what = f"{name} on \u00b6{paragraph.n}"
        doc_name = "" if self.document and paragraph.document_id == self.document.id else (
            f" ({self.store.document(paragraph.document_id).name})")
        return Outcome(f"{verb}: {what}{doc_name}", paragraph.document_id, paragraph.id,
                       self._changed(paragraph))

    def reload_document(self) -> None:
        """Re-read the open document's codings and the code counts after a change to many
        codings at once (autocoding, or its undo)."""
        if self.document is not None:
            self.open(self.document.id)
        self.counts = self.store.segment_counts_by_code(self.coder_id)

    def confirm_automatic(self, index: int) -> Outcome:
        """Confirm this coder's automatic codings on one paragraph, each its own undo step:
        from now on agreement counts them like codings made by hand."""
        paragraph = self.paragraphs[index]
        pending = [s for s in self.own.get(paragraph.id, []) if s.automatic]
        if not pending:
            return Outcome(f"no automatic coding to confirm on \u00b6{paragraph.n}", ok=False)
        for seg in pending:
            self.store.confirm_segment(self.coder_id, seg.id)
        self._refresh_paragraph(paragraph)
        names = ", ".join(self.code_name(s.code_id) for s in pending)
        return Outcome(f"confirmed {names} on \u00b6{paragraph.n}", paragraph.document_id,
                       paragraph.id, {index})

    def _changed(self, paragraph: Paragraph) -> set[int]:
        index = self.index_of.get(paragraph.id)
        return {index} if index is not None else set()

    def _refresh_paragraph(self, paragraph: Paragraph) -> None:
        """Re-read one paragraph's codings and memo after undo or redo touched it."""
        if self.document is None or paragraph.document_id != self.document.id:
            return
        self.own[paragraph.id] = self.store.segments(
            paragraph_id=paragraph.id, coder_ids=[self.coder_id])
        memo = self.store.paragraph_memo(self.coder_id, paragraph.id)
        if memo:
            self.memos[paragraph.id] = memo
        else:
            self.memos.pop(paragraph.id, None)
        self.status = self.store.status(self.coder_id, self.document.id)


def coder_name_clash(name: str, known: list[str]) -> str | None:
    """The known coder a new name differs from only in case or spacing, if any.

    `Alice` and `alice` would be two coders, each blind to the other's codings: the classic
    "where did my codings go". Both the CLI and the app's name prompt refuse such a name.
    """
    name = name.strip()
    if name in known:
        return None
    folded = " ".join(name.split()).casefold()
    return next((k for k in known if " ".join(k.split()).casefold() == folded), None)


def reserved_coder_name(name: str, consensus: Sequence[str] = ()) -> str | None:
    """Why `name` cannot be a coder who codes, if it is the name a review writes to.

    Coding as the consensus would mix one coder's own judgements into the review's outcome,
    which agreement then compares against each coder as if it were settled.
    """
    folded = " ".join(name.split()).casefold()
    taken = [DEFAULT_CONSENSUS, *consensus]
    same = next((c for c in taken if " ".join(c.split()).casefold() == folded), None)
    if same is None:
        return None
    return (f"{same!r} is the name a review writes its decisions to, not a coder's: "
            "choose your own name")


def consensus_coders(store: Store) -> list[str]:
    """Coders holding a review's outcome, by the review log, or by the default name when the
    outcome came in by a merge (the log stays in the copy where the review was held). Here,
    not beside the review, so that checking a name as the app starts loads no agreement code."""
    held = {event.get("consensus") for kind in (EventKind.REVIEW_AGREED, EventKind.REVIEW_DECISION)
            for event in store.events(kind)} | {DEFAULT_CONSENSUS}
    return [name for name in store.coders() if name in held]
