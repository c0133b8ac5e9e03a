"""Coded segments as data: one CSV row or JSON line per segment, for R, Excel or pandas.

The quote is the stored text exactly, newlines included; the csv module quotes such fields,
which Excel and R's `read.csv` read back as one cell. `bom=True` adds the byte-order mark
Excel needs to recognise UTF-8 on double-click.

Excel (and LibreOffice) read a cell that starts with `=`, `+`, `-` or `@` as a formula: a
quote such as "- and then nothing" shows as #NAME?, and a crafted one could run. The text
stays exact by default, because R and pandas must get what was said; `excel_safe=True` puts an
apostrophe before such cells, which Excel hides and treats as "this is text".
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from ..models import readable_name
from .scope import Scope

COLUMNS = (
    "document",
    "document_title",
    "paragraph",
    "speaker",
    "coder",
    "code_key",
    "code_name",
    "code_path",
    "start",
    "end",
    "quote",
    "memo",
    "coded_at",
    "segment_guid",
)


def _records(scope: Scope) -> list[tuple[Any, ...]]:
    paths = {key: code.path for key, code in scope.codes_by_key.items()}
    titles = {d.name: d.title for d in scope.documents}
    if scope.records is not None:
        return [
            (doc, titles.get(doc) or readable_name(doc), n, speaker, coder, key, name,
             paths.get(key, name), start, end, quote, memo, created, guid)
            for doc, n, speaker, coder, key, name, start, end, quote, memo, created, guid
            in scope.records
        ]
    return [
        (
            r.document,
            titles.get(r.document) or readable_name(r.document),
            r.n,
            r.speaker,
            r.coder,
            r.code_key,
            r.code_name,
            paths.get(r.code_key, r.code_name),
            r.start,
            r.end,
            r.quote,
            r.memo,
            r.created_at,
            r.guid,
        )
        for r in scope.rows
    ]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_text(value: Any) -> Any:
    """`value` as Excel will show it as text: an apostrophe before a formula-like string."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def segments_csv(scope: Scope, *, bom: bool = False, excel_safe: bool = False) -> bytes:
    return csv_bytes(COLUMNS, _records(scope), bom=bom, excel_safe=excel_safe)


def csv_bytes(columns: Sequence[str], records: Iterable[Sequence[Any]], *, bom: bool = False,
              excel_safe: bool = False) -> bytes:
    """RFC 4180 CSV (CRLF between records), UTF-8; empty cells for missing values."""
    out = io.StringIO(newline="")
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    if excel_safe:
        records = [tuple(map(excel_text, rec)) for rec in records]
    writer.writerows(records)  # the csv module writes None as an empty cell
    return out.getvalue().encode("utf-8")


# JSON leaves these unescaped, but Python's str.splitlines() and some editors break lines on them.
_LINE_BREAKERS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


def segments_jsonl(scope: Scope) -> bytes:
    """One JSON object per line; `start`/`end` are null for a whole-paragraph segment."""
    lines = []
    for rec in _records(scope):
        line = json.dumps(dict(zip(COLUMNS, rec)), ensure_ascii=False)
        if any(ch in line for ch in _LINE_BREAKERS):
            for ch, escaped in _LINE_BREAKERS.items():
                line = line.replace(ch, escaped)
        lines.append(line)
    return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")
