"""The project file: schema, migrations and every SQL statement of `coder`.

One SQLite file per project, readable by any SQLite tool. Each user action runs in one
`BEGIN IMMEDIATE` transaction, so a crash loses at most the action in flight and two coders
writing the same file queue behind the busy timeout instead of failing. Segments are never
hard-deleted: removing a coding stamps `deleted_at`, which is also what makes undo and redo
exact and lets an audit see everything a coder ever did.

Callers import from here only (`from coder.store import Store, open_store`). Inside, `Store`
is one mixin per concern, each in the module named after it, all built on `Connection`:

    connection.py  opening a file, refusing what is not a project, transactions, busy waits
    schema.py      the tables as migrations (PRAGMA user_version)
    backups.py     backup, automatic backups, restore, integrity checks
    events.py      the project's event log and settings
    documents.py   documents, paragraphs, corrected versions, search
    coders.py      coders
    codes.py       codes, and loading a codebook (planned in coder/codebook_plan.py)
    code_edits.py  codebook edits made in the app, each an undoable step
    code_revisions.py  each code's meanings over time, rechecking, autocoding
    segments.py    codings, one at a time and in bulk (imports, merges)
    undo.py        each coder's undo and redo history
    memos.py       paragraph memos
    statuses.py    each coder's progress per document
    attributes.py  attributes, cases, their values, and speakers linked to cases
    coverage.py    how far each coder has read in each document (reading marks)
    queries.py     read-only rows for reports, exports and agreement
    analysis.py    coding counts for the matrix, and every memo, for the app and the write-up
    stamps.py      timestamps, GUIDs, text hashes

A new table or column (cases, attributes, code revisions) is a new migration appended to
`schema.MIGRATIONS`, never an edit of an applied one. A new concern is a new module with a
`Connection` subclass holding its methods, added to `Store`'s bases below; a method it needs
from another concern is declared among `Connection`'s seams, so each module type-checks alone.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..codebook_plan import CodePlan as _CodePlan
from ..codebook_plan import describe_change as _describe_change
from .analysis import AnalysisMixin, MemoRow, QuoteRow
from .attributes import AttributesMixin
from .backups import open_for_reading, BackupsMixin, _fsync_dir, _is_sqlite
from .code_edits import CodeEditsMixin, Split
from .coders import CodersMixin
from .code_revisions import MEANING_FIELDS, CodeRevision, CodeRevisionsMixin, RecheckRow
from .codes import CodesMixin
from .coverage import CoverageMixin
from .connection import (
    _FILE_TROUBLE,
    _OUR_TABLES,
    BUSY_ATTEMPTS,
    BUSY_TIMEOUT_MS,
    DEFAULT_DB,
    Connection,
    _check_is_project,
    _is_busy,
    file_problem,
    is_file_problem,
)
from .documents import (
    _DOCUMENT_SELECT,
    DocumentRows,
    DocumentsMixin,
    DocumentVersion,
    ParagraphRow,
    _document,
    _like_prefix,
    _paragraph,
)
from .events import EventsMixin
from .memos import MemosMixin
from .queries import (
    _SEGMENT_RECORDS,
    _SEGMENT_ROW_SELECT,
    CodeTally,
    Coding,
    DocumentSummary,
    ParagraphHead,
    QueriesMixin,
    SegmentRow,
)
from .schema import (
    _V1,
    _V2,
    _V5_REVISIONS,
    MIGRATIONS,
    SCHEMA_VERSION,
    SchemaMixin,
    strip_foreign_objects,
)
from .segments import SegmentsMixin, ToggleResult, _segment
from .stamps import GUID_NAMESPACE, now, stable_guid, text_hash
from .statuses import STATUSES, StatusesMixin
from .undo import UndoMixin

__all__ = [
    "open_for_reading",
    "BUSY_ATTEMPTS",
    "BUSY_TIMEOUT_MS",
    "DEFAULT_DB",
    "GUID_NAMESPACE",
    "MEANING_FIELDS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "STATUSES",
    "_DOCUMENT_SELECT",
    "_FILE_TROUBLE",
    "_OUR_TABLES",
    "_SEGMENT_RECORDS",
    "_SEGMENT_ROW_SELECT",
    "_V1",
    "_V2",
    "_V5_REVISIONS",
    "CodeRevision",
    "RecheckRow",
    "CodeTally",
    "Coding",
    "DocumentRows",
    "DocumentSummary",
    "DocumentVersion",
    "MemoRow",
    "ParagraphHead",
    "ParagraphRow",
    "QuoteRow",
    "SegmentRow",
    "Split",
    "Store",
    "ToggleResult",
    "_CodePlan",
    "_check_is_project",
    "_describe_change",
    "_document",
    "_fsync_dir",
    "_is_busy",
    "_is_sqlite",
    "_like_prefix",
    "_paragraph",
    "_segment",
    "file_problem",
    "is_file_problem",
    "now",
    "open_store",
    "stable_guid",
    "strip_foreign_objects",
    "text_hash",
]


class Store(
    DocumentsMixin,
    CodersMixin,
    CodeEditsMixin,
    CodesMixin,
    CodeRevisionsMixin,
    SegmentsMixin,
    UndoMixin,
    MemosMixin,
    StatusesMixin,
    AttributesMixin,
    CoverageMixin,
    QueriesMixin,
    AnalysisMixin,
    EventsMixin,
    BackupsMixin,
    SchemaMixin,
    Connection,
):
    """An open project file. Cheap to create; one per thread."""


def open_store(path: str | Path | None = None, *, create: bool = True) -> Store:
    """The project named by --db, else $CODER_DB, else ./coder.db."""
    chosen = path or os.environ.get("CODER_DB") or DEFAULT_DB
    return Store(chosen, create=create)
