from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import SMALL_CODES, make_project

from coder.cli import main
from coder.errors import CoderError
from coder.merge import merge_project
from coder.models import ParagraphIn, ParsedDocument
from coder.store import Store


def coded_copy(tmp_path: Path, name: str, coder: str, paragraph: int, code: str) -> Store:
    store = make_project(tmp_path / f"{name}.db")
    p = store.paragraphs(1)[paragraph - 1]
    store.add_segment(store.coder_id(coder), p.id, store.code(code).id)
    return store


def test_merge_brings_the_other_coder_in_and_twice_changes_nothing(tmp_path: Path) -> None:
    alice = coded_copy(tmp_path, "alice", "alice", 3, "stigma")
    bob = coded_copy(tmp_path, "bob", "bob", 3, "labels")
    bob.set_status(bob.coder_id("bob"), 1, "done")
    bob.close()
    report = merge_project(alice, tmp_path / "bob.db")
    assert (report.segments_added, report.documents_matched) == (1, 1)
    assert Path(report.backup).exists()
    rows = sorted((r.coder, r.code_key, r.n) for r in alice.segment_rows())
    assert rows == [("alice", "stigma", 3), ("bob", "labels", 3)]
    assert alice.status(alice.coder_id("bob"), 1) == "done"
    again = merge_project(alice, tmp_path / "bob.db")
    assert (again.segments_added, again.segments_skipped) == (0, 1)
    assert len(alice.segment_rows()) == 2


def test_merge_matches_documents_by_text_not_name(tmp_path: Path) -> None:
    alice = coded_copy(tmp_path, "alice", "alice", 2, "stigma")
    bob = coded_copy(tmp_path, "bob", "bob", 4, "leaving-care")
    bob.conn.execute("UPDATE documents SET name = 'renamed-by-bob'")
    bob.close()
    merge_project(alice, tmp_path / "bob.db")
    assert [d.name for d in alice.documents()] == ["notes"]
    assert {(r.document, r.coder) for r in alice.segment_rows()} == {
        ("notes", "alice"), ("notes", "bob")}


def test_merge_never_overwrites_the_same_coder_in_both_copies(tmp_path: Path) -> None:
    alice = coded_copy(tmp_path, "alice", "alice", 2, "stigma")
    alice.backup(tmp_path / "laptop.db")
    laptop = Store(tmp_path / "laptop.db")
    laptop.add_segment(laptop.coder_id("alice"), laptop.paragraphs(1)[3].id,
                       laptop.code("labels").id)
    laptop.close()
    alice.toggle_segment(alice.coder_id("alice"), alice.paragraphs(1)[1].id,
                         alice.code("stigma").id)  # alice removes it here meanwhile
    report = merge_project(alice, tmp_path / "laptop.db")
    assert report.segments_added == 1
    assert {(r.code_key, r.n) for r in alice.segment_rows()} == {("labels", 4)}


def test_merge_adds_missing_codes_with_their_parents(tmp_path: Path) -> None:
    alice = make_project(tmp_path / "alice.db")
    bob = make_project(tmp_path / "bob.db")
    bob.add_code("photos", "Photos", parent_key="stigma")
    bob.add_segment(bob.coder_id("bob"), bob.paragraphs(1)[2].id, bob.code("photos").id)
    bob.close()
    alice.sync_codes([{"key": "leaving-care", "name": "Leaving care"}])  # stigma retired, unused
    report = merge_project(alice, tmp_path / "bob.db")
    assert report.codes_added == ["photos"]
    assert alice.code("photos").path == "Stigma/Photos"
    assert alice.code("photos").guid == Store(tmp_path / "bob.db").code("photos").guid


def test_merge_errors_are_clear_and_change_nothing(tmp_path: Path) -> None:
    alice = make_project(tmp_path / "alice.db")
    with pytest.raises(CoderError, match="no such project file"):
        merge_project(alice, tmp_path / "absent.db")
    with pytest.raises(CoderError, match="into itself"):
        merge_project(alice, tmp_path / "alice.db")
    make_project(tmp_path / "empty.db").close()
    with pytest.raises(CoderError, match="no codings"):
        merge_project(alice, tmp_path / "empty.db")
    assert not (tmp_path / "alice.db.backups").exists()


