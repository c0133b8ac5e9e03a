"""Operations that join the layers: files in, through ingest or the codebook, into the store.

The CLI and the TUI call these, so both behave alike and tests need no terminal.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import codebook as codebook_mod
from .codebook_csv import codebook_from_csv
from .exclusive import EXCLUSIVE_GROUPS
from .errors import CoderError
from .ingest import read_document
from .models import Document, ParsedDocument
from .store import Store
from .vocab import DEFAULT_CONSENSUS

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


@dataclass
class _Planned:
    path: Path
    name: str
    parsed: ParsedDocument
    content_hash: str


def import_files(
    store: Store, paths: list[Path], *, name: str | None = None, format: str | None = None,
    title: str | None = None, speakers: Sequence[str] = (),
    failures: list[CoderError] | None = None,
) -> list[ImportOutcome]:
    """Read every file first, then write the good ones.

    Without `failures`, one bad file refuses the whole batch and the project stays exactly as
    it was. With it, each bad file's error is appended there (naming the file) and the good
    files are imported all the same, so a batch of forty transcripts is not lost to one.
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
    for path in paths:
        try:
            found = _plan_import(store, path, name=name, format=format, title=title,
                                 speakers=speakers, seen_names=seen_names)
        except CoderError as exc:
            if failures is None:
                raise
            failures.append(exc)
            continue
        if isinstance(found, ImportOutcome):
            outcomes.append(found)
        else:
            planned.append(found)
    for p in planned:
        doc = store.add_document(
            p.name, p.parsed, source_path=str(p.path.resolve()), content_hash=p.content_hash
        )
        outcomes.append(ImportOutcome(p.path, p.name, "imported", doc, list(p.parsed.warnings)))
    order = {path: i for i, path in enumerate(paths)}
    return sorted(outcomes, key=lambda o: order[o.path])


def _plan_import(
    store: Store, path: Path, *, name: str | None, format: str | None, title: str | None,
    speakers: Sequence[str], seen_names: set[str],
) -> _Planned | ImportOutcome:
    """One file read and checked against the project: what to add, or that it is already in."""
    parsed = read_document(path, format=format, speakers=speakers)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise CoderError(f"cannot read the file: {exc.strerror or exc}", path=path) from None
    doc_name = name or path.stem
    same = store.find_document_by_hash(digest)
    if same is not None:
        return ImportOutcome(path, same.name, "unchanged", same, [])
    try:
        existing = store.document(doc_name)
    except CoderError:
        existing = None
    if existing is not None and existing.name == doc_name:
        raise CoderError(
            f"a different document named {doc_name!r} is already in the project; "
            "import it under another name with --name, or as a corrected version of it "
            f"with --replace {doc_name!r}",
            path=path,
        )
    if doc_name in seen_names:
        raise CoderError(f"two files would both be named {doc_name!r}", path=path)
    seen_names.add(doc_name)
    if not parsed.paragraphs:
        raise CoderError("no text found to code", path=path)
    if title is not None:
        parsed.meta["title"] = " ".join(title.split())
        parsed.meta["title_set_by_user"] = True
    return _Planned(path, doc_name, parsed, digest)


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


def coder_name_clash(name: str, known: list[str]) -> str | None:
    """The known coder a new name differs from only in case or spacing, if any.

    `Alice` and `alice` would be two coders, each blind to the other's codings: the classic
    "where did my codings go". Both the CLI and the app's name prompt refuse such a name.
    """
    name = name.strip()
    if name in known:
        return None
    folded = " ".join(name.split()).casefold()
    return next((k for k in known if " ".join(k.split()).casefold() == folded), None)


def reserved_coder_name(name: str, consensus: Sequence[str] = ()) -> str | None:
    """Why `name` cannot be a coder who codes, if it is the name a review writes to.

    Coding as the consensus would mix one coder's own judgements into the review's outcome,
    which agreement then compares against each coder as if it were settled.
    """
    folded = " ".join(name.split()).casefold()
    taken = [DEFAULT_CONSENSUS, *consensus]
    same = next((c for c in taken if " ".join(c.split()).casefold() == folded), None)
    if same is None:
        return None
    return (f"{same!r} is the name a review writes its decisions to, not a coder's: "
            "choose your own name")


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
