"""Migration 9: who made each change (journal.annotator) and other annotators' merged decisions."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    """Add journal.annotator (old rows NULL), indexes for the queue, and the tables `margin merge` fills.

    ``annotator_spans`` holds another annotator's entities on an article of this file (matched
    by content hash), ``annotator_articles`` which articles that annotator reviewed; neither is
    ever read as this file's own decisions.
    """
    db.execute("ALTER TABLE journal ADD COLUMN annotator TEXT")
    # the review queue (N in the reader, the library's filters) seeks instead of scanning
    articles = db.table("articles")
    articles.create_index(["reviewed", "imported_at", "id"], index_name="articles_review_queue")
    articles.create_index(["read", "imported_at", "id"], index_name="articles_read_queue")
    db.table("annotator_articles").create(
        {
            "annotator": str,
            "article_id": int,
            "reviewed": int,
            "source_file": str,
            "merged_at": str,
        },
        pk=("annotator", "article_id"),
        not_null={"annotator", "article_id", "reviewed", "merged_at"},
        defaults={"reviewed": 0, "source_file": ""},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("annotator_spans").create(
        {
            "id": int,
            "annotator": str,
            "article_id": int,
            "start": int,
            "end": int,
            "label": str,
            "text": str,
        },
        pk="id",
        not_null={"annotator", "article_id", "start", "end", "label", "text"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("annotator_spans").create_index(["annotator", "article_id", "start"])
