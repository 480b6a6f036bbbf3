"""Search over articles and entities (FTS5 candidates ranked by rapidfuzz) behind one query."""

from __future__ import annotations

from dataclasses import replace

import sqlite_utils

from ..models import EntityMention, SearchHit
from .articles import article_hits, snippet_for
from .entities import canonical_label, entity_hits
from .parse import FILTER_HELP, Query, parse
from .rank import name_score, tokens


def search(
    db: sqlite_utils.Database, query: str, limit: int = 20, label: str | None = None
) -> list[SearchHit]:
    """The best hits for query: entities first, then articles.

    Query text may hold filters (``label:PERSON``, ``status:rejected``, ``reviewed:no``);
    every other character is searched as text. A ``label:``/``status:`` filter limits the
    hits to entities. Raises QueryError for a filter value (or a label) it does not know.
    """
    if limit <= 0:
        return []
    q = parse(query, label)
    conn = db.conn
    if q.label is not None:
        q = canonical_label(conn, q)
    entities = _with_canonical(db, entity_hits(conn, q, limit))
    articles = [] if q.spans_only else article_hits(conn, q, limit, entities)
    return _merge(entities, articles, limit)


def _with_canonical(db: sqlite_utils.Database, hits: list[SearchHit]) -> list[SearchHit]:
    """Entity hits that are aliases carry the canonical name of their entity (issue 16)."""
    texts = sorted({h.text for h in hits if h.text})
    if not texts:
        return hits
    found = dict(
        db.execute(
            "SELECT a.alias, e.name FROM aliases a JOIN entity_ids e ON e.id = a.entity_id"
            f" WHERE a.alias IN ({', '.join('?' * len(texts))})",
            texts,
        ).fetchall()
    )
    return [replace(h, canonical=found[h.text]) if h.text in found else h for h in hits]


def entity_mentions(
    db: sqlite_utils.Database, surface: str, label: str, limit: int = 200, context: int = 60
) -> list[EntityMention]:
    """The non-rejected mentions of an entity, newest article first, with context."""
    rows = db.execute(
        'SELECT s.id, s.article_id, s.start, s."end", a.title,'
        " substr(a.text, max(1, s.start + 1 - ?), min(s.start, ?)) AS before,"
        ' substr(a.text, s."end" + 1, ?) AS after'
        " FROM spans s JOIN articles a ON a.id = s.article_id"
        " WHERE s.text = ? AND s.label = ? AND s.status != 'rejected'"
        " ORDER BY s.article_id DESC, s.start LIMIT ?",
        (context, context, context, surface, label, limit),
    ).fetchall()
    return [
        EntityMention(r[0], r[1], r[4], r[2], r[3], r["before"], surface, r["after"]) for r in rows
    ]


def _merge(entities: list[SearchHit], articles: list[SearchHit], limit: int) -> list[SearchHit]:
    """Entities first, then articles; each kind keeps at least half the room if it has hits."""
    n_entities = min(len(entities), max(limit - len(articles), (limit + 1) // 2))
    n_articles = min(len(articles), limit - n_entities)
    return entities[:n_entities] + articles[:n_articles]


__all__ = [
    "FILTER_HELP",
    "EntityMention",
    "Query",
    "entity_mentions",
    "name_score",
    "parse",
    "search",
    "snippet_for",
    "tokens",
]
