"""REFI-QDA export: the codebook as `.qdc`, the project as `.qdpx` (interop guide A.1–A.6).

Export is strict: every file is checked against the standard's XSDs (shipped in `schemas/`)
before it is written, GUIDs are the stable ones the store keeps, dates are `xsd:dateTime` in UTC.

Positions: each document becomes `sources/<GUID>.txt`, its paragraphs joined by a blank line
("\\n\\n"), UTF-8 without BOM, LF. Selections are Python `str` indices into exactly that text,
end exclusive, which is what the standard (§10.2, code points from 0) and the tools that follow
it read. A whole-paragraph coding is a selection over the paragraph's range. Each distinct
span gets one `PlainTextSelection`, carrying one `Coding` per (code, coder) — which is how two
blind coders survive the trip.

What REFI-QDA has no place for (speakers, agreement, history, statuses) is listed in the
report, never dropped silently (standard §7).
"""

from __future__ import annotations

import functools
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from .. import __version__
from ..codebook import normalise_color
from ..errors import CoderError
from ..models import Code, Document
from ..store import SegmentRow, Store, stable_guid
from .atomic import atomic_path, write_atomic
from .scope import code_tree, xml_safe

NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
NS_PROJECT = "urn:QDA-XML:project:1.0"
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
SEPARATOR = "\n\n"
ORIGIN = f"coder {__version__}"
EXCERPT_CHARS = 100

_GUID_RE = re.compile(
    r"\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?\Z"
)
_RGB_RE = re.compile(r"#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})\Z")

# The labels of the flattened code description; import splits them back into fields.
DESCRIPTION_LABELS = (
    ("when_to_use", "When to use"),
    ("when_not_to_use", "When not to use"),
    ("example", "Example"),
    ("key", "Key"),
)


class InvalidExport(Exception):
    """Generated XML that fails the standard's schema: a bug in coder, never the user's doing."""


def norm_guid(value: str | None) -> str | None:
    """`{a-b-…}` or lower case to the plain upper-case form; None when it is not a GUID."""
    if not value:
        return None
    m = _GUID_RE.match(value.strip())
    return m.group(1).upper() if m else None


def xsd_datetime(stamp: str | None) -> str | None:
    """A stored timestamp as `YYYY-MM-DDTHH:MM:SSZ` (UTC), or None if it cannot be read."""
    if not stamp:
        return None
    try:
        when = datetime.fromisoformat(stamp.strip().replace(" ", "T", 1))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def flatten_description(code: Code) -> str:
    """The one free-text `Description` REFI allows, holding every field of the codebook entry."""
    parts = [code.definition.strip()] if code.definition.strip() else []
    for attr, label in DESCRIPTION_LABELS:
        value = code.key if attr == "key" else getattr(code, attr).strip()
        if value:
            parts.append(f"{label}: {value}")
    return SEPARATOR.join(parts)


def parse_description(text: str) -> dict[str, str]:
    """Split a flattened description back into codebook fields; unlabelled text is the
    definition, so another tool's plain description lands there whole."""
    labels = {f"{label}: ": attr for attr, label in DESCRIPTION_LABELS}
    fields: dict[str, list[str]] = defaultdict(list)
    current = "definition"
    for block in text.replace("\r\n", "\n").split(SEPARATOR):
        for prefix, attr in labels.items():
            if block.startswith(prefix):
                current = attr
                block = block[len(prefix):]
                break
        fields[current].append(block)
    return {k: SEPARATOR.join(v).strip() for k, v in fields.items()}


def rgb(color: str | None) -> str | None:
    """A colour the schema accepts (`#RRGGBB`/`#RGB`), converting names; None if impossible."""
    if not color:
        return None
    color = color.strip()
    if _RGB_RE.match(color):
        return color.upper()
    fixed = normalise_color(color)
    return fixed.upper() if fixed and _RGB_RE.match(fixed) else None


@functools.cache
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / name)))


def validate(root: etree._Element, schema: str) -> None:
    checker = _schema(schema)
    if not checker.validate(root):
        first = checker.error_log[0] if checker.error_log else None
        raise InvalidExport(f"generated XML fails {schema}: {first}")


def _xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


@dataclass
class ExportReport:
    path: Path
    documents: int = 0
    codes: int = 0
    coders: int = 0
    selections: int = 0
    codings: int = 0
    notes: int = 0
    warnings: list[str] = field(default_factory=list)
    not_carried: list[str] = field(default_factory=list)


# ── codebook ───────────────────────────────────────────────────────────────────


