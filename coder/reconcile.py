"""Settling two coders' disagreements into a consensus coder, one paragraph at a time.

The consensus is an ordinary coder, so everything that reads codings (agreement, exports, the
coding screen) reads it too, and the two coders' own codings are never written. Each decision is
one transaction that sets the consensus coder's segments on one paragraph and logs, in the events
log, what that paragraph held before and after; replaying the log is what makes a review
resumable and undoable across restarts without a table of its own.

Units are those of `coder.compare`: the non-heading paragraphs of the documents both coders
covered (coded in or marked done). A paragraph is a disagreement when the two coders' sets of
codes on it differ, presence being judged as agreement judges it (a span counts like a whole
paragraph).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .agreement import Metric
from .compare import compare, covered_documents
from .errors import CoderError
from .models import Code
from .store import Store
from .vocab import DEFAULT_CONSENSUS, DocumentStatus, EventKind, ParagraphKind

DECISION_EVENT = EventKind.REVIEW_DECISION
AGREED_EVENT = EventKind.REVIEW_AGREED
DECISIONS = ("a", "b", "both", "neither", "custom")
UNDO = "undo"


class Mark(NamedTuple):
    """One coding as a review compares it: a code on the whole paragraph or on a span."""

    code: str
    start: int | None = None
    end: int | None = None

    def quote(self, text: str) -> str | None:
        return text[self.start:self.end] if self.start is not None else None


def _marks(raw: Iterable[Sequence[Any]]) -> tuple[Mark, ...]:
    return tuple(sorted((Mark(m[0], m[1], m[2]) for m in raw), key=_mark_order))


def _mark_order(mark: Mark) -> tuple[str, int, int]:
    return (mark.code, -1 if mark.start is None else mark.start, mark.end or -1)


@dataclass(frozen=True)
class Disagreement:
    """A paragraph on which the two coders' sets of codes differ, with each side's codings.

    `disputed` holds the codes only one of them applied, in codebook order; the codes both applied
    (`agreed`) are not in question and were copied to the consensus when the review began.
    """

    paragraph_id: int
    document_id: int
    document: str
    n: int
    speaker: str | None
    text: str
    a: tuple[Mark, ...]
    b: tuple[Mark, ...]
    disputed: tuple[str, ...]

    @property
    def a_codes(self) -> frozenset[str]:
        return frozenset(m.code for m in self.a)

    @property
    def b_codes(self) -> frozenset[str]:
        return frozenset(m.code for m in self.b)

    @property
    def agreed(self) -> frozenset[str]:
        return self.a_codes & self.b_codes

    def kept(self, decision: str) -> frozenset[str]:
        """The disputed codes a paragraph-wide decision keeps."""
        disputed = frozenset(self.disputed)
        if decision == "a":
            return disputed & self.a_codes
        if decision == "b":
            return disputed & self.b_codes
        if decision == "both":
            return disputed
        if decision == "neither":
            return frozenset()
        raise CoderError(f"a decision is one of {', '.join(DECISIONS[:4])}, not {decision!r}")

    def marks_of(self, code: str) -> tuple[Mark, ...]:
        """The codings of a disputed code, from the one coder who applied it."""
        side = self.a if code in self.a_codes else self.b
        return tuple(m for m in side if m.code == code)


@dataclass(frozen=True)
class Queue:
    """Every disagreement between two coders, in reading order, and what was compared."""

    coders: tuple[str, str]
    documents: tuple[tuple[int, str], ...]
    n_units: int
    items: tuple[Disagreement, ...]
    agreed: dict[int, tuple[Mark, ...]] = field(default_factory=dict)
    left_out: tuple[str, ...] = ()

    @property
    def document_names(self) -> list[str]:
        return [name for _, name in self.documents]


@dataclass(frozen=True)
class Decision:
    """What the consensus coder settled on one paragraph: the disputed codes kept, and the
    paragraph's consensus codings before and after (what undo puts back)."""

    paragraph_id: int
    decision: str
    kept: tuple[str, ...]
    before: tuple[Mark, ...]
    after: tuple[Mark, ...]
    at: str = ""

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> Decision:
        return cls(
            paragraph_id=int(event["paragraph_id"]),
            decision=event["decision"],
            kept=tuple(event.get("kept") or ()),
            before=_marks(event.get("before") or ()),
            after=_marks(event.get("after") or ()),
            at=event.get("at", ""),
        )


