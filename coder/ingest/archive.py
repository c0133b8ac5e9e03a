"""Zip containers (.docx, .qdpx) read within limits set by what coder keeps, not by what the
archive claims: a 2 MB file can hold a part that unpacks to gigabytes."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from ..errors import CoderError

MB = 1024 * 1024
# A transcript of a day-long focus group is a few MB of text; no part of a real .docx or
# source of a .qdpx comes near this.
MAX_ENTRY_BYTES = 128 * MB
_CHUNK = 1024 * 1024
UNPACK_ERRORS = (zipfile.BadZipFile, NotImplementedError, zlib.error, EOFError, OSError,
                 RuntimeError, ValueError)


def too_big(what: str, limit: int, path: Path) -> CoderError:
    return CoderError(f"{what} unpacks to more than {limit // MB} MB; refusing it (a damaged "
                      "file or a zip bomb: coder reads parts up to that size)", path=path)


def unpack_error(name: str, exc: BaseException, path: Path) -> CoderError:
    reason = "unknown compression method" if isinstance(exc, NotImplementedError) else (
        str(exc) or type(exc).__name__)
    return CoderError(f"entry {name} cannot be unpacked ({reason}); the file is damaged or "
                      "was written by a tool coder cannot read: save it again", path=path)


def read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, path: Path) -> bytes:
    """One entry's bytes, refused when the header says more than `limit` and again when the
    bytes coming out run past it (a header can lie)."""
    if info.file_size > limit:
        raise too_big(f"entry {info.filename}", limit, path)
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as fh:
            while chunk := fh.read(min(_CHUNK, limit + 1 - size)):
                size += len(chunk)
                if size > limit:
                    raise too_big(f"entry {info.filename}", limit, path)
                chunks.append(chunk)
    except UNPACK_ERRORS as exc:
        raise unpack_error(info.filename, exc, path) from None
    return b"".join(chunks)


def check_entries(path: Path, limit: int = MAX_ENTRY_BYTES) -> None:
    """Unpack every entry once, counting bytes and keeping none, so a reader that then loads
    the whole archive (python-docx) never meets a part bigger than `limit` or a damaged one."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return  # the reader says what is wrong in its own words
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            if info.file_size > limit:
                raise too_big(f"part {info.filename}", limit, path)
            size = 0
            try:
                with archive.open(info) as fh:
                    while chunk := fh.read(_CHUNK):
                        size += len(chunk)
                        if size > limit:
                            raise too_big(f"part {info.filename}", limit, path)
            except UNPACK_ERRORS as exc:
                raise unpack_error(info.filename, exc, path) from None