# -- a coder's whole state: done marks, removals, memo edits --------------------------------

def raw_segments(store: Store, coder: str) -> list[tuple[str, str | None, str | None]]:
    """(guid, memo, deleted_at) of every segment of a coder, removed ones included."""
    return sorted(
        (r["guid"], r["memo"], r["deleted_at"]) for r in store.conn.execute(
            "SELECT s.* FROM segments s JOIN coders c ON c.id = s.coder_id WHERE c.name = ?",
            (coder,))
    )


def run_merge(tmp_path: Path, other: str, *args: str) -> str:
    result = CliRunner().invoke(
        main, ["merge", str(tmp_path / other), *args, "--db", str(tmp_path / "alice.db")])
    assert result.exit_code == 0, result.output
    return result.stdout


def agreement_units(tmp_path: Path) -> int:
    result = CliRunner().invoke(main, ["agree", "--coders", "alice,bob", "--json",
                                       "--db", str(tmp_path / "alice.db")])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["n_units"]


def test_a_document_marked_done_without_codings_is_merged(tmp_path: Path) -> None:
    alice = coded_copy(tmp_path, "alice", "alice", 3, "stigma")
    alice.set_status(alice.coder_id("alice"), 1, "done")
    bob = make_project(tmp_path / "bob.db")
    bob.set_status(bob.coder_id("bob"), 1, "done")  # nothing in it applies, says bob
    bob.add_document("bob-only", ParsedDocument("text", [ParagraphIn("Only in bob's copy.")]),
                     source_path=None, content_hash="h-bob")
    bob.set_status(bob.coder_id("bob"), 2, "done")
    bob.close()
    out = run_merge(tmp_path, "bob.db")
    assert "0 segment(s) added" in out and "2 document status(es) brought in" in out
    assert "1 added (bob-only)" in out
    bob_id = alice.coder_id("bob", create=False)
    assert alice.status(bob_id, 1) == "done"
    assert alice.status(bob_id, alice.document("bob-only").id) == "done"
    assert agreement_units(tmp_path) == 3  # notes' three non-heading paragraphs
    assert "status" not in run_merge(tmp_path, "bob.db")


def test_status_never_goes_back_and_follows_the_coder_filter(tmp_path: Path) -> None:
    alice = make_project(tmp_path / "alice.db")
    alice.backup(tmp_path / "bob.db")
    bob = Store(tmp_path / "bob.db")
    bob.set_status(bob.coder_id("bob"), 1, "in progress")
    bob.set_status(bob.coder_id("carol"), 1, "done")
    bob.close()
    report = merge_project(alice, tmp_path / "bob.db", coders=["bob"])
    assert report.coders == ["bob"] and report.statuses_set == 1
    assert alice.status(alice.coder_id("bob"), 1) == "in progress"
    assert "carol" not in alice.coders()
    alice.set_status(alice.coder_id("bob"), 1, "done")
    assert merge_project(alice, tmp_path / "bob.db").statuses_set == 1  # carol's
    assert alice.status(alice.coder_id("bob"), 1) == "done"
    assert alice.status(alice.coder_id("carol"), 1) == "done"


def test_paragraph_memos_alone_are_merged_and_later_edits_win(tmp_path: Path) -> None:
    alice = make_project(tmp_path / "alice.db")
    bob = make_project(tmp_path / "bob.db")
    bid, par = bob.coder_id("bob"), bob.paragraphs(1)[2].id
    bob.set_paragraph_memo(bid, par, "first thoughts")
    assert merge_project(alice, tmp_path / "bob.db").memos_added == 1
    target = alice.paragraphs(1)[2].id
    assert alice.paragraph_memo(alice.coder_id("bob"), target) == "first thoughts"
    bob.set_paragraph_memo(bid, par, "second thoughts")
    report = merge_project(alice, tmp_path / "bob.db")
    assert (report.memos_added, report.memos_updated) == (0, 1)
    assert alice.paragraph_memo(alice.coder_id("bob"), target) == "second thoughts"
    alice.set_paragraph_memo(alice.coder_id("bob"), target, "edited here, later")
    assert merge_project(alice, tmp_path / "bob.db").memos_updated == 0
    assert alice.paragraph_memo(alice.coder_id("bob"), target) == "edited here, later"


