"""How fast the code view (r) and the matrix (x, then b to an attribute) open on the bench
corpus: 100,000 paragraphs in 200 documents, 2 coders, 30 codes, with a region and a kind on
every document and each participant a case with an age group.

Run with the others (`python -m bench`, which calls `rows(corpus)`), or alone:
`python -m bench.analysis_bench [--quick]`. Each figure is from the key press to the screen
drawn with its first rows (the app idle again), in the real app driven headless (best of 3),
beside a bare screen pushed in the same runs. Target (issue 15): under 0.3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import Corpus, generate

REGIONS = ["North", "Midlands", "South", "London"]
KINDS = ["interview", "focus group"]
AGES = ["16-17", "18-21", "22-25"]
Row = tuple[str, str, str]


def add_attributes(corpus: Corpus) -> None:
    """Region and kind per document; the participant of each interview a case with an age
    group (the interviewer is no case)."""
    from coder.attributes import link, set_value
    from coder.store import Store

    with Store(corpus.db, create=False) as store:
        if store.attributes():
            return
        for i, doc in enumerate(store.documents()):
            set_value(store, "region", REGIONS[i % len(REGIONS)], document=doc.name)
            set_value(store, "kind", KINDS[i % len(KINDS)], document=doc.name)
            case, _ = link(store, f"P{i + 1}", doc.name, f"P{i + 1}")
            set_value(store, "age group", AGES[i % len(AGES)], case=case.name)


async def _open(path: Path, keys: list[list[str]], wanted: list[type]
                ) -> tuple[float, list[float]]:
    """Seconds for a bare screen (a line of text and the footer) to be pushed and drawn, the
    reference; then from each key (group) to its screen drawn with its first rows (the app
    idle again, every message handled and the screen painted), in one app session."""
    from textual.app import ComposeResult
    from textual.screen import Screen
    from textual.widgets import Static

    from coder.tui.app import CoderApp
    from coder.tui.screens.coding import CodingScreen
    from coder.tui.widgets.footer import SteadyFooter

    class Bare(Screen[None]):
        def compose(self) -> ComposeResult:
            yield Static("reference")
            yield SteadyFooter()

    app = CoderApp(path, coder="coder1")
    out: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        while not isinstance(app.screen, CodingScreen):
            await asyncio.sleep(0.001)
        await pilot.pause()
        started = time.perf_counter()
        app.push_screen(Bare())
        await pilot.pause()
        bare = time.perf_counter() - started
        app.pop_screen()
        await pilot.pause()
        for group, screen_type in zip(keys, wanted, strict=True):
            started = time.perf_counter()
            await pilot.press(*group)
            await pilot.pause()
            assert isinstance(app.screen, screen_type) and app.screen.table.row_count
            out.append(time.perf_counter() - started)
            if group[-1] != "b":
                await pilot.press("escape")
                await pilot.pause()
    return bare, out


def measure(path: Path, repeat: int = 3) -> list[Row]:
    from coder.code_matrix import code_matrix
    from coder.groupings import groupings
    from coder.retrieval import code_quotes
    from coder.store import Store
    from coder.tui.screens.code_view import CodeViewScreen
    from coder.tui.screens.matrix import MatrixScreen

    with Store(path, create=False) as store:
        first = store.codes()[0]
        quotes = len(code_quotes(store, first.id))
        n_groupings = len(groupings(store))
        top = code_matrix(store, groupings(store)[0]).top
    keys = [["r"], ["x"], ["x", "b", "b"]]
    screens = [CodeViewScreen, MatrixScreen, MatrixScreen]
    runs = [asyncio.run(_open(path, keys, screens)) for _ in range(repeat)]
    bare = min(r[0] for r in runs)
    best = [min(r[1][i] for r in runs) for i in range(len(keys))]
    return [
        ("app: a bare screen pushed (reference)", f"{bare * 1000:.0f} ms",
         "a line of text and the footer, pushed and drawn in the same runs, best of 3"),
        ("app: code view opens (r)", f"{best[0] * 1000:.0f} ms",
         f"{quotes:,} quotes of {first.name} with its sub-codes, both coders; key to the screen "
         f"drawn with its first rows, best of 3 (target < 300 ms)"),
        ("app: matrix opens (x), codes by documents", f"{best[1] * 1000:.0f} ms",
         f"30 codes x 200 documents, largest cell {top}; key to the screen drawn, best of 3 "
         "(target < 300 ms)"),
        ("app: matrix by an attribute (x b b)", f"{best[2] * 1000:.0f} ms",
         f"{n_groupings} groupings (documents, cases, attributes); three keys, two regroupings"),
    ]


def rows(corpus: Corpus) -> list[Row]:
    add_attributes(corpus)
    return measure(corpus.db)


def main(argv: list[str] | None = None) -> int:
    from bench.safety_bench import import_corpus

    parser = argparse.ArgumentParser(prog="python -m bench.analysis_bench")
    parser.add_argument("--quick", action="store_true", help="a tenth of the corpus")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    docs, paragraphs, big = (20, 10_000, 2_000) if args.quick else (200, 100_000, 10_000)
    root = Path(tempfile.mkdtemp(prefix="coder-analysis-bench-"))
    try:
        corpus = generate(root, documents=docs, paragraphs=paragraphs, big=big)
        import_corpus(corpus)
        for row in rows(corpus):
            print(" | ".join(row))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
