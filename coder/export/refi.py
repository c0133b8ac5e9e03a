"""REFI-QDA export: the codebook as `.qdc`, the project as `.qdpx` (interop guide A.1–A.6).

Export is strict: every file is checked against the standard's XSDs (shipped in `schemas/`)
before it is written, GUIDs are the stable ones the store keeps, dates are `xsd:dateTime` in UTC.

Positions: each document becomes `sources/<GUID>.txt`, its paragraphs joined by a blank line
("\\n\\n"), UTF-8 without BOM, LF. Selections are Python `str` indices into exactly that text,
end exclusive, which is what the standard (§10.2, code points from 0) and the tools that follow
it read. A whole-paragraph coding is a selection over the paragraph's range. Each coder's
codings of a span get their own `PlainTextSelection` (`creatingUser` = that coder, one `Coding`
per code, the memo as its `Description`), as QualCoder and NVivo write them and as QualCoder's
importer needs them: it credits a selection's codings to the selection's user and keeps one
coding per code, span and user.

Speakers: a text source has no speaker field, so by default every paragraph that has a speaker
is written `Name: text`, the way typed transcripts look and where the speaker tools of NVivo
(auto code by speaker name), MAXQDA and ATLAS.ti (focus-group transcripts) look for speakers.
Every such paragraph is labelled, not only a change of speaker: a paragraph then names its own
speaker wherever it is coded or quoted, and "same speaker as before" stays distinct from "no
speaker" (headings, notes). Selections cover the paragraph's own text and never the label, so
`text[start:end]` is exactly the quote, whole
paragraphs included. The source's `Description` says so and lists the speakers (JSON), which is
what lets coder's import take exactly those labels off again.

What REFI-QDA has no element for but coder needs to read its own file back whole (titles,
paragraph kinds and boundaries, speakers, caption times, statuses) travels in `coder.json` beside
`project.qde` (see `refi_extra`); what is not carried at all (agreement, history) is listed in
the report, never dropped silently (standard §7).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from .. import __version__
from ..codebook import normalise_color
from ..codetree import CodeTree
from ..errors import CoderError
from ..exclusive import exclusive_groups
from ..models import Code, Document, Paragraph
from ..store import SegmentRow, Store, stable_guid
from ..vocab import ParagraphKind
from .atomic import atomic_path, write_atomic
from .refi_extra import EXTRA_ENTRY, document_extra, extra_bytes
from .scope import xml_safe

NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
NS_PROJECT = "urn:QDA-XML:project:1.0"
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
SEPARATOR = "\n\n"
ORIGIN = f"coder {__version__}"
EXCERPT_CHARS = 100
LABEL_END = ": "
SPEAKERS_PREFIX = "Speakers: "
TITLE_PREFIX = "Title: "
LABELS_EXPLAINED = (
    "Speaker labels: coder wrote each paragraph that has a speaker as \"Name: text\"; "
    "coded selections cover the text after the label."
)

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
    speaker_labels: int = 0
    codes: int = 0
    coders: int = 0
    selections: int = 0
    codings: int = 0
    notes: int = 0
    shared_memos: int = 0  # segment memos carried as the Description of their selection
    descriptions: int = 0  # the selections holding them
    warnings: list[str] = field(default_factory=list)
    not_carried: list[str] = field(default_factory=list)
    coder_only: list[str] = field(default_factory=list)  # in coder.json, which other tools ignore


# ── codebook ───────────────────────────────────────────────────────────────────


def _code_elements(parent: etree._Element, ns: str, codes: list[Code], report: ExportReport) -> None:
    tree = CodeTree(codes)
    elements: dict[int, etree._Element] = {}
    bad_colors: list[str] = []
    for code, _ in tree.walk():
        above = tree.parent(code.id)
        holder = elements.get(above.id) if above is not None else None
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
    report.not_carried.append(
        "the codebook's name and description (a .qdc has no place for them; importing it "
        "names the codebook after the file)")
    write_atomic(Path(out), _xml_bytes(root), force=force)
    return report


# ── project ────────────────────────────────────────────────────────────────────


def source_text(texts: list[str], labels: Sequence[str] | None = None) -> tuple[str, list[int]]:
    """The exported plain text of a document and where each paragraph's own text starts in it,
    after its speaker label (`labels[i]`, "" for none)."""
    labels = labels or [""] * len(texts)
    starts: list[int] = []
    pos = 0
    for label, t in zip(labels, texts, strict=True):
        starts.append(pos + len(label))
        pos += len(label) + len(t) + len(SEPARATOR)
    return SEPARATOR.join(label + t for label, t in zip(labels, texts)), starts


def speaker_label(speaker: str | None) -> str:
    return f"{speaker}{LABEL_END}" if speaker else ""


def split_label(part: str, speakers: Iterable[str]) -> tuple[str | None, int]:
    """(speaker, where the paragraph's own text begins) of one paragraph of an exported source.

    Only names listed in the source's description count, the longest first, so a paragraph
    that merely starts with `Note: ` keeps it as text."""
    best = max((s for s in speakers if s and part.startswith(s + LABEL_END)), key=len, default=None)
    return best, len(best) + len(LABEL_END) if best else 0


def speakers_description(speakers: list[str]) -> str:
    """The source `Description` of a labelled export: a sentence for the people using the other
    tool, then the speakers as one JSON line for coder's import."""
    return f"{LABELS_EXPLAINED}\n{SPEAKERS_PREFIX}{json.dumps(speakers, ensure_ascii=False)}"


def described_speakers(description: str) -> list[str]:
    """The speakers a coder-written source description lists; [] when it lists none."""
    if LABELS_EXPLAINED not in description:
        return []
    for line in description.splitlines():
        if line.startswith(SPEAKERS_PREFIX):
            try:
                value = json.loads(line[len(SPEAKERS_PREFIX):])
            except ValueError:
                return []
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return [v for v in value if v]
    return []


def selection_groups(segs: list[SegmentRow]) -> list[list[SegmentRow]]:
    """The codings of one span split by coder and memo, each group becoming its own selection,
    in order of first coding."""
    groups: dict[tuple[str, str], list[SegmentRow]] = defaultdict(list)
    for seg in sorted(segs, key=lambda s: (s.created_at, s.coder, s.code_key)):
        groups[(seg.coder, seg.memo or "")].append(seg)
    return list(groups.values())


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def described_title(description: str) -> str | None:
    """The title a coder-written source description opens with (kept by tools that re-export
    descriptions, as QualCoder does with a source's memo)."""
    first = description.split("\n", 1)[0].strip()
    title = first[len(TITLE_PREFIX):].strip() if first.startswith(TITLE_PREFIX) else ""
    return title or None


def excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1].rstrip() + "…"


