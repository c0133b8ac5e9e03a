"""The review queue and its decisions, driven straight through `coder.reconcile`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import make_project

from coder.cli import main
from coder.errors import CoderError
from coder.models import ParagraphIn, ParsedDocument
from coder.reconcile import Mark, Review, build_queue
from coder.store import Store


@pytest.fixture
def coded(tmp_path: Path) -> Store:
    """notes: heading, ¶2 agreed (stigma), ¶3 stigma disputed (labels agreed, A whole, B span),
    ¶4 leaving-care disputed (B's span "At 18"). extra: ¶1 labels (A) vs leaving-care (B).
    only-alice: coded by alice alone. alice also coded the heading."""
    store = make_project(tmp_path / "p.db")
    store.add_document("extra", ParsedDocument("text", [
        ParagraphIn("Housing was the hardest part, then money.", speaker="P5"),
        ParagraphIn("Nothing to see here.", speaker="P5"),
    ]), source_path=None, content_hash="h-extra")
    store.add_document("only-alice", ParsedDocument("text", [ParagraphIn("Alice alone.")]),
                       source_path=None, content_hash="h-alone")
    a, b = store.coder_id("alice"), store.coder_id("bob")
    stigma, labels, leaving = (store.code(k).id for k in ("stigma", "labels", "leaving-care"))
    notes = store.paragraphs(1)
    store.add_segment(a, notes[0].id, stigma)
    store.add_segment(a, notes[1].id, stigma)
    store.add_segment(b, notes[1].id, stigma)
    store.add_segment(a, notes[2].id, stigma)
    store.add_segment(a, notes[2].id, labels)
    store.add_segment(b, notes[2].id, labels, 0, 6)
    store.add_segment(b, notes[3].id, leaving, 0, 5)
    extra = store.paragraphs(2)
    store.add_segment(a, extra[0].id, labels)
    store.add_segment(b, extra[0].id, leaving, 0, 7)
    store.set_status(a, 2, "done")
    store.add_segment(a, store.paragraphs(3)[0].id, stigma)
    store.raise_reading_mark(a, 1, len(notes))
    store.raise_reading_mark(b, 2, len(extra))
    return store


def coder_rows(store: Store, *coders: str) -> list[tuple]:
    """Every segment row of these coders, deleted ones included, straight from the file."""
    with sqlite3.connect(store.path) as conn:
        return conn.execute(
            "SELECT s.* FROM segments s JOIN coders c ON c.id = s.coder_id"
            f" WHERE c.name IN ({','.join('?' * len(coders))}) ORDER BY s.id", coders,
        ).fetchall()


def consensus(store: Store, name: str = "consensus") -> set[tuple[str, int, str, str | None]]:
    return {(r.document, r.n, r.code_key, r.quote if r.start is not None else None)
            for r in store.segment_rows(coders=[name])}


def test_queue_lists_the_paragraphs_whose_code_sets_differ(coded: Store) -> None:
    queue = build_queue(coded, "alice", "bob")
    assert [(i.document, i.n, i.disputed) for i in queue.items] == [
        ("notes", 3, ("stigma",)),
        ("notes", 4, ("leaving-care",)),
        ("extra", 1, ("labels", "leaving-care")),
    ]
    assert queue.document_names == ["notes", "extra"]
    assert queue.n_units == 5
    p3 = queue.items[0]
    assert p3.speaker == "P2" and p3.agreed == {"labels"}
    assert Mark("labels", 0, 6) in p3.b and p3.b[0].quote(p3.text) == "People"
    assert any("only-alice" in note and "only alice" in note for note in queue.left_out)
    assert any("heading" in note for note in queue.left_out)


def test_begin_copies_agreed_codes_once(coded: Store) -> None:
    review = Review.open(coded, "alice", "bob")
    assert "consensus" not in coded.coders()
    assert review.begin() == 2
    # labels: alice coded the whole paragraph, bob a span of it, so the consensus has it all
    assert consensus(coded) == {("notes", 2, "stigma", None), ("notes", 3, "labels", None)}
    assert review.begin() == 0
    again = Review.open(Store(coded.path), "alice", "bob")
    assert again.begin() == 0 and again.copied == 2
    assert len(coded.events("review agreed")) == 1


def test_agreed_spans_are_joined(coded: Store) -> None:
    a, b = coded.coder_id("alice"), coded.coder_id("bob")
    p = coded.paragraphs(1)[3]  # "At 18 the support just stopped."
    stigma = coded.code("stigma").id
    coded.add_segment(a, p.id, stigma, 0, 9)
    coded.add_segment(b, p.id, stigma, 6, 17)
    coded.add_segment(b, p.id, stigma, 24, 31)
    Review.open(coded, "alice", "bob").begin()
    spans = sorted((r.start, r.end) for r in coded.segment_rows(coders=["consensus"])
                   if r.paragraph_id == p.id and r.code_key == "stigma")
    assert spans == [(0, 17), (24, 31)]


@pytest.mark.parametrize(("decision", "expected"), [
    ("a", {("extra", 1, "labels", None)}),
    ("b", {("extra", 1, "leaving-care", "Housing")}),
    ("both", {("extra", 1, "labels", None), ("extra", 1, "leaving-care", "Housing")}),
    ("neither", set()),
])
def test_each_decision_sets_the_consensus_codes(coded: Store, decision: str,
                                                expected: set) -> None:
    review = Review.open(coded, "alice", "bob")
    review.begin()
    index = review.index_of[coded.paragraphs(2)[0].id]
    made = review.decide(index, decision)
    assert {r for r in consensus(coded) if r[0] == "extra"} == expected
    assert review.decided_count == 1 and review.decision(made.paragraph_id) == made
    [event] = coded.events("review decision")
    assert event["decision"] == decision and event["paragraph_id"] == made.paragraph_id
    assert event["coders"] == ["alice", "bob"] and event["consensus"] == "consensus"


def test_custom_choice_and_deciding_again(coded: Store) -> None:
    review = Review.open(coded, "alice", "bob")
    review.begin()
    index = review.index_of[coded.paragraphs(2)[0].id]
    review.decide(index, "custom", ["leaving-care"])
    assert {r[2] for r in consensus(coded) if r[0] == "extra"} == {"leaving-care"}
    review.decide(index, "a")
    assert {r[2] for r in consensus(coded) if r[0] == "extra"} == {"labels"}
    assert review.decided_count == 1
    with pytest.raises(CoderError, match="not in dispute"):
        review.decide(index, "custom", ["stigma"])


def test_the_two_coders_are_never_touched(coded: Store) -> None:
    before = coder_rows(coded, "alice", "bob")
    review = Review.open(coded, "alice", "bob")
    review.begin()
    for i, decision in enumerate(("a", "both", "neither")):
        review.decide(i, decision)
    review.decide(2, "b")
    review.undo()
    review.undo()
    assert coder_rows(coded, "alice", "bob") == before
    assert coder_rows(coded, "consensus")


def test_resume_after_reopening(coded: Store) -> None:
    review = Review.open(coded, "alice", "bob")
    review.begin()
    review.decide(0, "a")
    with Store(coded.path) as other:
        again = Review.open(other, "alice", "bob")
        assert again.decided_count == 1 and again.total == 3
        assert again.next_undecided() == 1
        assert again.decision(again.items[0].paragraph_id).decision == "a"
        again.decide(1, "b")
        again.decide(2, "both")
        assert again.next_undecided() is None
    # the same pair given the other way round is the same review
    swapped = Review.open(Store(coded.path), "bob", "alice")
    assert swapped.decided_count == 3
    # another consensus name is another review
    assert Review.open(coded, "alice", "bob", consensus="second-pass").decided_count == 0


def test_undo_restores_the_paragraph_and_survives_a_restart(coded: Store) -> None:
    review = Review.open(coded, "alice", "bob")
    review.begin()
    start = consensus(coded)
    review.decide(2, "both")
    review.decide(2, "a")
    undone = review.undo()
    assert undone is not None and undone.decision == "a"
    assert review.decision(undone.paragraph_id).decision == "both"
    assert {r[2] for r in consensus(coded) if r[0] == "extra"} == {"labels", "leaving-care"}
    with Store(coded.path) as other:
        again = Review.open(other, "alice", "bob")
        assert again.decision(undone.paragraph_id).decision == "both"
        assert again.undo().decision == "both"
        assert again.undo() is None
    assert consensus(coded) == start
    assert Review.open(coded, "alice", "bob").decided_count == 0


def test_consensus_status_follows_the_decisions(coded: Store) -> None:
    review = Review.open(coded, "alice", "bob")
    review.begin()
    cid = coded.coder_id("consensus")
    review.decide(2, "neither")
    assert coded.status(cid, 2) == "done"
    assert coded.status(cid, 1) == "in progress"
    review.undo()
    assert coded.status(cid, 2) != "done"


def test_agreement_before_and_after(coded: Store) -> None:
    review = Review.open(coded, "alice", "bob")
    review.begin()
    for i in range(review.total):
        review.decide(i, "a")
    summary = review.agreement()
    before = summary.before
    assert before.coders == ("alice", "bob") and before.n_units == 5
    # stigma: alice ¶2 ¶3, bob ¶2 → 4 of 5 paragraphs agree
    assert before.percent["stigma"].value == pytest.approx(4 / 5)
    after_a, after_b = summary.after
    assert after_a.coders == ("alice", "consensus")
    assert all(m.value == 1.0 for m in after_a.percent.values())
    assert after_a.alpha.value == pytest.approx(1.0)
    assert after_b.percent["stigma"].value == pytest.approx(4 / 5)
    assert set(summary.codes) == {"stigma", "labels", "leaving-care"}


def test_errors(coded: Store) -> None:
    with pytest.raises(CoderError, match="given twice"):
        Review.open(coded, "alice", "alice")
    with pytest.raises(CoderError, match="no coder 'zed'"):
        Review.open(coded, "alice", "zed")
    with pytest.raises(CoderError, match="choose another name"):
        Review.open(coded, "alice", "bob", consensus="bob")
    with pytest.raises(CoderError, match="no document"):
        Review.open(coded, "alice", "bob", document="nope")


def test_cli_list(coded: Store) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["review", "alice", "bob", "--list", "--db", str(coded.path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("3 disagreement(s) between alice and bob")
    assert lines[1] == "notes ¶3 (P2)\talice: labels; stigma\tbob: labels “People”\tundecided"
    assert lines[2] == "notes ¶4 (P3)\talice: —\tbob: leaving-care “At 18”\tundecided"
    assert any(line.startswith("left out: only-alice") for line in lines)
    assert "consensus" not in coded.coders()
    review = Review.open(coded, "alice", "bob")
    review.begin()
    review.decide(0, "b")
    result = runner.invoke(main, ["review", "alice", "bob", "--list", "--document", "notes",
                                  "--db", str(coded.path)])
    assert result.stdout.splitlines()[1].endswith("\ttook bob's")
    assert "extra" not in result.stdout


def test_cli_errors_and_nothing_to_do(coded: Store, tmp_path: Path) -> None:
    runner = CliRunner()
    db = ["--db", str(coded.path)]
    result = runner.invoke(main, ["review", "alice", "alice", *db])
    assert result.exit_code == 2 and "given twice" in result.stderr
    result = runner.invoke(main, ["review", "alice", "zed", *db])
    assert result.exit_code == 2 and "no coder 'zed'" in result.stderr
    result = runner.invoke(main, ["review", "alice", "bob", "--as", "alice", *db])
    assert result.exit_code == 2 and "choose another name" in result.stderr
    carol = coded.coder_id("carol")
    coded.add_segment(carol, coded.paragraphs(3)[0].id, coded.code("stigma").id)
    result = runner.invoke(main, ["review", "alice", "carol", "--document", "notes", *db])
    assert result.exit_code == 0 and "no document in common" in result.stdout
    result = runner.invoke(main, ["review", "alice", "carol", *db])
    assert result.exit_code == 0 and "agree on every one of the 1 paragraphs" in result.stdout


# -- the outcome always goes to a coder of its own ----------------------------------------

def file_state(store: Store) -> tuple[list[tuple], list[tuple], int]:
    with sqlite3.connect(store.path) as conn:
        return (conn.execute("SELECT * FROM segments ORDER BY id").fetchall(),
                conn.execute("SELECT * FROM document_status ORDER BY 1, 2").fetchall(),
                conn.execute("SELECT count(*) FROM events").fetchone()[0])


def test_a_coder_with_work_of_their_own_is_never_the_target(coded: Store) -> None:
    carol = coded.coder_id("carol")
    coded.add_segment(carol, coded.paragraphs(1)[3].id, coded.code("stigma").id)
    before = file_state(coded)
    with pytest.raises(CoderError, match="work of their own"):
        Review(coded, build_queue(coded, "alice", "bob"), "carol")
    result = CliRunner().invoke(main, ["review", "alice", "bob", "--as", "carol",
                                       "--db", str(coded.path)])
    assert result.exit_code == 2
    assert "'carol' is a coder with work of their own (1 coding(s)" in result.stderr
    assert "choose a name not in use (--as NAME)" in result.stderr
    assert file_state(coded) == before
    dave = coded.coder_id("dave")
    coded.set_status(dave, 2, "done")  # marked done with no codings: work all the same
    with pytest.raises(CoderError, match=r"0 coding\(s\), 1 document\(s\) marked"):
        Review.open(coded, "alice", "bob", consensus="dave")


def test_a_coder_with_nothing_of_their_own_may_hold_the_outcome(coded: Store) -> None:
    coded.coder_id("erin")  # known to the project, never coded
    review = Review.open(coded, "alice", "bob", consensus="erin")
    assert review.begin() == 2
    assert consensus(coded, "erin") == {("notes", 2, "stigma", None),
                                        ("notes", 3, "labels", None)}


def test_the_consensus_of_the_same_pair_resumes_that_of_another_is_refused(coded: Store) -> None:
    review = Review.open(coded, "alice", "bob")
    review.begin()
    review.decide(0, "a")
    again = Review.open(Store(coded.path), "bob", "alice")
    assert again.decided_count == 1
    carol = coded.coder_id("carol")
    coded.add_segment(carol, coded.paragraphs(1)[2].id, coded.code("stigma").id)
    before = file_state(coded)
    with pytest.raises(CoderError, match="holds the outcome of the review of alice and bob, "
                                         "not of alice and carol"):
        Review.open(coded, "alice", "carol")
    assert file_state(coded) == before


def test_a_review_that_copied_nothing_still_resumes(coded: Store) -> None:
    """Alice and bob agree on no code in 'extra', so beginning there copies nothing but still
    marks the consensus coder as this review's: its status marks are no bar to resuming."""
    coded.add_document("quiet", ParsedDocument("text", [ParagraphIn("Nothing said.")]),
                       source_path=None, content_hash="h-quiet")
    for name in ("alice", "bob"):
        coded.set_status(coded.coder_id(name), 4, "done")
    review = Review.open(coded, "alice", "bob", document="extra")
    assert review.begin() == 0
    Review.open(coded, "alice", "bob", document="quiet").begin()
    cid = coded.coder_id("consensus", create=False)
    assert coded.status(cid, 4) == "done" and not coded.segments(coder_ids=[cid])
    assert Review.open(coded, "alice", "bob", document="extra").total == 1
