"""The project file: schema, migrations and every SQL statement of `coder`.

One SQLite file per project, readable by any SQLite tool. Each user action runs in one
`BEGIN IMMEDIATE` transaction, so a crash loses at most the action in flight and two coders
writing the same file queue behind the busy timeout instead of failing. Segments are never
hard-deleted: removing a coding stamps `deleted_at`, which is also what makes undo and redo
exact and lets an audit see everything a coder ever did.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import CoderError
from .models import Code, Document, Paragraph, ParsedDocument, Segment

DEFAULT_DB = "coder.db"
BUSY_TIMEOUT_MS = 10_000
BUSY_ATTEMPTS = 3
GUID_NAMESPACE = uuid.UUID("5f0c1d2e-8b7a-4c3d-9e6f-0a1b2c3d4e5f")
STATUSES = ("not started", "in progress", "done")


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def stable_guid(kind: str, key: str) -> str:
    """GUIDs derived from identity, so two copies of a project name a code or coder alike."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}")).upper()


def text_hash(texts: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for t in texts:
        digest.update(t.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


# -- schema ------------------------------------------------------------------------------

_V1 = """
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    source_path TEXT,
    content_hash TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    format TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    imported_at TEXT NOT NULL
);
CREATE TABLE paragraphs (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    n INTEGER NOT NULL,
    kind TEXT NOT NULL DEFAULT 'text',
    speaker TEXT,
    text TEXT NOT NULL,
    start_time REAL,
    end_time REAL,
    meta TEXT,
    UNIQUE (document_id, n)
);
CREATE TABLE codes (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    parent_id INTEGER REFERENCES codes(id),
    position INTEGER NOT NULL DEFAULT 0,
    color TEXT,
    shortcut TEXT,
    definition TEXT NOT NULL DEFAULT '',
    when_to_use TEXT NOT NULL DEFAULT '',
    when_not_to_use TEXT NOT NULL DEFAULT '',
    example TEXT NOT NULL DEFAULT '',
    guid TEXT NOT NULL UNIQUE,
    retired_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE coders (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    guid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    paragraph_id INTEGER NOT NULL REFERENCES paragraphs(id),
    code_id INTEGER NOT NULL REFERENCES codes(id),
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    start INTEGER,
    "end" INTEGER,
    memo TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    CHECK ((start IS NULL AND "end" IS NULL) OR (start >= 0 AND "end" > start))
);
CREATE UNIQUE INDEX segments_live ON segments (
    paragraph_id, code_id, coder_id, coalesce(start, -1), coalesce("end", -1)
) WHERE deleted_at IS NULL;
CREATE INDEX segments_by_coder ON segments (coder_id, code_id);
CREATE INDEX segments_by_code ON segments (code_id);
CREATE TABLE paragraph_memos (
    paragraph_id INTEGER NOT NULL REFERENCES paragraphs(id),
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    memo TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (paragraph_id, coder_id)
);
CREATE TABLE document_status (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    status TEXT NOT NULL CHECK (status IN ('not started', 'in progress', 'done')),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (document_id, coder_id)
);
CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('done', 'undone', 'discarded'))
);
CREATE INDEX actions_by_coder ON actions (coder_id, state, id);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE VIEW coded_text AS
SELECT
    d.name AS document,
    p.n AS paragraph,
    p.speaker AS speaker,
    cr.name AS coder,
    c.key AS code_key,
    c.name AS code,
    s.start AS start,
    s."end" AS "end",
    CASE WHEN s.start IS NULL THEN p.text
         ELSE substr(p.text, s.start + 1, s."end" - s.start) END AS quote,
    s.memo AS memo,
    s.created_at AS coded_at
FROM segments s
JOIN paragraphs p ON p.id = s.paragraph_id
JOIN documents d ON d.id = p.document_id
JOIN codes c ON c.id = s.code_id
JOIN coders cr ON cr.id = s.coder_id
WHERE s.deleted_at IS NULL
ORDER BY d.name, p.n, cr.name, c.position;
"""

# Version 2: corrected transcripts keep their older versions (superseded, hidden from lists,
# their codings intact), and codebook revisions leave a trail: renamed keys stay resolvable
# through `code_aliases`, a merged code points at the code that took its segments.
_V2 = """
ALTER TABLE documents ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE documents ADD COLUMN superseded_by INTEGER REFERENCES documents(id);
ALTER TABLE documents ADD COLUMN superseded_at TEXT;
CREATE INDEX documents_by_successor ON documents (superseded_by);
ALTER TABLE codes ADD COLUMN merged_into INTEGER REFERENCES codes(id);
CREATE TABLE code_aliases (
    key TEXT PRIMARY KEY,
    code_id INTEGER NOT NULL REFERENCES codes(id),
    at TEXT NOT NULL
);
DROP VIEW coded_text;
CREATE VIEW coded_text AS
SELECT
    d.name AS document,
    p.n AS paragraph,
    p.speaker AS speaker,
    cr.name AS coder,
    c.key AS code_key,
    c.name AS code,
    s.start AS start,
    s."end" AS "end",
    CASE WHEN s.start IS NULL THEN p.text
         ELSE substr(p.text, s.start + 1, s."end" - s.start) END AS quote,
    s.memo AS memo,
    s.created_at AS coded_at
FROM segments s
JOIN paragraphs p ON p.id = s.paragraph_id
JOIN documents d ON d.id = p.document_id
JOIN codes c ON c.id = s.code_id
JOIN coders cr ON cr.id = s.coder_id
WHERE s.deleted_at IS NULL AND d.superseded_by IS NULL
ORDER BY d.name, p.n, cr.name, c.position;
"""

MIGRATIONS: list[str] = [_V1, _V2]
SCHEMA_VERSION = len(MIGRATIONS)


# -- rows --------------------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentSummary:
    """A document with one coder's progress in it, as the document lists show it."""

    document: Document
    coder: str | None
    status: str
    segments: int
    paragraphs_coded: int


@dataclass(frozen=True)
class SegmentRow:
    """A live segment with everything a reader of quotes needs, for exports and agreement."""

    segment_id: int
    guid: str
    document_id: int
    document: str
    paragraph_id: int
    n: int
    kind: str
    speaker: str | None
    paragraph_text: str
    coder: str
    code_key: str
    code_name: str
    start: int | None
    end: int | None
    memo: str | None
    created_at: str

    @property
    def quote(self) -> str:
        if self.start is None:
            return self.paragraph_text
        return self.paragraph_text[self.start : self.end]


@dataclass(frozen=True)
class DocumentVersion:
    """One version of a re-imported transcript; `superseded_by` is None for the current one."""

    document: Document
    version: int
    superseded_by: int | None
    superseded_at: str | None


@dataclass
class _CodePlan:
    """What a codebook would change, worked out before anything is written."""

    renames: dict[str, str] = field(default_factory=dict)
    merges: dict[str, str] = field(default_factory=dict)
    dropped: list[sqlite3.Row] = field(default_factory=list)
    report: dict[str, list[str]] = field(default_factory=lambda: {
        "added": [], "updated": [], "renamed": [], "reparented": [], "merged": [], "retired": [],
        "changed": [],
    })

    def changes_existing(self) -> bool:
        return any(v for k, v in self.report.items() if k != "added")


@dataclass(frozen=True)
class ToggleResult:
    added: bool
    segment_id: int


def _document(row: sqlite3.Row) -> Document:
    return Document(
        id=row["id"],
        name=row["name"],
        source_path=row["source_path"],
        content_hash=row["content_hash"],
        format=row["format"],
        n_paragraphs=row["n_paragraphs"],
        meta=json.loads(row["meta"] or "{}"),
    )


def _paragraph(row: sqlite3.Row) -> Paragraph:
    return Paragraph(
        id=row["id"],
        document_id=row["document_id"],
        n=row["n"],
        kind=row["kind"],
        speaker=row["speaker"],
        text=row["text"],
        start_time=row["start_time"],
    )


def _segment(row: sqlite3.Row) -> Segment:
    return Segment(
        id=row["id"],
        paragraph_id=row["paragraph_id"],
        code_id=row["code_id"],
        coder_id=row["coder_id"],
        start=row["start"],
        end=row["end"],
        memo=row["memo"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


_DOCUMENT_SELECT = """
SELECT d.*, (SELECT count(*) FROM paragraphs p WHERE p.document_id = d.id) AS n_paragraphs
FROM documents d
"""

_SEGMENT_ROW_SELECT = """
SELECT s.id AS segment_id, s.guid, d.id AS document_id, d.name AS document,
       p.id AS paragraph_id, p.n, p.kind, p.speaker, p.text AS paragraph_text,
       cr.name AS coder, c.key AS code_key, c.name AS code_name,
       s.start, s."end" AS "end", s.memo, s.created_at
FROM segments s
JOIN paragraphs p ON p.id = s.paragraph_id
JOIN documents d ON d.id = p.document_id
JOIN codes c ON c.id = s.code_id
JOIN coders cr ON cr.id = s.coder_id
WHERE s.deleted_at IS NULL AND d.superseded_by IS NULL
"""


class Store:
    """An open project file. Cheap to create; one per thread."""

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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions and migrations -----------------------------------------------------

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

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        current = self.schema_version
        if current > SCHEMA_VERSION:
            raise CoderError(
                f"project file is from a newer coder (schema {current}, this one knows "
                f"{SCHEMA_VERSION}); upgrade coder",
                path=self.path,
            )
        if current == SCHEMA_VERSION:
            return
        if current > 0:
            self.auto_backup(f"before-migration-{current}")
        with self.transaction() as conn:
            # Another process may have migrated while this one waited for the lock.
            current = self.schema_version
            for version in range(current, SCHEMA_VERSION):
                for statement in MIGRATIONS[version].split(";\n"):
                    if statement.strip():
                        conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- backups and checks --------------------------------------------------------------

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
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
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
            self.log_event("restore", {"from": str(source), "previous state saved in": str(saved)})
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

    # -- history -------------------------------------------------------------------------

    def log_event(self, kind: str, detail: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT INTO events (at, kind, detail) VALUES (?, ?, ?)",
            (now(), kind, json.dumps(detail, ensure_ascii=False)),
        )

    def events(self, kind: str | None = None, *, limit: int | None = None) -> list[dict[str, Any]]:
        """Project-level events (imports, codebook changes, merges, re-imports), oldest first;
        with `limit`, the latest that many."""
        sql = "SELECT id, at, kind, detail FROM events"
        params: list[Any] = []
        if kind:
            sql += " WHERE kind = ?"
            params.append(kind)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self.conn.execute(sql, params).fetchall()
        return [{"at": r["at"], "kind": r["kind"], **json.loads(r["detail"])}
                for r in reversed(rows)]

    # -- settings ------------------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- documents and paragraphs --------------------------------------------------------

    def add_document(
        self, name: str, parsed: ParsedDocument, *, source_path: str | None, content_hash: str
    ) -> Document:
        texts = [p.text for p in parsed.paragraphs]
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO documents (name, source_path, content_hash, text_hash, format, meta,"
                " imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    name,
                    source_path,
                    content_hash,
                    text_hash(texts),
                    parsed.format,
                    json.dumps(parsed.meta, ensure_ascii=False),
                    now(),
                ),
            )
            doc_id = cur.lastrowid
            self._insert_paragraphs(doc_id, parsed)
            self.log_event(
                "import",
                {"document": name, "source": source_path, "paragraphs": len(texts)},
            )
        return self.document(doc_id)

    def set_document_title(self, document_id: int, title: str) -> Document:
        """Give a document the title write-ups cite it by; a re-import keeps it."""
        title = " ".join(title.split())
        if not title:
            raise CoderError("a title cannot be empty")
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT name, meta FROM documents WHERE id = ?", (document_id,)
            ).fetchone()
            if row is None:
                raise CoderError(f"no document with id {document_id}")
            meta = json.loads(row["meta"] or "{}")
            before = meta.get("title")
            meta["title"] = title
            meta["title_set_by_user"] = True
            conn.execute("UPDATE documents SET meta = ? WHERE id = ?",
                         (json.dumps(meta, ensure_ascii=False), document_id))
            self.log_event("document title",
                           {"document": row["name"], "before": before, "after": title})
        return self.document(document_id)

    def _insert_paragraphs(self, document_id: int, parsed: ParsedDocument) -> None:
        """One executemany for the document; the meta encoder is made once, not per paragraph
        as `json.dumps(..., ensure_ascii=False)` would."""
        encode = json.JSONEncoder(ensure_ascii=False).encode
        self.conn.executemany(
            "INSERT INTO paragraphs (document_id, n, kind, speaker, text, start_time,"
            " end_time, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    document_id,
                    n,
                    p.kind,
                    p.speaker,
                    p.text,
                    p.start_time,
                    p.end_time,
                    encode(p.meta) if p.meta else None,
                )
                for n, p in enumerate(parsed.paragraphs, start=1)
            ),
        )

    def documents(self, *, include_superseded: bool = False) -> list[Document]:
        """The documents being coded; older versions of re-imported transcripts only on request."""
        where = "" if include_superseded else " WHERE d.superseded_by IS NULL"
        rows = self.conn.execute(_DOCUMENT_SELECT + where + " ORDER BY d.id").fetchall()
        return [_document(r) for r in rows]

    def document(self, ref: int | str) -> Document:
        """A document by id, by exact name, or by unambiguous name prefix."""
        if isinstance(ref, int):
            row = self.conn.execute(_DOCUMENT_SELECT + " WHERE d.id = ?", (ref,)).fetchone()
        else:
            row = self.conn.execute(_DOCUMENT_SELECT + " WHERE d.name = ?", (ref,)).fetchone()
            if row is None:
                rows = self.conn.execute(
                    _DOCUMENT_SELECT + " WHERE d.name LIKE ? ESCAPE '\\'"
                    " AND d.superseded_by IS NULL ORDER BY d.name",
                    (_like_prefix(ref),),
                ).fetchall()
                if len(rows) > 1:
                    names = ", ".join(r["name"] for r in rows)
                    raise CoderError(f"document {ref!r} is ambiguous: {names}")
                row = rows[0] if rows else None
        if row is None:
            known = ", ".join(d.name for d in self.documents()) or "none imported yet"
            raise CoderError(f"no document {ref!r} (documents: {known})")
        return _document(row)

    def find_document_by_hash(self, content_hash: str) -> Document | None:
        """The current document imported from exactly these bytes, if any."""
        row = self.conn.execute(
            _DOCUMENT_SELECT + " WHERE d.content_hash = ? AND d.superseded_by IS NULL",
            (content_hash,),
        ).fetchone()
        return _document(row) if row else None

    def find_document_by_text_hash(
        self, digest: str, *, include_superseded: bool = False
    ) -> Document | None:
        """A document with exactly these paragraphs. With `include_superseded`, an older
        version matches too (the current one first), so codings from a copy made before a
        re-import can land on the text they were made on and be carried forward."""
        where = "" if include_superseded else " AND d.superseded_by IS NULL"
        row = self.conn.execute(
            _DOCUMENT_SELECT + " WHERE d.text_hash = ?" + where
            + " ORDER BY d.superseded_by IS NOT NULL, d.id",
            (digest,),
        ).fetchone()
        return _document(row) if row else None

    def versions(self, document_id: int) -> list[DocumentVersion]:
        """Every version of a document, oldest first, the current one last."""
        current = self.current_version(document_id)
        rows = self.conn.execute(
            _DOCUMENT_SELECT + " WHERE d.id = ? OR d.superseded_by = ? ORDER BY d.version, d.id",
            (current.id, current.id),
        ).fetchall()
        return [
            DocumentVersion(_document(r), r["version"], r["superseded_by"], r["superseded_at"])
            for r in rows
        ]

    def current_version(self, document_id: int) -> Document:
        """The document a (possibly superseded) version now lives on as."""
        row = self.conn.execute(
            "SELECT superseded_by FROM documents WHERE id = ?", (document_id,)
        ).fetchone()
        if row is None:
            raise CoderError(f"no document with id {document_id}")
        return self.document(row["superseded_by"] or document_id)

    def replace_document(
        self, document_id: int, parsed: ParsedDocument, *, source_path: str | None,
        content_hash: str,
    ) -> Document:
        """Give a document corrected text, keeping the old text as a superseded version.

        The document keeps its id, name and per-coder status; its old paragraphs, with every
        segment and memo on them untouched, move to a new hidden document row named after the
        version. Undo entries that point into the old version are retired, so an undo after a
        re-import never reaches into text the coder can no longer see. Returns the superseded
        version; carrying codings over is the caller's job (see `coder.revisions`).
        """
        texts = [p.text for p in parsed.paragraphs]
        with self.transaction() as conn:
            row = conn.execute("SELECT * FROM documents WHERE id = ?", (document_id,)).fetchone()
            if row is None:
                raise CoderError(f"no document with id {document_id}")
            if row["superseded_by"] is not None:
                raise CoderError(f"{row['name']!r} is an older version; replace the current one")
            old_name = f"{row['name']} (v{row['version']})"
            suffix = 2
            while conn.execute("SELECT 1 FROM documents WHERE name = ?", (old_name,)).fetchone():
                old_name = f"{row['name']} (v{row['version']}-{suffix})"
                suffix += 1
            stamp = now()
            cur = conn.execute(
                "INSERT INTO documents (name, source_path, content_hash, text_hash, format, meta,"
                " imported_at, version, superseded_by, superseded_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (old_name, row["source_path"], row["content_hash"], row["text_hash"],
                 row["format"], row["meta"], row["imported_at"], row["version"], document_id,
                 stamp),
            )
            old_id = cur.lastrowid
            conn.execute(
                "UPDATE paragraphs SET document_id = ? WHERE document_id = ?", (old_id, document_id)
            )
            conn.execute(
                "UPDATE actions SET state = 'discarded' WHERE state != 'discarded' AND ("
                " json_extract(payload, '$.segment') IN (SELECT s.id FROM segments s"
                "   JOIN paragraphs p ON p.id = s.paragraph_id WHERE p.document_id = :old)"
                " OR json_extract(payload, '$.paragraph') IN"
                "   (SELECT id FROM paragraphs WHERE document_id = :old))",
                {"old": old_id},
            )
            meta = dict(parsed.meta)
            old_meta = json.loads(row["meta"] or "{}")
            if old_meta.get("title_set_by_user"):
                meta["title"] = old_meta["title"]
                meta["title_set_by_user"] = True
            conn.execute(
                "UPDATE documents SET source_path = ?, content_hash = ?, text_hash = ?, format = ?,"
                " meta = ?, imported_at = ?, version = version + 1 WHERE id = ?",
                (source_path, content_hash, text_hash(texts), parsed.format,
                 json.dumps(meta, ensure_ascii=False), stamp, document_id),
            )
            self._insert_paragraphs(document_id, parsed)
        return self.document(old_id)

    def document_segments(self, document_id: int) -> list[dict[str, Any]]:
        """Every live segment on one document (any version), with its GUID: what a re-import
        carries over."""
        rows = self.conn.execute(
            "SELECT s.* FROM segments s JOIN paragraphs p ON p.id = s.paragraph_id"
            " WHERE p.document_id = ? AND s.deleted_at IS NULL ORDER BY p.n, s.start, s.id",
            (document_id,),
        ).fetchall()
        return [dict(r) for r in rows]

    def document_paragraph_memos(self, document_id: int) -> list[tuple[int, int, str]]:
        """(paragraph_id, coder_id, memo) for every coder's paragraph memos on a document."""
        rows = self.conn.execute(
            "SELECT m.paragraph_id, m.coder_id, m.memo FROM paragraph_memos m"
            " JOIN paragraphs p ON p.id = m.paragraph_id WHERE p.document_id = ?",
            (document_id,),
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def paragraphs(self, document_id: int) -> list[Paragraph]:
        rows = self.conn.execute(
            "SELECT * FROM paragraphs WHERE document_id = ? ORDER BY n", (document_id,)
        ).fetchall()
        return [_paragraph(r) for r in rows]

    def paragraph(self, paragraph_id: int) -> Paragraph:
        row = self.conn.execute("SELECT * FROM paragraphs WHERE id = ?", (paragraph_id,)).fetchone()
        if row is None:
            raise CoderError(f"no paragraph with id {paragraph_id}")
        return _paragraph(row)

    def paragraph_at(self, document_id: int, n: int) -> Paragraph | None:
        row = self.conn.execute(
            "SELECT * FROM paragraphs WHERE document_id = ? AND n = ?", (document_id, n)
        ).fetchone()
        return _paragraph(row) if row else None

    def search(self, query: str, *, limit: int | None = 500,
               after: tuple[int, int] | None = None) -> list[tuple[Document, Paragraph]]:
        """Substring search over every paragraph, in reading order (document, then ¶ number).

        Case is folded in Python (`str.casefold`), as SQLite's lower() folds only ASCII and
        "élodie" would miss "Élodie". `after=(document_id, n)` starts after that paragraph, so
        a caller can step through any number of hits a few at a time.
        """
        self.conn.create_function("casefold", 1, lambda s: s.casefold() if s else s,
                                  deterministic=True)
        where = "d.superseded_by IS NULL AND instr(casefold(p.text), ?) > 0"
        params: list[Any] = [query.casefold()]
        if after is not None:
            where += " AND (p.document_id, p.n) > (?, ?)"
            params.extend(after)
        rows = self.conn.execute(
            "SELECT p.* FROM paragraphs p JOIN documents d ON d.id = p.document_id"
            f" WHERE {where} ORDER BY p.document_id, p.n LIMIT ?",
            (*params, -1 if limit is None else limit),
        ).fetchall()
        docs = {d.id: d for d in self.documents()}
        return [(docs[r["document_id"]], _paragraph(r)) for r in rows]

    # -- coders --------------------------------------------------------------------------

    def coder_id(self, name: str, *, create: bool = True) -> int:
        name = name.strip()
        if not name:
            raise CoderError("a coder needs a name")
        row = self.conn.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
        if row:
            return row["id"]
        if not create:
            known = ", ".join(self.coders()) or "none yet"
            raise CoderError(f"no coder {name!r} in this project (coders: {known})")
        with self.transaction() as conn:
            # Two processes may introduce the same coder at once; the second finds the first's.
            conn.execute(
                "INSERT INTO coders (name, guid, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT(name) DO NOTHING",
                (name, stable_guid("coder", name), now()),
            )
            return conn.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()["id"]

    def coders(self) -> list[str]:
        return [r["name"] for r in self.conn.execute("SELECT name FROM coders ORDER BY id")]

    def coder_names(self) -> dict[int, str]:
        return {r["id"]: r["name"] for r in self.conn.execute("SELECT id, name FROM coders")}

    def coder_guids(self) -> dict[str, str]:
        return {r["name"]: r["guid"] for r in self.conn.execute("SELECT name, guid FROM coders")}

    # -- codes ---------------------------------------------------------------------------

    def codes(self, *, include_retired: bool = False) -> list[Code]:
        rows = self.conn.execute(
            "SELECT * FROM codes" + ("" if include_retired else " WHERE retired_at IS NULL")
            + " ORDER BY position, id"
        ).fetchall()
        by_id = {r["id"]: r for r in rows}

        def path(r: sqlite3.Row) -> str:
            parts = [r["name"]]
            seen = {r["id"]}
            while r["parent_id"] in by_id and r["parent_id"] not in seen:
                r = by_id[r["parent_id"]]
                seen.add(r["id"])
                parts.append(r["name"])
            return "/".join(reversed(parts))

        return [
            Code(
                id=r["id"],
                key=r["key"],
                name=r["name"],
                parent_id=r["parent_id"],
                path=path(r),
                color=r["color"],
                shortcut=r["shortcut"],
                definition=r["definition"],
                when_to_use=r["when_to_use"],
                when_not_to_use=r["when_not_to_use"],
                example=r["example"],
                position=r["position"],
                guid=r["guid"],
            )
            for r in rows
        ]

    def code(self, key: str) -> Code:
        for code in self.codes(include_retired=True):
            if code.key == key:
                return code
        raise CoderError(f"no code with key {key!r} in this project")

    def segment_counts_by_code(self, coder_id: int | None = None) -> dict[int, int]:
        sql = "SELECT code_id, count(*) AS n FROM segments WHERE deleted_at IS NULL"
        params: tuple[Any, ...] = ()
        if coder_id is not None:
            sql += " AND coder_id = ?"
            params = (coder_id,)
        rows = self.conn.execute(sql + " GROUP BY code_id", params).fetchall()
        return {r["code_id"]: r["n"] for r in rows}

    def resolve_code(self, key: str) -> Code | None:
        """The code a key means today: itself, the code it was renamed to, or the code it was
        merged into. Lets codings made against an older codebook find their code."""
        row = self.conn.execute("SELECT id FROM codes WHERE key = ?", (key,)).fetchone()
        if row is None:
            row = self.conn.execute(
                "SELECT code_id AS id FROM code_aliases WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        code_id = self._surviving_code_id(row["id"])
        return next(c for c in self.codes(include_retired=True) if c.id == code_id)

    def code_key_map(self) -> dict[str, int]:
        """Every key a code ever had (current, renamed from, merged away) to today's code id."""
        out = {r["key"]: r["code_id"] for r in self.conn.execute("SELECT * FROM code_aliases")}
        for r in self.conn.execute("SELECT id, key FROM codes"):
            out[r["key"]] = r["id"]
        return {k: self._surviving_code_id(v) for k, v in out.items()}

    def _surviving_code_id(self, code_id: int) -> int:
        seen = {code_id}
        while True:
            row = self.conn.execute(
                "SELECT merged_into FROM codes WHERE id = ?", (code_id,)
            ).fetchone()
            if row is None or row["merged_into"] is None or row["merged_into"] in seen:
                return code_id
            code_id = row["merged_into"]
            seen.add(code_id)

    def sync_codes(
        self, codes: Sequence[dict[str, Any]], *, moves: dict[str, str] | None = None
    ) -> dict[str, list[str]]:
        """Make the project's codes match a codebook, keyed by stable key.

        Each dict has `key`, `name`, `parent_key` and the descriptive fields, plus an optional
        `renamed_from` list. A code listed in `renamed_from` that the codebook no longer has is
        renamed (same row, so its segments stay) or, when the new key already exists, merged:
        its segments move to the new code and it is retired pointing there. `moves` does the
        same for a dropped code the user names (`old key -> target key`). Other dropped codes
        are retired, never deleted; one that live segments still use is refused before
        anything is written. Anything beyond adding codes is preceded by an automatic backup
        and recorded in the events log.
        """
        plan = self._plan_codes(codes, moves or {})
        backup = self.auto_backup("before-codebook-change") if plan.changes_existing() else None
        with self.transaction():
            plan = self._plan_codes(codes, moves or {})  # again, under the write lock
            self._apply_code_plan(codes, plan)
            if any(plan.report.values()):
                detail: dict[str, Any] = {k: v for k, v in plan.report.items() if v}
                if detail.get("changed"):
                    detail["updated"] = detail.pop("changed")
                if backup:
                    detail["backup"] = str(backup)
                self.log_event("codebook", detail)
        return plan.report

    def _plan_codes(self, codes: Sequence[dict[str, Any]], moves: dict[str, str]) -> _CodePlan:
        existing = {r["key"]: r for r in self.conn.execute("SELECT * FROM codes").fetchall()}
        key_of = {r["id"]: k for k, r in existing.items()}
        wanted = [c["key"] for c in codes]
        wanted_set = set(wanted)
        if len(wanted_set) != len(wanted):
            dup = sorted({k for k in wanted if wanted.count(k) > 1})
            raise CoderError(f"the codebook has the key(s) {', '.join(dup)} more than once")
        plan = _CodePlan()
        for c in codes:
            for old in c.get("renamed_from") or ():
                if old == c["key"] or old in wanted_set or old not in existing:
                    continue
                if existing[old]["merged_into"] is not None:
                    continue
                if old in plan.renames or old in plan.merges:
                    continue
                if c["key"] not in existing and c["key"] not in plan.renames.values():
                    plan.renames[old] = c["key"]
                else:
                    plan.merges[old] = c["key"]
        aliases = {r["key"]: r["code_id"] for r in self.conn.execute("SELECT * FROM code_aliases")}
        for old, target in moves.items():
            if old not in existing:
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
            plan.merges[old] = target
        counts = self._segment_counts_all()
        plan.dropped = [
            r for key, r in existing.items()
            if key not in wanted_set and key not in plan.renames and key not in plan.merges
            and r["retired_at"] is None
        ]
        in_use = [(r, counts.get(r["id"], 0)) for r in plan.dropped if counts.get(r["id"], 0)]
        if in_use:
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
        new_key = {old: new for old, new in plan.renames.items()}
        fields = ("name", "color", "shortcut", "definition", "when_to_use", "when_not_to_use",
                  "example")
        report = plan.report
        for old, new in plan.renames.items():
            report["renamed"].append(f"{old} -> {new}")
        by_new_key = {new_key.get(k, k): r for k, r in existing.items()}
        for c in codes:
            row = by_new_key.get(c["key"])
            if row is None:
                report["added"].append(c["key"])
                continue
            differs = [f for f in fields if (row[f] or "") != (c.get(f) or "")]
            if row["retired_at"] is not None or differs:
                report["updated"].append(c["key"])
                report["changed"].append(f"{c['key']}: " + _describe_change(row, c, differs))
            old_parent = key_of.get(row["parent_id"]) if row["parent_id"] else None
            old_parent = new_key.get(old_parent, old_parent) if old_parent else None
            if (old_parent or None) != (c.get("parent_key") or None):
                report["reparented"].append(
                    f"{c['key']}: {old_parent or '(top level)'} -> "
                    f"{c.get('parent_key') or '(top level)'}"
                )
        for old, target in plan.merges.items():
            n = counts.get(existing[old]["id"], 0)
            report["merged"].append(f"{old} -> {target} ({n} segment{'s' if n != 1 else ''})")
        report["retired"].extend(r["key"] for r in plan.dropped)
        return plan

    def _segment_counts_all(self) -> dict[int, int]:
        """Live segments per code on every version of every document: a code used only in an
        older version of a transcript is still in use."""
        rows = self.conn.execute(
            "SELECT code_id, count(*) AS n FROM segments WHERE deleted_at IS NULL GROUP BY code_id"
        ).fetchall()
        return {r["code_id"]: r["n"] for r in rows}

    def _apply_code_plan(self, codes: Sequence[dict[str, Any]], plan: _CodePlan) -> None:
        conn = self.conn
        stamp = now()
        for old, new in plan.renames.items():
            code_id = conn.execute("SELECT id FROM codes WHERE key = ?", (old,)).fetchone()["id"]
            conn.execute("DELETE FROM code_aliases WHERE key = ?", (new,))
            conn.execute("UPDATE codes SET key = ?, updated_at = ? WHERE id = ?",
                         (new, stamp, code_id))
            conn.execute(
                "INSERT INTO code_aliases (key, code_id, at) VALUES (?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET code_id = excluded.code_id, at = excluded.at",
                (old, code_id, stamp),
            )
        # Shortcuts are unique per codebook, so clear them first to allow swaps.
        conn.execute("UPDATE codes SET shortcut = NULL")
        ids = {r["key"]: r["id"] for r in conn.execute("SELECT id, key FROM codes")}
        for position, c in enumerate(codes):
            values = {
                "name": c.get("name") or "",
                "color": c.get("color"),
                "shortcut": c.get("shortcut"),
                "definition": c.get("definition") or "",
                "when_to_use": c.get("when_to_use") or "",
                "when_not_to_use": c.get("when_not_to_use") or "",
                "example": c.get("example") or "",
                "position": position,
                "stamp": stamp,
                "key": c["key"],
            }
            if c["key"] in ids:
                conn.execute(
                    "UPDATE codes SET name=:name, color=:color, shortcut=:shortcut,"
                    " definition=:definition, when_to_use=:when_to_use,"
                    " when_not_to_use=:when_not_to_use, example=:example, position=:position,"
                    " retired_at=NULL, merged_into=NULL, updated_at=:stamp WHERE key=:key",
                    values,
                )
            else:
                cur = conn.execute(
                    "INSERT INTO codes (key, name, color, shortcut, definition, when_to_use,"
                    " when_not_to_use, example, position, guid, created_at, updated_at)"
                    " VALUES (:key, :name, :color, :shortcut, :definition, :when_to_use,"
                    " :when_not_to_use, :example, :position, :guid, :stamp, :stamp)",
                    {**values, "guid": c.get("guid") or self._new_code_guid(c["key"])},
                )
                ids[c["key"]] = cur.lastrowid
                conn.execute("DELETE FROM code_aliases WHERE key = ?", (c["key"],))
        for c in codes:
            parent = ids.get(c.get("parent_key")) if c.get("parent_key") else None
            conn.execute("UPDATE codes SET parent_id = ? WHERE key = ?", (parent, c["key"]))
        for old, target in plan.merges.items():
            self._merge_code(ids[old], ids[target], stamp)
        for r in plan.dropped:
            conn.execute(
                "UPDATE codes SET retired_at = ?, shortcut = NULL WHERE id = ?", (stamp, r["id"])
            )

    def _merge_code(self, from_id: int, to_id: int, stamp: str) -> None:
        """Move every live segment of one code to another and retire the first.

        A coder who had already applied both codes to the same text keeps one segment: the
        duplicate is soft-deleted (still in the file) and its memo joins the survivor's.
        """
        conn = self.conn
        rows = conn.execute(
            "SELECT * FROM segments WHERE code_id = ? AND deleted_at IS NULL", (from_id,)
        ).fetchall()
        for r in rows:
            clash = self._live_segment(r["paragraph_id"], to_id, r["coder_id"], r["start"], r["end"])
            if clash is None:
                # updated_at stays: it dates the coder's own last change, which a merge
                # compares with another copy's (a memo edited there after this must win).
                conn.execute("UPDATE segments SET code_id = ? WHERE id = ?", (to_id, r["id"]))
                continue
            if r["memo"]:
                kept = conn.execute("SELECT memo FROM segments WHERE id = ?", (clash["id"],))
                memo = kept.fetchone()["memo"]
                if memo != r["memo"]:
                    conn.execute(
                        "UPDATE segments SET memo = ?, updated_at = ? WHERE id = ?",
                        ("\n\n".join(m for m in (memo, r["memo"]) if m), stamp, clash["id"]),
                    )
            conn.execute(
                "UPDATE segments SET deleted_at = ?, updated_at = ? WHERE id = ?",
                (stamp, stamp, r["id"]),
            )
        conn.execute(
            "UPDATE codes SET retired_at = ?, merged_into = ?, shortcut = NULL, updated_at = ?"
            " WHERE id = ?",
            (stamp, to_id, stamp, from_id),
        )
        conn.execute(
            "UPDATE code_aliases SET code_id = ? WHERE code_id = ?", (to_id, from_id)
        )

    def _new_code_guid(self, key: str) -> str:
        """The GUID a new code is born with: derived from its key, so two copies of a project
        that load one codebook agree; a fresh one when a renamed code still carries it (the key
        was `a`, renamed to `x`, and a new code `a` arrives)."""
        guid = stable_guid("code", key)
        if self.conn.execute("SELECT 1 FROM codes WHERE guid = ?", (guid,)).fetchone():
            return str(uuid.uuid4()).upper()
        return guid

    def add_code(
        self,
        key: str,
        name: str,
        *,
        parent_key: str | None = None,
        color: str | None = None,
        shortcut: str | None = None,
        definition: str = "",
    ) -> Code:
        """A code created while coding, appended after its siblings."""
        stamp = now()
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM codes WHERE key = ?", (key,)).fetchone():
                raise CoderError(f"a code with key {key!r} already exists")
            parent_id = self.code(parent_key).id if parent_key else None
            if shortcut and conn.execute(
                "SELECT 1 FROM codes WHERE shortcut = ? AND retired_at IS NULL", (shortcut,)
            ).fetchone():
                raise CoderError(f"shortcut {shortcut!r} is taken by another code")
            conn.execute("DELETE FROM code_aliases WHERE key = ?", (key,))
            position = conn.execute("SELECT coalesce(max(position), -1) + 1 FROM codes").fetchone()[0]
            conn.execute(
                "INSERT INTO codes (key, name, parent_id, position, color, shortcut, definition,"
                " guid, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, name, parent_id, position, color, shortcut, definition,
                 self._new_code_guid(key), stamp, stamp),
            )
            self.log_event("code added", {"key": key, "name": name, "parent": parent_key})
        return self.code(key)

    def ensure_codes(self, codes: Sequence[Code], parent_keys: dict[str, str | None]) -> list[str]:
        """Add the codes this project lacks (from another copy of it), keeping key and GUID.

        A code this project knows under another key (renamed here: its old key is an alias,
        or the GUID is the same) is not added again.
        """
        have = {r["key"] for r in self.conn.execute("SELECT key FROM codes")}
        have |= {r["key"] for r in self.conn.execute("SELECT key FROM code_aliases")}
        guids = {r["guid"] for r in self.conn.execute("SELECT guid FROM codes")}
        taken = {r["shortcut"] for r in self.conn.execute(
            "SELECT shortcut FROM codes WHERE shortcut IS NOT NULL")}
        added: list[str] = []
        stamp = now()
        with self.transaction() as conn:
            for code in codes:
                if code.key in have or (code.guid or stable_guid("code", code.key)) in guids:
                    continue
                position = conn.execute(
                    "SELECT coalesce(max(position), -1) + 1 FROM codes").fetchone()[0]
                conn.execute(
                    "INSERT INTO codes (key, name, position, color, shortcut, definition,"
                    " when_to_use, when_not_to_use, example, guid, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (code.key, code.name, position, code.color,
                     code.shortcut if code.shortcut not in taken else None,
                     code.definition, code.when_to_use, code.when_not_to_use, code.example,
                     code.guid or stable_guid("code", code.key), stamp, stamp),
                )
                added.append(code.key)
            for key in added:
                parent = parent_keys.get(key)
                if parent:
                    conn.execute(
                        "UPDATE codes SET parent_id = (SELECT id FROM codes WHERE key = ?)"
                        " WHERE key = ?", (parent, key))
            if added:
                self.log_event("codes added", {"keys": added})
        return added

    # -- segments and undo ---------------------------------------------------------------

    def segments(
        self,
        *,
        document_id: int | None = None,
        coder_ids: Sequence[int] | None = None,
        paragraph_id: int | None = None,
    ) -> list[Segment]:
        sql = "SELECT s.* FROM segments s"
        where = ["s.deleted_at IS NULL"]
        params: list[Any] = []
        if document_id is not None:
            sql += " JOIN paragraphs p ON p.id = s.paragraph_id"
            where.append("p.document_id = ?")
            params.append(document_id)
        if paragraph_id is not None:
            where.append("s.paragraph_id = ?")
            params.append(paragraph_id)
        if coder_ids is not None:
            where.append(f"s.coder_id IN ({','.join('?' * len(coder_ids))})")
            params.extend(coder_ids)
        sql += " WHERE " + " AND ".join(where) + " ORDER BY s.paragraph_id, s.start, s.id"
        return [_segment(r) for r in self.conn.execute(sql, params)]

    def segment(self, segment_id: int) -> Segment:
        row = self.conn.execute("SELECT * FROM segments WHERE id = ?", (segment_id,)).fetchone()
        if row is None:
            raise CoderError(f"no segment {segment_id}")
        return _segment(row)

    def _check_span(self, paragraph_id: int, start: int | None, end: int | None) -> None:
        """Refuse a coding the user could never see again: on a paragraph of a transcript
        that was replaced by a corrected version (say, by another coder while this one had
        it open), or on text outside the paragraph."""
        row = self.conn.execute(
            "SELECT length(p.text) AS length, d.superseded_by, cur.name AS current"
            " FROM paragraphs p JOIN documents d ON d.id = p.document_id"
            " LEFT JOIN documents cur ON cur.id = d.superseded_by WHERE p.id = ?",
            (paragraph_id,),
        ).fetchone()
        if row is None:
            raise CoderError(f"no paragraph with id {paragraph_id}")
        if row["superseded_by"] is not None:
            raise CoderError(
                f"{row['current']!r} was replaced by a corrected version of the transcript; "
                "reopen it to code the new text (nothing was saved)"
            )
        if start is None and end is None:
            return
        if start is None or end is None:
            raise CoderError("a span needs both start and end")
        length = row["length"]
        if not (0 <= start < end <= length):
            raise CoderError(
                f"span {start}-{end} is outside the paragraph (0-{length}, end exclusive)"
            )

    def _record(self, coder_id: int, kind: str, payload: dict[str, Any]) -> None:
        self.conn.execute(
            "UPDATE actions SET state = 'discarded' WHERE coder_id = ? AND state = 'undone'",
            (coder_id,),
        )
        self.conn.execute(
            "INSERT INTO actions (coder_id, at, kind, payload) VALUES (?, ?, ?, ?)",
            (coder_id, now(), kind, json.dumps(payload)),
        )

    def _live_segment(
        self, paragraph_id: int, code_id: int, coder_id: int, start: int | None, end: int | None
    ) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT id FROM segments WHERE paragraph_id = ? AND code_id = ? AND coder_id = ?"
            " AND coalesce(start, -1) = coalesce(?, -1) AND coalesce(\"end\", -1) = coalesce(?, -1)"
            " AND deleted_at IS NULL",
            (paragraph_id, code_id, coder_id, start, end),
        ).fetchone()

    def _insert_segment(
        self,
        paragraph_id: int,
        code_id: int,
        coder_id: int,
        start: int | None,
        end: int | None,
        memo: str | None = None,
        *,
        guid: str | None = None,
        created_at: str | None = None,
        updated_at: str | None = None,
    ) -> int:
        stamp = now()
        cur = self.conn.execute(
            "INSERT INTO segments (guid, paragraph_id, code_id, coder_id, start, \"end\", memo,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (guid or str(uuid.uuid4()).upper(), paragraph_id, code_id, coder_id, start, end, memo,
             created_at or stamp, updated_at or stamp),
        )
        self._touch_status(paragraph_id, coder_id)
        return cur.lastrowid

    def _touch_status(self, paragraph_id: int, coder_id: int) -> None:
        self.conn.execute(
            "INSERT INTO document_status (document_id, coder_id, status, updated_at)"
            " SELECT document_id, ?, 'in progress', ? FROM paragraphs WHERE id = ?"
            " ON CONFLICT(document_id, coder_id) DO UPDATE SET"
            " status = CASE WHEN status = 'not started' THEN 'in progress' ELSE status END",
            (coder_id, now(), paragraph_id),
        )

    def add_segment(
        self,
        coder_id: int,
        paragraph_id: int,
        code_id: int,
        start: int | None = None,
        end: int | None = None,
        memo: str | None = None,
    ) -> int:
        """Apply a code; applying one that is already there is a no-op returning its id."""
        with self.transaction():
            self._check_span(paragraph_id, start, end)
            live = self._live_segment(paragraph_id, code_id, coder_id, start, end)
            if live:
                return live["id"]
            seg_id = self._insert_segment(paragraph_id, code_id, coder_id, start, end, memo)
            self._record(coder_id, "add", {"segment": seg_id})
        return seg_id

    def remove_segment(self, coder_id: int, segment_id: int) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE segments SET deleted_at = ?, updated_at = ? WHERE id = ?"
                " AND deleted_at IS NULL",
                (now(), now(), segment_id),
            )
            self._record(coder_id, "remove", {"segment": segment_id})

    def toggle_segment(
        self,
        coder_id: int,
        paragraph_id: int,
        code_id: int,
        start: int | None = None,
        end: int | None = None,
    ) -> ToggleResult:
        """The coding key: apply the code, or take it off if this coder already applied it."""
        with self.transaction():
            self._check_span(paragraph_id, start, end)
            live = self._live_segment(paragraph_id, code_id, coder_id, start, end)
            if live:
                self.remove_segment(coder_id, live["id"])
                return ToggleResult(added=False, segment_id=live["id"])
            seg_id = self._insert_segment(paragraph_id, code_id, coder_id, start, end)
            self._record(coder_id, "add", {"segment": seg_id})
            return ToggleResult(added=True, segment_id=seg_id)

    def set_segment_memo(self, coder_id: int, segment_id: int, memo: str | None) -> None:
        with self.transaction() as conn:
            before = conn.execute("SELECT memo FROM segments WHERE id = ?", (segment_id,)).fetchone()
            if before is None:
                raise CoderError(f"no segment {segment_id}")
            conn.execute(
                "UPDATE segments SET memo = ?, updated_at = ? WHERE id = ?",
                (memo or None, now(), segment_id),
            )
            self._record(
                coder_id, "segment memo",
                {"segment": segment_id, "before": before["memo"], "after": memo or None},
            )

    def paragraph_memo(self, coder_id: int, paragraph_id: int) -> str | None:
        row = self.conn.execute(
            "SELECT memo FROM paragraph_memos WHERE paragraph_id = ? AND coder_id = ?",
            (paragraph_id, coder_id),
        ).fetchone()
        return row["memo"] if row else None

    def paragraph_memos(self, coder_id: int, document_id: int) -> dict[int, str]:
        rows = self.conn.execute(
            "SELECT m.paragraph_id, m.memo FROM paragraph_memos m"
            " JOIN paragraphs p ON p.id = m.paragraph_id WHERE m.coder_id = ? AND p.document_id = ?",
            (coder_id, document_id),
        ).fetchall()
        return {r["paragraph_id"]: r["memo"] for r in rows}

    def _write_paragraph_memo(self, coder_id: int, paragraph_id: int, memo: str | None) -> None:
        if memo:
            self.conn.execute(
                "INSERT INTO paragraph_memos (paragraph_id, coder_id, memo, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(paragraph_id, coder_id) DO UPDATE SET"
                " memo = excluded.memo, updated_at = excluded.updated_at",
                (paragraph_id, coder_id, memo, now()),
            )
        else:
            self.conn.execute(
                "DELETE FROM paragraph_memos WHERE paragraph_id = ? AND coder_id = ?",
                (paragraph_id, coder_id),
            )

    def set_paragraph_memo(self, coder_id: int, paragraph_id: int, memo: str | None) -> None:
        with self.transaction():
            before = self.paragraph_memo(coder_id, paragraph_id)
            self._write_paragraph_memo(coder_id, paragraph_id, memo or None)
            self._record(
                coder_id, "paragraph memo",
                {"paragraph": paragraph_id, "before": before, "after": memo or None},
            )

    def status(self, coder_id: int, document_id: int) -> str:
        row = self.conn.execute(
            "SELECT status FROM document_status WHERE document_id = ? AND coder_id = ?",
            (document_id, coder_id),
        ).fetchone()
        return row["status"] if row else "not started"

    def set_status(self, coder_id: int, document_id: int, status: str) -> None:
        if status not in STATUSES:
            raise CoderError(f"status must be one of {', '.join(STATUSES)}")
        with self.transaction():
            before = self.status(coder_id, document_id)
            self._write_status(coder_id, document_id, status)
            self._record(
                coder_id, "status",
                {"document": document_id, "before": before, "after": status},
            )

    def _write_status(self, coder_id: int, document_id: int, status: str) -> None:
        self.conn.execute(
            "INSERT INTO document_status (document_id, coder_id, status, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(document_id, coder_id) DO UPDATE SET"
            " status = excluded.status, updated_at = excluded.updated_at",
            (document_id, coder_id, status, now()),
        )

    def put_status(self, coder_id: int, document_id: int, status: str) -> None:
        """Set a status with no undo entry: merges and imports are undone from their backup."""
        with self.transaction():
            self._write_status(coder_id, document_id, status)

    def put_paragraph_memo(self, coder_id: int, paragraph_id: int, memo: str | None) -> None:
        with self.transaction():
            self._write_paragraph_memo(coder_id, paragraph_id, memo)

    def _apply(self, kind: str, payload: dict[str, Any], *, reverse: bool) -> None:
        if kind in ("add", "remove"):
            live = (kind == "add") != reverse
            if live:
                # A code retired since comes back into use: nothing the coder undoes is lost.
                if self._revive_segment(payload["segment"], now()):
                    unretired = self.unretire_codes_in_use("undo or redo brought back codings on it")
                    if unretired:
                        payload["unretired"] = unretired
            else:
                self.conn.execute(
                    "UPDATE segments SET deleted_at = ?, updated_at = ? WHERE id = ?",
                    (now(), now(), payload["segment"]),
                )
            return
        value = payload["before"] if reverse else payload["after"]
        if kind == "segment memo":
            self.conn.execute(
                "UPDATE segments SET memo = ?, updated_at = ? WHERE id = ?",
                (value, now(), payload["segment"]),
            )
        elif kind == "paragraph memo":
            coder_id = payload["coder"]
            self._write_paragraph_memo(coder_id, payload["paragraph"], value)
        elif kind == "status":
            self._write_status(payload["coder"], payload["document"], value)

    def undo(self, coder_id: int) -> dict[str, Any] | None:
        """Reverse this coder's latest action; the history lives in the file, so undo
        works across restarts. Returns what was undone, or None when there is nothing."""
        return self._step(coder_id, undo=True)

    def redo(self, coder_id: int) -> dict[str, Any] | None:
        return self._step(coder_id, undo=False)

    def _step(self, coder_id: int, *, undo: bool) -> dict[str, Any] | None:
        with self.transaction() as conn:
            if undo:
                row = conn.execute(
                    "SELECT * FROM actions WHERE coder_id = ? AND state = 'done'"
                    " ORDER BY id DESC LIMIT 1",
                    (coder_id,),
                ).fetchone()
            else:
                row = conn.execute(
                    "SELECT * FROM actions WHERE coder_id = ? AND state = 'undone'"
                    " ORDER BY id ASC LIMIT 1",
                    (coder_id,),
                ).fetchone()
            if row is None:
                return None
            payload = {**json.loads(row["payload"]), "coder": coder_id}
            self._apply(row["kind"], payload, reverse=undo)
            conn.execute(
                "UPDATE actions SET state = ? WHERE id = ?",
                ("undone" if undo else "done", row["id"]),
            )
        return {"kind": row["kind"], **payload}

    # -- reading for reports, agreement and exports --------------------------------------

    def document_summaries(self, coder: str | None = None) -> list[DocumentSummary]:
        """Every document with one coder's progress, or with totals over all coders."""
        coder_id = self.coder_id(coder, create=False) if coder else None
        out = []
        for doc in self.documents():
            params: list[Any] = [doc.id]
            coder_clause = ""
            if coder_id is not None:
                coder_clause = " AND s.coder_id = ?"
                params.append(coder_id)
            row = self.conn.execute(
                "SELECT count(*) AS segs, count(DISTINCT s.paragraph_id) AS paras FROM segments s"
                " JOIN paragraphs p ON p.id = s.paragraph_id WHERE p.document_id = ?"
                " AND s.deleted_at IS NULL" + coder_clause,
                params,
            ).fetchone()
            status = self.status(coder_id, doc.id) if coder_id is not None else ""
            out.append(DocumentSummary(doc, coder, status, row["segs"], row["paras"]))
        return out

    def statuses(self) -> dict[tuple[int, str], str]:
        rows = self.conn.execute(
            "SELECT ds.document_id, c.name, ds.status FROM document_status ds"
            " JOIN coders c ON c.id = ds.coder_id"
        ).fetchall()
        return {(r["document_id"], r["name"]): r["status"] for r in rows}

    def segment_rows(
        self,
        *,
        coders: Sequence[str] | None = None,
        code_keys: Sequence[str] | None = None,
        document_ids: Sequence[int] | None = None,
        speaker: str | None = None,
    ) -> list[SegmentRow]:
        """Live segments in reading order, with their paragraph and names joined in."""
        sql = _SEGMENT_ROW_SELECT
        params: list[Any] = []
        for column, values in (
            ("cr.name", coders),
            ("c.key", code_keys),
            ("d.id", document_ids),
        ):
            if values is not None:
                sql += f" AND {column} IN ({','.join('?' * len(values))})"
                params.extend(values)
        if speaker is not None:
            sql += " AND p.speaker = ?"
            params.append(speaker)
        sql += " ORDER BY d.id, p.n, coalesce(s.start, -1), c.position, cr.name"
        return [SegmentRow(**dict(r)) for r in self.conn.execute(sql, params)]

    def paragraph_index(
        self, *, include_superseded: bool = False
    ) -> list[tuple[int, int, int, int]]:
        """(document_id, paragraph_id, n, length) for every paragraph of the current
        documents (the units of agreement); older versions only on request."""
        where = "" if include_superseded else " WHERE d.superseded_by IS NULL"
        return [
            (r[0], r[1], r[2], r[3])
            for r in self.conn.execute(
                "SELECT p.document_id, p.id, p.n, length(p.text) FROM paragraphs p"
                " JOIN documents d ON d.id = p.document_id" + where
                + " ORDER BY p.document_id, p.n"
            )
        ]

    # -- bulk writes (codings import, merge) ---------------------------------------------

    def insert_segments(self, rows: Iterable[dict[str, Any]], *, event: str | None,
                        detail: dict[str, Any] | None = None,
                        backup: bool = True) -> tuple[int, int]:
        """Insert many already-validated segments in one transaction.

        Each row has paragraph_id, code_id, coder_id, start, end and optionally memo, guid,
        created_at and updated_at (kept from where the segment comes from, so memo edits made
        later elsewhere are still recognised as later). A row that duplicates a live segment
        (or an existing guid) is skipped, so running the same import or merge twice changes
        nothing. Returns (added, skipped).
        A bulk write is preceded by an automatic backup unless the caller made one already
        (`backup=False`); `event=None` leaves the logging to the caller's own event.
        """
        rows = list(rows)
        added = skipped = 0
        saved = None
        if backup and rows and not self.conn.in_transaction:
            saved = self.auto_backup(f"before-{event or 'bulk-write'}")
        with self.transaction():
            for r in rows:
                guid = r.get("guid")
                if guid and self.conn.execute(
                    "SELECT 1 FROM segments WHERE guid = ?", (guid,)
                ).fetchone():
                    skipped += 1
                    continue
                if self._live_segment(
                    r["paragraph_id"], r["code_id"], r["coder_id"], r.get("start"), r.get("end")
                ):
                    skipped += 1
                    continue
                self._insert_segment(
                    r["paragraph_id"], r["code_id"], r["coder_id"], r.get("start"), r.get("end"),
                    r.get("memo"), guid=guid, created_at=r.get("created_at"),
                    updated_at=r.get("updated_at"),
                )
                added += 1
            if event is not None:
                extra = {"backup": str(saved)} if saved else {}
                self.log_event(event, {**(detail or {}), "added": added, "skipped": skipped,
                                       **extra})
        return added, skipped

    def segment_states(self, coders: Sequence[str]) -> list[dict[str, Any]]:
        """Every segment of these coders, removed ones too (id, guid, coder, memo, updated_at,
        deleted_at, document_id, n): what a merge compares to carry later removals and memo
        edits from one copy to another."""
        if not coders:
            return []
        return [dict(r) for r in self.conn.execute(
            "SELECT s.id, s.guid, cr.name AS coder, s.memo, s.updated_at, s.deleted_at,"
            " p.document_id, p.n FROM segments s JOIN coders cr ON cr.id = s.coder_id"
            " JOIN paragraphs p ON p.id = s.paragraph_id"
            f" WHERE cr.name IN ({','.join('?' * len(coders))}) ORDER BY s.id",
            list(coders),
        )]

    def update_segments(self, changes: Iterable[dict[str, Any]]) -> None:
        """Set memo, deleted_at and updated_at of segments by id, in one transaction and with
        no undo entry (a merge is undone from its backup). Rows are never deleted."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE segments SET memo = :memo, deleted_at = :deleted_at,"
                " updated_at = :updated_at WHERE id = :id",
                [{k: c[k] for k in ("id", "memo", "deleted_at", "updated_at")} for c in changes],
            )

    def revive_segments(self, changes: Iterable[dict[str, Any]]) -> list[int]:
        """Bring back removed segments (id, memo, updated_at) that their coder brought back in
        another copy, with no undo entry. Returns the ids that came back: one whose place a
        live segment has taken since stays removed."""
        revived = []
        with self.transaction() as conn:
            for c in changes:
                if self._revive_segment(c["id"], c["updated_at"]):
                    conn.execute("UPDATE segments SET memo = ? WHERE id = ?", (c["memo"], c["id"]))
                    revived.append(c["id"])
        return revived

    def _revive_segment(self, segment_id: int, stamp: str) -> bool:
        """Mark a segment live again, on the code that took over its code's segments if that
        code was merged away since; not when the same coding is live under another id."""
        seg = self.conn.execute("SELECT * FROM segments WHERE id = ?", (segment_id,)).fetchone()
        code_id = self._surviving_code_id(seg["code_id"])
        clash = self._live_segment(
            seg["paragraph_id"], code_id, seg["coder_id"], seg["start"], seg["end"]
        )
        if clash and clash["id"] != seg["id"]:
            return False
        self.conn.execute(
            "UPDATE segments SET deleted_at = NULL, code_id = ?, updated_at = ? WHERE id = ?",
            (code_id, stamp, segment_id),
        )
        return True

    def unretire_codes_in_use(self, reason: str) -> list[str]:
        """Un-retire every retired code that live segments use (a code is only ever retired
        unused, so a coding brought back by undo or a merge brings its code back), logging it.
        `codebook use` then names it as a code in use the codebook file lacks."""
        keys = [r["key"] for r in self.conn.execute(
            "SELECT key FROM codes WHERE retired_at IS NOT NULL AND merged_into IS NULL"
            " AND EXISTS (SELECT 1 FROM segments s WHERE s.code_id = codes.id"
            " AND s.deleted_at IS NULL) ORDER BY position, id")]
        if keys:
            with self.transaction() as conn:
                conn.executemany("UPDATE codes SET retired_at = NULL, updated_at = ? WHERE key = ?",
                                 [(now(), k) for k in keys])
                self.log_event("codebook", {"unretired": keys, "why": reason})
        return keys

    def paragraph_memo_states(self, coder_id: int, document_id: int) -> dict[int, tuple[str, str]]:
        """paragraph_id → (memo, updated_at) for one coder's paragraph memos on a document."""
        rows = self.conn.execute(
            "SELECT m.paragraph_id, m.memo, m.updated_at FROM paragraph_memos m"
            " JOIN paragraphs p ON p.id = m.paragraph_id WHERE m.coder_id = ? AND p.document_id = ?",
            (coder_id, document_id),
        ).fetchall()
        return {r["paragraph_id"]: (r["memo"], r["updated_at"]) for r in rows}

    # -- used by exports and REFI-QDA import --------------------------------------------

    def ensure_coder(self, name: str, guid: str | None) -> int:
        """The id of coder `name`, creating it with `guid` when the name and the GUID are both new."""
        name = name.strip()
        row = self.conn.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
        if row is not None:
            return row["id"]
        if guid and not self.conn.execute(
            "SELECT 1 FROM coders WHERE upper(guid) = upper(?)", (guid,)
        ).fetchone():
            with self.transaction() as conn:
                cur = conn.execute(
                    "INSERT INTO coders (name, guid, created_at) VALUES (?, ?, ?)",
                    (name, guid.upper(), now()),
                )
            return int(cur.lastrowid)
        return self.coder_id(name)

    def segment_records(
        self,
        *,
        coders: Sequence[str] | None = None,
        code_keys: Sequence[str] | None = None,
        document_ids: Sequence[int] | None = None,
        speaker: str | None = None,
    ) -> list[tuple[Any, ...]]:
        """The rows of `Store.segment_rows` (same filters, same order) as plain tuples
        (document, n, speaker, coder, code_key, code_name, start, end, quote, memo, created_at,
        guid), with the quote cut by SQLite: a CSV of 100,000 segments in about a second.
        SQLite's substr counts characters, as Python's slicing does."""
        sql = _SEGMENT_RECORDS
        params: list[Any] = []
        for column, values in (("cr.name", coders), ("c.key", code_keys), ("d.id", document_ids)):
            if values is not None:
                sql += f" AND {column} IN ({','.join('?' * len(values))})"
                params.extend(values)
        if speaker is not None:
            sql += " AND p.speaker = ?"
            params.append(speaker)
        sql += " ORDER BY d.id, p.n, coalesce(s.start, -1), c.position, cr.name"
        return self._tuples(sql, params)

    # -- agreement: narrow reads (one query each, plain tuples) ----------------------------

    @functools.cached_property
    def db(self) -> Any:
        """sqlite-utils' view of the connection, made on first use: importing sqlite-utils also
        imports pandas where it is installed (0.4 s), which `coder agree` need not pay."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def _tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self.conn.cursor()
        cursor.row_factory = None
        try:
            return cursor.execute(sql, params).fetchall()
        finally:
            cursor.close()

    # -- waiting for the file (added for coder/session.py) -------------------------------

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

    # -- narrow reads for `coder agree` ---------------------------------------------------------

    def agreement_codings(self, coders: Sequence[str]) -> list[tuple[Any, ...]]:
        """(paragraph_id, coder, code_key, start, end) of the coders' live segments: all that
        `coder agree` needs from them, in one query that never touches the paragraphs' text
        (pair with `agreement_units`, which says which document each paragraph is in)."""
        marks = ",".join("?" * len(coders))
        return self._tuples(
            "SELECT s.paragraph_id, cr.name, c.key, s.start, s.\"end\" FROM segments s"
            " JOIN coders cr ON cr.id = s.coder_id JOIN codes c ON c.id = s.code_id"
            f" WHERE s.deleted_at IS NULL AND cr.name IN ({marks})",
            list(coders),
        )

    def agreement_units(self, *, lengths: bool = False) -> list[tuple[Any, ...]]:
        """(document_id, paragraph_id, n, kind) of every paragraph of the current documents, in
        reading order, plus its length in characters when `lengths` (which reads the text)."""
        length = ", length(p.text)" if lengths else ""
        return self._tuples(
            f"SELECT p.document_id, p.id, p.n, p.kind{length} FROM paragraphs p"
            " JOIN documents d ON d.id = p.document_id WHERE d.superseded_by IS NULL"
            " ORDER BY p.document_id, p.n"
        )


def _describe_change(row: sqlite3.Row, code: dict[str, Any], differs: list[str]) -> str:
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


_FILE_TROUBLE = ("disk i/o error", "database or disk is full", "readonly database",
                 "unable to open database", "malformed", "not a database")


def is_file_problem(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite failed because of the file or the disk (damage, a full disk, no write
    permission) rather than because of a mistake in our SQL, which must still show in full."""
    return type(exc) is sqlite3.DatabaseError or any(
        t in str(exc).casefold() for t in _FILE_TROUBLE)


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


_SEGMENT_RECORDS = """
SELECT d.name, p.n, p.speaker, cr.name, c.key, c.name, s.start, s."end",
       CASE WHEN s.start IS NULL THEN p.text
            ELSE substr(p.text, s.start + 1, s."end" - s.start) END,
       s.memo, s.created_at, s.guid
FROM segments s
JOIN paragraphs p ON p.id = s.paragraph_id
JOIN documents d ON d.id = p.document_id
JOIN codes c ON c.id = s.code_id
JOIN coders cr ON cr.id = s.coder_id
WHERE s.deleted_at IS NULL AND d.superseded_by IS NULL
"""


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def open_store(path: str | Path | None = None, *, create: bool = True) -> Store:
    """The project named by --db, else $CODER_DB, else ./coder.db."""
    chosen = path or os.environ.get("CODER_DB") or DEFAULT_DB
    return Store(chosen, create=create)
