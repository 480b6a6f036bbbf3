"""Loading a big file in chunks: short transactions of whole articles under a pending mark, and a
load that does not finish (a bad record, Ctrl-C, kill -9) deleted whole."""

from __future__ import annotations

import json
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

import sqlite_utils

from . import bulk, journal
from .articles import Prepared, existing_hashes
from .batch import Pacer, alive
from .bulk import (
    CACHE_KB,
    COUNT_NEW,
    INDEX_NEW,
    NEXT_SPAN,
    SEARCH_TRIGGER,
    insert_spans,
    triggers_aside,
)
from .db import Unit
from .labels import ensure_labels
from .models import USER_SOURCE, now

Units = Callable[[], AbstractContextManager[Unit]]

# A file at least this big is loaded in chunks (read once: each record is checked as it is
# read, and a bad one deletes what the load wrote); a smaller one keeps the two passes of
# importer._two_passes (check the whole file, then write), whose batches are small anyway.
LOAD_MIN_BYTES = 1_000_000
# the surface indexes of spans (surface_indexes) are set aside for a load, and built again at
# its end, while the spans stored are at most this many: each build then holds the lock about
# half a second (measured: 384k spans, 0.45 s an index). A load whose spans outgrow it builds
# them at once and keeps them up to date from then on. Kept up to date from the start, they
# cost a page write for nearly every span of every chunk (the inserts fall all over their
# keys): a chunked load of the benchmark file took twice the CPU.
REBUILD_MAX_SPANS = 600_000
# what ends a partial index of only the spans a person made (spans_user): surface_indexes keeps it
USER_ONLY = re.compile(rf"\bWHERE\s+source\s*=\s*'{re.escape(USER_SOURCE)}'\s*$", re.IGNORECASE)
SPANS_STORED = "SELECT COALESCE((SELECT MAX(id) FROM spans) - (SELECT MIN(id) FROM spans) + 1, 0)"
# SQLite's sorter takes as much again as the page cache while an index is built: the cache
# shrinks for the build (measured: a 301 MB JSONL peaked at 104 MB with 16 MB for both)
BUILD_CACHE_KB = 8192
# how long one transaction may hold the write lock: another window's correction waits at most
# this and GAP (issue 12: about 1 s); it writes as many chunks as fit, each sized to about half
CHUNK_SECONDS = 0.5
# the chunks read ahead while the lock is free between two transactions (see Load.write)
AHEAD = 2
FIRST_CHUNK = 4_000  # rows (an article and each of its spans) of the first chunk
LEAST_CHUNK = 500
# what a chunk read ahead may hold, estimated from its articles (Python objects, the text and
# the span rows built from it), so that the peak memory stays flat whatever the pace allows
CHUNK_BYTES = 4_000_000
ARTICLE_BYTES = 400
SPAN_BYTES = 300
# a load copies the WAL back into the database (a checkpoint) when it holds this many pages
# (64 MB), not at SQLite's 1000: a page each chunk rewrites (an index's) is copied once, not once
# a chunk, and the WAL stays bounded whatever the file's size
CHECKPOINT_PAGES = 16_384
# between two transactions the lock is free at least this long (reading the next chunks counts):
# SQLite's busy handler looks again every 100 ms at most, so a correction waiting in another
# window gets in after one transaction, not after it happens to look at the right moment. Not
# batch.GAP (0.2 s, which a propagation needs since its gap is idle): here reading the next
# chunks fills it, and 0.2 s added 0.7 s to the 4.5 s doccano benchmark; in its runs (12 to 65
# corrections each) no correction waited more than 0.86 s. One that misses the gap waits one
# more transaction: about 1.2 s
GAP = 0.1
ROLL_BACK_ARTICLES = 100  # articles deleted by the first transaction of a roll-back (then paced)
ROLL_BACK_MAX = 5_000  # and at most by any (an id a parameter)

