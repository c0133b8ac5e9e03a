"""Codings made elsewhere (another tool, another machine) brought in from CSV.

Every row is checked before anything is written: a file with one bad row changes nothing,
and the user gets every bad line at once rather than one per attempt. The file may be one
that `coder export segments --format csv` wrote (its `code_key` column names the code and
its other columns are ignored), so an export made on one machine imports on another; and it
may come from Excel, which saves in Windows-1252 and, in much of Europe, with semicolons.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .exclusive import exclusive_groups
from .coverage import mark_documents
from .errors import CoderError
from .export.segments import COLUMNS as EXPORT_COLUMNS
from .ingest.decoding import decode_text
from .models import Code
from .spans import OverlapCheck
from .text import coder_name_problem
from .store import Store
from .vocab import DocumentStatus, EventKind

REQUIRED = ("document", "paragraph", "coder", "code")
OPTIONAL = ("start", "end", "memo")
CODE_COLUMNS = ("code", "code_key")
MAX_REPORTED = 20
_DELIMITERS = ",;\t"


@dataclass
class _Codes:
    """Every way a CSV may name a code: key (also a former one), path or name."""

    by_key: dict[str, Code]
    by_path: dict[str, Code]
    by_name: dict[str, list[Code]]
    retired: set[int]

    @classmethod
    def of(cls, store: Store) -> _Codes:
        everything = store.codes(include_retired=True)
        live = {c.id for c in store.codes()}
        by_id = {c.id: c for c in everything}
        by_name: dict[str, list[Code]] = {}
        for c in everything:
            by_name.setdefault(c.name.casefold(), []).append(c)
        return cls(
            by_key={key: by_id[code_id] for key, code_id in store.code_key_map().items()},
            by_path={c.path.casefold(): c for c in everything},
            by_name=by_name,
            retired={c.id for c in everything} - live,
        )

    def find(self, value: str) -> Code | str:
        """The code `value` names, or why it names none."""
        code = self.by_key.get(value) or self.by_path.get(value.casefold())
        if code is None:
            named = self.by_name.get(value.casefold(), [])
            live = [c for c in named if c.id not in self.retired]
            candidates = live or named
            if len(candidates) > 1:
                paths = ", ".join(repr(c.path) for c in candidates)
                return f"code name {value!r} is ambiguous: give its key or path ({paths})"
            code = candidates[0] if candidates else None
        if code is None:
            return f"unknown code {value!r}"
        if code.id in self.retired:
            return (
                f"code {value!r} ({code.path}) was retired from the codebook; put it back in "
                "the codebook (coder codebook use) or code these rows with a current code"
            )
        return code


def _decode(path: Path, warnings: list[str]) -> str:
    if not path.exists():
        raise CoderError("no such file", path=path)
    if path.is_dir():
        raise CoderError("is a directory, not a CSV file", path=path)
    raw = path.read_bytes()
    if not raw.strip():
        raise CoderError("the file is empty", path=path)
    text, notes = decode_text(raw, path)
    warnings.extend(f"{path}: {note}" for note in notes)
    return text


def _reader(text: str) -> csv.DictReader[str]:
    """A reader for comma-, semicolon- or tab-separated text, told apart by the header line."""
    header = text.split("\n", 1)[0]
    try:
        dialect: Any = csv.Sniffer().sniff(header, delimiters=_DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    # coder's own export holds whole paragraphs in a quote: far over csv's 131,072 default
    csv.field_size_limit(sys.maxsize)
    return csv.DictReader(io.StringIO(text, newline=""), delimiter=dialect.delimiter,
                          strict=True)


def _rows(reader: csv.DictReader[str], path: Path) -> Iterator[dict[str, Any]]:
    """The rows, refusing a malformed file at the line where the bad record starts: an
    unterminated quote would otherwise fold every following row into one memo."""
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            hint = (": a quote opened here is never closed"
                    if "end of data" in str(exc) else "")
            raise CoderError(f"malformed CSV ({exc}){hint}; nothing was imported", path=path,
                             line=start) from None
        yield row


def _columns(reader: csv.DictReader[str], path: Path) -> tuple[list[str], str]:
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        hint = ": a quote opened here is never closed" if "end of data" in str(exc) else ""
        raise CoderError(f"malformed CSV header ({exc}){hint}; nothing was imported", path=path,
                         line=1) from None
    header = [h.strip() for h in (fieldnames or [])]
    code_column = next((c for c in CODE_COLUMNS if c in header), "code")
    missing = [c for c in REQUIRED if c != "code" and c not in header]
    if code_column not in header:
        missing.append("code (or code_key)")
    if missing:
        raise CoderError(
            f"missing column(s) {', '.join(missing)}; expected {','.join(REQUIRED)}"
            "[,start,end,memo] (or a CSV written by coder export segments)",
            path=path,
            line=1,
        )
    known = {*REQUIRED, *OPTIONAL, *CODE_COLUMNS, *EXPORT_COLUMNS}
    unknown = [h for h in header if h not in known]
    if unknown:
        raise CoderError(f"unknown column(s) {', '.join(unknown)}", path=path, line=1)
    reader.fieldnames = header
    return header, code_column


def _span(start_text: str, end_text: str, n: int, length: int) -> tuple[int, int] | str:
    try:
        start, end = int(start_text), int(end_text)
    except ValueError:
        return f"start and end must both be numbers, not {start_text!r}, {end_text!r}"
    if start < 0 or end < 0:
        return f"span {start}-{end}: start and end are character offsets and cannot be negative"
    if end <= start:
        return f"span {start}-{end}: end must come after start (end is exclusive)"
    if end > length:
        return f"span {start}-{end} is outside paragraph {n} (0-{length}, end exclusive)"
    return start, end


def read_codings_csv(
    store: Store, path: Path, warnings: list[str] | None = None
) -> list[dict[str, Any]]:
    """Validated rows ready for `Store.insert_segments`, or a CoderError naming each bad line.

    What the user should know but that does not stop the import (a guessed encoding, memos
    joined or left out) is appended to `warnings`.
    """
    path = Path(path)
    notes: list[str] = [] if warnings is None else warnings
    reader = _reader(_decode(path, notes))
    _, code_column = _columns(reader, path)

    documents = {d.name: d for d in store.documents()}
    known_coders = set(store.coders())
    codes = _Codes.of(store)
    lengths: dict[tuple[int, int], tuple[int, int]] = {}
    for doc_id, par_id, n, length in store.paragraph_index():
        lengths[(doc_id, n)] = (par_id, length)

    problems: list[tuple[int, str]] = []
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], tuple[int, dict[str, Any], list[str]]] = {}
    for row in _rows(reader, path):
        line = reader.line_num
        values = {k: (row.get(k) or "").strip() for k in (*REQUIRED, *OPTIONAL, code_column)}

        def bad(message: str, line: int = line) -> None:
            problems.append((line, f"{path}:{line}: {message}"))

        if any(v is None for v in row.values()) or None in row:
            bad("wrong number of fields")
            continue
        doc = documents.get(values["document"])
        if doc is None:
            bad(f"unknown document {values['document']!r}")
            continue
        try:
            n = int(values["paragraph"])
        except ValueError:
            bad(f"paragraph must be a number, not {values['paragraph']!r}")
            continue
        if (doc.id, n) not in lengths:
            bad(f"paragraph {n} is out of range (document {doc.name!r} has {doc.n_paragraphs})")
            continue
        code = codes.find(values[code_column])
        if isinstance(code, str):
            bad(code)
            continue
        if not values["coder"]:
            bad("empty coder name")
            continue
        if values["coder"] not in known_coders and (problem := coder_name_problem(values["coder"])):
            bad(problem)
            continue
        par_id, length = lengths[(doc.id, n)]
        start = end = None
        if values["start"] or values["end"]:
            span = _span(values["start"], values["end"], n, length)
            if isinstance(span, str):
                bad(span)
                continue
            start, end = span
        memo = row.get("memo", "") or ""
        key = (par_id, code.id, values["coder"], start, end)
        if key in seen:
            _join_memo(seen[key], line, memo.strip(), path, notes)
            continue
        record = {
            "paragraph_id": par_id,
            "code_id": code.id,
            "coder": values["coder"],
            "start": start,
            "end": end,
            "memo": memo.strip() or None,
            "_where": (doc.name, n, code.key, line),
        }
        seen[key] = (line, record, [memo.strip()] if memo.strip() else [])
        rows.append(record)
    problems += _overlaps(store, rows, path)
    if problems:
        shown = [message for _, message in sorted(problems, key=lambda p: p[0])][:MAX_REPORTED]
        more = len(problems) - len(shown)
        tail = f"\n... and {more} more" if more else ""
        raise CoderError(
            f"{len(problems)} bad row(s), nothing imported:\n" + "\n".join(shown) + tail
        )
    if not rows:
        raise CoderError("no codings in the file", path=path)
    _note_memos_already_there(store, rows, path, notes)
    _note_exclusive_groups(store, rows, path, notes)
    for r in rows:
        del r["_where"]
    return rows


def _overlaps(store: Store, rows: list[dict[str, Any]], path: Path) -> list[tuple[int, str]]:
    """Rows whose span overlaps another span of the same code by the same coder on the same
    paragraph, in the file or already in the project (see `coder.spans`)."""
    check: OverlapCheck[str] = OverlapCheck()
    names = store.coder_names()
    wanted = {r["coder"] for r in rows}
    ids = [coder_id for coder_id, name in names.items() if name in wanted]
    for seg in store.segments(coder_ids=ids) if ids else []:
        check.admit((seg.paragraph_id, seg.code_id, names[seg.coder_id]), seg.start, seg.end,
                    f"span {seg.start}-{seg.end} already in the project")
    found: list[tuple[int, str]] = []
    for r in rows:
        _, n, key, line = r["_where"]
        start, end = r["start"], r["end"]
        other = check.admit((r["paragraph_id"], r["code_id"], r["coder"]), start, end,
                            f"span {start}-{end} on line {line}")
        if other is not None:
            message = (f"{path}:{line}: span {start}-{end} of {key} by {r['coder']} in "
                       f"paragraph {n} overlaps its {other}; one coder's spans of one code "
                       "must not overlap (give the whole stretch as one span)")
            found.append((line, message))
    return found


def _note_exclusive_groups(
    store: Store, rows: list[dict[str, Any]], path: Path, notes: list[str]
) -> None:
    """Warn where one coder gets two sub-codes of an `exclusive: true` group on one paragraph.

    The codings are kept (nothing a researcher coded is dropped); `coder agree` lists them too
    and gives that coder no value for the group there.
    """
    groups = set(exclusive_groups(store))
    if not groups:
        return
    all_codes = store.codes(include_retired=True)
    by_id = {c.id: c for c in all_codes}
    parent_of = {c.id: by_id[c.parent_id].key for c in all_codes
                 if c.parent_id is not None and by_id[c.parent_id].key in groups}
    found: dict[tuple[str, int, str], list[tuple[str, int, str, int]]] = {}
    for r in rows:
        group = parent_of.get(r["code_id"])
        if group is not None:
            found.setdefault((r["coder"], r["paragraph_id"], group), []).append(r["_where"])
    for (coder, _, group), wheres in found.items():
        if len({w[2] for w in wheres}) > 1:
            doc, n = wheres[0][0], wheres[0][1]
            lines = ", ".join(str(w[3]) for w in wheres)
            notes.append(
                f"{path}: lines {lines}: {coder} applies {', '.join(w[2] for w in wheres)} to"
                f" {doc} ¶{n}, but {group!r} is exclusive (one sub-code per paragraph); kept,"
                " and `coder agree` reports it"
            )


def _join_memo(
    first: tuple[int, dict[str, Any], list[str]], line: int, memo: str, path: Path, notes: list[str]
) -> None:
    """A coding given twice keeps every memo written for it, in file order."""
    first_line, record, memos = first
    if not memo or memo in memos:
        return
    memos.append(memo)
    if len(memos) > 1:
        record["memo"] = "\n\n".join(memos)
        notes.append(
            f"{path}:{line}: the same coding as line {first_line} with another memo; the two "
            "memos were joined into one"
        )
    else:
        record["memo"] = memo
        notes.append(f"{path}:{line}: the same coding as line {first_line}; its memo was kept")


def _note_memos_already_there(
    store: Store, rows: list[dict[str, Any]], path: Path, notes: list[str]
) -> None:
    """A coding that is already in the project is skipped, memo and all: say so when the
    file's memo is not the one the project has."""
    existing = {
        (r.document, r.n, r.code_key, r.coder, r.start, r.end): r.memo
        for r in store.segment_rows(coders=sorted({r["coder"] for r in rows}))
    }
    for r in rows:
        doc, n, code_key, line = r["_where"]
        key = (doc, n, code_key, r["coder"], r["start"], r["end"])
        if r["memo"] and key in existing and existing[key] != r["memo"]:
            notes.append(
                f"{path}:{line}: this coding is already in the project with a different memo; "
                "the memo in the file was not imported (edit the memo in coder instead)"
            )


