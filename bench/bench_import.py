"""Import benchmark: articles per second without extraction, through import_paths."""

from __future__ import annotations

import json
import os
import tempfile
import time

from bench.corpus import articles
from store import open_store
from store.importer import import_paths


def run(quick: bool) -> None:
    """Print import rates: a JSONL file, a folder of .txt files, and articles with spans."""
    n = 2_000 if quick else 20_000
    files = 200 if quick else 2_000
    drafts = list(articles(n))
    with tempfile.TemporaryDirectory() as folder:
        jsonl = os.path.join(folder, "articles.jsonl")
        with open(jsonl, "w", encoding="utf-8") as fh:
            for a in drafts:
                rec = {"text": a.text, "title": a.title, "source": a.source}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        size = os.path.getsize(jsonl) / 1e6

        store = open_store(os.path.join(folder, "jsonl.db"))
        t = time.perf_counter()
        summary = import_paths(store, [jsonl])
        dt = time.perf_counter() - t
        assert len(summary.created) == n, summary.errors
        print(
            f"   JSONL, {n:,} articles ({size:.1f} MB)     {n / dt:8,.0f} articles/s"
            "  (target: thousands/s)"
        )
        t = time.perf_counter()
        again = import_paths(store, [jsonl])
        dt = time.perf_counter() - t
        print(f"   same file again (all present)      {len(again.existing) / dt:8,.0f} articles/s")
        store.close()

        txt_dir = os.path.join(folder, "txt")
        os.mkdir(txt_dir)
        for i, a in enumerate(drafts[:files]):
            with open(os.path.join(txt_dir, f"{i:05d}.txt"), "w", encoding="utf-8") as fh:
                fh.write(a.text)
        store = open_store(os.path.join(folder, "txt.db"))
        t = time.perf_counter()
        summary = import_paths(store, [txt_dir])
        dt = time.perf_counter() - t
        assert len(summary.created) == files, summary.errors
        print(f"   folder of {files:,} .txt files          {files / dt:8,.0f} articles/s")
        store.close()

        m = n // 4
        spans = sum(len(a.spans) for a in drafts[:m]) / m
        store = open_store(os.path.join(folder, "spans.db"))
        t = time.perf_counter()
        for i in range(0, m, 500):
            store.add_articles(drafts[i : i + 500])
        dt = time.perf_counter() - t
        print(
            f"   Store.add_articles, {spans:.0f} spans each   {m / dt:8,.0f} articles/s"
            f"  ({m * spans / dt:,.0f} spans/s)"
        )
        store.close()
