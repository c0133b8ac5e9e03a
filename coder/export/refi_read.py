"""Reading REFI-QDA files as other tools really write them (interop guide A.4–A.7).

Import is lenient: any `urn:QDA-XML:*` namespace (NVivo's `1:0` included), the single `*.qde` of
an archive whatever its name, `sources/` in any case, `plainTextPath` with or without
`internal://`, a BOM, CRLF. It is also careful: entities and DTDs are refused (defusedxml),
only entries the project references are read, never extracted, and the total read is capped.

This module only parses; `refi_import` decides what the project makes of it.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from ..errors import CoderError
from ..ingest.archive import MAX_ENTRY_BYTES, read_entry, too_big
from ..store import stable_guid
from .refi import norm_guid
from .refi_extra import EXTRA_ENTRY, parse_extra

MAX_ARCHIVE_BYTES = 512 * 1024 * 1024  # uncompressed bytes read from one archive, all entries
MAX_XML_BYTES = 256 * 1024 * 1024


@dataclass
class RefiCode:
    guid: str
    name: str
    codable: bool
    color: str | None
    description: str
    parent: str | None
    depth: int


@dataclass
class RefiCoding:
    guid: str
    code: str | None
    user: str | None
    created: str | None
    notes: list[str] = field(default_factory=list)


@dataclass
class RefiSelection:
    guid: str
    start: int
    end: int
    name: str
    description: str
    user: str | None
    created: str | None
    codings: list[RefiCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class RefiSource:
    guid: str
    name: str
    text: str | None
    raw_bytes: bytes = b""
    entry: str | None = None
    problem: str | None = None
    description: str = ""
    selections: list[RefiSelection] = field(default_factory=list)
    whole_codings: int = 0
    notes: list[str] = field(default_factory=list)  # NoteRefs of the source itself
    values: list[RefiValue] = field(default_factory=list)  # the source's VariableValues


@dataclass
class RefiValue:
    """One `VariableValue`: the variable it is of and the value as written (its element says
    which type it was written as: `TextValue`, `BooleanValue`, ...)."""

    variable: str
    kind: str
    value: str


@dataclass
class RefiVariable:
    guid: str
    name: str
    type: str  # typeOfVariable: Text, Boolean, Integer, Float, Date, DateTime
    description: str = ""


@dataclass
class RefiCase:
    guid: str
    name: str
    description: str
    values: list[RefiValue] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # SourceRef GUIDs: whole sources
    selections: int = 0  # SelectionRefs: parts of sources, which coder's cases cannot hold
    codes: int = 0  # CodeRefs (NVivo's case classification by code)


@dataclass
class RefiNote:
    guid: str
    name: str
    text: str
    user: str | None
    created: str | None
    span: tuple[int, int] | None = None  # a QualCoder annotation: the text it is about


@dataclass
class RefiProject:
    name: str
    origin: str
    creating_user: str | None
    users: dict[str, str]
    codes: list[RefiCode]
    sources: list[RefiSource]
    notes: dict[str, RefiNote]
    ignored: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    bad_selections: int = 0
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)  # coder.json, by source GUID
    extra_project: dict[str, Any] = field(default_factory=dict)  # coder.json's project entries
    variables: list[RefiVariable] = field(default_factory=list)
    cases: list[RefiCase] = field(default_factory=list)

    @property
    def from_coder(self) -> bool:
        return self.origin.startswith("coder")


# ── XML helpers ────────────────────────────────────────────────────────────────


def local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def kids(el: Element, name: str) -> list[Element]:
    return [c for c in el if local(c.tag) == name]


def kid(el: Element, name: str) -> Element | None:
    return next((c for c in el if local(c.tag) == name), None)


def attr(el: Element, name: str) -> str | None:
    value = el.get(name)
    if value is None:
        for k, v in el.attrib.items():
            if local(k) == name:
                return v
    return value


def text_of(el: Element | None) -> str:
    return "".join(el.itertext()) if el is not None else ""


def parse_xml(data: bytes, where: str) -> Element:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return SafeET.fromstring(data)
    except ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        message = str(exc).split(":")[0]
        raise CoderError(f"not well-formed XML ({message})", path=where, line=line,
                         column=column + 1 if column is not None else None) from None
    except defusedxml.DefusedXmlException as exc:
        raise CoderError(
            f"refused: the XML declares entities or a DTD ({type(exc).__name__}); "
            "REFI-QDA files never need them", path=where,
        ) from None


def check_root(root: Element, expected: str, kind: str, where: str, warnings: list[str]) -> None:
    if local(root.tag) != expected:
        raise CoderError(f"not a REFI-QDA {kind}: the root element is <{local(root.tag)}>, "
                         f"expected <{expected}>", path=where)
    ns = namespace(root.tag)
    if not ns.startswith("urn:QDA-XML:"):
        warnings.append(f"unexpected XML namespace {ns or '(none)'!r}; read as REFI-QDA anyway")
    elif ns not in ("urn:QDA-XML:project:1.0", "urn:QDA-XML:codebook:1.0"):
        warnings.append(f"namespace {ns!r} is not the standard's 1.0 one; read anyway")


def _guid(value: str | None, fallback_seed: str) -> str:
    return norm_guid(value) or stable_guid("refi-import", fallback_seed)


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def read_codes(codes_el: Element | None, warnings: list[str] | None = None) -> list[RefiCode]:
    """Codes parent first, in file order; GUIDs normalised (a missing one gets a stable stand-in).

    A GUID listed twice names one code: the first entry is kept and codings that point at the
    GUID go to it; a sub-code under the repeat is kept under the first."""
    out: list[RefiCode] = []
    if codes_el is None:
        return out
    first_name: dict[str, str] = {}

    def walk(el: Element, parent: str | None, depth: int, seed: str) -> None:
        for i, c in enumerate(kids(el, "Code")):
            name = (attr(c, "name") or "").strip()
            guid = _guid(attr(c, "guid"), f"{seed}/{i}:{name}")
            if guid in first_name:
                if warnings is not None:
                    warnings.append(
                        f"code {name!r} has the GUID {guid} of the code {first_name[guid]!r} "
                        "listed before it; read as that code")
                walk(c, guid, depth + 1, f"{seed}/{i}")
                continue
            first_name[guid] = name
            codable = (attr(c, "isCodable") or "true").strip().lower() not in ("false", "0")
            out.append(RefiCode(guid, name, codable, attr(c, "color"),
                                text_of(kid(c, "Description")), parent, depth))
            walk(c, guid, depth + 1, f"{seed}/{i}")

    walk(codes_el, None, 0, "code")
    return out


def read_qdc(path: Path) -> tuple[list[RefiCode], str, list[str], Counter[str]]:
    """(codes, origin, warnings, ignored element counts) of a `.qdc` file."""
    path = Path(path)
    if not path.is_file():
        raise CoderError("no such file", path=path)
    data = path.read_bytes()
    if len(data) > MAX_XML_BYTES:
        raise CoderError("too large for a codebook", path=path)
    root = parse_xml(data, str(path))
    warnings: list[str] = []
    check_root(root, "CodeBook", "codebook (.qdc)", str(path), warnings)
    codes = read_codes(kid(root, "Codes"), warnings)
    ignored: Counter[str] = Counter()
    sets = kid(root, "Sets")
    if sets is not None:
        ignored["code set (Set)"] += len(kids(sets, "Set"))
    return codes, attr(root, "origin") or "", warnings, ignored


# ── archives ───────────────────────────────────────────────────────────────────


class Archive:
    """Entries of a `.qdpx` looked up case-insensitively and read into memory under a cap."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.zip = zipfile.ZipFile(self.path)
        except zipfile.BadZipFile:
            raise CoderError("not a ZIP archive (a .qdpx file is a ZIP)", path=self.path) from None
        except OSError as exc:
            raise CoderError(f"cannot read: {exc.strerror or exc}", path=self.path) from None
        self.entries: dict[str, zipfile.ZipInfo] = {}
        for info in self.zip.infolist():
            if not info.is_dir():
                self.entries.setdefault(info.filename.replace("\\", "/").lower(), info)
        self.budget = MAX_ARCHIVE_BYTES

    def close(self) -> None:
        self.zip.close()

    def read(self, info: zipfile.ZipInfo) -> bytes:
        if info.flag_bits & 0x1:
            raise CoderError(f"entry {info.filename} is encrypted", path=self.path)
        if info.file_size > self.budget:
            raise too_big("the archive", MAX_ARCHIVE_BYTES, self.path)
        data = read_entry(self.zip, info, min(MAX_ENTRY_BYTES, self.budget), self.path)
        self.budget -= len(data)
        return data

    def project_entry(self, warnings: list[str]) -> zipfile.ZipInfo:
        root_qde = [info for name, info in self.entries.items()
                    if "/" not in name and name.endswith(".qde")]
        if not root_qde:
            nested = [i.filename for n, i in self.entries.items() if n.endswith(".qde")]
            hint = f" (found {nested[0]} in a folder)" if nested else ""
            raise CoderError(f"no project.qde at the top of the archive{hint}; is this a .qdpx?",
                             path=self.path)
        exact = [i for i in root_qde if i.filename.lower() == "project.qde"]
        if exact:
            return exact[0]
        if len(root_qde) > 1:
            warnings.append("several .qde files in the archive; read " + root_qde[0].filename)
        return root_qde[0]

    def find(self, ref: str) -> zipfile.ZipInfo | None:
        """The entry a `plainTextPath` names: `internal://X`, a bare `X`, in `sources/` any case."""
        name = ref.strip()
        if name.lower().startswith("internal://"):
            name = name[len("internal://"):]
        name = name.replace("\\", "/").lstrip("/")
        if ".." in name.split("/"):
            return None
        for candidate in (name, unquote(name)):
            low = candidate.lower()
            for key in (f"sources/{low}", low):
                if key in self.entries:
                    return self.entries[key]
            base = low.rsplit("/", 1)[-1]
            for key, info in self.entries.items():
                parts = key.split("/")
                if parts[-1] == base and len(parts) == 2 and parts[0] == "sources":
                    return info
        return None


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Source text with one BOM stripped and no newline translation; a note if not UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16 text (the standard asks for UTF-8)"
        except UnicodeDecodeError as exc:
            return data.decode("utf-16", errors="replace"), (
                f"UTF-16 text cut short or damaged (byte {exc.start}); the undecodable end is "
                "shown as U+FFFD")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return data.decode("utf-8", errors="replace"), (
            f"not valid UTF-8 (byte {exc.start}); undecodable bytes shown as U+FFFD"
        )


