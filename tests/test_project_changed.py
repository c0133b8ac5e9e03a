"""Another program changing what ids mean while a coding session is open (issue 12): the
session's next write is refused before it lands, and the session reloads by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import SMALL_CODES, SMALL_TEXTS, make_project

from coder.errors import ProjectChanged
from coder.merge import merge_project
from coder.models import ParagraphIn, ParsedDocument
from coder.session import CodingSession
from coder.store import Store

CARE = 2  # "People hear care and assume you did something wrong."


def coded_texts(path: Path) -> list[tuple[str, str, str]]:
    """Every live coding as (document name, paragraph text, code key): where it really is."""
    with Store(path) as store:
        rows = store.conn.execute(
            "SELECT d.name, p.text, c.key FROM segments s JOIN paragraphs p ON p.id ="
            " s.paragraph_id JOIN documents d ON d.id = p.document_id JOIN codes c ON"
            " c.id = s.code_id WHERE s.deleted_at IS NULL ORDER BY 1, 2, 3").fetchall()
    return [tuple(r) for r in rows]


def test_a_restore_that_reorders_documents_refuses_the_stale_key_then_codes_by_name(
        tmp_path: Path) -> None:
    # The backup has "other" first, so its ids mean other paragraphs than the live project's.
    backup_path = tmp_path / "reordered.db"
    with Store(backup_path) as earlier:
        earlier.add_document("other", ParsedDocument("text", [ParagraphIn(f"Other {i}")
                                                               for i in range(6)]),
                             source_path="o.txt", content_hash="hash-other")
        earlier.add_document("notes", ParsedDocument("text", list(SMALL_TEXTS)),
                             source_path="notes.txt", content_hash="hash-notes")
        earlier.sync_codes(SMALL_CODES)
    project = tmp_path / "p.db"
    make_project(project).close()
    store = Store(project)
    session = CodingSession(store, "alice")
    session.open(store.document("notes").id)
    stigma = store.code("stigma").id
    session.toggle(1, stigma)

    with Store(project) as other_program:
        other_program.restore(backup_path)

    with pytest.raises(ProjectChanged):
        session.toggle(CARE, stigma)
    assert coded_texts(project) == []  # nothing landed on "other"'s paragraphs

    reopened = session.reload()
    assert reopened == store.document("notes").id
    session.open(reopened)
    outcome = session.toggle(CARE, store.code("stigma").id)
    assert outcome.message.startswith("saved: Stigma")
    assert coded_texts(project) == [("notes", SMALL_TEXTS[CARE].text, "stigma")]


def test_codebook_move_elsewhere_refuses_a_key_for_the_retired_code(tmp_path: Path) -> None:
    project = tmp_path / "p.db"
    make_project(project).close()
    store = Store(project)
    session = CodingSession(store, "alice")
    session.open(store.documents()[0].id)
    labels = store.code("labels").id
    session.toggle(1, labels)
    with Store(project) as other_program:
        other_program.sync_codes([c for c in SMALL_CODES if c["key"] != "labels"],
                                 moves={"labels": "stigma"})
    with pytest.raises(ProjectChanged):
        session.toggle(CARE, labels)
    session.open(session.reload() or 0)
    assert "labels" not in {c.key for c in session.codes}
    assert coded_texts(project) == [("notes", SMALL_TEXTS[1].text, "stigma")]


def test_a_merge_or_codings_import_elsewhere_is_noticed(tmp_path: Path) -> None:
    project = tmp_path / "p.db"
    make_project(project).close()
    theirs = tmp_path / "theirs.db"
    with make_project(theirs) as bob_store:
        bob = bob_store.coder_id("bob")
        bob_store.toggle_segment(bob, bob_store.paragraphs(1)[3].id, bob_store.code("stigma").id)
    store = Store(project)
    session = CodingSession(store, "alice")
    session.open(store.documents()[0].id)
    with Store(project) as other_program:
        merge_project(other_program, theirs)
    with pytest.raises(ProjectChanged):
        session.toggle(CARE, store.code("stigma").id)


def test_changes_that_move_no_ids_do_not_interrupt_coding(tmp_path: Path) -> None:
    """Adding a document or a code, and this session's own undo bringing a code back, leave
    every id the session holds meaning what it meant."""
    project = tmp_path / "p.db"
    make_project(project).close()
    store = Store(project)
    session = CodingSession(store, "alice")
    session.open(store.documents()[0].id)
    with Store(project) as other_program:
        other_program.add_document("more", ParsedDocument("text", [ParagraphIn("More.")]),
                                   source_path="m.txt", content_hash="hash-more")
        other_program.add_code("new", "New")
    session.toggle(CARE, store.code("labels").id)
    with Store(project) as other_program:  # retiring a code nobody uses is a codebook change
        other_program.sync_codes(SMALL_CODES + [{"key": "spare", "name": "Spare",
                                                 "parent_key": None}])
    session.reload()
    session.open(store.documents()[0].id)
    assert session.toggle(1, store.code("stigma").id).message.startswith("saved")


def test_a_second_process_restoring_recoding_and_merging_while_a_session_codes(
        tmp_path: Path) -> None:
    """Every coding the session reported saved sits on the text and code it was aimed at, while
    another process restores a reordered backup, changes the codebook and merges, over and over."""
    import os
    import subprocess
    import sys

    backup_path = tmp_path / "reordered.db"
    with Store(backup_path) as earlier:
        earlier.add_document("other", ParsedDocument("text", [ParagraphIn(f"Other {i}")
                                                               for i in range(6)]),
                             source_path="o.txt", content_hash="hash-other")
        earlier.add_document("notes", ParsedDocument("text", list(SMALL_TEXTS)),
                             source_path="notes.txt", content_hash="hash-notes")
        earlier.sync_codes(SMALL_CODES)
    theirs = tmp_path / "theirs.db"
    with make_project(theirs) as bob_store:
        bob_store.toggle_segment(bob_store.coder_id("bob"), bob_store.paragraphs(1)[3].id,
                                 bob_store.code("stigma").id)
    project = tmp_path / "p.db"
    make_project(project).close()
    script = (
        "import sys, time\n"
        "from coder.store import Store\n"
        "from coder.merge import merge_project\n"
        "sys.path.insert(0, sys.argv[4])\n"
        "from factories import SMALL_CODES\n"
        "end = time.monotonic() + 2.5\n"
        "while time.monotonic() < end:\n"
        "    with Store(sys.argv[1]) as s:\n"
        "        s.restore(sys.argv[2])\n"
        "        s.sync_codes([c for c in SMALL_CODES if c['key'] != 'labels'],"
        " moves={'labels': 'stigma'})\n"
        "        merge_project(s, sys.argv[3])\n"
    )
    tests_dir = str(Path(__file__).parent)
    other = subprocess.Popen(
        [sys.executable, "-c", script, str(project), str(backup_path), str(theirs), tests_dir],
        env={**os.environ, "PYTHONPATH": str(Path(tests_dir).parent)},
        stderr=subprocess.PIPE)
    store = Store(project)
    session = CodingSession(store, "alice")
    session.open(store.document("notes").id)
    saved: set[tuple[str, str, str]] = set()
    refused = 0
    while other.poll() is None:
        for index in range(1, len(session.paragraphs)):
            key = session.codes[index % len(session.codes)].key
            code = next(c for c in session.codes if c.key == key)
            paragraph = session.paragraphs[index]
            try:
                outcome = session.toggle(index, code.id)
            except ProjectChanged:
                refused += 1
                reopened = session.reload()
                session.open(reopened or store.documents()[0].id)
                break
            except Exception:  # busy past the timeout: nothing saved, as the app says
                continue
            if outcome.message.startswith("saved: removed"):
                saved.discard(("notes", paragraph.text, key))
            else:
                saved.add(("notes", paragraph.text, key))
    assert other.wait() == 0, other.stderr.read().decode() if other.stderr else ""
    store.close()
    assert refused > 0
    mine = set()
    with Store(project) as final:
        for row in final.conn.execute(
                "SELECT d.name, p.text, c.key FROM segments s JOIN paragraphs p ON p.id ="
                " s.paragraph_id JOIN documents d ON d.id = p.document_id JOIN codes c ON"
                " c.id = s.code_id JOIN coders cr ON cr.id = s.coder_id"
                " WHERE s.deleted_at IS NULL AND cr.name = 'alice'"):
            mine.add(tuple(row))
    # a restore may take codings away, and a codebook change moves labels onto stigma;
    # nothing may sit where the session did not put it
    allowed = saved | {(d, t, "stigma") for d, t, k in saved if k == "labels"}
    assert mine <= allowed, mine - allowed
    assert all(d == "notes" for d, _, _ in mine)


def test_a_restore_between_the_reload_and_its_coder_lookup_does_not_break_the_reload(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second restore can land while the session reloads after the first: the backup lacks
    this coder, so the reload adds them again and pins a state in which their id is valid,
    instead of failing with ProjectChanged (seen in the two-process run)."""
    backup_path = tmp_path / "without-alice.db"
    with Store(backup_path) as earlier:
        earlier.add_document("other", ParsedDocument("text", [ParagraphIn(f"Other {i}")
                                                               for i in range(6)]),
                             source_path="o.txt", content_hash="hash-other")
        earlier.add_document("notes", ParsedDocument("text", list(SMALL_TEXTS)),
                             source_path="notes.txt", content_hash="hash-notes")
        earlier.sync_codes(SMALL_CODES)
    project = tmp_path / "p.db"
    store = make_project(project)
    session = CodingSession(store, "alice")
    session.open(store.document("notes").id)
    with Store(project) as other:
        other.restore(backup_path)
    with pytest.raises(ProjectChanged):
        session.toggle(CARE, store.code("stigma").id)
    pins = 0
    real_pin = store.pin_generation

    def pin_then_restore() -> str:
        nonlocal pins
        token = real_pin()
        pins += 1
        if pins == 1:  # another restore right after the reload pinned
            with Store(project) as other:
                other.restore(backup_path)
        return token

    monkeypatch.setattr(store, "pin_generation", pin_then_restore)
    reopened = session.reload()
    assert pins >= 2  # it noticed, and pinned again
    session.open(reopened or store.document("notes").id)
    assert session.toggle(CARE, store.code("stigma").id).message.startswith("saved")
    store.close()
    assert coded_texts(project) == [("notes", SMALL_TEXTS[CARE].text, "stigma")]
