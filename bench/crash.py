"""Kill a coding process with SIGKILL at random moments and check that nothing it saved is lost.

The worker codes the way the app does, through `Store.toggle_segment` and `Store.undo`, and
prints one line per action only after the call returned (so after its COMMIT). The parent
kills it at a random moment, starts it again, and at the end checks the file: SQLite's
integrity and foreign-key checks pass, every reported action is in the file, at most one
unreported action per run (the one in flight) is there too, and the live segments are
exactly what replaying the recorded actions gives.

    python bench/crash.py worker DB CODER     # the process that gets killed
    python bench/crash.py app-worker DB CODER # the same, as the coding app driven by keys
    python bench/crash.py run [KILLS]          # the long run (also part of `python -m bench`)
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.concurrency import make_project as _toy_project
from coder.store import Store

CODES = [{"key": f"c{i}", "name": f"Code {i}", "parent_key": None} for i in range(5)]


def make_project(path: Path, paragraphs: int = 200) -> None:
    _toy_project(path, paragraphs, CODES)


def worker(db: str, coder: str) -> None:
    """Code forever; one line on stdout per action, written only once it is committed."""
    store = Store(db, create=False)
    coder_id = store.coder_id(coder)
    paragraphs = [p.id for p in store.paragraphs(store.documents()[0].id)]
    codes = [c.id for c in store.codes()]
    rng = random.Random(os.getpid())
    out = sys.stdout
    last = store.conn.execute("SELECT coalesce(max(id), 0) FROM actions").fetchone()[0]
    out.write(f"ready {last}\n")  # actions of this run have larger ids
    out.flush()
    while True:
        if rng.random() < 0.1:
            target = store.conn.execute(
                "SELECT max(id) FROM actions WHERE coder_id = ? AND state = 'done'", (coder_id,)
            ).fetchone()[0]
            if store.undo(coder_id) is not None:
                out.write(f"undo {target}\n")
                out.flush()
            continue
        r = store.toggle_segment(coder_id, rng.choice(paragraphs), rng.choice(codes))
        action = store.conn.execute(
            "SELECT max(id) FROM actions WHERE coder_id = ?", (coder_id,)
        ).fetchone()[0]
        out.write(f"{'add' if r.added else 'remove'} {action} {r.segment_id}\n")
        out.flush()


APP_KEYS = ["b", "h", "i", "l", "p"]


def make_app_project(path: Path, paragraphs: int = 60) -> None:
    """Like `make_project`, with code shortcuts so the app can be driven by keys."""
    make_project(path, paragraphs)
    store = Store(path)
    store.sync_codes([dict(c, shortcut=k) for c, k in zip(CODES, APP_KEYS, strict=True)])
    store.close()


def app_worker(db: str, coder: str) -> None:
    """The coding app itself, headless, driven by key presses; one line per action once its
    status line says it was saved (the promise the app makes to a researcher)."""
    import asyncio

    from coder.tui.app import CoderApp
    from coder.tui.widgets.bars import StatusLine

    async def code() -> None:
        app = CoderApp(Path(db), coder=coder)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            store = app.store
            assert store is not None and app.session is not None
            coder_id = store.coder_id(coder)
            rng = random.Random(os.getpid())
            out = sys.stdout
            latest = "SELECT coalesce(max(id), 0) FROM actions WHERE coder_id = ?"
            last = store.conn.execute("SELECT coalesce(max(id), 0) FROM actions").fetchone()[0]
            out.write(f"ready {last}\n")
            out.flush()
            while True:
                roll = rng.random()
                if roll < 0.3:
                    await pilot.press(rng.choice(["j", "k", "n", "g"]))
                    continue
                before = store.conn.execute(latest, (coder_id,)).fetchone()[0]
                undo = roll < 0.4
                if undo:
                    target = store.conn.execute(
                        "SELECT max(id) FROM actions WHERE coder_id = ? AND state = 'done'",
                        (coder_id,)).fetchone()[0]
                await pilot.press("u" if undo else rng.choice(APP_KEYS))
                message = app.screen.query_one(StatusLine).message
                if undo:
                    if message.startswith("undone") and target is not None:
                        out.write(f"undo {target}\n")
                        out.flush()
                    continue
                if not message.startswith("saved"):
                    continue
                row = store.conn.execute(
                    "SELECT id, kind, payload FROM actions WHERE coder_id = ? AND id > ?"
                    " ORDER BY id DESC LIMIT 1", (coder_id, before)).fetchone()
                if row is not None:
                    segment = json.loads(row["payload"])["segment"]
                    out.write(f"{row['kind']} {row['id']} {segment}\n")
                    out.flush()

    asyncio.run(code())


@dataclass
class CrashResult:
    kills: int = 0
    reported: int = 0
    in_flight: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    runs: list[list[str]] = field(default_factory=list)


def run_kills(db: Path, kills: int, *, coder: str = "alice", max_delay: float = 0.3,
              seed: int | None = None, app: bool = False) -> CrashResult:
    """Start, randomly kill (SIGKILL) and restart the worker `kills` times, then verify."""
    rng = random.Random(seed)
    result = CrashResult()
    runs: list[list[str]] = []
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for _ in range(kills):
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "app-worker" if app else "worker",
             str(db), coder],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            bufsize=0,  # readline must not swallow the lines after "ready" into a buffer
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()
        if not first.startswith(b"ready "):
            proc.kill()
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            result.problems.append(f"worker did not start: {first!r} {err[-500:]}")
            break
        time.sleep(rng.uniform(0.0, max_delay))
        os.kill(proc.pid, signal.SIGKILL)
        rest, err = proc.communicate()
        if proc.returncode != -signal.SIGKILL:
            result.problems.append(f"worker ended by itself ({proc.returncode}): {err[-500:]!r}")
        lines = (first + rest).decode(errors="replace").split("\n")
        runs.append([ln for ln in lines[:-1] if ln])  # a line without its newline never counts
        result.kills += 1
    result.seconds = time.perf_counter() - started
    problems, reported, in_flight = verify(db, runs, coder)
    result.problems.extend(problems)
    result.reported, result.in_flight = reported, in_flight
    result.runs = runs
    return result


def verify(db: Path, runs: list[list[str]], coder: str) -> tuple[list[str], int, int]:
    """Problems found in the file after the kills; empty when every saved action is there."""
    problems: list[str] = []
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    check = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if check != ["ok"]:
        problems.append(f"integrity_check: {check[:5]}")
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        problems.append(f"foreign_key_check: {len(fk)} broken references")
    coder_id = conn.execute("SELECT id FROM coders WHERE name = ?", (coder,)).fetchone()
    if coder_id is None:
        return problems + ["the coder the worker created is missing"], 0, 0
    actions = {
        r["id"]: r for r in conn.execute(
            "SELECT * FROM actions WHERE coder_id = ? ORDER BY id", (coder_id[0],))
    }
    segments = {r["id"]: r for r in conn.execute("SELECT * FROM segments")}
    reported_ids: set[int] = set()
    starts: list[int] = []
    n_reported = 0
    for lines in runs:
        ids_in_run = []
        for line in lines:
            parts = line.split()
            if parts[0] == "ready":
                starts.append(int(parts[1]))
                continue
            n_reported += 1
            kind, action_id = parts[0], int(parts[1])
            row = actions.get(action_id)
            if row is None:
                problems.append(f"reported {line!r} but action {action_id} is not in the file")
                continue
            if kind == "undo":
                if row["state"] not in ("undone", "discarded"):
                    problems.append(f"reported {line!r} but action {action_id} is {row['state']}")
                continue
            ids_in_run.append(action_id)
            segment_id = int(parts[2])
            payload = json.loads(row["payload"])
            if row["kind"] != kind or payload.get("segment") != segment_id:
                problems.append(f"reported {line!r} but the file has {row['kind']} {payload}")
            if segment_id not in segments:
                problems.append(f"reported {line!r} but segment {segment_id} is not in the file")
        reported_ids.update(ids_in_run)
    # Run k made the actions numbered above starts[k] and up to starts[k + 1]; of those, only
    # its very last may be unreported: the one committed when the kill came before the print.
    unreported = [a for a in actions if a not in reported_ids]
    bounds = [*starts, max(actions, default=0)]
    for k in range(len(starts)):
        in_run = [a for a in actions if bounds[k] < a <= bounds[k + 1]]
        missing = [a for a in in_run if a not in reported_ids]
        if len(missing) > 1 or (missing and missing[0] != max(in_run)):
            problems.append(f"run {k + 1}: actions {missing} are in the file but were never "
                            "reported, and are not just the one in flight at the kill")
    live: set[int] = set()
    for row in actions.values():
        if row["state"] != "done":
            continue
        segment = json.loads(row["payload"])["segment"]
        if row["kind"] == "add":
            live.add(segment)
        elif row["kind"] == "remove":
            live.discard(segment)
    in_file = {i for i, s in segments.items()
               if s["deleted_at"] is None and s["coder_id"] == coder_id[0]}
    if live != in_file:
        problems.append(
            f"live segments differ from the recorded actions: {len(live - in_file)} missing, "
            f"{len(in_file - live)} unexpected"
        )
    conn.close()
    return problems, n_reported, len(unreported)


def main(argv: list[str]) -> int:
    if argv[:1] == ["worker"]:
        worker(argv[1], argv[2])
        return 0
    if argv[:1] == ["app-worker"]:
        app_worker(argv[1], argv[2])
        return 0
    kills = int(argv[1]) if len(argv) > 1 else 100
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "crash.db"
        make_project(db)
        r = run_kills(db, kills)
    print(f"{r.kills} kills in {r.seconds:.1f} s, {r.reported} actions reported saved, "
          f"{r.in_flight} in flight; problems: {r.problems or 'none'}")
    return 1 if r.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
