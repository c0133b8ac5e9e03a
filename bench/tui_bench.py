"""How fast the coding app opens a long transcript and answers a keypress.

Run: `python bench/tui_bench.py [--paragraphs 10000] [--keys 300]`. Builds a throwaway project
with one long document, then drives the real app headless (Textual's pilot, through the same
key path a terminal uses) and reports:

- open: from creating the app to the coding screen drawn with the document (whole start-up),
  and switching to the document from another one (`d`);
- keypress latency, timed inside the app from the key event's creation to the action's commit
  ("saved") and to the end of the next screen refresh ("drawn"), for moving (j) and for
  toggling a code on the paragraph (a shortcut), as median and 99th percentile;
- span keys (→ in span mode) on a short paragraph and on a 50,000-character one, in the same
  run, so that the two can be compared on one machine at one moment.

Targets (issue 3): open under 1 s; a keypress handled and saved within 16 ms. Issue 11: a span
key is one frame on any paragraph, however long.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from coder.models import ParagraphIn, ParsedDocument
from coder.store import Store
from coder.tui.app import CoderApp
from coder.tui.screens.coding import CodingScreen
from coder.tui.widgets.paragraph_view import ParagraphView

WORDS = [
    "care", "community", "support", "leaving", "home", "school", "friends", "council", "worker", "foster",
    "placement", "felt", "never", "always", "young", "people", "housing", "money", "college", "trust", "believe",
    "moved", "[note]", "<v", "Sam>", "family", "belonging", "stigma", "label",
]
SHORTCUTS = "bhilptvwyz"
LONG_PARAGRAPH = 50_000


def build(path: Path, paragraphs: int) -> None:
    rng = random.Random(7)
    texts = []
    for i in range(paragraphs):
        if i % 50 == 0:
            texts.append(ParagraphIn(f"Part {i // 50 + 1}", kind="heading"))
            continue
        n = rng.randint(20, 140)
        body = " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."
        texts.append(ParagraphIn(body, speaker=f"P{rng.randint(1, 9)}"))
    codes = [{"key": f"code-{i}", "name": f"Code {i}", "parent_key": None,
              "shortcut": SHORTCUTS[i] if i < len(SHORTCUTS) else None,
              "color": f"#{(i * 40) % 256:02x}{(i * 90) % 256:02x}a0",
              "definition": f"What code {i} is for."} for i in range(24)]
    with Store(path) as store:
        store.add_document("short", ParsedDocument("text", texts[:20]), source_path=None,
                           content_hash="short")
        store.add_document("long", ParsedDocument("text", texts), source_path=None,
                           content_hash="long")
        store.add_document("huge", ParsedDocument("text", [texts[1], long_paragraph(rng)]),
                           source_path=None, content_hash="huge")
        store.sync_codes(codes)


def long_paragraph(rng: random.Random) -> ParagraphIn:
    """One turn of LONG_PARAGRAPH characters, in sentences (an untranscribed hour, say)."""
    words: list[str] = []
    size = 0
    while size < LONG_PARAGRAPH:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 20))).capitalize() + "."
        words.append(sentence)
        size += len(sentence) + 1
    return ParagraphIn(" ".join(words)[:LONG_PARAGRAPH], speaker="P1")


def summary(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    return f"median {statistics.median(ms):6.2f} ms   p99 {p99:6.2f} ms   max {ms[-1]:6.2f} ms"


async def bare_first_frame(size: tuple[int, int]) -> float:
    """The floor any Textual app pays to paint a screen this size: a baseline for `open`."""
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("x " * (size[0] * size[1] // 2))
            yield Footer()

    started = time.perf_counter()
    async with Bare().run_test(size=size) as pilot:
        await pilot.pause()
        return time.perf_counter() - started


async def run(path: Path, keys: int, size: tuple[int, int]) -> dict[str, object]:
    results: dict[str, object] = {}
    bare = await bare_first_frame(size)
    started = time.perf_counter()
    app = CoderApp(path, coder="bench", document="long")
    async with app.run_test(size=size) as pilot:
        while not isinstance(app.screen, CodingScreen):
            await asyncio.sleep(0.001)
        screen = app.screen
        view = screen.query_one(ParagraphView)
        await pilot.pause()
        opened = time.perf_counter() - started
        results["open (start-up to first frame)"] = opened
        results["bare Textual app, first frame"] = bare
        results["open / bare app"] = f"{opened / bare:.1f}x"
        n = len(app.session.paragraphs)
        results["paragraphs"] = n

        screen.open_document(app.session.store.document("short").id)
        await pilot.pause()
        t0 = time.perf_counter()
        screen.open_document(app.session.store.document("long").id)
        await pilot.pause()
        results["switch to the long document"] = time.perf_counter() - t0

        view.move_to(n // 2)
        await pilot.pause()
        app.latencies.clear()
        for _ in range(keys):
            await pilot.press("j")
        moves = [x for x in app.latencies if x[0] == "move"]
        app.latencies.clear()
        for i in range(keys):
            await pilot.press(SHORTCUTS[i % 3])
            if i % 3 == 2:
                await pilot.press("j")
        codes = [x for x in app.latencies if x[0] == "code"]
        app.latencies.clear()
        for _ in range(keys // 10):
            await pilot.press("pagedown")
        pages = [x for x in app.latencies if x[0] == "page"]
        results["move (j): key -> saved/handled"] = summary([s for _, s, _ in moves])
        results["move (j): key -> drawn"] = summary([d for _, _, d in moves])
        results["code (shortcut): key -> saved"] = summary([s for _, s, _ in codes])
        results["code (shortcut): key -> drawn"] = summary([d for _, _, d in codes])
        results["page down: key -> drawn"] = summary([d for _, _, d in pages])
        results["samples"] = f"{len(moves)} moves, {len(codes)} codings, {len(pages)} pages"

        screen.open_document(app.session.store.document("huge").id)
        await pilot.pause()
        for row, label in ((0, "short"), (1, f"{LONG_PARAGRAPH:,}-char")):
            view.move_to(row)
            await pilot.press("s")
            await pilot.pause()
            app.latencies.clear()
            for i in range(keys // 3):
                await pilot.press("right" if i % 4 else "shift+right")
            spans = [x for x in app.latencies if x[0] == "span"]
            await pilot.press("escape")
            results[f"span key, {label} paragraph: drawn"] = summary([d for _, _, d in spans])
        await pilot.press("q")
    with Store(path) as store:
        coded = len(store.segments(coder_ids=[store.coder_id("bench")]))
    results["segments saved"] = coded
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=10_000)
    parser.add_argument("--keys", type=int, default=300)
    parser.add_argument("--size", default="120x40", help="terminal size, WIDTHxHEIGHT")
    args = parser.parse_args(argv)
    size = tuple(int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        build(path, args.paragraphs)
        print(f"built project: {args.paragraphs} paragraphs in {time.perf_counter() - t0:.1f} s")
        results = asyncio.run(run(path, args.keys, size))  # type: ignore[arg-type]
    print(f"terminal {args.size}, Python {sys.version.split()[0]}")
    for name, value in results.items():
        if isinstance(value, float):
            value = f"{value * 1000:.0f} ms"
        print(f"{name:42} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
