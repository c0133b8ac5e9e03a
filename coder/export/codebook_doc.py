"""The codebook as a thesis appendix: each code with its definition, inclusion and exclusion
rules, an example, and how often it was applied."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..codetree import CodeTree
from ..models import Code
from ..store import MEANING_FIELDS, CodeRevision, Store
from .render import DocxBuilder, md_blockquote, md_heading, md_text
from .scope import subtree_keys

CODEBOOK_FORMATS = ("md", "docx", "qdc", "csv", "yaml")


@dataclass
class Entry:
    code: Code
    depth: int
    segments: int = 0
    documents: int = 0
    by_coder: dict[str, int] = field(default_factory=dict)
    with_subcodes: int | None = None  # segments of the code and every code below it
    revisions: list[CodeRevision] = field(default_factory=list)

    def revision_lines(self) -> list[str]:
        """Each revision with what it changed, oldest first; none for a code whose meaning
        never changed (its one revision is the definition printed above)."""
        if len(self.revisions) < 2:
            return []
        out = []
        for earlier, r in zip([None, *self.revisions], self.revisions, strict=False):
            head = f"r{r.n}, {r.at[:10]}" + (f", by {r.author}" if r.author else "")
            head += f" ({r.note})" if r.note else ""
            fields = [f for f in MEANING_FIELDS
                      if earlier is None or getattr(earlier, f) != getattr(r, f)]
            changes = "; ".join(f"{dict(_FIELDS)[f]}: {getattr(r, f) or '(none)'}"
                                for f in fields if earlier is not None or getattr(r, f))
            out.append(f"{head}: {changes}" if changes else head)
        return out

    def frequency(self) -> str:
        below = "" if self.with_subcodes is None else f"{self.with_subcodes} with sub-codes"
        if not self.segments:
            return f"not applied itself; {below}" if self.with_subcodes else "not applied yet"
        coders = ", ".join(f"{c} {n}" for c, n in self.by_coder.items())
        s = "" if self.segments == 1 else "s"
        d = "" if self.documents == 1 else "s"
        own = f"{self.segments} segment{s} in {self.documents} document{d} ({coders})"
        return f"{own}; {below}" if below else own


def codebook_entries(store: Store, counted: list[str] | None = None) -> list[Entry]:
    """Each code with its frequencies, counting only the `counted` coders' codings when given."""
    rows = store.segment_rows(coders=counted)
    seg: Counter[str] = Counter()
    docs: dict[str, set[int]] = defaultdict(set)
    coders: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        seg[r.code_key] += 1
        docs[r.code_key].add(r.document_id)
        coders[r.code_key][r.coder] += 1
    codes = CodeTree(store.codes())
    subtree = subtree_keys(codes)
    return [
        Entry(code, depth, seg[code.key], len(docs[code.key]),
              dict(sorted(coders[code.key].items())),
              sum(seg[k] for k in subtree[code.key]) if len(subtree[code.key]) > 1 else None,
              store.code_revisions(code.id))
        for code, depth in codes.walk()
    ]


_FIELDS = (
    ("definition", "Definition"),
    ("when_to_use", "When to use"),
    ("when_not_to_use", "When not to use"),
)


def codebook_markdown(entries: list[Entry], *, title: str) -> str:
    out = [md_heading(title, 1), ""]
    for e in entries:
        out += [md_heading(e.code.name, e.depth + 2), ""]
        out += [md_text(f"Key: {e.code.key}" + (f" · Path: {e.code.path}" if e.depth else "")), ""]
        for attr, label in _FIELDS:
            value = getattr(e.code, attr)
            if value:
                out += [md_text(f"{label}: {value}"), ""]
        if e.code.example:
            out += [md_text("Example:"), "", md_blockquote(e.code.example), ""]
        out += [md_text(f"Frequency: {e.frequency()}"), ""]
        if e.revision_lines():
            out += [md_text("Revisions:"), ""]
            out += ["- " + md_text(line) for line in e.revision_lines()] + [""]
    return "\n".join(out)


def codebook_docx(entries: list[Entry], path: Path, *, title: str, author: str,
                  page_size: str) -> int:
    doc = DocxBuilder(author=author, page_size=page_size)
    doc.set_title(title)
    doc.paragraph(title, "Title")
    for e in entries:
        doc.heading(e.code.name, e.depth + 1)
        doc.paragraph([("Key: ", "b"), (e.code.key, "")]
                      + ([("   Path: ", "b"), (e.code.path, "")] if e.depth else []))
        for attr, label in _FIELDS:
            value = getattr(e.code, attr)
            if value:
                doc.paragraph([(f"{label}: ", "b"), (value, "")])
        if e.code.example:
            doc.paragraph([("Example:", "b")])
            doc.paragraph(e.code.example, "Quote")
        doc.paragraph([("Frequency: ", "b"), (e.frequency(), "")])
        if e.revision_lines():
            doc.paragraph([("Revisions:", "b")])
            for line in e.revision_lines():
                doc.paragraph(line)
    doc.save(path)
    return doc.replaced
