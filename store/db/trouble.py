"""Why a database cannot be opened or written, in the user's terms: the disk, the folder, the file."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..errors import damaged

# below this much free space SQLite cannot make the -shm (32 KiB) and the first -wal frames
LOW_SPACE = 256 * 1024


def companions(path: Path) -> tuple[Path, Path]:
    """The -wal and -shm files SQLite keeps beside a WAL database."""
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def holds_frames(wal: Path) -> bool:
    """True when a -wal file holds changes not yet in the database file (it is not empty)."""
    try:
        return wal.stat().st_size > 0
    except OSError:
        return False


def _read_only(path: Path) -> bool:
    """True when path (file or folder) cannot be written: its permissions or a read-only mount."""
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        return False
    return not os.access(path, os.W_OK)


def _free(folder: Path) -> int | None:
    try:
        st = os.statvfs(folder)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def cause(path: Path, writing: bool) -> str | None:
    """What in the file system stops SQLite from opening (or writing) path, if anything."""
    folder = path.parent
    wal, shm = companions(path)
    free = _free(folder)
    if free is not None and free < LOW_SPACE:
        return f"no space left on the device holding {folder}"
    missing = [p.name for p in (wal, shm) if not p.exists()]
    if path.exists() and writing and _read_only(path):
        return f"the file {path} is read-only"
    if missing and _read_only(folder):
        return (
            f"the folder {folder} is read-only: margin needs to create"
            f" {' and '.join(missing)} beside the database"
        )
    if not path.exists() and _read_only(folder):
        return f"the folder {folder} is read-only: margin cannot create the database there"
    return None


def writable_problem(path: Path) -> str | None:
    """Why an existing database file cannot be written (None when it can)."""
    if _read_only(path):
        return f"the file {path} is read-only"
    return None


def is_damage(exc: sqlite3.Error) -> bool:
    """True for SQLite's 'database disk image is malformed' (SQLITE_CORRUPT)."""
    name = getattr(exc, "sqlite_errorname", "")
    return name.startswith("SQLITE_CORRUPT") or "malformed" in str(exc)


def explain(path: Path, exc: sqlite3.Error, writing: bool = True) -> str:
    """One sentence for an error SQLite raised while opening path."""
    why = cause(path, writing)
    if why is not None:
        return f"{path}: cannot open the database: {why}"
    if is_damage(exc):
        return damaged(path, str(exc))
    return f"{path}: cannot open as a margin database ({exc})"


def can_retry_immutable(exc: sqlite3.Error) -> bool:
    """SQLite could not make the -shm (read-only folder, full disk): a reader may go without."""
    name = getattr(exc, "sqlite_errorname", "")
    return name.startswith(("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_READONLY"))
