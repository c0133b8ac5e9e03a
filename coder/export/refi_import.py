"""REFI-QDA into coder: a `.qdpx` into a project, a `.qdc` into a YAML codebook.

Positions are checked, not trusted (interop guide A.5): for each source the counting
conventions that differ on its text (code points; UTF-16 units as NVivo for Windows counts;
CRLF as one character as ATLAS.ti counts) are tried, and the one under which selections land on
word boundaries and match their quoted excerpts wins. Any choice other than the standard's code
points is reported.

The text is then cut into paragraphs. A file coder wrote is cut where its `coder.json` says
(else where coder joined it, at blank lines, taking off only the `Name: ` labels of the speakers
its source description lists); a text that is exactly what coder exports for a document already
in the project is that document, whatever the file's GUIDs; another tool's text is cut at blank
lines (or at line breaks when it has none), and speaker labels recognised the way `coder import`
recognises them are taken off only where that changes neither the text nor any position.
Codes already in the project are matched by GUID, then by path, then by a unique name, so a
file written back by a tool that issues new GUIDs adds nothing twice. Each selection is
placed on the paragraphs it covers: a selection over a whole paragraph is a whole-paragraph
coding, a selection across paragraphs becomes one segment per paragraph part, and what cannot
be placed is counted and reported. Nothing is written until all of it has been worked out, and
then in one transaction.
"""

from __future__ import annotations

import functools
import hashlib
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..codebook import normalise_color, parse_codebook, slugify
from ..errors import CoderError
from ..exclusive import breaches, exclusive_groups, set_exclusive_groups
from ..ingest import speakers as speaker_labels
from ..models import Code, ParagraphIn, ParsedDocument
from ..spans import sort_out
from ..store import Store, now, stable_guid, text_hash
from ..text import coder_name_problem
from ..vocab import EventKind
from .refi import (
    LABEL_END,
    SEPARATOR,
    described_speakers,
    described_title,
    parse_description,
    source_text,
    speaker_label,
    split_label,
    xsd_datetime,
)
from .refi_cases import CasePlan, plan_cases
from .refi_extra import (
    cuts_from_extra,
    exclusive_groups_of,
    format_of,
    marks_of,
    meta_of,
    statuses_of,
)
from .refi_read import (
    RefiCode,
    RefiProject,
    RefiSelection,
    RefiSource,
    read_qdc,
    read_qdpx,
)

MAX_KEY = 64
_KEY_RE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*\Z")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
_EXTENSIONS = (".txt", ".docx", ".doc", ".rtf", ".odt", ".pdf", ".md", ".html", ".htm")
_NAME_ONLY = re.compile(r"line:\d+\Z|Memo on paragraph \d+\Z")
DEFAULT_CODER = "imported"


# ── codes ──────────────────────────────────────────────────────────────────────


@dataclass
class PlannedCode:
    refi: RefiCode
    key: str
    name: str
    parent_key: str | None
    fields: dict[str, str]
    color: str | None


def lenient_color(value: str | None) -> tuple[str | None, bool]:
    """(`#rrggbb` or None, whether a given colour had to be dropped). An alpha channel
    (`#RRGGBBAA`, `rgba()`) is dropped; `plan_codes` says so."""
    if not value or not value.strip():
        return None, False
    v = value.strip()
    m = re.fullmatch(r"#([0-9a-fA-F]{6})([0-9a-fA-F]{2})?", v)
    if m:
        return "#" + m.group(1).lower(), False
    m = re.fullmatch(r"rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,[^)]*)?\)", v, re.IGNORECASE)
    if m and all(int(g) <= 255 for g in m.groups()):
        return "#" + "".join(f"{int(g):02x}" for g in m.groups()), False
    fixed = normalise_color(v)
    return (fixed, False) if fixed else (None, True)


def _has_alpha(value: str) -> bool:
    v = value.strip()
    return bool(re.fullmatch(r"#[0-9a-fA-F]{8}", v) or re.match(r"rgba\(", v, re.IGNORECASE))


def _unique(base: str, taken: set[str], limit: int | None = None) -> str:
    """`base`, or `base-2`, `base-3`… (kept within `limit` characters), recorded as taken."""
    candidate = base
    n = 2
    while candidate in taken:
        suffix = f"-{n}"
        stem = base[: limit - len(suffix)].rstrip("-_") if limit else base
        candidate = stem + suffix
        n += 1
    taken.add(candidate)
    return candidate