_SCHEME = re.compile(r"^(relative|absolute)://", re.IGNORECASE)


def read_qdpx(path: Path) -> RefiProject:
    """Everything in a `.qdpx` that `coder` can use, plus counts of what it cannot."""
    path = Path(path)
    if not path.is_file():
        raise CoderError("no such file", path=path)
    archive = Archive(path)
    try:
        warnings: list[str] = []
        entry = archive.project_entry(warnings)
        where = f"{path}!{entry.filename}"
        if entry.file_size > MAX_XML_BYTES:
            raise CoderError("project.qde is too large", path=where)
        root = parse_xml(archive.read(entry), where)
        check_root(root, "Project", "project (.qdpx)", where, warnings)
        project = RefiProject(
            name=attr(root, "name") or path.stem,
            origin=attr(root, "origin") or "",
            creating_user=norm_guid(attr(root, "creatingUserGUID")),
            users={},
            codes=[],
            sources=[],
            notes={},
            warnings=warnings,
        )
        users_el = kid(root, "Users")
        for u in kids(users_el, "User") if users_el is not None else []:
            guid = norm_guid(attr(u, "guid"))
            if guid:
                project.users[guid] = (attr(u, "name") or attr(u, "id") or "").strip()
        book = kid(root, "CodeBook")
        project.codes = read_codes(kid(book, "Codes") if book is not None else None,
                                   project.warnings)
        notes_el = kid(root, "Notes")
        for n in kids(notes_el, "Note") if notes_el is not None else []:
            _read_note(archive, n, project)
        sources_el = kid(root, "Sources")
        for i, s in enumerate(list(sources_el) if sources_el is not None else []):
            kind = local(s.tag)
            if kind != "TextSource":
                project.ignored[f"{kind} (only text sources can be coded in coder)"] += 1
                continue
            project.sources.append(_read_source(archive, s, i, project))
        extra = archive.entries.get(EXTRA_ENTRY)
        if project.from_coder and extra is not None and extra.file_size <= MAX_XML_BYTES:
            project.extra, project.extra_project = parse_extra(archive.read(extra))
        _read_variables(kid(root, "Variables"), project)
        _read_cases(kid(root, "Cases"), project)
        for name in ("Links", "Sets", "Graphs"):
            el = kid(root, name)
            if el is not None and len(el):
                project.ignored[f"{name} ({len(el)})"] += 1
        return project
    finally:
        archive.close()


