"""The propagation benchmark's database: bench.corpus articles with a few surfaces planted."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from bench.corpus import article
from store import ArticleDraft, SpanDraft, open_store
from store.models import content_hash, now

MODEL = "model:synthetic@1"
SENTENCES = 20  # about 46 spans an article: 100,000 articles hold about 4.6 M spans
EVERY = 11  # one article in 11 is about Labour: about 9,100 of 100,000
# (text, [(start, end, label) of model suggestions]): "Labour" tagged ORG, PERSON, inside
# "Labour Party" (an overlap: skipped, or replaced with --replace) and untagged
LABOUR = (
    "Labour said on Monday that Labour would not back the Labour Party plan; Labour agreed.",
    [(0, 6, "ORG"), (27, 33, "PERSON"), (53, 65, "ORG")],
)
MORE_LABOUR = (" Labour won.", [])
# every article: "Reuters" three times, tagged once (a 300,000-mention surface at 100,000)
REUTERS = ("Reuters reported it, Reuters said, citing Reuters.", [(0, 7, "ORG")])


def _plant(draft: ArticleDraft, seed: int) -> ArticleDraft:
    text, spans = draft.text, list(draft.spans)
    parts = [REUTERS]
    if seed % EVERY == 0:
        parts.append(LABOUR)
        if seed % 2 == 0:
            parts.append(MORE_LABOUR)
    for piece, found in parts:
        text += "\n" if piece[0] != " " else ""
        base = len(text)
        text += piece
        spans += [SpanDraft(base + s, base + e, lab, MODEL, "suggested") for s, e, lab in found]
    return replace(draft, text=text, spans=tuple(spans))


def drafts(n: int, start: int = 0) -> Iterator[ArticleDraft]:
    """Yield n deterministic articles with the planted surfaces."""
    for seed in range(start, start + n):
        yield _plant(article(seed, SENTENCES), seed)


def _bulk(path: Path, n: int, batch: int) -> int:
    """Write n articles and their spans with the derived tables filled once at the end.

    The triggers that keep entity counts and the search index are dropped for the load and
    made again after it (what they maintain is then computed in one statement each): a
    100,000-article database in a few minutes, not an hour on a loaded machine.
    """
    store = open_store(path)  # created and migrated as margin makes it
    store.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('spans', 'articles')"
    ).fetchall()
    for name, _sql in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    stamp = now()
    spans = 0
    for first in range(0, n, batch):
        arts, rows = [], []
        for i, d in enumerate(drafts(min(batch, n - first), first), start=first + 1):
            arts.append((i, d.title, d.text, d.source, content_hash(d.text), stamp, len(d.text)))
            rows += [
                (i, s.start, s.end, s.label, s.source, s.status, d.text[s.start : s.end], stamp)
                for s in d.spans
            ]
        conn.executemany(
            "INSERT INTO articles (id, title, text, source, content_hash, imported_at, length)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            arts,
        )
        conn.executemany(
            'INSERT INTO spans (article_id, start, "end", label, source, status, text,'
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?8)",
            rows,
        )
        spans += len(rows)
    conn.execute(
        "UPDATE articles SET entity_count = (SELECT COUNT(*) FROM spans"
        " WHERE article_id = articles.id AND status != 'rejected')"
    )
    conn.execute(
        "INSERT INTO entities (surface, label, mentions, articles) SELECT text, label, COUNT(*),"
        " COUNT(DISTINCT article_id) FROM spans WHERE status != 'rejected' GROUP BY text, label"
    )
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
    for _name, sql in triggers:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return spans


def build(path: Path, n: int, batch: int = 2000) -> dict[str, object]:
    """Build (or reuse) the database at path with n articles; return its figures."""
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        return dict(json.loads(meta.read_text()), cached=True)
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), meta):
        p.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    spans = _bulk(path, n, batch)
    figures = {"articles": n, "spans": spans, "seconds": round(time.perf_counter() - t, 1)}
    meta.write_text(json.dumps(figures))
    return dict(figures, cached=False)
