"""The YAML codebook: the sample, every kind of mistake with its place, safety limits, appending codes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coder.codebook import (
    RESERVED_KEYS,
    CodebookError,
    CodeDef,
    Problem,
    append_code,
    check_codebook,
    load_codebook,
    parse_codebook,
)
from coder.errors import CoderError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "codebooks" / "care-and-community.yaml"
README = ROOT / "codebooks" / "README.md"
SEEDS = ROOT / "seeds"
PDF_SEED = "east-of-england-evidence-session-2021-05.txt"

BRIEF_RESERVED = {*"jkgGnNuUmsafodDcqerx", "/", "?", ":", "space", "enter", "tab", "escape"}


def problems_of(text: str) -> list[tuple[int, int, str]]:
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, "cb.yaml")
    return [(p.line, p.column, p.message) for p in caught.value.problems]


def only_problem(text: str) -> tuple[int, int, str]:
    found = problems_of(text)
    assert len(found) == 1, found
    return found[0]


# ── the sample codebook ──────────────────────────────────────────────────────


def test_sample_codebook_loads_without_problems():
    assert check_codebook(SAMPLE) == []
    codebook = load_codebook(SAMPLE)
    assert codebook.name == "Care and community"
    assert 12 <= len(codebook.codes) <= 25


def test_sample_codebook_has_two_levels_with_parents_first():
    codebook = load_codebook(SAMPLE)
    children = [c for c in codebook.codes if c.parent_key is not None]
    assert len(children) >= 5
    seen: set[str] = set()
    for code in codebook.codes:
        assert code.parent_key is None or code.parent_key in seen
        seen.add(code.key)
    assert codebook.path("support-drops-off") == "Leaving care/Support drops off at 18"
    assert codebook.path("risk-averse") == "Photos/Risk-averse safeguarding"


def test_sample_codes_are_complete_and_shortcuts_usable():
    codebook = load_codebook(SAMPLE)
    for code in codebook.codes:
        for attribute in ("definition", "when_to_use", "when_not_to_use", "example"):
            assert getattr(code, attribute).strip(), (code.key, attribute)
        assert code.color and re.fullmatch(r"#[0-9a-f]{6}", code.color)
        assert code.shortcut and len(code.shortcut) == 1
        assert code.shortcut not in BRIEF_RESERVED
    shortcuts = [c.shortcut for c in codebook.codes]
    assert len(set(shortcuts)) == len(shortcuts)


def test_sample_when_not_to_use_names_another_code():
    codebook = load_codebook(SAMPLE)
    names = {c.name for c in codebook.codes}
    for code in codebook.codes:
        others = [n for n in names - {code.name} if n in code.when_not_to_use]
        assert others, f"{code.key}: when_not_to_use names no other code"


def test_sample_examples_are_verbatim_quotes_from_the_seeds():
    seeds = {p.name: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    assert len(seeds) == 5

    def squash(text: str) -> str:
        return " ".join(text.split())

    for code in load_codebook(SAMPLE).codes:
        exact = any(code.example in text for text in seeds.values())
        in_pdf = squash(code.example) in squash(seeds[PDF_SEED])
        assert exact or in_pdf, f"{code.key}: example not found in any seed: {code.example!r}"


def test_reserved_keys_are_the_apps_own():
    assert RESERVED_KEYS == BRIEF_RESERVED
    for free in "bhilptvwyz0123456789ABCEFHZ":
        assert free not in RESERVED_KEYS


# ── the README example ───────────────────────────────────────────────────────


def test_readme_minimal_example_parses():
    readme = README.read_text(encoding="utf-8")
    section = readme.split("## A minimal codebook", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert match
    codebook = parse_codebook(match.group(1), "README.md")
    assert [c.key for c in codebook.codes] == ["stigma", "disclosure", "leaving-care"]
    assert codebook.by_key("disclosure").parent_key == "stigma"
    assert codebook.by_key("stigma").color == "#d62728"
    assert codebook.by_key("leaving-care").color == "#4682b4"


# ── what a valid file gives ──────────────────────────────────────────────────

VALID = """\
name: Pilot
description: >-
  Round one.