INSERT_ARTICLE = (
    "INSERT INTO articles (id, title, text, source, content_hash, imported_at, meta, length,"
    " entity_count, date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
SPAN_WIDTH = 9  # values a span row holds (INSERT_SPAN's columns)
ROWS_PER_INSERT = 100  # 900 parameters a statement, well below SQLite's limit
_MANY_SPANS = (
    'INSERT INTO spans (article_id, start, "end", label, source, status, text, created_at,'
    " updated_at) VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * ROWS_PER_INSERT)
)


def worth_loading(size: int) -> bool:
    """True when a file of ``size`` bytes is loaded in chunks (see LOAD_MIN_BYTES)."""
    return size >= LOAD_MIN_BYTES


class Repeated(Exception):
    """The file holds a text twice: the two-pass import, which keeps the last copy, takes over."""


class Load:
    """A file's articles written chunk after chunk, one journal group for the whole file.

    ``add`` writes a chunk of prepared articles (articles.Prepared) in one transaction and
    returns (id, created) for each. The first chunk that creates an article, unless it is the
    last, opens an ``import_pending`` row in its own transaction (its journal rows claim the
    group) and sets the surface indexes aside while their rebuild is cheap (see
    REBUILD_MAX_SPANS); the last one deletes the row in its own, or in the transaction of the
    last index it builds again: the load is whole exactly when that row is gone.
    ``roll_back`` deletes what the chunks wrote.
    """

    def __init__(self, db: sqlite_utils.Database, units: Units, path: str) -> None:
        self.db = db  # the connection units() writes through (its pragmas, between chunks)
        self.units = units
        self.path = path
        self.group: int | None = None
        # the first id this load gave: a text of the file found again at or above it is held
        # twice by the file (or was stored meanwhile by another import: the two passes are
        # right either way), without a set of every text read
        self.first_id: int | None = None
        self.created = 0  # articles written, the transaction going on's too
        self.stored = 0  # articles committed
        self.seen: set[int] = set()  # the articles stored before that the file holds
        self.labels: set[str] = set()  # the labels it added to the legend
        self.aside: dict[str, str] = {}  # the indexes set aside until the end (name: SQL)
        self.stamp = now()
        # the rows (an article and each of its spans) the next chunk should hold: about half
        # of CHUNK_SECONDS, so that a transaction holds two or more
        self.pacer = Pacer(FIRST_CHUNK, CHUNK_SECONDS / 2, LEAST_CHUNK)
        self.holds: list[float] = []  # how long each transaction held the write lock
        self.ended: float | None = None  # when the last transaction committed
        self._counted = False  # the transaction going on set the count triggers aside
        self._searched = False  # and the search trigger
        self._tail = 0.0  # how long the end of the last transaction took (Load._aside)
        self.tail = 0.0  # the same, a row it wrote

    def write(
        self,
        batches: Iterator[tuple[list[Any], bool]],
        prepared: Callable[[Any], Prepared],
        take: Callable[[list[Any], list[tuple[int, bool]]], None],
    ) -> Iterator[None]:
        """Write the chunks ``batches`` gives (chunks()' (items, last)), several a transaction
        while it holds the lock at most about CHUNK_SECONDS, and yield after each commit.
        ``prepared`` gives an item's Prepared; ``take(items, (id, created) for each)`` is called
        as each chunk is written, so that its items need not be kept until the commit.

        Between two transactions the lock is free for GAP, and that time goes to reading the
        next chunks (at most AHEAD of them) instead of sleeping: the file's parsing and checks
        run while another window may write, and only what is left of GAP is slept.
        """
        ahead: deque[tuple[list[Any], bool]] = deque()
        source = iter(batches)
        more = True

        def pull() -> None:
            nonlocal more
            item = next(source, None)
            if item is None:
                more = False
            else:
                ahead.append(item)

        while True:
            until = -1.0 if self.ended is None else self.ended + GAP
            while more and (not ahead or (len(ahead) < AHEAD and time.perf_counter() < until)):
                pull()
            if not ahead:
                return
            if self.ended is not None:  # let a waiting writer in: see GAP
                time.sleep(max(0.0, until - time.perf_counter()))
            written = 0  # rows (an article and each of its spans)
            started = time.perf_counter()
            with self.units() as tx, self._aside(tx):
                while True:
                    items, last = ahead.popleft()
                    begun = time.perf_counter()
                    chunk = [prepared(i) for i in items]
                    take(items, self.add(tx, chunk, last))
                    rows = len(chunk) + sum(len(p.spans) for p in chunk)
                    written += rows
                    del items, chunk
                    took = time.perf_counter() - begun
                    # the next chunk would take as long, and the end of the transaction
                    # (Load._aside) as long a row as it did in the last transaction
                    end = self.tail * (written + rows)
                    if last or time.perf_counter() - started + took + end > CHUNK_SECONDS:
                        break
                    if not ahead:
                        pull()  # read inside the lock: the transaction goes on
            self.ended = time.perf_counter()
            self.stored = self.created
            self.holds.append(self.ended - started)
            self.tail = self._tail / max(written, 1)
            self.pacer.took(self.ended - started, written)
            if self.group is not None and self.aside and (last or self._too_many()):
                # the end, or the spans outgrew a cheap rebuild (the file is bigger than it
                # looked): the indexes are built now, and kept up to date by the chunks to come
                finished = "DELETE FROM import_pending WHERE group_id = ?"
                kept = "UPDATE import_pending SET indexes = '{}' WHERE group_id = ?"
                then = (finished if last else kept, (self.group,))
                self.holds.extend(build_again(self.db, self.units, self.aside, then))
                self.ended = time.perf_counter()
                self.aside = {}
            yield None

    @contextmanager
    def _aside(self, tx: Unit) -> Iterator[None]:
        """The count and search triggers set aside for a transaction (see bulk.py), their work
        done for every article it adds: the search index by one statement a chunk (Load.add;
        each FTS5 statement writes a segment), the entity index by one GROUP BY at its end."""
        triggers = bulk.deferrable(tx)
        every = {**(triggers or {}), **bulk.search_trigger(tx)}
        first_span = int(tx.one(NEXT_SPAN))
        self._counted = triggers is not None
        self._searched = SEARCH_TRIGGER in every
        with triggers_aside(tx, every, savepoint=False) if every else nullcontext():
            yield
            begun = time.perf_counter()
            if self._counted:
                tx.execute(COUNT_NEW, (first_span,))
            self._tail = time.perf_counter() - begun

    def add(self, tx: Unit, prepared: Sequence[Prepared], last: bool) -> list[tuple[int, bool]]:
        """Write one chunk in the transaction ``tx``; ``last``: no chunk follows, so the load is
        whole when it commits. Returns (id, created) for each article."""
        marks = (0, 0)
        if self.group is not None:
            tx.join(self.group)
        else:  # the entity names and span ids given out before the load takes its own
            marks = (
                int(tx.one("SELECT COALESCE(MAX(id), 0) FROM entity_ids")),
                int(tx.one(NEXT_SPAN)) - 1,
            )
        fresh, out = self._sort(tx, prepared)
        opening = self.group is None and bool(fresh) and not last
        if opening and int(tx.one(SPANS_STORED)) < REBUILD_MAX_SPANS:
            self.aside = surface_indexes(tx)
            for name in self.aside:
                tx.execute(f"DROP INDEX {name}")
        self._write(tx, fresh)
        if opening:
            self.group = tx.group()
            self._open(tx, marks)
        elif self.group is not None and last and not self.aside:
            tx.execute("DELETE FROM import_pending WHERE group_id = ?", (self.group,))
        elif self.group is not None:
            tx.execute(
                "UPDATE import_pending SET labels = ? WHERE group_id = ?",
                (json.dumps(sorted(self.labels)), self.group),
            )
        return out

    def _too_many(self) -> bool:
        return int(_one(self.db, SPANS_STORED)) > REBUILD_MAX_SPANS

    def _open(self, tx: Unit, marks: tuple[int, int]) -> None:
        tx.execute(
            "INSERT INTO import_pending (group_id, path, started_at, pid, origin, labels,"
            " entity_mark, span_mark, indexes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.group,
                self.path,
                self.stamp,
                os.getpid(),
                tx.origin,
                json.dumps(sorted(self.labels)),
                *marks,
                json.dumps(self.aside),
            ),
        )

    def _sort(
        self, tx: Unit, prepared: Sequence[Prepared]
    ) -> tuple[list[tuple[int, Prepared]], list[tuple[int, bool]]]:
        """Give the texts not stored yet the next ids: (the new ones, (id, created) for each)."""
        known = existing_hashes(tx.db, [p.digest for p in prepared])
        next_id = int(tx.one("SELECT COALESCE(MAX(id), 0) + 1 FROM articles"))
        first = next_id if self.first_id is None else self.first_id
        fresh: list[tuple[int, Prepared]] = []
        out: list[tuple[int, bool]] = []
        for p in prepared:
            aid = known.get(p.digest)
            if aid is not None and (aid >= first or aid in self.seen):
                raise Repeated  # before this chunk is written (its transaction rolls back)
            if aid is not None:
                self.seen.add(aid)
                out.append((aid, False))
                continue
            known[p.digest] = aid = next_id
            next_id += 1
            fresh.append((aid, p))
            out.append((aid, True))
        if fresh and self.first_id is None:
            self.first_id = first
        return fresh, out

    def _write(self, tx: Unit, fresh: list[tuple[int, Prepared]]) -> None:
        if not fresh:
            return
        wanted = {sp.label for _a, p in fresh for sp in p.spans}
        have = {str(r[0]) for r in tx.execute("SELECT name FROM labels")}
        ensure_labels(tx.db, wanted - have)
        self.labels |= wanted - have
        self._insert(tx, fresh, counted=self._counted)
        if self._searched:
            tx.execute(INDEX_NEW, (fresh[0][0],))
        journal.record_many(
            tx,
            "import",
            "import",
            ((aid, {"source": p.source, "spans": len(p.spans)}) for aid, p in fresh),
        )
        self.created += len(fresh)

    def _insert(self, tx: Unit, fresh: list[tuple[int, Prepared]], counted: bool) -> None:
        """Insert the article rows and their spans.

        ``counted``: the count triggers are set aside (Load._aside), so each article row carries
        its entity_count.
        """
        stamp = self.stamp
        rows: list[tuple[Any, ...]] = []
        flat: list[Any] = []  # the spans' values, SPAN_WIDTH a span: no tuple per row to build
        add = flat.extend
        for aid, p in fresh:
            live = sum(1 for sp in p.spans if sp.status != "rejected") if counted else 0
            rows.append(
                (aid, p.title, p.text, p.source, p.digest, stamp, p.meta, len(p.text), live, p.date)
            )
            text = p.text
            for sp in p.spans:
                add((aid, sp.start, sp.end, sp.label, sp.source or "", sp.status))
                add((text[sp.start : sp.end], stamp, stamp))
        tx.conn.executemany(INSERT_ARTICLE, rows)
        insert_flat(tx, flat)

    def roll_back(self) -> None:
        """Delete what the chunks committed so far (nothing when none created an article)."""
        if self.group is not None:
            roll_back(self.db, self.units, self.group)
            self.group = None


