"""Time coder.agreement against the `krippendorff` package on the same data.

Run as `python bench/agreement_bench.py` (never from pytest). Our time is the whole report: all
seven coefficients for every code, the pooled figures and alpha over code sets (MASI), starting from
the sparse sets the store holds. The `krippendorff` time is only its per-code nominal alpha, given
the dense coders × units reliability matrix ready-made (building it is not timed). The last column
checks that both alphas agree.
"""

from __future__ import annotations

import csv
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import krippendorff

from coder.agreement import character_agreement, paragraph_agreement

N_CODES = 30


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def prevalences(rng: np.random.Generator) -> np.ndarray:
    """Codes from rare (0.5 %) to common (10 %) per unit, as in a real codebook."""
    return rng.permutation(np.geomspace(0.005, 0.10, N_CODES))


def coded_matrix(rng: np.random.Generator, n_units: int, n_coders: int) -> np.ndarray:
    """coders × codes × units booleans: coder 0 codes at random, the others follow with noise."""
    p = prevalences(rng)
    first = rng.random((N_CODES, n_units)) < p[:, None]
    out = np.empty((n_coders, N_CODES, n_units), dtype=bool)
    out[0] = first
    for c in range(1, n_coders):
        keep = rng.random((N_CODES, n_units)) < 0.85
        extra = rng.random((N_CODES, n_units)) < (p[:, None] * 0.15)
        out[c] = (first & keep) | extra
    return out


def paragraph_case(n_units: int, n_coders: int, coverage: float, seed: int) -> tuple[str, dict]:
    rng = np.random.default_rng(seed)
    coded = coded_matrix(rng, n_units, n_coders)
    covered = (
        rng.random((n_coders, n_units)) < coverage
        if coverage < 1
        else np.ones((n_coders, n_units), dtype=bool)
    )
    coders = [f"coder{c}" for c in range(n_coders)]
    codes = [f"code{k:02d}" for k in range(N_CODES)]
    units = list(range(n_units))
    applied = {
        (coders[c], codes[k]): set(np.flatnonzero(coded[c, k] & covered[c]).tolist())
        for c in range(n_coders)
        for k in range(N_CODES)
    }
    coded_units = {coders[c]: set(np.flatnonzero(covered[c]).tolist()) for c in range(n_coders)}
    dense = []
    for k in range(N_CODES):
        m = coded[:, k].astype(np.float64)
        m[~covered] = np.nan
        dense.append(m)
    label = f"paragraphs: {n_coders} coders × {n_units:,} units × {N_CODES} codes"
    if coverage < 1:
        label += f", {coverage:.0%} coverage each"
    return label, {
        "ours": lambda **kw: paragraph_agreement(units, coders, codes, applied, coded_units, **kw),
        "dense": dense,
        "codes": codes,
    }


def character_case(n_docs: int, doc_len: int, seed: int) -> tuple[str, dict]:
    """Spans of 50–400 characters; the second coder shifts boundaries and misses some spans."""
    rng = np.random.default_rng(seed)
    coders = ["coder0", "coder1"]
    codes = [f"code{k:02d}" for k in range(N_CODES)]
    p = prevalences(rng)
    documents = {f"doc{d}": doc_len for d in range(n_docs)}
    intervals: dict[tuple[str, str, str], list[tuple[int, int]]] = {}
    dense = [np.zeros((2, n_docs * doc_len)) for _ in codes]
    for d in range(n_docs):
        for k, code in enumerate(codes):
            n_spans = rng.poisson(p[k] * doc_len / 200)
            a_spans, b_spans = [], []
            for _ in range(n_spans):
                start = int(rng.integers(0, doc_len - 50))
                end = min(doc_len, start + int(rng.integers(50, 400)))
                a_spans.append((start, end))
                if rng.random() < 0.85:
                    bs = max(0, start + int(rng.integers(-20, 21)))
                    be = min(doc_len, max(bs + 1, end + int(rng.integers(-20, 21))))
                    b_spans.append((bs, be))
            intervals[(coders[0], code, f"doc{d}")] = a_spans
            intervals[(coders[1], code, f"doc{d}")] = b_spans
            for row, spans in ((0, a_spans), (1, b_spans)):
                for s, e in spans:
                    dense[k][row, d * doc_len + s : d * doc_len + e] = 1.0
    covered = {c: set(documents) for c in coders}
    label = f"characters: 2 coders × {n_docs * doc_len:,} chars ({n_docs} docs) × {N_CODES} codes"
    return label, {
        "ours": lambda: character_agreement(documents, coders, codes, intervals, covered),
        "dense": dense,
        "codes": codes,
    }


