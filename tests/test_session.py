"""The coding session driven directly, without Textual: what each action writes and keeps."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from coder.errors import CoderError
from coder.session import CodingSession
from coder.store import Store

# Paragraph indices in the small project: 0 heading, 1-3 text.
CARE = 2  # "People hear care and assume you did something wrong."


def session_on(store: Store, coder: str = "alice") -> CodingSession:
    session = CodingSession(store, coder)
    session.open(store.documents()[0].id)
    return session


def code_id(store: Store, key: str) -> int:
    return store.code(key).id


def live(store: Store, coder: str = "alice") -> list[tuple[int, int, int | None, int | None]]:
    coder_id = store.coder_id(coder)
    return [(s.paragraph_id, s.code_id, s.start, s.end)
            for s in store.segments(coder_ids=[coder_id])]


def test_toggle_codes_a_paragraph_then_takes_the_code_off(store: Store) -> None:
    session = session_on(store)
    stigma = code_id(store, "stigma")
    paragraph = session.paragraphs[CARE]

    added = session.toggle(CARE, stigma)
    assert added.message == f"saved: Stigma on \u00b6{paragraph.n}"
    assert added.changed == {CARE}
    assert live(store) == [(paragraph.id, stigma, None, None)]
    assert session.is_coded(CARE) and session.counts[stigma] == 1
    assert session.status == "in progress"

    removed = session.toggle(CARE, stigma)
    assert removed.message.startswith("saved: removed Stigma")
    assert live(store) == []
    assert not session.is_coded(CARE) and session.counts[stigma] == 0


def test_a_span_is_saved_and_named_by_its_words(store: Store) -> None:
    session = session_on(store)
    stigma = code_id(store, "stigma")
    text = session.paragraphs[CARE].text
    start = text.index("assume")
    end = start + len("assume you did something wrong")

    outcome = session.toggle(CARE, stigma, start, end)
    assert "\u201cassume you did something wrong\u201d" in outcome.message
    assert live(store) == [(session.paragraphs[CARE].id, stigma, start, end)]
    assert session.applied_codes(CARE, (start, end)) == {stigma}
    assert session.applied_codes(CARE, None) == set()


def test_an_overlapping_span_of_the_same_code_is_refused_and_nothing_is_written(
        store: Store) -> None:
    session = session_on(store)
    stigma = code_id(store, "stigma")
    labels = code_id(store, "labels")
    session.toggle(CARE, stigma, 0, 20)

    with pytest.raises(CoderError, match="overlaps your Stigma"):
        session.toggle(CARE, stigma, 10, 30)
    assert live(store) == [(session.paragraphs[CARE].id, stigma, 0, 20)]
    assert len(session.own[session.paragraphs[CARE].id]) == 1

    session.toggle(CARE, stigma, 20, 30)  # touching is not overlapping
    session.toggle(CARE, labels, 10, 30)  # another code may overlap
    session.toggle(CARE, stigma)  # so may the whole paragraph
    assert len(live(store)) == 4
    other = session_on(store, "bob")
    other.toggle(CARE, stigma, 5, 25)  # and another coder
    assert len(live(store, "bob")) == 1


def test_undo_and_redo_work_after_a_restart(tmp_path: Path, store: Store) -> None:
    session = session_on(store)
    stigma = code_id(store, "stigma")
    session.toggle(CARE, stigma, 0, 6)
    path = store.path
    store.close()

    reopened = Store(path)
    try:
        again = session_on(reopened)
        pid = again.paragraphs[CARE].id
        assert [s.start for s in again.own[pid]] == [0]

        undone = again.undo()
        assert undone.message.startswith("undone: removed Stigma")
        assert undone.paragraph_id == pid and undone.changed == {CARE}
        assert again.own[pid] == [] and live(reopened) == []

        redone = again.redo()
        assert redone.message.startswith("redone: Stigma")
        assert [(s.start, s.end) for s in again.own[pid]] == [(0, 6)]
        assert again.redo().ok is False
    finally:
        reopened.close()


def test_memos_on_a_paragraph_and_on_a_coding(store: Store) -> None:
    session = session_on(store)
    stigma = code_id(store, "stigma")
    pid = session.paragraphs[CARE].id

    assert session.set_paragraph_memo(CARE, "  strong feeling  ").ok
    assert store.paragraph_memo(session.coder_id, pid) == "strong feeling"
    assert session.set_paragraph_memo(CARE, "strong feeling").ok is False
    session.set_paragraph_memo(CARE, "")
    assert store.paragraph_memo(session.coder_id, pid) is None and pid not in session.memos

    session.toggle(CARE, stigma)
    segment = session.own[pid][0]
    outcome = session.set_segment_memo(CARE, segment.id, "labelled at school")
    assert outcome.message == f"saved: memo on Stigma at \u00b6{session.paragraphs[CARE].n}"
    assert store.segment(segment.id).memo == "labelled at school"
    assert session.own[pid][0].memo == "labelled at school"
    with pytest.raises(CoderError):
        session.set_segment_memo(CARE, segment.id + 999, "gone")

    session.undo()
    assert session.own[pid][0].memo is None


def test_next_uncoded_passes_over_headings_and_coded_paragraphs(store: Store) -> None:
    session = session_on(store)
    rows = list(range(len(session.paragraphs)))
    session.toggle(1, code_id(store, "stigma"))

    assert session.next_uncoded(rows, 0, 1) == 2
    assert session.next_uncoded(rows, 3, -1) == 2
    session.toggle(2, code_id(store, "stigma"))
    assert session.next_uncoded(rows, 0, 1) == 3
    assert session.next_uncoded(rows, 3, -1) is None  # only the heading is left above


def test_a_filter_takes_sub_codes_along_and_other_coders_only_when_shown(
        store: Store) -> None:
    stigma, labels = code_id(store, "stigma"), code_id(store, "labels")
    bob = session_on(store, "bob")
    bob.toggle(3, stigma)
    session = session_on(store)
    session.toggle(2, labels)

    assert session.filter_rows(stigma) == [2]
    assert session.filter_rows(labels) == [2]
    assert session.filter_rows(code_id(store, "leaving-care")) == []
    session.set_show_others(True)
    assert session.filter_rows(stigma) == [2, 3]
    assert session.filter_rows(labels) == [2]


def test_done_marks_are_saved_and_undone(store: Store) -> None:
    session = session_on(store)
    doc = session.document
    assert doc is not None

    assert session.toggle_done().message == f"saved: {doc.name} marked done"
    assert store.status(session.coder_id, doc.id) == "done"
    session.toggle_done()
    assert store.status(session.coder_id, doc.id) == "in progress"

    undone = session.undo()
    assert undone.message == f"undone: {doc.name} back to done"
    assert session.status == "done" == store.status(session.coder_id, doc.id)


def test_a_busy_file_keeps_notes_waiting_and_writes_them_once_free(store: Store) -> None:
    session = session_on(store)
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        assert session.note("k", "v") is False
        assert session.pending == {"k": "v"}
        assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == store.busy_timeout_ms
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert session.flush_notes() is True
    assert session.pending == {} and store.get_setting("k") == "v"


def test_the_reading_place_is_remembered_per_document(store: Store) -> None:
    session = session_on(store)
    doc = session.document
    assert doc is not None
    session.remember_position(2)

    again = CodingSession(store, "alice")
    assert again.remembered_document() == doc.id
    again.open(doc.id)
    assert again.remembered_position(doc.id) == 2


def test_the_reading_mark_only_grows_and_waits_with_the_reading_place(store: Store) -> None:
    session = session_on(store)
    doc = session.document
    assert doc is not None
    session.remember_position(CARE)
    assert store.reading_mark(session.coder_id, doc.id) == session.paragraphs[CARE].n
    session.remember_position(0)
    assert session.pending_reach == {}
    assert store.reading_mark(session.coder_id, doc.id) == session.paragraphs[CARE].n
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        session.remember_position(3)
        assert session.pending_reach == {doc.id: session.paragraphs[3].n}
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert session.flush_notes() is True
    assert store.reading_mark(session.coder_id, doc.id) == session.paragraphs[3].n
    again = session_on(store)
    again.remember_position(CARE)
    assert again.pending_reach == {}


@pytest.fixture
def grouped(store: Store) -> Store:
    """'stigma' made exclusive, with a second sub-code beside 'labels'."""
    from coder.exclusive import set_exclusive_groups

    store.add_code("slurs", "Slurs", parent_key="stigma")
    set_exclusive_groups(store, ["stigma"])
    return store


def test_an_exclusive_groups_second_sub_code_replaces_the_first_in_one_undo(grouped: Store
                                                                             ) -> None:
    store = grouped
    session = session_on(store)
    labels, slurs = code_id(store, "labels"), code_id(store, "slurs")
    pid, n = session.paragraphs[CARE].id, session.paragraphs[CARE].n
    text = session.paragraphs[CARE].text
    session.toggle(CARE, labels, 0, 6)
    session.toggle(CARE, labels, 7, 11)

    outcome = session.toggle(CARE, slurs)
    assert outcome.message == (f"saved: Slurs on \u00b6{n}, replacing Labels (Stigma is exclusive:"
                               " one sub-code per paragraph; u undoes both)")
    assert live(store) == [(pid, slurs, None, None)]
    assert [s.code_id for s in session.own[pid]] == [slurs]
    assert session.counts[labels] == 0 and session.counts[slurs] == 1

    undone = session.undo()
    assert undone.message == f"undone: Labels back in place of Slurs on \u00b6{n}"
    assert sorted(live(store)) == [(pid, labels, 0, 6), (pid, labels, 7, 11)]
    assert {s.code_id for s in session.own[pid]} == {labels}
    redone = session.redo()
    assert redone.message == f"redone: Slurs on \u00b6{n}, replacing Labels"
    assert live(store) == [(pid, slurs, None, None)]
    assert text  # the paragraph itself is untouched

    assert session.toggle(CARE, slurs).message.startswith("saved: removed Slurs")
    assert live(store) == []
    stigma = code_id(store, "stigma")
    session.toggle(CARE, labels)
    session.toggle(CARE, stigma)  # the parent is no sub-code: nothing replaced
    assert sorted(c for _, c, _, _ in live(store)) == sorted([labels, stigma])


def test_other_coders_and_other_groups_are_never_replaced(grouped: Store) -> None:
    store = grouped
    bob = session_on(store, "bob")
    labels, slurs = code_id(store, "labels"), code_id(store, "slurs")
    bob.toggle(CARE, labels)
    alice = session_on(store)
    alice.toggle(CARE, code_id(store, "leaving-care"))
    outcome = alice.toggle(CARE, slurs)
    assert "replacing" not in outcome.message
    assert live(store, "bob") == [(bob.paragraphs[CARE].id, labels, None, None)]
    assert len(live(store)) == 2
