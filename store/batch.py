"""Batches: many span changes written, undone and redone set-based, recorded in journal_batch.

A batch belongs to one journal group. Each span it changes is one ``journal_batch`` row (its
old and new status, or the whole span when the batch made it), written with INSERT ... SELECT
beside the one UPDATE or INSERT ... SELECT that changes the spans. Undo and redo replay
those rows with one statement per kind of change, over a range of row ids at a time, so a
big batch can be reverted in chunks that each hold the write lock briefly (about 0.4 s).
While a batch writes, its WAL checkpoints are a thread's (:class:`Checkpoints`), not its
commits'.

Its multi-row UPDATEs are ``OR FAIL``: SQLite then keeps no statement journal for them (a copy
of every page the statement changes, 76 MB for 18,000 spans, so that a constraint failing half
way could undo the statement alone); any error rolls the whole unit back instead.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import sqlite_utils

from .db import Unit
from .labels import ensure_label
from .models import USER_SOURCE, now
from .rows import marks

TARGETS = "temp.margin_batch_targets"
PLACES = "temp.margin_batch_places"
_STATUS_ROW = (
    "INSERT INTO journal_batch (group_id, span_id, inserted, old_status, old_updated_at,"
    " new_status, new_updated_at, article_id)"
    " SELECT ?, s.id, 0, s.status, s.updated_at, t.status, ?, s.article_id"
    f" FROM {TARGETS} t CROSS JOIN spans s ON s.id = t.span_id WHERE s.status != t.status"
    " ORDER BY t.span_id"  # (the order t is read in: no sort)
)


def set_statuses(
    tx: Unit,
    group: int,
    targets: dict[int, str],
    stamp: str,
    touched: Touched | None = None,
) -> int:
    """Give spans new statuses ({span id: status}) in one UPDATE, journalled; return how many.

    touched, when given (inside :func:`entity_counts`), gets the (surface, label) of every
    span changed and the change of each article's count.
    """
    if not targets:
        return 0
    tx.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {TARGETS.split('.')[1]}"
        " (span_id INTEGER PRIMARY KEY, status TEXT NOT NULL)"
    )
    tx.execute(f"DELETE FROM {TARGETS}")
    tx.conn.executemany(f"INSERT INTO {TARGETS} VALUES (?, ?)", targets.items())
    before = int(tx.one("SELECT COALESCE(MAX(id), 0) FROM journal_batch"))
    cur = tx.execute(_STATUS_ROW, (group, stamp))
    changed = cur.rowcount
    if touched is not None:
        touched.pairs.update(
            (r[0], r[1])
            for r in tx.execute(
                f"SELECT DISTINCT s.text, s.label FROM {TARGETS} t CROSS JOIN spans s"
                " ON s.id = t.span_id"
            )
        )
        # the batch rows just written say each span's old and new status
        _count(
            tx,
            "SELECT article_id, SUM((new_status != 'rejected') - (old_status != 'rejected'))"
            " FROM journal_batch WHERE id > ? GROUP BY article_id",
            (before,),
        )
    # (not UPDATE ... FROM: SQLite would scan every span and look each up in the targets)
    tx.execute(
        f"UPDATE OR FAIL spans SET status = (SELECT t.status FROM {TARGETS} t"
        f" WHERE t.span_id = spans.id), updated_at = ? WHERE id IN (SELECT span_id FROM {TARGETS})"
        f" AND status != (SELECT t.status FROM {TARGETS} t WHERE t.span_id = spans.id)",
        (stamp,),
    )
    tx.execute(f"DELETE FROM {TARGETS}")
    return changed


def insert_user_spans(
    tx: Unit,
    group: int,
    label: str,
    places: Sequence[tuple[int, int, int, str]],
    stamp: str,
    touched: Touched | None = None,
) -> int:
    """Insert accepted user spans ((article id, start, end, text) each) with label, journalled.

    touched, when given, gets their (surface, label) pairs and the articles' new counts.
    """
    if not places:
        return 0
    ensure_label(tx.db, label)
    if touched is not None:
        touched.pairs.update((text, label) for _a, _s, _e, text in places)
    last = int(tx.one("SELECT COALESCE(MAX(id), 0) FROM spans"))
    # into a temp table row by row, then into spans in one statement, in the same order: one
    # statement's overhead (and one sqlite_sequence update) instead of one per span
    tx.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {PLACES.split('.')[1]} (n INTEGER PRIMARY KEY,"
        ' article_id INTEGER, start INTEGER, "end" INTEGER, text TEXT)'
    )
    tx.execute(f"DELETE FROM {PLACES}")
    tx.conn.executemany(
        f'INSERT INTO {PLACES} (article_id, start, "end", text) VALUES (?, ?, ?, ?)', places
    )
    tx.execute(
        'INSERT INTO spans (article_id, start, "end", label, source, status, text, created_at,'
        f" updated_at) SELECT article_id, start, \"end\", ?, ?, 'accepted', text, ?, ? FROM {PLACES}"
        " ORDER BY n",
        (label, USER_SOURCE, stamp, stamp),
    )
    if touched is not None:  # each one accepted: one more entity in its article
        _count(tx, f"SELECT article_id, COUNT(*) FROM {PLACES} WHERE 1 GROUP BY article_id")
    tx.execute(f"DELETE FROM {PLACES}")
    tx.execute(
        "INSERT INTO journal_batch (group_id, span_id, inserted, new_status, new_updated_at,"
        ' article_id, start, "end", label, source, text, created_at)'
        ' SELECT ?, id, 1, status, updated_at, article_id, start, "end", label, source, text,'
        " created_at FROM spans WHERE id > ? ORDER BY id",
        (group, last),
    )
    return len(places)


CACHE_KB = 65_536  # page cache of a connection writing a batch (SQLite's default is 2 MB)
# ...and of one that may write a 30,000-mention propagation, or its undo, in one transaction:
# its 31,000 pages (40,000 pages; put back to what it was after the batch)
ONE_TX_CACHE_KB = 163_840


@contextmanager
def room(db: sqlite_utils.Database, kb: int = CACHE_KB) -> Iterator[None]:
    """Give the connection a page cache of kb KB for a batch's pages (fewer spills to the WAL),
    and its own size back after it (SQLite then lets go of the pages over it)."""
    was = int(db.execute("PRAGMA cache_size").fetchone()[0])
    bigger = was > -kb
    if bigger:
        db.execute(f"PRAGMA cache_size = -{kb}")
    try:
        yield
    finally:
        if bigger:
            db.execute(f"PRAGMA cache_size = {was}")


# -- the derived counts of a batch, kept once per batch, not once per span -------------------

# the triggers that keep entities (surface, label, counts) in step with each span written
ENTITY_TRIGGERS = ("spans_entity_insert", "spans_entity_delete", "spans_entity_update")
# the triggers that keep articles.entity_count (its spans that are not rejected) in step
COUNT_TRIGGERS = ("spans_count_insert", "spans_count_delete", "spans_count_update")
# what a batch changes each article's entity_count by: (article id, change), summed
DELTAS = "temp.margin_batch_deltas"


@dataclass
class Touched:
    """What a batch touched: the (surface, label) pairs of its spans (the articles' counts
    are added up in the DELTAS table)."""

    pairs: set[tuple[str, str]] = field(default_factory=set)


@contextmanager
def entity_counts(tx: Unit) -> Iterator[Touched]:
    """Write a batch with the per-span count triggers off, then set its counts once.

    Those triggers cost about four fifths of each span written (each rewrites an entities
    row and the span's article row, text and all); inside the unit they are dropped (other
    connections never see them gone: the unit commits them made again), the batch adds the
    pairs it touches to what is yielded and what it changes each article's count by to
    DELTAS (as the triggers would have, from the spans it changes), then the triggers are
    made again, those pairs' entities rows read from the spans and each article's
    entity_count moved by its change, in a few set-based statements. An error rolls the
    whole unit back, the triggers with it.
    """
    names = ENTITY_TRIGGERS + COUNT_TRIGGERS
    found = tx.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks(names)})",
        names,
    ).fetchall()
    for name, _sql in found:
        tx.execute(f"DROP TRIGGER {name}")
    tx.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {DELTAS.split('.')[1]}"
        " (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"
    )
    tx.execute(f"DELETE FROM {DELTAS}")
    touched = Touched()
    yield touched
    for _name, sql in found:
        tx.execute(sql)
    dropped = {name for name, _sql in found}
    if dropped & set(ENTITY_TRIGGERS):
        recount(tx, touched.pairs)
    if dropped & set(COUNT_TRIGGERS):
        _move_counts(tx)
    tx.execute(f"DELETE FROM {DELTAS}")


def _count(tx: Unit, select: str, params: Sequence[Any] = ()) -> None:
    """Add to DELTAS the (article id, change of its count) rows of select (WHERE, GROUP BY)."""
    tx.execute(
        f"INSERT INTO {DELTAS} (id, n) {select} ON CONFLICT (id) DO UPDATE SET n = n + excluded.n",
        params,
    )


def _move_counts(tx: Unit) -> None:
    """Move each article's entity_count by its change in DELTAS (only the rows that change)."""
    tx.execute(
        "UPDATE OR FAIL articles SET entity_count = entity_count"
        f" + (SELECT d.n FROM {DELTAS} d WHERE d.id = articles.id)"
        f" WHERE id IN (SELECT id FROM {DELTAS} WHERE n != 0)"
    )


