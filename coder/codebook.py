"""The YAML codebook: read it, check it, and add codes to it without disturbing the researcher's file.

A codebook is written and revised by hand, so every mistake is reported at once with
`FILE:LINE:COLUMN`, in the researcher's words rather than YAML's. The file is read at the
node level (PyYAML compose, no object construction); anchors and aliases are refused so a
"billion laughs" file costs nothing, and size and nesting are capped.

Codes are identified by `key`, never by name: codings follow the key, so a code can be renamed,
moved or reworded freely. `renamed_from` lists the keys a code had before, so the store can carry
codings across a change of key.
"""

from __future__ import annotations

import difflib
import io
import itertools
import os
import re
import shutil
import tempfile
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from operator import attrgetter
from pathlib import Path
from typing import Any

import rich.color
import webcolors
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from coder.codetree import CodeTree
from coder.codekeys import _RESERVED_FOR, MAX_KEY_LENGTH, RESERVED_KEYS, name_problem, slugify
from coder.errors import CoderError

MAX_FILE_BYTES = 1_000_000
MAX_NESTING = 40
# Where a reworded `>` (folded) text is wrapped when the app writes it back.
FOLD_WIDTH = 88

_KEY_NAMES = {" ": "space", "\t": "tab", "\n": "enter", "\r": "enter", "\x1b": "escape"}
_FREE_SHORTCUTS = (
    " ".join(c for c in "abcdefghijklmnopqrstuvwxyz" if c not in RESERVED_KEYS)
    + ", capitals other than "
    + " ".join(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c in RESERVED_KEYS)
    + ", and digits"
)

_TOP_FIELDS = ("name", "description", "codes")
_CODE_FIELDS = (
    "key",
    "name",
    "definition",
    "when_to_use",
    "when_not_to_use",
    "example",
    "color",
    "shortcut",
    "codes",
    "renamed_from",
    "memo",
    "exclusive",
)
_TOP_SYNONYMS = {"title": "name", "code": "codes", "categories": "codes", "about": "description"}
_CODE_SYNONYMS = {
    "description": "definition",
    "desc": "definition",
    "meaning": "definition",
    "colour": "color",
    "quote": "example",
    "examples": "example",
    "include": "when_to_use",
    "inclusion": "when_to_use",
    "exclude": "when_not_to_use",
    "exclusion": "when_not_to_use",
    "children": "codes",
    "subcodes": "codes",
    "sub_codes": "codes",
    "id": "key",
    "label": "name",
    "title": "name",
    "hotkey": "shortcut",
    "shortcut_key": "shortcut",
    "note": "memo",
    "notes": "memo",
    "aliases": "renamed_from",
    "old_keys": "renamed_from",
    "renamed": "renamed_from",
}

_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset(_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map"))
_KEY_RE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*\Z")
_HEX_RE = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z")


@dataclass(frozen=True)
class Problem:
    """One thing to fix, at 1-based `line`/`column` (0 when the place is unknown)."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        where = [self.path] + [str(n) for n in (self.line, self.column) if n]
        return f"{':'.join(where)}: {self.message}"


class CodebookError(CoderError):
    """A codebook that cannot be used; `problems` holds every reason, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        super().__init__(first.message, path=first.path, line=first.line or None, column=first.column or None)
        self.problems: tuple[Problem, ...] = tuple(problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


@dataclass(frozen=True)
class CodeDef:
    """One code as the codebook file defines it; `line` is where it starts (0 for a code not yet written)."""

    key: str
    name: str
    parent_key: str | None
    definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    example: str = ""
    color: str | None = None
    shortcut: str | None = None
    renamed_from: tuple[str, ...] = ()
    line: int = 0
    memo: str = ""
    exclusive: bool = False


@dataclass(frozen=True)
class Codebook:
    """Codes in document order, every parent before its children."""

    name: str
    description: str
    codes: tuple[CodeDef, ...]
    _by_key: dict[str, CodeDef] = field(init=False, repr=False, compare=False)
    _tree: CodeTree[CodeDef] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {c.key: c for c in self.codes})
        object.__setattr__(self, "_tree", CodeTree(
            self.codes, ident=attrgetter("key"), parent=attrgetter("parent_key")))

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self) -> Iterator[CodeDef]:
        return iter(self.codes)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def by_key(self, key: str) -> CodeDef:
        """The code with this key; KeyError if there is none."""
        return self._by_key[key]

    def by_shortcut(self, char: str) -> CodeDef | None:
        return next((c for c in self.codes if c.shortcut == char), None)

    def current_key(self, key: str) -> str | None:
        """`key` itself if it is a code's key, else the key of the code that lists it in `renamed_from`."""
        if key in self._by_key:
            return key
        return next((c.key for c in self.codes if key in c.renamed_from), None)

    def children(self, key: str | None) -> tuple[CodeDef, ...]:
        """Direct children of `key`; `None` gives the top-level codes."""
        return tuple(self._tree.children(key))

    def path(self, key: str) -> str:
        """Names from the top down, joined by '/': 'Leaving care/Support drops off at 18'."""
        return self._tree.path(key)


def check_codebook(path: Path) -> list[Problem]:
    """Every problem in the codebook file; an empty list means it loads."""
    return _read(Path(path))[1]


def load_codebook(path: Path) -> Codebook:
    codebook, problems = _read(Path(path))
    if problems or codebook is None:
        raise CodebookError(problems)
    return codebook


