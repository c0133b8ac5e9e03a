"""`coder codebook export`: the codebook as an appendix, read back with real readers."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt
from test_export_fixture import CODES, build_project

from coder.cli import main
from coder.store import Store


@pytest.fixture
def project(tmp_path: Path) -> Store:
    store = build_project(tmp_path / "p.db")
    yield store
    store.close()


def _below(store: Store, key: str) -> set[str]:
    """`key` and the keys of every code under it, from the parent links."""
    codes = store.codes()
    keys, grew = {key}, True
    while grew:
        more = {c.key for c in codes if any(p.key in keys and p.id == c.parent_id for p in codes)}
        grew = not more <= keys
        keys |= more
    return keys


def _frequency(store: Store, key: str, coders: set[str] | None = None) -> str:
    counted = [r for r in store.segment_rows() if coders is None or r.coder in coders]
    rows = [r for r in counted if r.code_key == key]
    below = _below(store, key)
    total = sum(1 for r in counted if r.code_key in below)
    tail = f"; {total} with sub-codes" if len(below) > 1 else ""
    if not rows:
        return f"not applied itself{tail}" if total else "not applied yet"
    coders = sorted({r.coder for r in rows})
    per = ", ".join(f"{c} {sum(1 for r in rows if r.coder == c)}" for c in coders)
    docs = len({r.document_id for r in rows})
    return (f"{len(rows)} segment{'s' * (len(rows) != 1)} in {docs} "
            f"document{'s' * (docs != 1)} ({per}){tail}")


def test_docx_appendix(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "appendix.docx"
    result = CliRunner().invoke(main, ["codebook", "export", "--db", str(project.path),
                                       "--out", str(out), "--title", "Appendix B: Codebook"])
    assert result.exit_code == 0, result.output
    paragraphs = docx.Document(str(out)).paragraphs
    assert (paragraphs[0].style.name, paragraphs[0].text) == ("Title", "Appendix B: Codebook")
    headings = [(p.style.name, p.text) for p in paragraphs if p.style.name.startswith("Heading")]
    assert headings == [("Heading 1", "Stigma"), ("Heading 2", "Labels"),
                        ("Heading 3", "Media images"), ("Heading 1", "Leaving care"),
                        ("Heading 1", "Never applied")]
    texts = [p.text for p in paragraphs]
    stigma = CODES[0]
    assert f"Definition: {stigma['definition']}" in texts
    assert f"When to use: {stigma['when_to_use']}" in texts
    assert f"When not to use: {stigma['when_not_to_use']}" in texts
    assert [p.text for p in paragraphs if p.style.name == "Quote"] == [stigma["example"]]
    for key in ("stigma", "labels", "unused"):
        assert f"Frequency: {_frequency(project, key)}" in texts


def test_markdown_appendix_to_stdout(project: Store) -> None:
    result = CliRunner().invoke(main, ["codebook", "export", "--db", str(project.path)])
    assert result.exit_code == 0, result.output
    html = MarkdownIt("commonmark").render(result.stdout)
    assert "<h2>Stigma</h2>" in html and "<h3>Labels</h3>" in html
    assert "Definition: Named labels [sic] and *stereotypes*" in html
    assert "<blockquote>\n<p>They think &quot;care kid&quot; means trouble.</p>" in html
    assert f"Frequency: {_frequency(project, 'stigma')}" in html


def test_empty_project_is_a_user_error(tmp_path: Path) -> None:
    Store(tmp_path / "e.db").close()
    result = CliRunner().invoke(main, ["codebook", "export", "--db", str(tmp_path / "e.db")])
    assert result.exit_code != 0 and "no codes" in result.output


def test_docx_appendix_warns_about_characters_word_cannot_hold(project: Store,
                                                               tmp_path: Path) -> None:
    codes = [dict(c) for c in CODES]
    codes[-1]["definition"] = "Pasted from a PDF\x0cnext page"
    project.sync_codes(codes)
    out = tmp_path / "appendix.docx"
    result = CliRunner().invoke(main, ["codebook", "export", "--db", str(project.path),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    # twice: in the definition and in the revision history that records the change
    assert "warning: 2 control character(s) Word cannot hold were written as U+FFFD" in \
        " ".join(result.output.split())
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert "Definition: Pasted from a PDF\ufffdnext page" in texts


def test_refuses_a_name_that_says_another_format(project: Store, tmp_path: Path) -> None:
    out = tmp_path / "appendix.docx"
    result = CliRunner().invoke(main, ["codebook", "export", "--db", str(project.path),
                                       "--format", "md", "--out", str(out)])
    assert result.exit_code == 2 and "ends in .docx but --format is md" in result.output
    assert not out.exists()


def _export(store: Store, *args: str, env: dict[str, str | None] | None = None):
    result = CliRunner(env=env).invoke(main, ["codebook", "export", "--db", str(store.path), *args])
    assert result.exit_code == 0, result.output
    return result


def test_frequencies_pool_every_coder_and_say_so(project: Store) -> None:
    result = _export(project)
    assert "frequencies pool coders alice, bob; --coder NAME counts one" in result.stderr
    assert f"Frequency: {_frequency(project, 'stigma')}" in result.stdout


def test_frequencies_count_the_coder_asked_for(project: Store) -> None:
    result = _export(project, "--coder", "alice")
    assert result.stderr == ""
    for key in ("stigma", "labels", "leaving-care"):
        assert f"Frequency: {_frequency(project, key, {'alice'})}" in result.stdout
    assert _frequency(project, "stigma", {"alice"}) != _frequency(project, "stigma")
    bad = CliRunner().invoke(main, ["codebook", "export", "--db", str(project.path),
                                    "--coder", "carol"])
    assert bad.exit_code == 2 and "no coder 'carol'" in bad.output


def test_frequencies_count_the_consensus_when_there_is_one(project: Store) -> None:
    paragraph = project.segment_rows(coders=["alice"])[0]
    consensus = project.coder_id("consensus")
    pid = project.paragraph_at(paragraph.document_id, paragraph.n).id
    project.add_segment(consensus, pid, project.code(paragraph.code_key).id)
    result = _export(project)
    assert "frequencies count consensus (the review's outcome)" in result.stderr
    assert f"Frequency: {_frequency(project, paragraph.code_key, {'consensus'})}" in result.stdout
    assert "(consensus 1)" in result.stdout and "alice" not in result.stdout.split("Frequency")[1]


@pytest.mark.parametrize(("env", "args", "width_mm"), [
    ({"LANG": "en_US.UTF-8"}, [], 215.9),
    ({"LANG": "de_DE.UTF-8"}, [], 210.0),
    ({"LANG": "en_GB.UTF-8", "LC_PAPER": "fr_CA.UTF-8"}, [], 215.9),
    ({"LANG": "en_US.UTF-8"}, ["--page-size", "a4"], 210.0),
    ({"LANG": "C"}, ["--page-size", "letter"], 215.9),
])
def test_docx_appendix_page_size_from_locale_or_option(project: Store, tmp_path: Path, env, args,
                                                       width_mm: float) -> None:
    out = tmp_path / "appendix.docx"
    _export(project, "--out", str(out), *args, env={"LC_ALL": None, "LC_PAPER": None, **env})
    section = docx.Document(str(out)).sections[0]
    assert round(section.page_width.mm, 1) == width_mm
    assert round(section.page_height.mm, 1) == (279.4 if width_mm == 215.9 else 297.0)


def test_docx_appendix_author_is_the_coder_counted(project: Store, tmp_path: Path) -> None:
    import getpass

    out = tmp_path / "appendix.docx"
    _export(project, "--out", str(out), "--coder", "bob")
    props = docx.Document(str(out)).core_properties
    assert (props.author, props.last_modified_by) == ("bob", "bob")
    assert "python-docx" not in (props.comments or "")
    _export(project, "--out", str(out), "--force")
    assert docx.Document(str(out)).core_properties.author == getpass.getuser()


def test_appendix_lists_each_codes_revision_history(project: Store, tmp_path: Path) -> None:
    project.sync_codes([{**c, "definition": "Sharper wording"} if c["key"] == "stigma" else c
                        for c in CODES], author="carol")
    result = CliRunner().invoke(main, ["codebook", "export", "--db", str(project.path)])
    html = MarkdownIt("commonmark").render(result.stdout)
    [first, second] = project.code_revisions(project.code("stigma").id)
    assert (f"<li>r1, {first.at[:10]} (created): Definition: {CODES[0]['definition']}; When to "
            f"use: {CODES[0]['when_to_use']}; When not to use: {CODES[0]['when_not_to_use']}"
            "</li>") in html.replace("&quot;", '"')
    assert (f"<li>r2, {second.at[:10]}, by carol (codebook: meaning changed): Definition: "
            "Sharper wording</li>") in html
    assert html.count("<p>Revisions:</p>") == 1  # the other codes never changed meaning
    out = tmp_path / "appendix.docx"
    CliRunner().invoke(main, ["codebook", "export", "--db", str(project.path), "--out", str(out)])
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert texts.count("Revisions:") == 1
    assert f"r2, {second.at[:10]}, by carol (codebook: meaning changed): Definition: " \
        "Sharper wording" in texts
