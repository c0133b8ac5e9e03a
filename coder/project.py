"""Operations that join the layers: files in, through ingest or the codebook, into the store.

The CLI and the TUI call these, so both behave alike and tests need no terminal.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import threading
from collections.abc import Collection, Generator, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from . import codebook as codebook_mod
from .codebook_csv import codebook_from_csv
from .exclusive import EXCLUSIVE_GROUPS
from .errors import CoderError
from .ingest import collector_paused, read_document
from .ingest.speakers import turn_counts, unconfirmed_labels
from .models import Document
from .store import DocumentRows, Store

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"
SAMPLE_CODEBOOK = REPO_ROOT / "codebooks" / "care-and-community.yaml"
# The YAML codebook the project was loaded from, and its SHA-256 then (or after the app last
# wrote it), so an edit never overwrites a file changed on disk since.
CODEBOOK_PATH = "codebook_path"
CODEBOOK_HASH = "codebook_hash"


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass
class ImportOutcome:
    path: Path
    name: str
    status: str  # "imported" or "unchanged"
    document: Document
    warnings: list[str] = field(default_factory=list)
    turns: list[tuple[str, int]] = field(default_factory=list)
    """Speakers with their number of turns (`ingest.speakers.turn_counts`)."""
    unconfirmed: list[tuple[str, int]] = field(default_factory=list)
    """Name-like labels not taken as speakers, with the paragraph where each first appears
    (`ingest.speakers.unconfirmed_labels`)."""


@dataclass
class _Read:
    """One file read for import, as a worker process hands it back."""

    rows: DocumentRows
    warnings: list[str]
    content_hash: str
    turns: list[tuple[str, int]]
    unconfirmed: list[tuple[str, int]]


@dataclass
class _Planned:
    path: Path
    name: str
    read: _Read


MB = 1024 * 1024
# Below this much text a batch is read in this process: starting workers would cost more.
POOL_MIN_BYTES = 4 * MB


def import_files(
    store: Store, paths: list[Path], *, name: str | None = None, format: str | None = None,
    title: str | None = None, speakers: Sequence[str] = (),
    failures: list[CoderError] | None = None,
) -> list[ImportOutcome]:
    """Read every file first, then write the good ones.

    Without `failures`, one bad file refuses the whole batch and the project stays exactly as
    it was. With it, each bad file's error is appended there (naming the file) and the good
    files are imported all the same, so a batch of forty transcripts is not lost to one;
    each is then written as soon as it is read. A large batch is read by worker processes,
    one per CPU, while this one writes; files are checked and written in the order given.
    """
    if name and len(paths) > 1:
        raise CoderError("--name works with one file at a time")
    if title is not None and len(paths) > 1:
        raise CoderError("--title works with one file at a time")
    if title is not None and not title.strip():
        raise CoderError("--title cannot be empty")
    planned: list[_Planned] = []
    outcomes: list[ImportOutcome] = []
    seen_names: set[str] = set()
    written: set[int] = set()

    def write(p: _Planned) -> None:
        doc = store.add_document(p.name, p.read.rows, source_path=str(p.path.resolve()),
                                 content_hash=p.read.content_hash)
        written.add(doc.id)
        outcomes.append(ImportOutcome(p.path, p.name, "imported", doc, list(p.read.warnings),
                                      p.read.turns, p.read.unconfirmed))

    with collector_paused():
        with closing(_read_all(paths, format=format, speakers=tuple(speakers))) as reads:
            for path, read in zip(paths, reads, strict=True):
                try:
                    found = _plan_import(store, path, read, name=name, title=title,
                                         seen_names=seen_names, written=written)
                except CoderError as exc:
                    if failures is None:
                        raise
                    failures.append(exc)
                    continue
                if isinstance(found, ImportOutcome):
                    outcomes.append(found)
                elif failures is None:
                    planned.append(found)
                else:
                    write(found)
        for p in planned:
            write(p)
    order = {path: i for i, path in enumerate(paths)}
    return sorted(outcomes, key=lambda o: order[o.path])


def _read_for_import(path: Path, format: str | None,
                     speakers: tuple[str, ...]) -> _Read | CoderError:
    """Everything about one file that needs no project: run in a worker process for a large
    batch, so its error comes back as a value, to be raised in the batch's order."""
    try:
        parsed = read_document(path, format=format, speakers=speakers)
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            raise CoderError(f"cannot read the file: {exc.strerror or exc}", path=path) from None
    except CoderError as exc:
        return exc
    paragraphs = parsed.paragraphs
    return _Read(DocumentRows.of(parsed), parsed.warnings, digest,
                 turn_counts(p.speaker for p in paragraphs),
                 unconfirmed_labels((n, p.kind, p.speaker, p.text)
                                    for n, p in enumerate(paragraphs, start=1)))


