"""How long the user waits, timed from process start: CLI commands and the app's first screen.

Each figure sits beside its reference, measured the same way in the same run: the CLI commands
beside a bare `python -c "import click"` process, and the coding app beside a bare Textual app
(bench/bare_app.py). Commands run as separate processes (`subprocess`), timed from just before
the spawn until they exit. The apps run in a pseudo-terminal of their own (`os.forkpty`, 100x30,
TERM=xterm-256color), timed from just before the fork until every marker text of their first
full screen has been written to the terminal; the escape sequences are stripped before looking.

    python -m bench startup            # the table, medians of 11 runs each
    python -m bench startup --runs 5   # fewer runs
    python bench/startup.py            # the same
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.bare_app import MARKER as BARE_MARKER

Row = tuple[str, str, str]
SIZE = (100, 30)
ESCAPES = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[P_^][^\x1b]*\x1b\\|.)")


def _coder() -> list[str]:
    """The installed `coder` script, as a user runs it (else `python -m coder`)."""
    found = shutil.which("coder", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "coder"]


def user_env() -> dict[str, str]:
    """The environment as a user's: bytecode cached (an installed package has its .pyc files;
    PYTHONDONTWRITEBYTECODE would make every start compile coder from source)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def process_seconds(argv: Sequence[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                   env=user_env())
    return time.perf_counter() - started


def first_screen_seconds(argv: Sequence[str], markers: Sequence[str], *,
                         timeout: float = 30.0) -> float:
    """Fork `argv` in a new pseudo-terminal and wait until all `markers` have been drawn."""
    wanted = [m.encode() for m in markers]
    started = time.perf_counter()
    pid, fd = os.forkpty()
    if pid == 0:
        columns, lines = SIZE
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        child_env = user_env()
        child_env.update(TERM="xterm-256color", COLUMNS=str(columns), LINES=str(lines))
        child_env.pop("NO_COLOR", None)
        os.execvpe(argv[0], list(argv), child_env)
    seen = b""
    try:
        while True:
            left = timeout - (time.perf_counter() - started)
            if left <= 0:
                raise TimeoutError(f"{' '.join(argv)}: no first screen after {timeout:.0f} s; "
                                   f"it showed: {ESCAPES.sub(b'', seen)[-400:]!r}")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                raise RuntimeError(f"{' '.join(argv)} ended before its first screen: "
                                   f"{ESCAPES.sub(b'', seen)[-400:]!r}")
            seen += chunk
            text = ESCAPES.sub(b"", seen)
            if all(m in text for m in wanted):
                return time.perf_counter() - started
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def median_of(runs: int, measure) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median and minimum over `runs` runs, after one run to warm the disk and bytecode caches."""
    measure()
    times = [measure() for _ in range(runs)]
    return statistics.median(times), min(times)


def paired(runs: int, reference: Callable[[], float], measure: Callable[[], float]
           ) -> tuple[tuple[float, float], tuple[float, float]]:
    """(median, minimum) of a reference and of a measure, run turn about (after one warm-up
    run of each) so that both see the same load on a shared machine; a block of one then a
    block of the other put the ratio at the mercy of whatever else ran meanwhile."""
    reference()
    measure()
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):
        theirs.append(reference())
        ours.append(measure())
    return ((statistics.median(theirs), min(theirs)), (statistics.median(ours), min(ours)))


def demo_project(folder: Path) -> Path:
    db = folder / "coder-demo.db"
    subprocess.run([*_coder(), "demo", "--no-app", "--db", str(db)], check=True,
                   stdout=subprocess.DEVNULL)
    # The app opens the first document in the list (no position is remembered yet): its
    # title line and the footer are drawn last-ish, and only once everything has loaded.
    return db


def app_markers(db: Path) -> list[str]:
    from coder.store import Store

    with Store(db, create=False) as store:
        first = store.documents()[0]
        paragraph = store.paragraphs(first.id)[0]
    return [first.name, paragraph.text.splitlines()[0][:20], "q quit", "codebook"]


def rows(runs: int = 11) -> list[Row]:
    coder = _coder()
    out: list[Row] = []
    click_s, click_min = median_of(runs, lambda: process_seconds(
        [sys.executable, "-c", "import click"]))
    out.append(('python -c "import click" (floor)', f"{click_s * 1000:.0f} ms",
                f"min {click_min * 1000:.0f} ms"))
    with tempfile.TemporaryDirectory(prefix="coder-startup-") as tmp:
        folder = Path(tmp)
        help_s, help_min = median_of(runs, lambda: process_seconds([*coder, "--help"]))
        out.append(("coder --help", f"{help_s * 1000:.0f} ms",
                    f"{help_s / click_s:.1f}x the floor; min {help_min * 1000:.0f} ms"))
        db = demo_project(folder)
        docs_s, docs_min = median_of(runs, lambda: process_seconds(
            [*coder, "documents", "--db", str(db)]))
        out.append(("coder documents (demo project, 5 documents)", f"{docs_s * 1000:.0f} ms",
                    f"{docs_s / click_s:.1f}x the floor; min {docs_min * 1000:.0f} ms"))
        markers = app_markers(db)
        (bare_s, bare_min), (app_s, app_min) = paired(
            runs,
            lambda: first_screen_seconds(
                [sys.executable, str(REPO / "bench" / "bare_app.py")], [BARE_MARKER, "quit"]),
            lambda: first_screen_seconds(
                [*coder, "code", "--db", str(db), "--coder", "alice"], markers))
        out.append(("bare Textual app: first screen", f"{bare_s * 1000:.0f} ms",
                    f"a Static and a Footer; min {bare_min * 1000:.0f} ms"))
        out.append(("coder code: first full screen (demo project)", f"{app_s * 1000:.0f} ms",
                    f"{app_s / bare_s:.2f}x the bare app; min {app_min * 1000:.0f} ms"))
    return out


def import_rows(paragraphs: int = 100_000, documents: int = 200, big: int = 10_000,
                runs: int = 3) -> list[Row]:
    """`coder import` end to end (a process importing the bench corpus into a new project)
    and the library call alone (`import_files`, as in `python -m bench`): the median of
    `runs` imports each, every one into a new project file."""
    from bench.corpus import generate
    from coder.project import import_files
    from coder.store import Store

    def cli(n: int) -> tuple[float, float]:
        before = _children_cpu()
        seconds = process_seconds([*_coder(), "import", *map(str, corpus.files),
                                   "--db", str(Path(tmp) / f"cli-{n}.db")])
        return seconds, _children_cpu() - before

    def library(n: int) -> tuple[float, float]:
        with Store(Path(tmp) / f"lib-{n}.db") as store:
            before = _children_cpu() + time.process_time()
            started = time.perf_counter()
            import_files(store, corpus.files)
            seconds = time.perf_counter() - started
            return seconds, _children_cpu() + time.process_time() - before

    out: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="coder-import-") as tmp:
        corpus = generate(Path(tmp), documents=documents, paragraphs=paragraphs, big=big)
        for name, measure, cpu_note in (
                (f"coder import, {documents} files ({paragraphs:,} paragraphs)", cli,
                 "end to end: process start to exit"),
                ("import_files (library call)", library, "the call alone")):
            timed = sorted(measure(n) for n in range(runs))
            seconds, cpu = timed[len(timed) // 2]
            out.append((name, f"{paragraphs / seconds:,.0f} paragraphs/s",
                        f"{cpu_note}, median of {runs}: {seconds:.2f} s (min {timed[0][0]:.2f} s); "
                        f"CPU {cpu:.2f} s, reading processes included"))
    return out


def _children_cpu() -> float:
    """CPU seconds of every finished child (and their children, once waited for): the
    figure a loaded machine does not inflate the way it does wall time."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    from bench.__main__ import machine, table

    parser = argparse.ArgumentParser(prog="python -m bench startup", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11, help="Runs per figure (median).")
    parser.add_argument("--no-import", action="store_true", help="Skip the import rows.")
    parser.add_argument("--markdown", action="store_true", help="Print a Markdown table.")
    args = parser.parse_args(argv)
    found = rows(args.runs)
    if not args.no_import:
        found += import_rows()
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} at the end")
    print(table(found, args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
