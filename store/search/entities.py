"""Entity hits: trigram FTS5 candidates, filtered by label and status, ranked by name."""

from __future__ import annotations

import sqlite3

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from ..errors import QueryError
from ..models import SearchHit
from .parse import Query, fold, fts_string, trigrams
from .rank import (
    ENOUGH_AS_TYPED,
    FUZZY_CANDIDATES,
    MIN_SCORE,
    MIN_TRIGRAMS,
    SMALL_SET,
    SUBSTRING_CANDIDATES,
    TRIGRAM_BUDGET,
    VARIANT_CANDIDATES,
    _rank,
    _rank_key,
    name_score,
    tokens,
)


def canonical_label(conn: sqlite3.Connection, q: Query) -> Query:
    """Spell the label as the labels table does (label:person finds PERSON); QueryError if none."""
    row = conn.execute(
        "SELECT name FROM labels WHERE name = ? COLLATE NOCASE ORDER BY name = ? DESC LIMIT 1",
        (q.label, q.label),
    ).fetchone()
    if row is None:  # a mistyped label would only say "no matches"
        names = [r[0] for r in conn.execute("SELECT name FROM labels ORDER BY position, name")]
        raise QueryError(
            f"label:{q.label} is not a label of this database (labels: {', '.join(names)})"
        )
    return Query(q.text, q.terms, row[0], q.status, q.reviewed)


def _label_clause(q: Query, alias: str) -> tuple[str, list[object]]:
    if q.label is None:
        return "", []
    return f" AND {alias}.label = ?", [q.label]


def _fts_candidates(conn: sqlite3.Connection, q: Query) -> dict[tuple[str, str], tuple[int, int]]:
    """Entities the trigram index offers for the query text: (surface, label) -> counts."""
    found: dict[tuple[str, str], tuple[int, int]] = {}
    lab_sql, lab_args = _label_clause(q, "e")
    # CROSS JOIN: the index chooses the rows, the label only filters them
    base = (
        "SELECT e.surface, e.label, e.mentions, e.articles FROM entities_fts f"
        " CROSS JOIN entities e ON e.id = f.rowid WHERE entities_fts MATCH ?" + lab_sql
    )

    def add(sql: str, *args: object) -> None:
        for surface, lab, mentions, arts in conn.execute(sql, args):
            found[(surface, lab)] = (mentions, arts)

    words = fold(q.text).split()
    long_words = [w for w in words if len(w) >= 3]
    if long_words:  # every word a substring: exact and prefix matches
        match = " AND ".join(fts_string(w) for w in long_words)
        add(base + " LIMIT ?", match, *lab_args, SUBSTRING_CANDIDATES)
    df = _trigram_counts(conn, trigrams(q.text))
    groups = [[g for g in trigrams(w) if df.get(g)] for w in long_words]
    as_typed = len(found)
    exact = as_typed > 0
    if not exact and len(groups) > 1 and all(groups):  # some trigram of every word: a typo
        match = " AND ".join("(" + " OR ".join(map(fts_string, g)) + ")" for g in groups)
        add(base + " ORDER BY f.rank LIMIT ?", match, *lab_args, FUZZY_CANDIDATES)
    grams = _rare_trigrams(df)
    if grams and as_typed < ENOUGH_AS_TYPED:  # any trigram: transposed letters, missing words
        match = " OR ".join(fts_string(g) for g in grams)
        size = VARIANT_CANDIDATES if exact else FUZZY_CANDIDATES
        add(base + " ORDER BY f.rank LIMIT ?", match, *lab_args, size)
    if not long_words and words:  # too short for trigrams: names that start so
        pattern = _like_prefix(" ".join(words))
        add(
            "SELECT e.surface, e.label, e.mentions, e.articles FROM entities e"
            " WHERE e.surface LIKE ? ESCAPE '\\'" + lab_sql + " LIMIT ?",
            pattern,
            *lab_args,
            SUBSTRING_CANDIDATES,
        )
    return found


def _trigram_counts(conn: sqlite3.Connection, grams: list[str]) -> dict[str, int]:
    """How many entity names hold each trigram (absent: none)."""
    if not grams:
        return {}
    marks = ",".join("?" * len(grams))
    return dict(
        conn.execute(f"SELECT term, doc FROM entities_fts_vocab WHERE term IN ({marks})", grams)
    )


