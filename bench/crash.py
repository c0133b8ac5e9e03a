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
    python bench/crash.py disturbed [ROUNDS]   # a session coding while another process
                                               # restores, changes the codebook and merges,
                                               # both killed at random (also in `python -m bench`)
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
from typing import Any

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


# -- a second process restoring, changing the codebook and merging while a session codes -----

NOTES = [f"Turn {i}: what was said about care, in words of its own." for i in range(12)]
TEXT_CODES = [
    {"key": "stigma", "name": "Stigma", "parent_key": None},
    {"key": "labels", "name": "Labels", "parent_key": "stigma"},
    {"key": "leaving-care", "name": "Leaving care", "parent_key": None},
]


def make_disturbed_project(folder: Path) -> Path:
    """The project a session codes, a backup of it holding the documents in another order (so
    a restore moves what every paragraph id means), and another coder's copy to merge."""
    from coder.models import ParagraphIn, ParsedDocument

    def notes(store: Store) -> None:
        store.add_document("notes", ParsedDocument("text", [ParagraphIn(t) for t in NOTES]),
                           source_path="notes.txt", content_hash="hash-notes")

    with Store(folder / "reordered.db") as earlier:
        earlier.add_document("other", ParsedDocument("text", [ParagraphIn(f"Other {i}")
                                                               for i in range(7)]),
                             source_path="other.txt", content_hash="hash-other")
        notes(earlier)
        earlier.sync_codes(TEXT_CODES)
    with Store(folder / "theirs.db") as theirs:
        notes(theirs)
        theirs.sync_codes(TEXT_CODES)
        bob = theirs.coder_id("bob")
        for p in theirs.paragraphs(1)[::3]:
            theirs.toggle_segment(bob, p.id, theirs.code("labels").id)
    project = folder / "project.db"
    with Store(project) as store:
        notes(store)
        store.sync_codes(TEXT_CODES)
    return project


def session_worker(db: str, coder: str) -> None:
    """A `CodingSession` coding "notes" at random. Before each toggle a `try` line names the
    paragraph (by its text: ids move under a restore) and the code; once the session said
    saved, an `add` or `remove` line; a refused save (another program changed the project, a
    busy file) a `refused` line, after which it reloads as the app does."""
    from coder.errors import CoderError, ProjectChanged
    from coder.session import CodingSession

    store = Store(db, create=False, busy_timeout_ms=2000)
    session = CodingSession(store, coder)
    session.open(store.document("notes").id)
    rng = random.Random(os.getpid())
    out = sys.stdout

    def say(*fields: object) -> None:
        out.write(json.dumps(fields) + "\n")
        out.flush()

    say("ready")
    while True:
        index = rng.randrange(len(session.paragraphs))
        code = rng.choice(session.codes)
        text = session.paragraphs[index].text
        say("try", time.time(), "notes", text, code.key)
        try:
            outcome = session.toggle(index, code.id)
        except ProjectChanged:
            say("refused")
            reopened = session.reload()
            session.open(reopened or store.document("notes").id)
            continue
        except (CoderError, sqlite3.OperationalError):
            say("refused")
            continue
        kind = "remove" if outcome.message.startswith("saved: removed") else "add"
        say(kind, time.time(), "notes", text, code.key)


def disturber(db: str, folder: str) -> None:
    """Another process acting on the project at random: restoring the reordered backup or a
    backup it took earlier, retiring `labels` with `--move labels=stigma` and bringing it
    back, merging the other coder's copy, taking backups. One line per finished operation."""
    from coder.merge import merge_project

    rng = random.Random(os.getpid())
    print("ready", flush=True)
    while True:
        op = rng.choice(["restore", "codebook", "merge", "backup"])
        with Store(db, create=False) as store:
            if op == "restore":
                taken = sorted(Path(folder).glob("during-*.db"))
                store.restore(rng.choice([Path(folder) / "reordered.db", *taken]))
            elif op == "codebook":
                if "labels" in {c.key for c in store.codes()}:
                    store.sync_codes([c for c in TEXT_CODES if c["key"] != "labels"],
                                     moves={"labels": "stigma"})
                else:
                    store.sync_codes(TEXT_CODES)
            elif op == "merge":
                merge_project(store, Path(folder) / "theirs.db")
            else:
                store.backup(Path(folder) / f"during-{time.time_ns()}.db")
        print(op, flush=True)