def insert_flat(tx: Unit, flat: list[Any]) -> None:
    """Insert span rows given as one flat list of values, ROWS_PER_INSERT rows a statement:
    each execution of an INSERT into an AUTOINCREMENT table reads and writes sqlite_sequence,
    so one row a statement paid that per span (a third of the spans' insert time, measured)."""
    step = ROWS_PER_INSERT * SPAN_WIDTH
    whole = len(flat) - len(flat) % step
    if whole:
        tx.conn.executemany(_MANY_SPANS, (flat[i : i + step] for i in range(0, whole, step)))
    rest = flat[whole:]
    insert_spans(tx, [tuple(rest[i : i + SPAN_WIDTH]) for i in range(0, len(rest), SPAN_WIDTH)])


def surface_indexes(tx: Unit) -> dict[str, str]:
    """The indexes on spans that hold the surface text (name: SQL), read from the schema: a
    load inserts into them all over their keys, the others it fills in order (article,
    label). A partial index of the spans a person made (``WHERE source = 'user'``) stays: a
    file's spans are seldom theirs, so keeping it costs a load nearly nothing, while building
    it again scans every span (measured: 0.06 s and a gap, of 384k spans)."""
    found = tx.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'spans'"
        " AND sql IS NOT NULL ORDER BY name"
    ).fetchall()
    out: dict[str, str] = {}
    for name, sql in found:
        columns = {str(r[2]) for r in tx.execute(f"PRAGMA index_info({name})")}
        if "text" in columns and not USER_ONLY.search(str(sql)):
            out[str(name)] = str(sql)
    return out


