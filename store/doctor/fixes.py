"""The doctor's repairs: each runs inside the repair transaction and says what it did."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from ..labels import color_for
from ..models import content_hash
from .checks import _ENTITY_AGG, _article_batches, _fts_tables, _has_entities
from .report import _plural

# -- fixes: each runs inside the repair transaction and says what it did ------------------


def _fix_index(conn: sqlite3.Connection) -> list[str]:
    conn.execute("REINDEX")
    return ["rebuilt every index (REINDEX)"]


def _fix_labels(conn: sqlite3.Connection) -> list[str]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT label FROM spans WHERE label NOT IN (SELECT name FROM labels)"
        )
    ]
    for name in names:
        conn.execute(
            "INSERT OR IGNORE INTO labels (name, color, position) VALUES"
            " (?, ?, (SELECT COALESCE(MAX(position), -1) + 1 FROM labels))",
            (name, color_for(name)),
        )
    return [f"added {_plural(len(names), 'missing label')}"] if names else []


def _fix_counts(conn: sqlite3.Connection) -> list[str]:
    n = conn.execute(
        "UPDATE articles SET entity_count = (SELECT COUNT(*) FROM spans s"
        " WHERE s.article_id = articles.id AND s.status != 'rejected')"
        " WHERE entity_count != (SELECT COUNT(*) FROM spans s"
        " WHERE s.article_id = articles.id AND s.status != 'rejected')"
    ).rowcount
    return [f"recounted the entities of {_plural(n, 'article')}"]


def _fix_lengths(conn: sqlite3.Connection) -> list[str]:
    n = conn.execute(
        "UPDATE articles SET length = length(text) WHERE length != length(text)"
    ).rowcount
    return [f"recorded the right length of {_plural(n, 'article')}"]


def _fix_hashes(conn: sqlite3.Connection) -> list[str]:
    fixed, clashes = 0, 0
    for rows in _article_batches(conn):
        for r in rows:
            digest = content_hash(r[1])
            if r[2] == digest:
                continue
            other = conn.execute(
                "SELECT id FROM articles WHERE content_hash = ? AND id != ?", (digest, r[0])
            ).fetchone()
            if other is not None:
                clashes += 1  # the same text twice: a person must choose; reported again below
                continue
            conn.execute("UPDATE articles SET content_hash = ? WHERE id = ?", (digest, r[0]))
            fixed += 1
    out = [f"recomputed the content hash of {_plural(fixed, 'article')}"]
    if clashes:
        out.append(f"left {_plural(clashes, 'article')} whose text is now the same as another's")
    return out


def _fix_entities(conn: sqlite3.Connection) -> list[str]:
    if not _has_entities(conn):
        return []
    conn.execute(f"CREATE TEMP TABLE doctor_entities AS {_ENTITY_AGG}")  # the truth, computed once
    try:
        gone = conn.execute(
            "DELETE FROM entities WHERE NOT EXISTS (SELECT 1 FROM temp.doctor_entities g"
            " WHERE g.surface = entities.surface AND g.label = entities.label)"
        ).rowcount
        changed = conn.execute(
            "UPDATE entities SET"
            " mentions = (SELECT g.mentions FROM temp.doctor_entities g"
            "   WHERE g.surface = entities.surface AND g.label = entities.label),"
            " articles = (SELECT g.articles FROM temp.doctor_entities g"
            "   WHERE g.surface = entities.surface AND g.label = entities.label)"
            " WHERE EXISTS (SELECT 1 FROM temp.doctor_entities g WHERE g.surface ="
            " entities.surface AND g.label = entities.label AND (g.mentions != entities.mentions"
            " OR g.articles != entities.articles))"
        ).rowcount
        added = conn.execute(
            "INSERT INTO entities (surface, label, mentions, articles)"
            " SELECT g.surface, g.label, g.mentions, g.articles FROM temp.doctor_entities g"
            " WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.surface = g.surface"
            " AND e.label = g.label)"
        ).rowcount
    finally:
        conn.execute("DROP TABLE temp.doctor_entities")
    return [f"entity index: {added} added, {changed} recounted, {gone} removed"]


def _fix_fts(conn: sqlite3.Connection) -> list[str]:
    out = []
    for name, external in _fts_tables(conn):
        if external:
            conn.execute(f'INSERT INTO "{name}" ("{name}") VALUES (\'rebuild\')')
            out.append(f"rebuilt the search index {name}")
    return out


_FIXES: dict[str, Callable[[sqlite3.Connection], list[str]]] = {
    "integrity": _fix_index,
    "labels": _fix_labels,
    "entity_count": _fix_counts,
    "length": _fix_lengths,
    "content_hash": _fix_hashes,
}