def _code_elements(parent: etree._Element, ns: str, codes: list[Code], report: ExportReport) -> None:
    tree = code_tree(codes)
    elements: dict[int, etree._Element] = {}
    ids = {c.id for c in codes}
    bad_colors: list[str] = []
    for code, _ in tree:
        holder = elements.get(code.parent_id) if code.parent_id in ids else None
        el = etree.SubElement(holder if holder is not None else parent, f"{{{ns}}}Code")
        el.set("guid", norm_guid(code.guid) or stable_guid("code", code.key))
        el.set("name", xml_safe(code.name))
        el.set("isCodable", "true")
        color = rgb(code.color)
        if color:
            el.set("color", color)
        elif code.color:
            bad_colors.append(f"{code.key} ({code.color})")
        description = flatten_description(code)
        if description:
            etree.SubElement(el, f"{{{ns}}}Description").text = xml_safe(description)
        elements[code.id] = el
    if bad_colors:
        report.warnings.append("colours REFI-QDA cannot express were left out: " + ", ".join(bad_colors))
    report.codes = len(tree)


def codebook_qdc(store: Store, out: Path, *, force: bool = False) -> ExportReport:
    """The project's codebook as a REFI-QDA `.qdc` file."""
    report = ExportReport(Path(out))
    codes = store.codes()
    if not codes:
        raise CoderError("the project has no codes to export; load a codebook with `coder codebook use`")
    root = etree.Element(f"{{{NS_CODEBOOK}}}CodeBook", nsmap={None: NS_CODEBOOK})
    root.set("origin", ORIGIN)
    _code_elements(etree.SubElement(root, f"{{{NS_CODEBOOK}}}Codes"), NS_CODEBOOK, codes, report)
    validate(root, "Codebook.xsd")
    if any(c.shortcut for c in codes):
        report.not_carried.append("code shortcuts (REFI-QDA has no keyboard bindings)")
    write_atomic(Path(out), _xml_bytes(root), force=force)
    return report


# ── project ────────────────────────────────────────────────────────────────────


def source_text(texts: list[str]) -> tuple[str, list[int]]:
    """The exported plain text of a document and where each paragraph starts in it."""
    starts: list[int] = []
    pos = 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + len(SEPARATOR)
    return SEPARATOR.join(texts), starts


def excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1].rstrip() + "…"


def _document_guid(doc: Document, used: set[str]) -> str:
    guid = norm_guid(str(doc.meta.get("refi_guid") or ""))
    if not guid or guid in used:
        guid = stable_guid("document", doc.name)
    used.add(guid)
    return guid


def _segment_guid(seg: SegmentRow) -> str:
    return norm_guid(seg.guid) or stable_guid("segment", seg.guid)


def _sub(parent: etree._Element, tag: str, **attrs: str | None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{NS_PROJECT}}}{tag}")
    for k, v in attrs.items():
        if v is not None:
            el.set(k, v)
    return el


