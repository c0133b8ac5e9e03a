"""The layer contracts (pyproject's [tool.importlinter], run by `lint-imports` in CI) name the library's
modules one by one; these tests keep that list whole, so a module added later is checked too."""

import pkgutil
import tomllib
from pathlib import Path

import coder

ROOT = Path(__file__).resolve().parents[1]
PRESENTATION = {"coder.tui", "coder.cli", "coder.__main__"}


def contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def library_modules() -> set[str]:
    return {f"coder.{m.name}" for m in pkgutil.iter_modules(coder.__path__)} - PRESENTATION


def test_every_library_module_is_held_to_the_library_contract() -> None:
    library = next(c for c in contracts() if "textual" in c["forbidden_modules"] and "click" in c["forbidden_modules"]
                   and "coder.tui" in c["forbidden_modules"])
    missing = library_modules() - set(library["source_modules"])
    assert not missing, f"add {sorted(missing)} to the first [[tool.importlinter.contracts]] in pyproject.toml"
    stale = set(library["source_modules"]) - library_modules()
    assert not stale, f"{sorted(stale)} no longer exist: take them out of the contract"


def test_the_presentation_layers_are_contracted_too() -> None:
    sources = {m for c in contracts() for m in c["source_modules"]}
    assert {"coder.tui", "coder.cli"} <= sources