def test_a_removal_in_the_other_copy_is_merged_once(tmp_path: Path) -> None:
    alice = coded_copy(tmp_path, "alice", "alice", 3, "stigma")
    bob = make_project(tmp_path / "bob.db")
    bid = bob.coder_id("bob")
    _, gone = (bob.add_segment(bid, p.id, bob.code("stigma").id) for p in bob.paragraphs(1)[2:])
    bob.close()
    run_merge(tmp_path, "bob.db")
    bob = Store(tmp_path / "bob.db")
    bob.remove_segment(bob.coder_id("bob"), gone)
    bob.close()
    out = run_merge(tmp_path, "bob.db")
    assert f"0 segment(s) added, 1 already here; 1 removed, as bob removed them in " \
           f"{tmp_path / 'bob.db'}; coders bob" in out
    assert [(r.coder, r.n) for r in alice.segment_rows()] == [("alice", 3), ("bob", 3)]
    rows = raw_segments(alice, "bob")
    assert len(rows) == 2 and sum(r[2] is not None for r in rows) == 1  # marked, not deleted
    before = raw_segments(alice, "bob")
    again = merge_project(alice, tmp_path / "bob.db")
    assert (again.segments_added, again.segments_removed, again.memos_updated) == (0, 0, 0)
    assert raw_segments(alice, "bob") == before
    assert "removed" not in run_merge(tmp_path, "bob.db")


def test_memo_edits_on_the_same_coding_newer_wins(tmp_path: Path) -> None:
    alice = make_project(tmp_path / "alice.db")
    bob = make_project(tmp_path / "bob.db")
    seg = bob.add_segment(bob.coder_id("bob"), bob.paragraphs(1)[2].id, bob.code("stigma").id)
    merge_project(alice, tmp_path / "bob.db")
    bob.set_segment_memo(bob.coder_id("bob"), seg, "why this is stigma")
    report = merge_project(alice, tmp_path / "bob.db")
    assert report.memos_updated == 1
    [row] = alice.segment_rows(coders=["bob"])
    assert row.memo == "why this is stigma"
    alice.set_segment_memo(alice.coder_id("bob"), row.segment_id, "reworded here, later")
    assert merge_project(alice, tmp_path / "bob.db").memos_updated == 0
    assert alice.segment_rows(coders=["bob"])[0].memo == "reworded here, later"


def test_another_coders_data_never_changes_a_coding(tmp_path: Path) -> None:
    """A copy in which the GUID of alice's coding is held by bob, removed and re-memoed: it
    must leave alice's coding as it is, with --coder or without."""
    alice = coded_copy(tmp_path, "alice", "alice", 3, "stigma")
    alice.backup(tmp_path / "odd.db")
    odd = Store(tmp_path / "odd.db")
    [seg] = odd.segments()
    odd.set_segment_memo(seg.coder_id, seg.id, "not alice's words")
    odd.remove_segment(seg.coder_id, seg.id)
    odd.conn.execute("UPDATE coders SET name = 'bob' WHERE name = 'alice'")
    odd.conn.commit()
    odd.close()
    before = raw_segments(alice, "alice")
    for coders in (None, ["bob"]):
        report = merge_project(alice, tmp_path / "odd.db", coders=coders)
        assert (report.segments_removed, report.memos_updated) == (0, 0)
    assert raw_segments(alice, "alice") == before
    assert len(alice.segment_rows(coders=["alice"])) == 1


def test_a_copy_with_only_removals_still_merges_them(tmp_path: Path) -> None:
    alice = make_project(tmp_path / "alice.db")
    bob = make_project(tmp_path / "bob.db")
    seg = bob.add_segment(bob.coder_id("bob"), bob.paragraphs(1)[2].id, bob.code("stigma").id)
    merge_project(alice, tmp_path / "bob.db")
    bob.remove_segment(bob.coder_id("bob"), seg)
    assert merge_project(alice, tmp_path / "bob.db").removed == {"bob": 1}
    assert alice.segment_rows() == []


