"""Documents, their paragraphs and versions (corrected transcripts), and text search."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from ..errors import CoderError
from ..models import Document, Paragraph, ParsedDocument
from ..vocab import EventKind
from .connection import Connection, inserted_id
from .stamps import now, text_hash


@dataclass(frozen=True)
class DocumentVersion:
    """One version of a re-imported transcript; `superseded_by` is None for the current one."""

    document: Document
    version: int
    superseded_by: int | None
    superseded_at: str | None


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


_DOCUMENT_SELECT = """
SELECT d.*, (SELECT count(*) FROM paragraphs p WHERE p.document_id = d.id) AS n_paragraphs
FROM documents d
"""


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_encode_meta = json.JSONEncoder(ensure_ascii=False).encode


def _meta_json(meta: dict[str, Any]) -> str | None:
    """A paragraph's meta as `json.dumps(meta, ensure_ascii=False)` writes it. Most paragraphs
    of a text file carry only their line number: that one is written directly, since the
    encoder's call costs more than the rest of the paragraph's insert."""
    if not meta:
        return None
    if len(meta) == 1:
        line = meta.get("line")
        if type(line) is int:
            return f'{{"line": {line}}}'
    return _encode_meta(meta)


ParagraphRow = tuple[str, str | None, str, float | None, float | None, str | None]
"""A paragraph as its row stores it: kind, speaker, text, start and end time, meta as JSON."""


@dataclass
class DocumentRows:
    """A parsed document as the tables store it. `coder import` reads files in worker
    processes and hands these plain tuples back: rebuilding a `ParagraphIn` per paragraph
    from a pickle cost the main process more than inserting the paragraph."""

    format: str
    meta: dict[str, Any]
    paragraphs: list[ParagraphRow]
    text_hash: str

    @classmethod
    def of(cls, parsed: ParsedDocument) -> DocumentRows:
        return cls(
            parsed.format,
            parsed.meta,
            [(p.kind, p.speaker, p.text, p.start_time, p.end_time, _meta_json(p.meta))
             for p in parsed.paragraphs],
            text_hash([p.text for p in parsed.paragraphs]),
        )


class DocumentsMixin(Connection):
    def add_document(
        self, name: str, parsed: ParsedDocument | DocumentRows, *, source_path: str | None,
        content_hash: str,
    ) -> Document:
        rows = parsed if isinstance(parsed, DocumentRows) else DocumentRows.of(parsed)
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO documents (name, source_path, content_hash, text_hash, format, meta,"
                " imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    name,
                    source_path,
                    content_hash,
                    rows.text_hash,
                    rows.format,
                    json.dumps(rows.meta, ensure_ascii=False),
                    now(),
                ),
            )
            doc_id = inserted_id(cur)
            self._insert_rows(doc_id, rows.paragraphs)
            self.log_event(
                EventKind.IMPORT,
                {"document": name, "source": source_path, "paragraphs": len(rows.paragraphs)},
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
            self.log_event(EventKind.DOCUMENT_TITLE,
                           {"document": row["name"], "before": before, "after": title})
        return self.document(document_id)

    def _insert_paragraphs(self, document_id: int, parsed: ParsedDocument) -> None:
        self._insert_rows(document_id, DocumentRows.of(parsed).paragraphs)

    def _insert_rows(self, document_id: int, rows: list[ParagraphRow]) -> None:
        """One executemany for the document."""
        self.conn.executemany(
            "INSERT INTO paragraphs (document_id, n, kind, speaker, text, start_time,"
            " end_time, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(document_id, n, *row) for n, row in enumerate(rows, start=1)],
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

    def document_named(self, name: str) -> Document | None:
        """The document (any version) with exactly this name. Unlike `document`, no prefix
        match and no list of every document for a message: an import asks for each file."""
        row = self.conn.execute(_DOCUMENT_SELECT + " WHERE d.name = ?", (name,)).fetchone()
        return _document(row) if row else None

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
            old_id = inserted_id(cur)
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
