"""coder's `.qdpx` read the way other tools read it (QualCoder's rules, in
`qualcoder_rules.py`), on the two blind codings of examples/two-coders and on a project with
memos."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from qualcoder_rules import read_like_qualcoder
from test_export_fixture import build_project

from coder.cli import main
from coder.exclusive import exclusive_groups, set_exclusive_groups
from coder.export.refi import project_qdpx
from coder.store import Store

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "two-coders"
SEEDS = [REPO / "seeds" / "west-midlands-evidence-session-2021-03.txt",
         REPO / "seeds" / "east-of-england-evidence-session-2021-05.txt"]


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def two_coders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README walk-through's project: two seeds, the sample codebook, alice's and bob's
    blind codings."""
    db = tmp_path_factory.mktemp("two") / "two.db"
    run("import", *map(str, SEEDS), "--db", str(db))
    run("codebook", "use", str(REPO / "codebooks" / "care-and-community.yaml"), "--db", str(db))
    for coder in ("alice", "bob"):
        run("codings", "import", str(EXAMPLE / f"{coder}.csv"), "--db", str(db))
    return db


def test_qualcoder_reads_every_coding_of_both_coders(two_coders: Path, tmp_path: Path) -> None:
    qdpx = tmp_path / "two.qdpx"
    with Store(two_coders) as store:
        project_qdpx(store, qdpx)
        rows = store.segment_rows()
        guid = {c.key: c.guid for c in store.codes(include_retired=True)}
    view = read_like_qualcoder(qdpx)
    assert view.rejected == []
    assert Counter(key[4] for key in view.codings) == Counter(r.coder for r in rows)
    for code, _source, _start, _end, owner in view.codings:
        assert owner in ("alice", "bob")
        assert code in guid.values()
    quoted = Counter((r.coder, guid[r.code_key], r.quote) for r in rows)
    read = Counter((owner, code, view.sources[source][start:end])
                   for code, source, start, end, owner in view.codings)
    assert read == quoted


def test_qualcoder_shows_each_document_title_in_its_memo(two_coders: Path, tmp_path: Path) -> None:
    qdpx = tmp_path / "two.qdpx"
    with Store(two_coders) as store:
        project_qdpx(store, qdpx)
        titles = {d.name: d.title for d in store.documents()}
    view = read_like_qualcoder(qdpx)
    assert titles["west-midlands-evidence-session-2021-03"] == "West Midlands evidence session notes"
    assert {name: memo.splitlines()[0] for name, memo in view.source_memos.items()} == {
        name: f"Title: {title}" for name, title in titles.items()}


def test_qualcoder_reads_coding_memos_and_paragraph_memos(tmp_path: Path) -> None:
    store = build_project(tmp_path / "p.db")
    qdpx = tmp_path / "p.qdpx"
    project_qdpx(store, qdpx)
    view = read_like_qualcoder(qdpx)
    assert view.rejected == []
    guid = {c.key: c.guid for c in store.codes(include_retired=True)}
    memos = {(guid[r.code_key], r.coder, r.quote): r.memo or "" for r in store.segment_rows()}
    read = {(code, owner, view.sources[source][start:end]): memo
            for (code, source, start, end, owner), memo in view.codings.items()}
    assert read == memos
    assert any(memos.values())
    paragraph_memos = {(store.document(d.id).name, store.paragraph(pid).text, coder, memo)
                       for d in store.documents()
                       for pid, cid, memo in store.document_paragraph_memos(d.id)
                       for coder in [store.coder_names()[cid]]}
    annotations = {(source, view.sources[source][start:end], owner, memo)
                   for source, start, end, memo, owner in view.annotations}
    assert annotations == paragraph_memos and paragraph_memos
    store.close()