def _read_text(archive: Archive, el: Element, what: str) -> tuple[str | None, bytes, str | None, str | None]:
    """(text, raw bytes, archive entry, problem) of a TextSource-like element."""
    inline = kid(el, "PlainTextContent")
    if inline is not None:
        raw = text_of(inline)
        return raw, raw.encode("utf-8"), None, None
    ref = attr(el, "plainTextPath")
    if not ref:
        rich = attr(el, "richTextPath")
        if rich:
            return None, b"", None, f"{what} has only a rich-text (.docx) file and no plain text"
        return None, b"", None, f"{what} has no text"
    if _SCHEME.match(ref.strip()):
        return None, b"", None, f"{what} is an external file ({ref}), not inside the archive"
    info = archive.find(ref)
    if info is None:
        return None, b"", None, f"{what}: {ref} is not in the archive"
    data = archive.read(info)
    text, note = decode_text(data)
    return text, data, info.filename, note


def _read_note(archive: Archive, el: Element, project: RefiProject) -> None:
    guid = norm_guid(attr(el, "guid"))
    if not guid:
        return
    text, _, _, _ = _read_text(archive, el, "note")
    where = kid(el, "PlainTextSelection")
    span = None
    if where is not None:
        start, end = _int(attr(where, "startPosition")), _int(attr(where, "endPosition"))
        if start is not None and end is not None:
            span = (min(start, end), max(start, end))
    user = norm_guid(attr(el, "creatingUser")) or norm_guid(attr(el, "modifyingUser"))
    project.notes[guid] = RefiNote(
        guid, attr(el, "name") or "", text or "", user,
        attr(el, "creationDateTime") or attr(el, "modifiedDateTime"), span,
    )


