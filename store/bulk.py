"""Bulk loading of new articles' spans: the per-row count triggers set aside for one batch, their
work done once for the batch (counts with the article rows, the entity index one row per entity)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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
UPSERT_ENTITY = (
    "INSERT INTO entities (surface, label, mentions, articles) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (surface, label) DO UPDATE SET mentions = mentions + excluded.mentions,"
    " articles = articles + excluded.articles"
)
_ON_INSERT = re.compile(r"\bINSERT\s+ON\s+\"?spans\b", re.IGNORECASE)


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


@contextmanager
def triggers_aside(tx: Unit, triggers: dict[str, str]) -> Iterator[None]:
    """Drop the triggers for the block and create them again after it, in a savepoint, with a
    bigger page cache for the block.

    Everything is inside the caller's transaction: no other connection ever sees the schema
    without them, and a failure rolls the savepoint (the drops with it) back.
    """
    cache = tx.one("PRAGMA cache_size")
    tx.execute(f"PRAGMA cache_size = -{CACHE_KB}")
    try:
        with tx.nested():
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


def count_entities(tx: Unit, rows: Sequence[tuple[Any, ...]]) -> None:
    """Add new articles' spans to the entity index: one upsert per (surface, label).

    What spans_entity_insert does row by row, for spans of articles that had none before:
    mentions are the non-rejected spans, articles the distinct articles among them. Entities
    are created in the order of their first span, so their ids are the ones the trigger gives.
    """
    counts: dict[tuple[str, str], list[Any]] = {}
    for article_id, _s, _e, label, _src, status, text, *_ in rows:
        if status == "rejected":
            continue
        entry = counts.get((text, label))
        if entry is None:
            counts[(text, label)] = [1, 1, article_id]
        else:
            entry[0] += 1
            if entry[2] != article_id:  # rows come article by article
                entry[1] += 1
                entry[2] = article_id
    if counts:
        tx.conn.executemany(
            UPSERT_ENTITY, ((s, lab, m, a) for (s, lab), (m, a, _aid) in counts.items())
        )


# -- loading a whole file ---------------------------------------------------------------------
# A file at least this big, and at least as big as the database it goes into, is loaded in
# one transaction with the secondary indexes and the entity triggers set aside: building
# an index once from sorted rows costs a fraction of keeping it up to date row by row
# (measured: 384k spans, 4.3 CPU-s of index upkeep against 0.9 s of rebuilding), while on a
# big database the rebuild would cost more than the rows it saves.
LOAD_MIN_BYTES = 1_000_000
# secondary indexes a load builds once at its end (the unique ones stay: dedupe reads them)
LOAD_INDEXES = (
    "spans_article",
    "spans_label_status",
    "spans_entity",
    "spans_decided",
    "spans_user",
    "articles_title",
    "articles_entities",
    "articles_dated",
)
# the page cache while a file loads: big enough that dirty pages rarely spill to the WAL and
# are read back, small enough for the import's peak memory target (< 100 MB)
LOAD_CACHE_KB = 16384

INSERT_ARTICLE = (
    "INSERT INTO articles (id, title, text, source, content_hash, imported_at, meta, length,"
    " entity_count, date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# one row per (surface, label) of the loaded spans, in the order of its first span: the ids
# spans_entity_insert would have given; an entity already indexed gets the new counts added
# (the loaded articles are new, so their articles add to its own)
FILL_ENTITIES = (
    "INSERT INTO entities (surface, label, mentions, articles)"
    " SELECT text, label, COUNT(*), COUNT(DISTINCT article_id) FROM spans"
    " WHERE article_id >= ? AND status != 'rejected' GROUP BY text, label ORDER BY MIN(id)"
    " ON CONFLICT (surface, label) DO UPDATE SET mentions = mentions + excluded.mentions,"
    " articles = articles + excluded.articles"
)


def worth_loading(db: Any, size: int) -> bool:
    """True when a file of ``size`` bytes is better loaded whole (see LOAD_MIN_BYTES)."""
    if size < LOAD_MIN_BYTES:
        return False
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    return size >= int(pages) * int(page_size)


class Load:
    """A file's articles being written in one transaction, with indexes and triggers set aside.

    Made by :func:`loading`; ``add`` stores a batch of prepared articles (articles.Prepared).
    """

    def __init__(self, tx: Unit, counted: bool) -> None:
        self.tx = tx
        self.counted = counted  # the count triggers are set aside: the load does their work
        self.first_id = int(tx.one("SELECT COALESCE(MAX(id), 0) + 1 FROM articles"))
        self.next_id = self.first_id
        self.stamp = ""

    def add(self, prepared: Sequence[Any]) -> list[tuple[int, bool]]:
        """Store the articles whose text is not stored yet; (id, created) for each one.

        An article whose text was stored before the load has an id below ``first_id``; one
        this load stored already (the file holds its text twice) an id at or above it.
        """
        from .articles import existing_hashes
        from .labels import ensure_labels
        from .models import now

        tx = self.tx
        known = existing_hashes(tx.db, [p.digest for p in prepared])
        stamp = self.stamp = self.stamp or now()
        fresh: list[Any] = []
        out: list[tuple[int, bool]] = []
        for p in prepared:
            if p.digest in known:
                out.append((known[p.digest], False))
                continue
            known[p.digest] = self.next_id
            self.next_id += 1
            fresh.append(p)
            out.append((known[p.digest], True))
        ensure_labels(tx.db, {sp.label for p in fresh for sp in p.spans})
        rows: list[tuple[Any, ...]] = []
        spans: list[tuple[Any, ...]] = []
        for p in fresh:
            aid = known[p.digest]
            live = sum(1 for sp in p.spans if sp.status != "rejected") if self.counted else 0
            rows.append(
                (aid, p.title, p.text, p.source, p.digest, stamp, p.meta, len(p.text), live, p.date)
            )
            text = p.text
            spans.extend(
                (aid, sp.start, sp.end, sp.label, sp.source or "", sp.status)
                + (text[sp.start : sp.end], stamp, stamp)
                for sp in p.spans
            )
        tx.conn.executemany(INSERT_ARTICLE, rows)
        insert_spans(tx, spans)
        from . import journal

        journal.record_many(
            tx,
            "import",
            "import",
            ((known[p.digest], {"source": p.source, "spans": len(p.spans)}) for p in fresh),
        )
        return out


@contextmanager
def loading(tx: Unit) -> Iterator[Load]:
    """Set the secondary indexes (and, when the schema allows, the count triggers) aside for
    the block, then build the indexes once, fill the entity index in one statement and
    create the triggers again.

    Everything happens in the caller's transaction (a savepoint of it): no other connection
    sees the schema without them, readers go on seeing the snapshot from before the load
    (WAL) until it commits, and a failure or a kill -9 leaves the database as it was. The
    write lock is held for the whole load (about 1 s per 2 MB of annotated JSONL here), so
    this is only for files big against the database (:func:`worth_loading`).
    """
    triggers = deferrable(tx) or {}
    found = tx.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    ).fetchall()
    # with the entity trigger firing, its lookups need spans_entity: then no index goes
    indexes = {str(r[0]): str(r[1]) for r in found if str(r[0]) in LOAD_INDEXES and triggers}
    cache = tx.one("PRAGMA cache_size")
    tx.execute(f"PRAGMA cache_size = -{LOAD_CACHE_KB}")
    try:
        with tx.nested():
            for name in triggers:
                tx.execute(f"DROP TRIGGER {name}")
            for name in indexes:
                tx.execute(f"DROP INDEX {name}")
            load = Load(tx, counted=bool(triggers))
            yield load
            for sql in indexes.values():
                tx.execute(sql)
            if triggers:
                tx.execute(FILL_ENTITIES, (load.first_id,))
            for sql in triggers.values():
                tx.execute(sql)
    finally:
        tx.execute(f"PRAGMA cache_size = {int(cache)}")
