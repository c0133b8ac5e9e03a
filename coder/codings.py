"""Codings made elsewhere (another tool, another machine) brought in from CSV.

Every row is checked before anything is written: a file with one bad row changes nothing,
and the user gets every bad line at once rather than one per attempt.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from .errors import CoderError
from .store import Store

REQUIRED = ("document", "paragraph", "coder", "code")
OPTIONAL = ("start", "end", "memo")
MAX_REPORTED = 20


def read_codings_csv(store: Store, path: Path) -> list[dict[str, Any]]:
    """Validated rows ready for `Store.insert_segments`, or a CoderError naming each bad line."""
    path = Path(path)
    if not path.exists():
        raise CoderError("no such file", path=path)
    if path.is_dir():
        raise CoderError("is a directory, not a CSV file", path=path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CoderError(f"not UTF-8 text (byte {exc.start})", path=path) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise CoderError(
            f"missing column(s) {', '.join(missing)}; expected {','.join(REQUIRED)}[,start,end,memo]",
            path=path,
            line=1,
        )
    unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
    if unknown:
        raise CoderError(f"unknown column(s) {', '.join(unknown)}", path=path, line=1)
    reader.fieldnames = header

    documents = {d.name: d for d in store.documents()}
    by_id = {c.id: c for c in store.codes(include_retired=True)}
    codes = {key: by_id[code_id] for key, code_id in store.code_key_map().items()}
    codes_by_name = {c.name: c for c in store.codes()}
    lengths: dict[tuple[int, int], tuple[int, int]] = {}
    for doc_id, par_id, n, length in store.paragraph_index():
        lengths[(doc_id, n)] = (par_id, length)

    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    coder_names: set[str] = set()
    for row in reader:
        line = reader.line_num
        values = {k: (row.get(k) or "").strip() for k in REQUIRED + OPTIONAL}

        def bad(message: str) -> None:
            problems.append(f"{path}:{line}: {message}")

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
        code = codes.get(values["code"]) or codes_by_name.get(values["code"])
        if code is None:
            bad(f"unknown code {values['code']!r}")
            continue
        if not values["coder"]:
            bad("empty coder name")
            continue
        par_id, length = lengths[(doc.id, n)]
        start = end = None
        if values["start"] or values["end"]:
            try:
                start, end = int(values["start"]), int(values["end"])
            except ValueError:
                bad(f"start and end must both be numbers, not {values['start']!r}, {values['end']!r}")
                continue
            if not 0 <= start < end <= length:
                bad(f"span {start}-{end} is outside paragraph {n} (0-{length}, end exclusive)")
                continue
        coder_names.add(values["coder"])
        rows.append(
            {
                "paragraph_id": par_id,
                "code_id": code.id,
                "coder": values["coder"],
                "start": start,
                "end": end,
                "memo": values["memo"] or None,
            }
        )
    if problems:
        shown = problems[:MAX_REPORTED]
        more = len(problems) - len(shown)
        tail = f"\n... and {more} more" if more else ""
        raise CoderError(
            f"{len(problems)} bad row(s), nothing imported:\n" + "\n".join(shown) + tail
        )
    if not rows:
        raise CoderError("no codings in the file", path=path)
    return rows


def import_codings_csv(store: Store, path: Path) -> tuple[int, int]:
    rows = read_codings_csv(store, path)
    coder_ids = {name: store.coder_id(name) for name in {r["coder"] for r in rows}}
    for r in rows:
        r["coder_id"] = coder_ids[r.pop("coder")]
    return store.insert_segments(rows, event="codings import", detail={"file": str(path)})
