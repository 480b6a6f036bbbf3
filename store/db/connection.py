"""Opening a database: a sqlite_utils.Database with margin's pragmas, migrated to the latest schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from ..errors import DatabaseError
from .guard import refuse_foreign
from .migrate import LATEST, migrate, version
from .trouble import can_retry_immutable, companions, explain, holds_frames, writable_problem

BUSY_TIMEOUT_MS = 30_000


def connect(
    path: str | Path, *, read_only: bool = False, immutable: bool = False
) -> sqlite_utils.Database:
    """Open a connection with margin's pragmas; autocommit mode, transactions are explicit.

    read_only opens with ``mode=ro`` (SQLite refuses every write); immutable also tells SQLite
    that nobody changes the file, so it needs no -shm (for a read-only folder or a full disk).
    """
    target, uri = str(path), False
    if read_only:
        target = Path(path).absolute().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
        uri = True
    conn = sqlite3.connect(
        target,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=False,
        uri=uri,
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    return sqlite_utils.Database(conn)


def open_database(path: str | Path, read_only: bool = False) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate a margin database at path.

    With read_only an existing, up-to-date file is opened for reading only, so a read-only
    file, a read-only folder or a full disk does not stop the commands that only read; a
    missing file, or one that needs migrating, is opened for writing as usual.
    """
    memory = str(path) == ":memory:"
    p = Path(path)
    if not memory:
        if p.exists() and p.is_dir():
            raise DatabaseError(f"{p}: is a folder, not a database file")
        if read_only and p.exists():
            found = _open_read_only(p)
            if found is not None:
                return found
        if p.exists() and writable_problem(p) is not None:
            raise DatabaseError(f"{p}: cannot write to the database: {writable_problem(p)}")
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"{p}: cannot create its folder ({_blocked(p, exc)})") from None
    db: sqlite_utils.Database | None = None
    try:
        db = connect(":memory:" if memory else p)
        if not memory:
            refuse_foreign(db, p)  # before anything writes: WAL and migrations change the file
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                db.execute("PRAGMA journal_mode = WAL")
        migrate(db)
    except sqlite3.DatabaseError as exc:
        _close(db)
        raise DatabaseError(explain(p, exc, writing=True)) from exc
    except BaseException:
        _close(db)
        raise
    return db


def _open_read_only(p: Path) -> sqlite_utils.Database | None:
    """A read-only connection to p, or None when p needs migrating (so writing)."""
    wal, _shm = companions(p)
    failure: sqlite3.DatabaseError | None = None
    for immutable in (False, True):
        # with no -wal (or an empty one: SQLite may make it even on a full disk) every committed
        # change is in the file itself: reading it as immutable (no -shm needed) sees it all
        if immutable and (holds_frames(wal) or failure is None or not can_retry_immutable(failure)):
            break
        db: sqlite_utils.Database | None = None
        try:
            db = connect(p, read_only=True, immutable=immutable)
            refuse_foreign(db, p)
            found = version(db)
        except sqlite3.DatabaseError as exc:
            _close(db)
            failure = exc
            continue
        except BaseException:
            _close(db)
            raise
        if found > LATEST:
            _close(db)
            raise DatabaseError(
                f"{p}: database schema version {found} is newer than this margin ({LATEST})"
            )
        if found < LATEST:
            _close(db)
            return None
        return db
    assert failure is not None
    raise DatabaseError(explain(p, failure, writing=False)) from failure


def open_existing(p: Path) -> sqlite_utils.Database:
    """Open an existing file as it is, for the doctor: no pragma that writes, no migration.

    For writing where the file system allows it, else for reading (as read_only above);
    raises SQLite's error when neither works.
    """
    db: sqlite_utils.Database | None = None
    try:
        db = connect(p)
        db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.DatabaseError as exc:
        _close(db)
        if not can_retry_immutable(exc):
            raise
        first = exc
    wal, _shm = companions(p)
    for immutable in (False, True):
        if immutable and holds_frames(wal):
            break
        db = None
        try:
            db = connect(p, read_only=True, immutable=immutable)
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.DatabaseError:
            _close(db)
    raise first


def _close(db: sqlite_utils.Database | None) -> None:
    if db is not None:
        db.conn.close()


def _blocked(path: Path, exc: OSError) -> str:
    """Why a folder could not be made: name a file standing where a folder should be."""
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            return f"{parent} is a file, not a folder"
    return exc.strerror or str(exc)