def recount(tx: Unit, pairs: set[tuple[str, str]]) -> None:
    """Set the entities rows of these (surface, label) pairs from the current spans."""
    for surface, label in sorted(pairs):
        n, arts = tx.execute(
            "SELECT COUNT(*), COUNT(DISTINCT article_id) FROM spans"
            " WHERE text = ? AND label = ? AND status != 'rejected'",
            (surface, label),
        ).fetchone()
        if n:
            tx.execute(
                "INSERT INTO entities (surface, label, mentions, articles) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (surface, label) DO UPDATE SET mentions = excluded.mentions,"
                " articles = excluded.articles",
                (surface, label, n, arts),
            )
        else:
            tx.execute("DELETE FROM entities WHERE surface = ? AND label = ?", (surface, label))


def batch_pairs(tx: Unit, group: int, low: int, high: int) -> set[tuple[str, str]]:
    """The (surface, label) pairs of the spans of the group's batch rows low <= id <= high."""
    rows = tx.execute(
        "SELECT DISTINCT text, label FROM journal_batch WHERE group_id = ? AND id BETWEEN ? AND ?"
        " AND inserted = 1 UNION SELECT DISTINCT s.text, s.label FROM journal_batch b"
        " CROSS JOIN spans s ON s.id = b.span_id WHERE b.group_id = ? AND b.id BETWEEN ? AND ?"
        " AND b.inserted = 0",
        (group, low, high, group, low, high),
    ).fetchall()
    return {(r[0], r[1]) for r in rows}


