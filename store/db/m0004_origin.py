"""Migration 4: the journal records which process made each change (``origin``; old rows NULL)."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    """Add journal.origin: "cli:PID@PPID" or "tui:PID" as the front end gave it to the Store."""
    db.execute("ALTER TABLE journal ADD COLUMN origin TEXT")
