"""REFI-QDA Cases and Variables into coder's cases and typed attributes.

A `Variable` becomes an attribute (typeOfVariable Text → text, Boolean → yes/no, Integer and
Float → number, Date and DateTime → date), its values on sources become the documents' values
and its values on cases the cases'. A `Case` becomes a case and each source it holds whole
(`SourceRef`) a document linked to it; the speaker links coder wrote in `coder.json` come back
too. Everything is worked out here on plain data, checked against the attribute's type, and
what cannot be kept is named; `refi_import` writes it in its one transaction.

The project's own data wins: an attribute already declared keeps its type (values that do not
fit it are named, not forced), and a value or a case link the project already has that differs
from the file's is kept and reported, never overwritten silently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..attributes import OWNER_COLUMNS, parse_value
from ..store import Store
from ..vocab import AttributeType
from .refi_extra import speaker_cases_of
from .refi_read import RefiProject, RefiValue

VARIABLE_TYPES = {
    "text": AttributeType.TEXT,
    "boolean": AttributeType.YES_NO,
    "integer": AttributeType.NUMBER,
    "float": AttributeType.NUMBER,
    "date": AttributeType.DATE,
    "datetime": AttributeType.DATE,
}
_BOOLEAN_DIGITS = {"1": "yes", "0": "no"}


@dataclass
class CasePlan:
    """What a file's cases and variables add, keyed by names and source GUIDs (the documents
    get their ids only when the import writes them)."""

    declare: list[tuple[str, str]] = field(default_factory=list)  # (name, type)
    attribute_guids: dict[str, str] = field(default_factory=dict)
    new_cases: list[str] = field(default_factory=list)
    case_details: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    document_values: list[tuple[str, str, str]] = field(default_factory=list)  # source, name, value
    case_values: list[tuple[str, str, str]] = field(default_factory=list)  # case, name, value
    document_cases: list[tuple[str, str]] = field(default_factory=list)  # case, source
    speaker_cases: list[tuple[str, str, str]] = field(default_factory=list)  # case, source, speaker

    def __bool__(self) -> bool:
        return bool(self.declare or self.new_cases or self.document_values or self.case_values
                    or self.document_cases or self.speaker_cases)


def refi_value(type_: str, value: RefiValue) -> tuple[str, bool]:
    """(the value in coder's canonical spelling for `type_`, whether a time of day was
    dropped); ValueError when it does not fit the type."""
    raw = value.value.strip()
    if type_ == AttributeType.YES_NO:
        raw = _BOOLEAN_DIGITS.get(raw, raw)
    dropped = False
    if type_ == AttributeType.DATE and "T" in raw:
        day, _, time = raw.partition("T")
        raw, dropped = day, bool(time.strip("0:Z. "))
    return parse_value(type_, raw), dropped


@dataclass
class _Tally:
    unfit: list[str] = field(default_factory=list)
    times: int = 0
    unknown: Counter[str] = field(default_factory=Counter)


def plan_cases(store: Store, project: RefiProject, imported: Mapping[str, int | None],
               speakers: Mapping[str, set[str]], notes: list[str],
               warnings: list[str]) -> CasePlan:
    """`imported`: source GUID → the project's document id (None for a new document) of each
    source the import keeps; `speakers`: source GUID → the speakers of its paragraphs."""
    plan = CasePlan()
    tally = _Tally()
    types = _plan_variables(store, project, plan, notes, warnings)
    existing_doc_values = _document_values(store)
    for source in project.sources:
        if source.guid not in imported:
            if source.values:
                notes.append(f"{len(source.values)} variable value(s) of the source "
                             f"{source.name!r}, which was not imported")
            continue
        doc_id = imported[source.guid]
        for value in source.values:
            checked = _check(types, value, f"source {source.name!r}", tally)
            if checked is None:
                continue
            name, canonical = checked
            before = existing_doc_values.get((doc_id, name.casefold())) if doc_id else None
            if before is not None and before != canonical:
                warnings.append(f"source {source.name!r}: kept the project's {name} = "
                                f"{before!r} (the file says {canonical!r})")
                continue
            plan.document_values.append((source.guid, name, canonical))
    case_names = _plan_case_names(store, project, plan)
    links = _links(store)
    titles = {s.guid: s.name for s in project.sources}
    for case in project.cases:
        name = case_names[case.guid]
        for value in case.values:
            checked = _check(types, value, f"case {name!r}", tally)
            if checked is not None:
                plan.case_values.append((name, *checked))
        for source_guid in case.sources:
            if source_guid not in imported:
                tally.unknown["links of cases to sources that were not imported"] += 1
                continue
            if _keeps_link(links, imported[source_guid], None, name, titles[source_guid],
                           warnings):
                plan.document_cases.append((name, source_guid))
        if case.selections:
            tally.unknown["parts of sources held by cases (coder links whole documents and "
                          "speakers to cases)"] += case.selections
        if case.codes:
            tally.unknown["codes held by cases"] += case.codes
    by_guid = {c.guid: case_names[c.guid] for c in project.cases}
    for case_guid, source_guid, speaker in speaker_cases_of(project.extra_project):
        case_name = by_guid.get(case_guid)
        if case_name is None or source_guid not in imported or speaker not in speakers.get(
                source_guid, set()):
            tally.unknown["speaker links to cases that do not fit the imported text"] += 1
        elif _keeps_link(links, imported[source_guid], speaker, case_name,
                         titles[source_guid], warnings):
            plan.speaker_cases.append((case_name, source_guid, speaker))
    _tell(tally, notes, warnings)
    return plan


def _plan_variables(store: Store, project: RefiProject, plan: CasePlan, notes: list[str],
                    warnings: list[str]) -> dict[str, tuple[str, str]]:
    """Variable GUID → (attribute name, type) for every variable the project can hold."""
    declared = {a.name.casefold(): a for a in store.attributes()}
    used_guids = {a.guid.upper() for a in declared.values()}
    types: dict[str, tuple[str, str]] = {}
    by_name: dict[str, tuple[str, str]] = {}
    for v in project.variables:
        wanted = VARIABLE_TYPES.get(v.type.casefold())
        if wanted is None:
            notes.append(f"variable {v.name!r}: unknown type {v.type!r}, read as text")
            wanted = AttributeType.TEXT
        folded = v.name.casefold()
        if not v.name or folded in OWNER_COLUMNS:
            notes.append(f"variable {v.name!r} and its values (coder's attributes cannot be "
                         "nameless or called 'document' or 'case')")
            continue
        if folded in by_name:
            types[v.guid] = by_name[folded]
            continue
        existing = declared.get(folded)
        if existing is not None:
            if existing.type != wanted:
                warnings.append(f"variable {v.name!r} is {v.type} in the file; the project's "
                                f"attribute {existing.name!r} is {existing.type}, values are read "
                                "as that")
            by_name[folded] = types[v.guid] = (existing.name, existing.type)
            continue
        by_name[folded] = types[v.guid] = (v.name, wanted)
        plan.declare.append((v.name, wanted))
        if v.guid not in used_guids:
            plan.attribute_guids[v.name] = v.guid
            used_guids.add(v.guid)
    return types


def _plan_case_names(store: Store, project: RefiProject, plan: CasePlan) -> dict[str, str]:
    """Case GUID → the name of the project's case it is (matched by name, else new)."""
    known = {c.name.casefold(): c.name for c in store.cases()}
    used_guids = {c.guid.upper() for c in store.cases()}
    names: dict[str, str] = {}
    for case in project.cases:
        name = case.name or f"case {case.guid[:8].lower()}"
        folded = name.casefold()
        if folded not in known:
            known[folded] = name
            plan.new_cases.append(name)
            guid = case.guid if case.guid not in used_guids else None
            used_guids.add(case.guid)
            plan.case_details[name] = (case.description.strip(), guid)
        names[case.guid] = known[folded]
    return names


