"""Copies of the project file: manual and automatic backups, restore, integrity checks."""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CoderError
from ..vocab import EventKind
from .connection import Connection
from .schema import SCHEMA_VERSION, strip_foreign_objects

if TYPE_CHECKING:
    from . import Store

# A backup being written is `.<target name>.<pid>-<random>.tmp` beside its target: unique, so
# it never overwrites a file of the user's, and the pid tells a killed writer's leftover.
_TMP = re.compile(r"^\.(?P<target>.+)\.(?P<pid>\d+)-[0-9a-f]+\.tmp$")
_STAMP = "%Y%m%dT%H%M%S%fZ"


def _scratch_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _remove_sqlite_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(OSError):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def clean_stale_temporaries(folder: Path, *, only_target: str | None = None) -> list[Path]:
    """Remove what killed backups left in `folder`: our own temporary names whose writer is
    gone (only those for `only_target` beside a user's file) and, inside a backups folder,
    the fixed `X.db.tmp` names older versions used. Never a file of the user's."""
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for path in entries:
        match = _TMP.match(path.name)
        if match and (only_target is None or match["target"] == only_target):
            if _pid_alive(int(match["pid"])):
                continue
        elif not (only_target is None and path.name.endswith(".db.tmp")):
            continue
        _remove_sqlite_file(path)
        removed.append(path)
    return removed


