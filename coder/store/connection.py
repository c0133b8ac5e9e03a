"""Opening a project file, refusing what is not one, and one transaction per user action."""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from ..errors import CoderError, ProjectChanged
from ..models import Document

DEFAULT_DB = "coder.db"
BUSY_TIMEOUT_MS = 10_000
BUSY_ATTEMPTS = 3


# The settings row changed (to a fresh random token) by every change that moves what ids mean.
# A token, not a counter: a restored backup must never bring back a value a session pinned.
GENERATION_SETTING = "generation"

_FILE_TROUBLE = ("disk i/o error", "database or disk is full", "readonly database",
                 "unable to open database", "malformed", "not a database")


def is_file_problem(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite failed because of the file or the disk (damage, a full disk, no write
    permission) rather than because of a mistake in our SQL, which must still show in full."""
    return type(exc) is sqlite3.DatabaseError or any(
        t in str(exc).casefold() for t in _FILE_TROUBLE)


def inserted_id(cur: sqlite3.Cursor) -> int:
    """The rowid an INSERT just wrote: sqlite3 types `lastrowid` as optional, but after an INSERT
    on a rowid table it is always set, so a None here is a bug worth failing loudly on."""
    if cur.lastrowid is None:
        raise RuntimeError("INSERT set no rowid")
    return cur.lastrowid


_OUR_TABLES = frozenset({"documents", "paragraphs", "codes", "coders", "segments"})


def _check_is_project(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse, before anything is written, a file that is not a coder project.

    The check goes through SQLite rather than reading the file's header: opening and closing
    the file with an ordinary handle would drop this process's SQLite locks on it (POSIX
    locks are per process), after which another program could delete the write-ahead log
    under an open app.
    """
    try:
        tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if _is_busy(exc):
            raise
        if "not a database" in str(exc) or "encrypted" in str(exc):
            raise CoderError("not a coder project (not an SQLite file)", path=path) from None
        raise CoderError(
            f"the project file is damaged ({exc}); `coder check` says more, and `coder backups` "
            "lists the copies `coder restore` can bring back", path=path) from None
    if version == 0 and tables and not _OUR_TABLES <= tables:
        shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise CoderError(
            f"is an SQLite file of another program (tables: {shown}), not a coder project; "
            "give another --db", path=path)


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """Open read-write, or read-only through a `mode=ro` URI; where even that cannot read
    (a write-ahead log and no shared-memory file on a read-only mount), as immutable: nobody
    can change a file on a read-only mount meanwhile."""
    if not read_only:
        return sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None,
                           check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.DatabaseError:
        conn.close()
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None,
                           check_same_thread=False)


def file_problem(exc: sqlite3.DatabaseError, path: Path) -> CoderError:
    """What is actually wrong with the file or its disk, and which file, in one sentence:
    advice to restore a backup only when the file itself is damaged, since a restore would
    lose the work done since that backup."""
    text = str(exc).casefold()
    if "full" in text:
        return CoderError(
            f"the disk holding the project ({path.resolve().parent}) is full; nothing was "
            "saved: free some space and try again", path=path)
    if "readonly" in text or "read-only" in text:
        return CoderError(
            "the project file or its folder cannot be written (read-only); nothing was saved. "
            "Commands that only read (show, documents, agree, export) still work", path=path)
    if "disk i/o" in text:
        return CoderError(
            f"the disk reported an input/output error ({exc}); nothing was saved: check the "
            "disk, then run `coder check`", path=path)
    if "unable to open" in text:
        return CoderError(f"cannot open the project file ({exc}): check the folder exists "
                          "and can be read", path=path)
    return CoderError(
        f"the project file is damaged ({exc}); `coder check` says more, and `coder backups` "
        "lists the copies `coder restore` can bring back", path=path)


def _refuse_triggers(conn: sqlite3.Connection, path: Path) -> None:
    """A trigger someone added would act on every coding coder saves (one was found
    hard-deleting them), so a project carrying one is not opened until it is removed."""
    from .schema import foreign_objects

    triggers = [name for _, name in foreign_objects(conn, triggers_only=True)]
    if triggers:
        names = ", ".join(triggers)
        raise CoderError(
            f"holds trigger(s) coder did not make ({names}); they would act on every coding "
            f"saved. `coder check` lists what else is foreign; remove them with "
            f"`sqlite3 {path} 'DROP TRIGGER {triggers[0]}'` and open it again", path=path)


