"""Bulk loading of new articles' spans: the per-row count triggers set aside for one batch, their
work done once for the batch (counts with the article rows, the entity index by one GROUP BY)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from .db import Unit

# the triggers whose work a bulk load does itself: articles.entity_count and the entities table
DEFERRED = ("spans_count_insert", "spans_entity_insert")
# below this many spans the DDL of setting the triggers aside costs more than they do
MIN_SPANS = 200
# SQLite's page cache while a batch loads (2 MB by default): a batch's dirty index pages then stay
# in memory instead of spilling to the WAL and being read back (half the system time, measured)
CACHE_KB = 16_384

SPAN_COLUMNS = ("article_id", "start", "end", "label", "source", "status", "text")
INSERT_SPAN = (
    'INSERT INTO spans (article_id, start, "end", label, source, status, text, created_at,'
    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
NEXT_SPAN = "SELECT COALESCE(MAX(seq), 0) + 1 FROM sqlite_sequence WHERE name = 'spans'"
# new articles' spans (ids from ?) added to the entity index: what spans_entity_insert does row
# by row, one upsert per (surface, label) in the order of its first span (so the entities get the
# ids the trigger gives them), counted by SQLite in one pass over the rows just inserted
COUNT_NEW = (
    "INSERT INTO entities (surface, label, mentions, articles)"
    " SELECT text, label, COUNT(*), COUNT(DISTINCT article_id) FROM spans"
    " WHERE id >= ? AND status != 'rejected' GROUP BY text, label ORDER BY MIN(id)"
    " ON CONFLICT (surface, label) DO UPDATE SET mentions = mentions + excluded.mentions,"
    " articles = articles + excluded.articles"
)
_ON_INSERT = re.compile(r"\bINSERT\s+ON\s+\"?spans\b", re.IGNORECASE)
# the articles' search trigger (migration 3), which a bulk load sets aside too: an INSERT into an
# FTS5 table writes its pending terms out when the statement ends, so one statement an article
# made a segment an article, which FTS5 then merges (of the 0.98 s 10,000 news articles took to
# insert, 0.8 s; 0.3 s with one statement for them all, measured); INDEX_NEW does its work for
# every article from an id on, in one statement
SEARCH_TRIGGER = "articles_fts_insert"
_SEARCH_BODY = "INSERT INTO articles_fts (rowid, title, text) VALUES (NEW.id, NEW.title, NEW.text);"
INDEX_NEW = "INSERT INTO articles_fts (rowid, title, text) SELECT id, title, text FROM articles WHERE id >= ?"
MIN_ARTICLES = 20  # below this many the DDL of setting the search trigger aside costs more


def deferrable(tx: Unit) -> dict[str, str] | None:
    """The SQL of the triggers a bulk load may set aside, or None when the schema has others.

    A trigger on inserting spans that this module does not know (a later migration's) does
    work it cannot repeat, so then the spans go in row by row with every trigger firing.
    """
    rows = tx.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'spans'"
    ).fetchall()
    found = {str(r[0]): str(r[1]) for r in rows}
    if any(name not in found for name in DEFERRED):
        return None
    if any(_ON_INSERT.search(sql) for name, sql in found.items() if name not in DEFERRED):
        return None
    return {name: found[name] for name in DEFERRED}


def search_trigger(tx: Unit) -> dict[str, str]:
    """{name: SQL} of the articles' search trigger when INDEX_NEW does exactly its work, else
    {} (a later migration changed it: then it fires row by row)."""
    sql = tx.one(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (SEARCH_TRIGGER,)
    )
    if sql is None:
        return {}
    words = " ".join(str(sql).split())
    plain = f"CREATE TRIGGER {SEARCH_TRIGGER} AFTER INSERT ON articles BEGIN {_SEARCH_BODY} END"
    return {SEARCH_TRIGGER: str(sql)} if words == plain else {}


@contextmanager
def triggers_aside(tx: Unit, triggers: dict[str, str], savepoint: bool = True) -> Iterator[None]:
    """Drop the triggers for the block and create them again after it, in a savepoint, with a
    bigger page cache for the block.

    Everything is inside the caller's transaction: no other connection ever sees the schema
    without them, and a failure rolls the savepoint (the drops with it) back. ``savepoint``
    False: the caller rolls its whole transaction back on any failure (a chunk of a load), so
    no savepoint is needed, nor its sub-journal, which copies every page the block changes.
    """
    cache = tx.one("PRAGMA cache_size")
    tx.execute(f"PRAGMA cache_size = -{max(CACHE_KB, -int(cache))}")
    try:
        with tx.nested() if savepoint else nullcontext(tx):
            for name in triggers:
                tx.execute(f"DROP TRIGGER {name}")
            yield
            for sql in triggers.values():
                tx.execute(sql)
    finally:
        tx.execute(f"PRAGMA cache_size = {int(cache)}")


def insert_spans(tx: Unit, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert span rows (INSERT_SPAN's columns, in order) with one prepared statement."""
    if rows:
        tx.conn.executemany(INSERT_SPAN, rows)