def _rare_trigrams(df: dict[str, int]) -> list[str]:
    """The query's trigrams that entities hold, rarest first, within a budget of postings.

    Ranking every entity that shares a common trigram ("al-", "sha") is what costs; the
    rare trigrams find the same names. At least MIN_TRIGRAMS are kept whatever they cost.
    """
    picked: list[str] = []
    spent = 0
    for term, doc in sorted(df.items(), key=lambda r: r[1]):
        if len(picked) >= MIN_TRIGRAMS and spent + doc > TRIGRAM_BUDGET:
            break
        picked.append(term)
        spent += doc
    return picked


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _status_clause(q: Query) -> str:
    if q.status == "user":
        return "s.source = 'user' AND s.status != 'rejected'"
    if q.status in ("accepted", "rejected"):
        return "s.status != 'suggested' AND s.status = ?"
    if q.status == "suggested":
        return "s.status = 'suggested'"
    return "s.status != 'rejected'"


def _status_args(q: Query) -> list[object]:
    return [q.status] if q.status in ("accepted", "rejected") else []


def entity_hits(conn: sqlite3.Connection, q: Query, limit: int) -> list[SearchHit]:
    if q.status in ("accepted", "rejected", "user") or q.reviewed is True:
        return _small_set_hits(conn, q, limit)
    if q.text:
        ranked = _rank(q, _fts_candidates(conn, q))
    else:
        lab_sql, lab_args = _label_clause(q, "e")
        rows = conn.execute(
            "SELECT e.surface, e.label, e.mentions, e.articles FROM entities e WHERE 1"
            + lab_sql
            + " ORDER BY e.mentions DESC LIMIT ?",
            (*lab_args, SUBSTRING_CANDIDATES if _recount(q) else limit),
        )
        ranked = [(100.0, r[0], r[1], r[2], r[3]) for r in rows]
    hits: list[SearchHit] = []
    for score, surface, lab, mentions, arts in ranked:
        if len(hits) >= limit:
            break
        if _recount(q):  # count again under the filter; skip entities it leaves empty
            mentions, arts, span_id = _filtered_counts(conn, q, surface, lab, mentions, arts)
            if not mentions:
                continue
            hit = _entity_hit(conn, span_id, surface, lab, score, mentions, arts)
        else:
            hit = _entity_hit(conn, None, surface, lab, score, mentions, arts)
        if hit is not None:
            hits.append(hit)
    return hits


def _recount(q: Query) -> bool:
    """True when the entity table's counts (all non-rejected spans) do not answer q."""
    return q.status is not None or q.reviewed is not None


def _filtered_counts(
    conn: sqlite3.Connection, q: Query, surface: str, label: str, mentions: int, arts: int
) -> tuple[int, int, int]:
    """Mentions, articles and the newest span of an entity under q's status/reviewed filter.

    reviewed:no counts what is in reviewed articles (few, indexed) and takes it away
    from the total, so a famous name costs no more than the reviewed articles that hold it.
    """
    cond, cond_args = _status_clause(q), _status_args(q)
    key = (surface, label, *cond_args)
    where = " WHERE s.text = ? AND s.label = ? AND " + cond
    if q.status == "suggested":  # all that count, less the few accepted ones (indexed)
        row = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT s.article_id) FILTER (WHERE NOT EXISTS ("
            "  SELECT 1 FROM spans t WHERE t.text = s.text AND t.label = s.label"
            "  AND t.article_id = s.article_id AND t.status = 'suggested'))"
            " FROM spans s INDEXED BY spans_decided"
            " WHERE s.status != 'suggested' AND s.status = 'accepted'"
            " AND s.text = ? AND s.label = ?",
            (surface, label),
        ).fetchone()
        mentions, arts = mentions - int(row[0]), arts - int(row[1])
    elif q.status is not None:
        row = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT s.article_id) FROM spans s" + where, key
        ).fetchone()
        mentions, arts = int(row[0]), int(row[1])
    if mentions <= 0:
        return 0, 0, 0
    newest = (
        "SELECT s.id FROM spans s JOIN articles a ON a.id = s.article_id"
        + where
        + " AND a.reviewed = ? ORDER BY s.article_id DESC LIMIT 1"
    )
    if q.reviewed is None:
        row = conn.execute(
            "SELECT s.id FROM spans s" + where + " ORDER BY s.article_id DESC LIMIT 1", key
        ).fetchone()
        return mentions, arts, int(row[0]) if row else 0
    row = conn.execute(
        "SELECT COUNT(*), COUNT(DISTINCT s.article_id) FROM articles a"
        " CROSS JOIN spans s ON s.article_id = a.id" + where + " AND a.reviewed = 1",
        key,
    ).fetchone()
    if q.reviewed:
        mentions, arts = int(row[0]), int(row[1])
    else:
        mentions, arts = mentions - int(row[0]), arts - int(row[1])
    if mentions <= 0:
        return 0, 0, 0
    row = conn.execute(newest, (*key, int(q.reviewed))).fetchone()
    return mentions, arts, int(row[0]) if row else 0