def check_coders(store: Store, a: str, b: str, consensus: str | None = None) -> tuple[str, str]:
    """The two coders' names, cleaned, once it is certain a review of them makes sense."""
    a, b = a.strip(), b.strip()
    if a == b:
        raise CoderError(f"a review compares two different coders; {a!r} was given twice")
    store.coder_id(a, create=False)
    store.coder_id(b, create=False)
    if consensus is not None:
        name = consensus.strip()
        if not name:
            raise CoderError("the consensus coder needs a name (--as NAME)")
        if name in (a, b):
            raise CoderError(
                f"the consensus is kept as a coder of its own so that {a}'s and {b}'s codings "
                f"stay as they were; choose another name than {name!r} (--as NAME)")
        _check_target(store, a, b, name)
    return a, b


def _check_target(store: Store, a: str, b: str, name: str) -> None:
    """The outcome goes to a coder of its own: a new one, or the consensus that an earlier
    review of the same two coders made (so that a review resumes). A coder who has coded or
    marked documents themselves is never written into, nor the consensus of another pair."""
    if name not in store.coders():
        return
    held = reviews_held(store, name)
    if frozenset((a, b)) in held:
        return
    codings = sum(store.segment_counts_by_code(store.coder_id(name, create=False)).values())
    marked = sum(1 for (_, who), status in store.statuses().items()
                 if who == name and status != DocumentStatus.NOT_STARTED)
    if not codings and not marked:
        return
    if held:
        pairs = "; ".join(" and ".join(sorted(pair)) for pair in sorted(held, key=sorted))
        raise CoderError(
            f"{name!r} holds the outcome of the review of {pairs}, not of {a} and {b}; keep "
            f"this review as a coder of its own: choose a name not in use (--as NAME)")
    raise CoderError(
        f"{name!r} is a coder with work of their own ({codings} coding(s), {marked} document(s) "
        f"marked); the outcome of a review is kept as a new coder so that nobody's codings "
        f"change: choose a name not in use (--as NAME)")


def reviews_held(store: Store, consensus: str) -> set[frozenset[str]]:
    """The pairs of coders whose review outcome `consensus` holds, from the events log."""
    return {
        frozenset(event.get("coders") or ())
        for kind in (AGREED_EVENT, DECISION_EVENT)
        for event in store.events(kind)
        if event.get("consensus") == consensus
    }


def build_queue(store: Store, a: str, b: str, *, document: str | None = None) -> Queue:
    """The disagreements between `a` and `b`; reads only."""
    a, b = check_coders(store, a, b)
    docs = {d.id: d for d in store.documents()}
    chosen = {store.document(document).id} if document else set(docs)
    cov_a = covered_documents(store, a) & chosen
    cov_b = covered_documents(store, b) & chosen
    both = sorted(cov_a & cov_b)
    left_out = [
        f"{docs[d].name}: only {who} has coded it or marked it done"
        for d, who in sorted([(d, a) for d in cov_a - cov_b] + [(d, b) for d in cov_b - cov_a])
    ]
    positions = {c.key: c.position for c in store.codes(include_retired=True)}
    paragraphs = {d: store.paragraphs(d) for d in both}
    units = {p.id: p for d in both for p in paragraphs[d] if p.kind != ParagraphKind.HEADING}
    headings = sum(1 for d in both for p in paragraphs[d] if p.kind == ParagraphKind.HEADING)
    if headings:
        left_out.append(f"{headings} heading paragraph(s): not units of coding")
    marks: dict[int, dict[str, list[Mark]]] = defaultdict(lambda: {a: [], b: []})
    for r in store.segment_rows(coders=[a, b], document_ids=both) if both else []:
        if r.paragraph_id in units:
            marks[r.paragraph_id][r.coder].append(Mark(r.code_key, r.start, r.end))
    items: list[Disagreement] = []
    agreed: dict[int, tuple[Mark, ...]] = {}
    for d in both:
        for p in paragraphs[d]:
            if p.id not in marks:
                continue
            ma, mb = _marks(marks[p.id][a]), _marks(marks[p.id][b])
            codes_a, codes_b = {m.code for m in ma}, {m.code for m in mb}
            common = codes_a & codes_b
            if common:
                agreed[p.id] = tuple(
                    mark for code in sorted(common, key=lambda k: positions.get(k, 0))
                    for mark in _union(code, [m for m in ma + mb if m.code == code]))
            if codes_a != codes_b:
                disputed = tuple(sorted(codes_a ^ codes_b, key=lambda k: (positions.get(k, 0), k)))
                items.append(Disagreement(p.id, d, docs[d].name, p.n, p.speaker, p.text,
                                          ma, mb, disputed))
    return Queue((a, b), tuple((d, docs[d].name) for d in both), len(units), tuple(items),
                 agreed, tuple(left_out))