def _document_values(store: Store) -> dict[tuple[int, str], str]:
    return {(doc_id, name.casefold()): value
            for doc_id, name, value in store.document_attribute_values()}


def _links(store: Store) -> dict[tuple[int, str | None], str]:
    """(document id, speaker or None) → the name of the case it is linked to."""
    names = {c.id: c.name for c in store.cases()}
    return {(doc_id, speaker): names[case_id] for case_id, doc_id, speaker in store.case_links()}


def _keeps_link(links: Mapping[tuple[int, str | None], str], doc_id: int | None,
                speaker: str | None, case: str, source: str, warnings: list[str]) -> bool:
    """Whether to write the file's link; a different link in the project is kept and named."""
    before = links.get((doc_id, speaker)) if doc_id is not None else None
    if before is None or before.casefold() == case.casefold():
        return before is None
    who = f"speaker {speaker!r} of {source!r}" if speaker else f"source {source!r}"
    warnings.append(f"{who} stays linked to the project's case {before!r} (the file links it "
                    f"to {case!r})")
    return False


def _check(types: Mapping[str, tuple[str, str]], value: RefiValue, where: str,
           tally: _Tally) -> tuple[str, str] | None:
    found = types.get(value.variable)
    if found is None:
        tally.unknown["variable values of variables the file does not declare"] += 1
        return None
    name, type_ = found
    try:
        canonical, dropped = refi_value(type_, value)
    except ValueError as exc:
        tally.unfit.append(f"{where}: {name} is {type_}: {exc}")
        return None
    tally.times += dropped
    return name, canonical


def _tell(tally: _Tally, notes: list[str], warnings: list[str]) -> None:
    notes.extend(f"variable value, {line}" for line in tally.unfit)
    notes.extend(f"{n} {what}" for what, n in tally.unknown.items())
    if tally.times:
        warnings.append(f"{tally.times} date-and-time value(s) kept as dates (coder's dates have "
                        "no time of day)")
