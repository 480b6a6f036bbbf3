"""The review workflow at scale: queue keys, filters, progress and history on a big corpus; merge and agreement rates."""

from __future__ import annotations

import multiprocessing
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.corpus import build_database
from store import open_store

OUT = Path(__file__).parent / "out"
KEY_TARGET_S = 0.05  # a key in the reader or the library: well under a frame's worth of waiting
SENTENCES = 4


def _ensure_db(n: int) -> Path:
    """bench/out/review-N.db: n synthetic articles, every third one reviewed (built once)."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"review-{n}.db"
    store = open_store(path)
    have = store.article_count()
    store.close()
    if have < n:
        print(f"building {n:,} articles into {path} (once; cached) ...", flush=True)
        child = multiprocessing.get_context("fork").Process(
            target=build_database, args=(path, n), kwargs={"sentences": SENTENCES}
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"building {path} failed")
        store = open_store(path)
        with store.unit() as tx:  # a benchmark fixture: a third of the corpus reviewed
            tx.execute("UPDATE articles SET reviewed = 1 WHERE id % 3 = 0")
        store.close()
    return path


def _median(fn: Callable[[], Any], times: int = 30) -> float:
    fn()  # warm the page cache
    runs = []
    for _ in range(times):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def _row(what: str, seconds: float, ref: float, target: str) -> None:
    ratio = seconds / ref if ref > 0 else float("inf")
    print(f"   {what:<52} {seconds * 1000:9.2f} ms  {ratio:7.1f}x ref   target {target}")


def _queue(n: int) -> None:
    store = open_store(_ensure_db(n), read_only=True)
    try:
        middle = n // 2 + 1  # not reviewed (id % 3 != 0)
        ref = _median(lambda: store.neighbour(middle, "newest", 1))
        print(f"   {n:,} articles, {store.count_in_state('reviewed'):,} reviewed")
        _row("reference: n in the reader (next article)", ref, ref, "-")
        for what, fn in (
            ("N: next article not reviewed", lambda: store.next_in_state(middle, "unreviewed")),
            (
                "N at the end: wrap round to the first",
                lambda: store.next_in_state(1, "unreviewed", "newest", 1, wrap=True),
            ),
            ("library filter: count not reviewed", lambda: store.count_in_state("unreviewed")),
            (
                "library filter: the page at the middle",
                lambda: store.articles_in_state("unreviewed", offset=n // 3, limit=100),
            ),
            ("progress bar: reviewed / total", lambda: store.progress()),
            ("history: the newest 50 changes", lambda: store.history_entries(50)),
        ):
            _row(what, _median(fn, 10), ref, f"< {KEY_TARGET_S * 1000:.0f} ms")
    finally:
        store.close()


def _merge(n: int) -> None:
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        mine, theirs = Path(tmp) / "ana.db", Path(tmp) / "bea.db"
        build_database(mine, n, sentences=SENTENCES)
        shutil.copy(mine, theirs)
        for path, who in ((mine, "ana"), (theirs, "bea")):
            store = open_store(path)
            store.annotator = who
            with store.unit() as tx:  # both reviewed everything; bea rejected every 7th span
                tx.execute("UPDATE articles SET reviewed = 1")
                if who == "bea":
                    tx.execute("UPDATE spans SET status = 'rejected' WHERE id % 7 = 0")
            store.close()
        store = open_store(mine)
        store.annotator = "ana"
        t = time.perf_counter()
        list(store.iter_articles())
        read_all = time.perf_counter() - t
        t = time.perf_counter()
        result = store.merge_file(theirs)
        merged = time.perf_counter() - t
        t = time.perf_counter()
        report = store.agreement()
        compared = time.perf_counter() - t
        store.close()
    print(f"   {n:,} articles, {result.spans:,} of bea's entities; kappa {report.kappa:.3f}")
    _row("reference: read every article once", read_all, read_all, "-")
    _row(f"margin merge ({n / merged:,.0f} articles/s)", merged, read_all, "thousands/s")
    _row(f"margin agreement ({n / compared:,.0f} articles/s)", compared, read_all, "thousands/s")


def run(quick: bool = False) -> None:
    """Print each figure beside a reference measured in the same run, and its target."""
    _queue(2_000 if quick else 100_000)
    _merge(500 if quick else 10_000)