codes:
  - key: leaving-care
    name: Leaving care
    color: "#ABC"
    shortcut: 8
    renamed_from: [leaving]
    codes:
      - key: support-drops-off
        name: Support drops off
        definition: |
          Ends at 18.
        color: SteelBlue
        shortcut: "b"
  - key: photos
    name: Photos
    color: dark_orange3
    memo: Split later?
    codes:
      - key: support-photos
        name: Support drops off
"""


def test_valid_codebook_fields_and_helpers():
    codebook = parse_codebook(VALID)
    assert (codebook.name, codebook.description) == ("Pilot", "Round one.")
    assert [c.key for c in codebook.codes] == [
        "leaving-care",
        "support-drops-off",
        "photos",
        "support-photos",
    ]
    leaving = codebook.by_key("leaving-care")
    assert (leaving.line, leaving.color, leaving.shortcut, leaving.renamed_from) == (
        5,
        "#aabbcc",
        "8",
        ("leaving",),
    )
    child = codebook.by_key("support-drops-off")
    assert (child.parent_key, child.line, child.definition, child.color) == (
        "leaving-care",
        11,
        "Ends at 18.",
        "#4682b4",
    )
    assert codebook.by_key("photos").color == "#d75f00"
    assert codebook.by_key("photos").memo == "Split later?"
    assert [c.key for c in codebook.children(None)] == ["leaving-care", "photos"]
    assert [c.key for c in codebook.children("leaving-care")] == ["support-drops-off"]
    assert codebook.path("support-photos") == "Photos/Support drops off"
    assert codebook.by_shortcut("b").key == "support-drops-off"
    assert codebook.current_key("leaving") == "leaving-care"
    assert codebook.current_key("nope") is None
    with pytest.raises(KeyError):
        codebook.by_key("nope")


def test_colour_names_and_short_hex():
    text = "name: c\ncodes:\n  - {key: a, name: A, color: red}\n  - {key: b, name: B, color: '#0F0'}\n"
    codebook = parse_codebook(text)
    assert [c.color for c in codebook.codes] == ["#ff0000", "#00ff00"]


def test_bom_and_crlf_are_accepted(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: x\r\ncodes:\r\n  - key: a\r\n    name: A\r\n")
    assert check_codebook(path) == []
    assert load_codebook(path).by_key("a").line == 3


# ── every kind of mistake, with its place ────────────────────────────────────

CASES = {
    "top-level typo": (
        "name: x\ndescripton: y\ncodes: []\n",
        (2, 1, "unknown field 'descripton' at the top of the codebook; did you mean 'description'?"),
    ),
    "code field typo": (
        "name: x\ncodes:\n  - key: a\n    name: A\n    defintion: y\n",
        (5, 5, "did you mean 'definition'?"),
    ),
    "british colour": (
        "name: x\ncodes:\n  - key: a\n    name: A\n    colour: red\n",
        (5, 5, "unknown field 'colour' in a code; did you mean 'color'?"),
    ),
    "repeated field in one mapping": (
        "name: x\ncodes:\n  - key: a\n    name: A\n    definition: one\n    definition: two\n",
        (6, 5, "'definition' appears twice in this mapping (first at line 5)"),
    ),
    "duplicate sibling names": (
        "name: x\ncodes:\n  - key: a\n    name: Trust\n  - key: b\n    name: trust\n",
        (6, 11, "another code at the top level is already named 'Trust' (line 3)"),
    ),
    "duplicate key in another branch": (
        (
            "name: x\ncodes:\n  - key: a\n    name: A\n    codes:\n      - key: b\n        name: B\n"
            "  - key: c\n    name: C\n    codes:\n      - key: b\n        name: B2\n"
        ),
        (11, 14, "key 'b' is already used by 'B' (line 6); keys identify codes across the whole codebook"),
    ),
    "duplicate shortcut anywhere": (
        (
            "name: x\ncodes:\n  - key: a\n    name: A\n    shortcut: b\n    codes:\n"
            "      - key: c\n        name: C\n        shortcut: b\n"
        ),
        (9, 19, "shortcut 'b' is already used by 'A' (line 3)"),
    ),
    "shortcut too long": (
        "name: x\ncodes:\n  - key: a\n    name: A\n    shortcut: bb\n",
        (5, 15, "shortcut 'bb' must be a single key"),
    ),
    "shortcut reserved": (
        "name: x\ncodes:\n  - key: a\n    name: A\n    shortcut: j\n",
        (5, 15, "shortcut 'j' is reserved for moving down"),
    ),
    "shortcut space": (
        "name: x\ncodes:\n  - key: a\n    name: A\n    shortcut: ' '\n",
        (5, 15, "shortcut 'space' is reserved"),
    ),
    "shortcut punctuation": (
        "name: x\ncodes:\n  - key: a\n    name: A\n    shortcut: '+'\n",
        (5, 15, "shortcut '+' must be a letter or a digit"),
    ),
    "bad colour": (
        "name: x\ncodes:\n  - key: a\n    name: A\n    color: grean\n",
        (
            5,
            12,
            "'grean' is not a colour: use #RRGGBB, #RGB or a colour name such as red or steelblue;"
            " did you mean 'green'?",
        ),
    ),
    "bad hex colour": (
        "name: x\ncodes:\n  - key: a\n    name: A\n    color: '#12345'\n",
        (5, 12, "'#12345' is not a colour"),
    ),
    "unquoted hex colour": (
        "name: x\ncodes:\n  - key: a\n    name: A\n    color: #ff0000\n",
        (
            5,
            12,
            'an unquoted # starts a YAML comment, so this colour is empty; put it in quotes: color: "#ff0000"',
        ),
    ),
    "missing name": (
        "name: x\ncodes:\n  - key: a\n    definition: d\n",
        (3, 5, "'name' is missing"),
    ),
    "empty name": (
        "name: x\ncodes:\n  - key: a\n    name: '  '\n",
        (4, 11, "'name' is empty"),
    ),
    "list as name": (
        "name: x\ncodes:\n  - key: a\n    name: [A, B]\n",
        (4, 11, "'name' must be text, not a list"),
    ),
    "number as name": (
        "name: x\ncodes:\n  - key: a\n    name: 2021\n",
        (4, 11, "'name' must be text, not a number (2021); put it in quotes"),
    ),
    "yaml boolean as name": (
        "name: x\ncodes:\n  - key: a\n    name: No\n",
        (4, 11, "'name' must be text, not 'No', which YAML reads as true/false; put it in quotes: \"No\""),
    ),
    "mapping as definition": (
        "name: x\ncodes:\n  - key: a\n    name: A\n    definition:\n      text: t\n",
        (6, 7, "'definition' must be text, not a mapping"),
    ),
    "slash in name": (
        "name: x\ncodes:\n  - key: a\n    name: A/B\n",
        (4, 11, "contains '/'"),
    ),
    "codes is a mapping": (
        "name: x\ncodes:\n  key: a\n  name: A\n",
        (3, 3, "'codes' must be a list of codes, each starting with '- ', not a mapping"),
    ),
    "codes is text": (
        "name: x\ncodes: Stigma\n",
        (2, 8, "'codes' must be a list of codes"),
    ),
    "child codes not a list": (
        "name: x\ncodes:\n  - key: a\n    name: A\n    codes: b\n",
        (5, 12, "'codes' must be a list of codes"),
    ),
    "code is text": (
        "name: x\ncodes:\n  - Stigma\n",
        (3, 5, "each code must be a mapping with at least key: and name:, not text"),
    ),
    "missing key": (
        "name: x\ncodes:\n  - name: Support drops off at 18\n",
        (3, 5, "code 'Support drops off at 18' has no key; add 'key: support-drops-off-at-18'"),
    ),
    "key not a slug": (
        "name: x\ncodes:\n  - key: Leaving Care\n    name: A\n",
        (3, 10, "key 'Leaving Care' must be a lowercase slug such as 'leaving-care'"),
    ),
    "old key still in use": (
        "name: x\ncodes:\n  - key: a\n    name: A\n  - key: b\n    name: B\n    renamed_from: [c, a]\n",
        (7, 23, "old key 'a' is the current key of 'A' (line 3)"),
    ),
    "old key claimed twice": (
        (
            "name: x\ncodes:\n  - key: a\n    name: A\n    renamed_from: [old]\n"
            "  - key: b\n    name: B\n    renamed_from: old\n"
        ),
        (8, 19, "old key 'old' is already listed by 'A' (line 3)"),
    ),
    "missing codebook name": (
        "codes: []\n",
        (1, 1, "'name' is missing"),
    ),
    "missing codes": (
        "name: x\n",
        (1, 1, "no 'codes:' list"),
    ),
    "top level is a list": (
        "- a\n- b\n",
        (1, 1, "a codebook is a mapping with name: and codes:, not a list"),
    ),
    "yaml syntax error": (
        "name: x\ncodes:\n  - key: a\n    name: Trust: broken\n",
        (4, 16, "YAML syntax: mapping values are not allowed here"),
    ),
    "tab indentation": (
        "name: x\ncodes:\n\t- key: a\n",
        (3, 1, "YAML indents with spaces, not tabs"),
    ),
    "two documents": (
        "name: x\ncodes: []\n---\nname: y\n",
        (3, 1, "a codebook is one YAML document, but a second one starts here"),
    ),
    "python tag": (
        "name: !!python/object/apply:os.system ['ls']\ncodes: []\n",
        (1, 7, "the YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
    ),
    "anchor": (
        "name: &n x\ncodes: []\n",
        (1, 7, "YAML anchors and aliases (&name, *name) are not allowed"),
    ),
    "control character": (
        "name: a\x07b\ncodes: []\n",
        (1, 8, "character U+0007 is not allowed"),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_mistake_is_reported_at_its_place(name):
    text, (line, column, message) = CASES[name]
    found = only_problem(text)
    assert found[:2] == (line, column), found
    assert message in found[2], found


def test_every_problem_is_reported_in_file_order():
    text = (
        "name: x\n"  # 1
        "descripton: y\n"  # 2
        "codes:\n"  # 3
        "  - key: a\n"  # 4
        "    name: A\n"  # 5
        "    shortcut: q\n"  # 6
        "  - key: a\n"  # 7
        "    name: B\n"  # 8
        "    color: blurple\n"  # 9
        "    defintion: d\n"  # 10
    )
    found = problems_of(text)
    assert [(line, column) for line, column, _ in found] == [(2, 1), (6, 15), (7, 10), (9, 12), (10, 5)]
    assert "reserved for quitting" in found[1][2]


def test_same_name_under_different_parents_is_fine():
    text = (
        "name: x\ncodes:\n"
        "  - {key: a, name: A, codes: [{key: a-other, name: Other}]}\n"
        "  - {key: b, name: B, codes: [{key: b-other, name: Other}]}\n"
    )
    codebook = parse_codebook(text)
    assert [codebook.path(k) for k in ("a-other", "b-other")] == ["A/Other", "B/Other"]


def test_error_is_a_codererror_listing_every_problem():
    with pytest.raises(CoderError) as caught:
        parse_codebook("name: x\ndescripton: y\ncodes: 5\n", "pilot.yaml")
    error = caught.value
    assert isinstance(error, CodebookError)
    assert str(error).splitlines() == [
        "pilot.yaml:2:1: unknown field 'descripton' at the top of the codebook; did you mean 'description'?",
        "pilot.yaml:3:8: 'codes' must be a list of codes, each starting with '- ', not a number (5)",
    ]
    assert (error.path, error.line, error.column) == ("pilot.yaml", 2, 1)


def test_problem_renders_file_line_column():
    assert str(Problem("a.yaml", 3, 7, "bad")) == "a.yaml:3:7: bad"
    assert str(Problem("a.yaml", 0, 0, "missing")) == "a.yaml: missing"


# ── files that are not codebooks ─────────────────────────────────────────────


def test_missing_file_and_directory(tmp_path):
    missing = tmp_path / "nope.yaml"
    assert check_codebook(missing) == [Problem(str(missing), 0, 0, "no such codebook file")]
    assert check_codebook(tmp_path) == [Problem(str(tmp_path), 0, 0, "is a folder, not a codebook file")]
    with pytest.raises(CodebookError, match="no such codebook file"):
        load_codebook(missing)


@pytest.mark.parametrize("content", [b"", b"\n\n", b"# only a comment\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "cb.yaml"
    path.write_bytes(content)
    [problem] = check_codebook(path)
    assert (problem.line, problem.column) == (1, 1)
    assert "the codebook is empty" in problem.message


def test_non_utf8_bytes_are_located(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_bytes("name: x\ncodes:\n  - key: a\n    name: caf\xe9\n".encode("latin-1"))
    [problem] = check_codebook(path)
    assert (problem.line, problem.column) == (4, 14)
    assert "not UTF-8" in problem.message and "0xe9" in problem.message


def test_oversized_file_is_refused(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text("name: x\ncodes: []\n# " + "x" * 1_100_000 + "\n")
    [problem] = check_codebook(path)
    assert "too big for a codebook" in problem.message


def alias_bomb(path: Path) -> Path:
    """Nine levels of nine aliases each: billions of nodes if expanded (bench/guards.py times it)."""
    lines = ["name: x", "codes: []", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 9) + "]")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_alias_bomb_is_refused(tmp_path):
    problems = check_codebook(alias_bomb(tmp_path / "bomb.yaml"))
    assert len(problems) == 1
    assert (problems[0].line, problems[0].column) == (3, 4)
    assert "anchors and aliases" in problems[0].message


def test_alias_without_anchor_use_is_refused():
    line, column, message = only_problem("name: x\ncodes:\n  - key: a\n    name: *n\n")
    assert (line, column) == (4, 11)
    assert "aliases" in message


DEEP_NESTING = "name: x\ncodes: " + "[" * 5000 + "]" * 5000 + "\n"


def test_deep_nesting_is_refused():
    line, _, message = only_problem(DEEP_NESTING)
    assert line == 2 and "nested more than" in message


# ── appending codes ──────────────────────────────────────────────────────────

COMMENTED = """\
# Pilot codebook, round 2
name: Pilot   # working title

