"""How long exports take on a project with 100,000 coded segments.

Run as `python bench/export_bench.py [--segments N] [--keep DIR]` (never from pytest; `python -m
bench` runs it too). The project is built directly through `Store.add_document` and
`Store.insert_segments`: 20 documents of 1,000 speaker-turn paragraphs, a 30-code two-level
codebook, two coders applying about 2.5 codes per paragraph each (a third of them spans, 5 % with
a memo). Every export runs end to end as the CLI runs it: select the segments, build the output,
write it atomically. Targets from the issue: CSV in about a second, .docx well under a minute.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coder.export import refi, refi_import, report, segments, stats
from coder.export.atomic import atomic_path, write_atomic
from coder.export.scope import select
from coder.models import ParagraphIn, ParsedDocument
from coder.store import Store

WORDS = [
    "care", "support", "home", "school", "placement", "worker", "social", "foster", "family", "leaving", "review",
    "money", "housing", "college", "friends", "trust", "moved", "stopped", "nobody", "told", "help", "listen",
    "changed", "felt", "young", "people", "system", "council", "manager", "meeting", "letter", "birthday", "phone",
    "week", "year", "always", "never", "really", "maybe", "because", "when", "then", "after", "before", "about",
    "think", "know", "said", "asked", "wanted", "[Spotlight]", "café", "naïve", "“quoted”",
]


def build(path: Path, segments_wanted: int, seed: int = 7) -> Store:
    rng = random.Random(seed)
    store = Store(path)
    codes = []
    for t in range(6):
        codes.append({"key": f"theme-{t}", "name": f"Theme {t}", "parent_key": None,
                      "definition": f"Definition of theme {t}."})
        for c in range(4):
            codes.append({"key": f"code-{t}-{c}", "name": f"Code {t}.{c}",
                          "parent_key": f"theme-{t}", "definition": "A sub-code."})
    store.sync_codes(codes)
    code_ids = [c.id for c in store.codes()]
    coders = [store.coder_id("coder1"), store.coder_id("coder2")]
    n_docs, per_doc = 20, 1_000
    per_paragraph = segments_wanted / (n_docs * per_doc * len(coders))
    rows: list[dict[str, Any]] = []
    for d in range(n_docs):
        paragraphs = [
            ParagraphIn(" ".join(rng.choices(WORDS, k=rng.randint(12, 60))).capitalize() + ".",
                        speaker=rng.choice(["Interviewer", "P1", "P2", "P3"]))
            for _ in range(per_doc)
        ]
        doc = store.add_document(f"transcript-{d:03d}", ParsedDocument("text", paragraphs),
                                 source_path=None, content_hash=f"bench-{d}")
        for p in store.paragraphs(doc.id):
            for coder in coders:
                k = int(per_paragraph) + (rng.random() < per_paragraph % 1)
                for code in rng.sample(code_ids, k):
                    start = end = None
                    if rng.random() < 1 / 3:
                        start = rng.randrange(0, len(p.text) // 2)
                        end = rng.randrange(start + 1, len(p.text) + 1)
                    rows.append({"paragraph_id": p.id, "code_id": code, "coder_id": coder,
                                 "start": start, "end": end,
                                 "memo": "a memo [x]" if rng.random() < 0.05 else None})
    store.insert_segments(rows[:segments_wanted], event="bench", backup=False)
    return store


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def run(store: Store, out: Path) -> list[tuple[str, float, str]]:
    results: list[tuple[str, float, str]] = []

    def add(label: str, fn: Callable[[], Any], note: Callable[[Any], str] = lambda _: "") -> None:
        seconds, value = timed(fn)
        results.append((label, seconds, note(value)))

    def csv_export() -> int:
        scope = select(store, as_records=True)
        write_atomic(out / "segments.csv", segments.segments_csv(scope), force=True)
        return scope.size

    def jsonl_export() -> None:
        write_atomic(out / "segments.jsonl",
                     segments.segments_jsonl(select(store, as_records=True)), force=True)

    def report_export(fmt: str) -> None:
        built = report.build_report(select(store), project=store.path.name)
        if fmt == "docx":
            with atomic_path(out / "report.docx", force=True) as tmp:
                report.report_docx(built, tmp, author="bench", page_size="a4")
        elif fmt == "md":
            write_atomic(out / "report.md", report.report_markdown(built).encode(), force=True)
        else:
            write_atomic(out / "report.html", report.report_html(built).encode(), force=True)

    def stats_export() -> None:
        result = stats.compute_stats(select(store), store.coders())
        stats.write_stats_csv(result, out / "stats", force=True)

    def mb(name: str) -> Callable[[Any], str]:
        return lambda _: f"{(out / name).stat().st_size / 1e6:.1f} MB"

    add("csv", csv_export, lambda n: f"{n:,} segments, {(out / 'segments.csv').stat().st_size / 1e6:.1f} MB")
    add("jsonl", jsonl_export, mb("segments.jsonl"))
    add("report md", lambda: report_export("md"), mb("report.md"))
    add("report html", lambda: report_export("html"), mb("report.html"))
    add("report docx", lambda: report_export("docx"), mb("report.docx"))
    add("stats (3 csv)", stats_export)
    add("qdpx export", lambda: refi.project_qdpx(store, out / "project.qdpx", force=True),
        mb("project.qdpx"))
    target = out / "imported.db"
    target.unlink(missing_ok=True)

    def reimport() -> str:
        with Store(target) as fresh:
            r = refi_import.import_qdpx(fresh, out / "project.qdpx")
        return f"{r.segments_added:,} segments back"

    add("qdpx import (new project)", reimport, lambda s: s)

    def again() -> str:
        r = refi_import.import_qdpx(store, out / "project.qdpx")
        return (f"{r.segments_added:,} added, {r.segments_skipped:,} already there, "
                f"{len(r.documents_added)} documents added")

    add("qdpx import into the same project", again, lambda s: s)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="Build in this folder and keep the files.")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    root = args.keep or Path(tempfile.mkdtemp(prefix="coder-export-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        seconds, store = timed(lambda: build(root / "bench.db", args.segments))
        n = len(store.segment_rows())
        print(f"project: {n:,} segments, 20,000 paragraphs, 2 coders, 30 codes "
              f"(built in {seconds:.1f} s)")
        results = run(store, root)
        store.close()
        width = max(len(label) for label, _, _ in results)
        print(f"{'export':<{width}}  {'seconds':>8}  notes")
        for label, secs, note in results:
            print(f"{label:<{width}}  {secs:>8.2f}  {note}")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
