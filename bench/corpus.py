"""A generated corpus the size of a large project: the benchmarks' common input.

200 speaker-turn transcripts with 100,000 paragraphs between them (the first one alone has
10,000, for the open-a-long-document measure), a 30-code two-level codebook (YAML, as a
researcher would load it) and two coders who code about a fifth of the paragraphs each and
agree on most of them. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import string
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

WORDS = (
    "care support home school placement worker social foster family leaving review money "
    "housing college friends trust moved stopped nobody told help listen changed felt young "
    "people system council manager meeting letter birthday phone week year always never "
    "really maybe because when then after before about think know said asked wanted"
).split()


@dataclass
class Corpus:
    root: Path
    files: list[Path]
    codebook: Path
    db: Path
    big_document: str
    paragraphs: int
    coders: list[str] = field(default_factory=lambda: ["coder1", "coder2"])
    code_keys: list[str] = field(default_factory=list)


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(6, 18))
    return " ".join(words).capitalize() + rng.choice(".?.!.")


def _turn(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(1, 5)))


def _shortcuts(n: int) -> list[str]:
    from coder.codebook import RESERVED_KEYS

    pool = [c for c in string.ascii_lowercase + string.digits + string.ascii_uppercase
            if c not in RESERVED_KEYS]
    return pool[:n]


def write_codebook(path: Path, n_codes: int = 30) -> list[str]:
    """Six themes with four sub-codes each, plus top-level codes up to `n_codes`."""
    keys: list[str] = []
    shortcuts = _shortcuts(n_codes)
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
    codes = []
    i = 0
    for theme in range(6):
        parent = {"key": f"theme-{theme + 1}", "name": f"Theme {theme + 1}",
                  "definition": f"Everything about theme {theme + 1}.",
                  "color": palette[theme], "codes": []}
        if i < len(shortcuts):
            parent["shortcut"] = shortcuts[i]
        keys.append(parent["key"])
        i += 1
        for sub in range(4):
            if i >= n_codes:
                break
            child = {"key": f"theme-{theme + 1}-{sub + 1}", "name": f"Aspect {sub + 1}",
                     "definition": f"Aspect {sub + 1} of theme {theme + 1}."}
            if i < len(shortcuts):
                child["shortcut"] = shortcuts[i]
            parent["codes"].append(child)
            keys.append(child["key"])
            i += 1
        codes.append(parent)
    while i < n_codes:
        code = {"key": f"extra-{i}", "name": f"Extra {i}", "definition": "A further code."}
        if i < len(shortcuts):
            code["shortcut"] = shortcuts[i]
        codes.append(code)
        keys.append(code["key"])
        i += 1
    path.write_text(
        yaml.safe_dump({"name": "Benchmark codebook", "codes": codes}, sort_keys=False),
        encoding="utf-8",
    )
    return keys


def write_transcripts(folder: Path, documents: int, paragraphs: int, big: int,
                      seed: int) -> list[Path]:
    """`documents` files with `paragraphs` turns in all; the first has `big` of them."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    rest = paragraphs - big
    sizes = [big] + [rest // (documents - 1) + (1 if d < rest % (documents - 1) else 0)
                     for d in range(documents - 1)]
    files = []
    for d, size in enumerate(sizes):
        path = folder / f"interview-{d + 1:03d}.txt"
        participant = f"P{d + 1}"
        turns = [f"{'Interviewer' if k % 2 == 0 else participant}: {_turn(rng)}"
                 for k in range(size)]
        path.write_text("\n\n".join(turns) + "\n", encoding="utf-8")
        files.append(path)
    return files


def generate(root: Path, *, documents: int = 200, paragraphs: int = 100_000,
             big: int = 10_000, n_codes: int = 30, seed: int = 2021) -> Corpus:
    root.mkdir(parents=True, exist_ok=True)
    files = write_transcripts(root / "transcripts", documents, paragraphs, big, seed)
    codebook = root / "codebook.yaml"
    keys = write_codebook(codebook, n_codes)
    return Corpus(root, files, codebook, root / "project.db", files[0].stem, paragraphs,
                  code_keys=keys)


def code_project(corpus: Corpus, *, share: float = 0.2, agreement: float = 0.8,
                 seed: int = 7) -> int:
    """Two coders' segments, written in bulk: coder1 codes `share` of the paragraphs with one
    or two codes (a quarter of them as spans); coder2 repeats each with probability
    `agreement`, otherwise picks another code, and adds a few of its own."""
    from coder.store import Store

    rng = random.Random(seed)
    store = Store(corpus.db, create=False)
    try:
        code_ids = [store.code(k).id for k in corpus.code_keys]
        coder_ids = [store.coder_id(c) for c in corpus.coders]
        rows = []
        for _, paragraph_id, _, length in store.paragraph_index():
            if rng.random() >= share:
                continue
            for code_id in rng.sample(code_ids, rng.choice((1, 1, 2))):
                span = (None, None)
                if rng.random() < 0.25 and length > 20:
                    start = rng.randrange(0, length - 10)
                    span = (start, rng.randint(start + 5, length))
                rows.append({"paragraph_id": paragraph_id, "code_id": code_id,
                             "coder_id": coder_ids[0], "start": span[0], "end": span[1]})
                other = code_id if rng.random() < agreement else rng.choice(code_ids)
                rows.append({"paragraph_id": paragraph_id, "code_id": other,
                             "coder_id": coder_ids[1], "start": span[0], "end": span[1]})
        added, _ = store.insert_segments(rows, event="benchmark codings", detail={},
                                         backup=False)
        for doc in store.documents():
            for coder_id in coder_ids:
                store.put_status(coder_id, doc.id, "in progress")
    finally:
        store.close()
    return added
