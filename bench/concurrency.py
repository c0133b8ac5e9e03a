"""Two (or more) coders coding the same project file at the same moment.

Each worker is a separate process coding through `Store.toggle_segment`, as the app does,
for a fixed time after a common start signal; it reports every saved segment and how long
the call took. The parent checks that no worker printed an error (in particular no
`database is locked`) and that every reported segment is stored, live, under its coder.

    python bench/concurrency.py worker DB CODER SECONDS
    python bench/concurrency.py run [CODERS] [SECONDS]
"""

from __future__ import annotations

import itertools
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from coder.models import ParagraphIn, ParsedDocument
from coder.store import Store

CODES = [{"key": f"c{i}", "name": f"Code {i}", "parent_key": None} for i in range(10)]


def make_project(path: Path, paragraphs: int = 500, codes: list[dict] | None = None) -> None:
    """A one-document project with plain numbered turns: small, and the same on every run."""
    store = Store(path)
    store.add_document(
        "focus-group",
        ParsedDocument("text", [ParagraphIn(f"Turn {i} of the focus group.")
                                for i in range(paragraphs)]),
        source_path=None, content_hash=f"toy-{paragraphs}",
    )
    store.sync_codes(CODES if codes is None else codes)
    store.close()


def worker(db: str, coder: str, seconds: float) -> None:
    store = Store(db, create=False)
    coder_id = store.coder_id(coder)
    pairs = [(p.id, c.id) for p in store.paragraphs(store.documents()[0].id)
             for c in store.codes()]
    random.Random(coder).shuffle(pairs)
    print("ready", flush=True)
    sys.stdin.readline()  # the common start signal
    deadline = time.monotonic() + seconds
    for paragraph_id, code_id in itertools.cycle(pairs):  # past the end: taking codes off
        if time.monotonic() > deadline:
            break
        t0 = time.perf_counter()
        r = store.toggle_segment(coder_id, paragraph_id, code_id)
        ms = (time.perf_counter() - t0) * 1000
        print(f"{'add' if r.added else 'remove'} {r.segment_id} {ms:.3f}", flush=True)
    store.close()


@dataclass
class ConcurrencyResult:
    coders: int
    seconds: float
    saved: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p99(self) -> float:
        if len(self.latencies_ms) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies_ms, n=100)[98]


def run_coders(db: Path, coders: int = 2, seconds: float = 3.0,
               backups_every: float | None = None) -> ConcurrencyResult:
    """Start the coders together, optionally taking online backups meanwhile, then verify."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    names = [f"coder{i + 1}" for i in range(coders)]
    procs = [
        subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "worker", str(db), name,
             str(seconds)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            bufsize=0,
        )
        for name in names
    ]
    result = ConcurrencyResult(coders, seconds)
    for p in procs:
        assert p.stdout is not None
        if p.stdout.readline() != b"ready\n":
            result.problems.append("a worker did not start")
    # Read the workers' output while they run: a full pipe would stall them, not SQLite.
    with ThreadPoolExecutor(len(procs)) as pool:
        for p in procs:
            assert p.stdin is not None
            p.stdin.write(b"go\n")
            p.stdin.flush()
        pending = [pool.submit(p.communicate, timeout=seconds + 60) for p in procs]
        backups = _backups_meanwhile(db, seconds, backups_every)
        outputs = [f.result() for f in pending]
    reported: dict[str, dict[int, str]] = {}
    for name, p, (out, err) in zip(names, procs, outputs, strict=True):
        if p.returncode != 0 or err.strip():
            result.problems.append(f"{name} failed ({p.returncode}): {err.decode()[-800:]}")
        states: dict[int, str] = {}
        for line in out.decode().splitlines():
            kind, segment, ms = line.split()
            states[int(segment)] = kind
            result.latencies_ms.append(float(ms))
        reported[name] = states
        result.saved[name] = sum(1 for kind in states.values() if kind == "add")
    conn = sqlite3.connect(db)
    for name, states in reported.items():
        live = {r[0] for r in conn.execute(
            "SELECT s.id FROM segments s JOIN coders c ON c.id = s.coder_id"
            " WHERE c.name = ? AND s.deleted_at IS NULL", (name,))}
        expected = {s for s, kind in states.items() if kind == "add"}
        if live != expected:
            result.problems.append(f"{name}: {len(expected - live)} saved segment(s) missing, "
                                   f"{len(live - expected)} unexpected")
    if [r[0] for r in conn.execute("PRAGMA integrity_check")] != ["ok"]:
        result.problems.append("integrity_check failed")
    conn.close()
    for i in range(backups):
        copy = db.with_name(f"during-{i}.db")
        c = sqlite3.connect(copy)
        if [r[0] for r in c.execute("PRAGMA integrity_check")] != ["ok"]:
            result.problems.append(f"backup {copy.name} taken during the run is damaged")
        c.close()
    return result


def _backups_meanwhile(db: Path, seconds: float, every: float | None) -> int:
    if not every:
        return 0
    backups = 0
    store = Store(db, create=False)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        store.backup(db.with_name(f"during-{backups}.db"))
        backups += 1
        time.sleep(every)
    store.close()
    return backups


def main(argv: list[str]) -> int:
    if argv[:1] == ["worker"]:
        worker(argv[1], argv[2], float(argv[3]))
        return 0
    coders = int(argv[1]) if len(argv) > 1 else 2
    seconds = float(argv[2]) if len(argv) > 2 else 10.0
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "shared.db"
        make_project(db)
        r = run_coders(db, coders, seconds, backups_every=1.0)
    print(f"{coders} coders for {seconds:.0f} s: {len(r.latencies_ms)} actions, live segments "
          f"{r.saved}; latency median "
          f"{r.p50:.2f} ms, p99 {r.p99:.2f} ms; problems: {r.problems or 'none'}")
    return 1 if r.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
