"""Entity pages and the consistency queue at 100,000 articles: the page of a name with about
30,000 mentions, and the queue's first page, beside a Python loop over the same spans."""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.corpus import built_once
from store import open_store
from store.entities.cooccurrence import cooccurring

OUT = Path(__file__).parent / "out"
PAGE_TARGET_S = 0.5
QUEUE_TARGET_S = 1.0
WANT_MENTIONS = 30_000
RUNS = 5


def _ensure_db(n: int) -> Path:
    """Build the corpus once (in a child process), then give it dates and some contradictions."""
    path = OUT / f"entities-base-{n}.db"
    built_once(path, n)
    store = open_store(path)
    try:
        if store.db.execute("SELECT COUNT(*) FROM articles WHERE date IS NULL").fetchone()[0]:
            print("dating the articles over a year and adding contradictions (once) ...")
            with store.unit() as tx:
                # a year of news, and a few decisions that disagree with each other
                tx.execute(
                    "UPDATE articles SET date = date('2024-01-01', '+' || (id % 366) || ' days')"
                )
                tx.execute("UPDATE spans SET status = 'accepted' WHERE id % 89 = 0")
                tx.execute("UPDATE spans SET status = 'rejected' WHERE id % 97 = 0")
                tx.execute("UPDATE spans SET label = 'ORG' WHERE label = 'GPE' AND id % 53 = 0")
        if not store.db.execute("SELECT 1 FROM spans WHERE label = 'LOC' LIMIT 1").fetchone():
            print("nesting a LOC span in the first ORG of every 50th article (once) ...")
            with store.unit() as tx:
                # the first word of an organisation as a place of its own: overlapping spans
                tx.execute(
                    'INSERT INTO spans (article_id, start, "end", label, source, status, text,'
                    " created_at, updated_at) SELECT article_id, start,"
                    " start + instr(text, ' ') - 1, 'LOC', 'bench', 'suggested',"
                    " substr(text, 1, instr(text, ' ') - 1), created_at, updated_at"
                    " FROM spans WHERE id IN (SELECT MIN(id) FROM spans WHERE label = 'ORG'"
                    " AND article_id % 50 = 0 AND instr(text, ' ') > 1 GROUP BY article_id)"
                )
    finally:
        store.close()
    return path


def _time(fn: Callable[[], Any], runs: int = RUNS) -> tuple[float, float, Any]:
    """(first run, median of the others, the result) in seconds."""
    t = time.perf_counter()
    result = fn()
    first = time.perf_counter() - t
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return first, statistics.median(times), result


def _python_loop(db: Any, name: str) -> tuple[Counter[str], list[tuple[Any, ...]]]:
    """The reference: every span of the name into Python, counted and sorted there."""
    rows = db.execute(
        "SELECT s.label, s.status, s.article_id, COALESCE(a.date, a.imported_at), s.start"
        " FROM spans s JOIN articles a ON a.id = s.article_id WHERE s.text = ?",
        (name,),
    ).fetchall()
    labels: Counter[str] = Counter(r[0] for r in rows if r[1] != "rejected")
    rows.sort(key=lambda r: (r[3], r[2]), reverse=True)
    return labels, rows[:50]


def _python_cooccurrence(db: Any, name: str) -> list[tuple[str, int]]:
    """The reference: every span of the name's articles into Python, one set per article."""
    shared: Counter[str] = Counter()
    seen: set[str] = set()
    last = None
    for article, text in db.execute(
        "SELECT o.article_id, o.text FROM spans o WHERE o.status != 'rejected' AND o.article_id"
        " IN (SELECT article_id FROM spans WHERE text = ? AND status != 'rejected')"
        " ORDER BY o.article_id",
        (name,),
    ):
        if article != last:
            shared.update(seen - {name})
            seen, last = set(), article
        seen.add(text)
    shared.update(seen - {name})
    return shared.most_common(10)


def _python_queue(db: Any) -> int:
    """The reference: every non-rejected span's (text, label) into Python, grouped there."""
    seen: dict[str, set[str]] = {}
    for text, label in db.execute("SELECT text, label FROM spans WHERE status != 'rejected'"):
        seen.setdefault(text, set()).add(label)
    return sum(1 for labels in seen.values() if len(labels) > 1)


