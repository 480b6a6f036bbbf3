"""Articles: drafts checked and stored (identical texts are one article), and the reads of them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlite_utils
from sqlite_utils.db import NotFoundError

from . import bulk, journal, spans
from .dates import parse_date
from .db import Unit
from .errors import NotFound
from .labels import ensure_labels
from .models import (
    Article,
    ArticleDraft,
    ArticleSummary,
    ImportResult,
    SpanDraft,
    content_hash,
    normalise_text,
    now,
    title_from_text,
)
from .rows import SUMMARY_COLUMNS, article, article_from_row, chunks, marks, summary_from_row

SORTS = {
    "newest": "a.imported_at DESC, a.id DESC",
    "oldest": "a.imported_at ASC, a.id ASC",
    "title": "a.title COLLATE NOCASE ASC, a.id ASC",
    "entities": "a.entity_count DESC, a.id ASC",
    "id": "a.id ASC",
    "date": "COALESCE(a.date, a.imported_at) DESC, a.id DESC",
}


@dataclass(frozen=True)
class Prepared:
    """An article draft checked and normalised, ready to insert."""

    text: str
    digest: str
    title: str
    source: str
    meta: str | None
    spans: tuple[SpanDraft, ...]
    date: str | None = None


def prepare_draft(draft: ArticleDraft) -> Prepared:
    """Normalise and check one draft; raise ValueError (SpanError) before anything is written."""
    text = normalise_text(draft.text)
    if not text.strip():
        raise ValueError("the article text is empty")
    spans.check_unicode(text, "text")
    spans.check_unicode(draft.title or "", "title")
    spans.check_unicode(draft.source, "source")
    spans.check_draft_spans(text, draft.spans)
    title = (draft.title or "").strip() or title_from_text(text, fallback=draft.source)
    try:
        meta = json.dumps(draft.meta, ensure_ascii=False) if draft.meta else None
    except (TypeError, ValueError) as exc:  # a value JSON cannot hold, or a cycle
        raise ValueError(f"the meta cannot be stored as JSON ({exc})") from None
    if meta is not None:
        spans.check_unicode(meta, "meta")
    return Prepared(
        text,
        content_hash(text),
        title,
        draft.source,
        meta,
        tuple(draft.spans),
        parse_date(draft.date),
    )


def add_articles(tx: Unit, drafts: Sequence[ArticleDraft]) -> list[ImportResult]:
    """Store several articles; identical texts become one article.

    Every article and span is checked before anything is written, so a bad one rejects
    the whole batch. Spans, labels and journal rows are written with prepared statements;
    for a batch of many spans the per-span count triggers are set aside and their work done
    once for the batch (store/bulk.py), which leaves exactly what the triggers would.
    """
    prepared = [prepare_draft(draft) for draft in drafts]
    results: list[ImportResult] = []
    if not prepared:
        return results
    known = existing_hashes(tx.db, [p.digest for p in prepared])
    fresh: dict[str, Prepared] = {}  # the texts not stored yet, each once, in order
    for p in prepared:
        if p.digest not in known:
            fresh.setdefault(p.digest, p)
    n_spans = sum(len(p.spans) for p in fresh.values())
    deferred = bulk.deferrable(tx) if n_spans >= bulk.MIN_SPANS else None
    search = bulk.search_trigger(tx) if len(fresh) >= bulk.MIN_ARTICLES else {}
    every = {**(deferred or {}), **search}
    with bulk.triggers_aside(tx, every) if every else nullcontext():
        first = int(tx.one("SELECT COALESCE(MAX(id), 0) + 1 FROM articles"))
        _insert_new(tx, list(fresh.values()), known, counted=deferred is not None)
        if search:
            tx.execute(bulk.INDEX_NEW, (first,))
    for p in prepared:
        created = p.digest in fresh and fresh.pop(p.digest) is p
        results.append(ImportResult(known[p.digest], created, len(p.spans) if created else 0))
    return results


def _insert_new(tx: Unit, fresh: list[Prepared], ids: dict[str, int], counted: bool) -> None:
    """Insert new articles, their spans and journal rows; record each id in ``ids``.

    ``counted``: the count triggers are set aside, so each article row carries its
    entity_count and the entity index is filled here (bulk.COUNT_NEW).
    """
    stamp = now()
    span_rows: list[tuple[Any, ...]] = []
    entries: list[tuple[int, dict[str, Any]]] = []
    ensure_labels(tx.db, {sp.label for p in fresh for sp in p.spans})
    insert = (
        "INSERT INTO articles (title, text, source, content_hash, imported_at, meta, length,"
        " entity_count, date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    for p in fresh:
        live = sum(1 for sp in p.spans if sp.status != "rejected") if counted else 0
        cur = tx.execute(
            insert,
            (p.title, p.text, p.source, p.digest, stamp, p.meta, len(p.text), live, p.date),
        )
        article_id = int(cur.lastrowid or 0)
        ids[p.digest] = article_id
        text = p.text
        span_rows.extend(
            (article_id, sp.start, sp.end, sp.label, sp.source or "", sp.status)
            + (text[sp.start : sp.end], stamp, stamp)
            for sp in p.spans
        )
        entries.append((article_id, {"source": p.source, "spans": len(p.spans)}))
    first_span = int(tx.one(bulk.NEXT_SPAN))
    bulk.insert_spans(tx, span_rows)
    if counted:
        tx.execute(bulk.COUNT_NEW, (first_span,))
    journal.record_many(tx, "import", "import", entries)


def existing_hashes(db: sqlite_utils.Database, digests: list[str]) -> dict[str, int]:
    """{content hash: article id} for the hashes already stored."""
    found: dict[str, int] = {}
    unique = list(dict.fromkeys(digests))
    for i in range(0, len(unique), 500):
        chunk = unique[i : i + 500]
        q = f"SELECT content_hash, id FROM articles WHERE content_hash IN ({marks(chunk)})"
        found.update((h, int(aid)) for h, aid in db.execute(q, chunk))
    return found


def mark_read(tx: Unit, article_id: int, read: bool = True) -> None:
    """Set an article's read state."""
    try:
        tx.db.table("articles").update(article_id, {"read": int(read)})
    except NotFoundError:
        raise NotFound(f"article {article_id} does not exist") from None


