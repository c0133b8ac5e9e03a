"""The tables, as a list of migrations; `PRAGMA user_version` counts those applied.

A new table or column is a new migration appended to `MIGRATIONS` (never an edit of an
applied one): opening an older project runs what it lacks, after an automatic backup.
"""

from __future__ import annotations

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


# The matrix and the crosstab total codings by document and speaker: this index holds both
# (and the paragraph's id), so counting reads no paragraph text.
_V4_SPEAKER_INDEX = """
CREATE INDEX paragraphs_by_speaker ON paragraphs (document_id, speaker);
"""

MIGRATIONS: list[str] = [_V1, _V2, _V3_ATTRIBUTES, _V4_SPEAKER_INDEX]


SCHEMA_VERSION = len(MIGRATIONS)


class SchemaMixin(Connection):
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
