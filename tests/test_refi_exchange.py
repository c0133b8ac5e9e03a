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
