"""The doctor's checks: each takes a connection and returns the problems it finds."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

from ..db import LATEST
from ..models import content_hash
from .report import _INDEX_TROUBLE, BATCH, EXAMPLES, Problem, _columns, _ids, _plural, _tables, _v

# -- checks: each takes a connection and returns problems --------------------------------


def check_schema(conn: sqlite3.Connection) -> list[Problem]:
    """The schema version against this margin's migrations; the core tables present."""
    latest = LATEST
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > latest:
        return [
            Problem(
                "schema",
                f"the schema version {version} is newer than this margin knows ({latest})",
                hint="use a newer margin",
            )
        ]
    if version < latest:
        return [
            Problem(
                "schema",
                f"the schema is at version {version}, migrations up to {latest} are pending",
                fixable=True,
            )
        ]
    missing = {"articles", "spans", "labels", "journal"} - set(_tables(conn))
    if missing:
        return [
            Problem(
                "schema",
                f"tables {', '.join(sorted(missing))} are missing",
                count=len(missing),
                hint="restore a backup",
            )
        ]
    return []


def check_integrity(conn: sqlite3.Connection) -> list[Problem]:
    """SQLite's own PRAGMA integrity_check: pages, b-trees, indexes, NOT NULL and CHECK."""
    lines = [r[0] for r in conn.execute("PRAGMA integrity_check(100)")]
    if lines == ["ok"]:
        return []
    index_only = all(any(t in line for t in _INDEX_TROUBLE) for line in lines)
    if index_only:
        return [
            Problem(
                "integrity",
                f"{_plural(len(lines), 'index entry', 'index entries')}"
                f" {_v(len(lines), 'disagrees', 'disagree')} with the tables ({lines[0]})",
                count=len(lines),
                fixable=True,
                examples=_ids(lines),
            )
        ]
    return [
        Problem(
            "integrity",
            f"the file is damaged: {_plural(len(lines), 'problem')} ({lines[0]})",
            count=len(lines),
            examples=_ids(lines),
            hint="restore a backup, or salvage with `sqlite3 DB .recover > dump.sql`",
        )
    ]


def check_foreign_keys(conn: sqlite3.Connection) -> list[Problem]:
    """PRAGMA foreign_key_check for tables other than spans (spans have their own check)."""
    by_table: dict[str, list[int]] = {}
    for row in conn.execute("PRAGMA foreign_key_check"):
        if row[0] != "spans":
            by_table.setdefault(row[0], []).append(row[1])
    return [
        Problem(
            "foreign_keys",
            f"{_plural(len(rowids), 'row')} of {table} {_v(len(rowids), 'points', 'point')} at rows that do not exist",
            count=len(rowids),
            examples=_ids(rowids),
            hint="inspect them with sqlite3; margin cannot tell what they belonged to",
        )
        for table, rowids in sorted(by_table.items())
    ]


def check_orphans(conn: sqlite3.Connection) -> list[Problem]:
    """Spans and journal entries whose article does not exist."""
    out = []
    spans = [
        r[0]
        for r in conn.execute(
            "SELECT s.id FROM spans s LEFT JOIN articles a ON a.id = s.article_id"
            " WHERE a.id IS NULL ORDER BY s.id"
        )
    ]
    if spans:
        out.append(
            Problem(
                "orphan_spans",
                f"{_plural(len(spans), 'span')} {_v(len(spans), 'belongs', 'belong')} to no article",
                count=len(spans),
                examples=_ids(spans),
                hint="they cannot be shown or exported; margin keeps them as evidence,"
                " delete them with sqlite3 if they are not needed",
            )
        )
    journal = [
        r[0]
        for r in conn.execute(
            "SELECT j.id FROM journal j LEFT JOIN articles a ON a.id = j.article_id"
            " WHERE j.article_id IS NOT NULL AND a.id IS NULL ORDER BY j.id"
        )
    ]
    if journal:
        out.append(
            Problem(
                "orphan_journal",
                f"{_plural(len(journal), 'journal entry', 'journal entries')}"
                f" {_v(len(journal), 'names', 'name')} an article"
                " that does not exist",
                count=len(journal),
                examples=_ids(journal),
                hint="undo cannot replay them; the journal is history and is left as it is",
            )
        )
    bad_json = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM journal WHERE (before IS NOT NULL AND NOT json_valid(before))"
            " OR (after IS NOT NULL AND NOT json_valid(after)) ORDER BY id"
        )
    ]
    if bad_json:
        out.append(
            Problem(
                "journal",
                f"{_plural(len(bad_json), 'journal entry', 'journal entries')}"
                f" {_v(len(bad_json), 'holds', 'hold')} unreadable JSON",
                count=len(bad_json),
                examples=_ids(bad_json),
                hint="undo cannot pass them; the journal is history and is left as it is",
            )
        )
    return out


