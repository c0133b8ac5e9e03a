"""Cases and attributes: what a researcher knows about a document or a participant (region,
session kind, age group), typed, so that codes can be compared across groups.

An attribute is declared once with a type (text, number, date, yes/no) and every value is
checked against it and stored in one canonical spelling, so `3`, `3.0` and ` 3 ` are one
value in a crosstab. A case is a participant, site or organisation; a speaker label of a
document, or a whole document, is linked to a case by the researcher (P1 in two interviews
is one person only when someone says so). A segment's attributes are its document's, then
its case's (the speaker's case, else the document's), the case's value winning where both
have one: the case is the more specific of the two.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .codings import MAX_REPORTED, _decode, _reader
from .errors import CoderError
from .models import Attribute, Case, Document
from .store import Store
from .vocab import AttributeType

TYPES = tuple(t.value for t in AttributeType)
_YES = {"yes", "y", "true"}
_NO = {"no", "n", "false"}
OWNER_COLUMNS = ("document", "case")
CASE_COLUMN = "case"


# -- values -----------------------------------------------------------------------------------


def attribute_type(text: str) -> AttributeType:
    """The type a user named (`number`, `yes/no`, also `bool`, `yesno`, `date`)."""
    folded = text.strip().casefold()
    aliases = {"yesno": "yes/no", "bool": "yes/no", "boolean": "yes/no", "string": "text",
               "numeric": "number"}
    try:
        return AttributeType(aliases.get(folded, folded))
    except ValueError:
        raise CoderError(
            f"unknown attribute type {text!r}; use one of: {', '.join(TYPES)}") from None


def parse_value(type_: str, raw: str) -> str:
    """`raw` in the canonical spelling of `type_`, or a ValueError saying why it is not one:
    numbers without trailing zeros (`3.50` is `3.5`), dates as ISO `YYYY-MM-DD` (a day
    written `03/04/2021` reads differently in London and New York, so it is refused), yes/no
    as `yes` or `no`."""
    text = raw.strip()
    if not text:
        raise ValueError("empty value")
    if type_ == AttributeType.NUMBER:
        try:
            if "_" in text:
                raise ValueError
            number = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{text!r} is not a finite number")
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    if type_ == AttributeType.DATE:
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(f"{text!r} is not a date written YYYY-MM-DD") from None
    if type_ == AttributeType.YES_NO:
        folded = text.casefold()
        if folded in _YES:
            return "yes"
        if folded in _NO:
            return "no"
        raise ValueError(f"{text!r} is not yes or no")
    return text


def infer_type(values: Iterable[str]) -> AttributeType:
    """The narrowest type every non-empty value fits: what a CSV column with no declared type
    becomes (yes/no only from words, so a 0/1 column is a number)."""
    present = [v.strip() for v in values if v.strip()]
    if not present:
        return AttributeType.TEXT
    for type_ in (AttributeType.NUMBER, AttributeType.DATE):
        try:
            for v in present:
                parse_value(type_, v)
        except ValueError:
            continue
        return type_
    if all(v.casefold() in {"yes", "no", "true", "false"} for v in present):
        return AttributeType.YES_NO
    return AttributeType.TEXT


def sort_key(type_: str, value: str) -> tuple[Any, ...]:
    """Values in their natural order: numbers by size, dates by day, text ignoring case."""
    if type_ == AttributeType.NUMBER:
        try:
            return (0, float(value), value)
        except ValueError:
            pass
    return (1, value.casefold(), value)


# -- who is who: documents, speakers and cases --------------------------------------------------


@dataclass
class AttributeIndex:
    """Every attribute value and case link of a project, read in three queries, answering
    "what are the attributes of this paragraph" without another query: what crosstabs,
    filters and matrices ask once per segment."""

    declared: dict[str, Attribute]
    cases: dict[int, Case]
    document_values: dict[int, dict[str, str]]
    case_values: dict[int, dict[str, str]]
    speaker_cases: dict[tuple[int, str], int]
    document_cases: dict[int, int]
    _cache: dict[tuple[int, str | None], dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, store: Store) -> AttributeIndex:
        declared = {a.name: a for a in store.attributes()}
        document_values: dict[int, dict[str, str]] = {}
        for doc_id, name, value in store.document_attribute_values():
            document_values.setdefault(doc_id, {})[name] = value
        case_values: dict[int, dict[str, str]] = {}
        for case_id, name, value in store.case_attribute_values():
            case_values.setdefault(case_id, {})[name] = value
        speaker_cases: dict[tuple[int, str], int] = {}
        document_cases: dict[int, int] = {}
        for case_id, doc_id, speaker in store.case_links():
            if speaker is None:
                document_cases[doc_id] = case_id
            else:
                speaker_cases[(doc_id, speaker.casefold())] = case_id
        return cls(declared, {c.id: c for c in store.cases()}, document_values, case_values,
                   speaker_cases, document_cases)

    def attribute(self, name: str) -> Attribute:
        """The declared attribute `name` (ignoring case), or a CoderError listing them."""
        folded = name.strip().casefold()
        for attr in self.declared.values():
            if attr.name.casefold() == folded:
                return attr
        known = ", ".join(self.declared) or "none yet; `coder attributes import FILE.csv`"
        raise CoderError(f"no attribute {name!r} in this project (attributes: {known})")

    def case_id_of(self, document_id: int, speaker: str | None) -> int | None:
        if speaker:
            found = self.speaker_cases.get((document_id, speaker.casefold()))
            if found is not None:
                return found
        return self.document_cases.get(document_id)

    def case_of(self, document_id: int, speaker: str | None) -> Case | None:
        """The case a paragraph belongs to: its speaker's, else its document's."""
        case_id = self.case_id_of(document_id, speaker)
        return self.cases.get(case_id) if case_id is not None else None

    def values(self, document_id: int, speaker: str | None = None) -> dict[str, str]:
        """The attributes of a paragraph of `document_id` spoken by `speaker`: the document's,
        then its case's (which win where both have one)."""
        key = (document_id, speaker.casefold() if speaker else None)
        cached = self._cache.get(key)
        if cached is None:
            cached = dict(self.document_values.get(document_id, {}))
            case_id = self.case_id_of(document_id, speaker)
            if case_id is not None:
                cached.update(self.case_values.get(case_id, {}))
            self._cache[key] = cached
        return cached