# -- what a coder did in the other copy after a removal, a rename or a retirement -------------

def live_codings(store: Store, coder: str = "bob") -> list[tuple[str, int]]:
    return sorted((r.code_key, r.n) for r in store.segment_rows(coders=[coder]))


def bobs_laptop(tmp_path: Path) -> tuple[Store, Store]:
    """alice's project with one coding of bob's, and a copy of it made for bob's laptop."""
    alice = make_project(tmp_path / "alice.db")
    alice.add_segment(alice.coder_id("bob"), alice.paragraphs(1)[2].id, alice.code("stigma").id)
    alice.backup(tmp_path / "laptop.db")
    return alice, Store(tmp_path / "laptop.db")


def test_a_code_taken_off_and_put_back_in_the_copy_stays(tmp_path: Path) -> None:
    alice, laptop = bobs_laptop(tmp_path)
    bid, par, stigma = laptop.coder_id("bob"), laptop.paragraphs(1)[2].id, laptop.code("stigma").id
    assert not laptop.toggle_segment(bid, par, stigma).added
    assert laptop.toggle_segment(bid, par, stigma).added  # a new segment in the same place
    laptop.close()
    out = run_merge(tmp_path, "laptop.db")
    assert "1 segment(s) added, 0 already here; 1 removed, as bob removed them" in out
    assert live_codings(alice) == [("stigma", 3)]
    guids = {r.guid for r in Store(tmp_path / "laptop.db").segment_rows()}
    assert {r.guid for r in alice.segment_rows()} == guids
    assert "0 segment(s) added, 1 already here; coders bob" in run_merge(tmp_path, "laptop.db")
    assert live_codings(alice) == [("stigma", 3)]


def test_a_coding_brought_back_in_the_copy_after_its_removal_here_is_merged(
        tmp_path: Path) -> None:
    alice = make_project(tmp_path / "alice.db")
    bid = alice.coder_id("bob")
    seg = alice.add_segment(bid, alice.paragraphs(1)[2].id, alice.code("stigma").id)
    alice.undo(bid)
    alice.backup(tmp_path / "laptop.db")
    laptop = Store(tmp_path / "laptop.db")
    assert laptop.redo(laptop.coder_id("bob"))["segment"] == seg
    laptop.set_segment_memo(laptop.coder_id("bob"), seg, "back, with a reason")
    laptop.close()
    out = run_merge(tmp_path, "laptop.db")
    assert "0 segment(s) added, 1 already here; 1 restored, as bob brought them back in " in out
    assert live_codings(alice) == [("stigma", 3)]
    assert alice.segment(seg).memo == "back, with a reason"
    before = raw_segments(alice, "bob")
    assert "restored" not in run_merge(tmp_path, "laptop.db")
    assert raw_segments(alice, "bob") == before


def test_a_removal_here_after_the_copy_was_made_is_not_undone_by_it(tmp_path: Path) -> None:
    alice, laptop = bobs_laptop(tmp_path)
    laptop.close()
    [seg] = alice.segments()
    alice.remove_segment(seg.coder_id, seg.id)
    report = merge_project(alice, tmp_path / "laptop.db")
    assert (report.segments_restored, report.segments_added) == (0, 0)
    assert live_codings(alice) == []


def test_a_code_renamed_in_the_copy_is_the_same_code_here(tmp_path: Path) -> None:
    alice = make_project(tmp_path / "alice.db")
    alice.backup(tmp_path / "laptop.db")
    laptop = Store(tmp_path / "laptop.db")
    codes = [dict(SMALL_CODES[0], key="stigma-2", renamed_from=["stigma"]),
             dict(SMALL_CODES[1], parent_key="stigma-2"), SMALL_CODES[2]]
    laptop.sync_codes(codes)
    laptop.add_code("photos", "Photos", parent_key="stigma-2")
    bid = laptop.coder_id("bob")
    for n, key in ((2, "stigma-2"), (3, "photos")):
        laptop.add_segment(bid, laptop.paragraphs(1)[n].id, laptop.code(key).id)
    laptop.close()
    out = run_merge(tmp_path, "laptop.db")
    assert "2 segment(s) added" in out and "codes added: photos" in out
    assert f"codes {tmp_path / 'laptop.db'} calls by another key: stigma-2 (here stigma)" in out
    assert live_codings(alice) == [("photos", 4), ("stigma", 3)]
    assert alice.code("photos").path == "Stigma/Photos"
    assert "stigma-2" not in {c.key for c in alice.codes(include_retired=True)}


