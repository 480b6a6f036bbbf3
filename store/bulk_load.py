"""Loading a whole file: one transaction with the secondary indexes and the count triggers set
aside, the indexes built once and the entity index filled in one statement at its end."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from . import journal
from .articles import existing_hashes
from .bulk import INSERT_SPAN, deferrable, insert_spans, triggers_aside
from .db import Unit
from .labels import ensure_labels
from .models import now

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
# the page cache while a file loads is a bulk batch's (bulk.CACHE_KB, 16 MB: dirty pages rarely
# spill to the WAL, and the import stays under its peak memory target of 100 MB); while the
# indexes are built SQLite's sorter takes as much again beside the cache, so the cache shrinks
# for the build (measured: a 301 MB JSONL peaked at 104 MB with 16 MB for both)
BUILD_CACHE_KB = 8192

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


ROWS_PER_INSERT = 100  # 900 parameters a statement, well below SQLite's limit
_MANY_SPANS = INSERT_SPAN.replace(
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * ROWS_PER_INSERT),
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
        insert_many(tx, spans)
        journal.record_many(
            tx,
            "import",
            "import",
            ((known[p.digest], {"source": p.source, "spans": len(p.spans)}) for p in fresh),
        )
        return out


def insert_many(tx: Unit, rows: list[tuple[Any, ...]]) -> None:
    """Insert span rows ROWS_PER_INSERT to a statement: each execution of an INSERT into an
    AUTOINCREMENT table reads and writes sqlite_sequence, so one row a statement paid that
    per span (a third of the spans' insert time, measured)."""
    whole = len(rows) - len(rows) % ROWS_PER_INSERT
    if whole:
        flat = [
            tuple(v for row in rows[i : i + ROWS_PER_INSERT] for v in row)
            for i in range(0, whole, ROWS_PER_INSERT)
        ]
        tx.conn.executemany(_MANY_SPANS, flat)
    insert_spans(tx, rows[whole:])


@contextmanager
def loading(tx: Unit) -> Iterator[Load]:
    """Set the secondary indexes (and, when the schema allows, the count triggers) aside for
    the block, then build the indexes once, fill the entity index in one statement and
    create the triggers again.

    Everything happens in the caller's transaction (a savepoint of it): no other connection
    sees the schema without them, readers go on seeing the snapshot from before the load
    (WAL) until it commits, and a failure or a kill -9 leaves the database as it was. The
    write lock is held for the whole load (the 21 MB benchmark file: about 10 CPU-s, a 300 MB
    JSONL: about 65 CPU-s; another writer waits up to the busy timeout and then gives up), so
    this is only for files big against the database (:func:`worth_loading`).
    """
    triggers = deferrable(tx) or {}
    found = tx.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    ).fetchall()
    # with the entity trigger firing, its lookups need spans_entity: then no index goes
    indexes = {str(r[0]): str(r[1]) for r in found if str(r[0]) in LOAD_INDEXES and triggers}
    # the triggers go and come back (and the page cache grows) as for a bulk batch
    with triggers_aside(tx, triggers):
        for name in indexes:
            tx.execute(f"DROP INDEX {name}")
        load = Load(tx, counted=bool(triggers))
        yield load
        tx.execute(f"PRAGMA cache_size = -{BUILD_CACHE_KB}")
        for sql in indexes.values():
            tx.execute(sql)
        if triggers:
            tx.execute(FILL_ENTITIES, (load.first_id,))
