"""`coder crosstab` on the benchmark corpus: a few attributes on the 200 documents (region,
kind, year as a number), every speaker label of each document linked to a case with an age
group, then the crosstab end to end in a fresh process (start-up, reads and printing), as a
researcher runs it, beside its floor: the same grouped query through a plain sqlite3 script in
a fresh process. `stats --by` and `export matrix` (with its attribute columns) likewise, the
matrix beside a plain script writing as many rows of as many columns with the csv module.
Run with `python -m bench` (rows `crosstab ...`), never from pytest."""

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


# The floors: what Python, sqlite3 and json or csv alone take for the same reads and writes.
REFERENCE_CROSSTAB = r'''
import json, sqlite3, sys
from coder.store.queries import _LIVE_SEGMENTS
conn = sqlite3.connect(sys.argv[1])
conn.create_function("coder_word_count", 1, lambda t: len(t.split()), deterministic=True)
rows = conn.execute("""
SELECT document_id, speaker, code_key, sum(segments), count(DISTINCT paragraph_id), sum(words)
FROM (SELECT p.document_id AS document_id, p.speaker AS speaker, s.paragraph_id AS paragraph_id,
             c.key AS code_key, min(cr.name), count(*) AS segments,
             coder_word_count(CASE WHEN s.start IS NULL THEN p.text ELSE
                              substr(p.text, s.start + 1, s."end" - s.start) END) AS words
      """ + _LIVE_SEGMENTS + """ GROUP BY c.key, s.paragraph_id, s.start)
GROUP BY document_id, speaker, code_key""").fetchall()
print(json.dumps(rows, indent=2))
'''

REFERENCE_MATRIX = r'''
import csv, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
heads = conn.execute("SELECT d.name, p.n, p.kind, p.speaker FROM paragraphs p"
                     " JOIN documents d ON d.id = p.document_id ORDER BY d.id, p.n").fetchall()
writer = csv.writer(sys.stdout, lineterminator="\r\n")
blank = [0] * 30
for coder in ("coder1", "coder2"):
    for name, n, kind, speaker in heads:
        writer.writerow([name, name, n, kind, speaker, coder, "", "", "", "", "", *blank])
'''


def reference(db: Path, script: str, repeat: int = 3) -> float:
    """A plain script's best wall time in a fresh process, run from the repository (so
    `_LIVE_SEGMENTS` is the very text of the store's query)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", script, str(db)], check=True,
                       stdout=subprocess.DEVNULL, cwd=Path(__file__).resolve().parents[1])
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
        ("stats --by region (one table per value)", ["stats", "--by", "region"]),
    ):
        seconds = end_to_end(corpus.db, args)
        yield (label, f"{seconds * 1000:.0f} ms",
               f"wall, process start included (best of 3); {corpus.paragraphs:,} paragraphs, "
               f"{len(corpus.coders)} coders pooled; {setup}")
    floor = reference(corpus.db, REFERENCE_CROSSTAB)
    yield ("reference: the crosstab's grouped query, plain sqlite3 script",
           f"{floor * 1000:.0f} ms", "wall, process start included (best of 3): python -c with "
           "sqlite3 and json only, the same SQL and word count; the floor of the rows above")
    seconds = end_to_end(corpus.db, ["export", "matrix"], repeat=2)
    floor = reference(corpus.db, REFERENCE_MATRIX, repeat=2)
    yield ("export matrix (case and 4 attribute columns)", f"{seconds * 1000:.0f} ms",
           f"wall, process start included (best of 2); {2 * corpus.paragraphs:,} rows "
           "(paragraph x coder) x 30 codes to standard output; reference: a plain script "
           f"writing as many rows of as many columns with the csv module, {floor * 1000:.0f} ms")


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