def test_a_memo_edited_in_the_copy_survives_a_code_merge_here(tmp_path: Path) -> None:
    alice, laptop = bobs_laptop(tmp_path)
    [seg] = laptop.segments()
    laptop.set_segment_memo(seg.coder_id, seg.id, "written on the laptop")
    laptop.close()
    alice.sync_codes(SMALL_CODES[1:], moves={"stigma": "labels"})  # later, here
    report = merge_project(alice, tmp_path / "laptop.db")
    assert report.memos_updated == 1
    assert [(r.code_key, r.memo) for r in alice.segment_rows()] == [
        ("labels", "written on the laptop")]


def test_retired_codes_come_back_when_codings_on_them_do(tmp_path: Path) -> None:
    """Undo of a removal after the code was retired, and a merge of a copy that kept the code:
    either way the coding is live, so its code is in use again (and history says why)."""
    alice = make_project(tmp_path / "alice.db")
    alice.backup(tmp_path / "laptop.db")
    aid, par = alice.coder_id("alice"), alice.paragraphs(1)[2].id
    alice.toggle_segment(aid, par, alice.code("leaving-care").id)
    alice.toggle_segment(aid, par, alice.code("leaving-care").id)
    alice.sync_codes(SMALL_CODES[:2])  # leaving-care retired: nobody uses it
    assert alice.undo(aid)["unretired"] == ["leaving-care"]
    assert "leaving-care" in {c.key for c in alice.codes()}
    assert live_codings(alice, "alice") == [("leaving-care", 3)]
    with pytest.raises(CoderError, match="in use"):
        alice.sync_codes(SMALL_CODES[:2])
    alice.sync_codes([SMALL_CODES[0], SMALL_CODES[2]])  # labels retired here, unused
    laptop = Store(tmp_path / "laptop.db")
    laptop.add_segment(laptop.coder_id("bob"), laptop.paragraphs(1)[3].id, laptop.code("labels").id)
    laptop.close()
    out = run_merge(tmp_path, "laptop.db")
    assert "codes un-retired, as codings brought in use them: labels" in out
    assert "labels" in {c.key for c in alice.codes()}
    events = [e for e in alice.events("codebook") if "unretired" in e]
    assert sorted(k for e in events for k in e["unretired"]) == ["labels", "leaving-care"]


def test_a_code_merge_done_only_in_the_copy_is_named_not_carried(tmp_path: Path) -> None:
    alice, laptop = bobs_laptop(tmp_path)
    laptop.sync_codes(SMALL_CODES[1:], moves={"stigma": "labels"})
    laptop.add_segment(laptop.coder_id("bob"), laptop.paragraphs(1)[3].id, laptop.code("labels").id)
    laptop.close()
    result = CliRunner().invoke(main, ["merge", str(tmp_path / "laptop.db"),
                                       "--db", str(tmp_path / "alice.db")])
    assert result.exit_code == 0, result.output
    assert "merged code(s) stigma -> labels (codebook --move); that is not carried over" \
        in result.stderr
    assert "coder codebook use CODEBOOK --move stigma=labels" in result.stderr
    assert live_codings(alice) == [("labels", 4), ("stigma", 3)]
    assert "--move" in CliRunner().invoke(main, ["merge", "--help"]).output
    alice.sync_codes(SMALL_CODES[1:], moves={"stigma": "labels"})
    assert merge_project(alice, tmp_path / "laptop.db").merges_not_carried == []


