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


def refused(store: Store, tmp_path: Path, text: str) -> tuple[Path, str]:
    """The file and the error message of a CSV that must be refused without writing."""
    csv_file = write(tmp_path, text)
    with pytest.raises(CoderError) as err:
        import_codings_csv(store, csv_file)
    assert store.segment_rows() == []
    return csv_file, str(err.value)


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
    csv_file, message = refused(
        store,
        tmp_path,
        "document,paragraph,coder,code,start,end\n"
        "notes,3,bob,stigma,,\n"
        "interview,1,bob,stigma,,\n"
        "notes,99,bob,stigma,,\n"
        "notes,2,bob,nonsense,,\n"
        "notes,2,bob,stigma,5,500\n"
        "notes,x,bob,stigma,,\n",
    )
    assert "5 bad row(s)" in message
    assert f"{csv_file}:3: unknown document 'interview'" in message
    assert f"{csv_file}:4: paragraph 99 is out of range" in message
    assert f"{csv_file}:5: unknown code 'nonsense'" in message
    assert f"{csv_file}:6: span 5-500 is outside paragraph 2" in message
    assert f"{csv_file}:7: paragraph must be a number" in message


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


def test_a_cp1252_file_is_read_with_a_warning(store: Store, tmp_path: Path) -> None:
    from coder.models import ParagraphIn, ParsedDocument

    store.add_document("notés", ParsedDocument("text", [ParagraphIn("Café talk.")]),
                       source_path="n.txt", content_hash="hash-accent")
    path = tmp_path / "latin.csv"
    path.write_bytes(b"document,paragraph,coder,code,memo\nnot\xe9s,1,bob,stigma,caf\xe9\n")
    warnings: list[str] = []
    assert import_codings_csv(store, path, warnings) == (1, 0)
    [row] = store.segment_rows()
    assert (row.document, row.memo) == ("notés", "café")
    assert len(warnings) == 1 and "line 2" in warnings[0] and "cp1252" in warnings[0]


def test_semicolon_separated_csv_from_excel(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "document;paragraph;coder;code;memo\r\nnotes;3;bob;stigma;yes, really\r\n"
        .encode("cp1252")
    )
    assert import_codings_csv(store, path) == (1, 0)
    [row] = store.segment_rows()
    assert (row.n, row.code_key, row.memo) == (3, "stigma", "yes, really")


def test_code_given_by_path_or_unambiguous_name(store: Store, tmp_path: Path) -> None:
    csv_file = write(
        tmp_path,
        "document,paragraph,coder,code\n"
        "notes,2,bob,Stigma/Labels\n"
        "notes,3,bob,labels\n"
        "notes,4,bob,leaving care\n",
    )
    assert import_codings_csv(store, csv_file) == (3, 0)
    assert sorted((r.n, r.code_key) for r in store.segment_rows()) == [
        (2, "labels"), (3, "labels"), (4, "leaving-care")
    ]


def test_a_name_shared_by_two_codes_is_refused(store: Store, tmp_path: Path) -> None:
    from factories import SMALL_CODES

    store.sync_codes([*SMALL_CODES, {"key": "care-labels", "name": "Labels",
                                     "parent_key": "leaving-care"}])
    csv_file, message = refused(store, tmp_path, "document,paragraph,coder,code\nnotes,2,bob,Labels\n")
    assert f"{csv_file}:2: code name 'Labels' is ambiguous" in message
    assert "'Stigma/Labels'" in message and "'Leaving care/Labels'" in message


def test_codings_for_a_retired_code_are_refused(store: Store, tmp_path: Path) -> None:
    from factories import SMALL_CODES

    store.sync_codes(SMALL_CODES[:2])
    csv_file, message = refused(
        store, tmp_path, "document,paragraph,coder,code\nnotes,3,bob,stigma\nnotes,4,bob,leaving-care\n"
    )
    assert f"{csv_file}:3: code 'leaving-care' (Leaving care) was retired" in message
    assert "1 bad row(s)" in message


def test_span_errors_say_what_is_wrong(store: Store, tmp_path: Path) -> None:
    csv_file, message = refused(
        store,
        tmp_path,
        "document,paragraph,coder,code,start,end\n"
        "notes,3,bob,stigma,8,4\n"
        "notes,3,bob,stigma,5,5\n"
        "notes,3,bob,stigma,-2,4\n"
        "notes,3,bob,stigma,4,\n",
    )
    assert f"{csv_file}:2: span 8-4: end must come after start" in message
    assert f"{csv_file}:3: span 5-5: end must come after start" in message
    assert f"{csv_file}:4: span -2-4: start and end are character offsets and cannot be " \
        "negative" in message
    assert f"{csv_file}:5: start and end must both be numbers" in message
    assert "outside" not in message


