"""Editing the codebook from the app: rename, reword, recolour, move, add, merge, split, retire.

Each edit is checked by the rules a codebook file is checked with (`codebook.fit_problems`),
applied through the store as one undoable step, then written back to the YAML codebook the
project was loaded from, keeping its comments and order (`codebook.rewrite_codes`), unless the
researcher keeps edits in the project (`WRITE_BACK` set to "project"; `coder codebook export
--format yaml` writes them out). A file changed on disk since it was loaded is never
overwritten: the edit is refused with `CodebookFileChanged` before anything is written, and
`reload_codebook` takes the file's codes instead.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .codebook import (
    CodeDef,
    Codebook,
    append_code,
    codebook_text,
    fit_problems,
    load_codebook,
    normalise_color,
    rewrite_codes,
    slugify,
)
from .codebook_plan import describe_change
from .codetree import CodeTree
from .errors import CoderError
from .exclusive import exclusive_groups
from .project import CODEBOOK_HASH, CODEBOOK_PATH, codebook_rows, file_digest, use_codebook
from .spans import OverlapCheck
from .store import Split, Store

WRITE_BACK = "codebook_write_back"
KEEP_IN_PROJECT = "project"
WRITE_TO_FILE = "file"
TOP_LEVEL = ""


class CodebookFileChanged(CoderError):
    """The codebook file is not the one the project loaded: writing would lose that change."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            "changed on disk since it was loaded, so the edit was not made: reload the file "
            "first (its codes then replace the project's), or keep edits in the project "
            "(`coder codebook write-back off`)", path=path)
        self.file = path


@dataclass(frozen=True)
class CodeChange:
    """New values for a code's fields; None leaves a field as it is. `parent_key` is
    `TOP_LEVEL` to move a code to the top level; `shortcut` and `color` "" remove them."""

    name: str | None = None
    definition: str | None = None
    when_to_use: str | None = None
    when_not_to_use: str | None = None
    example: str | None = None
    color: str | None = None
    shortcut: str | None = None
    parent_key: str | None = None


@dataclass
class EditOutcome:
    """What an edit did, worded for the status line, and the code to show afterwards."""

    message: str
    key: str | None = None
    ok: bool = True


def project_codebook(store: Store) -> Codebook:
    """The project's live codes as a codebook, so the file's rules can check an edit."""
    codes = store.codes()
    key_of = {c.id: c.key for c in codes}
    return Codebook("", "", tuple(
        CodeDef(key=c.key, name=c.name, parent_key=key_of.get(c.parent_id) if c.parent_id else None,
                definition=c.definition, when_to_use=c.when_to_use,
                when_not_to_use=c.when_not_to_use, example=c.example, color=c.color,
                shortcut=c.shortcut)
        for c in codes))


def codebook_yaml(store: Store) -> tuple[str, int]:
    """The project's codebook as a YAML codebook file's text, with its codes as they are now
    (after edits kept in the project), and the number of codes. The codebook's name and
    description are the loaded file's, when it is still there to read them from."""
    codes = project_codebook(store).codes
    groups = set(exclusive_groups(store))
    name, description = Path(store.path).stem, ""
    loaded = store.get_setting(CODEBOOK_PATH)
    if loaded and Path(loaded).suffix.lower() in (".yaml", ".yml"):
        try:
            original = load_codebook(Path(loaded))
            name, description = original.name, original.description
        except (CoderError, OSError):
            pass
    book = Codebook(name or Path(store.path).stem, description, tuple(
        replace(c, exclusive=c.key in groups) for c in codes))
    comment = (f"Codebook of the project {Path(store.path).name}, written by "
               "`coder codebook export --format yaml`.\n"
               "Keys are permanent identities: keep them when you rename codes.")
    return codebook_text(book, comment=comment), len(codes)


def edit_code(store: Store, coder_id: int, key: str, change: CodeChange, *,
              cosmetic: bool = False) -> EditOutcome:
    """Change a code's fields. A new definition, "use when" or "not when" makes a new
    revision of the code (codings made before it are then up for rechecking), unless the
    researcher marks the change `cosmetic` (a typo fixed, the meaning kept)."""
    book = project_codebook(store)
    old = _code(book, key)
    new = _changed(old, change)
    differs = [f for f in ("name", "color", "shortcut", "definition", "when_to_use",
                           "when_not_to_use", "example") if getattr(old, f) != getattr(new, f)]
    moved = old.parent_key != new.parent_key
    if not differs and not moved:
        return EditOutcome(f"{old.name}: nothing changed", key, ok=False)
    _refuse(fit_problems(book, new, editing=True), old.name)
    parts = [describe_change(_row(old), _row(new), differs)] if differs else []
    if moved:
        where = book.by_key(new.parent_key).name if new.parent_key else "the top level"
        parts.append(f"moved to {where}")
    summary = f"{old.name}: " + "; ".join(p for p in parts if p)
    if cosmetic:
        summary += " (cosmetic)"
    codes = [new if c.key == key else c for c in book.codes]
    return _commit(store, coder_id, codes, summary, key, cosmetic={key} if cosmetic else set())