def test_an_incoming_span_overlapping_the_same_coders_span_here_is_skipped_and_named(
        tmp_path: Path) -> None:
    desk = make_project(tmp_path / "desk.db")
    alice, stigma = desk.coder_id("alice"), desk.code("stigma").id
    paragraph = desk.paragraphs(1)[2]
    desk.backup(tmp_path / "laptop.db")
    desk.add_segment(alice, paragraph.id, stigma, 0, 20)
    laptop = Store(tmp_path / "laptop.db")
    there = laptop.coder_id("alice")
    laptop.add_segment(there, paragraph.id, stigma, 10, 30)  # overlaps the desk's 0-20
    laptop.add_segment(there, paragraph.id, stigma, 30, 40)
    laptop.add_segment(laptop.coder_id("bob"), paragraph.id, stigma, 5, 25)
    laptop.close()

    report = merge_project(desk, tmp_path / "laptop.db")
    assert report.overlapping == [
        "notes \u00b63: stigma by alice at 10-30 overlaps their stigma at 0-20 here"]
    assert report.segments_added == 2
    assert sorted((r.coder, r.start, r.end) for r in desk.segment_rows()) == [
        ("alice", 0, 20), ("alice", 30, 40), ("bob", 5, 25)]
    event = desk.events("merge")[-1]
    assert event["overlapping, not brought in"] == report.overlapping

    again = merge_project(desk, tmp_path / "laptop.db")
    assert again.overlapping == report.overlapping and again.segments_added == 0
    desk.close()


def test_the_cli_names_each_span_a_merge_did_not_bring_in(tmp_path: Path) -> None:
    desk = make_project(tmp_path / "desk.db")
    desk.backup(tmp_path / "laptop.db")
    desk.add_segment(desk.coder_id("alice"), desk.paragraphs(1)[2].id,
                     desk.code("stigma").id, 0, 20)
    desk.close()
    laptop = Store(tmp_path / "laptop.db")
    laptop.add_segment(laptop.coder_id("alice"), laptop.paragraphs(1)[2].id,
                       laptop.code("stigma").id, 19, 25)
    laptop.close()
    result = CliRunner().invoke(main, ["merge", str(tmp_path / "laptop.db"),
                                       "--db", str(tmp_path / "desk.db")])
    assert result.exit_code == 0, result.output
    assert "1 span(s) not brought in" in result.output
    assert ("not brought in: notes \u00b63: stigma by alice at 19-25 overlaps their stigma "
            "at 0-20 here") in result.output


# -- another project altogether: refused unless asked, and a dry run ---------------------------

def other_study(path: Path) -> None:
    """A project with none of alice's documents: another study's file, given by mistake."""
    other = Store(path)
    other.add_document("focus-group", ParsedDocument(
        "text", [ParagraphIn("We met at the youth club.", speaker="P1")]),
        source_path=None, content_hash="h-other")
    other.sync_codes([{"key": "youth-work", "name": "Youth work"}])
    other.add_segment(other.coder_id("carol"), other.paragraphs(1)[0].id,
                      other.code("youth-work").id)
    other.close()


def merge_cli(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["merge", *args, "--db", str(tmp_path / "alice.db")])
    return result.exit_code, result.stdout, result.stderr


def test_a_copy_sharing_no_document_is_refused_until_allowed(tmp_path: Path) -> None:
    coded_copy(tmp_path, "alice", "alice", 3, "stigma").close()
    other_study(tmp_path / "carol.db")
    before = (tmp_path / "alice.db").read_bytes()
    code, _, err = merge_cli(tmp_path, str(tmp_path / "carol.db"))
    assert code == 2 and "Traceback" not in err
    assert "shares no document with this project" in err
    assert "1 document(s) (focus-group) and 1 code(s) (youth-work)" in err
    assert "--allow-new" in err and "--dry-run" in err
    assert (tmp_path / "alice.db").read_bytes() == before
    assert not (tmp_path / "alice.db.backups").exists()

    code, out, _ = merge_cli(tmp_path, str(tmp_path / "carol.db"), "--allow-new")
    assert code == 0
    assert "new documents (1): focus-group" in out and "new codes (1): youth-work" in out
    store = Store(tmp_path / "alice.db")
    assert [d.name for d in store.documents()] == ["notes", "focus-group"]
    assert {r.coder for r in store.segment_rows()} == {"alice", "carol"}