def _snapshot(db: Path) -> dict[str, object]:
    """Everything a researcher would call "the study", keyed by names rather than ids."""
    with Store(db) as store:
        docs = store.documents()
        names = {d.id: d.name for d in docs}
        coders = store.coder_names()
        return {
            "documents": [(d.name, d.title, d.format,
                           d.meta.get("furniture"),
                           [(p.n, p.kind, p.speaker, p.text, p.start_time)
                            for p in store.paragraphs(d.id)]) for d in docs],
            "coders": sorted(store.coders()),
            "statuses": {(names[doc], coder): s for (doc, coder), s in store.statuses().items()},
            "segments": sorted((r.document, r.n, r.code_key, r.coder, r.start, r.end, r.memo)
                               for r in store.segment_rows()),
            "paragraph memos": sorted((names[d.id], store.paragraph(pid).n, coders[cid], memo)
                                      for d in docs
                                      for pid, cid, memo in store.document_paragraph_memos(d.id)),
            "codes": [(c.key, c.name, c.path, c.color, c.definition) for c in store.codes()],
            "reading marks": {(names[doc], coder): n
                              for (doc, coder), n in store.reading_marks().items()},
            "exclusive groups": exclusive_groups(store),
        }


def test_coder_to_coder_round_trip_is_lossless(two_coders: Path, tmp_path: Path) -> None:
    """Titles, paragraph kinds, speakers, statuses, memos, how far each coder read and the
    exclusive groups come back, and agreement is the same to the last digit."""
    db = tmp_path / "before.db"
    with Store(two_coders) as store:
        store.backup(db)
    with Store(db) as store:
        doc = store.documents()[0]
        alice, bob = store.coder_id("alice"), store.coder_id("bob")
        store.set_status(alice, doc.id, "done")
        store.set_document_title(doc.id, "Evidence session, West Midlands")
        first = store.paragraphs(doc.id)[3]
        store.set_paragraph_memo(bob, first.id, "bob wonders\n\nabout this")
        seg = next(s for s in store.segments(document_id=doc.id) if s.coder_id == alice)
        store.set_segment_memo(alice, seg.id, "alice's memo")
        other = store.documents()[1]
        last = max(r.n for r in store.segment_rows(coders=["bob"], document_ids=[other.id]))
        assert last < len(store.paragraphs(other.id))
        store.set_status(alice, other.id, "done")
        store.raise_reading_mark(bob, other.id, last + 1)  # bob read on without coding
        set_exclusive_groups(store, ["trust"])
    run("export", "qdpx", "--out", str(tmp_path / "two.qdpx"), "--db", str(db))
    copy = tmp_path / "copy.db"
    run("refi", "import", str(tmp_path / "two.qdpx"), "--db", str(copy))
    before, after = _snapshot(db), _snapshot(copy)
    assert any(kind == "heading" for *_, paragraphs in before["documents"]  # type: ignore[misc]
               for _, kind, *_ in paragraphs)
    assert ("west-midlands-evidence-session-2021-03", "alice") in before["statuses"]  # type: ignore[operator]
    assert before["reading marks"] and before["exclusive groups"] == ["trust"]
    for key in before:
        assert after[key] == before[key], key
    agree = ["agree", "--coders", "alice,bob", "--json"]
    assert run(*agree, "--db", str(copy)) == run(*agree, "--db", str(db))
    with Store(copy) as store:  # without the mark and the group agreement would differ
        store.conn.execute("DELETE FROM reading_marks")
        set_exclusive_groups(store, [])
        store.conn.commit()
    assert run(*agree, "--db", str(copy)) != run(*agree, "--db", str(db))


def test_refi_import_names_codings_that_break_an_exclusive_group(tmp_path: Path) -> None:
    from factories import make_project

    from coder.exclusive import set_exclusive_groups

    def grouped(name: str) -> Store:
        store = make_project(tmp_path / name)
        store.add_code("slurs", "Slurs", parent_key="stigma")
        set_exclusive_groups(store, ["stigma"])
        return store

    source = grouped("source.db")
    bob, p = source.coder_id("bob"), source.paragraphs(1)[2]
    source.add_segment(bob, p.id, source.code("labels").id)
    source.add_segment(bob, p.id, source.code("slurs").id)
    project_qdpx(source, tmp_path / "s.qdpx")
    target = grouped("target.db")
    target.close()
    out = run("refi", "import", str(tmp_path / "s.qdpx"), "--db", str(tmp_path / "target.db"))
    assert ("warning: two sub-codes of one exclusive group, kept (coder agree reports it): bob on"
            " notes ¶3: labels, slurs ('stigma' is exclusive)") in " ".join(out.split())