def _document_guid(doc: Document, used: set[str]) -> str:
    """The GUID a document came with from REFI-QDA, else one derived from its name."""
    guid = norm_guid(str(doc.meta.get("refi_guid") or ""))
    if not guid or guid in used:
        guid = stable_guid("document", doc.name)
    used.add(guid)
    return guid


def _sub(parent: etree._Element, tag: str, **attrs: str | None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{NS_PROJECT}}}{tag}")
    for k, v in attrs.items():
        if v is not None:
            el.set(k, v)
    return el


@dataclass
class _Tally:
    """What the notices at the end of an export are made of."""

    speakers: int = 0
    labelled: int = 0
    unlabelled: list[str] = field(default_factory=list)
    kinds: int = 0
    times: int = 0
    empty_codings: int = 0
    non_bmp: list[str] = field(default_factory=list)
    boundaries: list[str] = field(default_factory=list)
    replaced: int = 0


# coder's attribute types as REFI-QDA's typeOfVariable (numbers as decimals: xsd:decimal takes
# integers too, and an attribute's values need not all be whole).
_VARIABLE_TYPES = {"text": "Text", "number": "Float", "date": "Date", "yes/no": "Boolean"}


class _ProjectWriter:
    """Builds `project.qde` and the source files of one export."""

    def __init__(self, store: Store, report: ExportReport, *, speaker_labels: bool = True) -> None:
        self.store = store
        self.report = report
        self.speaker_labels = speaker_labels
        self.tally = _Tally()
        self.coder_guids = {name: norm_guid(g) or stable_guid("coder", name)
                            for name, g in store.coder_guids().items()}
        self.coder_names = store.coders()
        self.coder_by_id = {store.coder_id(n, create=False): n for n in self.coder_names}
        self.all_codes = store.codes(include_retired=True)
        self.code_guid = {c.key: norm_guid(c.guid) or stable_guid("code", c.key)
                          for c in self.all_codes}
        self.notes: list[etree._Element] = []
        self.files: list[tuple[str, bytes]] = []
        self.statuses = store.statuses()
        self.marks = store.reading_marks()
        self.speaker_cases: list[tuple[str, str, str]] = []
        self.extra: dict[str, dict[str, Any]] = {}
        self.variables = {a.name: a for a in store.attributes()}
        self.document_values: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for doc_id, name, value in store.document_attribute_values():
            self.document_values[doc_id].append((name, value))
        self.doc_guids: dict[int, str] = {}
        self.exclusive = [self.code_guid[k] for k in exclusive_groups(store) if k in self.code_guid]

    def build(self) -> etree._Element:
        rows = self.store.segment_rows()
        used = {r.code_key for r in rows}
        codes = self.store.codes()
        live = {c.key for c in codes}
        self.retired = [c for c in self.all_codes if c.key in used and c.key not in live]
        self.codes = codes + self.retired
        root = etree.Element(f"{{{NS_PROJECT}}}Project", nsmap={None: NS_PROJECT})
        root.set("name", xml_safe(self.store.path.stem))
        root.set("origin", ORIGIN)
        root.set("creationDateTime", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        if self.coder_names:
            users = _sub(root, "Users")
            for name in self.coder_names:
                _sub(users, "User", guid=self.coder_guids[name], name=xml_safe(name))
        if self.codes:
            _code_elements(_sub(_sub(root, "CodeBook"), "Codes"), NS_PROJECT, self.codes,
                           self.report)
        by_doc: dict[int, list[SegmentRow]] = defaultdict(list)
        for r in rows:
            by_doc[r.document_id].append(r)
        documents = self.store.documents()
        if documents:
            sources = _sub(root, "Sources")
            used_guids: set[str] = set()
            for doc in documents:
                self.doc_guids[doc.id] = _document_guid(doc, used_guids)
                self.source(sources, doc, self.doc_guids[doc.id], by_doc.get(doc.id, []))
        self.cases_and_variables(root)
        if self.notes:
            notes_el = _sub(root, "Notes")
            notes_el.extend(self.notes)
        self.report.notes = len(self.notes)
        self.report.coders = len(self.coder_names)
        return root

    def source(self, sources: etree._Element, doc: Document, guid: str,
               segs: list[SegmentRow]) -> None:
        paragraphs = self.store.paragraphs(doc.id)
        texts = [p.text for p in paragraphs]
        t = self.tally
        t.kinds += sum(1 for p in paragraphs if p.kind != ParagraphKind.TEXT)
        t.times += sum(1 for p in paragraphs if p.start_time is not None)
        if any("\r" in x for x in texts):
            t.boundaries.append(doc.name)
        labels, speakers = self.labels(doc, paragraphs)
        statuses = {self.coder_guids[name]: status for (doc_id, name), status
                    in self.statuses.items() if doc_id == doc.id and name in self.coder_guids}
        marks = {self.coder_guids[name]: n for (doc_id, name), n in self.marks.items()
                 if doc_id == doc.id and name in self.coder_guids}
        self.extra[guid] = document_extra(doc, paragraphs, labels, statuses, marks)
        text, starts = source_text(texts, labels)
        if any(ord(ch) > 0xFFFF for ch in text):
            t.non_bmp.append(doc.name)
        self.files.append((f"sources/{guid}.txt", text.encode("utf-8")))
        self.report.documents += 1
        src = _sub(sources, "TextSource", guid=guid, name=xml_safe(doc.name),
                   plainTextPath=f"internal://{guid}.txt")
        about = ([f"{TITLE_PREFIX}{self.safe(doc.title)}"] if doc.meta.get("title") else []) + (
            [speakers_description(speakers)] if speakers else [])
        if about:
            _sub(src, "Description").text = "\n".join(about)
        index = {p.id: i for i, p in enumerate(paragraphs)}
        spans: dict[tuple[int, int], list[SegmentRow]] = defaultdict(list)
        for seg in segs:
            i = index[seg.paragraph_id]
            if seg.start is not None and seg.end is not None:
                spans[(starts[i] + seg.start, starts[i] + seg.end)].append(seg)
            elif texts[i]:
                spans[(starts[i], starts[i] + len(texts[i]))].append(seg)
            else:
                t.empty_codings += 1
        memos: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for paragraph_id, coder_id, memo in self.store.document_paragraph_memos(doc.id):
            if paragraph_id in index and memo and texts[index[paragraph_id]]:
                memos[index[paragraph_id]].append((self.coder_by_id.get(coder_id, "unknown"), memo))
        items: list[tuple[int, int, int, int]] = [(s, e, 0, 0) for s, e in spans]
        items += [(starts[i], starts[i] + len(texts[i]), 1, i) for i in memos]
        for s, e, kind, i in sorted(items):
            if kind == 0:
                for group in selection_groups(spans[(s, e)]):
                    self.selection(src, guid, s, e, text, group)
            else:
                for coder, memo in sorted(memos[i]):
                    self.memo_selection(src, guid, s, e, paragraphs[i].n, coder, memo)

        for name, value in self.document_values.get(doc.id, []):
            self.variable_value(src, name, value)

    def cases_and_variables(self, root: etree._Element) -> None:
        """Attributes as Variables, cases as Cases (with their values and the documents that
        belong to them whole), placed where the schema wants them: before Sources."""
        if not self.variables and not self.store.cases():
            return
        at = len(root)
        for i, child in enumerate(root):
            if etree.QName(child).localname in ("Sources", "Notes"):
                at = i
                break
        blocks: list[etree._Element] = []
        if self.variables:
            variables = etree.Element(f"{{{NS_PROJECT}}}Variables")
            for attr in self.variables.values():
                _sub(variables, "Variable", guid=norm_guid(attr.guid), name=xml_safe(attr.name),
                     typeOfVariable=_VARIABLE_TYPES[attr.type])
            blocks.append(variables)
        cases = self.store.cases()
        if cases:
            case_values: dict[int, list[tuple[str, str]]] = defaultdict(list)
            for case_id, name, value in self.store.case_attribute_values():
                case_values[case_id].append((name, value))
            whole: dict[int, list[int]] = defaultdict(list)
            guid_of = {c.id: norm_guid(c.guid) or stable_guid("case", c.name) for c in cases}
            for case_id, doc_id, speaker in self.store.case_links():
                if speaker is None:
                    whole[case_id].append(doc_id)
                elif doc_id in self.doc_guids:
                    self.speaker_cases.append((guid_of[case_id], self.doc_guids[doc_id], speaker))
            cases_el = etree.Element(f"{{{NS_PROJECT}}}Cases")
            for case in cases:
                el = _sub(cases_el, "Case", guid=guid_of[case.id], name=xml_safe(case.name))
                if case.description:
                    _sub(el, "Description").text = self.safe(case.description)
                for name, value in case_values.get(case.id, []):
                    self.variable_value(el, name, value)
                for doc_id in whole.get(case.id, []):
                    if doc_id in self.doc_guids:
                        _sub(el, "SourceRef", targetGUID=self.doc_guids[doc_id])
            blocks.append(cases_el)
            if self.speaker_cases:
                self.report.coder_only.append(
                    f"{len(self.speaker_cases)} speaker link(s) to cases (a REFI-QDA case holds "
                    "whole sources or selections, not a speaker's turns)")
        for offset, block in enumerate(blocks):
            root.insert(at + offset, block)

    def variable_value(self, parent: etree._Element, name: str, value: str) -> None:
        attr = self.variables[name]
        holder = _sub(parent, "VariableValue")
        _sub(holder, "VariableRef", targetGUID=norm_guid(attr.guid))
        kind = _VARIABLE_TYPES[attr.type]
        if kind == "Boolean":
            _sub(holder, "BooleanValue").text = "true" if value == "yes" else "false"
        elif kind == "Float":
            _sub(holder, "FloatValue").text = value
        elif kind == "Date":
            _sub(holder, "DateValue").text = value
        else:
            _sub(holder, "TextValue").text = self.safe(value)

    def labels(self, doc: Document, paragraphs: list[Paragraph]) -> tuple[list[str], list[str]]:
        """Each paragraph's `Name: ` label ("" for none) and the speakers, in order of first turn.

        A document whose labels would not read back exactly (a paragraph without a speaker that
        starts with a speaker's label, a name XML cannot hold or with a line break) is written
        without labels and reported, rather than come back into coder with the wrong speakers."""
        spoken = [p for p in paragraphs if p.speaker]
        none = [""] * len(paragraphs)
        if not spoken:
            return none, []
        if not self.speaker_labels:
            self.tally.speakers += len(spoken)
            return none, []
        speakers = list(dict.fromkeys(p.speaker for p in spoken if p.speaker))
        labels = [speaker_label(p.speaker) for p in paragraphs]
        clash = next((p.n for p, label in zip(paragraphs, labels)
                      if split_label(label + p.text, speakers) != (p.speaker or None, len(label))),
                     None)
        odd = next((s for s in speakers if "\n" in s or "\r" in s or xml_safe(s) != s), None)
        if clash is None and odd is None:
            self.tally.labelled += len(spoken)
            return labels, speakers
        why = (f"paragraph {clash} would read back with the wrong speaker" if clash is not None
               else f"the speaker name {odd!r} cannot be a one-line label")
        self.tally.unlabelled.append(f"{doc.name} ({why})")
        self.tally.speakers += len(spoken)
        return none, []

    def selection(self, src: etree._Element, doc_guid: str, start: int, end: int, text: str,
                  segs: list[SegmentRow]) -> None:
        """One coder's codings of one span that share a memo: one selection whose
        `creatingUser` is that coder (QualCoder credits every coding of a selection to it and
        keeps one coding per code, span and user) and whose `Description` is the memo (where
        QualCoder and ATLAS.ti read coding memos and quotation comments)."""
        first = segs[0]
        memo = first.memo or ""
        seed = f"{doc_guid}:{start}:{end}:{first.coder}" + (f":{_digest(memo)}" if memo else "")
        sel = _sub(
            src, "PlainTextSelection",
            guid=stable_guid("selection", seed),
            name=self.safe(excerpt(text[start:end])),
            startPosition=str(start),
            endPosition=str(end),
            creatingUser=self.coder_guids.get(first.coder),
            creationDateTime=xsd_datetime(first.created_at),
        )
        if memo:
            _sub(sel, "Description").text = self.safe(memo)
            self.report.shared_memos += len(segs)
            self.report.descriptions += 1
        for seg in segs:
            seg_guid = norm_guid(seg.guid) or stable_guid("segment", seg.guid)
            coding = _sub(sel, "Coding", guid=seg_guid,
                          creatingUser=self.coder_guids.get(seg.coder),
                          creationDateTime=xsd_datetime(seg.created_at))
            _sub(coding, "CodeRef", targetGUID=self.code_guid[seg.code_key])
            self.report.codings += 1
        self.report.selections += 1

    def memo_selection(self, src: etree._Element, doc_guid: str, start: int, end: int, n: int,
                       coder: str, memo: str) -> None:
        """A paragraph memo: a selection over the paragraph with no Coding, by its coder, the
        memo as its `Description` (QualCoder and MAXQDA read that as a text annotation) and as
        a `Note` it refers to (how NVivo exports annotations)."""
        sel = _sub(src, "PlainTextSelection",
                   guid=stable_guid("memo-selection", f"{doc_guid}:{n}:{coder}"),
                   name=f"Memo on paragraph {n}", startPosition=str(start),
                   endPosition=str(end), creatingUser=self.coder_guids.get(coder))
        _sub(sel, "Description").text = self.safe(memo)
        note_guid = stable_guid("paragraph-memo", f"{doc_guid}:{n}:{coder}")
        _sub(sel, "NoteRef", targetGUID=note_guid)
        self.note(note_guid, f"Memo on paragraph {n} ({coder})", memo, coder, None)
        self.report.selections += 1

    def note(self, guid: str, name: str, body: str, coder: str, created: str | None) -> None:
        note = etree.Element(f"{{{NS_PROJECT}}}Note")
        note.set("guid", guid)
        note.set("name", self.safe(name))
        if coder in self.coder_guids:
            note.set("creatingUser", self.coder_guids[coder])
        stamp = xsd_datetime(created)
        if stamp:
            note.set("creationDateTime", stamp)
        etree.SubElement(note, f"{{{NS_PROJECT}}}PlainTextContent").text = self.safe(body)
        self.notes.append(note)

    def safe(self, text: str) -> str:
        cleaned = xml_safe(text)
        self.tally.replaced += int(cleaned != text)
        return cleaned

    def notices(self) -> None:
        t, report = self.tally, self.report
        nc = report.not_carried
        report.speaker_labels = t.labelled
        only = report.coder_only
        if t.speakers:
            how = ("speaker labels were turned off" if not self.speaker_labels
                   else "their documents were written without speaker labels")
            only.append(f"speakers of {t.speakers} paragraph(s) (a REFI-QDA text source has no "
                        f"speaker field, and {how})")
        if t.unlabelled:
            report.warnings.append("written without speaker labels: " + "; ".join(t.unlabelled))
        if t.kinds:
            only.append(f"paragraph kinds (heading, list, table, quote) of {t.kinds} paragraph(s)")
        if t.times:
            only.append(f"caption timings of {t.times} paragraph(s)")
        if self.statuses:
            only.append("each coder's document status (not started / in progress / done)")
        if self.marks:
            only.append("how far each coder read each document (agreement counts absence by it)")
        if self.exclusive:
            only.append(f"{len(self.exclusive)} exclusive code group(s)")
        only.append("where each paragraph begins and ends, and each document's metadata")
        if any(c.shortcut for c in self.codes):
            nc.append("code shortcuts")
        nc.append("agreement statistics, reconciliation and the undo history (REFI-QDA has no "
                  "elements for them)")
        if t.empty_codings:
            report.warnings.append(f"{t.empty_codings} coding(s) of empty paragraphs left out")
        if self.retired:
            report.warnings.append(
                "retired codes still used by segments were exported with the codebook: "
                + ", ".join(c.key for c in self.retired))
        if t.non_bmp:
            report.warnings.append(
                "characters beyond U+FFFF (emoji and the like) in " + ", ".join(t.non_bmp)
                + ": positions count them as one character, as the standard says; NVivo for "
                "Windows counts two and will shift codings after them")
        if t.boundaries:
            report.warnings.append(
                "paragraphs holding a carriage return in " + ", ".join(t.boundaries)
                + ": another tool will see the text fine, but importing the file back into coder "
                "will split them at line ends")
        if t.replaced:
            report.warnings.append(
                f"{t.replaced} name(s), memo(s) or excerpt(s) held characters XML cannot carry "
                "(control characters); they were replaced by U+FFFD in the XML (source texts "
                "are exact)")


def project_qdpx(store: Store, out: Path, *, force: bool = False,
                 speaker_labels: bool = True) -> ExportReport:
    """The whole project as a REFI-QDA `.qdpx` archive, validated before it is written.

    `speaker_labels`: write each paragraph that has a speaker as `Name: text` (see the module
    docstring); without it speakers are not carried at all."""
    report = ExportReport(Path(out))
    writer = _ProjectWriter(store, report, speaker_labels=speaker_labels)
    root = writer.build()
    validate(root, "Project.xsd")
    qde = _xml_bytes(root)
    with atomic_path(Path(out), force=force) as tmp, \
            zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
        zf.writestr(EXTRA_ENTRY, extra_bytes(
            writer.extra, speaker_cases=writer.speaker_cases, exclusive_groups=writer.exclusive))
        for name, data in writer.files:
            zf.writestr(name, data)
    writer.notices()
    return report