# -- reads -----------------------------------------------------------------------------------


def has_article(db: sqlite_utils.Database, article_id: int) -> bool:
    """True when an article with this id exists."""
    return db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None


def page(
    db: sqlite_utils.Database,
    offset: int = 0,
    limit: int = 50,
    sort: str = "newest",
    since: str | None = None,
    until: str | None = None,
) -> list[ArticleSummary]:
    """One page of article summaries, never the whole table; since/until (days, inclusive)
    keep the articles dated (else imported) in that range."""
    order = SORTS.get(sort)
    if order is None:
        raise ValueError(f"unknown sort {sort!r}; choose one of {', '.join(SORTS)}")
    where, params = date_range(since, until)
    rows = db.execute(
        f"SELECT {SUMMARY_COLUMNS} FROM articles a{where} ORDER BY {order} LIMIT ? OFFSET ?",
        (*params, limit, offset),
    )
    return [summary_from_row(r) for r in rows]


def date_range(since: str | None, until: str | None) -> tuple[str, list[str]]:
    """A WHERE clause (on the date index) for articles dated from since to until, inclusive."""
    parts: list[str] = []
    params: list[str] = []
    if since:
        parts.append("COALESCE(a.date, a.imported_at) >= ?")
        params.append(day(since, "since"))
    if until:
        parts.append("COALESCE(a.date, a.imported_at) < ?")
        params.append((date.fromisoformat(day(until, "until")) + timedelta(days=1)).isoformat())
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


def day(value: str, what: str) -> str:
    """A day written YYYY-MM-DD, checked; ValueError names what it is for."""
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        raise ValueError(f"{what} {value!r} is not a day written YYYY-MM-DD") from None


def iter_articles(
    db: sqlite_utils.Database, ids: Iterable[int] | None = None, batch: int = 200
) -> Iterator[Article]:
    """Articles (all, or the given ids) in id order, a batch at a time."""
    if ids is not None:
        for aid in ids:
            yield article(db, aid)
        return
    last = 0
    while True:
        rows = db.execute(
            "SELECT * FROM articles WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
        ).fetchall()
        if not rows:
            return
        for row in rows:
            yield article_from_row(row)
        last = rows[-1]["id"]


def texts(
    db: sqlite_utils.Database, ids: Sequence[int], batch: int = 200
) -> Iterator[tuple[int, str]]:
    """(id, text) for the given article ids in that order, reading a batch at a time."""
    for chunk in chunks(ids, batch):
        rows = dict(
            db.execute(f"SELECT id, text FROM articles WHERE id IN ({marks(chunk)})", chunk)
        )
        for aid in chunk:
            if aid not in rows:
                raise NotFound(f"article {aid} does not exist")
            yield aid, rows[aid]


def count_dated(db: sqlite_utils.Database, since: str | None, until: str | None) -> int:
    """How many articles are dated (else imported) from since to until, inclusive."""
    where, params = date_range(since, until)
    return int(db.execute(f"SELECT COUNT(*) FROM articles a{where}", params).fetchone()[0])


def count(db: sqlite_utils.Database) -> int:
    """How many articles there are."""
    return db.table("articles").count


def reviewed_ids(db: sqlite_utils.Database) -> set[int]:
    """The ids of the articles marked reviewed."""
    return set(ids(db, reviewed=True))


def ids(db: sqlite_utils.Database, reviewed: bool | None = None) -> list[int]:
    """Every article id in id order (only the reviewed ones, or the others, if asked)."""
    where = "" if reviewed is None else f" WHERE reviewed = {int(reviewed)}"
    return [r[0] for r in db.execute(f"SELECT id FROM articles{where} ORDER BY id")]
