"""The codebook diff planner on plain data: no database, no files."""

from __future__ import annotations

from typing import Any

import pytest

from coder.codebook_plan import describe_change, plan_codes
from coder.errors import CoderError


def row(code_id: int, key: str, **values: Any) -> dict[str, Any]:
    """A project's code row as the store reads it."""
    base = {"id": code_id, "key": key, "name": key.title(), "parent_id": None,
            "retired_at": None, "merged_into": None, "color": None, "shortcut": None,
            "definition": "", "when_to_use": "", "when_not_to_use": "", "example": ""}
    return {**base, **values}


def code(key: str, **values: Any) -> dict[str, Any]:
    """A codebook entry as `codebook_rows` hands it to the store."""
    return {"key": key, "name": key.title(), "parent_key": None, **values}


def plan(codes: list[dict[str, Any]], existing: list[dict[str, Any]], *,
         moves: dict[str, str] | None = None, aliases: dict[str, int] | None = None,
         counts: dict[int, int] | None = None):
    return plan_codes(codes, moves or {}, existing, aliases or {}, counts or {})


def test_a_new_project_only_adds_in_codebook_order() -> None:
    p = plan([code("b"), code("a")], [])
    assert p.report["added"] == ["b", "a"]
    assert not p.changes_existing()
    assert p.renames == {} and p.merges == {} and p.dropped == []


def test_an_unchanged_codebook_reports_nothing() -> None:
    p = plan([code("a")], [row(1, "a")])
    assert not any(p.report.values())


def test_changed_fields_are_described_names_in_full_others_by_name() -> None:
    p = plan([code("a", name="Alpha", shortcut="x", when_to_use="new")],
             [row(1, "a", shortcut="q")])
    assert p.report["updated"] == ["a"]
    assert p.report["changed"] == [
        "a: name 'A' -> 'Alpha'; shortcut q -> x; when to use changed"]
    assert p.changes_existing()


def test_a_retired_code_listed_again_is_brought_back() -> None:
    p = plan([code("a")], [row(1, "a", retired_at="2024-01-01")])
    assert p.report["updated"] == ["a"]
    assert p.report["changed"] == ["a: brought back from retirement"]


def test_renamed_from_a_free_key_renames_the_same_code() -> None:
    p = plan([code("new", name="Old", renamed_from=["old"])], [row(1, "old")],
             counts={1: 3})
    assert p.renames == {"old": "new"}
    assert p.report["renamed"] == ["old -> new"]
    assert p.report["retired"] == [] and p.report["added"] == []


def test_renamed_from_an_existing_key_merges_and_counts_the_segments() -> None:
    p = plan([code("b", renamed_from=["a"])], [row(1, "a"), row(2, "b")], counts={1: 1})
    assert p.merges == {"a": "b"}
    assert p.report["merged"] == ["a -> b (1 segment)"]
    assert p.dropped == []


def test_the_first_code_to_claim_an_old_key_wins() -> None:
    p = plan([code("x", renamed_from=["a"]), code("y", renamed_from=["a"])], [row(1, "a")])
    assert p.renames == {"a": "x"}
    assert p.report["added"] == ["y"]


def test_two_old_keys_renamed_to_one_new_key_rename_one_and_merge_the_other() -> None:
    p = plan([code("n", renamed_from=["a", "b"])], [row(1, "a"), row(2, "b")])
    assert p.renames == {"a": "n"}
    assert p.merges == {"b": "n"}


def test_renamed_from_a_code_merged_away_already_is_ignored() -> None:
    existing = [row(1, "a", retired_at="t", merged_into=2), row(2, "b")]
    p = plan([code("b", renamed_from=["a"])], existing)
    assert p.renames == {} and p.merges == {}
    assert p.dropped == []  # retired already: not retired twice


def test_a_dropped_unused_code_is_retired() -> None:
    p = plan([code("a")], [row(1, "a"), row(2, "gone")], counts={1: 5})
    assert [r["key"] for r in p.dropped] == ["gone"]
    assert p.report["retired"] == ["gone"]


def test_dropping_a_code_in_use_is_refused_naming_its_segments_and_the_way_out() -> None:
    with pytest.raises(CoderError) as err:
        plan([code("a")], [row(1, "a"), row(2, "used", name="Used"), row(3, "two")],
             counts={2: 1, 3: 2})
    message = str(err.value)
    assert "'Used' (used) is used by 1 segment;" in message
    assert "(two) is used by 2 segments" in message
    assert "--move used=OTHER-KEY" in message


def test_duplicate_keys_are_refused_by_name() -> None:
    with pytest.raises(CoderError, match=r"key\(s\) a, b more than once"):
        plan([code("a"), code("b"), code("a"), code("b"), code("c")], [])


def test_a_move_merges_a_dropped_code_into_a_listed_one() -> None:
    p = plan([code("b")], [row(1, "a"), row(2, "b")], moves={"a": "b"}, counts={1: 4})
    assert p.merges == {"a": "b"}
    assert p.report["merged"] == ["a -> b (4 segments)"]
    assert p.dropped == []


@pytest.mark.parametrize(("moves", "codes", "message"), [
    ({"zz": "b"}, [code("b")], "no code 'zz' in this project"),
    ({"b": "b"}, [code("b")], "cannot be merged into itself"),
    ({"a": "b"}, [code("a"), code("b")], "'a' is still in the codebook"),
    ({"a": "c"}, [code("b")], "'c' is not in the codebook"),
    ({"a": "b"}, [code("b"), code("n", renamed_from=["a"])], "already renames 'a' to 'n'"),
])
def test_a_wrong_move_is_refused(moves: dict[str, str], codes: list[dict[str, Any]],
                                 message: str) -> None:
    with pytest.raises(CoderError, match=message):
        plan(codes, [row(1, "a"), row(2, "b")], moves=moves)


def test_a_move_naming_a_renamed_key_points_at_the_current_one() -> None:
    with pytest.raises(CoderError, match="'old' was renamed to 'a'; name it by its current key"):
        plan([code("b")], [row(1, "a"), row(2, "b")], moves={"old": "b"}, aliases={"old": 1})


def test_a_new_parent_is_reported_but_a_renamed_parent_is_not() -> None:
    existing = [row(1, "p"), row(2, "q"), row(3, "child", parent_id=1),
                row(4, "kid", parent_id=2)]
    codes = [code("p2", renamed_from=["p"]), code("q"),
             code("child", parent_key="p2"), code("kid", parent_key=None)]
    p = plan(codes, existing)
    assert p.report["reparented"] == ["kid: q -> (top level)"]
    assert p.report["renamed"] == ["p -> p2"]


def test_describe_change_names_empty_shortcuts() -> None:
    text = describe_change(row(1, "a", shortcut=None), code("a", shortcut="k"), ["shortcut"])
    assert text == "shortcut (none) -> k"
