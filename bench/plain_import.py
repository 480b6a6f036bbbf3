"""The reference for the bulk-import benchmark: a plain sqlite-utils script loading a doccano or
Prodigy JSONL.

What a person would write without margin: ``insert_all`` of articles and spans in batches, an
index on spans, a full-text index on articles. ``python bench/plain_import.py FILE.jsonl DB``
(``--margin-indexes``: with margin's four other indexes on spans too, to show what they cost).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import sqlite_utils

BATCH = 1000


def _records(path: str) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


# margin's indexes on spans (migrations 1 and 2), for the second reference: what they cost alone
MARGIN_INDEXES = """
CREATE INDEX spans_label_status ON spans(label, status);
CREATE INDEX spans_entity ON spans(text, label, article_id, status);
CREATE INDEX spans_decided ON spans(status, text, label) WHERE status != 'suggested';
CREATE INDEX spans_user ON spans(text, label) WHERE source = 'user';
"""


def load(path: str, db_path: str, margin_indexes: bool = False) -> tuple[int, int]:
    """Load the file into a new database at db_path; return (articles, spans).

    ``margin_indexes``: spans also get margin's columns and indexes, kept up to date while
    loading, as margin does."""
    db = sqlite_utils.Database(db_path)
    db.conn.execute("PRAGMA journal_mode = WAL")
    db.conn.execute("PRAGMA synchronous = NORMAL")
    articles = db.table("articles")
    spans = db.table("spans")
    articles.create({"id": int, "title": str, "text": str}, pk="id", if_not_exists=True)
    columns = {"id": int, "article_id": int, "start": int, "end": int, "label": str, "text": str}
    if margin_indexes:
        columns.update({"status": str, "source": str})
    spans.create(
        columns,
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )
    if margin_indexes:
        spans.create_index(["article_id", "start"], if_not_exists=True)
        db.executescript(MARGIN_INDEXES)
    n_articles = n_spans = 0
    batch: list[dict[str, Any]] = []
    span_rows: list[dict[str, Any]] = []

    def flush() -> None:
        with db.conn:
            articles.insert_all(batch, batch_size=BATCH)
            spans.insert_all(span_rows, batch_size=BATCH)
        batch.clear()
        span_rows.clear()

    for rec in _records(path):
        n_articles += 1
        text = rec["text"]
        title = rec.get("title") or rec.get("meta", {}).get("title") or text[:80]
        batch.append({"id": n_articles, "title": title, "text": text})
        found = [(s["start"], s["end"], s["label"]) for s in rec.get("spans", ())]  # Prodigy
        for start, end, label in rec.get("label", found):  # doccano
            n_spans += 1
            row = {
                "article_id": n_articles,
                "start": start,
                "end": end,
                "label": label,
                "text": text[start:end],
            }
            if margin_indexes:
                row.update({"status": "accepted", "source": "import"})
            span_rows.append(row)
        if len(batch) >= BATCH:
            flush()
    flush()
    spans.create_index(["article_id", "start"], if_not_exists=True)
    articles.enable_fts(["title", "text"], tokenize="unicode61 remove_diacritics 2")
    db.conn.close()
    return n_articles, n_spans


if __name__ == "__main__":
    print(*load(sys.argv[1], sys.argv[2], "--margin-indexes" in sys.argv[3:]))
