"""Migration 5: propagation batches in the journal, and groups still being written in chunks."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    """Add journal_batch (one row per span a batch changed), journal_pending (open groups).

    A propagation records one ``propagate`` row in ``journal`` and its spans here, so undo
    and redo revert them with one statement per kind of change. A group written in several
    transactions has a ``journal_pending`` row until its last chunk commits; on open, a
    group left pending by a crash is rolled back (apply) or finished (undo, redo).
    """
    db.table("journal_batch").create(
        {
            "id": int,
            "group_id": int,
            "span_id": int,
            "inserted": int,  # 1: the batch made this span; 0: it changed its status
            "old_status": str,  # NULL for an inserted span
            "old_updated_at": str,
            "new_status": str,
            "new_updated_at": str,
            "article_id": int,
            # an inserted span as it was made, so that a redo puts it back as it was
            "start": int,
            "end": int,
            "label": str,
            "source": str,
            "text": str,
            "created_at": str,
        },
        pk="id",
        not_null={"group_id", "span_id", "inserted", "new_status", "new_updated_at", "article_id"},
    )
    db.table("journal_batch").create_index(["group_id", "id"], index_name="journal_batch_group")
    # the overlap test of a propagation reads start, end and status of an article's spans from
    # the index alone (the table row of each span was read before: the slowest step)
    db.execute("DROP INDEX IF EXISTS spans_article")
    db.execute('CREATE INDEX spans_article ON spans(article_id, start, "end", status)')
    db.table("journal_pending").create(
        {
            "group_id": int,
            "op": str,  # 'apply', 'undo' or 'redo': what the chunks are doing
            "cursor": int,  # batch rows up to (apply, redo) / from (undo) this id are done
            "started_at": str,
            "pid": int,  # the process writing it: a group whose process is gone was cut short
            "origin": str,
        },
        pk="group_id",
        not_null={"op", "started_at"},
    )
