"""`python -m bench`: generate the corpus, run every benchmark there is, print one table.

`python -m bench startup` times start-up instead (bench/startup.py): the CLI and the app's first
screen from process start, beside their references."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import safety_bench
from bench.corpus import Corpus, generate

OPTIONAL = ("agreement_bench", "tui_bench", "export_bench", "guards", "attributes_bench",
            "analysis_bench", "memory")
Row = tuple[str, str, str]


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} CPUs (nproc), Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}")


def _guard(name: str, fn: Callable[[], Iterable[Row]]) -> list[Row]:
    """A benchmark that breaks shows as a row saying so; the others still run."""
    t0 = time.perf_counter()
    try:
        rows = list(fn())
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        return [(name, "FAILED", f"{type(exc).__name__}: {exc}")]
    print(f"  {name}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return rows


def optional_modules(corpus: Corpus) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    printed: list[str] = []
    for name in OPTIONAL:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bench.{name}":
                rows.append((name, "not present", ""))
                continue
            rows.append((name, "FAILED", f"import: {exc}"))
            continue
        except Exception as exc:
            rows.append((name, "FAILED", f"import: {type(exc).__name__}: {exc}"))
            continue
        if hasattr(module, "rows"):
            copy = safety_bench.copy_project(corpus, name)
            rows += _guard(name, lambda m=module, c=copy: m.rows(c))
            continue
        adapter = ADAPTERS.get(name)
        if adapter is not None:
            adapted = _guard(name, lambda a=adapter, m=module: a(m, corpus))
            if not any(v == "FAILED" for _, v, _ in adapted):
                rows += adapted
                continue
            rows += [(name, "adapter failed", adapted[0][2] + "; its own output is below")]
        if hasattr(module, "main"):
            out = io.StringIO()

            def run(m=module, buffer=out, script=f"bench/{name}.py") -> list[Row]:
                argv = sys.argv
                sys.argv = [script]
                try:
                    with contextlib.redirect_stdout(buffer):
                        m.main()
                finally:
                    sys.argv = argv
                return []

            failed = _guard(name, run)
            rows += failed
            if not failed:
                printed.append(f"{name} (its own data and table):\n{out.getvalue().rstrip()}")
        else:
            rows.append((name, "skipped", "defines neither rows(corpus) nor main()"))
    return rows, printed


def _agreement(module, corpus: Corpus) -> list[Row]:
    cases = [module.paragraph_case(100_000, 2, 1.0, seed=1),
             module.paragraph_case(100_000, 3, 0.9, seed=2),
             module.character_case(100, 5_000, seed=3)]
    out = []
    for label, case in cases:
        label, ours, theirs, diff = module.run(label, case, repeat=3)
        note = (f"in-process library call only; krippendorff.alpha (nominal, per code)"
                f" {theirs * 1000:.0f} ms = {theirs / ours:.1f}x ours; max |alpha difference|"
                f" {diff:.0e}")
        out.append((f"agreement, all metrics: {label}", f"{ours * 1000:.0f} ms", note))
    with tempfile.TemporaryDirectory() as tmp:
        label, ours, theirs, load = module.end_to_end(corpus.db, tuple(corpus.coders), Path(tmp))
    note = (f"wall, process start included (best of 3; CPU {ours[1] * 1000:.0f} ms); a script"
            f" reading the same codings from CSV and calling krippendorff.alpha per code:"
            f" {theirs[0] * 1000:.0f} ms wall (CPU {theirs[1] * 1000:.0f} ms) ="
            f" {theirs[0] / ours[0]:.1f}x ours; load average {load:.1f}")
    out.append((label, f"{ours[0] * 1000:.0f} ms", note))
    return out


def _export(module, corpus: Corpus) -> list[Row]:
    from coder.store import Store

    copy = safety_bench.copy_project(corpus, "export")
    out = copy.root / "export-out"
    out.mkdir(exist_ok=True)
    with Store(copy.db, create=False) as store:
        results = module.run(store, out)
    return [(f"export: {label}", f"{seconds:.2f} s", note) for label, seconds, note in results]


def _tui(module, corpus: Corpus) -> list[Row]:
    import asyncio

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tui.db"
        module.build(path, 10_000)
        results = asyncio.run(module.run(path, 300, (120, 40)))
    return [(f"app: {name}", f"{value * 1000:.0f} ms" if isinstance(value, float) else str(value),
             "10,000-paragraph document, 120x40 terminal") for name, value in results.items()]


# The helpers' modules predate the `rows(corpus)` contract; these call their functions so
# that their figures land in the one table. A module that gains `rows` takes precedence.
ADAPTERS: dict[str, Callable[..., list[Row]]] = {
    "agreement_bench": _agreement,
    "export_bench": _export,
    "tui_bench": _tui,
}


def table(rows: list[Row], markdown: bool) -> str:
    header = ("measure", "value", "notes")
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|---|---|---|"]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(2)]
    out = [f"{header[0]:<{widths[0]}}  {header[1]:<{widths[1]}}  {header[2]}",
           f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * 5}"]
    out += [f"{m:<{widths[0]}}  {v:<{widths[1]}}  {n}" for m, v, n in rows]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["startup"]:
        from bench import startup

        return startup.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="A tenth of the corpus and short runs: to check the benchmarks work.")
    parser.add_argument("--kills", type=int, help="SIGKILLs in the crash run (default 200).")
    parser.add_argument("--seconds", type=float,
                        help="Length of the two-coder run (default 10).")
    parser.add_argument("--keep", type=Path, help="Generate the corpus here and keep it.")
    parser.add_argument("--markdown", action="store_true", help="Print a Markdown table.")
    args = parser.parse_args(argv)
    docs, paragraphs, big = (20, 10_000, 2_000) if args.quick else (200, 100_000, 10_000)
    kills = args.kills if args.kills is not None else (10 if args.quick else 200)
    seconds = args.seconds if args.seconds is not None else (2.0 if args.quick else 10.0)

    root = args.keep or Path(tempfile.mkdtemp(prefix="coder-bench-"))
    try:
        t0 = time.perf_counter()
        corpus = generate(root, documents=docs, paragraphs=paragraphs, big=big)
        print(f"corpus: {docs} documents, {paragraphs:,} paragraphs, 2 coders, "
              f"{len(corpus.code_keys)} codes in {root} ({time.perf_counter() - t0:.1f} s)",
              file=sys.stderr)
        rows: list[Row] = []
        imported = _guard("import", lambda: safety_bench.import_corpus(corpus))
        rows += imported
        if any(v == "FAILED" for _, v, _ in imported):
            print(table(rows, args.markdown))
            return 1
        rows += _guard("toggle", lambda: safety_bench.toggle_latency(
            safety_bench.copy_project(corpus, "toggle")))
        rows += _guard("backup", lambda: safety_bench.backup_and_check(corpus))
        rows += _guard("codebook", lambda: safety_bench.codebook_merge(
            safety_bench.copy_project(corpus, "codebook")))
        rows += _guard("reimport", lambda: safety_bench.reimport(
            safety_bench.copy_project(corpus, "reimport")))
        rows += _guard("concurrency", lambda: safety_bench.concurrent_coders(corpus, seconds))
        rows += _guard("crash", lambda: safety_bench.crashes(kills))
        extra, printed = optional_modules(corpus)
        rows += extra
        print(f"machine: {machine()}")
        print(table(rows, args.markdown))
        for block in printed:
            print()
            print(block)
        return 1 if any(v in ("FAILED", "PROBLEMS") for _, v, _ in rows) else 0
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
