"""How fast hostile or huge input is refused or read: the timings the test suite used to assert.

The tests (tests/test_codebook.py, tests/test_ingest_errors.py) check what happens; these rows
say how long it takes, on the machine the bench runs on, without failing a loaded CI run.

    python bench/guards.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

Row = tuple[str, str, str]
WORDS = ["care", "leaver", "stigma", "support", "home", "community", "social", "worker", "young",
         "people"]


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def _transcript(n: int) -> str:
    return "\n\n".join(" ".join(WORDS[(i + k) % len(WORDS)] for k in range(5 + i % 30)).capitalize()
                       + "." for i in range(n))


def rows(corpus: object = None) -> list[Row]:
    from coder.codebook import check_codebook
    from coder.ingest import read_document

    out: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="coder-guards-") as tmp:
        folder = Path(tmp)
        bomb = folder / "bomb.yaml"
        lines = ["name: x", "codes: []", "a: &a [" + ", ".join(['"lol"'] * 9) + "]"]
        lines += [f"{level}: &{level} [" + ", ".join([f"*{chr(ord(level) - 1)}"] * 9) + "]"
                  for level in "bcdefghij"]
        bomb.write_text("\n".join(lines) + "\n")
        seconds, problems = _timed(lambda: check_codebook(bomb))
        out.append(("codebook check: YAML alias bomb (9 levels x 9 aliases)",
                    f"{seconds * 1000:.0f} ms", f"refused: {len(problems)} problem"))  # type: ignore[arg-type]
        deep = folder / "deep.yaml"
        deep.write_text("name: x\ncodes: " + "[" * 5000 + "]" * 5000 + "\n")
        seconds, problems = _timed(lambda: check_codebook(deep))
        out.append(("codebook check: 5,000 nested lists", f"{seconds * 1000:.0f} ms",
                    f"refused: {len(problems)} problem"))  # type: ignore[arg-type]
        for n in (20_000, 100_000):
            path = folder / f"big-{n}.txt"
            path.write_text(_transcript(n), encoding="utf-8")
            seconds, doc = _timed(lambda p=path: read_document(p))
            out.append((f"read a {n:,}-paragraph text file (no database)", f"{seconds:.2f} s",
                        f"{len(doc.paragraphs) / seconds:,.0f} paragraphs/s"))  # type: ignore[attr-defined]
    return out


if __name__ == "__main__":
    from bench.__main__ import table

    print(table(rows(), markdown="--markdown" in sys.argv))
