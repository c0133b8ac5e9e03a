"""The tables, as a list of migrations; `PRAGMA user_version` counts those applied.

A new table or column is a new migration appended to `MIGRATIONS` (never an edit of an
applied one): opening an older project runs what it lacks, after an automatic backup.
"""

from __future__ import annotations

import functools
import sqlite3

from ..errors import CoderError
from .connection import Connection

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


# Attributes and cases: an attribute is declared once with its type; its values (stored in
# canonical text: numbers as written by `coder.attributes`, dates ISO, yes/no as yes or no) sit
# on documents and on cases. A case link ties a speaker label of one document to a case, or,
# with no speaker, the whole document.
_V3_ATTRIBUTES = """
CREATE TABLE attributes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL CHECK (type IN ('text', 'number', 'date', 'yes/no')),
    guid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    guid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE document_attributes (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    attribute_id INTEGER NOT NULL REFERENCES attributes(id),
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (document_id, attribute_id)
);
CREATE TABLE case_attributes (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    attribute_id INTEGER NOT NULL REFERENCES attributes(id),
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (case_id, attribute_id)
);
CREATE TABLE case_links (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    document_id INTEGER NOT NULL REFERENCES documents(id),
    speaker TEXT,
    linked_at TEXT NOT NULL
);
CREATE UNIQUE INDEX case_links_one ON case_links (document_id, coalesce(speaker, ''));
"""


# Version 4: how far each coder has read in each document (the furthest paragraph number the
# cursor reached in the app), so agreement counts a paragraph beyond it as missing, not absent.
_V4_COVERAGE = """
CREATE TABLE reading_marks (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    reached INTEGER NOT NULL CHECK (reached >= 0),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (document_id, coder_id)
);
"""


# Version 5: a code's meaning has revisions, and every coding remembers the one it was made
# under (`revision_id`), so codings made before a definition was sharpened can be rechecked.
# Existing codes get their first revision from today's fields and existing codings point at
# it. Triggers give a new code its first revision and a new coding its code's current one,
# whichever path inserts it (coding, imports, merges). Codings made by a rule (autocoding)
# carry that rule (`auto_rule`) until their coder confirms them one by one (`confirmed_at`).
_V5_REVISIONS = """
CREATE TABLE code_revisions (
    id INTEGER PRIMARY KEY,
    code_id INTEGER NOT NULL REFERENCES codes(id),
    n INTEGER NOT NULL,
    at TEXT NOT NULL,
    author TEXT,
    definition TEXT NOT NULL DEFAULT '',
    when_to_use TEXT NOT NULL DEFAULT '',
    when_not_to_use TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    UNIQUE (code_id, n)
);
INSERT INTO code_revisions (code_id, n, at, definition, when_to_use, when_not_to_use, note)
SELECT id, 1, created_at, definition, when_to_use, when_not_to_use, 'as the project had it'
FROM codes;
ALTER TABLE segments ADD COLUMN revision_id INTEGER REFERENCES code_revisions(id);
ALTER TABLE segments ADD COLUMN auto_rule TEXT;
ALTER TABLE segments ADD COLUMN confirmed_at TEXT;
UPDATE segments SET revision_id = (
    SELECT r.id FROM code_revisions r WHERE r.code_id = segments.code_id AND r.n = 1);
CREATE INDEX segments_by_revision ON segments (code_id, revision_id);
CREATE TRIGGER codes_first_revision AFTER INSERT ON codes
BEGIN
    INSERT INTO code_revisions (code_id, n, at, definition, when_to_use, when_not_to_use, note)
    VALUES (NEW.id, 1, NEW.created_at, NEW.definition, NEW.when_to_use, NEW.when_not_to_use,
            'created'); END;
CREATE TRIGGER segments_current_revision AFTER INSERT ON segments WHEN NEW.revision_id IS NULL
BEGIN
    UPDATE segments SET revision_id = (
        SELECT max(r.id) FROM code_revisions r WHERE r.code_id = NEW.code_id)
    WHERE id = NEW.id; END;
"""


# The matrix and the crosstab total codings by document and speaker: this index holds both
# (and the paragraph's id), so counting reads no paragraph text.
_V6_SPEAKER_INDEX = """
CREATE INDEX paragraphs_by_speaker ON paragraphs (document_id, speaker);
"""

