"""Writing export files so that a crash or a clash never costs the user a file.

Everything is written beside the target under a temporary name, flushed, and only then moved
into place: a report is either complete or absent. An existing file is replaced only when the
user said `--force`; without it the final step is a hard link, which fails if someone created
the file meanwhile instead of silently overwriting it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import CoderError


def check_target(target: Path, *, force: bool) -> None:
    """Refuse, before any work is done, a target that cannot or must not be written."""
    target = Path(target)
    if target.is_dir():
        raise CoderError("is a folder; give a file name to write to", path=target)
    if target.exists() and not force:
        raise CoderError("already exists; add --force to overwrite it", path=target)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise CoderError(f"the folder {parent} does not exist", path=target)


@contextmanager
def atomic_path(target: Path, *, force: bool = False) -> Iterator[Path]:
    """A temporary path to write to; it becomes `target` when the block ends without error."""
    target = Path(target)
    check_target(target, force=force)
    parent = target.parent if str(target.parent) else Path(".")
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        _flush(tmp)
        os.chmod(tmp, _mode_for(target))
        _move_into_place(tmp, target, force=force)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(target: Path, data: bytes, *, force: bool = False) -> Path:
    with atomic_path(target, force=force) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def _flush(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _mode_for(target: Path) -> int:
    """The mode the file would have had if created normally (mkstemp makes it private)."""
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _move_into_place(tmp: Path, target: Path, *, force: bool) -> None:
    if force:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise CoderError(
            "was created by someone else while exporting; add --force to overwrite it",
            path=target,
        ) from None
    except OSError:
        # Filesystems without hard links: check again, then rename.
        if target.exists():
            raise CoderError("already exists; add --force to overwrite it", path=target) from None
        os.replace(tmp, target)
        return
    tmp.unlink()