def _refs(el: Element) -> list[str]:
    return [g for g in (norm_guid(attr(r, "targetGUID")) for r in kids(el, "NoteRef")) if g]


def _coding(el: Element, seed: str) -> RefiCoding:
    ref = kid(el, "CodeRef")
    return RefiCoding(
        guid=_guid(attr(el, "guid"), seed),
        code=norm_guid(attr(ref, "targetGUID")) if ref is not None else None,
        user=norm_guid(attr(el, "creatingUser")),
        created=attr(el, "creationDateTime"),
        notes=_refs(el),
    )


def file_name(el: Element) -> str:
    """The name of the file a source came from (`path`, else its plain or rich text file), for a
    source whose `name` is missing."""
    for key in ("path", "plainTextPath", "richTextPath"):
        ref = (attr(el, key) or "").strip()
        base = unquote(re.sub(r"^[a-z]+://", "", ref, flags=re.IGNORECASE)).replace("\\", "/")
        base = base.rstrip("/").rsplit("/", 1)[-1]
        if base:
            return base
    return ""


def _read_source(archive: Archive, el: Element, index: int, project: RefiProject) -> RefiSource:
    name = ((attr(el, "name") or "").strip() or file_name(el) or f"Source {index + 1}")
    guid = _guid(attr(el, "guid"), f"source/{index}:{name}")
    text, raw, entry, problem = _read_text(archive, el, f"source {name!r}")
    source = RefiSource(guid, name, text, raw, entry, description=text_of(kid(el, "Description")))
    if text is None:
        source.problem = problem
    elif problem:
        project.warnings.append(f"source {name!r}: {problem}")
    for j, sel in enumerate(kids(el, "PlainTextSelection")):
        start, end = _int(attr(sel, "startPosition")), _int(attr(sel, "endPosition"))
        if start is None or end is None:
            project.bad_selections += 1
            continue
        sguid = _guid(attr(sel, "guid"), f"{guid}/sel/{j}")
        selection = RefiSelection(
            guid=sguid,
            start=min(start, end),
            end=max(start, end),
            name=attr(sel, "name") or "",
            description=text_of(kid(sel, "Description")),
            user=norm_guid(attr(sel, "creatingUser")),
            created=attr(sel, "creationDateTime"),
            notes=_refs(sel),
        )
        selection.codings = [_coding(c, f"{sguid}/coding/{k}")
                             for k, c in enumerate(kids(sel, "Coding"))]
        source.selections.append(selection)
    source.whole_codings = len(kids(el, "Coding"))
    source.notes = _refs(el)
    source.values = _values(el)
    return source


_VALUE_KINDS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue",
                "DateTimeValue")


def _values(el: Element) -> list[RefiValue]:
    """The `VariableValue`s of a source or case that name a variable and hold a value."""
    out: list[RefiValue] = []
    for holder in kids(el, "VariableValue"):
        ref = kid(holder, "VariableRef")
        guid = norm_guid(attr(ref, "targetGUID")) if ref is not None else None
        value = next((c for c in holder if local(c.tag) in _VALUE_KINDS), None)
        if guid and value is not None:
            out.append(RefiValue(guid, local(value.tag), text_of(value)))
    return out


def _read_variables(el: Element | None, project: RefiProject) -> None:
    for i, v in enumerate(kids(el, "Variable") if el is not None else []):
        name = (attr(v, "name") or "").strip()
        project.variables.append(RefiVariable(
            _guid(attr(v, "guid"), f"variable/{i}:{name}"), name,
            (attr(v, "typeOfVariable") or "Text").strip(), text_of(kid(v, "Description"))))


def _read_cases(el: Element | None, project: RefiProject) -> None:
    for i, c in enumerate(kids(el, "Case") if el is not None else []):
        name = (attr(c, "name") or "").strip()
        refs = (norm_guid(attr(r, "targetGUID")) for r in kids(c, "SourceRef"))
        project.cases.append(RefiCase(
            _guid(attr(c, "guid"), f"case/{i}:{name}"), name, text_of(kid(c, "Description")),
            _values(c), [g for g in refs if g], len(kids(c, "SelectionRef")),
            len(kids(c, "CodeRef"))))
