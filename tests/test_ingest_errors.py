"""Files the importer refuses, decoding fallbacks, and speed on large files."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.errors import CoderError
from coder.ingest import read_document


def refuse(path: Path, match: str, **kwargs) -> CoderError:
    with pytest.raises(CoderError, match=match) as err:
        read_document(path, **kwargs)
    assert err.value.path == str(path)
    return err.value


def test_missing_file(tmp_path: Path) -> None:
    refuse(tmp_path / "nope.txt", "No such file")


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "transcripts.txt"
    folder.mkdir()
    refuse(folder, "directory")


@pytest.mark.parametrize("content", [b"", b"  \n\n\t \r\n", "\ufeff \n".encode()])
def test_empty_or_whitespace_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    refuse(path, "empty")


def test_binary_with_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    refuse(path, "binary")


def test_mostly_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(((i * 37 + 11) % 255) + 1 for i in range(3000)))
    refuse(path, "does not look like a text file")


@pytest.mark.parametrize("name", ["report.odt", "photo.png", "sheet.xlsx"])
def test_unsupported_suffix_names_the_supported_formats(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"whatever")
    err = refuse(path, "Cannot import")
    for suffix in (".txt", ".md", ".vtt", ".srt", ".docx", ".pdf"):
        assert suffix in err.message
    assert str(err).startswith(str(path) + ": ")


def test_damaged_pdf_saved_as_txt(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    refuse(path, "Cannot read this PDF")


def test_unknown_format_name(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Hello.", encoding="utf-8")
    refuse(path, "Unknown format", format="rtf")


def test_utf8_bom_is_stripped_once(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfFirst paragraph.\n\nSecond.")
    doc = read_document(path)
    assert [p.text for p in doc.paragraphs] == ["First paragraph.", "Second."]
    assert not doc.warnings


def test_cp1252_fallback_warns(tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes(
        "Caf\u00e9 \u201cquoted\u201d \u2013 text.\r\n\r\nSecond line.".encode("cp1252")
    )
    doc = read_document(path)
    assert [p.text for p in doc.paragraphs] == ["Café “quoted” – text.", "Second line."]
    assert len(doc.warnings) == 1
    assert "cp1252" in doc.warnings[0] and "line 1" in doc.warnings[0]


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "notepad.txt"
    path.write_bytes("P1: Hello.\r\n\r\nP1: Again.".encode("utf-16"))
    doc = read_document(path)
    assert [(p.speaker, p.text) for p in doc.paragraphs] == [("P1", "Hello."), ("P1", "Again.")]


def test_line_endings_normalised_but_text_not(tmp_path: Path) -> None:
    path = tmp_path / "mac.txt"
    # decomposed e + combining acute must stay decomposed (no Unicode normalisation)
    path.write_bytes("Cafe\u0301 one\rstill one\r\rTwo\u00a0words.\r\n".encode())
    doc = read_document(path)
    assert [p.text for p in doc.paragraphs] == ["Cafe\u0301 one\nstill one", "Two\u00a0words."]


def test_square_brackets_are_data(tmp_path: Path) -> None:
    path = tmp_path / "brackets.txt"
    path.write_text(
        "P1: I [laughs] said [bold]no[/bold].\n\nP1: [inaudible 00:18:41] ok.\n", encoding="utf-8"
    )
    doc = read_document(path)
    assert [p.text for p in doc.paragraphs] == [
        "I [laughs] said [bold]no[/bold].",
        "[inaudible 00:18:41] ok.",
    ]


def _big_text(n: int) -> str:
    words = [
        "care",
        "leaver",
        "stigma",
        "support",
        "home",
        "community",
        "social",
        "worker",
        "young",
        "people",
    ]
    return "\n\n".join(
        " ".join(words[(i + k) % len(words)] for k in range(5 + i % 30)).capitalize() + "."
        for i in range(n)
    )


def test_twenty_thousand_paragraphs_parse(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(_big_text(20_000), encoding="utf-8")
    doc = read_document(path)
    assert len(doc.paragraphs) == 20_000


@pytest.mark.slow
def test_hundred_thousand_paragraphs_parse(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text(_big_text(100_000), encoding="utf-8")
    doc = read_document(path)
    assert len(doc.paragraphs) == 100_000
