"""A small project for the export tests, built straight through the store, with the text that
breaks naive exporters: markup characters, quotes, non-ASCII, newlines inside paragraphs."""

from __future__ import annotations

from pathlib import Path

from coder.models import ParagraphIn, ParsedDocument
from coder.store import Store

CODES = [
    {"key": "stigma", "name": "Stigma", "parent_key": None, "color": "#d62728", "shortcut": "b",
     "definition": "Being treated differently because of care experience",
     "when_to_use": "Prejudice attributed to care", "when_not_to_use": "A named label: use Labels",
     "example": 'They think "care kid" means trouble.'},
    {"key": "labels", "name": "Labels", "parent_key": "stigma", "color": "#ff9896",
     "definition": "Named labels [sic] and *stereotypes*"},
    {"key": "media", "name": "Media images", "parent_key": "labels"},
    {"key": "leaving-care", "name": "Leaving care", "parent_key": None, "color": "#1f77b4",
     "definition": "Transition out of care at 16 to 18"},
    {"key": "unused", "name": "Never applied", "parent_key": None},
]

WEST = [
    ParagraphIn("Session notes", kind="heading"),
    ParagraphIn("The first [Spotlight Inquiry](#) session met online."),
    ParagraphIn('People hear "care" and assume you did something wrong. [bold] *not* bold',
                speaker="P2"),
    ParagraphIn("At 18 the support just stopped.\nThen nothing — café, naïve, Zoë.", speaker="P3"),
    ParagraphIn("  1. Leading spaces & <b>tags</b> | pipes ~tilde~ `code` _under_ # hash \\ end",
                speaker="Facilitator"),
]

FOCUS = [
    ParagraphIn("Why did you stop telling people?", speaker="Facilitator"),
    ParagraphIn("Because once they know, it's all they see. = equals\n> not a quote", speaker="P1"),
    ParagraphIn("Straße, 東京, ‘curly’ — and a tab\there.", speaker="P2"),
]


def build_project(path: Path) -> Store:
    store = Store(path)
    west = store.add_document("West Midlands session", ParsedDocument("text", list(WEST)),
                              source_path="west.txt", content_hash="hash-west")
    focus = store.add_document("Focus group 2", ParsedDocument("text", list(FOCUS)),
                               source_path="fg2.txt", content_hash="hash-fg2")
    store.sync_codes(CODES)
    code = {c.key: c.id for c in store.codes()}
    alice, bob = store.coder_id("alice"), store.coder_id("bob")
    w = {p.n: p for p in store.paragraphs(west.id)}
    f = {p.n: p for p in store.paragraphs(focus.id)}
    quoted = w[3].text.index('"care"')
    store.add_segment(alice, w[3].id, code["stigma"])
    store.add_segment(bob, w[3].id, code["stigma"], memo="bob's view: [strong] <stigma>")
    store.add_segment(alice, w[3].id, code["labels"], quoted, quoted + 6,
                      memo='Check "care" [x]\nsecond line')
    store.add_segment(alice, w[3].id, code["leaving-care"], quoted, quoted + 6,
                      memo='Check "care" [x]\nsecond line')
    store.add_segment(alice, w[4].id, code["leaving-care"])
    store.add_segment(bob, w[4].id, code["leaving-care"], 7, 45)
    store.add_segment(bob, w[5].id, code["media"])
    store.add_segment(alice, w[2].id, code["labels"], 10, 29)
    store.add_segment(bob, w[2].id, code["stigma"])
    store.add_segment(alice, f[2].id, code["stigma"])
    store.add_segment(bob, f[2].id, code["labels"], 0, 7)
    store.add_segment(bob, f[3].id, code["leaving-care"])
    store.set_paragraph_memo(alice, w[2].id, "Alice on the [link] paragraph")
    store.set_paragraph_memo(bob, w[2].id, "Bob too")
    return store


def test_fixture_spans_hold_the_text_they_were_meant_to(tmp_path: Path) -> None:
    store = build_project(tmp_path / "p.db")
    quotes = {(r.document, r.n, r.coder, r.code_key): r.quote for r in store.segment_rows()}
    assert quotes[("West Midlands session", 3, "alice", "labels")] == '"care"'
    assert quotes[("West Midlands session", 2, "alice", "labels")] == "[Spotlight Inquiry]"
    assert "\n" in quotes[("West Midlands session", 4, "bob", "leaving-care")]
    store.close()
