"""What margin refuses to open: another program's SQLite file, a file with damaged pages."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlite_utils

from ..errors import DatabaseError, damaged
from .trouble import is_damage

CORE_TABLES = frozenset({"articles", "spans", "labels", "journal"})
NAMED = 3  # tables of a foreign file named in the refusal
# quick_check reads every page: about 8 ms per MB here (4.4 s for a 100,000-article file of
# 650 MB), so a file opened for writing is checked only up to this size; a bigger one is
# refused when a write meets a damaged page (errors.translate), and `margin doctor` checks all
CHECK_AT_OPEN_MAX = 32 * 1024 * 1024


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

    quick_check reads every page once, skipping the index cross-checks of integrity_check
    (8 times faster here); files over CHECK_AT_OPEN_MAX are not checked (see above).
    """
    try:
        if os.path.getsize(path) > CHECK_AT_OPEN_MAX:
            return
    except OSError:
        return
    try:
        row = db.execute("PRAGMA quick_check(1)").fetchone()
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise DatabaseError(damaged(path, str(exc))) from exc
        raise
    if row is None or row[0] != "ok":
        raise DatabaseError(damaged(path, str(row[0]) if row else "no answer"))