def test_a_merge_lists_new_documents_and_codes_even_when_related(tmp_path: Path) -> None:
    coded_copy(tmp_path, "alice", "alice", 3, "stigma").close()
    bob = coded_copy(tmp_path, "bob", "bob", 3, "labels")
    bob.add_code("photos", "Photos", parent_key="stigma")
    bob.add_segment(bob.coder_id("bob"), bob.paragraphs(1)[2].id, bob.code("photos").id)
    bob.close()
    code, out, _ = merge_cli(tmp_path, str(tmp_path / "bob.db"))
    assert code == 0 and "new codes (1): photos" in out and "new documents" not in out


@pytest.mark.parametrize("other", ["bob", "carol"])
def test_a_dry_run_says_what_would_happen_and_changes_no_byte(tmp_path: Path, other: str) -> None:
    coded_copy(tmp_path, "alice", "alice", 3, "stigma").close()
    if other == "bob":
        coded_copy(tmp_path, "bob", "bob", 3, "labels").close()
    else:
        other_study(tmp_path / "carol.db")
    project = tmp_path / "alice.db"
    before = project.read_bytes()
    code, out, _ = merge_cli(tmp_path, str(tmp_path / f"{other}.db"), "--dry-run")
    assert code == 0
    assert f"merging would bring from {tmp_path / other}.db: 1 segment(s) added" in out
    assert out.rstrip().endswith("dry run: nothing was changed")
    assert "backup" not in out
    if other == "carol":
        assert "new documents (1): focus-group" in out
        assert "without --allow-new the merge is refused" in out
    assert project.read_bytes() == before
    assert not Path(f"{project}-wal").exists() or Path(f"{project}-wal").stat().st_size == 0
    assert not (tmp_path / "alice.db.backups").exists()
    store = Store(project)
    assert {r.coder for r in store.segment_rows()} == {"alice"}


def test_merge_carries_reading_marks_the_further_wins(tmp_path: Path) -> None:
    alice = coded_copy(tmp_path, "alice", "alice", 2, "stigma")
    alice.raise_reading_mark(alice.coder_id("alice"), 1, 3)
    bob = coded_copy(tmp_path, "bob", "bob", 2, "stigma")
    bob.raise_reading_mark(bob.coder_id("bob"), 1, 4)
    bob.raise_reading_mark(bob.coder_id("alice"), 1, 2)  # alice's older copy: behind
    bob.close()
    report = merge_project(alice, tmp_path / "bob.db")
    assert report.reading_marks_raised == 1
    assert alice.reading_mark(alice.coder_id("bob"), 1) == 4
    assert alice.reading_mark(alice.coder_id("alice"), 1) == 3
    assert merge_project(alice, tmp_path / "bob.db").reading_marks_raised == 0


def test_merge_carries_exclusive_groups_and_names_breaches(tmp_path: Path) -> None:
    from coder.exclusive import exclusive_groups, set_exclusive_groups

    alice = coded_copy(tmp_path, "alice", "alice", 2, "stigma")
    alice.add_code("slurs", "Slurs", parent_key="stigma")
    bob = coded_copy(tmp_path, "bob", "bob", 3, "labels")
    bob.add_code("slurs", "Slurs", parent_key="stigma")
    bob.add_segment(bob.coder_id("bob"), bob.paragraphs(1)[2].id, bob.code("slurs").id)
    set_exclusive_groups(bob, ["stigma"])
    bob.close()
    result = CliRunner().invoke(main, ["merge", str(tmp_path / "bob.db"),
                                       "--db", str(alice.path)])
    assert result.exit_code == 0, result.output
    assert "exclusive groups: stigma" in result.stdout
    assert ("warning: two sub-codes of one exclusive group, kept (coder agree reports it): bob on"
            " notes ¶3: labels, slurs ('stigma' is exclusive)") in result.stderr
    assert exclusive_groups(alice) == ["stigma"]


def sharpened(store: Store, definition: str, author: str) -> None:
    store.sync_codes([{**c, "definition": definition} if c["key"] == "stigma" else c
                      for c in SMALL_CODES], author=author)


