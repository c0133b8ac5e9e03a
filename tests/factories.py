"""Small projects that tests build directly through the store."""

from __future__ import annotations

from pathlib import Path

from coder.models import ParagraphIn, ParsedDocument
from coder.store import Store

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SAMPLE_CODEBOOK = REPO / "codebooks" / "care-and-community.yaml"

SMALL_CODES = [
    {"key": "stigma", "name": "Stigma", "parent_key": None, "color": "#d62728", "shortcut": "b",
     "definition": "Being treated differently because of care experience"},
    {"key": "labels", "name": "Labels", "parent_key": "stigma", "color": "#ff9896",
     "shortcut": "h"},
    {"key": "leaving-care", "name": "Leaving care", "parent_key": None, "color": "#1f77b4",
     "shortcut": "l"},
]

SMALL_TEXTS = [
    ParagraphIn("Session notes", kind="heading"),
    ParagraphIn("The first [Spotlight Inquiry](#) session met online.", speaker=None),
    ParagraphIn("People hear care and assume you did something wrong.", speaker="P2"),
    ParagraphIn("At 18 the support just stopped.", speaker="P3"),
]


def make_project(path: Path) -> Store:
    store = Store(path)
    store.add_document(
        "notes", ParsedDocument("text", list(SMALL_TEXTS)), source_path="notes.txt",
        content_hash="hash-notes",
    )
    store.sync_codes(SMALL_CODES)
    return store
