"""Code labels as small coloured chips whose text alone identifies the code.

The name is always written out, so codes stay distinct in 16 colours, in monochrome and with
NO_COLOR set; colour only helps the eye.
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color, ColorParseError
from rich.style import Style
from rich.text import Text

from ...models import Code
from ...text import clean


@lru_cache(maxsize=512)
def code_style(color: str | None) -> Style:
    """Background in the code's colour with black or white text, whichever reads better."""
    if not color:
        return Style(reverse=True)
    try:
        parsed = Color.parse(color)
    except ColorParseError:
        return Style(reverse=True)
    r, g, b = parsed.get_truecolor()
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return Style(bgcolor=parsed, color="black" if luminance > 140 else "white", bold=True)


@lru_cache(maxsize=512)
def swatch_style(color: str | None) -> Style:
    if not color:
        return Style()
    try:
        return Style(color=Color.parse(color))
    except ColorParseError:
        return Style()


def chip(code: Code | None, fallback: str = "?", *, name: str | None = None) -> Text:
    """The code's name (or `name`, such as its path) on its colour; more can be appended
    without taking on that colour."""
    name = clean(name if name is not None else code.name if code else fallback)
    text = Text(end="")
    text.append(f" {name} ", style=code_style(code.color if code else None))
    return text


def swatch(code: Code) -> Text:
    return Text("\u25a0", style=swatch_style(code.color), end="")
