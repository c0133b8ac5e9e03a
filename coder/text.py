"""Stored text on a terminal: the stand-ins for characters a terminal would act on.

Transcript text is data. A control character, an escape sequence or a bidi override in it would
restyle or reorder the screen, so every place that prints stored text (the app, `coder show`)
shows such characters as visible marks instead; the stored text itself is never changed.
"""

from __future__ import annotations

import unicodedata

# Characters that reorder or hide text on a terminal; shown as a visible mark instead.
_INVISIBLE = {
    "\u200b": "\u2423",  # zero width space
    "\u200e": "\u2423",
    "\u200f": "\u2423",
    "\u2028": "\u21b5",  # line separator
    "\u2029": "\u00b6",  # paragraph separator
    "\ufeff": "\u2423",  # byte order mark
    "\u00ad": "-",  # soft hyphen
    **{chr(c): "\u2423" for c in range(0x202A, 0x202F)},
    **{chr(c): "\u2423" for c in range(0x2066, 0x206A)},
}


def visible_char(ch: str) -> str:
    """The stand-in shown for one stored character (usually the character itself)."""
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    if 0x80 <= code < 0xA0:
        return "\ufffd"
    if ch in _INVISIBLE:
        return _INVISIBLE[ch]
    if unicodedata.category(ch) in ("Cs", "Co", "Cn"):
        return "\ufffd"
    return ch


def visible_text(text: str, *, keep: str = "\t\n") -> str:
    """`text` with each character a terminal would act on shown by its stand-in; the
    characters in `keep` (tabs and newlines by default) pass through."""
    return "".join(ch if ch in keep else visible_char(ch) for ch in text)


def clean(text: str) -> str:
    """Text safe to show on one line (names, memos in lists): no controls, tabs as spaces."""
    return "".join(" " if ch in "\t\n" else visible_char(ch) for ch in text)


def ellipsize(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis: quotes in status
    messages, which the library words as well as the app. `clean` maps one character to
    one, so only the part kept is cleaned (a list of 10,000 quotes cuts each at once)."""
    if len(text) <= limit:
        return clean(text)
    return clean(text[: max(0, limit - 1)]).rstrip() + "\u2026"


def coder_name_problem(name: str) -> str | None:
    """Why `name` cannot be a new coder's name, or None when it can.

    A coder's name is shown in the app's title bar, in reports and in CSV columns, and is what
    `--coder` takes: a name of spaces only cannot be typed back, and a line break or another
    control character (or an invisible one) would show as something other than what is stored.
    """
    if not name.strip():
        return "a coder needs a name (not only spaces)"
    odd = next((ch for ch in name if visible_char(ch) != ch), None)
    if odd is not None:
        return (f"a coder's name cannot hold a line break, a tab or another control or "
                f"invisible character (U+{ord(odd):04X} in {clean(name)!r})")
    return None
