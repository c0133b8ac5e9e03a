"""The codebook as CSV in Taguette's layout, both ways.

Taguette (remram44/taguette, `import_codebook.py`, `export.py`) reads a header row, takes the
code from the one column named `tag`, `name` or `path` (two of them is an error), the optional
`description`, and ignores every other column; it writes `tag, description, number of
highlights, number of documents`. coder writes `tag` (the code's path, `Parent/Child`) and
`description` (the definition) first, then its own columns, which Taguette ignores: `key`,
`when_to_use`, `when_not_to_use`, `example`, `color`, `shortcut`. Reading, any of those may be
missing: a code without a key keeps the key of the project's code with the same path (so a
codebook edited in Taguette and loaded back renames nothing), else gets one from its name, and
a column the file does not have keeps the project's values (a Taguette file has only the
description, and loading it must not wipe the rules and examples).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml

from .codebook import (
    Codebook,
    CodebookError,
    Problem,
    normalise_color,
    parse_codebook,
    slugify,
)
from .errors import CoderError
from .models import Code

PATH_COLUMNS = ("tag", "name", "path")
FIELDS = ("when_to_use", "when_not_to_use", "example", "color", "shortcut")
HEADER = ("tag", "description", "key", *FIELDS)
MAX_CSV_BYTES = 16 * 1024 * 1024


def codebook_csv(codes: list[Code]) -> str:
    """The project's codes, parents first, as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for c in codes:
        writer.writerow([c.path, c.definition, c.key, c.when_to_use, c.when_not_to_use,
                         c.example, c.color or "", c.shortcut or ""])
    return out.getvalue()


def _rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    if not path.is_file():
        raise CoderError("no such file", path=path)
    data = path.read_bytes()
    if len(data) > MAX_CSV_BYTES:
        raise CoderError("too large for a codebook", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CoderError(f"not UTF-8 text (byte {exc.start}); save the CSV as UTF-8",
                         path=path) from None
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise CoderError(f"not a readable CSV file ({exc})", path=path) from None
    if not rows:
        raise CoderError("empty file: expected a header row with a 'tag' column", path=path)
    return [h.strip().lower() for h in rows[0][1]], rows[1:]


def codebook_from_csv(path: Path, existing: list[Code]) -> Codebook:
    """A codebook from a Taguette-style CSV, checked as a YAML codebook is."""
    path = Path(path)
    header, rows = _rows(path)
    named = [h for h in PATH_COLUMNS if h in header]
    if len(named) != 1:
        why = "no 'tag', 'name' or 'path' column" if not named else (
            f"columns {', '.join(repr(n) for n in named)} both name the code; keep one")
        raise CoderError(why, path=path, line=1)
    col = {h: header.index(h) for h in ("description", "key", *FIELDS) if h in header}
    col["path"] = header.index(named[0])
    key_of_path = {c.path.casefold(): c.key for c in existing}
    known = {c.key: c for c in existing}
    taken = {c.key for c in existing}
    entries: dict[str, dict[str, Any]] = {}
    lines: dict[str, int] = {}
    top: list[dict[str, Any]] = []
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            i = col.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        names = [" ".join(part.split()) for part in cell("path").split("/")]
        if not all(names):
            raise CoderError("empty code name", path=path, line=line)
        parent: str | None = None
        for depth in range(1, len(names) + 1):
            sub = "/".join(names[:depth])
            if sub.casefold() in entries:
                if depth == len(names):
                    raise CoderError(f"code {sub!r} is listed twice", path=path, line=line)
                parent = sub.casefold()
                continue
            key = (cell("key") if depth == len(names) else "") or key_of_path.get(sub.casefold())
            if not key:
                key = slugify(names[depth - 1]) or "code"
                base, n = key, 2
                while key in taken:
                    key, n = f"{base}-{n}", n + 1
            taken.add(key)
            entry: dict[str, Any] = {"key": key, "name": names[depth - 1]}
            kept = known.get(key)
            for field, attr in (("description", "definition"), *((f, f) for f in FIELDS)):
                if field in col and depth == len(names):
                    value = cell(field)
                elif field not in col and kept is not None:  # a column the file lacks: kept
                    value = getattr(kept, attr) or ""
                else:
                    value = ""
                if attr == "color" and value and field in col and not normalise_color(value):
                    raise CoderError(f"{value!r} is not a colour: use #RRGGBB, #RGB or a colour "
                                     "name such as red or steelblue", path=path, line=line)
                if value:
                    entry[attr] = value
            entries[sub.casefold()] = entry
            lines[key] = line
            (entries[parent].setdefault("codes", []) if parent else top).append(entry)
            parent = sub.casefold()
    if not top:
        raise CoderError("no codes in the file", path=path)
    text = yaml.safe_dump({"name": path.stem, "description": f"Loaded from {path.name}",
                           "codes": top}, allow_unicode=True, sort_keys=False, width=4096)
    try:
        return parse_codebook(text, str(path))
    except CodebookError as exc:  # the checker's report, pointed at the CSV rows
        raise CodebookError([Problem(str(path), lines.get(_key_in(p.message, lines), 0), 0,
                                     p.message) for p in exc.problems]) from None


def _key_in(message: str, lines: dict[str, int]) -> str:
    """The key of the code a checker message is about (its keys are quoted)."""
    return next((k for k in sorted(lines, key=len, reverse=True) if f"'{k}'" in message), "")