_ROWS = "b.group_id = ? AND b.id BETWEEN ? AND ?"  # the batch rows a chunk reverts or replays


def _unchanged(spans: str) -> str:
    """The condition that a span (named spans) is as batch row b left it: when a batch cut
    short is rolled back, a span someone changed after it is left alone."""
    return f" AND {spans}.status = b.new_status AND {spans}.updated_at = b.new_updated_at"


def _touch(
    tx: Unit, touched: Touched, group: int, low: int, high: int, back: bool, same: str = ""
) -> None:
    """Add the pairs of the group's batch rows low <= id <= high to touched, and what making
    them again (or, back, reverting them) changes each article's count by: read from the spans
    as they are now, before the statements change them (same: the condition on b and s that
    the revert also puts on the spans it reverts)."""
    touched.pairs |= batch_pairs(tx, group, low, high)
    if back:  # an inserted span is deleted, a changed one gets its old status
        then = "CASE b.inserted WHEN 1 THEN 0 ELSE b.old_status != 'rejected' END"
        inner = f"CROSS JOIN spans s ON s.id = b.span_id WHERE {_ROWS}{same}"
        delta = f"{then} - (s.status != 'rejected')"
    else:  # an inserted span is made again, a changed one (still there) gets its new status
        inner = f"LEFT JOIN spans s ON s.id = b.span_id WHERE {_ROWS}"
        delta = (
            "CASE WHEN b.inserted = 1 THEN b.new_status != 'rejected' WHEN s.id IS NULL THEN 0"
            " ELSE (b.new_status != 'rejected') - (s.status != 'rejected') END"
        )
    _count(
        tx,
        f"SELECT b.article_id, SUM({delta}) FROM journal_batch b {inner} GROUP BY b.article_id",
        (group, low, high),
    )


