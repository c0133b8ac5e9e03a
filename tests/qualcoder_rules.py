"""How QualCoder (ccbogel/QualCoder, `src/qualcoder/refi.py`) reads a `.qdpx`, restated from its
import code so tests can hold coder's export to it. Written here from reading that code; none
of it is copied. The rules that matter for coder:

- a `PlainTextSelection`'s codings all belong to the selection's `creatingUser` (else its
  `modifyingUser`, else "default"); a `Coding`'s own `creatingUser` is not read;
- its `code_text` table keeps one row per (code, source, start, end, owner): a second coding
  with the same key is rejected as a duplicate;
- a coding's memo is the selection's `Description`; a `NoteRef` on a `Coding` is not read;
- a selection without a `Coding` is a text annotation whose memo is its `Description`;
- a `NoteRef` directly under a `TextSource` names a `Note` that holds the annotation's text
  (`PlainTextContent`) and its position (a `PlainTextSelection` inside the note), owned by the
  note's `modifyingUser`, else its `creatingUser`;
- positions index the source's plain text as Python slices (code points).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

P = "{urn:QDA-XML:project:1.0}"


@dataclass
class QualCoderView:
    sources: dict[str, str] = field(default_factory=dict)  # name -> full text
    source_memos: dict[str, str] = field(default_factory=dict)
    codings: dict[tuple[str, str, int, int, str], str] = field(default_factory=dict)  # -> memo
    rejected: list[tuple[str, str, int, int, str]] = field(default_factory=list)
    annotations: list[tuple[str, int, int, str, str]] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)  # guid -> name


def _owner(el: ET.Element, users: dict[str, str], first: str, second: str) -> str:
    guid = el.get(first) or el.get(second)
    return users.get(guid or "", "default")


def read_like_qualcoder(path: Path) -> QualCoderView:
    view = QualCoderView()
    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read("project.qde"))
        names = {n.lower(): n for n in zf.namelist()}
        users = {u.get("guid", ""): u.get("name", "") for u in root.iter(f"{P}User")}
        view.codes = {c.get("guid", ""): c.get("name", "") for c in root.iter(f"{P}Code")}
        annotation_refs: dict[str, str] = {}
        for src in root.iter(f"{P}TextSource"):
            name = src.get("name", "")
            ref = src.get("plainTextPath", "").split("internal://")[-1]
            text = zf.read(names[f"sources/{ref.lower()}"]).decode("utf-8")
            view.sources[name] = text
            description = src.find(f"{P}Description")
            view.source_memos[name] = description.text or "" if description is not None else ""
            for sel in src.findall(f"{P}PlainTextSelection"):
                pos0, pos1 = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
                owner = _owner(sel, users, "creatingUser", "modifyingUser")
                memo_el = sel.find(f"{P}Description")
                memo = (memo_el.text or "") if memo_el is not None else ""
                codings = sel.findall(f"{P}Coding")
                for coding in codings:
                    cid = coding[0].get("targetGUID", "")
                    key = (cid, name, pos0, pos1, owner)
                    if key in view.codings:
                        view.rejected.append(key)
                    else:
                        view.codings[key] = memo
                if not codings:
                    view.annotations.append((name, pos0, pos1, memo, owner))
            for note_ref in src.findall(f"{P}NoteRef"):
                annotation_refs[note_ref.get("targetGUID", "")] = name
        for note in root.iter(f"{P}Note"):
            source = annotation_refs.get(note.get("guid", ""))
            if source is None:
                continue
            content = note.find(f"{P}PlainTextContent")
            where = note.find(f"{P}PlainTextSelection")
            if content is None or where is None:
                continue
            view.annotations.append((source, int(where.get("startPosition", "")),
                                     int(where.get("endPosition", "")), content.text or "",
                                     _owner(note, users, "modifyingUser", "creatingUser")))
    return view
