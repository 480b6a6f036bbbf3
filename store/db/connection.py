"""Opening a database: a sqlite_utils.Database with margin's pragmas, migrated to the latest schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from ..errors import DatabaseError
from .migrate import migrate

BUSY_TIMEOUT_MS = 30_000


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open a connection with margin's pragmas; autocommit mode, transactions are explicit."""
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    return sqlite_utils.Database(conn)


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate a margin database at path."""
    memory = str(path) == ":memory:"
    p = Path(path)
    if not memory:
        if p.exists() and p.is_dir():
            raise DatabaseError(f"{p}: is a folder, not a database file")
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"{p}: cannot create its folder ({_blocked(p, exc)})") from None
    try:
        db = connect(":memory:" if memory else p)
        if not memory:
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                db.execute("PRAGMA journal_mode = WAL")
        migrate(db)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{p}: cannot open as a margin database ({exc})") from exc
    return db


def _blocked(path: Path, exc: OSError) -> str:
    """Why a folder could not be made: name a file standing where a folder should be."""
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            return f"{parent} is a file, not a folder"
    return exc.strerror or str(exc)