def _unique_name(base: str, taken: set[str]) -> str:
    """`base`, or `base (2)`, `base (3)`…, recorded as taken."""
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base} ({n})"
        n += 1
    taken.add(candidate)
    return candidate


def plan_codes(codes: list[RefiCode], taken_keys: set[str], notes: list[str]) -> list[PlannedCode]:
    """Keys, names and fields for codes read from REFI-QDA: the `Key:` line coder writes if it
    is free, else a slug of the name; names made valid (one line, no '/') and unique among
    siblings."""
    planned: list[PlannedCode] = []
    key_of: dict[str, str] = {}
    sibling_names: dict[str | None, set[str]] = defaultdict(set)
    renamed: list[str] = []
    dropped_colors: list[str] = []
    alphas: list[str] = []
    for c in codes:
        fields = parse_description(c.description) if c.description else {}
        name = " ".join(c.name.split()).replace("/", "-") or "Unnamed code"
        folded = sibling_names[c.parent]
        if name.casefold() in folded:
            base = name
            n = 2
            while f"{base} ({n})".casefold() in folded:
                n += 1
            name = f"{base} ({n})"
        folded.add(name.casefold())
        if name != c.name:
            renamed.append(f"{c.name!r} -> {name!r}")
        wanted = fields.pop("key", "")
        if wanted and _KEY_RE.match(wanted) and len(wanted) <= MAX_KEY and wanted not in taken_keys:
            key = wanted
            taken_keys.add(key)
        else:
            key = _unique(slugify(name) or "code", taken_keys, MAX_KEY)
        key_of[c.guid] = key
        color, dropped = lenient_color(c.color)
        if dropped:
            dropped_colors.append(f"{name} ({c.color})")
        elif color and _has_alpha(c.color or ""):
            alphas.append(f"{name} ({c.color.strip() if c.color else ''})")
        planned.append(PlannedCode(c, key, name, key_of.get(c.parent) if c.parent else None,
                                   fields, color))
    if renamed:
        notes.append("code names changed to be valid (one line, no '/', unique among siblings): "
                     + "; ".join(renamed))
    if dropped_colors:
        notes.append("colours that are not #RRGGBB, rgb() or a colour name were dropped: "
                     + ", ".join(dropped_colors))
    if alphas:
        notes.append("colour transparency (alpha) dropped, coder colours are opaque: "
                     + ", ".join(alphas))
    folders = [p.name for p in planned if not p.refi.codable]
    if folders:
        notes.append(f"{len(folders)} non-codable code(s) (folders in the other tool) became "
                     "ordinary codes: " + ", ".join(folders))
    return planned


def refi_paths(codes: list[RefiCode]) -> dict[str, str]:
    """Each code's path of names from the top (`Stigma/Labels`), as coder writes paths."""
    by_guid = {c.guid: c for c in codes}
    paths: dict[str, str] = {}
    for c in codes:  # parents come first
        parent = paths.get(c.parent) if c.parent in by_guid else None
        paths[c.guid] = f"{parent}/{c.name.strip()}" if parent else c.name.strip()
    return paths


def match_codes(codes: list[RefiCode], existing: list[Code]) -> tuple[dict[str, str], dict[str, str]]:
    """({file GUID: project key}, {file GUID: how}) for the codes of a file that are already in
    the project: by GUID; else by path of names (a tool that re-exports with new GUIDs keeps
    the tree); else by a name that only one code has in the file and in the project. Names are
    compared without regard to case and repeated spaces."""
    def fold(text: str) -> str:
        return " ".join(text.split()).casefold()

    by_guid = {c.guid.upper(): c.key for c in existing if c.guid}
    by_path = {fold(c.path): c.key for c in existing}
    names = Counter(fold(c.name) for c in existing)
    by_name = {fold(c.name): c.key for c in existing if names[fold(c.name)] == 1}
    file_names = Counter(fold(c.name) for c in codes)
    paths = refi_paths(codes)
    keys: dict[str, str] = {}
    how: dict[str, str] = {}
    taken: set[str] = set()
    for rule in ("GUID", "path", "name"):
        for c in codes:
            if c.guid in keys:
                continue
            if rule == "GUID":
                key = by_guid.get(c.guid)
            elif rule == "path":
                key = by_path.get(fold(paths[c.guid]))
            else:
                key = by_name.get(fold(c.name)) if file_names[fold(c.name)] == 1 else None
            if key is not None and key not in taken:
                keys[c.guid], how[c.guid] = key, rule
                taken.add(key)
    return keys, how


# ── qdc -> YAML ────────────────────────────────────────────────────────────────


