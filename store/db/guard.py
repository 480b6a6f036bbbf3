"""What margin refuses to open: another program's SQLite file, a file with damaged pages."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from ..errors import DatabaseError
from .trouble import damaged, is_damage

CORE_TABLES = frozenset({"articles", "spans", "labels", "journal"})
NAMED = 3  # tables of a foreign file named in the refusal


def refuse_foreign(db: sqlite_utils.Database, path: Path | str, strict: bool = True) -> None:
    """Refuse a non-empty SQLite file that margin did not make (reads only; changes nothing).

    margin's files have its core tables and a schema number in ``user_version``; a file with
    tables and neither is another program's, and migrating it would add tables, set the
    number and switch on WAL in someone else's data.
    """
    tables = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    if not tables:
        return
    number = int(db.execute("PRAGMA user_version").fetchone()[0])
    if CORE_TABLES & set(tables) and (number > 0 or not strict):
        return
    shown = ", ".join(tables[:NAMED]) + (", ..." if len(tables) > NAMED else "")
    raise DatabaseError(
        f"{path}: not a margin database (an SQLite file of another program, with tables"
        f" {shown}); margin leaves it as it is: give --db a new file name"
    )


def check_pages(db: sqlite_utils.Database, path: Path | str) -> None:
    """Refuse to write to a file whose pages are damaged (``PRAGMA quick_check``).

    quick_check reads every page once (about 1 s per GB on a warm cache), skipping the index
    cross-checks of integrity_check.
    """
    try:
        row = db.execute("PRAGMA quick_check(1)").fetchone()
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise DatabaseError(damaged(path, str(exc))) from exc
        raise
    if row is None or row[0] != "ok":
        raise DatabaseError(damaged(path, str(row[0]) if row else "no answer"))
