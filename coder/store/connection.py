"""Opening a project file, refusing what is not one, and one transaction per user action."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from ..errors import CoderError
from ..models import Document

DEFAULT_DB = "coder.db"
BUSY_TIMEOUT_MS = 10_000
BUSY_ATTEMPTS = 3


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

    if TYPE_CHECKING:
        def _migrate(self) -> None: ...  # schema
        def auto_backup(self, reason: str) -> Path: ...  # backups
        def log_event(self, kind: str, detail: dict[str, Any]) -> None: ...  # events
        def documents(  # documents
            self, *, include_superseded: bool = False) -> list[Document]: ...
        def coder_id(self, name: str, *, create: bool = True) -> int: ...  # coders
        def _surviving_code_id(self, code_id: int) -> int: ...  # codes
        def unretire_codes_in_use(self, reason: str) -> list[str]: ...  # codes
        def _live_segment(  # segments
            self, paragraph_id: int, code_id: int, coder_id: int, start: int | None,
            end: int | None,
        ) -> sqlite3.Row | None: ...
        def _revive_segment(self, segment_id: int, stamp: str) -> bool: ...  # segments
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
    ) -> None:
        """`busy_timeout_ms` and `busy_attempts` bound how long one action waits for another
        writer: the app waits briefly, so a held lock never freezes the screen."""
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self.busy_attempts = busy_attempts
        if not create and not self.path.exists():
            raise CoderError(
                "no project file here; run `coder import FILE` or `coder demo` to create one",
                path=self.path,
            )
        if self.path.is_dir():
            raise CoderError("is a directory, not a project file", path=self.path)
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.OperationalError as exc:
            raise CoderError(f"cannot open project file: {exc}", path=self.path) from None
        conn.row_factory = sqlite3.Row
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            _check_is_project(conn, self.path)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise CoderError(f"not a usable project file: {exc}", path=self.path) from None
        except CoderError:
            conn.close()
            raise
        self.conn = conn
        self._migrate()

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

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One user action: all of it lands, or none of it does."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self._begin()
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

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
