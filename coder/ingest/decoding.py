"""Turn a file's bytes into text, or say plainly why they are not text.

Transcripts arrive from Word, Notepad, caption tools and PDF extractors, so the encoding is
guessed conservatively: UTF-16 when it has a BOM or, without one, when every other byte is NUL
(Windows tools save "Unicode" text that way); UTF-8 (with one BOM removed); then Windows-1252, the usual
culprit when UTF-8 fails, with a warning so that the researcher checks accented letters.
"""

from __future__ import annotations

import re
from pathlib import Path

from coder.errors import CoderError

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_NOISE_CHARS = tuple(chr(c) for c in range(32) if chr(c) not in "\t\n\r\f\v") + ("\ufffd",)
_NOISE_RE = re.compile("[" + "".join(map(re.escape, _NOISE_CHARS)) + "]")
_MAX_NOISE_SHARE = 0.05


def decode_text(data: bytes, path: Path) -> tuple[str, list[str]]:
    """Return the text with LF line ends, and any warnings about how it was decoded."""
    warnings: list[str] = []
    if data.startswith(b"%PDF-"):
        raise CoderError(
            "This is a PDF file, which cannot be imported directly; extract its text to a .txt "
            "file first (for example with pdftotext) and import that.",
            path=path,
        )
    if data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise CoderError(
                "The file starts like UTF-16 text but cannot be decoded as UTF-16.", path=path
            ) from None
    elif (bare := utf16_without_bom(data)) is not None:
        try:
            text = data.decode(bare)
        except UnicodeDecodeError:
            raise CoderError(
                "The file looks like UTF-16 text without a byte-order mark but cannot be "
                "decoded as UTF-16.", path=path) from None
        warnings.append(f"The file is UTF-16 text without a byte-order mark; it was read as "
                        f"{bare.upper()}.")
    else:
        data = data.removeprefix(_UTF8_BOM)
        if b"\x00" in data:
            raise CoderError(
                "This looks like a binary file, not text (it contains NUL bytes).", path=path
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = data.decode("cp1252", errors="replace")
            line = data.count(b"\n", 0, exc.start) + 1
            warnings.append(
                f"The file is not valid UTF-8 (first bad byte on line {line}); it was read as "
                "Windows-1252 (cp1252). Check accented letters and curly quotes."
            )
    if _looks_binary(text):
        raise CoderError(
            "This does not look like a text file: most of it is control characters or bytes "
            "that decode to nothing readable.",
            path=path,
        )
    return text.replace("\r\n", "\n").replace("\r", "\n"), warnings


def utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when the bytes look like UTF-16 with no BOM: mostly Latin
    text, so nearly every other byte is NUL (on the odd side for little-endian), and the other
    side has almost none."""
    sample = data[:65536]
    if len(sample) < 4:
        return None
    sample = sample[: len(sample) // 2 * 2]
    half = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.4 * half and even <= 0.02 * half:
        return "utf-16-le"
    if even >= 0.4 * half and odd <= 0.02 * half:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    """One regex scan settles the usual case (no noise at all) several times faster than
    counting each noise character across the whole text."""
    if not text or _NOISE_RE.search(text) is None:
        return False
    noise = sum(map(text.count, _NOISE_CHARS))
    return noise > _MAX_NOISE_SHARE * len(text)