@dataclass
class QdcReport:
    codes: int = 0
    notes: list[str] = field(default_factory=list)


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def qdc_to_yaml(path: Path) -> tuple[str, QdcReport]:
    """A `.qdc` codebook as the text of a YAML codebook that `coder codebook check` accepts."""
    path = Path(path)
    codes, origin, warnings, ignored = read_qdc(path)
    if not codes:
        raise CoderError("the codebook has no codes", path=path)
    report = QdcReport(notes=list(warnings))
    planned = plan_codes(codes, set(), report.notes)
    entries: dict[str, dict[str, Any]] = {}
    top: list[dict[str, Any]] = []
    for p in planned:
        entry: dict[str, Any] = {"key": p.key, "name": p.name}
        for f in ("definition", "when_to_use", "when_not_to_use", "example"):
            if p.fields.get(f):
                entry[f] = p.fields[f]
        if p.color:
            entry["color"] = p.color
        entries[p.key] = entry
        if p.parent_key:
            entries[p.parent_key].setdefault("codes", []).append(entry)
        else:
            top.append(entry)
    description = f"Imported from {path.name}" + (f" (made by {origin})" if origin else "")
    data = {"name": path.stem, "description": description, "codes": top}
    report.notes.append(
        f"a .qdc has no codebook name or description: named it {path.stem!r} after the file, "
        "described it as imported; edit both at the top of the YAML")
    header = (f"# Codebook imported from the REFI-QDA file {path.name}.\n"
              "# Keys are permanent identities: keep them when you rename codes.\n\n")
    text = header + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                              default_flow_style=False, width=4096, indent=2)
    parse_codebook(text, str(path.with_suffix(".yaml")))  # a bug here must not reach the user's file
    report.codes = len(planned)
    lost = sum(1 for p in planned if p.refi.guid != stable_guid("code", p.key))
    if lost:
        report.notes.append(
            f"GUIDs of {lost} code(s): a YAML codebook has no place for them, so loading it gives "
            "those codes new GUIDs (import the .qdpx instead to keep them)")
    for what, n in ignored.items():
        report.notes.append(f"not imported: {n} {what}")
    return text, report


# ── positions ──────────────────────────────────────────────────────────────────


def _u16_to_cp(units: list[int]) -> Callable[[int], int]:
    def convert(q: int) -> int:
        return q - bisect_right(units, q - 2)
    return convert


def conventions(raw: str) -> list[tuple[str, Callable[[int], int]]]:
    """The position readings that differ on this text, the standard's first; each maps a
    position in the file to an index into the LF-only text."""
    crlf = [m.start() for m in re.finditer("\r\n", raw)]

    def raw_to_clean(p: int) -> int:
        return p - bisect_left(crlf, p)

    out: list[tuple[str, Callable[[int], int]]] = [("code points (the standard)", raw_to_clean)]
    if crlf:
        out.append(("code points with CRLF counted as one character (ATLAS.ti style)",
                    lambda p: p))
    astral = [m.start() for m in re.finditer("[\U00010000-\U0010FFFF]", raw)]
    if astral:
        units_raw = [a + k for k, a in enumerate(astral)]
        to_cp = _u16_to_cp(units_raw)
        out.append(("UTF-16 code units (NVivo for Windows style)", lambda q: raw_to_clean(to_cp(q))))
        if crlf:
            clean = raw.replace("\r\n", "\n")
            astral_clean = [m.start() for m in re.finditer("[\U00010000-\U0010FFFF]", clean)]
            to_cp_clean = _u16_to_cp([a + k for k, a in enumerate(astral_clean)])
            out.append(("UTF-16 code units with CRLF counted as one", to_cp_clean))
    return out


def _on_boundary(text: str, i: int) -> bool:
    return i <= 0 or i >= len(text) or not (text[i - 1].isalnum() and text[i].isalnum())


def _flat(s: str) -> str:
    return " ".join(s.split())


def score(clean: str, selections: list[RefiSelection], convert: Callable[[int], int]) -> tuple[int, int, int]:
    """(excerpts matched, selections on word boundaries, selections inside the text)."""
    names = bounds = inside = 0
    for sel in selections:
        s, e = convert(sel.start), convert(sel.end)
        if not 0 <= s < e <= len(clean):
            continue
        inside += 1
        if _on_boundary(clean, s) and _on_boundary(clean, e):
            bounds += 1
        name = _flat(sel.name).rstrip("…").rstrip(".").strip()
        if len(name) >= 3 and not _NAME_ONLY.match(name) and _flat(clean[s:e]).startswith(name[:60]):
            names += 1
    return names, bounds, inside