@dataclass
class DisturbedResult:
    rounds: int = 0
    saved: int = 0
    refused: int = 0
    operations: int = 0
    checked_quiet: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def run_disturbed(folder: Path, rounds: int, *, seed: int | None = None,
                  max_delay: float = 1.0, coder: str = "alice") -> DisturbedResult:
    """Each round starts the session worker and the disturber, SIGKILLs one of them at a
    random moment and then the other, and checks the file (see `check_disturbed`)."""
    rng = random.Random(seed)
    result = DisturbedResult()
    db = make_disturbed_project(folder)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    me = str(Path(__file__).resolve())
    history: list[list[Any]] = []
    started = time.perf_counter()
    for n in range(rounds):
        # Into files, not pipes: a pipe nobody reads fills up and stalls the writer.
        logs = [folder / f"round-{n}-{name}.log" for name in ("session", "other", "errors")]
        with open(logs[0], "wb") as w_out, open(logs[1], "wb") as o_out, \
                open(logs[2], "wb") as errors:
            worker_proc = subprocess.Popen([sys.executable, me, "session-worker", str(db), coder],
                                           stdout=w_out, stderr=errors, env=env)
            other = subprocess.Popen([sys.executable, me, "disturber", str(db), str(folder)],
                                     stdout=o_out, stderr=errors, env=env)
        deadline = time.monotonic() + 60
        while not all(log.read_bytes().startswith((b"ready", b'["ready"')) for log in logs[:2]):
            if time.monotonic() > deadline or worker_proc.poll() is not None \
                    or other.poll() is not None:
                for proc in (worker_proc, other):
                    proc.kill()
                    proc.wait()
                result.problems.append("a process did not start: "
                                       + logs[2].read_text(errors="replace")[-800:])
                return result
            time.sleep(0.02)
        time.sleep(rng.uniform(0.1, max_delay))
        quiet_from = None
        if rng.random() < 0.6:  # the disturber first, then the session codes on alone
            os.kill(other.pid, signal.SIGKILL)
            other.wait()
            quiet_from = time.time()
            time.sleep(rng.uniform(0.1, max_delay / 2))
            os.kill(worker_proc.pid, signal.SIGKILL)
        else:
            os.kill(worker_proc.pid, signal.SIGKILL)
            worker_proc.wait()
            time.sleep(rng.uniform(0.0, max_delay / 2))
            os.kill(other.pid, signal.SIGKILL)
        for proc in (worker_proc, other):
            if proc.wait() != -signal.SIGKILL:
                result.problems.append(f"a process ended by itself ({proc.returncode}): "
                                       + logs[2].read_text(errors="replace")[-800:])
        out, done = logs[0].read_bytes(), logs[1].read_bytes()
        lines = out.decode(errors="replace").split("\n")[:-1]  # a cut-off line never counts
        run = [json.loads(line) for line in lines]
        history.extend(run)
        result.operations += len([ln for ln in done.decode().split("\n")[1:-1] if ln])
        result.saved += sum(1 for r in run if r[0] in ("add", "remove"))
        result.refused += sum(1 for r in run if r[0] == "refused")
        problems, checked = check_disturbed(db, history, run, quiet_from, coder)
        result.problems += problems
        result.checked_quiet += checked
        result.rounds += 1
        if problems:
            break
    result.seconds = time.perf_counter() - started
    return result


def check_disturbed(db: Path, history: list[list[Any]], run: list[list[Any]],
                    quiet_from: float | None, coder: str) -> tuple[list[str], int]:
    """Problems in the file after a round, and how many quiet-window codings were checked.

    - SQLite's integrity and foreign-key checks pass, and the schema holds nothing foreign;
    - every live coding of the session's coder sits on a paragraph text, document and code
      the session reported saving (or on `stigma` where it saved `labels`: the `--move`),
      never where a moved id would have put it; the one toggle in flight at a kill counts;
    - every toggle started after the disturber was killed (nothing could undo it since) is in
      the file exactly as the session last reported it.
    """
    problems: list[str] = []
    store = Store(db, create=False)
    try:
        check = [r[0] for r in store.conn.execute("PRAGMA integrity_check")]
        if check != ["ok"]:
            problems.append(f"integrity_check: {check[:3]}")
        if store.conn.execute("PRAGMA foreign_key_check").fetchall():
            problems.append("foreign_key_check found broken references")
        if store.foreign_schema():
            problems.append(f"schema objects not coder's own: {store.foreign_schema()}")
        mine = {tuple(r) for r in store.conn.execute(
            "SELECT d.name, p.text, c.key FROM segments s JOIN paragraphs p ON p.id ="
            " s.paragraph_id JOIN documents d ON d.id = p.document_id JOIN codes c ON"
            " c.id = s.code_id JOIN coders cr ON cr.id = s.coder_id"
            " WHERE s.deleted_at IS NULL AND cr.name = ?", (coder,))}
    finally:
        store.close()
    allowed = {tuple(r[2:]) for r in history if r[0] == "add"}
    if run and run[-1][0] == "try":
        allowed.add(tuple(run[-1][2:]))
    allowed |= {(d, t, "stigma") for d, t, k in allowed if k == "labels"}
    stray = mine - allowed
    if stray:
        problems.append(f"{len(stray)} coding(s) where the session never put one: "
                        f"{sorted(stray)[:3]}")
    checked = 0
    if quiet_from is not None:
        last: dict[tuple[str, str, str], str] = {}
        pending: tuple[str, str, str] | None = None
        for r in run:
            if r[0] == "try":
                pending = tuple(r[2:]) if r[1] > quiet_from else None
            elif r[0] in ("add", "remove") and pending is not None:
                last[pending] = r[0]
                pending = None
            else:
                pending = None
        if pending is not None:  # in flight at the kill: either way is right
            last.pop(pending, None)
        for place, kind in last.items():
            checked += 1
            if (place in mine) != (kind == "add"):
                problems.append(f"reported {kind} of {place} after the other process had "
                                "stopped, but the file says otherwise")
    return problems, checked


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
    if argv[:1] == ["session-worker"]:
        session_worker(argv[1], argv[2])
        return 0
    if argv[:1] == ["disturber"]:
        disturber(argv[1], argv[2])
        return 0
    if argv[:1] == ["disturbed"]:
        rounds = int(argv[1]) if len(argv) > 1 else 40
        with tempfile.TemporaryDirectory() as tmp:
            d = run_disturbed(Path(tmp), rounds)
        print(f"{d.rounds} rounds in {d.seconds:.1f} s, {d.operations} restores/codebook "
              f"changes/merges/backups, {d.saved} codings saved ({d.checked_quiet} after "
              f"the other process stopped, each checked in place), {d.refused} refused; "
              f"problems: {d.problems or 'none'}")
        return 1 if d.problems else 0
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
