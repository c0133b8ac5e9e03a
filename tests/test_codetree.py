"""The one code tree: children, parents, paths, descendants and the depth-first order."""

from __future__ import annotations

from operator import attrgetter

from coder.codebook import CodeDef
from coder.codetree import CodeTree
from coder.models import Code


def code(id: int, name: str, parent: int | None) -> Code:
    return Code(id=id, key=name.lower(), name=name, parent_id=parent, path="")


CODES = [
    code(1, "Stigma", None),
    code(2, "Labels", 1),
    code(3, "Leaving care", None),
    code(4, "School", 2),
    code(5, "Housing", 3),
    code(6, "Orphan", 99),  # its parent is not among the codes (retired, filtered out)
    code(7, "Names", 1),
]


def test_children_roots_and_parents_follow_the_given_order() -> None:
    tree = CodeTree(CODES)
    assert [c.name for c in tree.roots()] == ["Stigma", "Leaving care", "Orphan"]
    assert tree.children(None) == tree.roots()
    assert [c.name for c in tree.children(1)] == ["Labels", "Names"]
    assert tree.children(4) == [] and tree.children(42) == []
    parent = tree.parent(4)
    assert parent is not None and parent.name == "Labels"
    assert tree.parent(1) is None and tree.parent(6) is None
    assert 4 in tree and 99 not in tree and len(tree) == 7


def test_paths_ancestors_and_descendants() -> None:
    tree = CodeTree(CODES)
    assert tree.path(4) == "Stigma/Labels/School"
    assert tree.path(6) == "Orphan"
    assert [c.name for c in tree.ancestors(4)] == ["Labels", "Stigma"]
    assert [c.name for c in tree.descendants(1)] == ["Stigma", "Labels", "School", "Names"]
    assert tree.descendants(42) == []
    assert tree.descendant_ids(2) == {2, 4}
    assert tree.descendant_ids(42) == {42}


def test_walk_is_depth_first_with_depths() -> None:
    walked = [(c.name, depth) for c, depth in CodeTree(CODES).walk()]
    assert walked == [("Stigma", 0), ("Labels", 1), ("School", 2), ("Names", 1),
                      ("Leaving care", 0), ("Housing", 1), ("Orphan", 0)]


def test_a_parent_cycle_never_loops_and_loses_no_code() -> None:
    tree = CodeTree([code(1, "A", 2), code(2, "B", 1), code(3, "C", None)])
    assert [(c.name, d) for c, d in tree.walk()] == [("C", 0), ("A", 0), ("B", 0)]
    assert [c.name for c in tree.ancestors(1)] == ["B"]
    assert tree.path(1) == "B/A"
    assert tree.descendant_ids(1) == {1, 2}


def test_codebook_entries_are_walked_by_key() -> None:
    defs = [CodeDef("care", "Care", None), CodeDef("after", "After care", "care"),
            CodeDef("school", "School", None)]
    tree = CodeTree(defs, ident=attrgetter("key"), parent=attrgetter("parent_key"))
    assert tree.path("after") == "Care/After care"
    assert [c.key for c in tree.children("care")] == ["after"]
    assert [c.key for c, _ in tree.walk()] == ["care", "after", "school"]
