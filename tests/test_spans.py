"""The overlap rule on its own: which spans of one code by one coder may sit side by side."""

from __future__ import annotations

from coder.models import Segment
from coder.spans import OverlapCheck, first_overlap, overlaps, sort_out


def test_overlap_means_sharing_a_character_and_the_same_span_is_not_an_overlap() -> None:
    assert overlaps((0, 10), (9, 12))
    assert overlaps((3, 4), (0, 10))
    assert not overlaps((0, 10), (10, 12))  # ends are exclusive
    assert not overlaps((0, 10), (0, 10))


def test_first_overlap_passes_over_whole_paragraph_codings() -> None:
    assert first_overlap([(None, None), (0, 5), (8, 12)], 4, 9) == (0, 5)
    assert first_overlap([(None, None), (0, 5)], 5, 9) is None


def test_the_check_keys_by_place_and_records_only_what_it_accepts() -> None:
    check: OverlapCheck[str] = OverlapCheck()
    assert check.admit(("p1", "code", "alice"), 0, 10, "first") is None
    assert check.admit(("p1", "code", "alice"), 5, 15, "second") == "first"
    assert check.admit(("p1", "code", "bob"), 5, 15, "bob's") is None
    assert check.admit(("p1", "code", "alice"), 12, 20, "third") is None  # second was refused
    assert check.admit(("p1", "code", "alice"), None, None, "whole") is None


def segment(id: int, start: int | None, end: int | None, coder: int = 1) -> Segment:
    return Segment(id, 7, 3, coder, start, end, None, "", "")


def test_sort_out_judges_rows_against_the_project_and_earlier_rows() -> None:
    existing = [segment(1, 0, 10), segment(2, None, None), segment(3, 40, 50, coder=2)]

    def row(start: int | None, end: int | None, guid: str, coder: int = 1) -> dict:
        return {"paragraph_id": 7, "code_id": 3, "coder_id": coder, "start": start,
                "end": end, "guid": guid}

    rows = [row(5, 12, "a"), row(20, 30, "b"), row(25, 35, "c"), row(0, 10, "d"),
            row(None, None, "e"), row(45, 48, "f"), row(2, 4, "known")]
    kept, refused = sort_out(existing, rows, {"known"})
    assert [r["guid"] for r in kept] == ["b", "d", "e", "f", "known"]
    assert [(r["guid"], span) for r, span in refused] == [("a", (0, 10)), ("c", (20, 30))]
