"""The read layer: rows to models, and the reads every operation shares (one span, one text)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import sqlite_utils
from sqlite_utils.db import NotFoundError

from .errors import NotFound
from .models import Article, ArticleSummary, Span

SPAN_COLUMNS = 'id, article_id, start, "end", label, source, status, text, created_at, updated_at'
SUMMARY_COLUMNS = (
    "a.id, a.title, a.source, a.imported_at, a.read, a.reviewed, a.entity_count, a.length, a.date"
)
CHUNK = 500  # ids per IN (...) list


def span_from_row(row: sqlite3.Row | dict[str, Any]) -> Span:
    """Build a Span from a row selected with SPAN_COLUMNS."""
    return Span(
        id=row["id"],
        article_id=row["article_id"],
        start=row["start"],
        end=row["end"],
        label=row["label"],
        source=row["source"],
        status=row["status"],
        text=row["text"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def article_from_row(row: sqlite3.Row | dict[str, Any]) -> Article:
    """Build an Article from a ``SELECT *`` row of articles."""
    return Article(
        id=row["id"],
        title=row["title"],
        text=row["text"],
        source=row["source"],
        content_hash=row["content_hash"],
        imported_at=row["imported_at"],
        read=bool(row["read"]),
        reviewed=bool(row["reviewed"]),
        meta=json.loads(row["meta"]) if row["meta"] else None,
        date=row["date"],
    )


def summary_from_row(row: sqlite3.Row) -> ArticleSummary:
    """Build a list row from a row selected with SUMMARY_COLUMNS."""
    return ArticleSummary(
        id=row["id"],
        title=row["title"],
        source=row["source"],
        imported_at=row["imported_at"],
        read=bool(row["read"]),
        reviewed=bool(row["reviewed"]),
        entity_count=row["entity_count"],
        length=row["length"],
        date=row["date"],
    )


def span_row(db: sqlite_utils.Database, span_id: int) -> dict[str, Any]:
    """One span as a dict (the journal's before/after shape); NotFound if there is none."""
    row = db.execute(f"SELECT {SPAN_COLUMNS} FROM spans WHERE id = ?", (span_id,)).fetchone()
    if row is None:
        raise NotFound(f"span {span_id} does not exist")
    return dict(row)


def article_text(db: sqlite_utils.Database, article_id: int) -> str:
    """One article's text; NotFound if there is none."""
    row = db.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        raise NotFound(f"article {article_id} does not exist")
    return str(row[0])


def article(db: sqlite_utils.Database, article_id: int) -> Article:
    """One article with its text; NotFound if there is none."""
    try:
        return article_from_row(db.table("articles").get(article_id))
    except NotFoundError:
        raise NotFound(f"article {article_id} does not exist") from None


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[list[int]]:
    """Split ids into lists short enough for one ``IN (...)``."""
    for i in range(0, len(ids), size):
        yield list(ids[i : i + size])


def marks(values: Sequence[Any]) -> str:
    """``?, ?, ?`` for an ``IN (...)`` of these values."""
    return ",".join("?" * len(values))


def articles_by_id(db: sqlite_utils.Database, ids: Sequence[int]) -> dict[int, Article]:
    """The articles with these ids (absent ids are absent from the result)."""
    out: dict[int, Article] = {}
    for chunk in chunks(ids):
        q = f"SELECT * FROM articles WHERE id IN ({marks(chunk)})"
        out.update((r["id"], article_from_row(r)) for r in db.execute(q, chunk))
    return out


def spans_by_article(db: sqlite_utils.Database, ids: Sequence[int]) -> dict[int, list[Span]]:
    """Every span of these articles, per article, ordered by start, end, id."""
    out: dict[int, list[Span]] = {a: [] for a in ids}
    for chunk in chunks(ids):
        q = (
            f"SELECT {SPAN_COLUMNS} FROM spans WHERE article_id IN ({marks(chunk)})"
            ' ORDER BY article_id, start, "end", id'
        )
        for r in db.execute(q, chunk):
            out[r["article_id"]].append(span_from_row(r))
    return out