# -- reading --------------------------------------------------------------------------------


def size(db: sqlite_utils.Database, group: int) -> int:
    """How many span changes the group's batch holds."""
    return int(
        db.execute("SELECT COUNT(*) FROM journal_batch WHERE group_id = ?", (group,)).fetchone()[0]
    )


def bounds(db: sqlite_utils.Database, group: int) -> tuple[int, int]:
    """The lowest and highest journal_batch id of the group ((0, 0) when it has none)."""
    row = db.execute(
        "SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM journal_batch WHERE group_id = ?",
        (group,),
    ).fetchone()
    return int(row[0]), int(row[1])


def articles(db: sqlite_utils.Database, group: int) -> list[int]:
    """The articles the group's batch touched."""
    rows = db.execute(
        "SELECT DISTINCT article_id FROM journal_batch WHERE group_id = ?", (group,)
    ).fetchall()
    return sorted(int(r[0]) for r in rows)


def lost(db: sqlite_utils.Database, group: int) -> int | None:
    """An article whose span the batch changed is gone from (a redo cannot be made), or None."""
    row = db.execute(
        "SELECT b.article_id FROM journal_batch b WHERE b.group_id = ? AND b.inserted = 0"
        " AND NOT EXISTS (SELECT 1 FROM spans s WHERE s.id = b.span_id) LIMIT 1",
        (group,),
    ).fetchone()
    return None if row is None else int(row[0])


# -- undo, redo and rolling back --------------------------------------------------------------


def revert(tx: Unit, group: int, low: int, high: int, *, only_unchanged: bool = False) -> None:
    """See :func:`_revert`; the entity counts of the spans are kept once, not per span."""
    with entity_counts(tx) as touched:
        _touch(tx, touched, group, low, high, True, _unchanged("s") if only_unchanged else "")
        _revert(tx, group, low, high, only_unchanged=only_unchanged)


def _revert(tx: Unit, group: int, low: int, high: int, *, only_unchanged: bool = False) -> None:
    """Put back the spans of the group's batch rows low <= id <= high as they were before.

    only_unchanged: leave a span alone that someone changed after the batch (rolling back a
    batch cut short by a crash, while other processes went on writing).
    """
    same = _unchanged("spans") if only_unchanged else ""
    tx.execute(
        "DELETE FROM spans WHERE id IN (SELECT b.span_id FROM journal_batch b JOIN spans"
        f" ON spans.id = b.span_id WHERE {_ROWS} AND b.inserted = 1{same})",
        (group, low, high),
    )
    tx.execute(
        "UPDATE OR FAIL spans SET status = b.old_status, updated_at = b.old_updated_at"
        f" FROM journal_batch b WHERE {_ROWS} AND b.inserted = 0 AND spans.id = b.span_id{same}",
        (group, low, high),
    )


def replay(tx: Unit, group: int, low: int, high: int) -> None:
    """Make the group's batch rows low <= id <= high again, as they were first made."""
    with entity_counts(tx) as touched:
        _touch(tx, touched, group, low, high, False)
        _replay(tx, group, low, high)


def _replay(tx: Unit, group: int, low: int, high: int) -> None:
    tx.execute(
        "UPDATE OR FAIL spans SET status = b.new_status, updated_at = b.new_updated_at"
        f" FROM journal_batch b WHERE {_ROWS} AND b.inserted = 0 AND spans.id = b.span_id",
        (group, low, high),
    )
    tx.execute(
        'INSERT INTO spans (id, article_id, start, "end", label, source, status, text,'
        " created_at, updated_at)"
        ' SELECT b.span_id, b.article_id, b.start, b."end", b.label, b.source, b.new_status,'
        f" b.text, b.created_at, b.new_updated_at FROM journal_batch b WHERE {_ROWS}"
        " AND b.inserted = 1 ORDER BY b.id",
        (group, low, high),
    )


def forget(tx: Unit, group: int, low: int, high: int) -> None:
    """Delete the group's batch rows low <= id <= high (a rolled-back batch)."""
    tx.execute(
        "DELETE FROM journal_batch WHERE group_id = ? AND id BETWEEN ? AND ?", (group, low, high)
    )


