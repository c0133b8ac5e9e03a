"""`coder backup`, `backups`, `restore`, `check` and `history`: seeing and keeping the work safe."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from ..errors import CoderError
from ..text import clean
from .options import console, db_option, echo, open_project


@click.command("backup")
@click.argument("dest", required=False, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace DEST if it is an existing SQLite file.")
@db_option
def backup(dest: Path | None, force: bool, db: Path) -> None:
    """Copy the project to DEST (a file or folder; default: the project's .backups folder).

    Uses SQLite's online backup, so the copy is consistent even while coders are working.
    """
    with open_project(db) as store:
        if dest is None:
            target = store.auto_backup("manual")
        else:
            if dest.is_dir():
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
                dest = dest / f"{db.stem}-{stamp}.db"
            target = store.backup(dest, overwrite=force)
    size = target.stat().st_size
    echo(f"backed up {db} to {target} ({_size(size)})")


@click.command("backups")
@click.option("--keep", type=click.IntRange(min=1), metavar="N",
              help="Delete all but the newest N backups in the folder (asks first).")
@click.option("--yes", is_flag=True, help="With --keep: do not ask for confirmation.")
@db_option
def backups(keep: int | None, yes: bool, db: Path) -> None:
    """List the automatic and manual backups kept beside the project."""
    with open_project(db) as store:
        found = store.backups()
        folder = store.backup_dir
    if not found:
        echo(f"no backups in {folder} yet")
        return
    if keep is not None:
        automatic = [p for p in found if store.backup_taken(p) is not None]
        by_hand = [p for p in found if store.backup_taken(p) is None]
        if by_hand:
            echo(f"kept, named by hand (never deleted by --keep): "
                       f"{', '.join(clean(p.name) for p in by_hand)}")
        _prune(automatic, keep, yes)
        return
    table = Table(title=f"{len(found)} backup(s) in {folder}")
    table.add_column("file")
    table.add_column("size", justify="right")
    table.add_column("taken")
    for path in found:
        taken = store.backup_taken(path)
        when = taken.strftime("%Y-%m-%d %H:%M:%S UTC") if taken else "named by hand"
        table.add_row(Text(clean(path.name)), _size(path.stat().st_size), when)
    console.print(table)


@click.command("restore")
@click.argument("backup_file", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@db_option
def restore(backup_file: Path, yes: bool, db: Path) -> None:
    """Put the content of BACKUP_FILE back into the project.

    The project as it is now is backed up first, so a restore can itself be undone.
    """
    if not yes and not click.confirm(
        f"Replace everything in {db} with {backup_file}? (the current state is backed up first)"
    ):
        raise CoderError("nothing restored")
    with open_project(db) as store:
        saved = store.restore(backup_file)
    echo(f"restored {db} from {backup_file}")
    echo(f"the state before the restore is saved in {saved}")


@click.command("check")
@db_option
def check(db: Path) -> None:
    """Check the project file for damage (SQLite's integrity and foreign-key checks)."""
    with open_project(db, allow_triggers=True) as store:
        problems = store.integrity_problems()
    if problems:
        for p in problems[:50]:
            echo(f"{db}: {p}", err=True)
        echo(
            f"{len(problems)} problem(s); restore the latest backup (`coder backups`, "
            "`coder restore FILE`)",
            err=True,
        )
        sys.exit(1)
    echo(f"{db}: ok")


@click.command("history")
@click.option("--kind", help="Only events of this kind (import, codebook, merge, reimport, ...).")
@click.option("-n", "--limit", type=click.IntRange(min=1), help="Only the latest N events.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@db_option
def history(kind: str | None, limit: int | None, as_json: bool, db: Path) -> None:
    """What happened to the project: imports, codebook changes, merges, re-imports, restores."""
    with open_project(db) as store:
        events = store.events(kind, limit=limit)
    if as_json:
        for e in events:
            click.echo(json.dumps(e, ensure_ascii=False))
        return
    if not events:
        echo("no events recorded" + (f" of kind {kind!r}" if kind else ""))
        return
    for e in events:
        at = e.pop("at").replace("T", " ")[:19]
        what = e.pop("kind")
        echo(f"{at}  {what}: {_describe(e)}")


def _describe(detail: dict[str, Any]) -> str:
    parts = []
    for key, value in detail.items():
        if isinstance(value, list):
            if not value:
                continue
            if all(isinstance(v, dict) for v in value):
                value = f"{len(value)}"
            else:
                value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False)
        parts.append(f"{key} {value}")
    return "; ".join(parts)


def _prune(found: list[Path], keep: int, yes: bool) -> None:
    """`found` are coder's own backups, oldest first by the time taken; only those are ever
    deleted, and only after the user has seen the list."""
    doomed = found[:-keep]
    if not doomed:
        echo(f"{len(found)} automatic backup(s); nothing to delete when keeping {keep}")
        return
    total = sum(p.stat().st_size for p in doomed)
    echo(f"would delete {len(doomed)} backup(s) ({_size(total)}), oldest "
               f"{doomed[0].name}, newest {doomed[-1].name}; keeping the newest {keep}")
    if not yes and not click.confirm("Delete them?", default=False):
        raise CoderError("nothing deleted")
    for p in doomed:
        p.unlink()
    echo(f"deleted {len(doomed)} backup(s)")


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"