def choose_positions(raw: str, selections: list[RefiSelection]) -> tuple[str, Callable[[int], int], str | None]:
    """(label, converter, note for the user if not the standard reading)."""
    options = conventions(raw)
    clean = raw.replace("\r\n", "\n")
    if len(options) == 1 or not selections:
        return options[0][0], options[0][1], None
    scored = [(score(clean, selections, conv), -i, label, conv)
              for i, (label, conv) in enumerate(options)]
    best = max(scored, key=lambda t: (t[0][0] * 2 + t[0][1] + t[0][2], t[1]))
    (names, bounds, _), rank, label, conv = best
    if rank == 0:
        return label, conv, None
    base = scored[0][0]
    n = len(selections)
    note = (f"positions read as {label}: {bounds} of {n} selections fall on word boundaries "
            f"that way (against {base[1]} as code points)")
    if names:
        note += f", {names} match their quoted excerpt (against {base[0]})"
    return label, conv, note


# ── paragraphs ─────────────────────────────────────────────────────────────────


@dataclass
class Cut:
    start: int
    end: int
    speaker: str | None = None
    start_time: float | None = None
    kind: str = "text"


def cut_exact(clean: str, speakers: list[str] | None = None) -> list[Cut]:
    """Paragraphs of a text coder exported: joined by one blank line, each paragraph of a listed
    speaker starting with that speaker's `Name: ` label, nothing else touched."""
    cuts, pos = [], 0
    for part in clean.split(SEPARATOR):
        speaker, skip = split_label(part, speakers) if speakers else (None, 0)
        cuts.append(Cut(pos + skip, pos + len(part), speaker))
        pos += len(part) + len(SEPARATOR)
    return cuts


def cut_paragraphs(clean: str, bounds: tuple[list[int], list[int]] = ([], [])) -> list[Cut]:
    """Paragraphs of another tool's text: blocks between blank lines, or lines when the text has
    no blank line; surrounding whitespace left out.

    Speaker labels are taken off as speakers only when that changes neither the text nor a
    position: every label is exactly `Name: ` (what coder writes back, so an export gives the
    same text), and no selection (`bounds`: sorted starts, sorted ends) begins or ends inside
    one. Otherwise the whole text keeps its labels as text, so a quotation that starts at
    `Mr. Dabor:` keeps the label and the spaces after it."""
    separator = _BLANK_LINE if _BLANK_LINE.search(clean) else re.compile(r"\n")
    cuts: list[Cut] = []
    pos = 0
    for m in [*separator.finditer(clean), None]:
        end = m.start() if m else len(clean)
        s, e = pos, end
        while s < e and clean[s].isspace():
            s += 1
        while e > s and clean[e - 1].isspace():
            e -= 1
        if s < e:
            cuts.append(Cut(s, e))
        if m:
            pos = m.end()
    firsts = [clean[c.start:c.end].split("\n", 1)[0] for c in cuts]
    accepted = speaker_labels.accepted_speakers(firsts)
    found = []
    for c, first in zip(cuts, firsts):
        label = speaker_labels.find_label(first) if accepted else None
        if label is not None and label.key in accepted and c.start + label.end < c.end:
            found.append((c, label))
    starts, ends = bounds
    for c, label in found:
        a, b = c.start, c.start + label.end
        if clean[a:b] != f"{label.speaker}{LABEL_END}" or label.time is not None:
            return cuts
        if bisect_left(starts, a) != bisect_left(starts, b) or \
                bisect_right(ends, a) != bisect_right(ends, b):
            return cuts
    for c, label in found:
        c.speaker = label.speaker
        c.start += label.end
    return cuts


def place(cuts: list[Cut], starts: list[int], s: int, e: int) -> list[tuple[int, int | None, int | None]]:
    """(paragraph index, start, end) parts of `[s, e)`; start/end None for a whole paragraph."""
    i = max(bisect_right(starts, s) - 1, 0)
    parts: list[tuple[int, int | None, int | None]] = []
    while i < len(cuts) and cuts[i].start < e:
        c = cuts[i]
        a, b = max(s, c.start), min(e, c.end)
        if a < b:
            parts.append((i, None, None) if (a, b) == (c.start, c.end) else (i, a - c.start, b - c.start))
        i += 1
    return parts


# ── qdpx -> project ────────────────────────────────────────────────────────────


