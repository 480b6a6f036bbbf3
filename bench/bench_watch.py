"""The library filtered by a watch-list at 100,000 articles: its first page (count and rows)
over an entity with about 30,000 mentions, beside the unfiltered first page and a Python list
of every matching id, measured in the same run."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.corpus import built_once
from store import open_store
from store.entities.watch import condition

OUT = Path(__file__).parent / "out"
FIRST_PAGE_TARGET_S = 1.0
WANT_MENTIONS = 30_000
ROUNDS = 5
PAGE = 100  # the library's page (tui.widgets.article_list.PAGE)


def _ensure_db(n: int) -> Path:
    """Build the corpus once (in a child process) and date it over a year."""
    path = OUT / f"watch-{n}.db"
    built_once(path, n)
    store = open_store(path)
    try:
        if store.db.execute("SELECT COUNT(*) FROM articles WHERE date IS NULL").fetchone()[0]:
            with store.unit() as tx:
                tx.execute(
                    "UPDATE articles SET date = date('2024-01-01', '+' || (id % 366) || ' days')"
                )
                tx.execute("UPDATE articles SET read = 1 WHERE id % 3 = 0")
    finally:
        store.close()
    return path


def _best(variants: dict[str, Callable[[], Any]], rounds: int = ROUNDS) -> dict[str, float]:
    """The best time of each variant over rounds, the variants interleaved in every round."""
    best = {name: float("inf") for name in variants}
    for _ in range(rounds):
        for name, fn in variants.items():
            t = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t)
    return best


def _watch_near(store: Any, mentions: int) -> tuple[str, str, int]:
    """A watch-list (made once) over the place or organisation nearest that many mentions."""
    label, name, got = store.db.execute(
        "SELECT label, surface, mentions FROM entities WHERE label IN ('GPE', 'ORG')"
        " ORDER BY abs(mentions - ?) LIMIT 1",
        (mentions,),
    ).fetchone()
    query = f"label:{label} {name}"
    found = [w for w in store.watches() if w.query == query]
    return str(found[0].id if found else store.add_watch(query)), query, int(got)


def run(quick: bool) -> None:
    """Print the filtered first page beside its target and two references, with the load."""
    n = 3_000 if quick else 100_000
    path = _ensure_db(n)
    want = 1_000 if quick else WANT_MENTIONS
    with open_store(path) as store:
        lists = {"dense": _watch_near(store, want), "sparse": _watch_near(store, want // 100)}
    store = open_store(path, read_only=True)
    db = store.db
    print(f"corpus: {store.article_count():,} articles")
    for kind, (wid, query, mentions) in lists.items():
        w = store.find_watch(wid)
        print(
            f"   {kind} watch-list {query!r}: {mentions:,} mentions,"
            f" {w.articles:,} articles, {w.unread:,} unread"
        )
    dense = lists["dense"][0]
    cond, params = condition(db, dense)

    def python_ids() -> list[Any]:
        """The reference: every matching id into Python, then the page by an IN over them."""
        ids = [r[0] for r in db.execute(f"SELECT a.id FROM articles a WHERE {cond}", params)]
        marks = ", ".join("?" * len(ids))
        total = db.execute(f"SELECT COUNT(*) FROM articles WHERE id IN ({marks})", ids)
        rows = db.execute(
            f"SELECT id, title FROM articles WHERE id IN ({marks})"
            " ORDER BY imported_at DESC, id DESC LIMIT ?",
            [*ids, PAGE],
        )
        return [total.fetchone(), rows.fetchall()]

    def first_page(
        wid: str, state: str = "all", sort: str = "newest", **kw: Any
    ) -> Callable[[], Any]:
        def go() -> Any:  # what the library's count() reads: the count and the first page
            total = store.count_in_state(state, watch=wid, **kw)
            return total, store.articles_in_state(state, limit=PAGE, sort=sort, watch=wid, **kw)

        return go

    june = {"since": "2024-06-01", "until": "2024-06-30"}
    variants: dict[str, Callable[[], Any]] = {
        "unfiltered first page": lambda: (
            store.article_count(),
            store.articles_in_state("all", limit=PAGE),
        ),
        "a Python list of its ids": python_ids,
    }
    for kind, (wid, _query, _mentions) in lists.items():
        variants |= {
            f"{kind}: newest": first_page(wid),
            f"{kind}: by date": first_page(wid, sort="date"),
            f"{kind}: unread, by date": first_page(wid, "unread", "date"),
            f"{kind}: unread, June": first_page(wid, "unread", "date", **june),
            f"{kind}: n (next unread)": lambda wid=wid: store.next_in_state(
                None, "unread", "date", 1, watch=wid
            ),
        }
    variants["both counted (W screen)"] = store.watches
    load = os.getloadavg()
    best = _best(variants, rounds=2 if quick else ROUNDS)
    after = os.getloadavg()
    base = best["unfiltered first page"]
    ref = best["a Python list of its ids"]
    print(
        f"load average {load[0]:.1f} before, {after[0]:.1f} after (2 cores, shared);"
        f" best of {2 if quick else ROUNDS} interleaved rounds; a first page is the count and"
        f" {PAGE} rows; the Python id list is the dense list's"
    )
    for what, t in best.items():
        print(
            f"   {what:<26} {t:.3f} s  target < {FIRST_PAGE_TARGET_S} s"
            f" ({t / FIRST_PAGE_TARGET_S:.2f}× the target; {t / base:.0f}× the unfiltered page,"
            f" {t / ref:.2f}× the Python id list)"
        )
    store.close()
