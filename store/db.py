"""Opening a database: pragmas (WAL, foreign keys, busy timeout) and numbered migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .migrations import migrations

BUSY_TIMEOUT_MS = 30_000


from .errors import DatabaseError as DatabaseError  # noqa: E402


def connect(path: str | Path) -> sqlite3.Connection:
    """Open a connection with margin's pragmas; autocommit mode, transactions are explicit."""
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration newer than the database's user_version; return the version."""
    steps = migrations()
    latest = steps[-1][0] if steps else 0
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > latest:
        raise DatabaseError(
            f"database schema version {version} is newer than this margin ({latest})"
        )
    if version == latest:
        return version
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number, _name, sql in steps:
            if number <= version:
                continue
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return latest


def _statements(sql: str) -> list[str]:
    """Split a migration script into complete statements (triggers keep their bodies)."""
    out, buf = [], ""
    for line in sql.splitlines(keepends=True):
        if line.strip().startswith("--") and not buf.strip():
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def open_database(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate a margin database at path."""
    p = Path(path)
    if str(path) != ":memory:":
        if p.exists() and p.is_dir():
            raise DatabaseError(f"{p}: is a folder, not a database file")
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"{p}: cannot create its folder ({_blocked(p, exc)})") from None
    try:
        conn = connect(p if str(path) != ":memory:" else ":memory:")
        if str(path) != ":memory:":
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{p}: cannot open as a margin database ({exc})") from exc
    return conn


def _blocked(path: Path, exc: OSError) -> str:
    """Why a folder could not be made: name a file standing where a folder should be."""
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            return f"{parent} is a file, not a folder"
    return exc.strerror or str(exc)
