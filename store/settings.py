"""Project settings kept in the database (allow_overlaps): what every user of the file shares."""

from __future__ import annotations

import sqlite_utils

from .db import Unit

ALLOW_OVERLAPS = "allow_overlaps"


def setting(db: sqlite_utils.Database, key: str) -> str | None:
    """A project setting's value, None when it was never set."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def allow_overlaps(db: sqlite_utils.Database) -> bool:
    """Whether the project allows overlapping (nested) entities; off unless set."""
    return setting(db, ALLOW_OVERLAPS) == "true"


def set_allow_overlaps(tx: Unit, value: bool) -> bool:
    """Allow (or forbid) overlapping entities in this project; return the new value."""
    tx.execute(
        "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
        (ALLOW_OVERLAPS, "true" if value else "false"),
    )
    tx.allow_overlaps = value
    return value
