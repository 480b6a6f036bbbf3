"""Migration 7: trained models, the model in use, and the suggestions a re-extraction replaced."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    """Add ``models`` (one row per training), ``settings`` and ``prior_suggestions``."""
    db.table("models").create(
        {
            "id": int,
            "name": str,  # the folder under models/ in the user data folder
            "tag": str,  # tells two trainings of one name apart (in the span source)
            "source": str,  # model:NAME@TAG, what its suggestions carry
            "path": str,
            "base": str,  # the pipeline it was fine-tuned from
            "base_source": str,  # the base's own span source (model:en_...@3.8.0)
            "labels": str,  # JSON list
            "articles": int,  # reviewed articles trained on
            "spans": int,  # their spans
            "dev_articles": int,
            "rehearsal": int,  # unreviewed articles with the base model's suggestions mixed in
            "epochs": int,
            "seconds": float,
            "scores": str,  # JSON: {"total": {p, r, f}, "labels": {LABEL: {p, r, f}}}
            "base_scores": str,  # the base model's on the same dev articles
            "journal_position": int,  # MAX(journal.id) when the training read the corrections
            "trained_at": str,
        },
        pk="id",
        not_null={"name", "tag", "source", "path", "base", "trained_at"},
    )
    db.table("models").create_index(["name"])
    db.table("models").create_index(["source"], unique=True)
    db.table("settings").create({"key": str, "value": str}, pk="key", if_not_exists=True)
    # what `extract` replaced: the untouched suggestions an article had before its re-run
    db.table("prior_suggestions").create(
        {
            "id": int,
            "article_id": int,
            "start": int,
            "end": int,
            "label": str,
            "text": str,
            "source": str,
            "replaced_by": str,  # the source of the extraction that replaced them
            "at": str,
        },
        pk="id",
        not_null={"article_id", "start", "end", "label", "source"},
    )
    db.table("prior_suggestions").create_index(["article_id"])
