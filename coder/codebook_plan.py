"""What loading a codebook would change in a project, worked out before anything is written.

Plain data in, a plan out: the store reads the project's codes, aliases and segment counts,
hands them here, and applies the plan in one transaction. Keeping the decisions apart from
the SQL lets them be tested with no database.

A code the codebook no longer lists is, in this order of precedence: renamed (its key is in
another code's `renamed_from` and that key is new), merged (`renamed_from` naming an existing
key, or a `--move OLD=TARGET`), or retired. Retiring a code that segments still use is
refused, so no coding is ever lost silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import CoderError

# Fields compared to tell an updated code from an unchanged one.
DESCRIPTIVE_FIELDS = ("name", "color", "shortcut", "definition", "when_to_use",
                      "when_not_to_use", "example")

Row = Mapping[str, Any]


@dataclass
class CodePlan:
    """Renames and merges by key, the codes to retire, and the report the user reads."""

    renames: dict[str, str] = field(default_factory=dict)
    merges: dict[str, str] = field(default_factory=dict)
    dropped: list[Row] = field(default_factory=list)
    report: dict[str, list[str]] = field(default_factory=lambda: {
        "added": [], "updated": [], "renamed": [], "reparented": [], "merged": [], "retired": [],
        "changed": [],
    })

    def changes_existing(self) -> bool:
        return any(v for k, v in self.report.items() if k != "added")


def plan_codes(
    codes: Sequence[Row],
    moves: Mapping[str, str],
    existing: Sequence[Row],
    aliases: Mapping[str, int],
    counts: Mapping[int, int],
) -> CodePlan:
    """The plan for making `existing` (the project's code rows, retired and merged ones too)
    match `codes` (the codebook's, in its order, each with `key`, `parent_key`, the
    descriptive fields and an optional `renamed_from`). `moves` maps a dropped key to the key
    that takes its segments; `aliases` maps keys codes had before a rename to the code id;
    `counts` is live segments per code id. Raises `CoderError` for a plan that would lose
    codings or that names codes wrongly."""
    by_key = {r["key"]: r for r in existing}
    wanted = [c["key"] for c in codes]
    _refuse_duplicate_keys(wanted)
    wanted_set = set(wanted)
    plan = CodePlan()
    _plan_renamed_from(codes, by_key, wanted_set, plan)
    key_of = {r["id"]: k for k, r in by_key.items()}
    for old, target in moves.items():
        _check_move(old, target, by_key, aliases, key_of, wanted_set, plan)
        plan.merges[old] = target
    plan.dropped = [
        r for key, r in by_key.items()
        if key not in wanted_set and key not in plan.renames and key not in plan.merges
        and r["retired_at"] is None
    ]
    _refuse_dropping_used(plan.dropped, counts)
    _fill_report(codes, by_key, key_of, counts, plan)
    return plan


def _refuse_duplicate_keys(wanted: Sequence[str]) -> None:
    if len(set(wanted)) != len(wanted):
        dup = sorted({k for k in wanted if wanted.count(k) > 1})
        raise CoderError(f"the codebook has the key(s) {', '.join(dup)} more than once")


def _plan_renamed_from(
    codes: Sequence[Row], by_key: Mapping[str, Row], wanted_set: set[str], plan: CodePlan
) -> None:
    """Each `renamed_from` key the codebook dropped becomes a rename when its new key is
    free, else a merge into the new key. The first code to claim an old key wins."""
    for c in codes:
        for old in c.get("renamed_from") or ():
            if old == c["key"] or old in wanted_set or old not in by_key:
                continue
            if by_key[old]["merged_into"] is not None:
                continue
            if old in plan.renames or old in plan.merges:
                continue
            if c["key"] not in by_key and c["key"] not in plan.renames.values():
                plan.renames[old] = c["key"]
            else:
                plan.merges[old] = c["key"]


def _check_move(
    old: str, target: str, by_key: Mapping[str, Row], aliases: Mapping[str, int],
    key_of: Mapping[int, str], wanted_set: set[str], plan: CodePlan,
) -> None:
    if old not in by_key:
        if old in aliases:
            raise CoderError(
                f"--move {old}={target}: {old!r} was renamed to "
                f"{key_of.get(aliases[old], '?')!r}; name it by its current key"
            )
        raise CoderError(f"--move {old}={target}: no code {old!r} in this project")
    if old == target:
        raise CoderError(f"--move {old}={target}: a code cannot be merged into itself")
    if old in wanted_set:
        raise CoderError(
            f"--move {old}={target}: {old!r} is still in the codebook; take it out of "
            "the codebook to merge it"
        )
    if target not in wanted_set:
        raise CoderError(f"--move {old}={target}: {target!r} is not in the codebook")
    if old in plan.renames:
        raise CoderError(
            f"--move {old}={target}: the codebook already renames {old!r} to "
            f"{plan.renames[old]!r} (renamed_from)"
        )


def _refuse_dropping_used(dropped: Sequence[Row], counts: Mapping[int, int]) -> None:
    in_use = [(r, counts.get(r["id"], 0)) for r in dropped if counts.get(r["id"], 0)]
    if not in_use:
        return
    detail = "; ".join(
        f"{r['name']!r} ({r['key']}) is used by {n} segment{'s' if n != 1 else ''}"
        for r, n in in_use
    )
    first = in_use[0][0]["key"]
    raise CoderError(
        f"the codebook drops codes that are in use: {detail}. Keep them in the codebook, "
        f"rename with `renamed_from`, or say where their segments go "
        f"(`--move {first}=OTHER-KEY`), so no coding is lost"
    )


def _fill_report(
    codes: Sequence[Row], by_key: Mapping[str, Row], key_of: Mapping[int, str],
    counts: Mapping[int, int], plan: CodePlan,
) -> None:
    report = plan.report
    new_key = plan.renames
    for old, new in plan.renames.items():
        report["renamed"].append(f"{old} -> {new}")
    by_new_key = {new_key.get(k, k): r for k, r in by_key.items()}
    for c in codes:
        row = by_new_key.get(c["key"])
        if row is None:
            report["added"].append(c["key"])
            continue
        differs = [f for f in DESCRIPTIVE_FIELDS if (row[f] or "") != (c.get(f) or "")]
        if row["retired_at"] is not None or differs:
            report["updated"].append(c["key"])
            report["changed"].append(f"{c['key']}: " + describe_change(row, c, differs))
        old_parent = key_of.get(row["parent_id"]) if row["parent_id"] else None
        old_parent = new_key.get(old_parent, old_parent) if old_parent else None
        if (old_parent or None) != (c.get("parent_key") or None):
            report["reparented"].append(
                f"{c['key']}: {old_parent or '(top level)'} -> "
                f"{c.get('parent_key') or '(top level)'}"
            )
    for old, target in plan.merges.items():
        n = counts.get(by_key[old]["id"], 0)
        report["merged"].append(f"{old} -> {target} ({n} segment{'s' if n != 1 else ''})")
    report["retired"].extend(r["key"] for r in plan.dropped)


def describe_change(row: Row, code: Row, differs: list[str]) -> str:
    """What a codebook edit did to one code, for the history: names in full, other fields by
    name (a changed definition is too long to quote)."""
    parts = []
    if row["retired_at"] is not None:
        parts.append("brought back from retirement")
    if "name" in differs:
        parts.append(f"name {row['name']!r} -> {code.get('name')!r}")
    if "shortcut" in differs:
        parts.append(f"shortcut {row['shortcut'] or '(none)'} -> {code.get('shortcut') or '(none)'}")
    rest = [f.replace("_", " ") for f in differs if f not in ("name", "shortcut")]
    if rest:
        parts.append(", ".join(rest) + " changed")
    return "; ".join(parts)
