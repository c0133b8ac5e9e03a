"""Corrected transcripts and revised codebooks: codings follow, history says so, nothing drops."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import SMALL_CODES, make_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coder.cli import main
from coder.errors import CoderError
from coder.models import Paragraph
from coder.project import import_files, use_codebook
from coder.revisions import (
    carry_forward,
    match_paragraphs,
    parse_moves,
    place_span,
    plan_carry,
    reimport_document,
)
from coder.store import Store

V1 = """# Interview 3

Interviewer: Can you tell me about leaving care?

P3: At 18 the support just stopped. Nobody rang, nobody came round, and the flat was empty.

P3: People hear care and assume you did something wrong, that you must be trouble.

Interviewer: What helped?

P3: My old foster carer kept in touch, she still sends a card every birthday.

P3: Honestly the worst bit was the paperwork.
"""

# Corrected: a line inserted, turn 3 split in two, turn 4 and 6 edited, turn 7 removed.
V2 = """# Interview 3

Interviewer: Can you tell me about leaving care?

Interviewer: (Recording resumed after a break.)

P3: At 18 the support just stopped.

P3: Nobody rang, nobody came round, and the flat was empty.

P3: Well, people hear "care" and assume you did something wrong, that you must be trouble.

Interviewer: What helped?

P3: My old foster carer kept in touch; she still sends a card every birthday.
"""


def _span(store: Store, paragraph_id: int, quote: str) -> tuple[int, int]:
    start = store.paragraph(paragraph_id).text.index(quote)
    return start, start + len(quote)


@pytest.fixture
def coded(tmp_path: Path) -> Store:
    """Interview 3 imported from V1 and coded by three coders."""
    store = Store(tmp_path / "project.db")
    v1 = tmp_path / "interview-3.txt"
    v1.write_text(V1, encoding="utf-8")
    import_files(store, [v1])
    store.sync_codes(SMALL_CODES)
    doc = store.document("interview-3")
    p = {x.n: x.id for x in store.paragraphs(doc.id)}
    alice, bob, carol = (store.coder_id(n) for n in ("alice", "bob", "carol"))
    code = {c.key: c.id for c in store.codes()}
    store.add_segment(alice, p[3], code["leaving-care"])
    store.add_segment(alice, p[3], code["labels"], *_span(store, p[3], "Nobody rang"))
    seg = store.add_segment(alice, p[4], code["stigma"],
                            *_span(store, p[4], "assume you did something wrong"))
    store.set_segment_memo(alice, seg, "key quote")
    store.set_paragraph_memo(alice, p[6], "foster carer as anchor")
    store.add_segment(bob, p[6], code["labels"])
    store.add_segment(bob, p[7], code["stigma"])
    store.add_segment(carol, p[5], code["leaving-care"])
    store.set_status(carol, doc.id, "done")
    yield store
    store.close()


def _v2(tmp_path: Path) -> Path:
    path = tmp_path / "interview-3-corrected.txt"
    path.write_text(V2, encoding="utf-8")
    return path


def _coded(store: Store) -> set[tuple[str, str, int, str]]:
    return {(r.coder, r.code_key, r.n, r.quote) for r in store.segment_rows()}


def test_reimport_carries_every_coding_to_its_paragraph(coded: Store, tmp_path: Path) -> None:
    doc = coded.document("interview-3")
    report = reimport_document(coded, "interview-3", _v2(tmp_path))
    assert report.status == "replaced"
    new = {p.n: p.text for p in coded.paragraphs(doc.id)}
    assert new[4] == "At 18 the support just stopped."
    assert _coded(coded) == {
        # the turn split in two keeps its whole-turn code on both halves
        ("alice", "leaving-care", 4, new[4]),
        ("alice", "leaving-care", 5, new[5]),
        ("alice", "labels", 5, "Nobody rang"),
        ("alice", "stigma", 6, "assume you did something wrong"),
        ("bob", "labels", 8, new[8]),
        ("carol", "leaving-care", 7, "What helped?"),
    }
    c = report.carry
    assert (c.exact, c.close, len(c.unplaced)) == (1, 4, 1)
    assert c.reanchored == 2  # both spans moved inside their paragraph
    assert c.split == 1
    [lost] = c.unplaced
    assert (lost.paragraph, lost.coder, lost.code) == (7, "bob", "stigma")
    assert lost.quote == "Honestly the worst bit was the paperwork."
    [stigma] = [r for r in coded.segment_rows() if r.code_key == "stigma"]
    assert stigma.memo == "key quote"
    para8 = coded.paragraph_at(doc.id, 8).id
    assert coded.paragraph_memo(coded.coder_id("alice"), para8) == "foster carer as anchor"
    assert coded.status(coded.coder_id("carol"), doc.id) == "done"


def test_reimport_keeps_the_old_version_and_all_its_codings(coded: Store, tmp_path: Path) -> None:
    doc = coded.document("interview-3")
    before = {(s["coder_id"], s["code_id"], s["start"], s["end"], s["guid"])
              for s in coded.document_segments(doc.id)}
    report = reimport_document(coded, "interview-3", _v2(tmp_path))
    versions = coded.versions(doc.id)
    assert [v.version for v in versions] == [1, 2]
    old = versions[0].document
    assert old.name == report.old_version == "interview-3 (v1)"
    assert versions[0].superseded_by == doc.id
    after = {(s["coder_id"], s["code_id"], s["start"], s["end"], s["guid"])
             for s in coded.document_segments(old.id)}
    assert after == before  # the unplaced one included
    assert [p.text for p in coded.paragraphs(old.id)][6] == "Honestly the worst bit was the paperwork."
    # hidden from the lists, the exports and the agreement units
    assert [d.name for d in coded.documents()] == ["interview-3"]
    assert {r.document for r in coded.segment_rows()} == {"interview-3"}
    assert {d for d, *_ in coded.paragraph_index()} == {doc.id}
    view = coded.conn.execute("SELECT DISTINCT document FROM coded_text").fetchall()
    assert [r[0] for r in view] == ["interview-3"]
    assert coded.search("paperwork") == []
    assert coded.document("interview-3 (v1)").id == old.id  # still reachable by its name


def test_reimport_is_recorded_backed_up_and_idempotent(coded: Store, tmp_path: Path) -> None:
    report = reimport_document(coded, "interview-3", _v2(tmp_path))
    assert Path(report.backup).exists()
    backed_up = Store(report.backup)
    assert len(backed_up.documents()) == 1 and len(backed_up.segment_rows()) == 6
    backed_up.close()
    [event] = coded.events("reimport")
    assert event["old version"] == "interview-3 (v1)"
    assert event["not placed"][0]["quote"] == "Honestly the worst bit was the paperwork."
    rows = _coded(coded)
    again = reimport_document(coded, "interview-3", _v2(tmp_path))
    assert again.status == "unchanged"
    assert _coded(coded) == rows
    assert len(coded.versions(coded.document("interview-3").id)) == 2


def test_undo_after_reimport_does_not_reach_into_the_hidden_version(
    coded: Store, tmp_path: Path
) -> None:
    reimport_document(coded, "interview-3", _v2(tmp_path))
    rows = _coded(coded)
    alice = coded.coder_id("alice")
    assert coded.undo(alice) is None
    assert _coded(coded) == rows
    p = coded.paragraph_at(coded.document("interview-3").id, 2)
    coded.toggle_segment(alice, p.id, coded.code("stigma").id)
    assert coded.undo(alice)["kind"] == "add"
    assert _coded(coded) == rows


def test_coding_text_that_was_replaced_meanwhile_is_refused(coded: Store, tmp_path: Path) -> None:
    """A coder who had the old version open when someone re-imported it is told, rather than
    coding text nobody will see again."""
    doc = coded.document("interview-3")
    stale = coded.paragraph_at(doc.id, 2).id  # what an open window still holds
    reimport_document(coded, "interview-3", _v2(tmp_path))
    rows = _coded(coded)
    with pytest.raises(CoderError, match="'interview-3' was replaced by a corrected version"):
        coded.toggle_segment(coded.coder_id("alice"), stale, coded.code("stigma").id)
    with pytest.raises(CoderError, match="replaced"):
        coded.add_segment(coded.coder_id("bob"), stale, coded.code("stigma").id, 0, 3)
    assert _coded(coded) == rows


def test_dry_run_reports_and_writes_nothing(coded: Store, tmp_path: Path) -> None:
    rows, events = _coded(coded), coded.events()
    report = reimport_document(coded, "interview-3", _v2(tmp_path), dry_run=True)
    assert report.status == "planned"
    assert (report.carry.exact, report.carry.close, len(report.carry.unplaced)) == (1, 4, 1)
    assert _coded(coded) == rows and coded.events() == events
    assert len(coded.documents(include_superseded=True)) == 1
    assert not coded.backup_dir.exists()


def test_codings_that_land_on_an_old_version_later_are_carried_forward(
    coded: Store, tmp_path: Path
) -> None:
    """What a merge from a copy made before the correction does: its codings arrive on the
    matching (old) version, and carry_forward brings them up, once."""
    doc = coded.document("interview-3")
    reimport_document(coded, "interview-3", _v2(tmp_path))
    old = coded.versions(doc.id)[0].document
    dave = coded.coder_id("dave")
    par5 = coded.paragraph_at(old.id, 5)
    coded.insert_segments(
        [{"paragraph_id": par5.id, "code_id": coded.code("labels").id, "coder_id": dave,
          "start": None, "end": None, "guid": "FROM-DAVES-COPY"}],
        event="merge", detail={},
    )
    before = _coded(coded)
    carry_forward(coded, doc.id)
    assert _coded(coded) == before | {("dave", "labels", 7, "What helped?")}
    carry_forward(coded, doc.id)
    assert len(coded.segment_rows()) == len(before) + 1


def test_replacing_an_old_version_or_with_a_bad_file_is_refused(
    coded: Store, tmp_path: Path
) -> None:
    reimport_document(coded, "interview-3", _v2(tmp_path))
    with pytest.raises(CoderError, match="older version of 'interview-3'"):
        reimport_document(coded, "interview-3 (v1)", _v2(tmp_path))
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    rows = _coded(coded)
    with pytest.raises(CoderError, match="empty"):
        reimport_document(coded, "interview-3", empty)
    assert _coded(coded) == rows


def test_cli_import_replace_prints_what_stayed_behind(coded: Store, tmp_path: Path) -> None:
    path = str(coded.path)
    coded.close()
    result = CliRunner().invoke(
        main, ["import", "--replace", "interview-3", str(_v2(tmp_path)), "--db", path])
    assert result.exit_code == 0, result.output
    assert "carried 5 coding(s): 1 to identical paragraphs, 4 to edited ones" in result.output
    assert "1 coding(s) could not be placed" in result.output
    assert "1 coding(s) of a paragraph now split in two or more went to each" in result.output
    assert "paragraph 7, bob, stigma" in result.output
    other = tmp_path / "another.txt"
    other.write_text("P1: A different interview altogether.\n", encoding="utf-8")
    clash = CliRunner().invoke(main, ["import", str(other), "--name", "interview-3",
                                      "--db", path])
    assert clash.exit_code == 2
    assert "--replace 'interview-3'" in clash.output


# -- matching, unit by unit -----------------------------------------------------------


def test_moved_paragraph_matches_exactly_and_a_short_reply_is_not_swallowed() -> None:
    old = ["Intro", "Yes.", "A long answer about leaving care at eighteen.", "Outro"]
    new = ["Intro", "Outro", "A long answer about leaving care at eighteen.",
           "Yes, and also a long answer about something else entirely."]
    m = match_paragraphs(old, new)
    assert m[2].new_index == 2 and m[2].how == "exact"
    assert 1 not in m  # "Yes." is inside the last paragraph, but too short to count


def test_joined_paragraphs_both_map_to_the_joined_one() -> None:
    old = ["Heading", "First half of a turn that was cut.", "Second half of that same turn."]
    new = ["Heading", "First half of a turn that was cut. Second half of that same turn."]
    m = match_paragraphs(old, new)
    assert (m[1].new_index, m[2].new_index) == (1, 1)


def test_place_span_follows_the_quote_or_gives_up() -> None:
    old = "She said the support just stopped at eighteen."
    assert old[9:33] == "the support just stopped"
    assert place_span(old, 9, 33, "Honestly, she said the support just stopped at 18.") == (19, 43)
    edited = "She said the suport just stoped at eighteen."  # a typo in the quote itself
    start, end = place_span(old, 9, 33, edited)
    assert edited[start:end] == "the suport just stoped"
    assert place_span(old, 9, 33, "Something else altogether was discussed.") is None


@st.composite
def _revision(draw: st.DrawFn) -> tuple[list[str], list[str], list[tuple[int, int, int]]]:
    words = st.sampled_from("care support home school stopped nobody rang the a was".split())
    para = st.lists(words, min_size=1, max_size=12).map(" ".join)
    old = draw(st.lists(para, min_size=1, max_size=8))
    new = list(old)
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["insert", "delete", "edit", "split"]))
        if op == "insert" or not new:
            new.insert(draw(st.integers(0, len(new))), draw(para))
            continue
        i = draw(st.integers(0, len(new) - 1))
        if op == "delete":
            del new[i]
        elif op == "edit":
            new[i] = new[i] + " " + draw(para)
        else:
            cut = len(new[i]) // 2
            new[i:i + 1] = [new[i][:cut], new[i][cut:]]
    segments = []
    for i, text in enumerate(old):
        a = draw(st.integers(0, len(text) - 1))
        b = draw(st.integers(a + 1, len(text)))
        segments.append((i, a, b))
        segments.append((i, -1, -1))
    return old, new, segments


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_revision())
def test_every_segment_is_carried_with_its_quote_or_listed(case) -> None:
    old_texts, new_texts, spans = case
    old = [Paragraph(i + 1, 1, i + 1, "text", None, t) for i, t in enumerate(old_texts)]
    new = [Paragraph(100 + j, 2, j + 1, "text", None, t) for j, t in enumerate(new_texts)]
    segments = [
        {"id": k, "paragraph_id": i + 1, "start": None if a < 0 else a,
         "end": None if a < 0 else b}
        for k, (i, a, b) in enumerate(spans)
    ]
    placed, unplaced = plan_carry(old, new, segments)
    assert {p.segment["id"] for p in placed} | {u[0]["id"] for u in unplaced} == {
        s["id"] for s in segments}
    assert not {p.segment["id"] for p in placed} & {u[0]["id"] for u in unplaced}
    for p in placed:
        seg = p.segment
        if seg["start"] is None:
            assert p.start is None
            continue
        quote = old_texts[seg["paragraph_id"] - 1][seg["start"]:seg["end"]]
        got = p.paragraph.text[p.start:p.end]
        assert 0 <= p.start < p.end <= len(p.paragraph.text)
        if p.paragraph.text == old_texts[seg["paragraph_id"] - 1]:
            assert (p.start, p.end) == (seg["start"], seg["end"])
        assert got == quote or _close(got, quote)


def _close(a: str, b: str) -> bool:
    import difflib

    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.75


# -- codebook revisions -------------------------------------------------------------------


def _code_of(store: Store, segment_id: int) -> str:
    return next(c.key for c in store.codes(include_retired=True)
                if c.id == store.segment(segment_id).code_id)


def test_rename_keeps_segments_and_old_key_still_resolves(store: Store) -> None:
    seg = store.add_segment(store.coder_id("alice"), store.paragraphs(1)[2].id,
                            store.code("stigma").id)
    codes = [dict(SMALL_CODES[0], key="stigma-care", name="Care stigma",
                  renamed_from=["stigma"]), dict(SMALL_CODES[1], parent_key="stigma-care"),
             SMALL_CODES[2]]
    report = store.sync_codes(codes)
    assert report["renamed"] == ["stigma -> stigma-care"]
    assert _code_of(store, seg) == "stigma-care"
    assert store.resolve_code("stigma").key == "stigma-care"
    assert store.code_key_map()["stigma"] == store.code("stigma-care").id
    assert store.code("labels").path == "Care stigma/Labels"
    [event] = store.events("codebook")[-1:]
    assert event["renamed"] == ["stigma -> stigma-care"] and Path(event["backup"]).exists()


def test_renamed_from_an_existing_code_merges_it(store: Store) -> None:
    alice, bob = store.coder_id("alice"), store.coder_id("bob")
    p = store.paragraphs(1)
    labels, stigma = store.code("labels").id, store.code("stigma").id
    moved = store.add_segment(alice, p[1].id, labels)
    dup = store.add_segment(bob, p[2].id, labels, memo="bob's note")
    kept = store.add_segment(bob, p[2].id, stigma, memo="first note")
    codes = [dict(SMALL_CODES[0], renamed_from=["labels"]), SMALL_CODES[2]]
    report = store.sync_codes(codes)
    assert report["merged"] == ["labels -> stigma (2 segments)"]
    assert report["renamed"] == [] and report["retired"] == []
    assert _code_of(store, moved) == "stigma"
    assert store.segment(kept).memo == "first note\n\nbob's note"
    deleted = store.conn.execute("SELECT deleted_at FROM segments WHERE id = ?", (dup,))
    assert deleted.fetchone()[0] is not None  # folded into bob's identical coding, still in file
    assert sorted((r.coder, r.code_key, r.n) for r in store.segment_rows()) == [
        ("alice", "stigma", 2), ("bob", "stigma", 3)]
    assert store.resolve_code("labels").key == "stigma"
    assert "labels" not in {c.key for c in store.codes()}
    assert store.events("codebook")[-1]["merged"] == ["labels -> stigma (2 segments)"]


def test_dropping_a_code_in_use_is_refused_until_told_where_segments_go(store: Store) -> None:
    seg = store.add_segment(store.coder_id("alice"), store.paragraphs(1)[3].id,
                            store.code("labels").id)
    without = [SMALL_CODES[0], SMALL_CODES[2]]
    with pytest.raises(CoderError, match=r"--move labels=OTHER-KEY"):
        store.sync_codes(without)
    assert not store.backup_dir.exists()
    report = store.sync_codes(without, moves={"labels": "leaving-care"})
    assert report["merged"] == ["labels -> leaving-care (1 segment)"]
    assert _code_of(store, seg) == "leaving-care"


@pytest.mark.parametrize(("moves", "message"), [
    ({"nope": "stigma"}, "no code 'nope'"),
    ({"labels": "absent"}, "'absent' is not in the codebook"),
    ({"stigma": "leaving-care"}, "'stigma' is still in the codebook"),
    ({"labels": "labels"}, "into itself"),
])
def test_bad_moves_are_refused_before_anything_changes(store: Store, moves, message) -> None:
    store.add_segment(store.coder_id("alice"), store.paragraphs(1)[3].id, store.code("labels").id)
    codes = [SMALL_CODES[0], SMALL_CODES[2]] if "labels" in moves else SMALL_CODES
    with pytest.raises(CoderError, match=message):
        store.sync_codes(codes, moves=moves)
    assert [c.key for c in store.codes()] == ["stigma", "labels", "leaving-care"]


def test_moving_a_code_under_another_parent_keeps_segments_and_says_so(store: Store) -> None:
    seg = store.add_segment(store.coder_id("alice"), store.paragraphs(1)[3].id,
                            store.code("labels").id)
    codes = [SMALL_CODES[0], dict(SMALL_CODES[1], parent_key="leaving-care"), SMALL_CODES[2]]
    report = store.sync_codes(codes)
    assert report["reparented"] == ["labels: stigma -> leaving-care"]
    assert store.code("labels").path == "Leaving care/Labels"
    assert _code_of(store, seg) == "labels"
    assert store.events("codebook")[-1]["reparented"] == ["labels: stigma -> leaving-care"]


def test_retiring_an_unused_code_keeps_it_in_the_file(store: Store) -> None:
    report = store.sync_codes([SMALL_CODES[0], SMALL_CODES[2]])
    assert report["retired"] == ["labels"]
    assert "labels" in {c.key for c in store.codes(include_retired=True)}
    assert store.events("codebook")[-1]["retired"] == ["labels"]
    back = store.sync_codes(SMALL_CODES)
    assert back["updated"] == ["labels"] and "labels" in {c.key for c in store.codes()}
    [change] = store.events("codebook")[-1]["updated"]
    assert change.startswith("labels: brought back from retirement")


def test_history_says_what_an_edit_changed_in_a_code(store: Store) -> None:
    seg = store.add_segment(store.coder_id("alice"), store.paragraphs(1)[3].id,
                            store.code("stigma").id)
    old_name = store.code("stigma").name
    edited = [dict(SMALL_CODES[0], name="Being judged", definition="Reworded.", shortcut="Z"),
              *SMALL_CODES[1:]]
    report = store.sync_codes(edited)
    [change] = report["changed"]
    assert change.startswith(f"stigma: name {old_name!r} -> 'Being judged'; shortcut ")
    assert change.endswith(" -> Z; definition changed")
    assert _code_of(store, seg) == "stigma"
    result = CliRunner().invoke(main, ["history", "--db", str(store.path), "-n", "1"])
    assert f"name {old_name!r} -> 'Being judged'" in result.output


def test_first_codebook_load_takes_no_backup_and_a_change_does(tmp_path: Path) -> None:
    store = make_project(tmp_path / "p.db")
    assert not store.backup_dir.exists()
    store.sync_codes(SMALL_CODES)  # unchanged: no backup, no event
    assert not store.backup_dir.exists()
    events = len(store.events("codebook"))
    store.sync_codes([dict(SMALL_CODES[0], name="Stigma (revised)"), *SMALL_CODES[1:]])
    assert len(store.backups()) == 1 and len(store.events("codebook")) == events + 1


def test_redo_of_a_coding_on_a_merged_code_lands_on_the_target(store: Store) -> None:
    alice = store.coder_id("alice")
    seg = store.add_segment(alice, store.paragraphs(1)[1].id, store.code("labels").id)
    store.undo(alice)
    store.sync_codes([dict(SMALL_CODES[0], renamed_from=["labels"]), SMALL_CODES[2]])
    store.redo(alice)
    assert _code_of(store, seg) == "stigma"
    assert [(r.code_key, r.n) for r in store.segment_rows()] == [("stigma", 2)]


def test_codebook_use_from_yaml_with_move(tmp_path: Path) -> None:
    store = make_project(tmp_path / "p.db")
    store.add_segment(store.coder_id("alice"), store.paragraphs(1)[2].id, store.code("labels").id)
    book = tmp_path / "book.yaml"
    book.write_text(
        "name: Test\ncodes:\n"
        "  - key: stigma\n    name: Stigma\n"
        "  - key: leaving-care\n    name: Leaving care\n",
        encoding="utf-8",
    )
    with pytest.raises(CoderError, match="'Labels' \\(labels\\) is used by 1 segment"):
        use_codebook(store, book)
    path = str(store.path)
    store.close()
    result = CliRunner().invoke(main, ["codebook", "use", str(book), "--move", "labels=stigma",
                                       "--db", path])
    assert result.exit_code == 0, result.output
    assert "merged: labels -> stigma (1 segment)" in result.output
    history = CliRunner().invoke(main, ["history", "--kind", "codebook", "--json", "--db", path])
    last = json.loads(history.output.splitlines()[-1])
    assert last["merged"] == ["labels -> stigma (1 segment)"]
    with Store(path) as again:
        assert [r.code_key for r in again.segment_rows()] == ["stigma"]


def test_parse_moves() -> None:
    assert parse_moves(["a=b", " c = d "]) == {"a": "b", "c": "d"}
    for bad in (["a"], ["=b"], ["a="]):
        with pytest.raises(CoderError, match="OLD-KEY=TARGET-KEY"):
            parse_moves(bad)
    with pytest.raises(CoderError, match="both"):
        parse_moves(["a=b", "a=c"])


def test_a_new_code_may_take_the_key_a_renamed_code_had(store: Store) -> None:
    renamed = [dict(SMALL_CODES[0], key="stigma-2", renamed_from=["stigma"]), *SMALL_CODES[1:]]
    renamed[1] = dict(renamed[1], parent_key="stigma-2")
    store.sync_codes(renamed)
    store.sync_codes([*renamed, {"key": "stigma", "name": "Stigma again"}])
    store.add_code("labels-2", "Labels again")
    guids = [c.guid for c in store.codes(include_retired=True)]
    assert len(guids) == len(set(guids)) == 5
    assert store.code("stigma").name == "Stigma again"
