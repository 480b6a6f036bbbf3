"""Migration 13: what the consistency queue last knew about overlapping spans (a cache)."""

from __future__ import annotations

import sqlite_utils

SQL = """
-- per article: its entity_count when last scanned, and whether two current spans overlapped
CREATE TABLE overlap_scan (
    article_id INTEGER PRIMARY KEY,
    entity_count INTEGER NOT NULL,
    overlapping INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX overlap_scan_found ON overlap_scan(article_id) WHERE overlapping;
-- how far the scan had read: the newest span, journal row and batch row, the undone groups,
-- and a checksum of every article's entity_count
CREATE TABLE overlap_mark (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    max_span INTEGER NOT NULL,
    max_journal INTEGER NOT NULL,
    max_batch INTEGER NOT NULL,
    undone TEXT NOT NULL,
    checksum INTEGER NOT NULL
);
"""


def apply(db: sqlite_utils.Database) -> None:
    """Add the overlap cache, empty: the queue's first read scans the spans once."""
    db.executescript(SQL)