def attributes_of_document(store: Store, document: str | int) -> dict[str, str]:
    """A document's own attributes and those of the case the whole document belongs to."""
    doc = store.document(document)
    return AttributeIndex.load(store).values(doc.id)


def attributes_of_paragraph(store: Store, paragraph_id: int) -> dict[str, str]:
    """A paragraph's attributes: its document's, then its speaker's (or document's) case's."""
    par = store.paragraph(paragraph_id)
    return AttributeIndex.load(store).values(par.document_id, par.speaker)


def attributes_of_segment(store: Store, segment_id: int) -> dict[str, str]:
    """A segment's attributes: those of the paragraph it is on."""
    row = store.segment(segment_id)
    return attributes_of_paragraph(store, row.paragraph_id)


def case_of_paragraph(store: Store, paragraph_id: int) -> Case | None:
    par = store.paragraph(paragraph_id)
    return AttributeIndex.load(store).case_of(par.document_id, par.speaker)


# -- filters: --where ATTRIBUTE=VALUE -------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """`--where` filters: a paragraph passes when, for every attribute named, its value is one
    of those given (several values of one attribute are alternatives; several attributes must
    all hold)."""

    wanted: dict[str, frozenset[str]]
    index: AttributeIndex

    def __bool__(self) -> bool:
        return bool(self.wanted)

    def matches(self, document_id: int, speaker: str | None = None) -> bool:
        values = self.index.values(document_id, speaker)
        return all(values.get(name) in allowed for name, allowed in self.wanted.items())

    def paragraph_ids(self, store: Store) -> set[int]:
        """The paragraphs of the current documents that pass: the units `coder agree --where`
        keeps."""
        return {par for doc, par, speaker in store.paragraph_owners()
                if self.matches(doc, speaker)}

    def describe(self) -> str:
        return "; ".join(f"{name} = {' or '.join(sorted(v))}" for name, v in self.wanted.items())


def parse_where(store: Store, texts: Sequence[str], index: AttributeIndex | None = None) -> Where:
    """`ATTRIBUTE=VALUE` strings as a filter, each value checked against its attribute's type."""
    index = index or AttributeIndex.load(store)
    wanted: dict[str, set[str]] = {}
    for text in texts:
        name, sep, raw = text.partition("=")
        if not sep or not name.strip():
            raise CoderError(f"--where {text!r}: write ATTRIBUTE=VALUE, e.g. region=West Midlands")
        attr = index.attribute(name)
        try:
            value = parse_value(attr.type, raw)
        except ValueError as exc:
            raise CoderError(f"--where {text!r}: {attr.name} is {attr.type}: {exc}") from None
        wanted.setdefault(attr.name, set()).add(value)
    return Where({k: frozenset(v) for k, v in wanted.items()}, index)


