"""Migration 13: the long spans indexed apart, so that an overlap test reads only the spans near a place."""

from __future__ import annotations

import sqlite_utils

# A span that overlaps a place (start s, end e) starts before e and ends after s. Read from
# spans_article (article_id, start, ...), the spans that may do so start after s - LONG when no
# span is longer than LONG: the few that are (over 32 characters) are in this partial index, so
# that a propagation's overlap test no longer reads every span of each article it plans to
# find the longest one first (0.04 s of 0.28 for a 30,000-mention preview). Only a span longer
# than that is written to it: adding "Aleppo" 20,000 times leaves it alone.
# (never changed: the files made have it in their index; a query must say it as it is written
# there for SQLite to use the index)
LONG = 32
SQL = (
    "CREATE INDEX IF NOT EXISTS spans_long ON spans(article_id, start)"
    f' WHERE "end" - start > {LONG}',
)


def apply(db: sqlite_utils.Database) -> None:
    """Add spans_long."""
    for sql in SQL:
        db.execute(sql)