def _article_batches(conn: sqlite3.Connection) -> Iterator[list[sqlite3.Row]]:
    last = 0
    while True:
        rows = conn.execute(
            "SELECT id, text, content_hash, length, entity_count FROM articles"
            " WHERE id > ? ORDER BY id LIMIT ?",
            (last, BATCH),
        ).fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def check_articles(conn: sqlite3.Connection) -> list[Problem]:
    """Every span's offsets and surface against its article's text; counts, lengths, hashes.

    Reads a batch of articles at a time, so memory does not grow with the corpus.
    """
    labels = {r[0] for r in conn.execute("SELECT name FROM labels")}
    outside: list[str] = []
    drift: list[str] = []
    unknown_labels: dict[str, int] = {}
    counts: list[int] = []
    lengths: list[int] = []
    hashes: list[int] = []
    for rows in _article_batches(conn):
        texts = {r[0]: r[1] for r in rows}
        live = dict.fromkeys(texts, 0)
        marks = ",".join("?" * len(rows))
        for sid, aid, start, end, surface, label, status in conn.execute(
            f'SELECT id, article_id, start, "end", text, label, status FROM spans'
            f" WHERE article_id IN ({marks})",
            list(texts),
        ):
            text = texts[aid]
            if status != "rejected":
                live[aid] += 1
            if label not in labels:
                unknown_labels[label] = unknown_labels.get(label, 0) + 1
            if not (
                isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
            ):
                outside.append(
                    f"span {sid} of article {aid}: {start}..{end}, text length {len(text)}"
                )
            elif text[start:end] != surface:
                drift.append(
                    f"span {sid} of article {aid}: {start}..{end} covers {text[start:end]!r},"
                    f" stored {surface!r}"
                )
        for r in rows:
            aid, text = r[0], r[1]
            if r[4] != live[aid]:
                counts.append(aid)
            if r[3] != len(text):
                lengths.append(aid)
            if r[2] != content_hash(text):
                hashes.append(aid)
    out = []
    if outside:
        out.append(
            Problem(
                "span_offsets",
                f"{_plural(len(outside), 'span')} {_v(len(outside), 'lies', 'lie')} outside"
                f" the text of {_v(len(outside), 'its article', 'their articles')}",
                count=len(outside),
                examples=_ids(outside),
                hint="margin cannot tell where they belong; reject or delete them by hand",
            )
        )
    if drift:
        out.append(
            Problem(
                "span_text",
                f"{_plural(len(drift), 'span')} {_v(len(drift), 'does', 'do')} not cover"
                " the text recorded with it",
                count=len(drift),
                examples=_ids(drift),
                hint="margin cannot tell whether the offsets or the recorded text is right",
            )
        )
    if unknown_labels:
        names = sorted(unknown_labels)
        out.append(
            Problem(
                "labels",
                f"{_plural(sum(unknown_labels.values()), 'span')}"
                f" {_v(sum(unknown_labels.values()), 'uses', 'use')} labels missing from the"
                f" label table ({', '.join(names[:EXAMPLES])})",
                count=len(names),
                fixable=True,
                examples=_ids(names),
            )
        )
    per_article = (
        ("entity_count", counts, "a wrong entity count"),
        ("length", lengths, "a wrong recorded length"),
        (
            "content_hash",
            hashes,
            "a content hash that does not match the text (the text was changed outside"
            " margin, or the hash is damaged)",
        ),
    )
    for check, wrong, what in per_article:
        if wrong:
            n = len(wrong)
            out.append(
                Problem(
                    check,
                    f"{_plural(n, 'article')} {_v(n, 'has', 'have')} {what}",
                    count=n,
                    fixable=True,
                    examples=_ids(wrong),
                )
            )
    return out


def _fts_tables(conn: sqlite3.Connection) -> list[tuple[str, bool]]:
    """Return (name, has external content) of every FTS5 table."""
    out = []
    for name, sql in sorted(_tables(conn).items()):
        low = sql.lower().replace(" ", "")
        if "usingfts5(" in low:  # not fts5vocab tables, which are views of an index
            out.append((name, "content=" in low and "content=''" not in low))
    return out


def check_fts(conn: sqlite3.Connection) -> list[Problem]:
    """Each FTS5 index against the table it indexes (FTS5 'integrity-check')."""
    out = []
    for name, external in _fts_tables(conn):
        try:
            conn.execute(
                f'INSERT INTO "{name}" ("{name}", rank) VALUES (\'integrity-check\', ?)',
                (1 if external else 0,),
            )
        except sqlite3.DatabaseError as exc:
            out.append(
                Problem(
                    "fts",
                    f"the search index {name} does not match the table it indexes ({exc})",
                    fixable=external,
                    examples=[name],
                    hint="" if external else "the index holds its own content; restore a backup",
                )
            )
    return out


_ENTITY_AGG = (
    "SELECT text AS surface, label, COUNT(*) AS mentions, COUNT(DISTINCT article_id) AS articles"
    " FROM spans WHERE status != 'rejected' GROUP BY text, label"
)


def _has_entities(conn: sqlite3.Connection) -> bool:
    tables = _tables(conn)
    return "entities" in tables and {"surface", "label", "mentions", "articles"} <= _columns(
        conn, "entities"
    )


def check_entities(conn: sqlite3.Connection) -> list[Problem]:
    """The entity table (distinct surface and label with counts) against the spans."""
    if not _has_entities(conn):
        return []
    wrong = conn.execute(
        f"SELECT COUNT(*) FROM ({_ENTITY_AGG}) g LEFT JOIN entities e"
        " ON e.surface = g.surface AND e.label = g.label"
        " WHERE e.id IS NULL OR e.mentions != g.mentions OR e.articles != g.articles"
    ).fetchone()[0]
    extra = conn.execute(
        f"SELECT COUNT(*) FROM entities e LEFT JOIN ({_ENTITY_AGG}) g"
        " ON e.surface = g.surface AND e.label = g.label WHERE g.surface IS NULL"
    ).fetchone()[0]
    if not wrong and not extra:
        return []
    return [
        Problem(
            "entities",
            f"the entity index disagrees with the spans ({wrong} missing or miscounted,"
            f" {extra} with no span)",
            count=wrong + extra,
            fixable=True,
        )
    ]


CHECKS: tuple[tuple[str, Callable[[sqlite3.Connection], list[Problem]]], ...] = (
    ("integrity", check_integrity),
    ("foreign_keys", check_foreign_keys),
    ("orphans", check_orphans),
    ("articles", check_articles),
    ("entities", check_entities),
)
