from __future__ import annotations

from pathlib import Path

import pytest

from coder.codings import import_codings_csv
from coder.errors import CoderError
from coder.store import Store


def write(tmp_path: Path, text: str, name: str = "codings.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_with_and_without_spans_come_in(store: Store, tmp_path: Path) -> None:
    csv_file = write(
        tmp_path,
        "document,paragraph,coder,code,start,end\n"
        "notes,3,bob,stigma,,\n"
        "notes,2,bob,labels,10,32\n"
        'notes,4,carol,Leaving care,0,5\n',
    )
    assert import_codings_csv(store, csv_file) == (3, 0)
    rows = {(r.coder, r.code_key, r.n): r.quote for r in store.segment_rows()}
    assert rows == {
        ("bob", "stigma", 3): "People hear care and assume you did something wrong.",
        ("bob", "labels", 2): "[Spotlight Inquiry](#)",
        ("carol", "leaving-care", 4): "At 18",
    }
    assert import_codings_csv(store, csv_file) == (0, 3)


def test_every_bad_row_is_reported_with_its_line_and_nothing_written(
    store: Store, tmp_path: Path
) -> None:
    csv_file = write(
        tmp_path,
        "document,paragraph,coder,code,start,end\n"
        "notes,3,bob,stigma,,\n"
        "interview,1,bob,stigma,,\n"
        "notes,99,bob,stigma,,\n"
        "notes,2,bob,nonsense,,\n"
        "notes,2,bob,stigma,5,500\n"
        "notes,x,bob,stigma,,\n",
    )
    with pytest.raises(CoderError) as err:
        import_codings_csv(store, csv_file)
    message = str(err.value)
    assert "5 bad row(s)" in message
    assert f"{csv_file}:3: unknown document 'interview'" in message
    assert f"{csv_file}:4: paragraph 99 is out of range" in message
    assert f"{csv_file}:5: unknown code 'nonsense'" in message
    assert f"{csv_file}:6: span 5-500 is outside paragraph 2" in message
    assert f"{csv_file}:7: paragraph must be a number" in message
    assert store.segment_rows() == []


def test_line_numbers_count_quoted_newlines(store: Store, tmp_path: Path) -> None:
    csv_file = write(
        tmp_path,
        'document,paragraph,coder,code,memo\nnotes,3,bob,stigma,"two\nlines"\nnotes,3,bob,bad,\n',
    )
    with pytest.raises(CoderError, match=r"codings.csv:4: unknown code 'bad'"):
        import_codings_csv(store, csv_file)


def test_missing_columns_and_files_are_clear(store: Store, tmp_path: Path) -> None:
    with pytest.raises(CoderError, match="missing column"):
        import_codings_csv(store, write(tmp_path, "document,paragraph\nnotes,1\n"))
    with pytest.raises(CoderError, match="no such file"):
        import_codings_csv(store, tmp_path / "absent.csv")
    with pytest.raises(CoderError, match="not UTF-8"):
        bad = tmp_path / "latin.csv"
        bad.write_bytes(b"document,paragraph,coder,code\nnot\xe9s,1,bob,stigma\n")
        import_codings_csv(store, bad)


def test_excel_bom_is_accepted(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffdocument,paragraph,coder,code\r\nnotes,3,bob,stigma\r\n".encode())
    assert import_codings_csv(store, path) == (1, 0)


def test_codes_renamed_since_the_csv_was_made_still_resolve(store: Store, tmp_path: Path) -> None:
    from factories import SMALL_CODES

    renamed = [dict(SMALL_CODES[0], key="stigma-and-labels", renamed_from=["stigma"]),
               *SMALL_CODES[1:]]
    renamed[1] = dict(renamed[1], parent_key="stigma-and-labels")
    store.sync_codes(renamed)
    csv_file = write(tmp_path, "document,paragraph,coder,code\nnotes,3,bob,stigma\n")
    assert import_codings_csv(store, csv_file) == (1, 0)
    assert [r.code_key for r in store.segment_rows()] == ["stigma-and-labels"]
