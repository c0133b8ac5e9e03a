"""What a code's key and shortcut may be: the keys the app keeps for its own commands, and
the key a code's name suggests.

Kept apart from `codebook` (which reads YAML) so that the app, which needs only these, starts
without loading a YAML parser.
"""

from __future__ import annotations

import re
import unicodedata

MAX_KEY_LENGTH = 64

# What each key the app binds does, for the message that refuses it as a shortcut.
_RESERVED_FOR: dict[str, str] = {
    "j": "moving down",
    "k": "moving up",
    "g": "jumping to the first paragraph",
    "G": "jumping to the last paragraph",
    "u": "undo",
    "U": "redo",
    "m": "writing a memo",
    "q": "quitting",
    "/": "searching",
    "?": "help",
    ":": "jumping to a paragraph number",
    "enter": "choosing",
    "tab": "moving between panes",
    "escape": "going back",
    **{k: "one of the app's own commands" for k in ["space", *"nNsafodDcerx"]},
}
RESERVED_KEYS: frozenset[str] = frozenset(_RESERVED_FOR)


def slugify(name: str) -> str:
    """A key suggestion for a name: 'Support drops off at 18' -> 'support-drops-off-at-18'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:MAX_KEY_LENGTH].strip("-")


def name_problem(name: str) -> str | None:
    """What the codebook format forbids in a code's name, if anything: the file checker, the
    write-back of a new code and the app's add-code dialog all ask here."""
    if "/" in name:
        return f"name {name!r} contains '/', which separates levels in code paths; use 'and' or '&'"
    if "\n" in name or "\r" in name:
        return "a name must fit on one line"
    return None
