"""Small projects for the coding app's tests, built straight through the store."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest

from coder.models import ParagraphIn, ParsedDocument
from coder.store import Store

TRICKY = ("See [Spotlight Inquiry](#) and [bold]not bold[/] from <v Bob>\there"
          "\x07 bell.")

CODES = [
    {"key": "stigma", "name": "Stigma", "parent_key": None, "color": "#d62728", "shortcut": "b",
     "definition": "Being treated differently because of care experience",
     "when_to_use": "Prejudice attributed to care experience",
     "when_not_to_use": "A named label: use Labels",
     "example": "People assume you did something wrong"},
    {"key": "labels", "name": "Labels", "parent_key": "stigma", "color": "#ff9896",
     "shortcut": "h", "definition": "Named labels and stereotypes"},
    {"key": "leaving-care", "name": "Leaving care", "parent_key": None, "color": "#1f77b4",
     "shortcut": "l", "definition": "The move out of care at 18 and the support that follows"},
    {"key": "belonging", "name": "Belonging", "parent_key": None, "color": "#2ca02c",
     "shortcut": None, "definition": "Feeling part of a community, or not"},
]

NOTES = [
    ParagraphIn("Session notes", kind="heading"),
    ParagraphIn(TRICKY),
    ParagraphIn("People hear care and assume you did something wrong. It follows you.",
                speaker="P2"),
    ParagraphIn("At 18 the support just stopped. Nobody called.", speaker="P3"),
    ParagraphIn("We made friends at the youth club and it felt like home.", speaker="P4"),
    ParagraphIn("The council never explained what leaving care meant.", speaker="P2"),
]

BLOG = [
    ParagraphIn("A blog post", kind="heading"),
    ParagraphIn("Care leavers in Plymouth talk about housing and belonging.", speaker="Author"),
    ParagraphIn("Community groups helped when the council did not.", speaker="Author"),
]


def build_project(path: Path, *, long_document: int = 0) -> Path:
    with Store(path) as store:
        store.add_document("notes", ParsedDocument("text", list(NOTES)), source_path="notes.txt",
                           content_hash="hash-notes")
        store.add_document("blog", ParsedDocument("text", list(BLOG)), source_path="blog.txt",
                           content_hash="hash-blog")
        if long_document:
            paragraphs = [ParagraphIn(f"Paragraph {i} says something about care and community "
                                      f"and what happened next, at some length. " * 2,
                                      speaker=f"P{i % 7}") for i in range(1, long_document + 1)]
            store.add_document("long", ParsedDocument("text", paragraphs),
                               source_path="long.txt", content_hash="hash-long")
        store.sync_codes(CODES)
    return path


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests on a fresh event loop, without a plugin for it."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return build_project(tmp_path / "project.db")


@pytest.fixture
def open_store(project: Path):
    stores: list[Store] = []

    def opener() -> Store:
        store = Store(project)
        stores.append(store)
        return store

    yield opener
    for store in stores:
        store.close()


@pytest.fixture(params=[False, True], ids=["colour", "no-color"])
def no_color(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """The test twice: with colour, and with NO_COLOR set (a terminal read without colour)."""
    if request.param:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    return request.param