def build_again(
    db: sqlite_utils.Database,
    units: Units,
    indexes: dict[str, str],
    then: tuple[str, tuple[Any, ...]] | None = None,
) -> list[float]:
    """Create the indexes a load set aside, each in its own transaction (one another process
    made again meanwhile is left), and run ``then`` (a statement and its parameters: what
    records that they are back) in the transaction of the last. Returns how long each
    transaction took."""
    holds: list[float] = []
    names = list(indexes)
    for k, name in enumerate(names):
        time.sleep(GAP)  # a waiting writer goes first (see GAP)
        # the sorter spills to a file, not to memory (temp_store; outside a transaction only)
        temp, cache = int(_one(db, "PRAGMA temp_store")), int(_one(db, "PRAGMA cache_size"))
        db.execute("PRAGMA temp_store = FILE")
        db.execute(f"PRAGMA cache_size = -{BUILD_CACHE_KB}")
        try:
            started = time.perf_counter()
            with units() as tx:
                if tx.one("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)) is None:
                    tx.execute(indexes[name])
                if k == len(names) - 1 and then is not None:
                    tx.execute(*then)
            holds.append(time.perf_counter() - started)
        finally:
            db.execute(f"PRAGMA temp_store = {temp}")
            db.execute(f"PRAGMA cache_size = {cache}")
    return holds


def _one(db: sqlite_utils.Database, sql: str) -> Any:
    return db.execute(sql).fetchone()[0]


def roll_back(db: sqlite_utils.Database, units: Units, group: int) -> None:
    """Delete a load that did not finish, a few articles a transaction (each about half of
    CHUNK_SECONDS, GAP between two), the pending mark last.

    Its articles go with their spans, search rows and entity counts (the delete triggers
    fire), then its journal rows, the labels it added that no span uses, and the entity
    names it brought that nothing names any more. A kill in the middle leaves the mark, so
    the next open goes on where this stopped.

    The indexes the load set aside are built again first: the delete triggers find a span's
    surface through spans_entity, and without it SQLite read every span of its label for
    each span deleted (an 8,000-article doccano load stopped by a bad record was still being
    deleted after ten minutes).
    """
    aside = units_one(units, "SELECT indexes FROM import_pending WHERE group_id = ?", group)
    if aside is not None and json.loads(aside[0]):
        done = ("UPDATE import_pending SET indexes = '{}' WHERE group_id = ?", (group,))
        build_again(db, units, json.loads(aside[0]), done)
    pacer, ended = Pacer(ROLL_BACK_ARTICLES, CHUNK_SECONDS / 2, ROLL_BACK_ARTICLES), None
    while True:
        if ended is not None:  # a waiting writer gets in between two (see GAP)
            time.sleep(max(0.0, GAP - (time.perf_counter() - ended)))
        started = time.perf_counter()
        with units() as tx:
            found = tx.execute(
                "SELECT article_id FROM journal WHERE group_id = ? AND action = 'import'"
                " AND article_id IS NOT NULL ORDER BY article_id DESC LIMIT ?",
                (group, min(pacer.size, ROLL_BACK_MAX)),
            ).fetchall()
            ids = [int(r[0]) for r in found]
            if not ids:
                break
            marks = ", ".join("?" * len(ids))
            for table in ("spans", "annotator_spans", "annotator_articles", "overlap_scan"):
                tx.execute(f"DELETE FROM {table} WHERE article_id IN ({marks})", ids)
            tx.execute(f"DELETE FROM articles WHERE id IN ({marks})", ids)
            tx.execute(
                f"DELETE FROM journal WHERE group_id = ? AND article_id IN ({marks})", [group, *ids]
            )
        ended = time.perf_counter()
        pacer.took(ended - started, len(ids))
    row = units_one(
        units,
        "SELECT labels, entity_mark, span_mark FROM import_pending WHERE group_id = ?",
        group,
    )
    with units() as tx:
        if row is not None:
            for label in json.loads(row[0]):
                if tx.one("SELECT 1 FROM spans WHERE label = ? LIMIT 1", (label,)) is None:
                    tx.execute("DELETE FROM labels WHERE name = ?", (label,))
            tx.execute(
                "DELETE FROM entity_ids WHERE id > ?"
                " AND name NOT IN (SELECT surface FROM entities)"
                " AND id NOT IN (SELECT entity_id FROM aliases)",
                (int(row[1]),),
            )
            tx.execute(
                "UPDATE sqlite_sequence SET seq = :mark WHERE name = 'entity_ids'"
                " AND (SELECT COALESCE(MAX(id), 0) FROM entity_ids) <= :mark",
                {"mark": int(row[1])},
            )
            # the span ids the load used are given back, so that the file imported again
            # gets the ids it would have had; not when a span above the mark is left, or named
            # by the journal (an undo puts a span back with its id)
            tx.execute(
                "UPDATE sqlite_sequence SET seq = :mark WHERE name = 'spans'"
                " AND (SELECT COALESCE(MAX(id), 0) FROM spans) <= :mark"
                " AND NOT EXISTS (SELECT 1 FROM journal WHERE span_id > :mark)"
                " AND NOT EXISTS (SELECT 1 FROM journal_batch WHERE span_id > :mark)",
                {"mark": int(row[2])},
            )
        tx.execute("DELETE FROM journal WHERE group_id = ?", (group,))
        tx.execute("DELETE FROM import_pending WHERE group_id = ?", (group,))


def units_one(units: Units, sql: str, *params: Any) -> Any:
    """One row read in a transaction of its own."""
    with units() as tx:
        return tx.execute(sql, params).fetchone()


def recover(db: sqlite_utils.Database, units: Units) -> list[int]:
    """Delete every load a process that is gone left unfinished; return their groups."""
    done: list[int] = []
    rows = db.execute("SELECT group_id, pid FROM import_pending ORDER BY group_id").fetchall()
    for group, pid in rows:
        if alive(None if pid is None else int(pid)):
            continue
        roll_back(db, units, int(group))
        done.append(int(group))
    return done


def pending(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """The loads not finished yet (or left so by a crash)."""
    return [dict(r) for r in db.execute("SELECT * FROM import_pending ORDER BY group_id")]


def chunks(
    items: Iterator[Any], prepared: Callable[[Any], Prepared], rows: Callable[[], int]
) -> Iterator[tuple[list[Any], bool]]:
    """(chunk, last) from items: each chunk holds about ``rows()`` rows (an article and each
    of its spans) and at most about CHUNK_BYTES of memory; ``last`` says no item follows it
    (one item is read ahead to know). ``prepared`` gives an item's articles.Prepared."""
    batch: list[Any] = []
    held = size = 0
    for item in items:
        if batch and (held >= rows() or size >= CHUNK_BYTES):
            yield batch, False
            batch, held, size = [], 0, 0
        p = prepared(item)
        batch.append(item)
        held += 1 + len(p.spans)
        size += ARTICLE_BYTES + 2 * len(p.text) + SPAN_BYTES * len(p.spans)
    yield batch, True


@contextmanager
def big_cache(db: sqlite_utils.Database) -> Iterator[None]:
    """The connection's page cache at CACHE_KB for the whole load: between two chunks the index
    pages stay in memory, instead of being read back from the file by the next chunk; and the
    WAL copied back into the database every CHECKPOINT_PAGES, not after every chunk. Temporary
    files (statement journals, sorters) stay files: in memory they held 23 MB more at the peak of
    a 301 MB JSONL (114 against 91 MB), and the doccano benchmark ran no faster."""
    before = int(db.execute("PRAGMA cache_size").fetchone()[0])
    every = int(db.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
    db.execute(f"PRAGMA cache_size = -{CACHE_KB}")
    db.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")
    temp = int(db.execute("PRAGMA temp_store").fetchone()[0])
    db.execute("PRAGMA temp_store = FILE")
    try:
        yield
    finally:
        db.execute(f"PRAGMA temp_store = {temp}")
        db.execute(f"PRAGMA cache_size = {before}")
        db.execute(f"PRAGMA wal_autocheckpoint = {every}")
        db.execute("PRAGMA wal_checkpoint(PASSIVE)")