def _small_set_hits(conn: sqlite3.Connection, q: Query, limit: int) -> list[SearchHit]:
    """Filters that pick out a person's decisions: gather them all, then rank."""
    lab_sql, lab_args = _label_clause(q, "s")
    if q.reviewed is not None:
        sql = (
            "SELECT s.text, s.label, COUNT(*), COUNT(DISTINCT s.article_id), MAX(s.id)"
            + (  # a person's decisions are few: they lead; else the reviewed articles do
                " FROM spans s CROSS JOIN articles a ON a.id = s.article_id"
                if q.status is not None
                else " FROM articles a CROSS JOIN spans s ON s.article_id = a.id"
            )
            + " WHERE a.reviewed = ? AND "
        )
        args: list[object] = [int(q.reviewed)]
    else:
        sql = (
            "SELECT s.text, s.label, COUNT(*), COUNT(DISTINCT s.article_id), MAX(s.id)"
            " FROM spans s WHERE "
        )
        args = []
    sql += _status_clause(q) + lab_sql + " GROUP BY s.text, s.label LIMIT ?"
    rows = conn.execute(sql, (*args, *_status_args(q), *lab_args, SMALL_SET)).fetchall()
    qt = tokens(q.text)
    if qt:
        pre = process.extract(
            " ".join(qt),
            [fold(r[0]) for r in rows],
            scorer=fuzz.WRatio,
            processor=default_process,
            limit=FUZZY_CANDIDATES,
        )
        scored = [(name_score(qt, rows[i][0]), rows[i]) for _c, _s, i in pre]
        scored = [(s, r) for s, r in scored if s >= MIN_SCORE]
    else:
        scored = [(100.0, r) for r in rows]
    scored.sort(key=lambda h: (-_rank_key(qt, h[0], h[1][0], h[1][2]), h[1][0]))
    hits = []
    for score, (surface, lab, mentions, arts, span_id) in scored[:limit]:
        hit = _entity_hit(conn, span_id, surface, lab, score, mentions, arts)
        if hit is not None:
            hits.append(hit)
    return hits


def _entity_hit(
    conn: sqlite3.Connection,
    span_id: int | None,
    surface: str,
    label: str,
    score: float,
    mentions: int,
    arts: int,
) -> SearchHit | None:
    """Build an entity hit pointing at one mention (the given span, else the newest)."""
    if span_id is None:
        row = conn.execute(
            'SELECT s.article_id, s.start, s."end", a.title FROM spans s'
            " JOIN articles a ON a.id = s.article_id"
            " WHERE s.text = ? AND s.label = ? AND s.status != 'rejected'"
            " ORDER BY s.article_id DESC LIMIT 1",
            (surface, label),
        ).fetchone()
    else:
        row = conn.execute(
            'SELECT s.article_id, s.start, s."end", a.title FROM spans s'
            " JOIN articles a ON a.id = s.article_id WHERE s.id = ?",
            (span_id,),
        ).fetchone()
    if row is None:
        return None
    return SearchHit(
        kind="entity",
        article_id=row[0],
        title=row[3],
        score=score,
        start=row[1],
        end=row[2],
        label=label,
        text=surface,
        mentions=mentions,
        articles=arts,
    )