codes:
  # ── first theme ──
  - key: leaving-care
    name: Leaving care
    definition: >-
      Moving out of care
      at 16 to 18.
    shortcut: L   # L for leaving
    codes:
      - key: support-drops-off
        name: Support drops off at 18

  # ── second theme ──
  - key: photos
    name: Photos
    color: "#9467bd"
# end of codes
"""


def lines_kept_in_order(old: str, new: str) -> bool:
    remaining = iter(new.splitlines())
    return all(any(line == candidate for candidate in remaining) for line in old.splitlines())


def test_append_under_parent_keeps_comments_and_reloads(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text(COMMENTED)
    new = CodeDef(
        key="housing",
        name="Housing",
        parent_key="leaving-care",
        definition="Where care leavers live: hostels,\nsemi-independent flats.",
        example='"Housing needs to be safe."',
        color="teal",
        shortcut="2",
    )
    append_code(path, new)
    text = path.read_text()
    assert lines_kept_in_order(COMMENTED, text)
    assert len(text.splitlines()) > len(COMMENTED.splitlines())
    codebook = load_codebook(path)
    housing = codebook.by_key("housing")
    assert housing.parent_key == "leaving-care"
    assert codebook.path("housing") == "Leaving care/Housing"
    assert housing.definition == "Where care leavers live: hostels,\nsemi-independent flats."
    assert housing.example == '"Housing needs to be safe."'
    assert (housing.color, housing.shortcut) == ("#008080", "2")
    assert [c.key for c in codebook.children("leaving-care")] == ["support-drops-off", "housing"]
    # placed before the comment that introduces the next theme
    assert text.index("key: housing") < text.index("# ── second theme ──")
    assert [p.name for p in tmp_path.iterdir()] == ["cb.yaml"]


def test_append_top_level_and_under_a_leaf(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text(COMMENTED)
    append_code(path, CodeDef(key="no", name="No", parent_key=None, renamed_from=("nope",)))
    append_code(path, CodeDef(key="group-photos", name="Group photos", parent_key="photos", shortcut="P"))
    text = path.read_text()
    assert lines_kept_in_order(COMMENTED, text)
    codebook = load_codebook(path)
    assert [c.key for c in codebook.children(None)] == ["leaving-care", "photos", "no"]
    assert codebook.by_key("no").name == "No"
    assert codebook.current_key("nope") == "no"
    assert codebook.path("group-photos") == "Photos/Group photos"
    assert text.rstrip().endswith("# end of codes")


def test_append_to_an_empty_list(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text("# new study\nname: Fresh\ncodes: []  # none yet\n")
    append_code(path, CodeDef(key="first", name="First code", parent_key=None, shortcut="1"))
    text = path.read_text()
    assert text.startswith("# new study\nname: Fresh\n")
    assert "# none yet" in text
    assert [c.key for c in load_codebook(path).codes] == ["first"]


def test_append_keeps_crlf_and_bom(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: x\r\ncodes:\r\n  - key: a\r\n    name: A\r\n")
    append_code(path, CodeDef(key="b", name="B", parent_key=None))
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert [c.key for c in load_codebook(path).codes] == ["a", "b"]


def test_append_into_flow_style_parent(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text("name: x\ncodes:\n  - {key: a, name: A}\n")
    append_code(path, CodeDef(key="b", name="B", parent_key="a"))
    assert load_codebook(path).path("b") == "A/B"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (CodeDef(key="photos", name="Pictures", parent_key=None), "key 'photos' is already used by 'Photos'"),
        (CodeDef(key="pictures", name="photos", parent_key=None), "already named 'photos'"),
        (
            CodeDef(key="pictures", name="Pictures", parent_key=None, shortcut="L"),
            "shortcut 'L' is already used by 'Leaving care'",
        ),
        (
            CodeDef(key="pictures", name="Pictures", parent_key=None, shortcut="j"),
            "'j' is reserved for moving down",
        ),
        (
            CodeDef(key="pictures", name="Pictures", parent_key=None, color="blurple"),
            "'blurple' is not a colour",
        ),
        (CodeDef(key="Pictures", name="Pictures", parent_key=None), "must be a lowercase slug"),
        (CodeDef(key="pictures", name="Pictures", parent_key="nope"), "no code with key 'nope'"),
        (CodeDef(key="pictures", name=" ", parent_key=None), "its name is empty"),
    ],
)
def test_append_refuses_a_code_that_does_not_fit(tmp_path, code, message):
    path = tmp_path / "cb.yaml"
    path.write_text(COMMENTED)
    with pytest.raises(CodebookError, match=re.escape(message)):
        append_code(path, code)
    assert path.read_text() == COMMENTED


def test_append_refuses_to_touch_an_invalid_file(tmp_path):
    path = tmp_path / "cb.yaml"
    broken = COMMENTED.replace("name: Photos", "name: Photos\n    defintion: x")
    path.write_text(broken)
    with pytest.raises(CodebookError, match="did you mean 'definition'"):
        append_code(path, CodeDef(key="new", name="New", parent_key=None))
    assert path.read_text() == broken


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_append_keeps_file_mode(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text(COMMENTED)
    path.chmod(0o640)
    append_code(path, CodeDef(key="new", name="New", parent_key=None))
    assert path.stat().st_mode & 0o777 == 0o640


FRAGMENTS = [
    "name: x\n",
    "codes:\n",
    "  - ",
    "key: ",
    "name: ",
    "? ",
    ": ",
    "[",
    "]",
    "{",
    "}",
    "- ",
    "    ",
    "\n",
    "&a ",
    "*a",
    "!!str ",
    "!x ",
    "'",
    '"',
    "|\n",
    ">-\n",
    "#",
    "~",
    "No",
    "2021-01-01",
    "shortcut: ",
    "color: ",
    "renamed_from: ",
    "codes: ",
    "\t",
    "---\n",
    "<<: ",
    "\ufeff",
    "\x85",
    "é",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30))
def test_any_text_gives_a_codebook_or_problems_never_a_crash(parts):
    try:
        parse_codebook("".join(parts))
    except CodebookError as error:
        assert error.problems
        assert all(p.message for p in error.problems)