def _damaged_backup(source: Path, exc: BaseException) -> CoderError:
    return CoderError(f"the backup is damaged or unreadable ({exc}); the project was not "
                      "touched: try another backup", path=source)


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

        The copy is written under a fresh unique name beside the target and renamed into
        place once complete and flushed to disk, so a crash during a backup never leaves a
        half-written file under the backup's name, and no file of the user's is touched.
        """
        target = Path(target)
        if target.exists() and target.is_dir():
            raise CoderError("is a directory; give a file name for the backup", path=target)
        if target.exists() and target.resolve() == self.path.resolve():
            raise CoderError("a backup cannot overwrite the project itself", path=target)
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise CoderError("is a link or a device, not a file; give a plain file name",
                             path=target)
        if target.exists() and target.stat().st_size > 0 and not _is_sqlite(target):
            raise CoderError("exists and is not an SQLite file; not overwriting it", path=target)
        if target.exists() and not overwrite:
            raise CoderError(
                "exists already (another project, or an older backup); give a new name or a "
                "folder, or --force to replace it", path=target)
        clean_stale_temporaries(target.parent, only_target=target.name)
        tmp = _scratch_name(target)
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
            _remove_sqlite_file(tmp)
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
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise CoderError(f"cannot make the backups folder: {exc.strerror}; nothing was "
                             "changed", path=folder) from None
        clean_stale_temporaries(folder)
        stamp = datetime.now(UTC).strftime(_STAMP)
        slug = "".join(ch if ch.isalnum() else "-" for ch in reason)
        return self.backup(folder / f"{self.path.stem}-{stamp}-{slug}.db")

    def backup_taken(self, path: Path) -> datetime | None:
        """When coder took a backup in the backups folder (from its name), or None for a file
        the user named by hand: `backups --keep` never deletes those."""
        match = re.fullmatch(re.escape(self.path.stem) + r"-(\d{8}T\d{12}Z)-[A-Za-z0-9-]*\.db",
                             path.name)
        if not match:
            return None
        try:
            return datetime.strptime(match[1], _STAMP).replace(tzinfo=UTC)
        except ValueError:
            return None

    def backups(self) -> list[Path]:
        """The automatic and manual backups kept in `<name>.backups/`, oldest first by the
        time they were taken (a hand-named file by its modification time)."""
        if not self.backup_dir.is_dir():
            return []
        clean_stale_temporaries(self.backup_dir)

        def taken(path: Path) -> datetime:
            return self.backup_taken(path) or datetime.fromtimestamp(
                path.stat().st_mtime, UTC)

        return sorted(self.backup_dir.glob("*.db"), key=lambda p: (taken(p), p.name))

    def restore(self, source: str | Path) -> Path:
        """Put a backup's content back into this project, online.

        The backup is first copied beside the project, its foreign schema objects stripped,
        migrated and opened as a project, and the history entry written into that copy; only
        a copy that opens cleanly is copied into the project, through SQLite's backup API, so
        other open connections see the restored file rather than a file swapped under them,
        and a restore killed at any point leaves either the old project or the restored one
        with its history entry. The current state is backed up first, so a restore is
        itself reversible.
        """
        source = Path(source)
        if not source.is_file() or not _is_sqlite(source):
            raise CoderError("not a backup of a coder project (not an SQLite file)", path=source)
        if source.resolve() == self.path.resolve():
            raise CoderError("cannot restore a project from itself", path=source)
        clean_stale_temporaries(self.path.parent, only_target=self.path.name)
        scratch = _scratch_name(self.path)
        try:
            stripped = self._restorable_copy(source, scratch)
            saved = self.auto_backup("before-restore")
            from . import Store

            try:
                copy = Store(scratch, create=False, backup_before_migration=False)
            except CoderError as exc:
                raise CoderError(f"the backup cannot be opened as a project: {exc.message}; "
                                 "the project was not touched", path=source) from None
            except sqlite3.DatabaseError as exc:
                raise CoderError(f"the backup cannot be brought up to date ({exc}); the "
                                 "project was not touched: try another backup",
                                 path=source) from None
            try:
                with copy.transaction():
                    detail: dict[str, object] = {"from": str(source),
                                                 "previous state saved in": str(saved)}
                    if stripped:
                        detail["removed from the copy"] = stripped
                    copy.log_event(EventKind.RESTORE, detail)
                copy.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                copy.conn.backup(self.conn)
            finally:
                copy.close()
        finally:
            _remove_sqlite_file(scratch)
        return saved

    def _restorable_copy(self, source: Path, scratch: Path) -> list[str]:
        """Copy the backup to `scratch` (read-only on the source, in this project's page
        size) and strip what coder did not make; refuse a file that is no project backup."""
        try:
            src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise _damaged_backup(source, exc) from None
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
                raise CoderError(f"the backup is damaged: {problems[0]}; the project was not "
                                 "touched: try another backup", path=source)
            dest = sqlite3.connect(scratch, isolation_level=None)
            try:
                src.backup(dest)
                stripped = strip_foreign_objects(dest)
                page_size = self.conn.execute("PRAGMA page_size").fetchone()[0]
                if dest.execute("PRAGMA page_size").fetchone()[0] != page_size:
                    dest.execute(f"PRAGMA page_size = {int(page_size)}")
                    dest.execute("VACUUM")
            finally:
                dest.close()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and "disk" in str(exc).casefold():
                raise CoderError(f"cannot copy the backup beside the project: {exc}",
                                 path=scratch.parent) from None
            raise _damaged_backup(source, exc) from None
        finally:
            src.close()
        return stripped

    def integrity_problems(self) -> list[str]:
        """What SQLite's integrity and foreign-key checks find; empty when the file is sound."""
        try:
            problems = [r[0] for r in self.conn.execute("PRAGMA integrity_check")]
            out = [] if problems == ["ok"] else problems
            for r in self.conn.execute("PRAGMA foreign_key_check"):
                out.append(f"{r[0]} row {r[1]} points at a missing {r[2]} row")
            from .schema import schema_differences

            out += schema_differences(self.conn)
        except sqlite3.DatabaseError as exc:
            return [f"the file is damaged: {exc}"]
        return out


def open_for_reading(path: Path, folder: Path) -> tuple[Store, list[str]]:
    """Another project file (a merge's other copy), only ever read: opened read-only (no switch to WAL, no migration);
    one from an older coder is migrated in a scratch copy in `folder` instead, with the
    schema objects coder did not make dropped first (a trigger there would fire during the
    migration). Also the objects that are not coder's: the merge reads only its own tables,
    so nothing is taken from them, and the report says so."""
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = source.execute("PRAGMA user_version").fetchone()[0]
            if version == 0 or version >= SCHEMA_VERSION:
                source.close()
                other = _store()(path, create=False, read_only=True, allow_triggers=True)
                return other, other.foreign_schema()
            copy = folder / path.name
            dest = sqlite3.connect(copy, isolation_level=None)
            try:
                source.backup(dest)
                foreign = strip_foreign_objects(dest)
            finally:
                dest.close()
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            raise CoderError("not a coder project (not an SQLite file)", path=path) from None
        raise CoderError(f"cannot read the other project ({exc})", path=path) from None
    migrated = _store()(copy, create=False, backup_before_migration=False)
    migrated.path = path  # what messages name; the copy is only read, and deleted after
    return migrated, foreign


def _store() -> type[Store]:
    from . import Store

    return Store