def add_code(store: Store, coder_id: int, name: str, *, parent_key: str | None = None,
             definition: str = "", shortcut: str | None = None, color: str | None = None,
             write: bool = True) -> EditOutcome:
    """A new code (a child when `parent_key` is given), its key made from its name;
    `write=False` leaves the codebook file alone."""
    book = project_codebook(store)
    code = _new_code(store, book, name, parent_key, definition=definition, shortcut=shortcut,
                     color=color)
    under = f" under {book.by_key(parent_key).name}" if parent_key else ""
    return _commit(store, coder_id, [*book.codes, code], f"new code {code.name}{under}",
                   code.key, write=write)


def split_code(store: Store, coder_id: int, key: str, segment_ids: Collection[int], *,
               into: str | None = None, new_name: str | None = None) -> EditOutcome:
    """Move some codings of a code (or of its sub-codes) to one of its children, `into` or a
    new child named `new_name`, as one undoable step. The code's meaning has narrowed, so it
    gets a new revision and its codings left behind are up for rechecking; undo brings the
    codings back and retires a child the split created."""
    book = project_codebook(store)
    parent = _code(book, key)
    if (into is None) == (new_name is None):
        raise CoderError("split into an existing child or a new one, not both or neither")
    codes = list(book.codes)
    if new_name is not None:
        child = _new_code(store, book, new_name, key)
        codes.append(child)
    else:
        assert into is not None
        child = _code(book, into)
        if child.parent_key != key:
            raise CoderError(f"{child.name} is not a sub-code of {parent.name}: split into "
                             "one of its children, or a new one")
    moved = _segments_to_split(store, book, key, child.key, segment_ids)
    summary = (f"split {parent.name}: {len(moved)} coding{'s' if len(moved) != 1 else ''} "
               f"moved to {'new code ' if new_name is not None else ''}{child.name}")
    return _commit(store, coder_id, codes, summary, child.key,
                   split=Split(key, child.key, tuple(moved)))


def _segments_to_split(store: Store, book: Codebook, key: str, into: str,
                       segment_ids: Collection[int]) -> list[int]:
    """The live codings of `key`'s family among `segment_ids`, not on `into` already; refused
    whole when one is not there, or when a span would overlap one of the same coder's spans
    of the child (the overlap rule, `coder.spans`)."""
    if not segment_ids:
        raise CoderError("mark the quotes to move first (space marks one, a marks all shown)")
    codes = store.codes()
    by_key = {c.key: c for c in codes}
    family = CodeTree(codes).descendant_ids(by_key[key].id)
    target = by_key[into].id if into in by_key else None
    segments = [store.segment(i) for i in sorted(set(segment_ids))]
    check: OverlapCheck[int] = OverlapCheck()
    live: set[int] = set()
    for paragraph, coder in sorted({(s.paragraph_id, s.coder_id) for s in segments}):
        for there in store.segments(paragraph_id=paragraph, coder_ids=[coder]):
            live.add(there.id)
            if there.code_id == target:
                check.admit((paragraph, coder), there.start, there.end, there.id)
    moved: list[int] = []
    for s in segments:
        if s.id not in live or s.code_id not in family:
            raise CoderError(f"coding {s.id} is not a live coding of {book.by_key(key).name} "
                             "or its sub-codes; nothing was moved")
        if s.code_id == target:
            continue
        if check.admit((s.paragraph_id, s.coder_id), s.start, s.end, s.id) is not None:
            raise CoderError(f"coding {s.id} (characters {s.start}-{s.end}) would overlap a span "
                             f"of {book.by_key(into).name} by the same coder: take one of the "
                             "two off first; nothing was moved")
        moved.append(s.id)
    if not moved:
        raise CoderError(f"every marked quote is already coded {book.by_key(into).name}")
    return moved


def _new_code(store: Store, book: Codebook, name: str, parent_key: str | None, *,
              definition: str = "", shortcut: str | None = None,
              color: str | None = None) -> CodeDef:
    """A code to add, its key made from its name, checked by the codebook file's rules."""
    taken = set(store.code_key_map())
    base = slugify(name) or "code"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    code = CodeDef(key=key, name=" ".join(name.split()), parent_key=parent_key or None,
                   definition=definition.strip(), shortcut=shortcut or None,
                   color=normalise_color(color) if color else None)
    _refuse(fit_problems(book, code), code.name or "the new code")
    return code


def merge_codes(store: Store, coder_id: int, key: str, into: str) -> EditOutcome:
    """Every coding of `key` moves to `into`, and `key` is retired pointing there."""
    book = project_codebook(store)
    old, target = _code(book, key), _code(book, into)
    if key == into:
        raise CoderError(f"{old.name} cannot be merged into itself")
    _refuse_parent(book, old, "merge")
    n = store.segment_counts_by_code().get(store.code(key).id, 0)
    summary = f"merged {old.name} into {target.name} ({n} coding{'s' if n != 1 else ''})"
    return _commit(store, coder_id, [c for c in book.codes if c.key != key], summary, into,
                   moves={key: into})