def project_qdpx(store: Store, out: Path, *, force: bool = False) -> ExportReport:
    """The whole project as a REFI-QDA `.qdpx` archive."""
    report = ExportReport(Path(out))
    coder_guids = {name: norm_guid(g) or stable_guid("coder", name)
                   for name, g in store.coder_guids().items()}
    coder_names = store.coders()
    coder_by_id = {store.coder_id(n, create=False): n for n in coder_names}
    codes = store.codes()
    code_guid = {c.key: norm_guid(c.guid) or stable_guid("code", c.key)
                 for c in store.codes(include_retired=True)}
    documents = store.documents()
    rows = store.segment_rows()
    used_keys = {r.code_key for r in rows}
    live_keys = {c.key for c in codes}
    retired_in_use = [c for c in store.codes(include_retired=True)
                      if c.key in used_keys and c.key not in live_keys]
    codes = codes + retired_in_use

    root = etree.Element(f"{{{NS_PROJECT}}}Project", nsmap={None: NS_PROJECT})
    root.set("name", xml_safe(store.path.stem))
    root.set("origin", ORIGIN)
    root.set("creationDateTime", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    if coder_names:
        users = _sub(root, "Users")
        for name in coder_names:
            _sub(users, "User", guid=coder_guids[name], name=xml_safe(name))
    if codes:
        _code_elements(_sub(_sub(root, "CodeBook"), "Codes"), NS_PROJECT, codes, report)

    by_doc: dict[int, list[SegmentRow]] = defaultdict(list)
    for r in rows:
        by_doc[r.document_id].append(r)
    files: list[tuple[str, bytes]] = []
    notes: list[etree._Element] = []
    used_doc_guids: set[str] = set()
    speakers = kinds = times = 0
    non_bmp: list[str] = []
    boundaries: list[str] = []
    replaced = 0
    sources = _sub(root, "Sources") if documents else None
    for doc in documents:
        paragraphs = store.paragraphs(doc.id)
        texts = [p.text for p in paragraphs]
        speakers += sum(1 for p in paragraphs if p.speaker)
        kinds += sum(1 for p in paragraphs if p.kind != "text")
        times += sum(1 for p in paragraphs if p.start_time is not None)
        if any(t == "" or SEPARATOR in t or t.endswith("\n") for t in texts):
            boundaries.append(doc.name)
        text, starts = source_text(texts)
        if any(ord(ch) > 0xFFFF for ch in text):
            non_bmp.append(doc.name)
        guid = _document_guid(doc, used_doc_guids)
        files.append((f"sources/{guid}.txt", text.encode("utf-8")))
        src = _sub(sources, "TextSource", guid=guid, name=xml_safe(doc.name),
                   plainTextPath=f"internal://{guid}.txt")
        start_of = {p.id: starts[i] for i, p in enumerate(paragraphs)}
        length_of = {p.id: len(p.text) for p in paragraphs}
        spans: dict[tuple[int, int], list[SegmentRow]] = defaultdict(list)
        for seg in by_doc.get(doc.id, []):
            base = start_of[seg.paragraph_id]
            if seg.start is None:
                if not length_of[seg.paragraph_id]:
                    report.warnings.append(f"{doc.name} para {seg.n}: empty paragraph, coding left out")
                    continue
                spans[(base, base + length_of[seg.paragraph_id])].append(seg)
            else:
                spans[(base + seg.start, base + seg.end)].append(seg)
        memo_selections = _paragraph_memo_selections(
            store, doc, guid, paragraphs, starts, coder_by_id, coder_guids
        )
        items: list[tuple[tuple[int, int, int], object]] = [
            ((s, e, 0), segs) for (s, e), segs in spans.items()
        ] + [((s, e, 1), memo) for (s, e), memo in memo_selections]
        for (s, e, kind), payload in sorted(items, key=lambda item: item[0]):
            if kind == 0:
                replaced += _selection(src, guid, s, e, text, payload, coder_guids, code_guid,
                                       notes, report)
            else:
                replaced += _memo_selection(src, guid, s, e, payload, coder_guids, notes, report)
        report.documents += 1
    if notes:
        notes_el = _sub(root, "Notes")
        for n in notes:
            notes_el.append(n)
        report.notes = len(notes)
    report.coders = len(coder_names)

    validate(root, "Project.xsd")
    qde = _xml_bytes(root)
    with atomic_path(Path(out), force=force) as tmp, \
            zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
        for name, data in files:
            zf.writestr(name, data)

    _notices(store, report, speakers=speakers, kinds=kinds, times=times, non_bmp=non_bmp,
             boundaries=boundaries, replaced=replaced, codes=codes, retired=retired_in_use)
    return report


def _selection(
    src: etree._Element,
    doc_guid: str,
    start: int,
    end: int,
    text: str,
    segs: list[SegmentRow],
    coder_guids: dict[str, str],
    code_guid: dict[str, str],
    notes: list[etree._Element],
    report: ExportReport,
) -> int:
    segs = sorted(segs, key=lambda s: (s.created_at, s.coder, s.code_key))
    quote = text[start:end]
    name = excerpt(quote)
    safe_name = xml_safe(name)
    memos = {s.memo or "" for s in segs}
    shared_memo = memos.pop() if len(memos) == 1 else ""
    sel = _sub(
        src, "PlainTextSelection",
        guid=stable_guid("selection", f"{doc_guid}:{start}:{end}"),
        name=safe_name,
        startPosition=str(start),
        endPosition=str(end),
        creatingUser=coder_guids.get(segs[0].coder),
        creationDateTime=xsd_datetime(segs[0].created_at),
    )
    replaced = int(safe_name != name)
    if shared_memo:
        safe = xml_safe(shared_memo)
        replaced += int(safe != shared_memo)
        _sub(sel, "Description").text = safe
    for seg in segs:
        seg_guid = _segment_guid(seg)
        coding = _sub(sel, "Coding", guid=seg_guid, creatingUser=coder_guids.get(seg.coder),
                      creationDateTime=xsd_datetime(seg.created_at))
        _sub(coding, "CodeRef", targetGUID=code_guid[seg.code_key])
        if seg.memo and not shared_memo:
            note_guid = stable_guid("memo", seg_guid)
            _sub(coding, "NoteRef", targetGUID=note_guid)
            replaced += _note(notes, note_guid, f"Memo: {seg.code_name} ({seg.coder})", seg.memo,
                              coder_guids.get(seg.coder), seg.created_at)
        report.codings += 1
    report.selections += 1
    return replaced


def _note(notes: list[etree._Element], guid: str, name: str, body: str, user: str | None,
          created: str | None) -> int:
    note = etree.Element(f"{{{NS_PROJECT}}}Note")
    note.set("guid", guid)
    note.set("name", xml_safe(name))
    if user:
        note.set("creatingUser", user)
    stamp = xsd_datetime(created)
    if stamp:
        note.set("creationDateTime", stamp)
    safe = xml_safe(body)
    etree.SubElement(note, f"{{{NS_PROJECT}}}PlainTextContent").text = safe
    notes.append(note)
    return int(safe != body)


def _paragraph_memo_selections(
    store: Store,
    doc: Document,
    doc_guid: str,
    paragraphs: list,
    starts: list[int],
    coder_by_id: dict[int, str],
    coder_guids: dict[str, str],
) -> list[tuple[tuple[int, int], list[tuple[str, str, str]]]]:
    """Paragraph memos, as annotation selections (no Coding) over the paragraph with one Note
    per coder: how NVivo and MAXQDA export text annotations."""
    index = {p.id: i for i, p in enumerate(paragraphs)}
    grouped: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for paragraph_id, coder_id, memo in store.document_paragraph_memos(doc.id):
        if paragraph_id in index and memo:
            grouped[paragraph_id].append((coder_by_id.get(coder_id, "unknown"), memo))
    out = []
    for paragraph_id, memos in grouped.items():
        i = index[paragraph_id]
        p = paragraphs[i]
        if not p.text:
            continue
        out.append(((starts[i], starts[i] + len(p.text)),
                    [(p.n, coder, memo) for coder, memo in sorted(memos)]))
    return out


def _memo_selection(
    src: etree._Element, doc_guid: str, start: int, end: int,
    memos: list[tuple[int, str, str]], coder_guids: dict[str, str],
    notes: list[etree._Element], report: ExportReport,
) -> int:
    n = memos[0][0]
    sel = _sub(src, "PlainTextSelection",
               guid=stable_guid("memo-selection", f"{doc_guid}:{n}"),
               name=f"Memo on paragraph {n}", startPosition=str(start), endPosition=str(end))
    replaced = 0
    for _, coder, memo in memos:
        note_guid = stable_guid("paragraph-memo", f"{doc_guid}:{n}:{coder}")
        _sub(sel, "NoteRef", targetGUID=note_guid)
        replaced += _note(notes, note_guid, f"Memo on paragraph {n} ({coder})", memo,
                          coder_guids.get(coder), None)
    report.selections += 1
    return replaced


def _notices(
    store: Store, report: ExportReport, *, speakers: int, kinds: int, times: int,
    non_bmp: list[str], boundaries: list[str], replaced: int, codes: list[Code],
    retired: list[Code],
) -> None:
    nc = report.not_carried
    if speakers:
        nc.append(f"speakers of {speakers} paragraph(s): a REFI-QDA text source is plain text "
                  "with no speaker field")
    if kinds:
        nc.append(f"paragraph kinds (heading, list, table, quote) of {kinds} paragraph(s)")
    if times:
        nc.append(f"caption timings of {times} paragraph(s)")
    if store.statuses():
        nc.append("each coder's document status (not started / in progress / done)")
    if any(c.shortcut for c in codes):
        nc.append("code shortcuts")
    nc.append("agreement statistics, reconciliation and the undo history (REFI-QDA has no "
              "elements for them)")
    if retired:
        report.warnings.append(
            "retired codes still used by segments were exported with the codebook: "
            + ", ".join(c.key for c in retired)
        )
    if non_bmp:
        report.warnings.append(
            "characters beyond U+FFFF (emoji and the like) in " + ", ".join(non_bmp)
            + ": positions count them as one character, as the standard says; NVivo for Windows "
            "counts two and will shift codings after them"
        )
    if boundaries:
        report.warnings.append(
            "paragraphs that are empty or contain blank lines in " + ", ".join(boundaries)
            + ": another tool will see the text fine, but importing the file back into coder "
            "will split them differently"
        )
    if replaced:
        report.warnings.append(
            f"{replaced} name(s), memo(s) or excerpt(s) held characters XML cannot carry "
            "(control characters); they were replaced by U+FFFD in the XML (source texts are exact)"
        )