def run(label: str, case: dict, repeat: int) -> tuple[str, float, float, float]:
    ours_t, report = best_of(repeat, case["ours"])
    theirs_t, theirs = best_of(
        1, lambda: [krippendorff.alpha(m, level_of_measurement="nominal") for m in case["dense"]]
    )
    diff = max(
        abs(report.code(code).metrics["krippendorff_alpha"].value - ref)
        for code, ref in zip(case["codes"], theirs, strict=True)
    )
    return label, ours_t, theirs_t, diff


KRIPPENDORFF_SCRIPT = """
import csv, sys
import numpy as np
import krippendorff
path, n_units = sys.argv[1], int(sys.argv[2])
coders, codes, rows = {}, {}, []
with open(path, newline="") as f:
    for unit, coder, code in csv.reader(f):
        rows.append((int(unit), coders.setdefault(coder, len(coders)), codes.setdefault(code, len(codes))))
data = np.zeros((len(codes), len(coders), n_units))
u, c, k = np.array(rows).T
data[k, c, u] = 1.0
print(len([krippendorff.alpha(reliability_data=m, level_of_measurement="nominal") for m in data]))
"""


def _wall(args: list[str], env: dict[str, str], repeat: int = 3) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system) of a fresh process, over `repeat` runs."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        best_cpu = min(best_cpu, cpu)
    return best, best_cpu


def end_to_end(db: Path, coders: tuple[str, str], work: Path) -> tuple[str, tuple, tuple, float]:
    """`coder agree --json` as a user runs it, process start included, against a script that
    reads the same codings from a CSV and calls `krippendorff.alpha` per code (also a fresh
    process). Bytecode caching is on for both, as in a normal install; each runs once first."""
    from coder.compare import compare
    from coder.store import Store

    with Store(db, create=False) as store:
        units = [u[1] for u in store.agreement_units()]
        index = {p: i for i, p in enumerate(units)}
        codings = store.agreement_codings(list(coders))
        [result] = compare(store, list(coders))
    csv_path = work / "codings.csv"
    with csv_path.open("w", newline="") as f:
        writer = csv.writer(f)
        for paragraph, coder, code, _, _ in codings:
            writer.writerow([index[paragraph], coder, code])
    script = work / "kripp.py"
    script.write_text(KRIPPENDORFF_SCRIPT)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    ours = [sys.executable, "-m", "coder", "agree", "--coders", ",".join(coders), "--json",
            "--db", str(db)]
    theirs = [sys.executable, str(script), str(csv_path), str(len(units))]
    for args in (ours, theirs):
        subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
    ours_t, theirs_t = _wall(ours, env), _wall(theirs, env)
    label = (f"coder agree --json end to end: {len(coders)} coders x {len(units):,} paragraphs x"
             f" {len(result.report.codes)} codes, {len(codings):,} codings")
    return label, ours_t, theirs_t, os.getloadavg()[0]


def main() -> None:
    cases = [
        paragraph_case(100_000, 2, 1.0, seed=1),
        paragraph_case(100_000, 3, 0.9, seed=2),
        character_case(100, 5_000, seed=3),
    ]
    rows = [run(label, case, repeat=3) for label, case in cases]
    width = max(len(r[0]) for r in rows)
    print(
        f"{'data':<{width}}  {'ours (all metrics)':>18}  {'krippendorff.alpha':>18}  "
        f"{'ratio':>7}  {'max |Δα|':>9}"
    )
    for label, ours_t, theirs_t, diff in rows:
        print(
            f"{label:<{width}}  {ours_t * 1000:>15.1f} ms  {theirs_t * 1000:>15.1f} ms  "
            f"{theirs_t / ours_t:>6.1f}×  {diff:>9.1e}"
        )
    label, case = cases[0]
    ci_t, _ = best_of(1, lambda: case["ours"](ci=0.95, n_boot=1000))
    print(f"\n{label}, with a 95 % bootstrap interval (1000 resamples): {ci_t * 1000:.1f} ms")


if __name__ == "__main__":
    main()
