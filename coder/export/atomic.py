"""Writing export files so that a crash or a clash never costs the user a file.

Everything is written beside the target under a temporary name, flushed, and only then moved
into place: a report is either complete or absent. An existing file is replaced only when the
user said `--force`; without it the final step is a hard link, which fails if someone created
the file meanwhile instead of silently overwriting it.

A process killed mid-export (SIGKILL, power cut) cannot remove its temporary file, so the name
carries the writer's process id, and the next export to the same target removes the temporary
files whose writer is gone.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import CoderError


def check_target(target: Path, *, force: bool) -> None:
    """Refuse, before any work is done, a target that cannot or must not be written."""
    target = Path(target)
    refuse_special(target)
    if target.is_dir():
        raise CoderError("is a folder; give a file name to write to", path=target)
    if target.exists() and not force:
        raise CoderError("already exists; add --force to overwrite it", path=target)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise CoderError(f"the folder {parent} does not exist", path=target)


def refuse_special(target: Path) -> None:
    """A link or a device node is never replaced, even with --force: moving a file over
    `/dev/null` or over a link the user keeps elsewhere would destroy it, not update it."""
    if target.is_symlink():
        raise CoderError("is a link; coder never replaces a link, so give the file it points "
                         "to or another name", path=target)
    try:
        mode = target.stat().st_mode
    except OSError:
        return
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise CoderError("is a device or another special file; coder never replaces one, so "
                         "give a file name", path=target)


@contextmanager
def atomic_path(target: Path, *, force: bool = False) -> Iterator[Path]:
    """A temporary path to write to; it becomes `target` when the block ends without error."""
    target = Path(target)
    check_target(target, force=force)
    parent = target.parent if str(target.parent) else Path(".")
    remove_stale_temps(target)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.",
                                        suffix=".tmp", dir=parent)
    except OSError as exc:
        raise _write_problem(exc, target) from None
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        _flush(tmp)
        os.chmod(tmp, _mode_for(target))
        refuse_special(target)  # nothing became a link or a device meanwhile
        _move_into_place(tmp, target, force=force)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _write_problem(exc, target) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_problem(exc: OSError, target: Path) -> CoderError:
    """A write that failed for a reason of the disk or the folder, said as such; nothing
    was written under `target`."""
    folder = (target.parent if str(target.parent) else Path(".")).resolve()
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why = f"the disk holding {folder} is full"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT):
        why = f"the folder {folder} cannot be written to ({exc.strerror or exc})"
    else:
        why = f"it could not be written ({exc.strerror or exc})"
    return CoderError(f"not written: {why}; nothing was left under that name", path=target)


def remove_stale_temps(target: Path) -> list[Path]:
    """Delete the temporary files an export to `target` left behind when its process died."""
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    ours = re.compile(rf"\.{re.escape(target.name)}\.(\d+)\.[A-Za-z0-9_]+\.tmp")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        match = ours.fullmatch(entry.name)
        if match and not _alive(int(match.group(1))) and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(Path(entry.path))
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except PermissionError:  # someone else's process: alive
        return True
    except (ProcessLookupError, OverflowError):
        return False
    return True


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