def _read_all(paths: list[Path], *, format: str | None,
              speakers: tuple[str, ...]) -> Generator[_Read | CoderError, None, None]:
    """Each file read, in the order given: by worker processes when there are several CPUs
    and enough text to pay for starting them."""
    read = partial(_read_for_import, format=format, speakers=speakers)
    workers = _workers(paths)
    if workers < 2:
        yield from map(read, paths)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    # Small chunks: the first files come back (and are written) while the rest are read.
    chunk = max(1, len(paths) // (workers * 25))
    try:
        yield from pool.map(read, paths, chunksize=chunk)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _workers(paths: list[Path]) -> int:
    """How many processes to read with: forking is only safe from a program's one thread."""
    if (len(paths) < 2 or sys.platform != "linux" or threading.active_count() > 1
            or threading.current_thread() is not threading.main_thread()):
        return 1
    size = 0
    for path in paths:
        with suppress(OSError):
            size += Path(path).stat().st_size
    if size < POOL_MIN_BYTES:
        return 1
    return min(len(paths), len(os.sched_getaffinity(0)))


def _plan_import(
    store: Store, path: Path, read: _Read | CoderError, *, name: str | None, title: str | None,
    seen_names: set[str], written: set[int],
) -> _Planned | ImportOutcome:
    """One file's reading checked against the project as it was before the batch (documents
    in `written` came from the batch itself): what to add, or that it is already in."""
    if isinstance(read, CoderError):
        raise read
    digest = read.content_hash
    doc_name = name or path.stem
    same = store.find_document_by_hash(digest)
    if same is not None and same.id not in written:
        return ImportOutcome(path, same.name, "unchanged", same, [])
    existing = store.document_named(doc_name)
    if existing is not None and existing.name == doc_name and existing.id not in written:
        raise CoderError(
            f"a different document named {doc_name!r} is already in the project; "
            "import it under another name with --name, or as a corrected version of it "
            f"with --replace {doc_name!r}",
            path=path,
        )
    if doc_name in seen_names:
        raise CoderError(f"two files would both be named {doc_name!r}", path=path)
    seen_names.add(doc_name)
    if not read.rows.paragraphs:
        raise CoderError("no text found to code", path=path)
    if title is not None:
        read.rows.meta["title"] = " ".join(title.split())
        read.rows.meta["title_set_by_user"] = True
    return _Planned(path, doc_name, read)


def codebook_rows(book: codebook_mod.Codebook) -> list[dict]:
    return [
        {
            "key": c.key,
            "name": c.name,
            "parent_key": c.parent_key,
            "color": c.color,
            "shortcut": c.shortcut,
            "definition": c.definition,
            "when_to_use": c.when_to_use,
            "when_not_to_use": c.when_not_to_use,
            "example": c.example,
            "renamed_from": list(c.renamed_from),
        }
        for c in book.codes
    ]


def use_codebook(
    store: Store, path: Path, *, moves: dict[str, str] | None = None,
    cosmetic: Collection[str] = (), author: str | None = None,
) -> dict[str, list[str]]:
    """Load a codebook; `moves` (old key -> target key) says where the segments of codes it
    no longer has should go. A code whose meaning the codebook changed gets a new revision
    by `author`, except the keys in `cosmetic` (wording tidied, meaning kept)."""
    if Path(path).suffix.lower() == ".csv":
        book = codebook_from_csv(Path(path), store.codes(include_retired=True))
        return store.sync_codes(codebook_rows(book), moves=moves, cosmetic=cosmetic,
                                author=author)
    digest = file_digest(path) if Path(path).is_file() else None
    book = codebook_mod.load_codebook(path)
    report = store.sync_codes(codebook_rows(book), moves=moves, cosmetic=cosmetic,
                              author=author)
    store.set_setting(CODEBOOK_PATH, str(Path(path).resolve()))
    if digest is not None:
        store.set_setting(CODEBOOK_HASH, digest)
    store.set_setting(EXCLUSIVE_GROUPS, json.dumps([c.key for c in book.codes if c.exclusive]))
    return report




def demo_project(store: Store) -> list[ImportOutcome]:
    """The bundled seeds and a copy of the sample codebook, loaded idempotently into `store`.

    The codebook is copied beside the project file (coder-demo.db gets coder-demo.yaml) and
    used from there, so codes added in the app and written back to the codebook land in the
    copy, never in the bundled sample every later demo starts from. A copy that is already
    there is kept, with whatever codes were added to it.
    """
    seeds = sorted(SEEDS_DIR.glob("*.txt"))
    if not seeds or not SAMPLE_CODEBOOK.exists():
        raise CoderError(
            f"the demo corpus is missing (looked in {SEEDS_DIR} and {SAMPLE_CODEBOOK}); "
            "run coder from a checkout of the project"
        )
    codebook = demo_codebook_path(store.path)
    outcomes = import_files(store, seeds)
    if not codebook.exists():
        try:
            shutil.copyfile(SAMPLE_CODEBOOK, codebook)
        except OSError as exc:
            raise CoderError(f"cannot copy the sample codebook here: {exc.strerror}",
                             path=codebook) from None
    digest = file_digest(codebook)
    book = codebook_mod.load_codebook(codebook)
    store.sync_codes(codebook_rows(book) + _codes_added_in_the_app(store, book))
    store.set_setting(CODEBOOK_PATH, str(codebook.resolve()))
    store.set_setting(CODEBOOK_HASH, digest)
    store.set_setting(EXCLUSIVE_GROUPS, json.dumps([c.key for c in book.codes if c.exclusive]))
    return outcomes


def _codes_added_in_the_app(store: Store, book: codebook_mod.Codebook) -> list[dict]:
    """Codes the project has and the demo's codebook copy does not: added while coding without
    writing them back. Running the demo again keeps them as they are, instead of refusing to
    start because the file "drops" a code in use."""
    in_file = {c.key for c in book.codes} | {old for c in book.codes for old in c.renamed_from}
    codes = store.codes()
    key_of = {c.id: c.key for c in codes}
    return [
        {"key": c.key, "name": c.name, "parent_key": key_of.get(c.parent_id) if c.parent_id else None,
         "color": c.color, "shortcut": c.shortcut, "definition": c.definition,
         "when_to_use": c.when_to_use, "when_not_to_use": c.when_not_to_use,
         "example": c.example, "renamed_from": []}
        for c in codes if c.key not in in_file
    ]


def demo_codebook_path(db: Path) -> Path:
    """Where the demo keeps its own copy of the sample codebook: beside the project file."""
    path = db.with_suffix(".yaml")
    return path if path != db else db.with_name(db.name + ".codebook.yaml")