def marks_by_coder(store: Store, coder: str) -> list[tuple[int, str | None, bool, int]]:
    """(paragraph, rule, confirmed, revision number) of the coder's live stigma codings."""
    stigma = store.code("stigma").id
    numbers = {r.id: r.n for r in store.code_revisions(stigma)}
    rows = {r.segment_id: r.n for r in store.segment_rows(coders=[coder], code_keys=["stigma"])}
    marks = store.segment_marks(list(rows))
    return sorted((rows[i], m["auto_rule"], m["confirmed_at"] is not None,
                   numbers[m["revision_id"]]) for i, m in marks.items())


def two_copies(tmp_path: Path) -> tuple[Store, Store, int, int]:
    """alice's project and bob's, where bob coded ¶2 with stigma: (alice, bob, bob's id,
    stigma's id in bob's copy)."""
    alice, bob = make_project(tmp_path / "alice.db"), make_project(tmp_path / "bob.db")
    bid, stigma = bob.coder_id("bob"), bob.code("stigma").id
    bob.add_segment(bid, bob.paragraphs(1)[1].id, stigma)
    return alice, bob, bid, stigma


def test_automatic_codings_arrive_marked_and_confirmations_follow(tmp_path: Path) -> None:
    alice, bob, bid, stigma = two_copies(tmp_path)
    paragraphs = bob.paragraphs(1)
    added, _ = bob.autocode(bid, stigma, [(paragraphs[2].id, None, None),
                                          (paragraphs[3].id, None, None)], "search 'care'")
    bob.confirm_segment(bid, added[0])
    bob.close()
    report = merge_project(alice, tmp_path / "bob.db")
    assert (report.segments_added, report.automatic_added, report.confirmations) == (3, 1, 0)
    assert marks_by_coder(alice, "bob") == [(2, None, False, 1), (3, "search 'care'", True, 1),
                                            (4, "search 'care'", False, 1)]
    assert [s["id"] for s in alice.automatic_segments()] == [
        s.id for s in alice.segments() if s.automatic]
    bob = Store(tmp_path / "bob.db")
    bob.confirm_segment(bid, added[1])
    bob.close()
    out = run_merge(tmp_path, "bob.db")
    assert "1 automatic coding(s) confirmed there" in out
    assert alice.automatic_segments() == []
    assert "confirmed there" not in run_merge(tmp_path, "bob.db")


def test_codings_keep_the_revision_they_were_made_under(tmp_path: Path) -> None:
    alice, bob, bid, stigma = two_copies(tmp_path)
    paragraphs = bob.paragraphs(1)
    sharpened(bob, "Treated as less because of care", "bob")
    bob.add_segment(bid, paragraphs[2].id, stigma)
    bob.close()
    sharpened(alice, "Judged for having been in care", "alice")  # alice's own r2
    report = merge_project(alice, tmp_path / "bob.db")
    assert report.revisions_added == ["stigma r3"]
    assert marks_by_coder(alice, "bob") == [(2, None, False, 1), (3, None, False, 3)]
    brought = alice.code_revisions(alice.code("stigma").id)[2]
    assert (brought.definition, brought.author) == ("Treated as less because of care", "bob")
    assert "brought in by a merge" in brought.note
    again = merge_project(alice, tmp_path / "bob.db")
    assert again.revisions_added == []
    assert len(alice.code_revisions(alice.code("stigma").id)) == 3


def test_a_revision_this_copy_lacks_comes_in_under_its_number(tmp_path: Path) -> None:
    alice = make_project(tmp_path / "alice.db")
    alice.backup(tmp_path / "bob.db")
    bob = Store(tmp_path / "bob.db")
    sharpened(bob, "Treated as less because of care", "bob")
    bob.add_segment(bob.coder_id("bob"), bob.paragraphs(1)[2].id, bob.code("stigma").id)
    bob.close()
    out = run_merge(tmp_path, "bob.db")
    assert "code revisions brought in: stigma r2" in out
    assert marks_by_coder(alice, "bob") == [(3, None, False, 2)]
