"""Inputs small on disk but huge or broken inside (issue 12): refused in one sentence, with
memory bounded by what coder keeps, and nothing partial left behind."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import make_project

from coder.cli import main
from coder.codings import import_codings_csv
from coder.errors import CoderError
from coder.export import refi_read
from coder.export.refi_read import Archive
from coder.ingest import archive, read_document
from coder.store import Store


def test_a_quote_longer_than_csvs_default_limit_imports_back(store: Store, tmp_path: Path) -> None:
    csv_file = tmp_path / "codings.csv"
    memo = "m" * 200_000
    csv_file.write_text("document,paragraph,coder,code,start,end,memo\n"
                        f'notes,2,bob,stigma,,,"{memo}"\n')
    assert import_codings_csv(store, csv_file) == (1, 0)
    [seg] = store.segments(coder_ids=[store.coder_id("bob")])
    assert seg.memo == memo


def test_an_unterminated_quote_is_refused_with_its_line(store: Store, tmp_path: Path) -> None:
    csv_file = tmp_path / "codings.csv"
    csv_file.write_text("document,paragraph,coder,code,start,end,memo\n"
                        "notes,2,bob,stigma,,,fine\n"
                        'notes,3,bob,stigma,,,"never closed\n'
                        "notes,4,bob,stigma,,,x\n")
    with pytest.raises(CoderError) as caught:
        import_codings_csv(store, csv_file)
    assert caught.value.line == 3 and "never closed" in caught.value.message
    assert store.segments(coder_ids=[store.coder_id("bob")]) == []


def _zip(path: Path, entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return path


def test_an_entry_bigger_than_the_cap_is_refused_even_when_its_header_lies(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(refi_read, "MAX_ENTRY_BYTES", 1000)
    path = _zip(tmp_path / "bomb.qdpx", {"project.qde": b"<a/>", "sources/s.txt": b"x" * 5000})
    arch = Archive(path)
    info = arch.entries["sources/s.txt"]
    with pytest.raises(CoderError, match="more than"):
        arch.read(info)
    info.file_size = 10  # a lying header: never more is read than it says, and that is damage
    with pytest.raises(CoderError, match="more than|cannot be unpacked"):
        arch.read(info)
    arch.close()


def test_a_bad_crc_or_an_unknown_compression_is_one_sentence(tmp_path: Path) -> None:
    path = _zip(tmp_path / "crc.qdpx", {"project.qde": b"<Project/>" * 50},
                zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    at = data.index(b"<Project/>")
    data[at + 1] = ord("X")
    path.write_bytes(bytes(data))
    arch = Archive(path)
    with pytest.raises(CoderError, match="cannot be unpacked"):
        arch.read(arch.entries["project.qde"])
    arch.close()
    odd = _zip(tmp_path / "odd.qdpx", {"project.qde": b"<Project/>"}, zipfile.ZIP_STORED)
    data = bytearray(odd.read_bytes())
    for header in (b"PK\x03\x04", b"PK\x01\x02"):  # method field: 99 (AES), unknown here
        at = data.index(header)
        offset = 8 if header == b"PK\x03\x04" else 10
        data[at + offset:at + offset + 2] = (97).to_bytes(2, "little")
    odd.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["refi", "import", str(odd), "--db",
                                       str(tmp_path / "p.db")])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert not (tmp_path / "p.db").exists()


def test_a_truncated_utf16_source_decodes_with_a_note() -> None:
    text, note = refi_read.decode_text(b"\xff\xfe" + "Hello".encode("utf-16-le")[:-1])
    assert text.startswith("Hell") and note and "cut short" in note


def test_a_docx_part_bigger_than_the_cap_is_refused(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_ENTRY_BYTES", 1000)
    monkeypatch.setattr(archive.check_entries, "__defaults__", (1000,))
    path = _zip(tmp_path / "big.docx", {"[Content_Types].xml": b"<x/>",
                                        "word/document.xml": b" " * 50_000})
    with pytest.raises(CoderError, match="more than"):
        read_document(path)


def test_a_huge_text_is_refused_before_reading_and_leaves_no_project(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import coder.ingest as ingest

    monkeypatch.setattr(ingest, "MAX_SOURCE_BYTES", 10_000)
    huge = tmp_path / "huge.txt"
    huge.write_text("Interviewer: hello.\n\n" * 2000)
    db = tmp_path / "new.db"
    result = CliRunner().invoke(main, ["import", str(huge), "--db", str(db)])
    assert result.exit_code == 2 and "split it" in result.output, result.output
    assert not db.exists()


def test_codes_from_another_copy_are_added_in_bulk(tmp_path: Path) -> None:
    from coder.models import Code

    store = make_project(tmp_path / "p.db")
    codes = [Code(id=0, key=f"k{i}", name=f"Code {i}", parent_id=None, path=f"Code {i}")
             for i in range(2000)]
    added = store.ensure_codes(codes, {f"k{i}": "k0" for i in range(1, 2000)})
    assert len(added) == 2000
    positions = [c.position for c in store.codes() if c.key.startswith("k")]
    assert positions == sorted(positions) and len(set(positions)) == 2000