@dataclass
class ImportReport:
    source: Path
    documents_added: list[str] = field(default_factory=list)
    documents_matched: list[str] = field(default_factory=list)
    codes_added: list[str] = field(default_factory=list)
    codes_matched: int = 0
    codes_matched_by: dict[str, int] = field(default_factory=dict)  # "GUID"/"path"/"name" -> n
    coders: list[str] = field(default_factory=list)
    segments_added: int = 0
    segments_skipped: int = 0
    memos_added: int = 0
    attributes_added: list[str] = field(default_factory=list)
    cases_added: list[str] = field(default_factory=list)
    values_added: int = 0
    case_links_added: int = 0
    exclusive_groups_added: list[str] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)
    not_imported: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    backup: str | None = None


@dataclass
class _PlannedDoc:
    source: RefiSource
    name: str
    parsed: ParsedDocument
    content_hash: str
    existing_id: int | None
    segments: list[dict[str, Any]]
    memos: dict[tuple[int, str], list[str]]
    statuses: dict[str, str] = field(default_factory=dict)  # user GUID -> status
    marks: dict[str, int] = field(default_factory=dict)  # user GUID -> furthest paragraph read


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def exported_texts(store: Store) -> dict[str, list[Cut]]:
    """The text coder exports for each current document, with speaker labels and without, as
    its hash -> where each paragraph is in it: a file another tool wrote back from coder's
    export (with new GUIDs, as QualCoder does) is then the document already in the project."""
    out: dict[str, list[Cut]] = {}
    for doc in store.documents():
        paragraphs = store.paragraphs(doc.id)
        texts = [p.text for p in paragraphs]
        for labels in ([speaker_label(p.speaker) for p in paragraphs], None):
            text, starts = source_text(texts, labels)
            out.setdefault(_sha(text), [
                Cut(a, a + len(p.text), p.speaker if labels else None, p.start_time, p.kind)
                for a, p in zip(starts, paragraphs)])
    return out


def _strip_extension(name: str) -> str:
    low = name.lower()
    for ext in _EXTENSIONS:
        if low.endswith(ext) and len(name) > len(ext):
            return name[: -len(ext)]
    return name