def import_codings_csv(
    store: Store, path: Path, warnings: list[str] | None = None, *, done: bool = False
) -> tuple[int, int]:
    """Add the file's codings, after a backup, with any new coders in the same transaction, so a
    killed or failed import leaves no coder without the codings that came with it. With `done`,
    each document in the file is also marked done for each coder in it, in that transaction
    (without it, an imported coding counts in agreement only up to the coder's last coded
    paragraph in each document: see `coder.coverage`)."""
    rows = read_codings_csv(store, path, warnings)
    if not rows:
        return 0, 0
    finished: set[tuple[str, int]] = set()
    if done:
        doc_of = {pid: doc for doc, pid, _, _ in store.paragraph_index()}
        finished = {(r["coder"], doc_of[r["paragraph_id"]]) for r in rows}
    saved = store.auto_backup(f"before-{EventKind.CODINGS_IMPORT}")
    detail: dict[str, object] = {"file": str(path), "backup": str(saved)}
    if done:
        detail["done"] = True
    with store.transaction():
        coder_ids = {name: store.coder_id(name) for name in {r["coder"] for r in rows}}
        for r in rows:
            r["coder_id"] = coder_ids[r.pop("coder")]
        result = store.insert_segments(rows, event=EventKind.CODINGS_IMPORT, backup=False,
                                       detail=detail)
        if done:
            mark_documents(store, finished, DocumentStatus.DONE)
    return result
