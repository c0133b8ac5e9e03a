"""`coder recheck`, `coder history CODE`, `coder autocode` and `coder agree
--current-definitions`, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from factories import SMALL_CODES

from coder.cli import main
from coder.store import Store


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _book(path: Path, definition: str) -> Path:
    """The small test codebook as YAML, with stigma's definition replaced."""
    lines = ["name: Small", "codes:"]
    for c in SMALL_CODES:
        indent = "      " if c["parent_key"] else "  "
        if c["key"] == "labels":
            lines.append("    codes:")
        lines.append(f"{indent}- key: {c['key']}")
        lines.append(f"{indent}  name: {c['name']}")
        lines.append(f"{indent}  color: '{c['color']}'")
        lines.append(f"{indent}  shortcut: {c['shortcut']}")
        if c["key"] == "stigma":
            lines.append(f"{indent}  definition: {definition}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _coded(store: Store) -> Path:
    for who in ("alice", "bob"):
        for n in (2, 3, 4):
            store.add_segment(store.coder_id(who), store.paragraphs(1)[n - 1].id,
                              store.code("stigma").id)
    store.close()
    return store.path


def test_sharpened_definition_goes_to_recheck_and_history(store: Store, tmp_path: Path) -> None:
    db = str(_coded(store))
    book = _book(tmp_path / "book.yaml", "Being treated as less because of care")
    used = _run("codebook", "use", str(book), "--by", "carol", "--db", db)
    assert used.exit_code == 0, used.output
    assert "revised: stigma r2" in used.output
    listed = _run("recheck", "stigma", "--coder", "alice", "--list", "--db", db)
    assert "3 coding(s) to recheck" in listed.output
    assert "definition, then: Being treated differently because of care experience" in (
        listed.output)
    assert "definition, now:  Being treated as less because of care" in listed.output
    with Store(db) as s:
        first, second, third = [r.segment_id for r in s.recheck_rows(coders=["alice"])]
        labels = s.code("labels").id
    decided = _run("recheck", "--coder", "alice", "--keep", str(first), "--remove", str(second),
                   "--move", f"{third}=labels", "--db", db)
    assert decided.exit_code == 0, decided.output
    assert "0 coding(s) left to recheck" in decided.output
    with Store(db) as s:
        live = {(seg.id, seg.code_id) for seg in s.segments(coder_ids=[s.coder_id("alice")])}
        assert (third, labels) in live and first in {i for i, _ in live}
        assert second not in {i for i, _ in live}
    history = _run("history", "stigma", "--db", db)
    assert history.exit_code == 0
    lines = history.output.splitlines()
    assert lines[0].startswith("r1 ") and "(3 coding(s) made under it)" in lines[0]
    r2 = next(line for line in lines if line.startswith("r2 "))
    assert "by carol" in r2 and "(1 coding(s) made under it)" in r2
    as_json = [json.loads(x) for x in _run("history", "stigma", "--json", "--db", db)
               .output.splitlines()]
    assert [(r["n"], r["codings"]) for r in as_json] == [(1, 3), (2, 1)]


def test_cosmetic_change_sends_nothing_to_recheck(store: Store, tmp_path: Path) -> None:
    db = str(_coded(store))
    book = _book(tmp_path / "book.yaml", "Being treated differently because of care experience.")
    bad = _run("codebook", "use", str(book), "--cosmetic", "stigmaa", "--db", db)
    assert bad.exit_code != 0 and "stigmaa" in bad.output
    ok = _run("codebook", "use", str(book), "--cosmetic", "stigma", "--db", db)
    assert ok.exit_code == 0 and "revised" not in ok.output
    assert "nothing to recheck" in _run("recheck", "--coder", "alice", "--db", db).output


def test_recheck_refuses_segments_not_in_the_queue(store: Store) -> None:
    db = str(_coded(store))
    result = _run("recheck", "--coder", "alice", "--keep", "1", "--db", db)
    assert result.exit_code != 0
    assert "not in alice's recheck queue: segment(s) 1" in result.output


def test_agree_current_definitions_compares_only_current_codings(
    store: Store, tmp_path: Path,
) -> None:
    db = str(_coded(store))
    _run("codebook", "use", str(_book(tmp_path / "b.yaml", "Sharper")), "--db", db)
    with Store(db) as s:
        para = s.paragraphs(1)[4 - 1].id
        s.add_segment(s.coder_id("alice"), para, s.code("leaving-care").id)
        s.add_segment(s.coder_id("bob"), para, s.code("leaving-care").id)
    def pooled(*flags: str) -> list[str]:
        out = _run("agree", "--coders", "alice,bob", "--json", *flags, "--db", db).output
        return sorted(c["code"] for c in json.loads(out)["codes"] if c["pooled"])

    assert pooled() == ["leaving-care", "stigma"]
    assert pooled("--current-definitions") == ["leaving-care"]


def test_autocode_previews_then_codes_and_confirms(store: Store) -> None:
    db = str(store.path)
    store.close()
    preview = _run("autocode", "stigma", "--search", "CARE", "--coder", "alice", "--db", db)
    assert preview.exit_code == 0, preview.output
    assert "search 'CARE': 1 hit(s) in 1 paragraph(s)" in preview.output
    assert "nothing coded yet" in preview.output
    with Store(db) as s:
        assert s.segments() == []
    done = _run("autocode", "stigma", "--regex", r"\bs\w+", "--words", "--coder", "alice",
                "--yes", "--db", db)
    assert done.exit_code == 0, done.output
    assert "coded 4 with stigma as alice (automatic)" in done.output
    with Store(db) as s:
        quotes = sorted(r.quote for r in s.segment_rows())
        assert quotes == ["session", "something", "stopped", "support"]
        pending = [r["id"] for r in s.automatic_segments()]
    listed = _run("autocode", "stigma", "--coder", "alice", "--pending", "--db", db)
    assert len(listed.output.splitlines()) == 4 and "regex" in listed.output
    ok = _run("autocode", "stigma", "--coder", "alice", "--confirm", str(pending[0]), "--db", db)
    assert "1 automatic coding(s) confirmed" in ok.output
    again = _run("autocode", "stigma", "--coder", "alice", "--confirm", str(pending[0]),
                 "--db", db)
    assert again.exit_code != 0 and "not an unconfirmed automatic coding" in again.output


def test_autocode_bad_input_is_one_line_and_changes_nothing(store: Store) -> None:
    db = str(store.path)
    store.close()
    for args, says in (
        (["--regex", "("], "not a regular expression"),
        (["--speaker", "P9"], "no paragraph has the speaker 'P9' (speakers: P2, P3)"),
        (["--search", "a", "--regex", "b"], "not both"),
        ([], "say what to code"),
    ):
        result = _run("autocode", "stigma", *args, "--coder", "alice", "--yes", "--db", db)
        assert result.exit_code != 0
        assert says in result.output and "Traceback" not in result.output
    with Store(db) as s:
        assert s.segments() == []