def import_qdpx(store: Store, path: Path) -> ImportReport:
    """Bring a `.qdpx` project's sources, codes, users, codings and memos into `store`."""
    path = Path(path)
    project = read_qdpx(path)
    report = ImportReport(path, warnings=list(project.warnings))
    notes = report.not_imported

    code_key, how = match_codes(project.codes, store.codes(include_retired=True))
    fresh = [c for c in project.codes if c.guid not in code_key]
    planned = plan_codes(fresh, set(store.code_key_map()), report.warnings)
    code_key.update({p.refi.guid: p.key for p in planned})
    for p in planned:
        if p.parent_key is None and p.refi.parent in code_key:
            p.parent_key = code_key[p.refi.parent]
    report.codes_matched = len(project.codes) - len(fresh)
    report.codes_matched_by = dict(Counter(how.values()))

    users = _plan_users(project, report)
    default_user = project.creating_user if project.creating_user in users else None

    def user_of(*candidates: str | None) -> str:
        for g in candidates:
            if g:
                if g not in users:
                    users[g] = _unique_name(f"user {g[:8].lower()}", set(users.values()))
                    report.warnings.append(f"user {g} is not listed in the project; "
                                           f"named {users[g]!r}")
                return g
        if default_user:
            return default_user
        if "" not in users:
            users[""] = _unique_name(DEFAULT_CODER, set(users.values()))
            report.warnings.append(f"codings and notes without a user were attributed to a coder "
                                   f"named {users['']!r}")
        return ""

    taken_names = {d.name for d in store.documents(include_superseded=True)}
    known_texts = functools.cache(lambda: exported_texts(store))
    coding_guids: set[str] = set()
    docs: list[_PlannedDoc] = []
    counts: Counter[str] = Counter()
    used_notes: set[str] = set()
    for source in project.sources:
        if source.text is None:
            notes.append(source.problem or f"source {source.name!r} has no text")
            continue
        raw = source.text
        label, convert, note = choose_positions(raw, source.selections)
        if note:
            report.positions.append(f"{source.name}: {note}")
        clean = raw.replace("\r\n", "\n").replace("\r", "\n")
        entry = project.extra.get(source.guid)
        exact = cuts_from_extra(clean, entry, SEPARATOR) if entry else None
        known = None if exact is not None else known_texts().get(_sha(clean))
        if exact is not None:
            cuts = [Cut(a, b, x.speaker, x.start_time, x.kind) for a, b, x in exact]
        elif known is not None:
            cuts = known
        elif project.from_coder:
            cuts = cut_exact(clean, described_speakers(source.description))
        else:
            spans = [(convert(x.start), convert(x.end)) for x in source.selections]
            spans += [(convert(n.span[0]), convert(n.span[1])) for g in source.notes
                      if (n := project.notes.get(g)) is not None and n.span is not None]
            cuts = cut_paragraphs(clean, (sorted(a for a, _ in spans), sorted(b for _, b in spans)))
        if not cuts or not any(clean[c.start:c.end] for c in cuts):
            notes.append(f"source {source.name!r} has no text to code")
            continue
        texts = [clean[c.start:c.end] for c in cuts]
        paragraphs = [ParagraphIn(t, kind=c.kind, speaker=c.speaker, start_time=c.start_time)
                      for t, c in zip(texts, cuts)]
        existing = store.find_document_by_text_hash(text_hash(texts))
        name = source.name if project.from_coder else _strip_extension(source.name)
        if existing is None:
            name = _unique_name(name, taken_names)
        meta: dict[str, Any] = meta_of(entry) if exact is not None and entry else {}
        title = described_title(source.description)
        if title and "title" not in meta:
            meta["title"] = title
        meta.update({"refi_guid": source.guid, "refi_name": source.name, "positions": label})
        fmt = format_of(entry) if exact is not None and entry else "qdpx"
        parsed = ParsedDocument(fmt, paragraphs, meta=meta)
        digest = hashlib.sha256(source.raw_bytes).hexdigest()
        plan = _PlannedDoc(source, existing.name if existing else name, parsed, digest,
                           existing.id if existing else None, [], defaultdict(list),
                           statuses_of(entry) if exact is not None and entry else {},
                           marks_of(entry) if exact is not None and entry else {})
        starts = [c.start for c in cuts]
        counts["whole-document codings"] += source.whole_codings
        for sel in source.selections:
            s, e = convert(sel.start), convert(sel.end)
            if not 0 <= s < e <= len(clean):
                counts["selections outside their source's text"] += 1
                continue
            parts = place(cuts, starts, s, e)
            if not parts:
                counts["selections on blank lines only"] += 1
                continue
            if len(parts) > 1 and sel.codings:
                counts["split"] += 1
            sel_memo = SEPARATOR.join(
                [sel.description] * bool(sel.description.strip())
                + [project.notes[g].text for g in sel.notes if g in project.notes]
            )
            used_notes.update(sel.notes)
            if not sel.codings:
                _annotation(plan, project, sel, parts[0][0], user_of, counts)
                continue
            for coding in sel.codings:
                used_notes.update(coding.notes)
                if coding.code is None or coding.code not in code_key:
                    counts["codings that point at something other than a code"] += 1
                    continue
                if coding.guid in coding_guids:
                    counts["duplicate coding GUIDs"] += 1
                    coding.guid = stable_guid("refi-duplicate", f"{sel.guid}:{coding.guid}:{coding.code}")
                coding_guids.add(coding.guid)
                own = [project.notes[g].text for g in coding.notes if g in project.notes]
                memo = SEPARATOR.join(own) if own else sel_memo
                user = user_of(coding.user, sel.user)
                for k, (index, a, b) in enumerate(parts):
                    plan.segments.append({
                        "index": index,
                        "code": code_key[coding.code],
                        "user": user,
                        "start": a,
                        "end": b,
                        "memo": memo or None,
                        "guid": coding.guid if k == 0 else stable_guid("segment-part",
                                                                      f"{coding.guid}:{k}"),
                        "created_at": xsd_datetime(coding.created) or xsd_datetime(sel.created),
                    })
        for g in source.notes:
            annotation = project.notes.get(g)
            if annotation is None or annotation.span is None or not annotation.text.strip():
                continue
            s, e = convert(annotation.span[0]), convert(annotation.span[1])
            parts = place(cuts, starts, s, e) if 0 <= s < e <= len(clean) else []
            if not parts:
                counts["annotations outside their source's text"] += 1
                continue
            used_notes.add(g)
            plan.memos[(parts[0][0], user_of(annotation.user))].append(annotation.text)
            if len(parts) > 1 or parts[0][1] is not None:
                counts["partial annotations"] += 1
        docs.append(plan)

    cases = plan_cases(
        store, project, {d.source.guid: d.existing_id for d in docs},
        {d.source.guid: {p.speaker for p in d.parsed.paragraphs if p.speaker} for d in docs},
        notes, report.warnings)
    groups = [code_key[g] for g in exclusive_groups_of(project.extra_project) if g in code_key]
    _tell(report, project, counts, used_notes)
    if not docs and not planned and not cases:
        raise CoderError("nothing to import: no text sources and no new codes" +
                         (" (" + "; ".join(notes) + ")" if notes else ""), path=path)
    if store.documents() or store.codes() or store.coders():
        report.backup = str(store.auto_backup("before-refi-import"))
    with store.transaction():
        doc_ids = _write(store, path, project, planned, users, docs, report)
        _write_cases(store, path, cases, doc_ids, report)
        present = exclusive_groups(store)
        report.exclusive_groups_added = [k for k in groups if k not in present]
        if report.exclusive_groups_added:
            set_exclusive_groups(store, present + report.exclusive_groups_added)
    report.warnings += [f"two sub-codes of one exclusive group, kept (coder agree reports it): "
                        f"{line}" for line in breaches(store, report.coders)]
    return report


