"""Numbers for the methods section: code frequencies, coverage, and co-occurrence.

All three are counted from the live segments the filters select. A code's own counts leave its
sub-codes out; a parent also gets its count with them (`with_subcodes`), the number a
`--code` export of it gives.

A paragraph is the unit of coverage and co-occurrence. Two codes co-occur in a paragraph when
one coder applied both there: with several coders coding blind, one coder's Stigma next to
another's Labels says something about the coders, not the text. Each paragraph counts once
however many coders paired the codes, so the numbers do not grow with the number of coders.
The diagonal is the number of paragraphs carrying the code (by any coder).
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CoderError
from ..models import Code, Document
from .atomic import check_target, write_atomic
from .scope import Scope, subtree_keys

COOCCURRENCE_NOTE = (
    "Two codes co-occur in a paragraph when the same coder applied both there; each paragraph "
    "counts once however many coders did. The diagonal counts the paragraphs carrying the code."
)


@dataclass
class Frequency:
    code: Code
    depth: int
    segments: int
    paragraphs: int
    documents: int
    by_coder: dict[str, int]
    with_subcodes: int | None = None  # a parent's segments with its sub-codes'; None for a leaf


@dataclass
class Coverage:
    document: Document
    paragraphs: int
    coded: int
    by_coder: dict[str, int]

    @property
    def share(self) -> float:
        return self.coded / self.paragraphs if self.paragraphs else 0.0


@dataclass
class Stats:
    coders: list[str]
    frequencies: list[Frequency]
    coverage: list[Coverage]
    codes: list[Code] = field(default_factory=list)
    cooccurrence: list[list[int]] = field(default_factory=list)
    segments: int = 0


def compute_stats(scope: Scope, coders: list[str]) -> Stats:
    """Counts over `scope.rows`; `coders` names the columns (every coder of the selection)."""
    seg = Counter[str]()
    paras: dict[str, set[int]] = defaultdict(set)
    docs: dict[str, set[int]] = defaultdict(set)
    per_coder: dict[str, Counter[str]] = defaultdict(Counter)
    coded: dict[int, set[int]] = defaultdict(set)
    coded_by: dict[tuple[int, str], set[int]] = defaultdict(set)
    codes_by_coder: dict[tuple[int, str], set[str]] = defaultdict(set)
    for r in scope.rows:
        seg[r.code_key] += 1
        paras[r.code_key].add(r.paragraph_id)
        docs[r.code_key].add(r.document_id)
        per_coder[r.code_key][r.coder] += 1
        coded[r.document_id].add(r.paragraph_id)
        coded_by[(r.document_id, r.coder)].add(r.paragraph_id)
        codes_by_coder[(r.paragraph_id, r.coder)].add(r.code_key)

    subtree = subtree_keys(scope.code_tree)
    frequencies = [
        Frequency(
            code,
            depth,
            seg[code.key],
            len(paras[code.key]),
            len(docs[code.key]),
            {c: per_coder[code.key][c] for c in coders},
            sum(seg[k] for k in subtree[code.key]) if len(subtree[code.key]) > 1 else None,
        )
        for code, depth in scope.tree
    ]
    coverage = [
        Coverage(
            d,
            d.n_paragraphs,
            len(coded[d.id]),
            {c: len(coded_by[(d.id, c)]) for c in coders},
        )
        for d in scope.documents
    ]
    codes = [code for code, _ in scope.tree]
    index = {c.key: i for i, c in enumerate(codes)}
    pairs: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for (paragraph_id, _), keys in codes_by_coder.items():
        ids = sorted(index[k] for k in keys if k in index)
        pairs[paragraph_id].update((a, b) for a in ids for b in ids)
    matrix = [[0] * len(codes) for _ in codes]
    for found in pairs.values():
        for a, b in found:
            matrix[a][b] += 1
    return Stats(coders, frequencies, coverage, codes, matrix, len(scope.rows))


# ── CSV ────────────────────────────────────────────────────────────────────────


def _csv(rows: list[list[object]], bom: bool) -> bytes:
    out = io.StringIO(newline="")
    if bom:
        out.write("\ufeff")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def frequencies_rows(stats: Stats) -> list[list[object]]:
    rows: list[list[object]] = [
        ["code_key", "code_name", "code_path", "depth", "segments", "paragraphs", "documents",
         *(f"segments_{c}" for c in stats.coders), "segments_with_subcodes"]
    ]
    for f in stats.frequencies:
        rows.append(
            [f.code.key, f.code.name, f.code.path, f.depth, f.segments, f.paragraphs, f.documents]
            + [f.by_coder[c] for c in stats.coders]
            + [f.segments if f.with_subcodes is None else f.with_subcodes]
        )
    return rows


def coverage_rows(stats: Stats) -> list[list[object]]:
    rows: list[list[object]] = [
        ["document", "paragraphs", "coded_paragraphs", "coverage",
         *(col for c in stats.coders for col in (f"coded_{c}", f"coverage_{c}"))]
    ]
    for cov in stats.coverage:
        row: list[object] = [cov.document.name, cov.paragraphs, cov.coded, f"{cov.share:.4f}"]
        for c in stats.coders:
            n = cov.by_coder[c]
            row += [n, f"{(n / cov.paragraphs if cov.paragraphs else 0.0):.4f}"]
        rows.append(row)
    return rows


def cooccurrence_rows(stats: Stats) -> list[list[object]]:
    rows: list[list[object]] = [["code_key", *(c.key for c in stats.codes)]]
    for code, counts in zip(stats.codes, stats.cooccurrence):
        rows.append([code.key] + list(counts))
    return rows


TABLES = ("frequencies", "coverage", "cooccurrence")


def stats_targets(out: Path, *, force: bool = False) -> dict[str, Path]:
    """Where each table goes: `DIR/frequencies.csv`…, or `NAME-frequencies.csv`… beside a
    `NAME.csv` the user gave. Refuses, before anything is computed or printed, a target that
    is taken (without `force`) or a name that looks like a file of another kind."""
    out = Path(out)
    if out.suffix.lower() == ".csv":
        targets = {t: out.with_name(f"{out.stem}-{t}.csv") for t in TABLES}
    elif out.is_dir():
        targets = {t: out / f"{t}.csv" for t in TABLES}
    elif out.exists():
        raise CoderError("is a file; give a folder, or a NAME.csv to write NAME-*.csv", path=out)
    elif out.suffix:
        raise CoderError(
            f"looks like a {out.suffix} file; give a folder (frequencies.csv, coverage.csv and "
            "cooccurrence.csv go in it) or NAME.csv (NAME-frequencies.csv, …); to use a new "
            "folder with a dot in its name, create it first", path=out)
    else:
        return {t: out / f"{t}.csv" for t in TABLES}  # a new folder: nothing in it to clash
    for path in targets.values():
        check_target(path, force=force)
    return targets


def write_stats_csv(stats: Stats, out: Path, *, force: bool = False, bom: bool = False) -> list[Path]:
    targets = stats_targets(out, force=force)
    if Path(out).suffix.lower() != ".csv":
        try:
            Path(out).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CoderError(f"the folder cannot be made ({exc.strerror or exc}); nothing "
                             "was written", path=out) from None
    builders = {
        "frequencies": frequencies_rows,
        "coverage": coverage_rows,
        "cooccurrence": cooccurrence_rows,
    }
    for table, path in targets.items():
        write_atomic(path, _csv(builders[table](stats), bom), force=force)
    return list(targets.values())