def ids(db: sqlite_utils.Database, group: int, after: int, before: int, limit: int) -> list[int]:
    """Up to limit batch row ids of the group with after < id < before, from the top down."""
    rows = db.execute(
        "SELECT id FROM journal_batch WHERE group_id = ? AND id > ? AND id < ?"
        " ORDER BY id DESC LIMIT ?",
        (group, after, before, limit),
    ).fetchall()
    return [int(r[0]) for r in rows]


# -- groups written in several transactions ------------------------------------------------


def open_pending(tx: Unit, group: int, op: str, cursor: int) -> None:
    """Mark the group as being written in chunks (op: 'apply', 'undo' or 'redo')."""
    tx.execute(
        "INSERT OR REPLACE INTO journal_pending (group_id, op, cursor, started_at, pid, origin)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (group, op, cursor, now(), os.getpid(), tx.origin),
    )


def move_cursor(tx: Unit, group: int, cursor: int) -> None:
    """Record how far the chunks of a pending group got."""
    tx.execute("UPDATE journal_pending SET cursor = ? WHERE group_id = ?", (cursor, group))


def close_pending(tx: Unit, group: int) -> None:
    """The group is whole: its last chunk is committing."""
    tx.execute("DELETE FROM journal_pending WHERE group_id = ?", (group,))


