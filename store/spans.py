"""Spans: checking a span against its text, writing and changing one (journalled), reading them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlite_utils

from . import bulk, journal
from .db import Unit
from .errors import CorrectionError, SpanError
from .labels import ensure_label
from .models import STATUSES, Span, SpanDraft, check_span, now
from .rows import SPAN_COLUMNS, span_from_row, span_row


def check_unicode(value: str, what: str) -> None:
    """Raise ValueError if value holds a lone surrogate, which no UTF-8 file or SQLite can keep."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(value[exc.start])
        raise ValueError(
            f"the {what} holds a lone surrogate (U+{code:04X}) at offset {exc.start}:"
            " not valid Unicode"
        ) from None


def check_draft_span(text: str, span: SpanDraft) -> None:
    """Raise SpanError unless the span fits the (normalised) text and has a label and status."""
    check_span(text, span.start, span.end)
    if span.status not in STATUSES:
        raise SpanError(f"unknown span status {span.status!r}")
    if not isinstance(span.label, str) or not span.label.strip():
        raise SpanError(f"span {span.start}..{span.end} has no label")
    try:
        check_unicode(span.label, "label")
        check_unicode(span.source, "span source")
    except ValueError as exc:
        raise SpanError(str(exc)) from None


# (label, source, status) of spans found good by check_draft_span: a span with the same three
# needs only its offsets checked (a file's 400,000 spans have a few dozen labels)
_GOOD: set[tuple[str, str, str]] = set()
_GOOD_MAX = 10_000


def check_draft_spans(text: str, drafts: Iterable[SpanDraft]) -> None:
    """check_draft_span for each span, the label, source and status checks once for each three."""
    n, good = len(text), _GOOD
    for span in drafts:
        start, end, label, source, status = (
            span.start,
            span.end,
            span.label,
            span.source,
            span.status,
        )
        if (
            type(start) is int
            and type(end) is int
            and 0 <= start < end <= n
            and type(label) is str
            and type(source) is str
            and type(status) is str
            and (label, source, status) in good
        ):
            continue
        check_draft_span(text, span)
        if len(good) < _GOOD_MAX:
            good.add((label, source, status))


def span_values(
    article_id: int, text: str, d: SpanDraft, stamp: str, source: str = ""
) -> dict[str, Any]:
    """The row of a new span (for insert_all)."""
    return {
        "article_id": article_id,
        "start": d.start,
        "end": d.end,
        "label": d.label,
        "source": d.source or source,
        "status": d.status,
        "text": text[d.start : d.end],
        "created_at": stamp,
        "updated_at": stamp,
    }


def insert_all(tx: Unit, rows: list[dict[str, Any]]) -> None:
    """Write many new spans in bulk (no journal rows: the caller records the batch), with one
    prepared statement (sqlite-utils' insert_all costs more in Python than SQLite takes)."""
    if rows:
        cols = bulk.SPAN_COLUMNS + ("created_at", "updated_at")
        tx.conn.executemany(bulk.INSERT_SPAN, [tuple(r[c] for c in cols) for r in rows])


def insert(
    tx: Unit,
    text: str,
    article_id: int,
    draft: SpanDraft,
    *,
    action: str = "add",
    actor: str = "user",
) -> int:
    """Insert one span after checking it against the text, journalled in the unit's group."""
    check_draft_span(text, draft)
    ensure_label(tx.db, draft.label)
    cur = tx.execute(
        'INSERT INTO spans (article_id, start, "end", label, source, status, text,'
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        tuple(span_values(article_id, text, draft, now()).values()),
    )
    span_id = int(cur.lastrowid or 0)
    journal.record(
        tx,
        action,
        article_id=article_id,
        span_id=span_id,
        after=span_row(tx.db, span_id),
        actor=actor,
    )
    return span_id


def update(
    tx: Unit, span_id: int, action: str, *, actor: str = "user", **changes: Any
) -> dict[str, Any]:
    """Change a span's status or label, journalling before and after; return the after row."""
    allowed = {"status", "label"}
    if not set(changes) <= allowed:
        raise ValueError(f"only {sorted(allowed)} of a span can change")
    before = span_row(tx.db, span_id)
    if "label" in changes:
        ensure_label(tx.db, changes["label"])
    sets = ", ".join(f"{k} = ?" for k in changes)
    tx.execute(
        f"UPDATE spans SET {sets}, updated_at = ? WHERE id = ?", (*changes.values(), now(), span_id)
    )
    after = span_row(tx.db, span_id)
    journal.record(
        tx,
        action,
        article_id=before["article_id"],
        span_id=span_id,
        before=before,
        after=after,
        actor=actor,
    )
    return after


def check_overlap(
    tx: Unit,
    article_id: int,
    start: int,
    end: int,
    ignore: tuple[int, ...] = (),
    label: str | None = None,
) -> None:
    """Refuse a span that overlaps a current entity (or duplicates one when overlaps are allowed)."""
    q = (
        'SELECT id, start, "end", label, text FROM spans WHERE article_id = ?'
        " AND status != 'rejected' AND start < ? AND \"end\" > ?"
    )
    if ignore:  # (NOT IN (NULL) would match nothing at all)
        q += f" AND id NOT IN ({','.join('?' * len(ignore))})"
    params: list[Any] = [article_id, end, start, *ignore]
    if tx.allow_overlaps:
        q += ' AND start = ? AND "end" = ? AND label = ?'
        params += [start, end, label]
    row = tx.execute(q + " ORDER BY start LIMIT 1", params).fetchone()
    if row is not None:
        raise CorrectionError(
            f"{start}..{end} overlaps entity {row['id']} {row['text']!r} ({row['label']})"
            f" in article {article_id}"
        )


def spans(
    db: sqlite_utils.Database, article_id: int, *, include_rejected: bool = True
) -> list[Span]:
    """An article's spans ordered by start, then end."""
    q = f"SELECT {SPAN_COLUMNS} FROM spans WHERE article_id = ?"
    if not include_rejected:
        q += " AND status != 'rejected'"
    q += ' ORDER BY start, "end", id'
    return [span_from_row(r) for r in db.execute(q, (article_id,))]


def span(db: sqlite_utils.Database, span_id: int) -> Span:
    """One span; NotFound if there is none."""
    return span_from_row(span_row(db, span_id))