# -- one value at a time (the CLI's `attribute set`, `case add`, `case link`) ----------------------


def declare(store: Store, name: str, type_: str = AttributeType.TEXT) -> Attribute:
    name = name.strip()
    if not name:
        raise CoderError("an attribute needs a name")
    if name.casefold() in OWNER_COLUMNS:
        raise CoderError(f"{name!r} cannot be an attribute's name (it names a row's owner)")
    return store.declare_attribute(name, attribute_type(type_))


def find_case(store: Store, name: str) -> Case:
    case = store.case(name)
    if case is None:
        known = ", ".join(c.name for c in store.cases()) or "none yet; `coder case add NAME`"
        raise CoderError(f"no case {name!r} in this project (cases: {known})")
    return case


def set_value(
    store: Store, attribute: str, value: str, *, document: str | None = None,
    case: str | None = None,
) -> tuple[Attribute, str, bool]:
    """Set one value on a document or a case; (attribute, canonical value, whether it changed).
    An undeclared attribute is declared with the type its value suggests."""
    if (document is None) == (case is None):
        raise CoderError("give a document or a case, not both")
    attr = store.attribute(attribute)
    if attr is None:
        attr = declare(store, attribute, infer_type([value]))
    try:
        canonical = parse_value(attr.type, value)
    except ValueError as exc:
        raise CoderError(f"{attr.name} is {attr.type}: {exc}") from None
    if document is not None:
        doc = store.document(document)
        changed = store.set_attribute_values(
            [(doc.id, attr.id, canonical)],
            detail={"document": doc.name, "attribute": attr.name, "value": canonical})
    else:
        found = find_case(store, case or "")
        changed = store.set_attribute_values(
            case_values=[(found.id, attr.id, canonical)],
            detail={"case": found.name, "attribute": attr.name, "value": canonical})
    return attr, canonical, bool(changed)


def speaker_in(store: Store, document: Document, ref: str) -> str:
    """The stored spelling of speaker `ref` in `document` (ignoring case), or a CoderError
    naming the speakers there are."""
    spoken = sorted({p.speaker for p in store.paragraphs(document.id) if p.speaker},
                    key=str.casefold)
    folded = ref.strip().casefold()
    for name in spoken:
        if name.casefold() == folded:
            return name
    raise CoderError(f"no speaker {ref!r} in {document.name} (speakers: "
                     f"{', '.join(spoken) or 'none'})")


def link(store: Store, case: str, document: str, speaker: str | None = None) -> tuple[Case, str | None]:
    """Link a speaker of a document, or the whole document, to a case (made if new)."""
    doc = store.document(document)
    spoken = speaker_in(store, doc, speaker) if speaker else None
    found = store.case(case) or store.add_case(case)
    store.link_case(found.id, doc.id, spoken)
    return found, spoken


# -- a CSV of attributes ---------------------------------------------------------------------------


@dataclass
class AttributePlan:
    """What an attributes CSV would do, checked in full before anything is written."""

    owner: str
    declare: list[tuple[str, str]]
    new_cases: list[str]
    document_values: list[tuple[int, str, str]]
    case_values: list[tuple[str, str, str]]
    document_cases: list[tuple[str, int, str]]
    rows: int


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    changed: int
    declared: list[tuple[str, str]]
    new_cases: list[str]


def _header(raw: Sequence[str], path: Path) -> tuple[str, list[tuple[str, str | None]]]:
    """The owner column (document or case) and each attribute column's (name, type or None)."""
    names = [h.strip() for h in raw]
    if not names or names[0].casefold() not in OWNER_COLUMNS:
        raise CoderError("the first column must be `document` or `case`, then one column per "
                         "attribute (a header `age:number` declares the type)", path=path, line=1)
    owner = names[0].casefold()
    columns: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for i, name in enumerate(names[1:], start=2):
        attr, _, type_text = name.partition(":")
        attr = attr.strip()
        if not attr:
            raise CoderError(f"column {i} has no name", path=path, line=1)
        if attr.casefold() in seen:
            raise CoderError(f"column {attr!r} appears twice", path=path, line=1)
        seen.add(attr.casefold())
        if attr.casefold() == CASE_COLUMN and owner == "document":
            columns.append((CASE_COLUMN, None))
            continue
        if attr.casefold() in OWNER_COLUMNS:
            raise CoderError(f"{attr!r} cannot be an attribute column", path=path, line=1)
        try:
            declared = attribute_type(type_text).value if type_text.strip() else None
        except CoderError as exc:
            raise CoderError(f"column {attr!r}: {exc.message}", path=path, line=1) from None
        columns.append((attr, declared))
    if not columns:
        raise CoderError("no attribute columns after the first", path=path, line=1)
    return owner, columns