def pending(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every group still being written in chunks (or left so by a crash)."""
    return [dict(r) for r in db.execute("SELECT * FROM journal_pending ORDER BY group_id")]


def alive(pid: int | None) -> bool:
    """True while the process that writes a pending group runs (so it was not cut short)."""
    if pid is None:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


class Pacer:
    """Chunk sizes that keep each write transaction near a target duration."""

    def __init__(self, first: int, target: float = 0.4, least: int = 50) -> None:
        self.size = first
        self.target = target
        self.least = least

    def took(self, seconds: float, done: int) -> None:
        """A chunk of done items took seconds: size the next one for the target."""
        if done <= 0:
            return
        rate = done / max(seconds, 1e-3)
        self.size = max(self.least, min(int(rate * self.target), self.size * 4))


def pause(released: float, checkpoints: Checkpoints | None = None) -> None:
    """Let another process take the write lock between two chunks (released: when it was let go).

    SQLite's busy handler looks again every 100 ms at most, so a gap a little longer than
    that lets a waiting correction through before the next chunk begins; the last chunk's
    checkpoint runs meanwhile, and the next chunk waits for it too.
    """
    time.sleep(max(0.0, GAP - (time.perf_counter() - released)))
    if checkpoints is not None:
        checkpoints.ready()


# (0.1 s exactly let a waiting correction miss the gap now and then, its 100 ms sleep a little
# longer under load, and wait out a second chunk: 0.93 s; the checkpoint in each commit used
# to lengthen the gap by its own 0.1-0.2 s. At 0.15 s the same happened in two of eight runs
# at load 1.5-2.9 (0.93 and 1.14 s) once a chunk's planning took less than the gap, so that
# the gap was 0.15 s and no more: 0.2 s leaves the sleep 100 ms to spare)
GAP = 0.2


CHECKPOINT_THREAD = "margin-checkpoint"  # the name settle() finds the threads by


class Checkpoints:
    """The WAL checkpoints of a batch, made by a thread of their own instead of in its commits.

    SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1,000 pages:
    each chunk of a batch copied its 10,000 pages back into the database file and synced it
    (0.3 s of a 30,000-mention propagation) before the batch could go on. With this context
    the batch's connection makes none; ``committed`` (after each chunk's commit) has a thread
    copy them with a connection of its own while the batch plans and waits out its gap.
    A PASSIVE checkpoint never waits for nor blocks a reader or a
    writer, and never holds the write lock; another process's commit meanwhile finds the
    checkpoint busy and skips its own, so a correction never pays for a batch's pages.
    ``ready`` (before each chunk) waits for the thread, so that each chunk starts the WAL over
    instead of making it longer (the checkpoint overlaps the gap and the planning, never a
    chunk's own writes).
    The last checkpoint runs after the batch returns (its thread is not a daemon: a command's
    exit waits for it).
    """

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.path = _wal_file(db)
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._idle = threading.Event()  # no checkpoint under way nor asked for
        self._idle.set()
        self._begun = threading.Event()  # the thread is inside the checkpoint asked for last
        self._wanted = False  # a commit the thread has not begun to copy
        self._copying = False  # the thread is inside a checkpoint
        self._stop = False
        self._thread: threading.Thread | None = None
        self._saved: int | None = None

    def __enter__(self) -> Checkpoints:
        if self.path is not None:
            self._saved = int(self.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
            self.db.execute("PRAGMA wal_autocheckpoint = 0")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._saved is not None:
            self.db.execute(f"PRAGMA wal_autocheckpoint = {self._saved}")
            self._saved = None
            self.committed()
            with self._lock:  # the thread makes that last checkpoint, then ends
                self._stop = True
                if self._thread is not None and self.path is not None:
                    _LEFT[self._thread] = self.path
                self._wake.notify()

    def early(self) -> None:
        """Before a batch plans its first chunk: the thread copies what the WAL holds already
        (other commits; one whose checkpoint found another busy left all its pages), while the
        batch plans. The first chunk then need not wait for it: ``ready(0)`` (a chunk may go
        to the end of a WAL being copied; the chunks after it begin with it copied)."""
        self.committed()

    def committed(self) -> None:
        """A chunk committed: copy its pages into the database file, in the background.

        Returns once the thread is inside its checkpoint (a fraction of a millisecond): a
        commit another process makes right after ours then finds SQLite's checkpoint lock
        taken and skips its own automatic checkpoint, instead of copying our pages itself.
        """
        if self.path is None:
            return
        with self._lock:
            self._wanted = True
            self._idle.clear()
            running = self._copying  # holds the checkpoint lock now and goes round once more
            self._begun.clear()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, args=(self.path,), name=CHECKPOINT_THREAD
                )
                self._thread.start()
            self._wake.notify()
        if not running:
            self._begun.wait(0.05)

    def ready(self, most: float = 2.0) -> None:
        """Before a chunk: wait (up to most seconds) for the checkpoint under way to end.

        Then copy what other processes committed meanwhile (a correction in the gap: its own
        checkpoint found ours busy), so that the chunk begins with the WAL all copied and
        starts it over; otherwise each chunk would add its pages to the end of a WAL that
        grew to a gigabyte in a 300,000-mention propagation. (While the thread still copies,
        that checkpoint finds it busy and returns at once.)
        """
        self._idle.wait(most)
        if self.path is not None and not self.db.conn.in_transaction:
            self.db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _run(self, path: str) -> None:
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            while True:
                with self._lock:
                    while not self._wanted and not self._stop:
                        self._idle.set()
                        self._wake.wait()
                    if not self._wanted:
                        break
                    self._wanted = False
                    self._copying = True
                self._begun.set()
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                finally:
                    with self._lock:
                        self._copying = False
        except sqlite3.Error:  # (the file gone, say): the next commit's own checkpoint will do
            pass
        finally:
            if conn is not None:
                conn.close()
            with self._lock:
                self._thread = None
                self._wanted = False
                self._begun.set()
                self._idle.set()
            _LEFT.pop(threading.current_thread(), None)


# the threads making the last checkpoint of a batch that is over: {thread: its database file}
_LEFT: dict[threading.Thread, str] = {}


def settle(most: float = 30.0, path: str | None = None) -> float:
    """Wait for the checkpoints batches left running in this process; return seconds waited.

    For a benchmark, between two measurements: each is then timed alone, and what the
    checkpoint of the one before cost is reported beside it, not hidden in the next. With
    path, only the last checkpoints of the batches over on that file (a store closing it:
    not one of a batch still writing there or elsewhere).
    """
    started = time.perf_counter()
    if path is None:
        threads = [t for t in threading.enumerate() if t.name == CHECKPOINT_THREAD]
    else:
        mine = os.path.realpath(path)
        threads = [t for t, p in list(_LEFT.items()) if os.path.realpath(p) == mine]
    for thread in threads:
        thread.join(max(0.0, most - (time.perf_counter() - started)))
    return time.perf_counter() - started


def _wal_file(db: sqlite_utils.Database) -> str | None:
    """The file of the connection's main database when it is in WAL mode, else None."""
    if str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        return None
    for row in db.execute("PRAGMA database_list"):
        if row[1] == "main" and row[2]:
            return str(row[2])
    return None