def _plan_users(project: RefiProject, report: ImportReport) -> dict[str, str]:
    users: dict[str, str] = {}
    names: set[str] = set()
    for guid, name in project.users.items():
        users[guid] = _unique_name(name or f"user {guid[:8].lower()}", names)
    return users


def _annotation(plan: _PlannedDoc, project: RefiProject, sel: RefiSelection, index: int,
                user_of: Callable[..., str], counts: Counter[str]) -> None:
    """A selection without codings: its notes (or description) become paragraph memos."""
    found = False
    for g in sel.notes:
        note = project.notes.get(g)
        if note and note.text.strip():
            plan.memos[(index, user_of(note.user, sel.user))].append(note.text)
            found = True
    if not found and sel.description.strip():
        plan.memos[(index, user_of(sel.user))].append(sel.description)
        found = True
    if not found:
        counts["selections with neither codes nor notes"] += 1


def _tell(report: ImportReport, project: RefiProject, counts: Counter[str], used_notes: set[str]) -> None:
    nt = report.not_imported
    labels = {
        "whole-document codings": "codings of whole sources (coder codes paragraphs)",
        "selections outside their source's text": "selections outside their source's text",
        "selections on blank lines only": "selections covering only blank lines between paragraphs",
        "codings that point at something other than a code":
            "codings that point at something other than a code (NVivo case codings)",
        "selections with neither codes nor notes": "selections with neither codes nor notes",
        "annotations outside their source's text": "annotations outside their source's text",
    }
    for key, label in labels.items():
        if counts[key]:
            nt.append(f"{counts[key]} {label}")
    if project.bad_selections:
        nt.append(f"{project.bad_selections} selections without valid positions")
    if counts["duplicate coding GUIDs"]:
        report.warnings.append(f"{counts['duplicate coding GUIDs']} coding(s) reuse another "
                               "coding's GUID; they were imported with new GUIDs")
    if counts["partial annotations"]:
        report.warnings.append(f"{counts['partial annotations']} annotation(s) on part of a "
                               "paragraph became memos on the paragraph where they start")
    if counts["split"]:
        report.warnings.append(f"{counts['split']} selection(s) spanning several paragraphs were "
                               "split into one segment per paragraph")
    unattached = [n for g, n in project.notes.items() if g not in used_notes]
    if unattached:
        nt.append(f"{len(unattached)} note(s) not attached to text (project or code memos)")
    for what, n in project.ignored.items():
        nt.append(f"{n} × {what}")