def _is_busy(exc: sqlite3.DatabaseError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


class Connection:
    """An open project file, the base every concern of `Store` builds on.

    The methods declared for type checkers below are the seams between concerns: what one
    module of the store calls that another implements (the module is named beside each).
    """

    path: Path
    conn: sqlite3.Connection
    busy_timeout_ms: int
    busy_attempts: int
    pinned_generation: str | None = None
    read_only: bool = False

    if TYPE_CHECKING:
        def _migrate(self) -> None: ...  # schema
        def auto_backup(self, reason: str) -> Path: ...  # backups
        def log_event(self, kind: str, detail: dict[str, Any]) -> None: ...  # events
        def documents(  # documents
            self, *, include_superseded: bool = False) -> list[Document]: ...
        def coder_id(self, name: str, *, create: bool = True) -> int: ...  # coders
        def _surviving_code_id(self, code_id: int) -> int: ...  # codes
        def unretire_codes_in_use(self, reason: str) -> list[str]: ...  # codes
        def _apply_code_edit(  # code_edits
            self, payload: dict[str, Any], *, reverse: bool) -> None: ...
        def _live_segment(  # segments
            self, paragraph_id: int, code_id: int, coder_id: int, start: int | None,
            end: int | None,
        ) -> sqlite3.Row | None: ...
        def _revive_segment(self, segment_id: int, stamp: str) -> bool: ...  # segments
        def _check_span(  # segments
            self, paragraph_id: int, start: int | None, end: int | None) -> None: ...
        def _insert_segment(  # segments
            self, paragraph_id: int, code_id: int, coder_id: int, start: int | None,
            end: int | None, memo: str | None = None, *, guid: str | None = None,
            created_at: str | None = None, updated_at: str | None = None,
        ) -> int: ...
        def coder_names(self) -> dict[int, str]: ...  # coders
        def _apply_segment_change(  # code_revisions
            self, kind: str, payload: dict[str, Any], *, reverse: bool) -> None: ...
        def retract_revision(self, revision_id: int) -> bool: ...  # code_revisions
        def current_revision(self, code_id: int) -> Any: ...  # code_revisions
        def record_revision(  # code_revisions
            self, code_id: int, *, author: str | None, note: str = "", cosmetic: bool = False,
            force: bool = False,
        ) -> Any: ...
        def _record(self, coder_id: int, kind: str, payload: dict[str, Any]) -> None: ...  # undo
        def _write_paragraph_memo(  # memos
            self, coder_id: int, paragraph_id: int, memo: str | None) -> None: ...
        def status(self, coder_id: int, document_id: int) -> str: ...  # statuses
        def _write_status(self, coder_id: int, document_id: int, status: str) -> None: ...
        def _touch_status(self, paragraph_id: int, coder_id: int) -> None: ...  # statuses

    def __init__(
        self,
        path: str | Path,
        *,
        create: bool = True,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        busy_attempts: int = BUSY_ATTEMPTS,
        backup_before_migration: bool = True,
        allow_triggers: bool = False,
        read_only: bool = False,
    ) -> None:
        """`busy_timeout_ms` and `busy_attempts` bound how long one action waits for another
        writer: the app waits briefly, so a held lock never freezes the screen.
        `backup_before_migration` is off only for scratch copies whose source stays intact;
        `allow_triggers` only for `coder check`, which reports them, and for files only
        read. `read_only` opens the file without ever writing to it (the other copy a merge
        reads); a file that cannot be written is opened so anyway."""
        self.path = Path(path)
        self.backup_before_migration = backup_before_migration
        self.busy_timeout_ms = busy_timeout_ms
        self.busy_attempts = busy_attempts
        if not create and not self.path.exists():
            raise CoderError(
                "no project file here; run `coder import FILE` or `coder demo` to create one",
                path=self.path,
            )
        if self.path.is_dir():
            raise CoderError("is a directory, not a project file", path=self.path)
        # A project on a read-only mount (or without write permission) is opened read-only,
        # so reading commands work on it; a write then fails with a sentence saying why.
        self.read_only = read_only or self.path.exists() and not (
            os.access(self.path, os.W_OK) and os.access(self.path.parent or ".", os.W_OK))
        try:
            conn = _connect(self.path, read_only=self.read_only)
        except sqlite3.DatabaseError as exc:
            raise file_problem(exc, self.path) from None
        conn.row_factory = sqlite3.Row
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            _check_is_project(conn, self.path)
            if not allow_triggers:
                _refuse_triggers(conn, self.path)
            conn.execute("PRAGMA foreign_keys = ON")
            if not self.read_only:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            conn.close()
            if is_file_problem(exc) and not _is_busy(exc):
                raise file_problem(exc, self.path) from None
            raise CoderError(f"not a usable project file: {exc}", path=self.path) from None
        except CoderError:
            conn.close()
            raise
        self.conn = conn
        self.commits = 0  # user actions committed through this object, migrations aside
        try:
            self._migrate()
        except sqlite3.DatabaseError as exc:
            conn.close()
            if _is_busy(exc) or is_file_problem(exc):
                raise
            raise CoderError(
                f"cannot bring the project file up to this coder's format ({exc}); it was "
                "left as it was, and `coder backups` lists the copy taken before trying",
                path=self.path) from None
        self.commits = 0

    def close(self) -> None:
        self.conn.close()

    def is_empty(self) -> bool:
        """No document, code, coder or event yet: a file only just created."""
        return not any(
            self.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()
            for table in ("documents", "codes", "coders", "events")
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @functools.cached_property
    def db(self) -> Any:
        """sqlite-utils' view of the connection, made on first use: importing sqlite-utils also
        imports numpy, and pandas where it is installed, which commands that never use it
        (`coder --help`, `coder documents`, `coder agree`) need not pay for."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    @contextmanager
    def impatient(self, wait_ms: int = 50) -> Iterator[None]:
        """Writes made for the researcher's comfort (reading place, last coder) are tried
        without waiting for another program's lock, so they never freeze the screen; the
        caller keeps them and tries again later instead."""
        self.conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")

    def _tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows as plain tuples, without sqlite3.Row's per-row cost, for reads of many rows."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        try:
            return cursor.execute(sql, params).fetchall()
        finally:
            cursor.close()

    def generation(self) -> str:
        """The token naming what the project's ids mean now (see `GENERATION_SETTING`)."""
        row = self.conn.execute(
            "SELECT value FROM settings WHERE key = ?", (GENERATION_SETTING,)).fetchone()
        return row[0] if row else ""

    def pin_generation(self) -> str:
        """From now on, every write through this store first checks that no other program
        has moved what ids mean since this call: a session holding paragraph and code ids
        in memory pins, so a stale key press is refused instead of saved onto another
        paragraph or a retired code."""
        self.pinned_generation = self.generation()
        return self.pinned_generation

    def bump_generation(self) -> None:
        """Mark, inside the current transaction, that what ids mean has changed."""
        import uuid

        token = uuid.uuid4().hex
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (GENERATION_SETTING, token))
        if self.pinned_generation is not None:
            # this store's own change (an undo bringing a code back): its caller reloads
            self.pinned_generation = token

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One user action: all of it lands, or none of it does."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self._begin()
        if self.pinned_generation is not None and self.generation() != self.pinned_generation:
            self.conn.execute("ROLLBACK")
            raise ProjectChanged(
                "not saved: another program changed the project while it was open "
                "(a restore, a codebook change, a merge or a re-import)", path=self.path)
        try:
            yield self.conn
        except BaseException:
            # SQLite has already rolled back after some errors (a full disk): a second
            # rollback would fail and hide the real error behind "no transaction is active".
            if self.conn.in_transaction:
                with suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error:
                if self.conn.in_transaction:
                    with suppress(sqlite3.Error):
                        self.conn.execute("ROLLBACK")
                raise
            self.commits += 1

    def _begin(self) -> None:
        """Take the write lock, waiting for another coder's action to finish.

        `BEGIN IMMEDIATE` takes the lock up front, so a transaction never fails half way
        because someone else wrote meanwhile; the busy timeout makes it queue. If the file
        stays locked for longer than any single action takes (another program holding it),
        the user gets a sentence saying nothing was saved, never SQLite's own message.
        """
        for _ in range(self.busy_attempts):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
        raise CoderError(
            f"the project file stayed busy for "
            f"{self.busy_attempts * self.busy_timeout_ms / 1000:g} s "
            "(another program is holding it open for writing); nothing was saved, try again",
            path=self.path,
        )