def retire_code(store: Store, coder_id: int, key: str) -> EditOutcome:
    """Take an unused code out of the codebook (kept in the file's history, never deleted)."""
    book = project_codebook(store)
    old = _code(book, key)
    _refuse_parent(book, old, "retire")
    n = store.segment_counts_by_code().get(store.code(key).id, 0)
    if n:
        raise CoderError(f"{old.name} is used by {n} coding{'s' if n != 1 else ''}: merge it "
                         "into another code instead (ctrl+x), so no coding is lost")
    return _commit(store, coder_id, [c for c in book.codes if c.key != key],
                   f"retired {old.name}", None)


def append_to_file(store: Store, path: Path, code: CodeDef) -> None:
    """`codebook.append_code`, keeping the project's note of the file current when the file
    was the one loaded, so the next edit does not take the app's own addition for a change."""
    before = file_digest(path)
    append_code(path, code)
    if before == store.get_setting(CODEBOOK_HASH) and str(path) == store.get_setting(CODEBOOK_PATH):
        store.set_setting(CODEBOOK_HASH, file_digest(path))


def write_back(store: Store) -> str:
    """Bring the codebook file in line with the project after undo or redo of an edit; the
    words for the status line ("" when edits stay in the project)."""
    try:
        path = _file_to_write(store)
    except CoderError as exc:
        return f"; NOT written to the codebook file: {exc}"
    return _write(store, path)


def reload_codebook(store: Store) -> dict[str, list[str]]:
    """Take the codebook file's codes as they are on disk now (after `CodebookFileChanged`)."""
    path = store.get_setting(CODEBOOK_PATH)
    if not path:
        raise CoderError("this project was not loaded from a codebook file")
    return use_codebook(store, Path(path))


def writes_to(store: Store) -> Path | None:
    """The YAML file edits are written to, or None when they stay in the project."""
    if store.get_setting(WRITE_BACK) == KEEP_IN_PROJECT:
        return None
    path = store.get_setting(CODEBOOK_PATH)
    if not path or Path(path).suffix.lower() not in (".yaml", ".yml"):
        return None
    return Path(path)


def _file_to_write(store: Store) -> Path | None:
    path = writes_to(store)
    if path is None:
        return None
    try:
        digest = file_digest(path)
    except OSError as exc:
        raise CoderError(f"cannot read the codebook file: {exc.strerror or exc}", path=path) from None
    if digest != store.get_setting(CODEBOOK_HASH):
        raise CodebookFileChanged(path)
    return path


def _write(store: Store, path: Path | None) -> str:
    if path is None:
        return ""
    codes = store.codes(include_retired=True)
    retired = {c.key for c in codes} - {c.key for c in store.codes()}
    try:
        rewrite_codes(path, list(project_codebook(store).codes), retired)
        store.set_setting(CODEBOOK_HASH, file_digest(path))
    except (CoderError, OSError) as exc:
        return f"; NOT written to {path.name}: {exc}"
    return f"; written to {path.name}"


def _commit(store: Store, coder_id: int, codes: list[CodeDef], summary: str, key: str | None,
            *, moves: dict[str, str] | None = None, write: bool = True,
            cosmetic: set[str] | None = None, split: Split | None = None) -> EditOutcome:
    path = _file_to_write(store) if write else None
    report = store.edit_codebook(
        coder_id, codebook_rows(Codebook("", "", tuple(codes))), summary=summary, moves=moves,
        cosmetic=cosmetic or set(), author=store.coder_names().get(coder_id), split=split)
    if report.get("revised"):
        summary += " \u2014 new revision: " + ", ".join(report["revised"])
    note = _write(store, path)
    return EditOutcome(f"saved: {summary}{note}", key, ok="NOT written" not in note)


def _code(book: Codebook, key: str) -> CodeDef:
    if key not in book:
        raise CoderError(f"no code with key {key!r} in the codebook")
    return book.by_key(key)


def _changed(old: CodeDef, change: CodeChange) -> CodeDef:
    values = {f.name: getattr(change, f.name) for f in fields(change)}
    new = {k: v.strip() for k, v in values.items() if v is not None}
    if "name" in new:
        new["name"] = " ".join(new["name"].split()) if "\n" not in new["name"] else new["name"]
    updated = replace(old, **{k: v for k, v in new.items() if k not in ("color", "shortcut",
                                                                        "parent_key")})
    if "color" in new:
        updated = replace(updated, color=(normalise_color(new["color"]) or new["color"])
                          if new["color"] else None)
    if "shortcut" in new:
        updated = replace(updated, shortcut=new["shortcut"] or None)
    if "parent_key" in new:
        updated = replace(updated, parent_key=new["parent_key"] or None)
    return updated


def _refuse(problems: list[str], name: str) -> None:
    if problems:
        raise CoderError(f"{name}: " + "; ".join(problems))


def _refuse_parent(book: Codebook, code: CodeDef, verb: str) -> None:
    if book.children(code.key):
        raise CoderError(f"{code.name} has sub-codes: move or merge them first, then {verb} it")


def _row(code: CodeDef) -> dict[str, object]:
    return {"name": code.name, "shortcut": code.shortcut, "retired_at": None}
