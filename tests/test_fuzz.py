"""Bad input, generated: importers and the codebook loader either work or raise CoderError,
and a failed import leaves the project exactly as it was.

Bounded (max_examples, no deadline) so the module stays well under 30 s.
"""

from __future__ import annotations

import functools
import hashlib
import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from factories import make_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from coder.codebook import CodebookError, check_codebook, load_codebook
from coder.codings import read_codings_csv
from coder.errors import CoderError
from coder.export.refi import codebook_qdc, project_qdpx
from coder.export.refi_import import import_qdpx, qdc_to_yaml
from coder.ingest import read_document
from coder.models import ParsedDocument
from coder.project import import_files, use_codebook
from coder.store import Store

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SUFFIXES = [".txt", ".md", ".vtt", ".srt", ".docx", ""]
ANSI = ["\x1b[31m", "\x1b[0m", "\x1b]0;title\x07", "\x1b[2J", "\x1b[?1049h", "\x9b31m"]
CONTROL = [chr(c) for c in (*range(9), 11, 12, *range(14, 32), 127)] + ["\u202e", "\ufeff",
                                                                          "\u2028", "\ud800"]

_text_piece = st.one_of(
    st.text(max_size=40),
    st.sampled_from(ANSI + CONTROL),
    st.sampled_from(["\n", "\n\n", "\r\n", "\t", "WEBVTT\n\n", "00:00:01.000 --> 00:00:02.000\n",
                     "1\n00:00:01,000 --> 00:00:02,000\n", "<v Ann>", "P1: ", "Interviewer: ",
                     "[00:01:23] ", "# ", "| a | b |\n", "[bold]", "[Spotlight Inquiry](#)",
                     "Page 3 of 9\n", "\f"]),
)
transcripts = st.lists(_text_piece, max_size=30).map("".join)


def _snapshot(store: Store) -> str:
    return hashlib.sha256("\n".join(store.conn.iterdump()).encode()).hexdigest()


