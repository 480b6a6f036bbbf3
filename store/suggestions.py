"""An extractor's suggestions stored: untouched ones replaced, a person's decisions kept."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlite_utils

from . import journal, spans
from .db import Unit
from .labels import ensure_labels
from .models import SpanDraft, now
from .rows import article_text


def store_extraction(
    tx: Unit,
    results: Sequence[tuple[int, Sequence[SpanDraft]]],
    source: str,
    texts: Mapping[int, str] | None = None,
) -> int:
    """Replace the untouched model suggestions of some articles; return spans written.

    A span a person accepted, rejected or added survives; a new suggestion that a person
    already rejected, or that overlaps a person's decision, is not added. ``texts``
    (article id -> text) saves reading texts the caller already has.
    """
    if not results:
        return 0
    stamp = now()
    rows: list[dict[str, Any]] = []
    entries: list[tuple[int, dict[str, Any]]] = []
    for article_id, drafts in results:
        text = texts.get(article_id) if texts is not None else None
        if text is None:
            text = article_text(tx.db, article_id)
        added, removed = _replace(tx, article_id, text, drafts, source, stamp, rows)
        entries.append((article_id, {"source": source, "added": added, "removed": removed}))
    ensure_labels(tx.db, {r["label"] for r in rows})
    spans.insert_all(tx, rows)
    journal.record_many(tx, source, "extract", entries)
    return len(rows)


def _replace(
    tx: Unit,
    article_id: int,
    text: str,
    drafts: Sequence[SpanDraft],
    source: str,
    stamp: str,
    rows: list[dict[str, Any]],
) -> tuple[int, int]:
    """Delete an article's untouched suggestions; append the new rows to write.

    Returns (rows appended, suggestions removed).
    """
    removed = tx.execute(
        "DELETE FROM spans WHERE article_id = ? AND status = 'suggested'"
        " AND (source LIKE 'model:%' OR source LIKE 'rule:%')",
        (article_id,),
    ).rowcount
    kept = tx.execute(
        'SELECT start, "end", label, status FROM spans WHERE article_id = ?', (article_id,)
    ).fetchall()
    rejected = {(s, e, lab) for s, e, lab, st in kept if st == "rejected"}
    decided = [(s, e) for s, e, _lab, st in kept if st != "rejected"]
    before = len(rows)
    for d in drafts:
        spans.check_draft_span(text, d)
        if (d.start, d.end, d.label) in rejected:
            continue
        if decided and any(d.start < e and s < d.end for s, e in decided):
            continue
        rows.append(spans.span_values(article_id, text, d, stamp, source))
    return len(rows) - before, removed


def articles_without_suggestions(
    db: sqlite_utils.Database, source_prefix: str = "model:"
) -> list[int]:
    """Ids of the articles that no extractor has run on yet."""
    rows = db.execute(  # one pass over each table, not a subquery per article
        "SELECT id FROM articles EXCEPT SELECT article_id FROM journal"
        " WHERE action = 'extract' AND actor LIKE ? ORDER BY 1",
        (source_prefix + "%",),
    )
    return [r[0] for r in rows]


def to_extract_after_import(
    db: sqlite_utils.Database,
    created: Sequence[int],
    existing: Sequence[int],
    reviewed: Iterable[int] = (),
) -> list[int]:
    """The articles an import should run the model on, in order.

    New articles, and present ones never extracted (an earlier import was cut short); not
    those a file marks fully annotated (``reviewed``) or that are reviewed already, whose
    suggestions would count as decisions in exports.
    """
    if not created and not existing:
        return []
    marked = set(reviewed)
    never = set(articles_without_suggestions(db))
    done = {r[0] for r in db.execute("SELECT id FROM articles WHERE reviewed = 1")}
    present = [i for i in existing if i in never and i not in marked and i not in done]
    fresh = [i for i in created if i not in marked]
    return [i for i in dict.fromkeys(fresh + present) if i in never]