def run(quick: bool) -> None:
    """Print the entity page and queue timings beside their targets and the Python loop."""
    n = 3_000 if quick else 100_000
    print(f"load average at the start: {os.getloadavg()[0]:.2f}")
    path = _ensure_db(n)
    store = open_store(path, read_only=True)
    db = store.db
    spans = db.execute("SELECT COUNT(*) FROM spans").fetchone()[0]
    want = WANT_MENTIONS if not quick else 1_000
    name, mentions = db.execute(
        "SELECT surface, SUM(mentions) AS n FROM entities GROUP BY surface"
        " ORDER BY abs(SUM(mentions) - ?) LIMIT 1",
        (want,),
    ).fetchone()
    print(
        f"corpus: {store.article_count():,} articles, {spans:,} spans;"
        f" entity {name!r} with {mentions:,} mentions"
    )
    first, median, page = _time(lambda: store.entity_page(name, limit=50, extras=False))
    ref_first, ref, _ = _time(lambda: _python_loop(db, name), runs=2)
    print(
        f"entity page, first frame (names, label and status counts, 50 mentions): first"
        f" {first:.3f} s, median {median:.3f} s; target < {PAGE_TARGET_S} s"
        f" ({median / PAGE_TARGET_S:.2f}× the target); a Python loop over its {mentions:,} spans"
        f" (counts and first page only): {ref:.3f} s ({median / ref:.2f}× it)"
    )
    whole = _time(lambda: store.entity_page(name, limit=50), runs=1)[1]
    near = _time(lambda: cooccurring(db, (name,)), runs=1)[1]
    near_ref = _time(lambda: _python_cooccurrence(db, name), runs=1)[1]
    print(
        f"   co-occurrence over all its articles (after the first frame, in a worker):"
        f" {near:.3f} s; the same grouping in Python: {near_ref:.3f} s ({near / near_ref:.2f}×"
        f" it); the whole page at once: {whole:.3f} s"
    )
    parts = {
        "co-occ.+timeline": lambda: store.entity_page_extras((name,), 10),
        "mentions page": lambda: store.entity_page_mentions((name,), limit=50),
        "count": lambda: store.count_entity_mentions((name,)),
        "timeline": lambda: store.entity_timeline((name,)),
        "label counts": lambda: store.entity_page(name, limit=0, extras=False),
    }
    for part, fn in parts.items():
        _f, med, _r = _time(fn, runs=1 if part.startswith("co-occ") else 3)
        print(f"   {part:<16} median {med:.3f} s")
    print(f"   page: {page.total:,} mentions")
    first, median, items = _time(lambda: store.check(50))
    ref_first, ref, conflicts = _time(lambda: _python_queue(db), runs=1)
    print(
        f"consistency queue, first page ({len(items)} items): first {first:.3f} s, median"
        f" {median:.3f} s; target < {QUEUE_TARGET_S} s ({median / QUEUE_TARGET_S:.2f}× the"
        f" target); grouping every span in Python ({conflicts:,} names with several labels):"
        f" {ref:.3f} s ({median / ref:.2f}× it)"
    )
    store.close()
    _overlaps(path, ref)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


def _overlaps(path: Path, ref: float) -> None:
    """The overlap kind: the one full pass over the index, then the cached queue after edits."""
    from store.entities import overlaps

    store = open_store(path)  # the cache is written: read-write
    try:
        with store.unit() as tx:  # forget the cache: time the full pass
            tx.execute("DELETE FROM overlap_mark")
        t = time.perf_counter()
        store.refresh_overlaps()
        full = time.perf_counter() - t
        page = lambda: store.check(50, ("overlap",))  # noqa: E731
        first, median, items = _time(page)
        n = items[0].weight if items else 0
        print(
            f"overlaps: the full pass over spans_article (once, or after > {overlaps.FULL:,}"
            f" changed articles): {full:.3f} s ({full / ref:.2f}× the Python grouping);"
            f" first page of the kind ({len(items)} items, the first {n:,} overlaps):"
            f" first {first:.3f} s, median {median:.3f} s ({median / QUEUE_TARGET_S:.2f}× the"
            " target)"
        )
        # a few edits (a reject, its undo, a raw write), then the page again: only those
        # articles are read again
        inner = store.db.execute(
            "SELECT id FROM spans WHERE label = 'LOC' AND status != 'rejected' LIMIT 1"
        ).fetchone()[0]
        store.reject(inner)
        store.undo()
        store.reject(inner)
        t = time.perf_counter()
        store.refresh_overlaps()
        items = store.check(50, ("overlap",))
        after = time.perf_counter() - t
        print(
            f"   after 3 edits: refresh + first page {after:.3f} s"
            f" ({after / QUEUE_TARGET_S:.2f}× the target)"
        )
        store.undo()
    finally:
        store.close()
