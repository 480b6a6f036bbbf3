"""Migration 12: imports written in several transactions, until their last one commits."""

from __future__ import annotations

import sqlite_utils

SQL = """
-- a file being loaded in chunks (store/bulk_load.py): the journal group whose 'import' rows name
-- the articles written so far. The row goes in the last chunk's transaction; one left behind by
-- a process that is gone is a load cut short, and the next open deletes what it wrote.
CREATE TABLE import_pending (
    group_id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    started_at TEXT NOT NULL,
    pid INTEGER,
    origin TEXT,
    labels TEXT NOT NULL DEFAULT '[]',
    entity_mark INTEGER NOT NULL DEFAULT 0,
    span_mark INTEGER NOT NULL DEFAULT 0,
    indexes TEXT NOT NULL DEFAULT '{}'
);
"""


def apply(db: sqlite_utils.Database) -> None:
    """Add import_pending, empty. ``labels``: the labels the load added to the legend (JSON);
    ``entity_mark``: the newest entity_ids row before it, so a roll-back can drop the names only
    it brought; ``span_mark``: the spans' AUTOINCREMENT counter before it, given back when
    nothing above it is left anywhere; ``indexes``: the indexes it set aside until its end (name: SQL, JSON)."""
    db.executescript(SQL)