def _union(code: str, marks: list[Mark]) -> list[Mark]:
    """What a code both coders applied becomes in the consensus: the whole paragraph if either
    coded all of it, else the text either of them marked, overlapping spans joined."""
    if any(m.start is None for m in marks):
        return [Mark(code)]
    spans = sorted((m.start, m.end) for m in marks if m.start is not None and m.end is not None)
    out: list[list[int]] = []
    for start, end in spans:
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [Mark(code, s, e) for s, e in out]


class Review:
    """A review of two coders' disagreements into a consensus coder, resumable from the log.

    Creating one only reads; `begin()` copies the agreed codes, and `decide()` and `undo()` write.
    """

    def __init__(self, store: Store, queue: Queue, consensus: str = DEFAULT_CONSENSUS) -> None:
        check_coders(store, *queue.coders, consensus)
        self.store = store
        self.queue = queue
        self.coders = queue.coders
        self.consensus = consensus.strip()
        self.codes: dict[str, Code] = {c.key: c for c in store.codes(include_retired=True)}
        self.index_of = {item.paragraph_id: i for i, item in enumerate(queue.items)}
        self._stack: list[Decision] = []
        self._consensus_id: int | None = None
        self._copied: set[tuple[int, str]] = set()
        self._logged = False
        self._replay()

    @classmethod
    def open(cls, store: Store, a: str, b: str, *, consensus: str = DEFAULT_CONSENSUS,
             document: str | None = None) -> Review:
        check_coders(store, a, b, consensus)
        return cls(store, build_queue(store, a, b, document=document), consensus)

    # -- the log -------------------------------------------------------------------------

    def _ours(self, event: dict[str, Any]) -> bool:
        return (set(event.get("coders") or ()) == set(self.coders)
                and event.get("consensus") == self.consensus)

    def _replay(self) -> None:
        for event in self.store.events(DECISION_EVENT):
            if not self._ours(event):
                continue
            self._logged = True
            if event.get("decision") == UNDO:
                if self._stack:
                    self._stack.pop()
            else:
                self._stack.append(Decision.from_event(event))
        for event in self.store.events(AGREED_EVENT):
            if self._ours(event):
                self._logged = True
                self._copied |= {(int(p), k) for p, k in event.get("copied") or ()}

    def _log(self, paragraph_id: int, decision: str, **detail: Any) -> None:
        self.store.log_event(DECISION_EVENT, {
            "paragraph_id": paragraph_id,
            "coders": list(self.coders),
            "consensus": self.consensus,
            "decision": decision,
            **detail,
        })
        self._logged = True

    # -- state ---------------------------------------------------------------------------

    @property
    def items(self) -> tuple[Disagreement, ...]:
        return self.queue.items

    @property
    def total(self) -> int:
        return len(self.queue.items)

    @property
    def decisions(self) -> dict[int, Decision]:
        """The standing decision on each decided paragraph of this queue."""
        out: dict[int, Decision] = {}
        for d in self._stack:
            if d.paragraph_id in self.index_of:
                out[d.paragraph_id] = d
        return out

    @property
    def decided_count(self) -> int:
        return len(self.decisions)

    def decision(self, paragraph_id: int) -> Decision | None:
        return self.decisions.get(paragraph_id)

    def next_undecided(self, after: int = -1) -> int | None:
        """The index of the first undecided paragraph after `after`, wrapping round."""
        decided = self.decisions
        n = self.total
        for step in range(1, n + 1):
            i = (after + step) % n
            if self.items[i].paragraph_id not in decided:
                return i
        return None

    @property
    def consensus_id(self) -> int:
        if self._consensus_id is None:
            self._consensus_id = self.store.coder_id(self.consensus)
        return self._consensus_id

    def consensus_marks(self, paragraph_id: int) -> tuple[Mark, ...]:
        """The consensus coder's codings on a paragraph as they stand."""
        if self.consensus not in self.store.coders():
            return ()
        key_of = {c.id: c.key for c in self.codes.values()}
        segs = self.store.segments(paragraph_id=paragraph_id, coder_ids=[self.consensus_id])
        return _marks((key_of[s.code_id], s.start, s.end) for s in segs)

    # -- writing -------------------------------------------------------------------------

    def begin(self) -> int:
        """Copy to the consensus the codes both coders applied, once per paragraph and code.

        Returns how many (paragraph, code) pairs were copied now; on a resumed review that is
        only what the coders agreed on since (usually nothing). The first begin is logged even
        when nothing is copied: the log is what marks the consensus coder as this review's.
        """
        todo = [(pid, mark) for pid, marks in self.queue.agreed.items() for mark in marks
                if (pid, mark.code) not in self._copied]
        pairs = sorted({(pid, mark.code) for pid, mark in todo})
        with self.store.transaction():
            cid = self.consensus_id
            for pid, mark in todo:
                self.store.add_segment(cid, pid, self.codes[mark.code].id, mark.start, mark.end)
            if pairs or not self._logged:
                self.store.log_event(AGREED_EVENT, {
                    "coders": list(self.coders),
                    "consensus": self.consensus,
                    "paragraphs": len({pid for pid, _ in pairs}),
                    "copied": [list(p) for p in pairs],
                })
            self._sync_statuses(self.decisions, [d for d, _ in self.queue.documents])
        self._copied |= set(pairs)
        self._logged = True
        return len(pairs)

    @property
    def copied(self) -> int:
        """(paragraph, code) pairs of agreed codes copied to the consensus so far."""
        return len(self._copied)

    def decide(self, index: int, decision: str, kept: Iterable[str] | None = None) -> Decision:
        """Settle one paragraph: `a`, `b`, `both`, `neither`, or `custom` with the disputed codes
        to keep. Deciding a decided paragraph again replaces the decision (undo goes back)."""
        item = self.items[index]
        if decision == "custom":
            keep = frozenset(kept or ())
            stray = keep - set(item.disputed)
            if stray:
                raise CoderError(f"not in dispute on ¶{item.n}: {', '.join(sorted(stray))}")
        else:
            keep = item.kept(decision)
        pid = item.paragraph_id
        with self.store.transaction():
            before = self.consensus_marks(pid)
            for code in item.disputed:
                self._set_code(pid, code, item.marks_of(code) if code in keep else ())
            after = self.consensus_marks(pid)
            made = Decision(pid, decision, tuple(c for c in item.disputed if c in keep),
                            before, after)
            self._log(pid, decision, kept=list(made.kept), before=[list(m) for m in before],
                      after=[list(m) for m in after])
            self._sync_statuses({**self.decisions, pid: made}, [item.document_id])
        self._stack.append(made)
        return made

    def undo(self) -> Decision | None:
        """Take back the latest decision: its paragraph's consensus codings go back to what they
        were. Returns the decision undone, or None when there is none."""
        if not self._stack:
            return None
        last = self._stack[-1]
        pid = last.paragraph_id
        with self.store.transaction():
            now = self.consensus_marks(pid)
            self._restore(pid, last.before)
            self._log(pid, UNDO, before=[list(m) for m in now],
                      after=[list(m) for m in last.before])
            remaining = self._stack[:-1]
            decided = {d.paragraph_id: d for d in remaining if d.paragraph_id in self.index_of}
            if pid in self.index_of:
                self._sync_statuses(decided, [self.items[self.index_of[pid]].document_id])
        self._stack.pop()
        return last

    def _live(self, paragraph_id: int) -> list[tuple[Mark, int]]:
        key_of = {c.id: c.key for c in self.codes.values()}
        segs = self.store.segments(paragraph_id=paragraph_id, coder_ids=[self.consensus_id])
        return [(Mark(key_of[s.code_id], s.start, s.end), s.id) for s in segs]

    def _set_code(self, paragraph_id: int, code: str, marks: Sequence[Mark]) -> None:
        wanted = set(marks)
        live = [(m, sid) for m, sid in self._live(paragraph_id) if m.code == code]
        for mark, sid in live:
            if mark not in wanted:
                self.store.remove_segment(self.consensus_id, sid)
        have = {m for m, _ in live}
        for mark in marks:
            if mark not in have:
                self.store.add_segment(self.consensus_id, paragraph_id, self.codes[code].id,
                                       mark.start, mark.end)

    def _restore(self, paragraph_id: int, marks: Sequence[Mark]) -> None:
        wanted = set(marks)
        live = self._live(paragraph_id)
        for mark, sid in live:
            if mark not in wanted:
                self.store.remove_segment(self.consensus_id, sid)
        have = {m for m, _ in live}
        for mark in marks:
            if mark not in have and mark.code in self.codes:
                self.store.add_segment(self.consensus_id, paragraph_id,
                                       self.codes[mark.code].id, mark.start, mark.end)

    def _sync_statuses(self, decided: dict[int, Decision], document_ids: Iterable[int]) -> None:
        """A document is done for the consensus once every disagreement in it is settled, so
        that agreement with the consensus counts the document even where it added no codes."""
        cid = self.consensus_id
        for doc in set(document_ids):
            settled = all(i.paragraph_id in decided for i in self.items if i.document_id == doc)
            status = self.store.status(cid, doc)
            if settled and status != DocumentStatus.DONE:
                self.store.put_status(cid, doc, DocumentStatus.DONE)
            elif not settled and status == DocumentStatus.DONE:
                self.store.put_status(cid, doc, DocumentStatus.IN_PROGRESS)

    # -- figures -------------------------------------------------------------------------

    def agreement(self) -> AgreementSummary:
        return agreement_summary(self.store, self.coders, self.consensus,
                                 self.queue.document_names)