@functools.cache
def _template_db(kind: str) -> bytes:
    """A project file to copy (`empty`, `small`, or `coded` with one segment): building one
    per example would take most of this module's time."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "p.db"
        store = Store(db) if kind == "empty" else make_project(db)
        if kind == "coded":
            store.add_segment(store.coder_id("alice"), store.paragraphs(1)[2].id,
                              store.code("labels").id)
        store.close()
        return db.read_bytes()


def _project(directory: Path, kind: str = "small") -> Store:
    db = directory / "p.db"
    db.write_bytes(_template_db(kind))
    return Store(db)


def _read_or_refuse(path: Path) -> ParsedDocument | None:
    try:
        parsed = read_document(path)
    except CoderError as exc:
        assert str(exc)  # a message for the user, never empty
        return None
    assert isinstance(parsed, ParsedDocument)
    for p in parsed.paragraphs:
        assert isinstance(p.text, str)
    return parsed


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_are_read_or_refused(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        _read_or_refuse(path)


@FUZZ
@given(text=transcripts, suffix=st.sampled_from([".txt", ".md", ".vtt", ".srt", ""]),
       encoding=st.sampled_from(["utf-8", "utf-16", "utf-8-sig", "latin-1"]))
def test_transcript_like_text_with_escapes_is_read_or_refused(
    text: str, suffix: str, encoding: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"t{suffix}"
        path.write_bytes(text.encode(encoding, errors="surrogatepass" if "utf" in encoding
                                     else "replace"))
        _read_or_refuse(path)


@pytest.mark.parametrize("suffix", [".txt", ".md", ".vtt", ".srt"])
def test_huge_lines_are_read_or_refused(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"huge{suffix}"
    path.write_text("P1: " + "word " * 400_000 + "\n\n" + "x" * 1_000_000 + "\n", encoding="utf-8")
    parsed = _read_or_refuse(path)
    if parsed is not None:
        assert sum(len(p.text) for p in parsed.paragraphs) >= 1_000_000


def _docx(parts: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return buffer.getvalue()


_CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="xml" ContentType="application/xml"/><Override '
    'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument'
    '/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
              for i in range(1, 10))
    + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
)


@pytest.mark.parametrize("parts", [
    {"[Content_Types].xml": _CONTENT_TYPES, "_rels/.rels": _RELS, "word/document.xml": _LAUGHS},
    {"[Content_Types].xml": _CONTENT_TYPES, "_rels/.rels": _RELS,
     "word/document.xml": "<w:document><unclosed>"},
    {"[Content_Types].xml": _CONTENT_TYPES, "_rels/.rels": _RELS},
    {"[Content_Types].xml": "\x1b[31m not xml", "_rels/.rels": _RELS},
    {"hello.txt": "just a zip"},
], ids=["billion-laughs", "broken-xml", "no-document-part", "garbage-types", "plain-zip"])
def test_hostile_docx_is_refused(tmp_path: Path, parts: dict[str, str]) -> None:
    path = tmp_path / "hostile.docx"
    path.write_bytes(_docx(parts))
    with pytest.raises(CoderError):
        read_document(path)


# -- the codebook loader --------------------------------------------------------------------

_yaml_piece = st.one_of(
    st.text(max_size=30),
    st.sampled_from(ANSI + CONTROL),
    st.sampled_from(["\n", "  ", "- ", ": ", "codes:\n", "name: x\n", "  - key: a\n",
                     "    name: A\n", "    shortcut: s\n", "    color: '#fff'\n",
                     "    renamed_from: [b]\n", "&a ", "*a", "!!python/object:os.system ",
                     "{", "}", "[", "]", "'", '"', "|\n", ">-\n", "---\n", "...\n", "%YAML 1.1\n",
                     "? ", "!!binary ", "<<: *a\n", "\t"]),
)
yaml_texts = st.lists(_yaml_piece, max_size=40).map("".join)


def _check_or_refuse(path: Path) -> None:
    problems = check_codebook(path)
    assert all(str(p) for p in problems)
    try:
        load_codebook(path)
    except CodebookError as exc:
        assert problems and str(exc)
    else:
        assert problems == []


@FUZZ
@given(text=yaml_texts)
def test_codebook_like_yaml_is_checked_or_refused(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "book.yaml"
        path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        _check_or_refuse(path)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_as_a_codebook_are_refused(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "book.yaml"
        path.write_bytes(data)
        _check_or_refuse(path)


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


@pytest.mark.parametrize("text", [
    ALIAS_BOMB,
    "[" * 20_000 + "]" * 20_000,
    "codes:\n" + "".join("  " * i + "- codes:\n" for i in range(1, 400)),
    "name: " + "x" * 3_000_000,
    "name: ok\ncodes:\n  - key: a\n    name: \x1b[31mRed\x1b[0m\n    shortcut: \x07\n",
    "name: !!python/object/apply:os.system ['echo hi']\ncodes: []\n",
    "\ufeff\ufeffname: x\n",
    "codes:\n  - key: a\n    name: A\n" * 5000,
], ids=["alias-bomb", "deep-flow", "deep-block", "huge-line", "ansi-and-bell", "python-tag",
        "double-bom", "many-duplicates"])
def test_hostile_codebooks_are_refused_quickly(tmp_path: Path, text: str) -> None:
    path = tmp_path / "book.yaml"
    path.write_text(text, encoding="utf-8")
    _check_or_refuse(path)


# -- nothing partial reaches the project ----------------------------------------------------


@FUZZ
@given(files=st.lists(st.tuples(st.sampled_from(SUFFIXES),
                                st.one_of(st.binary(max_size=600),
                                          transcripts.map(lambda t: t.encode("utf-8", "replace")))),
                      min_size=1, max_size=3))
def test_a_failed_import_leaves_the_project_unchanged(files: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = _project(Path(tmp))
        before = _snapshot(store)
        paths = []
        for i, (suffix, data) in enumerate(files):
            path = Path(tmp) / f"file{i}{suffix}"
            path.write_bytes(data)
            paths.append(path)
        try:
            outcomes = import_files(store, paths)
        except CoderError:
            assert _snapshot(store) == before
        else:
            for o in outcomes:
                if o.status == "imported":
                    parsed = read_document(o.path)
                    stored = store.paragraphs(o.document.id)
                    assert [p.text for p in stored] == [p.text for p in parsed.paragraphs]
        finally:
            store.close()


@FUZZ
@given(text=yaml_texts)
def test_a_refused_codebook_changes_nothing(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = _project(Path(tmp), "coded")
        before = _snapshot(store)
        path = Path(tmp) / "book.yaml"
        path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        try:
            use_codebook(store, path)
        except CoderError:
            assert _snapshot(store) == before
        finally:
            store.close()


@FUZZ
@given(data=st.one_of(st.binary(max_size=800),
                      st.lists(st.one_of(_text_piece, st.sampled_from(
                          [",", "\n", '"', "notes", "3", "stigma", "document,paragraph,coder,code\n"]
                      )), max_size=30).map(lambda parts: "".join(parts).encode("utf-8", "replace"))))
def test_codings_csv_is_read_or_refused(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = _project(Path(tmp))
        path = Path(tmp) / "codings.csv"
        path.write_bytes(data)
        before = _snapshot(store)
        try:
            read_codings_csv(store, path)
        except CoderError:
            pass
        assert _snapshot(store) == before
        store.close()


# -- the REFI-QDA importer ------------------------------------------------------------------

REFI_FUZZ = settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@functools.cache
def _real_export() -> tuple[dict[str, bytes], bytes]:
    """The entries of a .qdpx and the bytes of a .qdc that coder itself wrote, with codings,
    a span, a memo and speakers: the shape every mutation starts from."""
    with tempfile.TemporaryDirectory() as tmp:
        store = make_project(Path(tmp) / "p.db")
        alice, bob = store.coder_id("alice"), store.coder_id("bob")
        paragraphs = store.paragraphs(1)
        store.add_segment(alice, paragraphs[1].id, store.code("labels").id)
        store.add_segment(bob, paragraphs[2].id, store.code("stigma").id)
        store.insert_segments(
            [{"paragraph_id": paragraphs[3].id, "code_id": store.code("leaving-care").id,
              "coder_id": bob, "start": 0, "end": 5, "memo": "at 18 [sic]"}],
            event=None, backup=False)
        project_qdpx(store, Path(tmp) / "x.qdpx")
        codebook_qdc(store, Path(tmp) / "x.qdc")
        store.close()
        with zipfile.ZipFile(Path(tmp) / "x.qdpx") as z:
            entries = {name: z.read(name) for name in z.namelist()}
        return entries, (Path(tmp) / "x.qdc").read_bytes()


_XML_VALUES = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["-1", "0", "999999999", "3.5", "", "internal://missing.txt",
                     "relative:///etc/passwd", "file:///etc/passwd", "not-a-guid",
                     "00000000-0000-0000-0000-000000000000", "#GGGGGG", "true", "false",
                     "\x1b[31m", "[bold]", "&amp;", "\ufeff"]),
)
_mutations = st.lists(
    st.tuples(st.sampled_from(["drop", "duplicate", "drop-attribute", "set-attribute",
                               "set-text", "copy-attribute"]),
              st.integers(min_value=0, max_value=10_000),
              st.integers(min_value=0, max_value=10_000),
              _XML_VALUES),
    min_size=1, max_size=6,
)


def _mutate_xml(data: bytes, mutations: list[tuple[str, int, int, str]]) -> bytes:
    """Structural damage of the kinds other tools' files show: missing or repeated elements,
    missing, wrong or borrowed attributes, odd text."""
    root = etree.fromstring(data)
    for op, i, j, value in mutations:
        elements = list(root.iter())
        el = elements[i % len(elements)]
        attrs = sorted(el.attrib)
        clean = "".join(ch for ch in value if ch.isprintable() and ch not in "\ud800\ufffe")
        if op == "drop" and el is not root:
            el.getparent().remove(el)
        elif op == "duplicate" and el is not root:
            el.addnext(etree.fromstring(etree.tostring(el)))
        elif op == "drop-attribute" and attrs:
            del el.attrib[attrs[j % len(attrs)]]
        elif op == "set-attribute" and attrs:
            el.set(attrs[j % len(attrs)], clean)
        elif op == "set-text":
            el.text = clean
        elif op == "copy-attribute":
            other = elements[j % len(elements)]
            for name in other.attrib:
                el.set(name, other.get(name))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, content in entries.items():
            z.writestr(name, content)
    return buffer.getvalue()


def _import_or_refuse(data: bytes, into_existing: bool) -> None:
    """Either the archive comes in whole and consistent, or the project is untouched."""
    with tempfile.TemporaryDirectory() as tmp:
        store = _project(Path(tmp), "small" if into_existing else "empty")
        try:
            before = _snapshot(store)
            path = Path(tmp) / "in.qdpx"
            path.write_bytes(data)
            try:
                report = import_qdpx(store, path)
            except CoderError as exc:
                assert str(exc)
                assert _snapshot(store) == before
                return
            assert report is not None
            for row in store.segment_rows():
                if row.start is not None:
                    assert 0 <= row.start < row.end <= len(row.paragraph_text)
        finally:
            store.close()


@REFI_FUZZ
@given(data=st.binary(max_size=2000), into_existing=st.booleans())
def test_random_bytes_as_a_qdpx_are_refused(data: bytes, into_existing: bool) -> None:
    _import_or_refuse(data, into_existing)


@REFI_FUZZ
@given(data=st.binary(max_size=600), name=st.sampled_from(
    ["project.qde", "Project.qde", "sources/x.txt", "../evil.qde", "project.qde/"]))
def test_zips_with_random_members_are_refused(data: bytes, name: str) -> None:
    _import_or_refuse(_zip_bytes({name: data}), into_existing=False)


@REFI_FUZZ
@given(mutations=_mutations, into_existing=st.booleans())
def test_mutated_project_qde_from_a_real_export_is_imported_or_refused(
    mutations: list[tuple[str, int, int, str]], into_existing: bool
) -> None:
    entries, _ = _real_export()
    qde = _mutate_xml(entries["project.qde"], mutations)
    _import_or_refuse(_zip_bytes(dict(entries, **{"project.qde": qde})), into_existing)


def _repeats_a_code_guid(qde: bytes) -> bool:
    guids = [el.get("guid") for el in etree.fromstring(qde).iter("{*}Code")]
    return len(guids) != len(set(guids))


def test_a_code_guid_listed_twice_is_read_as_one_code_with_a_warning() -> None:
    entries, _ = _real_export()
    root = etree.fromstring(entries["project.qde"])
    index = next(i for i, el in enumerate(root.iter()) if el.tag.endswith("}Code"))
    qde = _mutate_xml(entries["project.qde"], [("duplicate", index, 0, "")])
    assert _repeats_a_code_guid(qde)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.qdpx"
        path.write_bytes(_zip_bytes(dict(entries, **{"project.qde": qde})))
        with _project(Path(tmp), "empty") as store:
            report = import_qdpx(store, path)
            assert any("listed before it; read as that code" in w for w in report.warnings)
            guids = [c.guid for c in store.codes(include_retired=True)]
            assert len(guids) == len(set(guids)) == 3
            assert len(store.segment_rows()) == 3


@REFI_FUZZ
@given(cut=st.integers(min_value=0, max_value=5000), junk=st.binary(max_size=40),
       source=st.one_of(st.none(), st.binary(max_size=200)))
def test_byte_damaged_project_qde_and_sources_are_imported_or_refused(
    cut: int, junk: bytes, source: bytes | None
) -> None:
    entries, _ = _real_export()
    qde = entries["project.qde"]
    at = cut % (len(qde) + 1)
    damaged = dict(entries, **{"project.qde": qde[:at] + junk + qde[at + len(junk):]})
    if source is not None:
        damaged = {k: (source if k.startswith("sources/") else v) for k, v in damaged.items()}
    _import_or_refuse(_zip_bytes(damaged), into_existing=False)


def _yaml_or_refuse(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "book.qdc"
        path.write_bytes(data)
        try:
            text, _ = qdc_to_yaml(path)
        except CoderError as exc:
            assert str(exc)
            return
        out = Path(tmp) / "book.yaml"
        out.write_text(text, encoding="utf-8")
        assert check_codebook(out) == []


@REFI_FUZZ
@given(mutations=_mutations)
def test_mutated_qdc_becomes_a_valid_yaml_codebook_or_is_refused(
    mutations: list[tuple[str, int, int, str]]
) -> None:
    _, qdc = _real_export()
    _yaml_or_refuse(_mutate_xml(qdc, mutations))


@REFI_FUZZ
@given(data=st.binary(max_size=1500))
def test_random_bytes_as_a_qdc_are_refused(data: bytes) -> None:
    _yaml_or_refuse(data)