def parse_codebook(text: str, path: str = "<string>") -> Codebook:
    codebook, problems = _analyse(text, str(path))
    if problems or codebook is None:
        raise CodebookError(problems)
    return codebook


# ── reading ──────────────────────────────────────────────────────────────────


def _read(path: Path) -> tuple[Codebook | None, list[Problem]]:
    where = str(path)
    try:
        if path.is_dir():
            return None, [Problem(where, 0, 0, "is a folder, not a codebook file")]
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None, [Problem(where, 0, 0, "no such codebook file")]
    except OSError as exc:
        return None, [Problem(where, 0, 0, f"cannot read the codebook: {exc.strerror or exc}")]
    if len(data) > MAX_FILE_BYTES:
        return None, [_too_big(where)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        return None, [
            Problem(
                where,
                line,
                column,
                f"not UTF-8 text (byte 0x{data[exc.start]:02x} here); save the codebook as UTF-8",
            )
        ]
    return _analyse(text, where)


def _too_big(where: str) -> Problem:
    return Problem(
        where,
        0,
        0,
        f"larger than {MAX_FILE_BYTES // 1_000_000} MB: too big for a codebook (is it the right file?)",
    )


class _Refused(Exception):
    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _NodeLoader(yaml.SafeLoader):
    """Composes nodes only, refusing anchors/aliases and capping nesting before anything is built."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.odd_tags: list[Node] = []

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(
                event.start_mark,
                "YAML anchors and aliases (&name, *name) are not allowed in a codebook: "
                "write each value out in full",
            )
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise _Refused(event.start_mark, f"nested more than {MAX_NESTING} levels deep")
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        if node is not None and node.tag not in _PLAIN_TAGS:
            self.odd_tags.append(node)
        return node


def _analyse(text: str, where: str) -> tuple[Codebook | None, list[Problem]]:
    if len(text.encode("utf-8", errors="surrogatepass")) > MAX_FILE_BYTES:
        return None, [_too_big(where)]
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return None, [Problem(where, 1, 1, _EMPTY)]
    try:
        loader = _NodeLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except _Refused as exc:
        return None, [Problem(where, exc.mark.line + 1, exc.mark.column + 1, exc.message)]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, where)]
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line = before.count("\n") + 1
        column = exc.position - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return None, [
            Problem(where, line, column, f"character U+{ord(char):04X} is not allowed in a YAML file")
        ]
    except yaml.YAMLError as exc:
        return None, [Problem(where, 0, 0, f"YAML syntax: {exc}")]
    if root is None:
        return None, [Problem(where, 1, 1, _EMPTY)]
    checker = _Checker(where, text)
    for node in loader.odd_tags:
        checker.refuse_tag(node)
    codebook = checker.codebook(root)
    problems = sorted(checker.problems, key=lambda p: (p.line, p.column))
    return (None if problems else codebook), problems


_EMPTY = "the codebook is empty: it needs a name and a list of codes (see codebooks/README.md)"


def _syntax_problem(exc: yaml.MarkedYAMLError, where: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    problem = exc.problem or exc.context or "YAML syntax error"
    if exc.context and "single document" in exc.context:
        return Problem(where, line, column, "a codebook is one YAML document, but a second one starts here")
    message = f"YAML syntax: {problem}"
    if exc.context and exc.problem:
        context = exc.context
        if exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            context += f" that starts at line {exc.context_mark.line + 1}"
        message += f" ({context})"
    if "\\t" in problem or "\t" in problem:
        message += "; YAML indents with spaces, not tabs"
    elif "mapping values are not allowed" in problem:
        message += "; a value containing ': ' needs quotes"
    return Problem(where, line, column, message)


# ── checking ─────────────────────────────────────────────────────────────────


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping (check the indentation)"
    if isinstance(node, SequenceNode):
        return "a list"
    kind = node.tag.removeprefix(_TAG)
    if kind in ("int", "float"):
        return f"a number ({node.value})"
    if kind == "bool":
        return f"{node.value!r}, which YAML reads as true/false"
    if kind == "timestamp":
        return f"a date ({node.value})"
    if kind == "null":
        return "an empty value"
    if kind == "str":
        return "text"
    return f"a value tagged {node.tag}"


def _key_problem(key: str) -> str | None:
    if not key:
        return "key is empty"
    if len(key) > MAX_KEY_LENGTH:
        return f"key is longer than {MAX_KEY_LENGTH} characters"
    if not _KEY_RE.match(key):
        hint = slugify(key) or "leaving-care"
        return (
            f"key {key!r} must be a lowercase slug such as {hint!r} "
            "(letters a-z and digits, with single - or _ between words)"
        )
    return None


def _shortcut_problem(char: str) -> str | None:
    name = _KEY_NAMES.get(char, char)
    if name in RESERVED_KEYS:
        return f"shortcut {name!r} is reserved for {_RESERVED_FOR[name]}; free keys: {_FREE_SHORTCUTS}"
    if len(char) != 1:
        return f"shortcut {char!r} must be a single key (one letter or digit)"
    if not (char.isascii() and char.isalnum()):
        return f"shortcut {char!r} must be a letter or a digit; free keys: {_FREE_SHORTCUTS}"
    return None


def normalise_color(value: str) -> str | None:
    """`#rrggbb` for a hex colour (#RRGGBB or #RGB) or a CSS/Rich colour name; None if it is neither."""
    text = value.strip()
    if _HEX_RE.match(text):
        digits = text[1:].lower()
        return "#" + (digits if len(digits) == 6 else "".join(d * 2 for d in digits))
    name = text.lower()
    if not re.fullmatch(r"[a-z][a-z0-9_ ]*", name):
        return None
    try:
        return webcolors.name_to_hex(name.replace(" ", "").replace("_", ""))
    except ValueError:
        pass
    rich_name = name.replace(" ", "_")
    if rich_name in rich.color.ANSI_COLOR_NAMES:
        return rich.color.Color.parse(rich_name).get_truecolor().hex
    return None


def _color_problem(value: str) -> str:
    names = list(webcolors.names("css3")) + list(rich.color.ANSI_COLOR_NAMES)
    close = difflib.get_close_matches(value.strip().lower(), names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{value!r} is not a colour: use #RRGGBB, #RGB or a colour name such as red or steelblue{hint}"


def _has_codes(fields: _Fields) -> bool:
    node = fields["codes"][1] if "codes" in fields else None
    return isinstance(node, SequenceNode) and bool(node.value)


def _suggest(word: str, allowed: tuple[str, ...], synonyms: dict[str, str]) -> str | None:
    folded = re.sub(r"[\s-]+", "_", word.strip().lower())
    if folded in allowed:
        return folded
    if folded in synonyms:
        return synonyms[folded]
    close = difflib.get_close_matches(folded, allowed, n=1, cutoff=0.6)
    return close[0] if close else None


_Fields = dict[str, tuple[ScalarNode, Node]]


class _Checker:
    def __init__(self, where: str, text: str) -> None:
        self.where = where
        self.lines = text.splitlines()
        self.problems: list[Problem] = []
        self.codes: list[CodeDef] = []
        self.keys: dict[str, tuple[str, int]] = {}
        self.shortcuts: dict[str, tuple[str, int]] = {}
        self.old_keys: list[tuple[str, str, int, Node]] = []
        self.tagged: set[int] = set()

    def refuse_tag(self, node: Node) -> None:
        """Report an explicit tag once, and keep quiet about the same node's type later."""
        self.add(node, f"the YAML tag {node.tag!r} is not allowed in a codebook; remove it")
        self.tagged.add(id(node))

    def add(self, node: Node, message: str) -> None:
        if id(node) in self.tagged:
            return
        mark = node.start_mark
        self.problems.append(Problem(self.where, mark.line + 1, mark.column + 1, message))

    def codebook(self, root: Node) -> Codebook:
        if not isinstance(root, MappingNode):
            self.add(root, f"a codebook is a mapping with name: and codes:, not {_describe(root)}")
            return Codebook("", "", ())
        fields = self.fields(root, _TOP_FIELDS, _TOP_SYNONYMS, "at the top of the codebook")
        name = self.text(fields, "name", root, required=True) or ""
        description = self.text(fields, "description", root) or ""
        if "codes" not in fields:
            self.add(root, "no 'codes:' list: add the codes under 'codes:' (see codebooks/README.md)")
        else:
            self.code_list(fields["codes"][1], None, "at the top level")
        self.cross_check_old_keys()
        return Codebook(name, description, tuple(self.codes))

    def fields(
        self, node: MappingNode, allowed: tuple[str, ...], synonyms: dict[str, str], where: str
    ) -> _Fields:
        """The mapping's entries by field name, after reporting unknown, odd and repeated ones."""
        found: _Fields = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.add(key_node, f"a field name must be a plain word, not {_describe(key_node)}")
                continue
            field_name = key_node.value
            if field_name in found:
                first = found[field_name][0].start_mark.line + 1
                self.add(
                    key_node,
                    f"{field_name!r} appears twice in this mapping (first at line {first}); "
                    "YAML would silently keep only the last one",
                )
                continue
            if field_name not in allowed:
                guess = _suggest(field_name, allowed, synonyms)
                hint = f"did you mean {guess!r}?" if guess else "allowed: " + ", ".join(allowed)
                self.add(key_node, f"unknown field {field_name!r} {where}; {hint}")
                continue
            found[field_name] = (key_node, value_node)
        return found

    def text(self, fields: _Fields, name: str, owner: Node, *, required: bool = False) -> str | None:
        entry = fields.get(name)
        if entry is None:
            if required:
                self.add(owner, f"{name!r} is missing")
            return None
        node = entry[1]
        if isinstance(node, ScalarNode) and node.tag == _TAG + "str":
            value = node.value.strip()
            if required and not value:
                self.add(node, f"{name!r} is empty")
            return value
        if isinstance(node, ScalarNode) and node.tag == _TAG + "null":
            if required:
                self.add(node, f"{name!r} is empty")
            return None
        hint = f'; put it in quotes: "{node.value}"' if isinstance(node, ScalarNode) else ""
        self.add(node, f"{name!r} must be text, not {_describe(node)}{hint}")
        return None

    def code_list(self, node: Node, parent_key: str | None, parent_label: str) -> None:
        if isinstance(node, ScalarNode) and node.tag == _TAG + "null":
            return
        if not isinstance(node, SequenceNode):
            self.add(node, f"'codes' must be a list of codes, each starting with '- ', not {_describe(node)}")
            return
        siblings: dict[str, tuple[str, int]] = {}
        for item in node.value:
            self.code(item, parent_key, parent_label, siblings)

    def code(
        self, node: Node, parent_key: str | None, parent_label: str, siblings: dict[str, tuple[str, int]]
    ) -> None:
        if not isinstance(node, MappingNode):
            what = "an empty entry" if isinstance(node, ScalarNode) and not node.value else _describe(node)
            self.add(node, f"each code must be a mapping with at least key: and name:, not {what}")
            return
        line = node.start_mark.line + 1
        fields = self.fields(node, _CODE_FIELDS, _CODE_SYNONYMS, "in a code")
        name = self.text(fields, "name", node, required=True) or ""
        if name:
            self.check_name(fields["name"][1], name, parent_label, siblings, line)
        key = self.key(fields, node, name, line)
        color = self.color(fields)
        shortcut = self.shortcut(fields, name or key or "a code", line)
        renamed_from = self.renamed_from(fields, key, name or key, line)
        exclusive = self.exclusive(fields, name or key or "this code")
        self.codes.append(
            CodeDef(
                key=key,
                name=name,
                parent_key=parent_key,
                definition=self.text(fields, "definition", node) or "",
                when_to_use=self.text(fields, "when_to_use", node) or "",
                when_not_to_use=self.text(fields, "when_not_to_use", node) or "",
                example=self.text(fields, "example", node) or "",
                color=color,
                shortcut=shortcut,
                renamed_from=renamed_from,
                line=line,
                memo=self.text(fields, "memo", node) or "",
                exclusive=exclusive,
            )
        )
        if "codes" in fields:
            self.code_list(fields["codes"][1], key, f"under {name or key or 'this code'!r}")

    def exclusive(self, fields: _Fields, name: str) -> bool:
        """`exclusive: true` makes the sub-codes one categorical variable (at most one per unit)."""
        entry = fields.get("exclusive")
        if entry is None:
            return False
        node = entry[1]
        if not (isinstance(node, ScalarNode) and node.tag == _TAG + "bool"):
            self.add(node, f"'exclusive' must be true or false, not {_describe(node)}")
            return False
        value = node.value.lower() in ("true", "yes", "on", "y")
        if value and not _has_codes(fields):
            self.add(
                entry[0],
                f"'exclusive: true' on {name!r} needs sub-codes (codes:) to choose one of",
            )
        return value

    def check_name(
        self, node: Node, name: str, parent_label: str, siblings: dict[str, tuple[str, int]], line: int
    ) -> None:
        problem = name_problem(name)
        if problem:
            self.add(node, problem)
        folded = " ".join(name.casefold().split())
        if folded in siblings:
            other, other_line = siblings[folded]
            self.add(
                node,
                f"another code {parent_label} is already named {other!r} (line {other_line}); "
                "names must differ among codes with the same parent",
            )
        else:
            siblings[folded] = (name, line)

    def key(self, fields: _Fields, owner: Node, name: str, line: int) -> str:
        if "key" not in fields:
            suggestion = slugify(name) or "a-short-slug"
            self.add(
                owner,
                f"{'code ' + repr(name) if name else 'this code'} has no key; add 'key: {suggestion}' "
                "(the key is the code's permanent identity: codings follow it when you rename)",
            )
            return ""
        node = fields["key"][1]
        if not (isinstance(node, ScalarNode) and node.tag in (_TAG + "str", _TAG + "int")):
            hint = (
                f'; put it in quotes: "{node.value}"' if isinstance(node, ScalarNode) and node.value else ""
            )
            self.add(node, f"'key' must be text, not {_describe(node)}{hint}")
            return ""
        key = node.value.strip()
        problem = _key_problem(key)
        if problem:
            self.add(node, problem)
            return key
        if key in self.keys:
            other, other_line = self.keys[key]
            self.add(
                node,
                f"key {key!r} is already used by {other!r} (line {other_line}); "
                "keys identify codes across the whole codebook",
            )
        else:
            self.keys[key] = (name or key, line)
        return key

    def color(self, fields: _Fields) -> str | None:
        entry = fields.get("color")
        if entry is None:
            return None
        node = entry[1]
        if isinstance(node, ScalarNode) and node.tag == _TAG + "null":
            rest = self.lines[node.start_mark.line][node.start_mark.column :]
            hash_at = rest.find("#")
            if hash_at >= 0:
                column = node.start_mark.column + hash_at + 1
                self.problems.append(
                    Problem(
                        self.where,
                        node.start_mark.line + 1,
                        column,
                        "an unquoted # starts a YAML comment, so this colour is empty; "
                        f'put it in quotes: color: "{rest[hash_at:].split()[0]}"',
                    )
                )
            return None
        if not (isinstance(node, ScalarNode) and node.tag == _TAG + "str"):
            self.add(node, f"'color' must be text such as \"#1f77b4\" or red, not {_describe(node)}")
            return None
        value = normalise_color(node.value)
        if value is None:
            self.add(node, _color_problem(node.value))
        return value

    def shortcut(self, fields: _Fields, name: str, line: int) -> str | None:
        entry = fields.get("shortcut")
        if entry is None:
            return None
        node = entry[1]
        if isinstance(node, ScalarNode) and node.tag == _TAG + "null":
            return None
        if not (isinstance(node, ScalarNode) and node.tag in (_TAG + "str", _TAG + "int")):
            self.add(node, f"'shortcut' must be one letter or digit, not {_describe(node)}")
            return None
        char = node.value.strip() or node.value[:1]
        problem = _shortcut_problem(char)
        if problem:
            self.add(node, problem)
            return None
        if char in self.shortcuts:
            other, other_line = self.shortcuts[char]
            self.add(node, f"shortcut {char!r} is already used by {other!r} (line {other_line})")
            return None
        self.shortcuts[char] = (name, line)
        return char

    def renamed_from(self, fields: _Fields, key: str, label: str, line: int) -> tuple[str, ...]:
        entry = fields.get("renamed_from")
        if entry is None:
            return ()
        node = entry[1]
        if isinstance(node, ScalarNode) and node.tag == _TAG + "null":
            return ()
        items = (
            [node] if isinstance(node, ScalarNode) else node.value if isinstance(node, SequenceNode) else None
        )
        if items is None:
            self.add(node, f"'renamed_from' must be a list of old keys, not {_describe(node)}")
            return ()
        old: list[str] = []
        for item in items:
            if not (isinstance(item, ScalarNode) and item.tag in (_TAG + "str", _TAG + "int")):
                self.add(item, f"an old key must be text, not {_describe(item)}")
                continue
            value = item.value.strip()
            problem = _key_problem(value)
            if problem:
                self.add(item, problem.replace("key", "old key", 1))
            elif value == key:
                self.add(item, f"{value!r} is this code's own key; list only keys it had before")
            else:
                old.append(value)
                self.old_keys.append((value, label, line, item))
        return tuple(old)

    def cross_check_old_keys(self) -> None:
        claimed: dict[str, tuple[str, int]] = {}
        for old, label, line, node in self.old_keys:
            if old in self.keys:
                other, other_line = self.keys[old]
                self.add(
                    node,
                    f"old key {old!r} is the current key of {other!r} (line {other_line}); "
                    "a key can't be both",
                )
            elif old in claimed:
                other, other_line = claimed[old]
                self.add(
                    node,
                    f"old key {old!r} is already listed by {other!r} (line {other_line}); "
                    "codings under it can only move to one code",
                )
            else:
                claimed[old] = (label, line)


# ── writing ──────────────────────────────────────────────────────────────────


def append_code(path: Path, code: CodeDef) -> None:
    """Add `code` at the end of its parent's codes (or the top level), leaving the rest of the file as it was.

    The file must already be a valid codebook, and the new code must fit in it (key, shortcut and
    name free); otherwise CodebookError is raised and nothing is written. The new text is written
    to a temporary file and moved over the old one, so a crash leaves one or the other.
    """
    path = Path(path)
    where = str(path)
    codebook, text, bom = _for_writing(path)
    problems = [
        Problem(where, 0, 0, f"cannot add code {code.name!r}: {m}") for m in fit_problems(codebook, code)
    ]
    if problems:
        raise CodebookError(problems)
    newline = "\r\n" if "\r\n" in text else "\n"
    expected = _as_written(code)
    new_text = None
    for build in (_splice, _round_trip):
        candidate = build(text, code, newline)
        if candidate is not None and _adds_exactly(candidate, where, codebook, expected):
            new_text = candidate
            break
    if new_text is None:
        raise CoderError(
            f"could not add code {code.name!r} to the codebook without changing other codes", path=where
        )
    data = new_text.encode("utf-8")
    _write_atomically(path, b"\xef\xbb\xbf" + data if bom else data)
    _, problems = _read(path)
    if problems:
        raise CodebookError(problems)


def _for_writing(path: Path) -> tuple[Codebook, str, bool]:
    """The valid codebook in the file, its text, and whether it starts with a BOM to keep."""
    codebook = load_codebook(path)
    raw = path.read_bytes()
    return codebook, raw.decode("utf-8-sig"), raw.startswith(b"\xef\xbb\xbf")


def fit_problems(codebook: Codebook, code: CodeDef, *, editing: bool = False) -> list[str]:
    """Why `code` cannot join `codebook` (or, `editing`, replace the code with its key there),
    by the rules a codebook file is checked with; an empty list when it fits."""
    found: list[str] = []
    if code.parent_key is not None and code.parent_key not in codebook:
        found.append(f"there is no code with key {code.parent_key!r} to put it under")
    elif editing and code.parent_key is not None and (
            code.parent_key == code.key or code.key in _ancestors(codebook, code.parent_key)):
        found.append("a code cannot go under itself or one of its own sub-codes")
    problem = _key_problem(code.key)
    if problem:
        found.append(problem)
    elif editing:
        if code.key not in codebook:
            found.append(f"there is no code with key {code.key!r}")
    elif code.key in codebook:
        found.append(f"key {code.key!r} is already used by {codebook.by_key(code.key).name!r}")
    elif (renamed := codebook.current_key(code.key)) is not None:
        found.append(f"key {code.key!r} is an old key of {codebook.by_key(renamed).name!r}")
    name = code.name.strip()
    if not name:
        found.append("its name is empty")
    elif (problem := name_problem(name)) is not None:
        found.append(problem)
    elif any(
        " ".join(s.name.casefold().split()) == " ".join(name.casefold().split())
        for s in codebook.children(code.parent_key) if s.key != code.key
    ):
        found.append(f"a code with the same parent is already named {name!r}")
    if code.shortcut is not None:
        problem = _shortcut_problem(code.shortcut)
        if problem:
            found.append(problem)
        elif (other := codebook.by_shortcut(code.shortcut)) is not None and other.key != code.key:
            found.append(f"shortcut {code.shortcut!r} is already used by {other.name!r}")
    if code.color is not None and normalise_color(code.color) is None:
        found.append(_color_problem(code.color))
    for old in code.renamed_from:
        problem = _key_problem(old)
        if problem:
            found.append(problem.replace("key", "old key", 1))
        elif old == code.key or (codebook.current_key(old) not in (None, code.key) if editing
                                  else codebook.current_key(old)):
            found.append(f"old key {old!r} is already a key or an old key in the codebook")
    return found


def _ancestors(codebook: Codebook, key: str) -> set[str]:
    seen: set[str] = set()
    current: str | None = key
    while current is not None and current in codebook and current not in seen:
        seen.add(current)
        current = codebook.by_key(current).parent_key
    return seen


def _clean(text: str) -> str:
    """Text as YAML will read it back: line breaks normalised, outer whitespace gone."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _as_written(code: CodeDef) -> CodeDef:
    """The code as it will read back from the file: clean text, normalised colour."""
    return replace(
        code,
        name=_clean(code.name),
        definition=_clean(code.definition),
        when_to_use=_clean(code.when_to_use),
        when_not_to_use=_clean(code.when_not_to_use),
        example=_clean(code.example),
        color=normalise_color(code.color) if code.color else None,
        renamed_from=tuple(code.renamed_from),
        line=0,
        memo=_clean(code.memo),
    )


def _same_header(new_text: str, where: str, before: Codebook) -> Codebook | None:
    """The codebook `new_text` reads as, if it does and keeps `before`'s name and description."""
    try:
        after = parse_codebook(new_text, where)
    except CodebookError:
        return None
    return after if (after.name, after.description) == (before.name, before.description) else None


def _adds_exactly(new_text: str, where: str, before: Codebook, expected: CodeDef) -> bool:
    """True when `new_text` holds every old code unchanged plus `expected` where it belongs."""
    after = _same_header(new_text, where, before)
    if after is None:
        return False
    if expected.key not in after or len(after) != len(before) + 1:
        return False
    if replace(after.by_key(expected.key), line=0) != expected:
        return False
    return all(replace(after.by_key(c.key), line=0) == replace(c, line=0) for c in before)


def _scalar(value: str) -> Any:
    """A value written so that it reads back as this very text: plain, quoted or a `|` block."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

    value = _clean(value)
    if "\n" in value:
        return LiteralScalarString(value)
    return value if _reads_back_plain(value) else DoubleQuotedScalarString(value)


def _code_mapping(code: CodeDef) -> Any:
    from ruamel.yaml.comments import CommentedMap

    scalar = _scalar
    mapping = CommentedMap()
    mapping["key"] = scalar(code.key)
    mapping["name"] = scalar(code.name)
    for name in ("definition", "when_to_use", "when_not_to_use", "example"):
        if getattr(code, name).strip():
            mapping[name] = scalar(getattr(code, name))
    if code.color:
        mapping["color"] = scalar(code.color)
    if code.shortcut:
        mapping["shortcut"] = scalar(code.shortcut)
    if code.renamed_from:
        mapping["renamed_from"] = [scalar(k) for k in code.renamed_from]
    if code.memo.strip():
        mapping["memo"] = scalar(code.memo)
    return mapping


def codebook_text(book: Codebook, *, comment: str = "") -> str:
    """A whole codebook as the text of a YAML codebook file (children nested under their
    parent, in order), read back and compared before it is returned: a codebook that would
    not load back as itself is a bug, never a file."""
    from ruamel.yaml.comments import CommentedMap

    def mapping(code: CodeDef) -> Any:
        out = _code_mapping(code)
        if code.exclusive:
            out["exclusive"] = True
        children = book.children(code.key)
        if children:
            out["codes"] = [mapping(c) for c in children]
        return out

    root = CommentedMap()
    root["name"] = _scalar(book.name)
    if book.description.strip():
        root["description"] = _scalar(book.description)
    root["codes"] = [mapping(c) for c in book.children(None)]
    header = "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    text = header + _dump(root, _ruamel())
    back = parse_codebook(text, "<export>")
    if {c.key: replace(c, line=0) for c in back} != {c.key: replace(c, line=0) for c in book}:
        raise CoderError("the codebook could not be written as YAML that reads back the same "
                         "(a bug: please report it); nothing was written")
    return text


def _reads_back_plain(value: str) -> bool:
    """Whether PyYAML (YAML 1.1, so `No` is false) reads `value` unquoted as this very text."""
    try:
        node = yaml.compose(f"k: {value}\n", Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return False
    if not isinstance(node, MappingNode) or len(node.value) != 1:
        return False
    scalar = node.value[0][1]
    return isinstance(scalar, ScalarNode) and scalar.tag == _TAG + "str" and scalar.value == value


def _ruamel(sequence: int = 4, offset: int = 2) -> Any:
    from ruamel.yaml import YAML

    emitter = YAML()
    emitter.preserve_quotes = True
    emitter.width = 4096
    emitter.indent(mapping=2, sequence=max(sequence, offset + 2), offset=offset)
    return emitter


def _dump(data: Any, emitter: Any) -> str:
    out = io.StringIO()
    emitter.dump(data, out)
    return out.getvalue()


def _compose(text: str) -> MappingNode:
    """The node tree of a codebook already checked, whose top level is therefore a mapping."""
    loader = _NodeLoader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    if not isinstance(root, MappingNode):
        raise CoderError("the codebook's top level is not a mapping of fields")
    return root


def _find_code_node(seq: Node, key: str) -> MappingNode | None:
    if not isinstance(seq, SequenceNode):
        return None
    for item in seq.value:
        if not isinstance(item, MappingNode):
            continue
        entries = {k.value: v for k, v in item.value if isinstance(k, ScalarNode)}
        if isinstance(entries.get("key"), ScalarNode) and entries["key"].value.strip() == key:
            return item
        found = _find_code_node(entries["codes"], key) if "codes" in entries else None
        if found is not None:
            return found
    return None


def _layout(root: MappingNode) -> tuple[int, int]:
    """(dash offset from the `codes:` key, gap from dash to item) of the file's first block list of codes."""
    for key_node, value in root.value:
        if (
            key_node.value == "codes"
            and isinstance(value, SequenceNode)
            and not value.flow_style
            and value.value
        ):
            return value.start_mark.column - key_node.start_mark.column, value.value[
                0
            ].start_mark.column - value.start_mark.column
    return 2, 2


def _last_line(node: Node, lines: list[str]) -> int:
    """0-based index of the last line holding this node's content (not trailing blanks or comments)."""
    if isinstance(node, ScalarNode):
        end = node.end_mark.line if node.end_mark.column > 0 else node.end_mark.line - 1
        end = max(end, node.start_mark.line)
        if node.style in ("|", ">"):
            header = lines[node.start_mark.line][node.start_mark.column :].split("#")[0]
            if "+" not in header:
                while end > node.start_mark.line and not lines[end].strip():
                    end -= 1
        return end
    if isinstance(node, (MappingNode, SequenceNode)) and node.flow_style:
        return node.end_mark.line
    children: list[Node] = []
    if isinstance(node, MappingNode):
        for key_node, value in node.value:
            children += [key_node, value]
    elif isinstance(node, SequenceNode):
        children = list(node.value)
    return max((_last_line(child, lines) for child in children), default=node.start_mark.line)


def _is_empty(node: Node) -> bool:
    """`codes:` with nothing, `~`, `null` or `[]` after it."""
    if isinstance(node, ScalarNode):
        return node.tag == _TAG + "null"
    return isinstance(node, SequenceNode) and not node.value


def _splice(text: str, code: CodeDef, newline: str) -> str | None:
    """Insert the new code as text after the last line of its list; None when the list is not block style."""
    root = _compose(text)
    lines = text.splitlines(keepends=True)
    plain = [line.rstrip("\r\n") for line in lines]
    top = {k.value: (k, v) for k, v in root.value if isinstance(k, ScalarNode)}
    offset, gap = _layout(root)
    if code.parent_key is None:
        owner = root
    else:
        parent = _find_code_node(top["codes"][1], code.parent_key)
        if parent is None or parent.flow_style:
            return None
        owner = parent
    entries = {k.value: (k, v) for k, v in owner.value if isinstance(k, ScalarNode)}
    key_column = owner.start_mark.column
    header: list[str] = []
    if "codes" in entries:
        key_node, seq = entries["codes"]
        if isinstance(seq, SequenceNode) and not seq.flow_style and seq.value:
            dash = seq.start_mark.column
            item = seq.value[0].start_mark.column
            after = _last_line(seq.value[-1], plain)
        elif _is_empty(seq) and seq.start_mark.line == seq.end_mark.line == key_node.start_mark.line:
            dash, item = key_node.start_mark.column + offset, key_node.start_mark.column + offset + gap
            after = key_node.start_mark.line
            line = lines[after]
            lines[after] = line[: seq.start_mark.column].rstrip(" ") + line[seq.end_mark.column :]
        else:
            return None
    else:
        dash, item = key_column + offset, key_column + offset + gap
        after = _last_line(owner, plain)
        header = [" " * key_column + "codes:"]
    body = _dump(_code_mapping(code), _ruamel()).splitlines()
    block = (
        header
        + [" " * dash + "-" + " " * (item - dash - 1) + body[0]]
        + [(" " * item + b) if b else b for b in body[1:]]
    )
    if after < len(lines) and not lines[after].endswith(("\n", "\r")):
        lines[after] += newline
    insert = "".join(b + newline for b in block)
    return "".join(lines[: after + 1]) + insert + "".join(lines[after + 1 :])


def _round_trip(text: str, code: CodeDef, newline: str) -> str | None:
    """The same through a ruamel.yaml round trip, for flow-style or explicitly empty lists."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    offset, gap = _layout(_compose(text))
    emitter = _ruamel(offset + gap, offset)
    data = emitter.load(text)

    def find(codes: Any) -> Any:
        for item in codes or ():
            if isinstance(item, CommentedMap):
                if str(item.get("key", "")).strip() == code.parent_key:
                    return item
                found = find(item.get("codes"))
                if found is not None:
                    return found
        return None

    owner = data if code.parent_key is None else find(data.get("codes"))
    if owner is None:
        return None
    new = _code_mapping(code)
    codes = owner.get("codes")
    if isinstance(codes, list) and codes:
        codes.append(new)
    else:
        owner["codes"] = CommentedSeq([new])
    dumped = _dump(data, emitter)
    return dumped.replace("\n", newline) if newline != "\n" else dumped


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        shutil.copymode(path, temp)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# ── rewriting ────────────────────────────────────────────────────────────────

_EDITED_TEXT = ("name", "definition", "when_to_use", "when_not_to_use", "example")


def rewrite_codes(path: Path, codes: list[CodeDef], retired: set[str]) -> None:
    """Make the codebook file's codes read as `codes` (by key: fields, parent, new codes added
    under their parent) and drop the `retired` keys, keeping comments, order and quoting.

    Codes of the file that are in neither are left as they are. The result is read back and
    compared before it replaces the file (atomically); a file it cannot rewrite faithfully is
    left untouched and CoderError says so.
    """
    path = Path(path)
    where = str(path)
    before, text, bom = _for_writing(path)
    newline = "\r\n" if "\r\n" in text else "\n"
    new_text = _rewritten(text, codes, retired)
    if newline != "\n":
        new_text = new_text.replace("\r\n", "\n").replace("\n", newline)
    if not _reads_as(new_text, where, before, codes, retired):
        raise CoderError("could not write the codebook change without changing other codes; "
                         "the file was left as it was", path=where)
    data = new_text.encode("utf-8")
    _write_atomically(path, b"\xef\xbb\xbf" + data if bom else data)


def _rewritten(text: str, codes: list[CodeDef], retired: set[str]) -> str:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    offset, gap = _layout(_compose(text))
    emitter = _ruamel(offset + gap, offset)
    data = emitter.load(text)
    found: dict[str, tuple[Any, Any, str | None]] = {}

    def index(seq: Any, parent: str | None) -> None:
        for item in seq if isinstance(seq, list) else ():
            if isinstance(item, CommentedMap) and "key" in item:
                key = str(item["key"]).strip()
                found[key] = (item, seq, parent)
                index(item.get("codes"), key)

    index(data.get("codes"), None)

    def children_of(parent: str | None) -> Any:
        owner = data if parent is None else found[parent][0]
        if not isinstance(owner.get("codes"), list):
            owner["codes"] = CommentedSeq()
        return owner["codes"]

    for code in codes:
        if code.key not in found:
            if code.parent_key is None or code.parent_key in found:
                seq = children_of(code.parent_key)
                seq.append(_code_mapping(code))
                found[code.key] = (seq[-1], seq, code.parent_key)
            continue
        item, seq, parent = found[code.key]
        _update_fields(item, code)
        if parent != code.parent_key and (code.parent_key is None or code.parent_key in found):
            _take_out(item, seq, found[parent][0] if parent in found else None)
            target = children_of(code.parent_key)
            target.append(item)
            found[code.key] = (item, target, code.parent_key)
    for key in retired:
        if key in found:
            item, seq, parent = found.pop(key)
            _take_out(item, seq, found[parent][0] if parent in found else None)
    return _dump(data, emitter)


def _take_out(item: Any, seq: Any, owner: Any) -> None:
    """Remove a code from its list, and the list from its parent code once it is empty."""
    seq.remove(item)
    if not seq and owner is not None and owner.get("codes") is seq:
        del owner["codes"]


def _update_fields(item: Any, code: CodeDef) -> None:
    """Set the fields that differ, where the field order of a code puts them; drop emptied ones."""
    wanted: dict[str, str | None] = {f: getattr(code, f) for f in _EDITED_TEXT}
    wanted["color"] = code.color
    wanted["shortcut"] = code.shortcut
    for name, value in wanted.items():
        have = item.get(name)
        if name == "color":
            same = (normalise_color(str(have)) if have is not None else None) == value
        elif name == "shortcut":
            same = (str(have).strip() or None if have is not None else None) == value
        else:
            same = _clean(str(have) if have is not None else "") == _clean(value or "")
        if same:
            continue
        if not value or not str(value).strip():
            if name in item:
                del item[name]
            continue
        if name in item:
            item[name] = _in_style_of(have, value)
            continue
        later = _CODE_FIELDS[_CODE_FIELDS.index(name) + 1:]
        keys = list(item.keys())
        at = next((i for i, k in enumerate(keys) if k in later), len(keys))
        item.insert(at, name, _scalar(value))


def _in_style_of(old: Any, value: str) -> Any:
    """`value` quoted as the researcher quoted the value it replaces, where that reads back."""
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        FoldedScalarString,
        LiteralScalarString,
        SingleQuotedScalarString,
    )

    text = _clean(value)
    if isinstance(old, (SingleQuotedScalarString, DoubleQuotedScalarString)):
        return type(old)(text)
    if isinstance(old, (FoldedScalarString, LiteralScalarString)) and "\n" not in text:
        folded = FoldedScalarString(text)
        lines = textwrap.wrap(text, FOLD_WIDTH, break_long_words=False, break_on_hyphens=False)
        if " ".join(lines) == text:
            ends = itertools.accumulate(len(line) + 1 for line in lines[:-1])
            folded.fold_pos = [end - 1 for end in ends]
        return folded
    return _scalar(value)


def _reads_as(new_text: str, where: str, before: Codebook, codes: list[CodeDef],
              retired: set[str]) -> bool:
    """True when `new_text` holds `codes` as wanted, no `retired` key, the rest unchanged."""
    after = _same_header(new_text, where, before)
    if after is None:
        return False
    compared = ("name", "parent_key", "definition", "when_to_use", "when_not_to_use", "example",
                "color", "shortcut")
    wanted = {c.key: c for c in codes}
    for code in codes:
        if code.key not in after:
            return False
        got = after.by_key(code.key)
        want = _as_written(code)
        if any(getattr(got, f) != getattr(want, f) for f in compared):
            return False
    if any(key in after for key in retired):
        return False
    return all(replace(after.by_key(c.key), line=0) == replace(c, line=0)
               for c in before if c.key not in wanted and c.key not in retired and c.key in after)