def _write(store: Store, path: Path, project: RefiProject, planned: list[PlannedCode],
           users: dict[str, str], docs: list[_PlannedDoc], report: ImportReport
           ) -> dict[str, int]:
    """Codes, coders, documents, statuses, reading marks, memos and segments; returns each
    imported source's document id, by source GUID."""
    needed = ({seg["user"] for d in docs for seg in d.segments} | {u for d in docs for _, u in d.memos}
              | {u for d in docs for u in [*d.statuses, *d.marks] if u in users})
    known = set(store.coders())
    for g in sorted(needed, key=lambda g: users[g]):
        problem = None if users[g].strip() in known else coder_name_problem(users[g])
        if problem:
            raise CoderError(f"user {g or '(none)'}: {problem}; nothing was imported",
                             path=path)
    if planned:
        new_codes = [
            Code(id=0, key=p.key, name=p.name, parent_id=None, path="", color=p.color,
                 definition=p.fields.get("definition", ""),
                 when_to_use=p.fields.get("when_to_use", ""),
                 when_not_to_use=p.fields.get("when_not_to_use", ""),
                 example=p.fields.get("example", ""), guid=p.refi.guid)
            for p in planned
        ]
        report.codes_added = store.ensure_codes(new_codes, {p.key: p.parent_key for p in planned})
    code_ids = store.code_key_map()
    coder_ids: dict[str, int] = {}
    for g in sorted(needed, key=lambda g: users[g]):
        coder_ids[g] = store.ensure_coder(users[g], g or None)
        report.coders.append(users[g])
    rows: list[dict[str, Any]] = []
    doc_ids: dict[str, int] = {}
    for d in docs:
        if d.existing_id is None:
            doc = store.add_document(d.name, d.parsed, source_path=f"{path}!{d.source.entry or ''}",
                                     content_hash=d.content_hash)
            report.documents_added.append(doc.name)
        else:
            doc = store.document(d.existing_id)
            report.documents_matched.append(doc.name)
        doc_ids[d.source.guid] = doc.id
        ids = [p.id for p in store.paragraphs(doc.id)]
        for user, status in d.statuses.items():
            if user in coder_ids and d.existing_id is None:
                store.put_status(coder_ids[user], doc.id, status)
        for user, reached in d.marks.items():
            if user in coder_ids:
                store.raise_reading_mark(coder_ids[user], doc.id, min(reached, len(ids)))
        for seg in d.segments:
            rows.append({
                "_where": (doc.name, seg["index"] + 1, seg["code"], users[seg["user"]]),
                "paragraph_id": ids[seg["index"]],
                "code_id": code_ids[seg["code"]],
                "coder_id": coder_ids[seg["user"]],
                "start": seg["start"],
                "end": seg["end"],
                "memo": seg["memo"],
                "guid": seg["guid"],
                "created_at": seg["created_at"] or now(),
            })
        for (index, user), texts in d.memos.items():
            coder_id = coder_ids[user]
            memo = SEPARATOR.join(texts)
            own = store.paragraph_memo(coder_id, ids[index])
            if own:
                if own != memo:
                    report.warnings.append(f"{doc.name} para {index + 1}: kept the project's own "
                                           f"memo by {users[user]}")
                continue
            store.put_paragraph_memo(coder_id, ids[index], memo)
            report.memos_added += 1
    rows = _overlaps_left_out(store, rows, [users[g] for g in coder_ids], report)
    if rows:
        report.segments_added, report.segments_skipped = store.insert_segments(
            rows, event=EventKind.REFI_IMPORT, detail={"file": str(path)}, backup=False)
    else:
        store.log_event(EventKind.REFI_IMPORT, {"file": str(path), "added": 0})
    return doc_ids


def _write_cases(store: Store, path: Path, plan: CasePlan, doc_ids: dict[str, int],
                 report: ImportReport) -> None:
    if not plan:
        return
    document_cases = [(case, doc_ids[g]) for case, g in plan.document_cases]
    speaker_cases = [(case, doc_ids[g], speaker) for case, g, speaker in plan.speaker_cases]
    report.values_added = store.apply_attribute_plan(
        plan.declare, plan.new_cases,
        [(doc_ids[g], name, value) for g, name, value in plan.document_values],
        plan.case_values, {"file": str(path), "from": "refi-qda"}, document_cases,
        attribute_guids=plan.attribute_guids, case_details=plan.case_details,
        speaker_cases=speaker_cases)
    report.attributes_added = [name for name, _ in plan.declare]
    report.cases_added = list(plan.new_cases)
    report.case_links_added = len(document_cases) + len(speaker_cases)


def _overlaps_left_out(store: Store, rows: list[dict[str, Any]], coders: list[str],
                       report: ImportReport) -> list[dict[str, Any]]:
    """The rows coder can hold: another tool may let one user code overlapping passages
    with one code, which coder cannot count (see `coder.spans`), so each such span after the
    first is left out and named in the report rather than the whole project refused."""
    existing = store.segments(coder_ids=[store.coder_id(name) for name in coders])
    known = {s["guid"] for s in store.segment_states(coders)}
    kept, refused = sort_out(existing, rows, known)
    for row, (start, end) in refused:
        document, n, code, user = row["_where"]
        report.not_imported.append(
            f"{document} para {n}: {code} by {user} at {row['start']}-{row['end']} overlaps "
            f"the same code by the same user at {start}-{end} (coder keeps one coder's spans "
            "of one code apart)")
    for row in kept:
        del row["_where"]
    return kept
