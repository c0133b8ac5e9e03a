"""Copies of the project file: manual and automatic backups, restore, integrity checks."""

from __future__ import annotations

import os
import sqlite3
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

from ..errors import CoderError
from ..vocab import EventKind
from .connection import Connection
from .schema import SCHEMA_VERSION


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable; not every platform can open a directory, which is fine."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class BackupsMixin(Connection):
    def backup(self, target: str | Path, *, overwrite: bool = False) -> Path:
        """A consistent copy through SQLite's online backup, safe while others write.

        The copy is written beside the target and renamed into place once complete and
        flushed to disk, so a crash during a backup never leaves a half-written file under
        the backup's name.
        """
        target = Path(target)
        if target.exists() and target.is_dir():
            raise CoderError("is a directory; give a file name for the backup", path=target)
        if target.exists() and target.resolve() == self.path.resolve():
            raise CoderError("a backup cannot overwrite the project itself", path=target)
        if target.exists() and target.stat().st_size > 0 and not _is_sqlite(target):
            raise CoderError("exists and is not an SQLite file; not overwriting it", path=target)
        if target.exists() and not overwrite:
            raise CoderError(
                "exists already (another project, or an older backup); give a new name or a "
                "folder, or --force to replace it", path=target)
        tmp = target.with_name(target.name + ".tmp")
        try:
            dest = sqlite3.connect(tmp)
            try:
                self.conn.backup(dest)
                dest.execute("PRAGMA journal_mode = DELETE")
            finally:
                dest.close()
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except (OSError, sqlite3.Error) as exc:
            with suppress(OSError):
                tmp.unlink(missing_ok=True)
            reason = getattr(exc, "strerror", None) or exc
            raise CoderError(f"cannot write the backup: {reason}", path=target) from None
        _fsync_dir(target.parent)
        return target

    @property
    def backup_dir(self) -> Path:
        return self.path.with_name(self.path.name + ".backups")

    def auto_backup(self, reason: str) -> Path:
        """A copy taken before anything that changes many rows at once, kept beside the
        project in `<name>.backups/`, so a merge or bulk import can always be walked back."""
        folder = self.backup_dir
        folder.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        slug = "".join(ch if ch.isalnum() else "-" for ch in reason)
        return self.backup(folder / f"{self.path.stem}-{stamp}-{slug}.db")

    def backups(self) -> list[Path]:
        """The automatic and manual backups kept in `<name>.backups/`, oldest first."""
        if not self.backup_dir.is_dir():
            return []
        return sorted(self.backup_dir.glob("*.db"))

    def restore(self, source: str | Path) -> Path:
        """Put a backup's content back into this project, online.

        The current state is backed up first, so a restore is itself reversible. The copy
        runs through SQLite's backup API into this connection, so other open connections see
        the restored file rather than a file swapped under them.
        """
        source = Path(source)
        if not source.is_file() or not _is_sqlite(source):
            raise CoderError("not a backup of a coder project (not an SQLite file)", path=source)
        if source.resolve() == self.path.resolve():
            raise CoderError("cannot restore a project from itself", path=source)
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            version = src.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master")}
            if version == 0 or not {"documents", "segments", "codes"} <= tables:
                raise CoderError("not a backup of a coder project", path=source)
            if version > SCHEMA_VERSION:
                raise CoderError(
                    f"the backup is from a newer coder (schema {version}); upgrade coder",
                    path=source,
                )
            problems = [r[0] for r in src.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise CoderError(f"the backup is damaged: {problems[0]}", path=source)
            saved = self.auto_backup("before-restore")
            src.backup(self.conn)
        finally:
            src.close()
        self._migrate()
        with self.transaction():
            self.log_event(EventKind.RESTORE, {"from": str(source), "previous state saved in": str(saved)})
        return saved

    def integrity_problems(self) -> list[str]:
        """What SQLite's integrity and foreign-key checks find; empty when the file is sound."""
        try:
            problems = [r[0] for r in self.conn.execute("PRAGMA integrity_check")]
            out = [] if problems == ["ok"] else problems
            for r in self.conn.execute("PRAGMA foreign_key_check"):
                out.append(f"{r[0]} row {r[1]} points at a missing {r[2]} row")
        except sqlite3.DatabaseError as exc:
            return [f"the file is damaged: {exc}"]
        return out
