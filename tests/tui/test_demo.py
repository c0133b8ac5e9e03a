"""`coder demo` keeps its own codebook copy, and `coder code` points to the demo's project."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_coding_app import status

from coder.cli import main
from coder.codebook import load_codebook
from coder.project import SAMPLE_CODEBOOK
from coder.store import Store
from coder.tui.app import CoderApp


@pytest.fixture
def demo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CODER_DB", raising=False)
    result = CliRunner().invoke(main, ["demo", "--no-app"])
    assert result.exit_code == 0, result.output
    return tmp_path


def test_demo_uses_a_copy_of_the_sample_codebook_beside_its_project(demo_dir: Path) -> None:
    copy = demo_dir / "coder-demo.yaml"
    assert copy.read_bytes() == SAMPLE_CODEBOOK.read_bytes()
    with Store(demo_dir / "coder-demo.db") as store:
        assert store.get_setting("codebook_path") == str(copy.resolve())
        assert len(store.codes()) == len(load_codebook(SAMPLE_CODEBOOK).codes)


def test_demo_run_again_keeps_the_copy_and_the_codes_added_to_it(demo_dir: Path) -> None:
    copy = demo_dir / "coder-demo.yaml"
    copy.write_text(copy.read_text(encoding="utf-8") + "  - key: extra\n    name: Extra\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["demo", "--no-app"])
    assert result.exit_code == 0, result.output
    assert "coder code --db coder-demo.db" in result.output
    with Store(demo_dir / "coder-demo.db") as store:
        assert store.code("extra").name == "Extra"


def test_demo_run_again_keeps_a_code_added_in_the_app_only(demo_dir: Path) -> None:
    with Store(demo_dir / "coder-demo.db") as store:
        store.add_code("rent", "Rent [x]", parent_key="stigma")
        alice = store.coder_id("alice")
        paragraph = store.paragraphs(store.documents()[0].id)[3].id
        store.toggle_segment(alice, paragraph, store.code("rent").id)
    result = CliRunner().invoke(main, ["demo", "--no-app"])
    assert result.exit_code == 0, result.output
    with Store(demo_dir / "coder-demo.db") as store:
        assert store.code("rent").path == "Stigma/Rent [x]"
        assert [s.code_id for s in store.segments()] == [store.code("rent").id]
        assert len(store.codes()) == len(load_codebook(SAMPLE_CODEBOOK).codes) + 1


async def test_adding_a_code_in_the_demo_writes_the_copy_not_the_bundled_codebook(
        demo_dir: Path) -> None:
    bundled = SAMPLE_CODEBOOK.read_bytes()
    copy = demo_dir / "coder-demo.yaml"
    app = CoderApp(demo_dir / "coder-demo.db", coder="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        assert "coder-demo.yaml" in str(app.screen.query_one("#add-append").render())
        await pilot.press(*"Rent", "tab", "tab", "tab", "tab", "tab", "space", "ctrl+s")
        await pilot.pause()
        assert status(app).endswith("; added to coder-demo.yaml")
    assert load_codebook(copy).by_key("rent").name == "Rent"
    assert SAMPLE_CODEBOOK.read_bytes() == bundled


def test_code_without_a_project_points_to_the_demo_project(demo_dir: Path) -> None:
    result = CliRunner().invoke(main, ["code", "--coder", "alice"])
    assert result.exit_code == 2
    assert "`coder code --db coder-demo.db`" in result.output
    assert not (demo_dir / "coder.db").exists()


def test_demo_does_not_read_coder_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    own = tmp_path / "own.db"
    monkeypatch.setenv("CODER_DB", str(own))
    result = CliRunner().invoke(main, ["demo", "--no-app"])
    assert result.exit_code == 0, result.output
    assert not own.exists() and (tmp_path / "coder-demo.db").exists()
    help_text = CliRunner().invoke(main, ["demo", "--help"]).output
    assert "$CODER_DB" in help_text