def decision_label(decision: Decision | None, coders: Sequence[str],
                   codes: dict[str, Code] | None = None) -> str:
    """A decision in words, for the screen and `--list`."""
    if decision is None:
        return "undecided"
    a, b = coders
    if decision.decision == "a":
        return f"took {a}'s"
    if decision.decision == "b":
        return f"took {b}'s"
    if decision.decision == "both":
        return "took both"
    if decision.decision == "neither":
        return "took neither (agreed codes only)"
    names = [codes[k].name if codes and k in codes else k for k in decision.kept]
    return "chose per code: " + (", ".join(names) if names else "none of the disputed codes")


# -- agreement before and after ----------------------------------------------------------

@dataclass(frozen=True)
class PairFigures:
    """Agreement of two coders over the review's documents, as the summary shows it."""

    coders: tuple[str, str]
    n_units: int
    alpha: Metric
    alpha_masi: Metric | None
    percent: dict[str, Metric]
    counts: dict[str, dict[str, int]]


@dataclass(frozen=True)
class AgreementSummary:
    """Before (the two coders) and after (each of them against the consensus)."""

    before: PairFigures
    after: tuple[PairFigures, ...]
    codes: tuple[str, ...]


def _pair(store: Store, coders: Sequence[str], documents: Sequence[str]) -> PairFigures:
    [result] = compare(store, list(coders), documents=list(documents) or None)
    report = result.report
    return PairFigures(
        coders=(coders[0], coders[1]),
        n_units=report.n_units,
        alpha=report.overall["krippendorff_alpha"],
        alpha_masi=report.overall.get("krippendorff_alpha_masi"),
        percent={c.code: c.metrics["percent_agreement"] for c in report.codes},
        counts={c.code: dict(c.counts) for c in report.codes},
    )


def agreement_summary(store: Store, coders: Sequence[str], consensus: str,
                      documents: Sequence[str]) -> AgreementSummary:
    """Krippendorff's alpha overall and percent agreement per code, before and after.

    Codes nobody applied in these documents are left out of `codes`, as their agreement is
    trivially total.
    """
    before = _pair(store, coders, documents)
    after: tuple[PairFigures, ...] = ()
    if consensus in store.coders():
        after = tuple(_pair(store, [c, consensus], documents) for c in coders)
    used: list[str] = []
    for figures in (before, *after):
        for code, counts in figures.counts.items():
            present = counts.get("both", 0) + counts.get("only_a", 0) + counts.get("only_b", 0)
            if present and code not in used:
                used.append(code)
    order = list(before.percent)
    used.sort(key=lambda k: order.index(k) if k in order else len(order))
    return AgreementSummary(before, after, tuple(used))
