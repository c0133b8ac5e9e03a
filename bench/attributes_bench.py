"""`coder crosstab` on the benchmark corpus: a few attributes on the 200 documents (region,
kind, year as a number), every speaker label of each document linked to a case with an age
group, then the crosstab end to end in a fresh process (start-up, reads and printing), as a
researcher runs it. Run with `python -m bench` (row `crosstab ...`), never from pytest."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import Corpus  # noqa: E402

REGIONS = ("North East", "North West", "West Midlands", "East of England", "South West")
KINDS = ("interview", "focus group", "evidence session")


def describe(db: Path) -> tuple[int, int]:
    """Attributes on every document and a case per speaker label; (values set, case links)."""
    from coder.store import Store

    store = Store(db, create=False)
    try:
        region = store.declare_attribute("region", "text")
        kind = store.declare_attribute("kind", "text")
        year = store.declare_attribute("year", "number")
        age = store.declare_attribute("age group", "text")
        docs = store.documents()
        values = [(d.id, a.id, v) for i, d in enumerate(docs) for a, v in (
            (region, REGIONS[i % len(REGIONS)]), (kind, KINDS[i % len(KINDS)]),
            (year, str(2019 + i % 4)))]
        store.set_attribute_values(values, detail={"bench": True})
        links = 0
        for i, doc in enumerate(docs):
            for speaker in store.paragraph_speakers([doc.id])[doc.id]:
                if speaker is None:
                    continue
                case = store.add_case(f"{doc.name}/{speaker}")
                store.set_attribute_values(case_values=[(case.id, age.id, ("18-25", "26-40")[
                    (i + len(speaker)) % 2])], detail={"bench": True})
                store.link_case(case.id, doc.id, speaker)
                links += 1
        return len(values), links
    finally:
        store.close()


def end_to_end(db: Path, args: list[str], repeat: int = 3) -> float:
    env = {**os.environ, "CODER_DB": str(db), "COLUMNS": "200"}
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "coder", *args], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - t0)
    return best


def rows(corpus: Corpus) -> Iterable[tuple[str, str, str]]:
    values, links = describe(corpus.db)
    setup = f"{values} document values, {links} speakers linked to cases"
    for label, args in (
        ("crosstab region (table)", ["crosstab", "region"]),
        ("crosstab 'age group' (case attribute, JSON)", ["crosstab", "age group", "--format",
                                                         "json"]),
        ("crosstab region --where kind=interview --per-coder (CSV)",
         ["crosstab", "region", "--where", "kind=interview", "--per-coder", "--format", "csv"]),
    ):
        seconds = end_to_end(corpus.db, args)
        yield (label, f"{seconds * 1000:.0f} ms",
               f"wall, process start included (best of 3); {corpus.paragraphs:,} paragraphs, "
               f"{len(corpus.coders)} coders pooled; {setup}")


def main() -> None:
    import tempfile

    from bench.corpus import generate
    from bench.safety_bench import import_corpus

    with tempfile.TemporaryDirectory() as tmp:
        corpus = generate(Path(tmp))
        import_corpus(corpus)
        for row in rows(corpus):
            print(" | ".join(row))


if __name__ == "__main__":
    main()
