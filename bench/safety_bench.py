"""Measures of the store on a large project: import, coding latency, backups, revisions,
concurrent coders and SIGKILL crashes. Each function returns table rows
(measure, value, notes) for `python -m bench`.
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from .corpus import Corpus, code_project

Row = tuple[str, str, str]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def import_corpus(corpus: Corpus) -> list[Row]:
    from coder.project import import_files, use_codebook
    from coder.store import Store

    corpus.db.unlink(missing_ok=True)
    size = sum(p.stat().st_size for p in corpus.files)
    store = Store(corpus.db)
    try:
        t0 = time.perf_counter()
        outcomes = import_files(store, corpus.files)
        seconds = time.perf_counter() - t0
        use_codebook(store, corpus.codebook)
        paragraphs = sum(o.document.n_paragraphs for o in outcomes)
    finally:
        store.close()
    t0 = time.perf_counter()
    segments = code_project(corpus)
    coding = time.perf_counter() - t0
    return [
        (f"import {len(corpus.files)} transcripts ({paragraphs:,} paragraphs, "
         f"{size / 1e6:.1f} MB)", f"{seconds:.2f} s",
         f"{paragraphs / seconds:,.0f} paragraphs/s, {size / 1e6 / seconds:.1f} MB/s"),
        (f"bulk insert of {segments:,} segments (2 coders)", f"{coding:.2f} s",
         f"{segments / coding:,.0f} segments/s, one transaction"),
    ]


def toggle_latency(corpus: Corpus, n: int = 2000) -> list[Row]:
    """One coding action as the app makes it: `toggle_segment`, commit included."""
    from coder.store import Store

    store = Store(corpus.db, create=False)
    try:
        doc = store.document(corpus.big_document)
        paragraphs = [p.id for p in store.paragraphs(doc.id)]
        codes = [c.id for c in store.codes()]
        coder = store.coder_id(corpus.coders[0])
        rng = random.Random(3)
        times = []
        for _ in range(n):
            p, c = rng.choice(paragraphs), rng.choice(codes)
            t0 = time.perf_counter()
            store.toggle_segment(coder, p, c)
            times.append(time.perf_counter() - t0)
        undo = []
        for _ in range(200):
            t0 = time.perf_counter()
            store.undo(coder)
            undo.append(time.perf_counter() - t0)
    finally:
        store.close()
    return [
        ("store: toggle a code (commit included)",
         f"median {_ms(statistics.median(times))}", f"p99 {_ms(_percentile(times, 99))}, "
         f"{n} toggles in the {doc.n_paragraphs:,}-paragraph document"),
        ("store: undo", f"median {_ms(statistics.median(undo))}",
         f"p99 {_ms(_percentile(undo, 99))}"),
    ]


def backup_and_check(corpus: Corpus) -> list[Row]:
    from coder.store import Store

    store = Store(corpus.db, create=False)
    try:
        t0 = time.perf_counter()
        target = store.auto_backup("bench")
        backup = time.perf_counter() - t0
        t0 = time.perf_counter()
        problems = store.integrity_problems()
        check = time.perf_counter() - t0
        size = target.stat().st_size
        target.unlink()
    finally:
        store.close()
    return [
        ("online backup (`coder backup`)", f"{backup:.2f} s", f"{size / 1e6:.1f} MB project"),
        ("integrity + foreign-key check (`coder check`)", f"{check:.2f} s",
         "ok" if not problems else f"PROBLEMS: {problems[:3]}"),
    ]


def reimport(corpus: Corpus) -> list[Row]:
    """A corrected version of the long transcript: 1 % of turns edited, 0.5 % deleted, 0.5 %
    split in two, a few inserted."""
    from coder.revisions import reimport_document
    from coder.store import Store

    rng = random.Random(11)
    turns = corpus.files[0].read_text(encoding="utf-8").strip().split("\n\n")
    edited: list[str] = []
    for turn in turns:
        r = rng.random()
        if r < 0.01:
            edited.append(turn.replace(" the ", " the very ", 1) + " Sorry, I mean that.")
        elif r < 0.015:
            continue
        elif r < 0.02 and ". " in turn:
            speaker, _, text = turn.partition(": ")
            first, _, second = text.partition(". ")
            edited += [f"{speaker}: {first}.", f"{speaker}: {second}"]
        else:
            edited.append(turn)
        if rng.random() < 0.003:
            edited.append("Interviewer: (inaudible)")
    path = corpus.root / "corrected.txt"
    path.write_text("\n\n".join(edited) + "\n", encoding="utf-8")
    store = Store(corpus.db, create=False)
    try:
        t0 = time.perf_counter()
        report = reimport_document(store, corpus.big_document, path)
        seconds = time.perf_counter() - t0
    finally:
        store.close()
    c = report.carry
    return [(
        f"re-import a corrected {report.paragraphs_before:,}-paragraph transcript",
        f"{seconds:.2f} s",
        f"{c.exact:,} codings to identical paragraphs, {c.close:,} to edited ones, "
        f"{c.reanchored} spans re-anchored, {len(c.unplaced)} not placed (turns deleted); "
        "backup included",
    )]


def codebook_merge(corpus: Corpus) -> list[Row]:
    from coder.codebook import load_codebook
    from coder.project import codebook_rows
    from coder.store import Store

    rows = codebook_rows(load_codebook(corpus.codebook))
    gone = rows[-1]["key"]
    target = rows[0]["key"]
    store = Store(corpus.db, create=False)
    try:
        used = store.segment_counts_by_code().get(store.code(gone).id, 0)
        t0 = time.perf_counter()
        store.sync_codes(rows[:-1], moves={gone: target})
        seconds = time.perf_counter() - t0
    finally:
        store.close()
    return [(f"merge a code used by {used:,} segments into another", f"{seconds:.2f} s",
             "backup included")]


def concurrent_coders(corpus: Corpus, seconds: float) -> list[Row]:
    from . import concurrency

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "shared.db"
        concurrency.make_project(db, paragraphs=2000)
        r = concurrency.run_coders(db, 2, seconds, backups_every=1.0)
    total = len(r.latencies_ms)
    return [(
        f"2 coders writing one file at once for {seconds:.0f} s",
        f"{total / seconds:,.0f} actions/s",
        f"latency median {r.p50:.2f} ms, p99 {r.p99:.2f} ms, max {max(r.latencies_ms):.1f} ms; "
        f"online backups every second; "
        + ("nothing lost, no lock error" if not r.problems else f"PROBLEMS: {r.problems[:2]}"),
    )]


def crashes(kills: int) -> list[Row]:
    from . import crash

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "crash.db"
        crash.make_project(db)
        r = crash.run_kills(db, kills, max_delay=0.5)
        app_db = Path(tmp) / "crash-app.db"
        crash.make_app_project(app_db)
        a = crash.run_kills(app_db, max(kills // 5, 1), max_delay=1.5, app=True)
    with tempfile.TemporaryDirectory() as tmp:
        d = crash.run_disturbed(Path(tmp), max(kills // 5, 4))
    return [(
        f"SIGKILL a coding process {r.kills} times",
        "nothing lost" if not r.problems else "PROBLEMS",
        f"{r.reported:,} actions reported saved, all in the file; {r.in_flight} in flight at "
        f"a kill also committed; integrity ok; {r.seconds:.0f} s"
        + (f"; {r.problems[:3]}" if r.problems else ""),
    ), (
        f"SIGKILL the coding app (keys) {a.kills} times",
        "nothing lost" if not a.problems else "PROBLEMS",
        f"{a.reported:,} codings its status line confirmed, all in the file; integrity ok; "
        f"{a.seconds:.0f} s" + (f"; {a.problems[:3]}" if a.problems else ""),
    ), (
        f"a session coding while another process restores, changes the codebook (--move), "
        f"merges and backs up; both SIGKILLed, {d.rounds} rounds",
        "nothing misplaced" if not d.problems else "PROBLEMS",
        f"{d.saved:,} codings saved, {d.operations} operations of the other process, "
        f"{d.refused} saves refused as ids moved; every coding on the text and code it was "
        f"aimed at, and the {d.checked_quiet:,} saved after the other process stopped all in "
        f"place; integrity ok; {d.seconds:.0f} s" + (f"; {d.problems[:3]}" if d.problems else ""),
    )]


def copy_project(corpus: Corpus, name: str) -> Corpus:
    """A copy of the coded project, so destructive measures leave the original for others."""
    from coder.store import Store

    target = corpus.root / f"{name}.db"
    store = Store(corpus.db, create=False)
    try:
        store.backup(target, overwrite=True)
    finally:
        store.close()
    shutil.rmtree(target.with_name(target.name + ".backups"), ignore_errors=True)
    copied = Corpus(**{**corpus.__dict__, "db": target})
    return copied