def read_attributes_csv(
    store: Store, path: Path, warnings: list[str] | None = None
) -> AttributePlan:
    """The plan for an attributes CSV, or one CoderError naming every bad line (FILE:LINE)."""
    path = Path(path)
    notes: list[str] = [] if warnings is None else warnings
    reader = _reader(_decode(path, notes))
    owner, columns = _header(reader.fieldnames or [], path)
    reader.fieldnames = [owner] + [name for name, _ in columns]
    body = [(reader.line_num, row) for row in reader]

    problems: list[tuple[int, str]] = []
    types: dict[str, str] = {}
    declare_new: list[tuple[str, str]] = []
    for name, declared in columns:
        if name == CASE_COLUMN and owner == "document":
            continue
        existing = store.attribute(name)
        if existing is not None and declared and declared != existing.type:
            problems.append((1, f"{path}:1: column {name!r} says {declared}, but the attribute "
                                f"is declared as {existing.type}"))
        if existing is not None:
            types[name] = existing.type
        else:
            types[name] = declared or infer_type((r.get(name) or "") for _, r in body)
            declare_new.append((name, types[name]))

    documents = {d.name.casefold(): d for d in store.documents()}
    known_cases = {c.name.casefold() for c in store.cases()}
    seen_owner: dict[str, int] = {}
    new_cases: dict[str, str] = {}
    plan = AttributePlan(owner, declare_new, [], [], [], [], len(body))
    for line, row in body:
        def bad(message: str, line: int = line) -> None:
            problems.append((line, f"{path}:{line}: {message}"))

        if None in row or any(v is None for v in row.values()):
            bad("wrong number of fields")
            continue
        who = (row.get(owner) or "").strip()
        if not who:
            bad(f"empty {owner} name")
            continue
        if who.casefold() in seen_owner:
            bad(f"{owner} {who!r} again (first on line {seen_owner[who.casefold()]})")
            continue
        seen_owner[who.casefold()] = line
        doc = None
        if owner == "document":
            doc = documents.get(who.casefold())
            if doc is None:
                bad(f"unknown document {who!r}")
                continue
        elif who.casefold() not in known_cases:
            new_cases.setdefault(who.casefold(), who)
        for name, _ in columns:
            raw = (row.get(name) or "").strip()
            if not raw:
                continue
            if name == CASE_COLUMN and doc is not None:
                plan.document_cases.append((raw, doc.id, doc.name))
                if raw.casefold() not in known_cases:
                    new_cases.setdefault(raw.casefold(), raw)
                continue
            try:
                value = parse_value(types[name], raw)
            except ValueError as exc:
                bad(f"{name} is {types[name]}: {exc}")
                continue
            if doc is not None:
                plan.document_values.append((doc.id, name, value))
            else:
                plan.case_values.append((who, name, value))
    if problems:
        problems.sort(key=lambda p: p[0])
        shown = [m for _, m in problems[:MAX_REPORTED]]
        more = len(problems) - len(shown)
        raise CoderError(f"{len(problems)} bad row(s), nothing imported:\n" + "\n".join(shown)
                         + (f"\n... and {more} more" if more else ""))
    if not body:
        raise CoderError("no rows after the header", path=path)
    plan.new_cases = list(new_cases.values())
    return plan


def import_attributes(
    store: Store, path: Path, warnings: list[str] | None = None
) -> ImportSummary:
    """Check every row of an attributes CSV, then write them all in one transaction."""
    plan = read_attributes_csv(store, path, warnings)
    changed = store.apply_attribute_plan(
        plan.declare, plan.new_cases, plan.document_values, plan.case_values,
        {"file": str(path), "rows": plan.rows},
        [(case_name, doc_id) for case_name, doc_id, _ in plan.document_cases])
    return ImportSummary(plan.rows, changed, plan.declare, plan.new_cases)
