"""Writing an export's file or folder in place: atomic for regular files and folders, through
for devices and FIFOs, and margin's stale temporaries cleaned up."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import secrets
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import ExportError

TMP_TAG = ".margin-tmp-"
"""Temporaries are ``.NAME.margin-tmp-PID-RANDOM`` beside the target."""

MARKER = ".margin-export"
"""The file that marks a folder margin wrote (and may replace on the next export)."""

_MARKER_TEXT = (
    "This folder was written by `margin export`; the next export to it replaces it whole.\n"
)


def real_target(target: Path) -> Path:
    """Follow a symlink (a chain of them) to the path that is really written."""
    return Path(os.path.realpath(target)) if target.is_symlink() else target


def is_special(target: Path) -> bool:
    """True for an existing path that is neither a regular file nor a folder (device, FIFO)."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _via_fd(target: Path) -> bool:
    """True if a symlink chain passes through /proc or /dev/fd (``/dev/stdout`` and the like)."""
    path = os.path.abspath(target)
    for _ in range(40):
        if path.startswith(("/proc/", "/dev/fd/")):
            return True
        if not os.path.islink(path):
            return False
        path = os.path.normpath(os.path.join(os.path.dirname(path), os.readlink(path)))
    return False


def writes_through(target: Path) -> bool:
    """True for a target written in place, never replaced: a device, a FIFO, an open file
    reached through ``/dev/stdout`` or ``/proc/self/fd/N``."""
    return is_special(target) or _via_fd(target)


def is_margin_folder(folder: Path) -> bool:
    """True for a folder a previous margin export wrote (it holds the marker file)."""
    return (folder / MARKER).is_file()


def check_folder(target: Path, fmt: str) -> None:
    """Refuse a non-empty folder that is not a previous margin export, before writing."""
    real = real_target(target)
    if not real.is_dir() or is_margin_folder(real):
        return
    if next(real.iterdir(), None) is not None:
        raise ExportError(
            f"{target} is a folder with other files in it, not a previous margin export: "
            f"give a new or empty folder for --out ({fmt} replaces the folder it writes)"
        )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def clean_stale(target: Path) -> list[Path]:
    """Remove temporaries of margin's naming for target whose process is gone; return them."""
    prefix = f".{target.name}{TMP_TAG}"
    removed: list[Path] = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return removed
    for item in entries:
        if not item.name.startswith(prefix):
            continue
        pid_text = item.name[len(prefix) :].split("-", 1)[0]
        if not pid_text.isdigit():
            continue
        pid = int(pid_text)
        if pid == os.getpid() or _pid_alive(pid):
            continue  # an export under way (in this process or another)
        try:
            if item.is_dir() and not item.is_symlink():
                shutil.rmtree(item)
            else:
                item.unlink()
        except OSError:
            continue
        removed.append(item)
    return removed


def tmp_name(target: Path) -> Path:
    """A fresh temporary path beside target, named so a later export can recognise it."""
    return target.with_name(f".{target.name}{TMP_TAG}{os.getpid()}-{secrets.token_hex(4)}")


def _mkparent(target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in target.parents if p.exists() and not p.is_dir()), target)
        raise ExportError(f"cannot write {target}: {blocker} is a file, not a folder") from None


def write_file(kind: str, target: Path, write: Callable[[Any], None]) -> None:
    """Write a file export: through to a device or FIFO, else a temporary renamed over the
    target (a symlink's target, the link kept). ``kind`` "text" passes a stream, else a path."""
    if writes_through(target):
        if kind == "text":
            with open(target, "w", encoding="utf-8", newline="") as fh:
                write(fh)
        else:
            write(target)
        return
    real = real_target(target)
    _mkparent(real)
    clean_stale(real)
    tmp = tmp_name(real)
    try:
        if kind == "text":
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                write(fh)
        else:
            write(tmp)
        _keep_mode(real, tmp)
        os.replace(tmp, real)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _keep_mode(old: Path, new: Path) -> None:
    """Give the replacement the permissions of the file it replaces (if there is one)."""
    try:
        mode = stat.S_IMODE(os.stat(old).st_mode)
    except FileNotFoundError:
        return
    os.chmod(new, mode)


def write_folder(target: Path, write: Callable[[Path], None]) -> None:
    """Write a folder export beside the target, then swap it in with one rename.

    The old folder (a previous margin export, or empty) is exchanged with the new one in one
    step where the system can (Linux renameat2), else moved aside first; then it is removed.
    """
    real = real_target(target)
    _mkparent(real)
    clean_stale(real)
    tmp = tmp_name(real)
    tmp.mkdir()
    try:
        write(tmp)
        (tmp / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
        if not real.exists():
            os.rename(tmp, real)
            return
        if _exchange(tmp, real):
            old = tmp  # after the exchange the temporary name holds the old folder
        else:
            old = tmp_name(real)
            os.rename(real, old)
            os.rename(tmp, real)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (renameat2 RENAME_EXCHANGE); False where unsupported."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))
