"""Codebook edits from the app: checked by the file's rules, one undo step each, written back
to the YAML with its comments and order, and never over a file changed on disk."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from coder.codebook import load_codebook
from coder.codebook_edit import (
    KEEP_IN_PROJECT,
    WRITE_BACK,
    CodebookFileChanged,
    CodeChange,
    add_code,
    edit_code,
    merge_codes,
    reload_codebook,
    retire_code,
    split_code,
    write_back,
)
from coder.errors import CoderError
from coder.models import ParagraphIn, ParsedDocument
from coder.project import use_codebook
from coder.store import Store

BOOK = """\
# The study's codebook: comments like this one must survive every edit.
name: Small study
codes:
  - key: stigma       # kept beside its key
    name: Stigma
    definition: >-
      Being treated differently
      because of care experience.
    shortcut: b
    codes:
      - key: labels
        name: Labels
        shortcut: h
  # leaving care comes second
  - key: leaving-care
    name: Leaving care
    color: steelblue
    shortcut: l
  - key: belonging
    name: Belonging
    definition: 'Feeling part of a community, or not'
"""


@pytest.fixture
def project(tmp_path: Path) -> tuple[Store, Path, int]:
    book = tmp_path / "book.yaml"
    book.write_text(BOOK, encoding="utf-8")
    store = Store(tmp_path / "p.db")
    store.add_document("notes", ParsedDocument("text", [ParagraphIn("one"), ParagraphIn("two")]),
                       source_path="notes.txt", content_hash="h")
    use_codebook(store, book)
    yield store, book, store.coder_id("alice")
    store.close()


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def assert_same_codebook(book: Path) -> None:
    """The codes read back as at first, comments on kept codes kept (a comment trailing a code
    that went and came back may not come back with it)."""
    from dataclasses import replace

    from coder.codebook import parse_codebook

    def plain(text: str) -> list:
        return [replace(c, line=0) for c in parse_codebook(text)]

    text = book.read_text(encoding="utf-8")
    assert plain(text) == plain(BOOK)
    assert "# The study's codebook" in text and "# kept beside its key" in text


def test_a_rename_changes_one_line_of_the_file_and_undo_puts_it_back(project) -> None:
    store, book, alice = project
    outcome = edit_code(store, alice, "stigma", CodeChange(name="Stigma and shame"))
    assert outcome.ok and outcome.message == (
        "saved: Stigma: name 'Stigma' -> 'Stigma and shame'; written to book.yaml")
    assert store.code("stigma").name == "Stigma and shame"
    text = book.read_text(encoding="utf-8")
    assert changed_lines(BOOK, text) == ["-    name: Stigma", "+    name: Stigma and shame"]
    assert store.undo(alice)["summary"].startswith("Stigma:")
    assert store.code("stigma").name == "Stigma"
    assert write_back(store) == "; written to book.yaml"
    assert book.read_text(encoding="utf-8") == BOOK
    store.redo(alice)
    assert store.code("stigma").name == "Stigma and shame"


def test_a_sharpened_definition_keeps_comments_order_and_other_codes(project) -> None:
    store, book, alice = project
    edit_code(store, alice, "belonging", CodeChange(
        definition="Feeling part of a community: friends, groups, a place",
        when_to_use="Someone names where they belong", example="it felt like home"))
    text = book.read_text(encoding="utf-8")
    assert "# The study's codebook" in text and "# kept beside its key" in text
    assert "# leaving care comes second" in text
    assert changed_lines(BOOK, text) == [
        "-    definition: 'Feeling part of a community, or not'",
        "+    definition: 'Feeling part of a community: friends, groups, a place'",
        "+    when_to_use: Someone names where they belong",
        "+    example: it felt like home",
    ]
    code = load_codebook(book).by_key("belonging")
    assert code.when_to_use == "Someone names where they belong"
    assert [c.key for c in load_codebook(book)] == ["stigma", "labels", "leaving-care", "belonging"]


def test_colour_shortcut_and_parent_follow_the_codebook_rules(project) -> None:
    store, book, alice = project
    with pytest.raises(CoderError, match="shortcut 'h' is already used by 'Labels'"):
        edit_code(store, alice, "belonging", CodeChange(shortcut="h"))
    with pytest.raises(CoderError, match="reserved for moving down"):
        edit_code(store, alice, "belonging", CodeChange(shortcut="j"))
    with pytest.raises(CoderError, match="not a colour"):
        edit_code(store, alice, "belonging", CodeChange(color="blurple"))
    with pytest.raises(CoderError, match="contains '/'"):
        edit_code(store, alice, "belonging", CodeChange(name="Belonging/home"))
    with pytest.raises(CoderError, match="under itself or one of its own sub-codes"):
        edit_code(store, alice, "stigma", CodeChange(parent_key="labels"))
    with pytest.raises(CoderError, match="already named 'labels'"):
        edit_code(store, alice, "belonging", CodeChange(name="labels", parent_key="stigma"))
    assert book.read_text(encoding="utf-8") == BOOK
    edit_code(store, alice, "belonging", CodeChange(color="red", shortcut="y",
                                                    parent_key="leaving-care"))
    code = load_codebook(book).by_key("belonging")
    assert (code.color, code.shortcut, code.parent_key) == ("#ff0000", "y", "leaving-care")
    assert store.codes()[-1].path == "Leaving care/Belonging"
    assert "# leaving care comes second" in book.read_text(encoding="utf-8")
    store.undo(alice)
    write_back(store)
    assert book.read_text(encoding="utf-8") == BOOK


def test_merge_moves_codings_and_undo_brings_them_back(project) -> None:
    store, book, alice = project
    paragraphs = store.paragraphs(store.document("notes").id)
    labels, stigma = store.code("labels").id, store.code("stigma").id
    store.toggle_segment(alice, paragraphs[0].id, labels)
    store.toggle_segment(alice, paragraphs[1].id, labels)
    store.toggle_segment(alice, paragraphs[1].id, stigma)
    outcome = merge_codes(store, alice, "labels", "stigma")
    assert outcome.message == ("saved: merged Labels into Stigma (2 codings) \u2014 new revision: "
                               "stigma r2; written to book.yaml")
    assert store.segment_counts_by_code() == {stigma: 2}
    assert "labels" not in load_codebook(book)
    store.undo(alice)
    assert store.segment_counts_by_code() == {stigma: 1, labels: 2}
    assert [c.key for c in store.codes()] == ["stigma", "labels", "leaving-care", "belonging"]
    write_back(store)
    assert_same_codebook(book)


def test_retire_refuses_a_code_in_use_and_a_parent(project) -> None:
    store, book, alice = project
    paragraph = store.paragraphs(store.document("notes").id)[0]
    store.toggle_segment(alice, paragraph.id, store.code("belonging").id)
    with pytest.raises(CoderError, match="used by 1 coding: merge it"):
        retire_code(store, alice, "belonging")
    with pytest.raises(CoderError, match="has sub-codes"):
        retire_code(store, alice, "stigma")
    retire_code(store, alice, "leaving-care")
    assert "leaving-care" not in [c.key for c in store.codes()]
    assert "leaving-care" not in load_codebook(book)
    store.undo(alice)
    assert store.code("leaving-care").shortcut == "l"


def test_add_a_child_and_undo_retires_it(project) -> None:
    store, book, alice = project
    outcome = add_code(store, alice, "Being watched", parent_key="stigma",
                       definition="Feeling monitored")
    assert outcome.key == "being-watched"
    added = load_codebook(book).by_key("being-watched")
    assert (added.parent_key, added.definition) == ("stigma", "Feeling monitored")
    store.undo(alice)
    assert "being-watched" not in [c.key for c in store.codes()]
    write_back(store)
    assert_same_codebook(book)


def test_a_file_changed_on_disk_is_never_overwritten(project) -> None:
    store, book, alice = project
    changed = BOOK.replace("name: Belonging", "name: Belonging (edited by hand)")
    book.write_text(changed, encoding="utf-8")
    with pytest.raises(CodebookFileChanged, match="changed on disk since it was loaded"):
        edit_code(store, alice, "stigma", CodeChange(name="Shame"))
    assert book.read_text(encoding="utf-8") == changed
    assert store.code("stigma").name == "Stigma"
    reload_codebook(store)
    assert store.code("belonging").name == "Belonging (edited by hand)"
    edit_code(store, alice, "stigma", CodeChange(name="Shame"))
    assert "name: Belonging (edited by hand)" in book.read_text(encoding="utf-8")


def test_edits_can_stay_in_the_project(project) -> None:
    store, book, alice = project
    store.set_setting(WRITE_BACK, KEEP_IN_PROJECT)
    outcome = edit_code(store, alice, "stigma", CodeChange(definition="Sharper"))
    assert outcome.message == "saved: Stigma: definition changed \u2014 new revision: stigma r2"
    assert store.code("stigma").definition == "Sharper"
    assert book.read_text(encoding="utf-8") == BOOK


def test_a_new_meaning_is_a_revision_undo_takes_it_back_and_a_typo_fix_is_none(project) -> None:
    store, book, alice = project
    stigma = store.code("stigma").id
    edit_code(store, alice, "stigma", CodeChange(definition="Treated differently for being in care"))
    revisions = store.code_revisions(stigma)
    assert [(r.n, r.definition, r.author) for r in revisions][-1] == (
        2, "Treated differently for being in care", "alice")
    store.undo(alice)
    assert [r.n for r in store.code_revisions(stigma)] == [1]
    store.redo(alice)
    assert store.current_revision(stigma).definition == "Treated differently for being in care"
    outcome = edit_code(store, alice, "stigma", CodeChange(
        definition="Treated differently for being in care."), cosmetic=True)
    assert outcome.message.startswith("saved: Stigma: definition changed (cosmetic)")
    assert "new revision" not in outcome.message
    assert len(store.code_revisions(stigma)) == 2
    assert store.current_revision(stigma).definition == "Treated differently for being in care."
    edit_code(store, alice, "stigma", CodeChange(name="Shame"))
    assert len(store.code_revisions(stigma)) == 2


def _code_both(store: Store, alice: int) -> dict[str, int]:
    """alice: Stigma on ¶1 (with a memo) and on ¶2, Labels on a span of ¶2."""
    notes = store.document("notes").id
    one, two = (store.paragraph_at(notes, n).id for n in (1, 2))
    stigma, labels = store.code("stigma").id, store.code("labels").id
    ids = {"s1": store.toggle_segment(alice, one, stigma).segment_id,
           "s2": store.toggle_segment(alice, two, stigma).segment_id,
           "l2": store.add_segment(alice, two, labels, 0, 2)}
    store.set_segment_memo(alice, ids["s1"], "judged at school")
    return ids


def test_a_split_moves_codings_to_a_new_child_and_undo_brings_them_back(project) -> None:
    store, book, alice = project
    ids = _code_both(store, alice)
    stigma = store.code("stigma").id
    outcome = split_code(store, alice, "stigma", [ids["s1"]], new_name="Judged at school")
    assert outcome.ok and outcome.key == "judged-at-school"
    assert outcome.message == ("saved: split Stigma: 1 coding moved to new code Judged at "
                               "school \u2014 new revision: stigma r2; written to book.yaml")
    child = store.code("judged-at-school")
    assert child.parent_id == stigma
    moved = store.segment(ids["s1"])
    assert (moved.code_id, moved.memo) == (child.id, "judged at school")
    assert store.segment(ids["s2"]).code_id == stigma
    assert [r.note for r in store.code_revisions(stigma)][-1] == (
        "codebook: split, 1 coding(s) moved to judged-at-school")
    assert store.segment_marks([ids["s1"]])[ids["s1"]]["revision_id"] == (
        store.current_revision(child.id).id)
    assert [r.segment_id for r in store.recheck_rows()] == [ids["s2"]]
    written = load_codebook(book)
    assert written.by_key("judged-at-school").parent_key == "stigma"
    assert "# kept beside its key" in book.read_text(encoding="utf-8")

    assert store.undo(alice)["summary"].startswith("split Stigma")
    assert store.segment(ids["s1"]).code_id == stigma
    assert "judged-at-school" not in {c.key for c in store.codes()}
    assert [r.n for r in store.code_revisions(stigma)] == [1]
    assert store.recheck_rows() == []
    assert write_back(store) == "; written to book.yaml"
    assert_same_codebook(book)

    store.redo(alice)
    assert store.segment(ids["s1"]).code_id == child.id
    assert "judged-at-school" in {c.key for c in store.codes()}
    assert store.current_revision(stigma).n == 2


def test_a_split_into_an_existing_child_takes_subcodes_too_and_merges_duplicates(project) -> None:
    store, book, alice = project
    ids = _code_both(store, alice)
    notes = store.document("notes").id
    two = store.paragraph_at(notes, 2).id
    labels = store.code("labels").id
    one = store.paragraph_at(notes, 1).id
    there = store.add_segment(alice, one, labels)
    outcome = split_code(store, alice, "stigma", [ids["s1"], ids["s2"], ids["l2"]], into="labels")
    assert outcome.message.startswith("saved: split Stigma: 2 codings moved to Labels")
    assert {s.id for s in store.segments(paragraph_id=two)} == {ids["s2"], ids["l2"]}
    assert store.segment(ids["s2"]).code_id == labels
    # alice had Labels on ¶1 already: that coding stays and takes the memo; hers on Stigma is
    # removed (kept in the file), as a merge does
    assert [(s.id, s.code_id, s.memo) for s in store.segments(paragraph_id=one)] == [
        (there, labels, "judged at school")]
    store.undo(alice)
    assert [(s.id, s.code_id, s.memo) for s in store.segments(paragraph_id=one)] == [
        (ids["s1"], store.code("stigma").id, "judged at school"), (there, labels, None)]
    assert store.segment(ids["s2"]).code_id == store.code("stigma").id


def test_a_split_is_refused_whole_when_it_cannot_be_made(project) -> None:
    store, book, alice = project
    ids = _code_both(store, alice)
    notes = store.document("notes").id
    store.add_segment(alice, store.paragraph_at(notes, 2).id, store.code("stigma").id, 1, 3)
    with pytest.raises(CoderError, match="not a sub-code of Stigma"):
        split_code(store, alice, "stigma", [ids["s1"]], into="belonging")
    with pytest.raises(CoderError, match="contains '/'"):
        split_code(store, alice, "stigma", [ids["s1"]], new_name="a/b")
    with pytest.raises(CoderError, match="mark the quotes"):
        split_code(store, alice, "stigma", [], new_name="Judged")
    spans = [s.id for s in store.segments(paragraph_id=store.paragraph_at(notes, 2).id)
             if s.start == 1]
    with pytest.raises(CoderError, match="would overlap a span of Labels"):
        split_code(store, alice, "stigma", [ids["s1"], spans[0]], into="labels")
    other = store.add_segment(alice, store.paragraph_at(notes, 1).id, store.code("belonging").id)
    with pytest.raises(CoderError, match="not a live coding of Stigma"):
        split_code(store, alice, "stigma", [other], new_name="Judged")
    assert book.read_text(encoding="utf-8") == BOOK
    assert store.segment(ids["s1"]).code_id == store.code("stigma").id
    assert "judged" not in {c.key for c in store.codes()}


def test_redo_of_a_merge_moves_the_codings_again(project) -> None:
    store, book, alice = project
    notes = store.document("notes").id
    seg = store.toggle_segment(alice, store.paragraph_at(notes, 1).id,
                               store.code("belonging").id).segment_id
    merge_codes(store, alice, "belonging", "leaving-care")
    store.undo(alice)
    assert store.segment(seg).code_id == store.code("belonging").id
    store.redo(alice)
    assert store.segment(seg).code_id == store.code("leaving-care").id


def test_yaml_export_holds_the_edits_kept_in_the_project_and_loads_back_unchanged(
        project, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from coder.cli import main
    from coder.codebook import check_codebook
    from coder.exclusive import set_exclusive_groups

    store, book, alice = project
    store.set_setting(WRITE_BACK, KEEP_IN_PROJECT)
    edit_code(store, alice, "belonging", CodeChange(
        name="Belonging: \"home\"", example="first line\nsecond line: yes"))
    add_code(store, alice, "No: never", parent_key="stigma", definition="A refusal, #not a comment")
    set_exclusive_groups(store, ["stigma"])
    assert book.read_text(encoding="utf-8") == BOOK
    store.close()
    out = tmp_path / "exported.yaml"
    db = str(tmp_path / "p.db")
    runner = CliRunner()
    result = runner.invoke(main, ["codebook", "export", "--format", "yaml", "--out", str(out),
                                  "--db", db])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"5 code(s) written to {out}")
    assert check_codebook(out) == []
    written = load_codebook(out)
    assert (written.name, [c.key for c in written]) == (
        "Small study", ["stigma", "labels", "no-never", "leaving-care", "belonging"])
    assert written.by_key("belonging").example == "first line\nsecond line: yes"
    assert written.by_key("no-never").parent_key == "stigma"
    assert written.by_key("stigma").exclusive
    result = runner.invoke(main, ["codebook", "use", str(out), "--db", db])
    assert result.exit_code == 0, result.output
    assert result.output == f"{out}: 5 codes in the project (no changes)\n"
    shown = runner.invoke(main, ["codebook", "export", "--format", "yaml", "--db", db])
    assert shown.exit_code == 0 and shown.output == out.read_text(encoding="utf-8")
    refused = runner.invoke(main, ["codebook", "export", "--format", "yaml", "--coder", "alice",
                                   "--db", db])
    assert refused.exit_code != 0 and "a .yaml holds no counts" in refused.output