def test_the_same_coding_twice_with_two_memos_keeps_both(store: Store, tmp_path: Path) -> None:
    csv_file = write(
        tmp_path,
        "document,paragraph,coder,code,memo\n"
        "notes,3,bob,stigma,first thought\n"
        "notes,3,bob,stigma,second thought\n"
        "notes,3,bob,stigma,first thought\n",
    )
    warnings: list[str] = []
    assert import_codings_csv(store, csv_file, warnings) == (1, 0)
    assert [r.memo for r in store.segment_rows()] == ["first thought\n\nsecond thought"]
    assert warnings == [
        (f"{csv_file}:3: the same coding as line 2 with another memo; the two memos were "
         "joined into one")
    ]


def test_a_memo_for_a_coding_already_there_is_reported(store: Store, tmp_path: Path) -> None:
    import_codings_csv(store, write(tmp_path, "document,paragraph,coder,code,memo\n"
                                              "notes,3,bob,stigma,old memo\n"))
    csv_file = write(tmp_path, "document,paragraph,coder,code,memo\nnotes,3,bob,stigma,new\n",
                     name="again.csv")
    warnings: list[str] = []
    assert import_codings_csv(store, csv_file, warnings) == (0, 1)
    assert [r.memo for r in store.segment_rows()] == ["old memo"]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{csv_file}:2: this coding is already in the project with a "
                                  "different memo")


def test_an_export_imports_back_into_another_project(store: Store, tmp_path: Path) -> None:
    from click.testing import CliRunner
    from factories import make_project

    from coder.cli import main

    import_codings_csv(store, write(
        tmp_path,
        "document,paragraph,coder,code,start,end,memo\n"
        'notes,2,bob,labels,10,32,"a memo, with a comma\nand a line"\n'
        "notes,3,carol,stigma,,,\n",
    ))
    runner = CliRunner()
    exported = runner.invoke(main, ["export", "segments", "--format", "csv",
                                    "--db", str(store.path)])
    assert exported.exit_code == 0, exported.output
    assert exported.stdout.startswith("document,document_title,paragraph,speaker,coder,code_key")
    export_file = tmp_path / "export.csv"
    export_file.write_text(exported.stdout, encoding="utf-8", newline="")
    other = make_project(tmp_path / "other.db")
    other.close()
    result = runner.invoke(main, ["codings", "import", str(export_file),
                                  "--db", str(tmp_path / "other.db")])
    assert result.exit_code == 0, result.output
    assert "2 segment(s) added, 0 already there" in result.stdout

    def rows(s: Store) -> list[tuple]:
        return [(r.n, r.coder, r.code_key, r.start, r.end, r.memo) for r in s.segment_rows()]

    again = Store(tmp_path / "other.db")
    try:
        assert rows(again) == rows(store)
        assert len(rows(again)) == 2
    finally:
        again.close()


def test_cli_prints_the_warnings(store: Store, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from coder.cli import main

    path = tmp_path / "latin.csv"
    path.write_bytes(b"document;paragraph;coder;code;memo\nnotes;3;bob;stigma;caf\xe9\n")
    store.close()
    result = CliRunner().invoke(main, ["codings", "import", str(path), "--db",
                                       str(tmp_path / "project.db")])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stdout and "Windows-1252" in result.stdout
    assert "1 segment(s) added" in result.stdout


def test_overlapping_spans_of_one_code_by_one_coder_are_refused_with_their_lines(
    store: Store, tmp_path: Path
) -> None:
    csv_file, message = refused(
        store,
        tmp_path,
        "document,paragraph,coder,code,start,end\n"
        "notes,3,bob,stigma,0,20\n"
        "notes,3,bob,stigma,10,30\n"
        "notes,3,bob,stigma,20,25\n"
        "notes,3,bob,labels,5,15\n"
        "notes,3,carol,stigma,5,15\n"
        "notes,3,bob,stigma,0,20\n",
    )
    assert "1 bad row(s)" in message
    assert (f"{csv_file}:3: span 10-30 of stigma by bob in paragraph 3 overlaps its "
            "span 0-20 on line 2") in message


def test_a_span_overlapping_one_already_in_the_project_is_refused(
    store: Store, tmp_path: Path
) -> None:
    first = write(tmp_path, "document,paragraph,coder,code,start,end\nnotes,3,bob,stigma,0,20\n",
                  name="first.csv")
    assert import_codings_csv(store, first) == (1, 0)
    second = write(tmp_path, "document,paragraph,coder,code,start,end\n"
                             "notes,3,bob,stigma,0,20\n"
                             "notes,4,bob,stigma,0,5\n"
                             "notes,3,bob,stigma,15,40\n", name="second.csv")
    with pytest.raises(CoderError) as err:
        import_codings_csv(store, second)
    assert (f"{second}:4: span 15-40 of stigma by bob in paragraph 3 overlaps its span 0-20 "
            "already in the project") in str(err.value)
    assert [(r.n, r.start, r.end) for r in store.segment_rows()] == [(3, 0, 20)]
