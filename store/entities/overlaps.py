"""Overlapping spans (no token format holds both): found from the spans_article index alone."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlite_utils

from ..db import Unit

FULL = 5000  # articles changed since the last scan beyond which one pass over the index is cheaper


@dataclass(frozen=True)
class Part:
    """One span of an overlapping pair."""

    id: int
    article: int
    start: int
    end: int
    text: str
    label: str


# the articles where a current span starts before an earlier one (by start, end) ends: every
# article with an overlap has one such pair next to each other in that order, so one pass
# over the index with a running maximum finds them all (no sort, no join, no span row read)
_ARTICLES = (
    'SELECT DISTINCT article_id FROM (SELECT article_id, start, MAX("end") OVER (PARTITION BY'
    ' article_id ORDER BY start, "end" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach'
    " FROM spans INDEXED BY spans_article WHERE status != 'rejected') WHERE start < reach"
)

# then every overlapping pair of those few articles, each once: a starts first (on the same
# start, the longer; on the same boundaries, the older)
_PAIRS = (
    'SELECT a.id, a.article_id, a.start, a."end", a.text, a.label,'
    ' b.id, b.start, b."end", b.text, b.label FROM json_each(?) AS c'
    " CROSS JOIN spans a INDEXED BY spans_article ON a.article_id = c.value"
    " CROSS JOIN spans b INDEXED BY spans_article ON b.article_id = a.article_id"
    '  AND b.start >= a.start AND b.start < a."end"'
    " WHERE a.status != 'rejected' AND b.status != 'rejected' AND b.id != a.id"
    '  AND (b.start > a.start OR b."end" < a."end" OR (b."end" = a."end" AND b.id > a.id))'
)


# max span id, journal id, batch id, the undone groups (JSON), a checksum of the articles'
# counts of current spans
Mark = tuple[int, int, int, str, int]

# a weighted sum of every article's count of current spans, from the articles_entities index:
# when it is the one scanned, no article's count changed (and the per-article check is skipped)
_CHECKSUM = (
    "SELECT COALESCE(SUM(entity_count * (id % 65521 + 1)), 0) FROM articles"
    " INDEXED BY articles_entities"
)


@dataclass
class Scan:
    """What a scan found: the overlapping articles, and what to write back to the cache."""

    overlapping: set[int]
    mark: Mark
    rescanned: dict[int, tuple[int, bool]] = field(default_factory=dict)  # id: (count, overlaps)
    full: bool = False  # every article was scanned (the cache is written anew)


def _max(db: sqlite_utils.Database, table: str) -> int:
    return int(db.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0])


def _undone(db: sqlite_utils.Database) -> list[int]:
    return [
        int(r[0])
        for r in db.execute(
            "SELECT DISTINCT group_id FROM journal WHERE undoable = 1 AND state = 'undone'"
        )
    ]


def _counts(db: sqlite_utils.Database, ids: list[int]) -> dict[int, int]:
    rows = db.execute(
        "SELECT a.id, a.entity_count FROM json_each(?) AS c"
        " CROSS JOIN articles a ON a.id = c.value",
        (json.dumps(ids),),
    )
    return {int(i): int(n) for i, n in rows}


def _changed(db: sqlite_utils.Database, mark: Mark) -> set[int]:
    """The articles whose spans may have changed since the scan that left mark.

    New spans (ids past the mark), journal and batch rows past it, groups undone or redone
    since (an undo changes spans without a new row), and any article whose count of current
    spans differs from the one scanned (a write that journals nothing).
    """
    max_span, max_journal, max_batch, undone, checksum = mark
    # (the rowid range: DISTINCT alone would walk an index of every span)
    out = {
        int(r[0])
        for r in db.execute("SELECT article_id FROM spans WHERE id > ? ORDER BY id", (max_span,))
    }
    out.update(
        int(r[0])
        for r in db.execute(
            "SELECT DISTINCT article_id FROM journal WHERE id > ? AND article_id IS NOT NULL",
            (max_journal,),
        )
    )
    out.update(
        int(r[0])
        for r in db.execute(
            "SELECT DISTINCT article_id FROM journal_batch WHERE id > ?", (max_batch,)
        )
    )
    flipped = sorted(set(json.loads(undone)) ^ set(_undone(db)))
    if flipped:
        groups = json.dumps(flipped)
        for table in ("journal", "journal_batch"):
            out.update(
                int(r[0])
                for r in db.execute(
                    f"SELECT DISTINCT t.article_id FROM json_each(?) AS g CROSS JOIN {table} t"
                    " ON t.group_id = g.value WHERE t.article_id IS NOT NULL",
                    (groups,),
                )
            )
    if int(db.execute(_CHECKSUM).fetchone()[0]) != _expected(db, checksum, out):
        out.update(
            int(r[0])
            for r in db.execute(
                "SELECT a.id FROM articles a INDEXED BY articles_entities"
                " LEFT JOIN overlap_scan o ON o.article_id = a.id"
                " WHERE o.entity_count IS NOT a.entity_count"
            )
        )
    return out


def _expected(db: sqlite_utils.Database, checksum: int, changed: set[int]) -> int:
    """The checksum if only the articles the journal and new spans name changed their counts."""
    if not changed or len(changed) > FULL:
        return checksum
    ids = json.dumps(sorted(changed))
    old = dict(
        db.execute(
            "SELECT o.article_id, o.entity_count FROM json_each(?) AS c"
            " CROSS JOIN overlap_scan o ON o.article_id = c.value",
            (ids,),
        ).fetchall()
    )
    new = _counts(db, sorted(changed))
    return checksum + sum((new.get(i, 0) - int(old.get(i, 0))) * (i % 65521 + 1) for i in changed)


def _mark(db: sqlite_utils.Database) -> Mark | None:
    row = db.execute(
        "SELECT max_span, max_journal, max_batch, undone, checksum FROM overlap_mark WHERE id = 1"
    ).fetchone()
    if row is None:
        return None
    return (int(row[0]), int(row[1]), int(row[2]), str(row[3]), int(row[4]))


def scan(db: sqlite_utils.Database) -> Scan:
    """The overlapping articles now: the cache, with the articles changed since read again
    (or, with none cached or very many changed, one pass over the spans_article index)."""
    mark = (_max(db, "spans"), _max(db, "journal"), _max(db, "journal_batch"))
    now = (*mark, json.dumps(_undone(db)), int(db.execute(_CHECKSUM).fetchone()[0]))
    old = _mark(db)
    changed = None if old is None else _changed(db, old)
    if changed is None or len(changed) > FULL:
        return Scan({int(r[0]) for r in db.execute(_ARTICLES)}, now, full=True)
    cached = {
        int(r[0]) for r in db.execute("SELECT article_id FROM overlap_scan WHERE overlapping")
    }
    ids = sorted(changed)
    found = {p[0].article for p in _pairs(db, ids)}
    counts = _counts(db, ids)
    rescanned = {i: (counts[i], i in found) for i in ids if i in counts}
    return Scan((cached - changed) | found, now, rescanned)


def save(tx: Unit, found: Scan) -> None:
    """Write a scan back to the cache, so that the next one reads only what changed."""
    if found.full:
        tx.execute("DELETE FROM overlap_scan")
        tx.execute(
            "INSERT INTO overlap_scan (article_id, entity_count, overlapping)"
            " SELECT id, entity_count, 0 FROM articles INDEXED BY articles_entities"
        )
        tx.execute(
            "UPDATE overlap_scan SET overlapping = 1 WHERE article_id IN"
            " (SELECT value FROM json_each(?))",
            (json.dumps(sorted(found.overlapping)),),
        )
    else:
        tx.conn.executemany(
            "INSERT OR REPLACE INTO overlap_scan (article_id, entity_count, overlapping)"
            " VALUES (?, ?, ?)",
            [(i, n, int(o)) for i, (n, o) in found.rescanned.items()],
        )
    tx.execute(
        "INSERT OR REPLACE INTO overlap_mark"
        " (id, max_span, max_journal, max_batch, undone, checksum) VALUES (1, ?, ?, ?, ?, ?)",
        found.mark,
    )


def refresh(tx: Unit) -> int:
    """Bring the cache up to date (no undo step: it is derived); return the overlapping articles."""
    found = scan(tx.db)
    save(tx, found)
    return len(found.overlapping)


def articles(db: sqlite_utils.Database) -> list[int]:
    """The articles that hold two current spans that overlap."""
    return sorted(scan(db).overlapping)


def pairs(db: sqlite_utils.Database, among: list[int] | None = None) -> list[tuple[Part, Part]]:
    """Every pair of current spans that overlap, as (longer, shorter), in article order.

    among: only these articles (default: those ``articles`` finds).
    """
    return _pairs(db, articles(db) if among is None else among)


def _pairs(db: sqlite_utils.Database, ids: list[int]) -> list[tuple[Part, Part]]:
    if not ids:
        return []
    out = []
    for r in db.execute(_PAIRS, (json.dumps(ids),)):
        a = Part(int(r[0]), int(r[1]), int(r[2]), int(r[3]), str(r[4]), str(r[5]))
        b = Part(int(r[6]), int(r[1]), int(r[7]), int(r[8]), str(r[9]), str(r[10]))
        longer_b = (b.end - b.start) > (a.end - a.start)
        out.append((b, a) if longer_b else (a, b))
    out.sort(key=lambda p: (p[0].article, p[0].start, p[1].start))
    return out
