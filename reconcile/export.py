"""Writing files without ever losing one: every write goes to a temporary file in the target
folder and is renamed into place, so an existing file is never truncated or half-written."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from reconcile.errors import WriteError, why

Writer = Callable[[BinaryIO], object]


def atomic_write(path: str | os.PathLike[str], data: str | bytes | Writer) -> Path:
    """Write ``data`` to ``path`` atomically; raise WriteError for a missing or unwritable folder
    or a name the system refuses.

    ``data`` may be a function that writes to the file it is given (a large report, written a
    part at a time): if it raises, the temporary file is removed and the target left as it was.
    A symbolic link is written through (its destination is replaced, the link kept); a device,
    pipe or socket (``/dev/stdout``, a FIFO) is written as the stream it is, never replaced by a
    file.
    """
    given = Path(path)
    try:
        target = Path(os.path.realpath(given)) if given.is_symlink() else given
        folder = target.parent if str(target.parent) else Path(".")
        mode = target.stat().st_mode if target.exists() else None
        if not folder.is_dir():
            raise WriteError(f"{given}: the folder {folder} does not exist")
    except (OSError, ValueError) as exc:  # a name too long, a NUL in it
        raise WriteError(f"{given}: {why(exc)}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise WriteError(f"{given}: is a folder")
    if mode is not None and not stat.S_ISREG(mode):
        try:
            with open(target, "wb") as handle:
                _write(handle, data)
        except OSError as exc:
            raise WriteError(f"{given}: {why(exc)}") from None
        return given
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except (OSError, ValueError) as exc:
        raise WriteError(f"{given}: cannot write in {folder}: {why(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            _write(handle, data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            with contextlib.suppress(OSError):
                os.chmod(tmp, mode & 0o7777)
        else:
            with contextlib.suppress(OSError):
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise WriteError(f"{given}: {why(exc)}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return given


def _write(handle: BinaryIO, data: str | bytes | Writer) -> None:
    if isinstance(data, str):
        handle.write(data.encode("utf-8"))
    elif isinstance(data, bytes):
        handle.write(data)
    else:
        data(handle)