MIGRATIONS: list[str] = [_V1, _V2, _V3_ATTRIBUTES, _V4_COVERAGE, _V5_REVISIONS,
                         _V6_SPEAKER_INDEX]


SCHEMA_VERSION = len(MIGRATIONS)


class SchemaMixin(Connection):
    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def foreign_schema(self) -> list[str]:
        """`"view NAME"` for each schema object in the file that coder did not make."""
        return [f"{kind} {name}" for kind, name in foreign_objects(self.conn)]

    def missing_tables(self) -> list[str]:
        return missing_tables(self.conn)

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
        if getattr(self, "read_only", False):
            raise CoderError(
                f"is read-only and from an older coder (schema {current}); copy it somewhere "
                "writable and open the copy to bring it up to date", path=self.path)
        if current > 0 and self.backup_before_migration:
            self.auto_backup(f"before-migration-{current}")
        with self.transaction() as conn:
            # Another process may have migrated while this one waited for the lock.
            current = self.schema_version
            for version in range(current, SCHEMA_VERSION):
                for statement in MIGRATIONS[version].split(";\n"):
                    if statement.strip():
                        conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _squash(sql: str | None) -> str:
    return " ".join((sql or "").split())


@functools.cache
def expected_schema(version: int = SCHEMA_VERSION) -> dict[tuple[str, str], str]:
    """Every schema object coder makes, `(type, name) -> SQL`, built by running the migrations
    up to `version` on an empty in-memory database: what a project file of that version should
    hold, and nothing else (an older file holds objects later migrations replace)."""
    conn = sqlite3.connect(":memory:")
    try:
        for migration in MIGRATIONS[:version]:
            for statement in migration.split(";\n"):
                if statement.strip():
                    conn.execute(statement)
        return {(t, n): _squash(s) for t, n, s in conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}
    finally:
        conn.close()


def foreign_objects(conn: sqlite3.Connection, *, triggers_only: bool = False
                    ) -> list[tuple[str, str]]:
    """Schema objects in a file that coder did not make, as `(type, name)`: a trigger would
    act on coder's writes behind its back (one hard-deleting codings as they are saved), a
    view or table of another program is not part of the project a restore brings back."""
    expected = expected_schema(_version_of(conn))
    rows = conn.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
                        " ORDER BY type, name").fetchall()
    found = [(r[0], r[1]) for r in rows if (r[0], r[1]) not in expected]
    return [f for f in found if f[0] == "trigger"] if triggers_only else found


def missing_tables(conn: sqlite3.Connection) -> list[str]:
    """coder's tables a file lacks, or holds as another kind of object (a view standing in
    for `segments` would feed a merge whatever its SELECT makes up)."""
    expected = expected_schema(_version_of(conn))
    have = {(r[0], r[1]) for r in conn.execute("SELECT type, name FROM sqlite_master")}
    return sorted(n for (t, n) in expected if t == "table" and (t, n) not in have)


def _version_of(conn: sqlite3.Connection) -> int:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    return version if 0 < version <= SCHEMA_VERSION else SCHEMA_VERSION


def schema_differences(conn: sqlite3.Connection) -> list[str]:
    """How a project file's schema differs from the one its migrations make (for `coder
    check`): objects missing, changed or not coder's own."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        return []  # an older file is migrated when opened; a newer one is refused then
    expected = expected_schema()
    have = {(t, n): _squash(s) for t, n, s in conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}
    out = [f"{t} {n} is missing" for (t, n) in sorted(expected) if (t, n) not in have]
    out += [f"{t} {n} differs from coder's own definition" for (t, n), sql in sorted(have.items())
            if (t, n) in expected and expected[(t, n)] != sql]
    out += [f"{t} {n} is not coder's own (another program added it)"
            for t, n in foreign_objects(conn)]
    return out


def strip_foreign_objects(conn: sqlite3.Connection) -> list[str]:
    """Drop what `foreign_objects` finds (on a scratch copy being restored), naming each."""
    dropped = []
    for kind, name in foreign_objects(conn):
        if kind in ("trigger", "view", "table", "index"):
            quoted = '"' + name.replace('"', '""') + '"'
            conn.execute(f"DROP {kind.upper()} IF EXISTS {quoted}")
            dropped.append(f"{kind} {name}")
    return dropped
