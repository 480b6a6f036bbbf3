"""Search over articles and entities (FTS5 candidates ranked by rapidfuzz) behind one query."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from .models import SearchHit
from .query_parse import Query, fold, fold_same_length, fts_string, parse, trigrams

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

FUZZY_CANDIDATES = 300  # entities the trigram index hands to rapidfuzz
SUBSTRING_CANDIDATES = 500  # entities that contain every query word, handed over too
SMALL_SET = 100_000  # most distinct surfaces a status:/reviewed:yes filter scores at once
MIN_SCORE = 50.0  # entity hits below this are noise
PREFER_SCORE = 85.0  # an entity hit this good is where an article hit opens
SNIPPET_BEFORE, SNIPPET_AFTER = 50, 90
_WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class EntityMention:
    """One mention of an entity: where it is, and the text around it."""

    span_id: int
    article_id: int
    title: str
    start: int
    end: int
    before: str
    text: str
    after: str


def tokens(text: str) -> list[str]:
    """Return the comparison tokens of a name: folded, punctuation as spaces."""
    return default_process(fold(text)).split()


def name_score(query_tokens: Sequence[str], target: str) -> float:
    """Score 0..100 of how well the query names target (typos, word order, prefixes).

    Mostly how much of the query the target covers (each query word against its best
    target word, a prefix counts), partly how much of the target the query covers,
    and never below the plain ratio of the two strings without spaces.
    """
    target_tokens = tokens(target)
    if not query_tokens or not target_tokens:
        return 0.0
    q_weight = sum(len(t) for t in query_tokens)
    t_weight = sum(len(t) for t in target_tokens)
    covered = 0.0
    for qt in query_tokens:
        best = 0.0
        for tt in target_tokens:
            r = fuzz.ratio(qt, tt) / 100
            if len(qt) >= 2 and tt.startswith(qt):
                r = max(r, 0.9 + 0.1 * len(qt) / len(tt))
            best = max(best, r)
        covered += best * len(qt)
    reached = 0.0
    for tt in target_tokens:
        reached += max(fuzz.ratio(qt, tt) / 100 for qt in query_tokens) * len(tt)
    coverage = 100 * (0.75 * covered / q_weight + 0.25 * reached / t_weight)
    whole = fuzz.ratio("".join(query_tokens), "".join(target_tokens))
    return max(coverage, whole)


def _scorer(query: str, target: str, **_: object) -> float:
    """name_score with rapidfuzz's scorer signature (for process.extract)."""
    return name_score(query.split(), target)


class SearchMixin:
    """Store methods for search: entities by fuzzy name, articles by words."""

    def search(
        self: Store, query: str, limit: int = 20, label: str | None = None
    ) -> list[SearchHit]:
        """Return the best hits for query: entities first, then articles.

        Query text may hold filters (``label:PERSON``, ``status:rejected``, ``reviewed:no``);
        every other character is searched as text. A ``label:``/``status:`` filter limits the
        hits to entities. Raises QueryError (a ValueError) for a filter value it does not know.
        """
        if limit <= 0:
            return []
        q = parse(query, label)
        conn = self._conn()
        if q.label is not None:
            q = _canonical_label(conn, q)
        entities = _entity_hits(conn, q, limit)
        articles = [] if q.spans_only else _article_hits(conn, q, limit, entities)
        return _merge(entities, articles, limit)

    def entity_mentions(
        self: Store, surface: str, label: str, limit: int = 200, context: int = 60
    ) -> list[EntityMention]:
        """Return the non-rejected mentions of an entity, newest article first, with context."""
        rows = (
            self._conn()
            .execute(
                'SELECT s.id, s.article_id, s.start, s."end", a.title,'
                " substr(a.text, max(1, s.start + 1 - ?), min(s.start, ?)) AS before,"
                ' substr(a.text, s."end" + 1, ?) AS after'
                " FROM spans s JOIN articles a ON a.id = s.article_id"
                " WHERE s.text = ? AND s.label = ? AND s.status != 'rejected'"
                " ORDER BY s.article_id DESC, s.start LIMIT ?",
                (context, context, context, surface, label, limit),
            )
            .fetchall()
        )
        return [
            EntityMention(r[0], r[1], r[4], r[2], r[3], r["before"], surface, r["after"])
            for r in rows
        ]


# -- entities --------------------------------------------------------------------------


def _canonical_label(conn: sqlite3.Connection, q: Query) -> Query:
    """Spell the label as the labels table does (label:person finds PERSON)."""
    row = conn.execute(
        "SELECT name FROM labels WHERE name = ? COLLATE NOCASE ORDER BY name = ? DESC LIMIT 1",
        (q.label, q.label),
    ).fetchone()
    if row is None:
        return q
    return Query(q.text, q.terms, row[0], q.status, q.reviewed)


def _label_clause(q: Query, alias: str) -> tuple[str, list[object]]:
    if q.label is None:
        return "", []
    return f" AND {alias}.label = ?", [q.label]


def _fts_candidates(conn: sqlite3.Connection, q: Query) -> dict[tuple[str, str], tuple[int, int]]:
    """Entities the trigram index offers for the query text: (surface, label) -> counts."""
    found: dict[tuple[str, str], tuple[int, int]] = {}
    lab_sql, lab_args = _label_clause(q, "e")
    base = (
        "SELECT e.surface, e.label, e.mentions, e.articles FROM entity_fts f"
        " JOIN entities e ON e.id = f.rowid WHERE entity_fts MATCH ?" + lab_sql
    )

    def add(sql: str, *args: object) -> None:
        for surface, lab, mentions, arts in conn.execute(sql, args):
            found[(surface, lab)] = (mentions, arts)

    words = fold(q.text).split()
    long_words = [w for w in words if len(w) >= 3]
    if long_words:  # every word a substring: exact and prefix matches
        match = " AND ".join(fts_string(w) for w in long_words)
        add(base + " LIMIT ?", match, *lab_args, SUBSTRING_CANDIDATES)
    grams = trigrams(q.text)
    if grams:  # any trigram, best first: typos and spelling variants
        match = " OR ".join(fts_string(g) for g in grams)
        add(base + " ORDER BY f.rank LIMIT ?", match, *lab_args, FUZZY_CANDIDATES)
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


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _rank(
    q: Query, candidates: dict[tuple[str, str], tuple[int, int]]
) -> list[tuple[float, str, str, int, int]]:
    """Score candidates against the query text; best first, ties to the most mentioned."""
    qt = tokens(q.text)
    if not qt:
        return sorted(
            ((100.0, s, lab, m, a) for (s, lab), (m, a) in candidates.items()),
            key=lambda h: (-h[3], h[1]),
        )
    scored = []
    for (surface, lab), (mentions, arts) in candidates.items():
        score = name_score(qt, surface)
        if score >= MIN_SCORE:
            scored.append((score, surface, lab, mentions, arts))
    scored.sort(key=lambda h: (-h[0], -h[3], h[1]))
    return scored


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


def _entity_hits(conn: sqlite3.Connection, q: Query, limit: int) -> list[SearchHit]:
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
            (*lab_args, limit if not q.filtered else SUBSTRING_CANDIDATES),
        )
        ranked = [(100.0, r[0], r[1], r[2], r[3]) for r in rows]
    hits: list[SearchHit] = []
    for score, surface, lab, mentions, arts in ranked:
        if len(hits) >= limit:
            break
        if q.filtered:  # count again under the filter; skip entities it leaves empty
            mentions, arts, span_id = _filtered_counts(conn, q, surface, lab)
            if not mentions:
                continue
            hit = _entity_hit(conn, span_id, surface, lab, score, mentions, arts)
        else:
            hit = _entity_hit(conn, None, surface, lab, score, mentions, arts)
        if hit is not None:
            hits.append(hit)
    return hits


def _filtered_counts(
    conn: sqlite3.Connection, q: Query, surface: str, label: str
) -> tuple[int, int, int]:
    join, extra, args = "", "", []
    if q.reviewed is not None:
        join, extra, args = (
            " JOIN articles a ON a.id = s.article_id",
            " AND a.reviewed = ?",
            [int(q.reviewed)],
        )
    row = conn.execute(
        "SELECT COUNT(*), COUNT(DISTINCT s.article_id), MAX(s.id) FROM spans s"
        + join
        + " WHERE s.text = ? AND s.label = ? AND "
        + _status_clause(q)
        + extra,
        (surface, label, *_status_args(q), *args),
    ).fetchone()
    return int(row[0]), int(row[1]), int(row[2] or 0)


def _small_set_hits(conn: sqlite3.Connection, q: Query, limit: int) -> list[SearchHit]:
    """Filters that pick out a person's decisions: gather them all, then rank."""
    lab_sql, lab_args = _label_clause(q, "s")
    if q.reviewed is not None:
        sql = (
            "SELECT s.text, s.label, COUNT(*), COUNT(DISTINCT s.article_id), MAX(s.id)"
            " FROM articles a JOIN spans s ON s.article_id = a.id WHERE a.reviewed = ? AND "
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
    scored.sort(key=lambda h: (-h[0], -h[1][2], h[1][0]))
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


# -- articles --------------------------------------------------------------------------


def _article_match(words: list[str]) -> str | None:
    """An FTS5 query for the words (all of them; the last may be a prefix), or None."""
    words = [w for w in words if _WORD.search(w)]
    if not words:
        return None
    parts = [fts_string(w) for w in words]
    if len(fold(words[-1])) >= 3:
        parts[-1] += "*"
    return " ".join(parts)


def _article_hits(
    conn: sqlite3.Connection, q: Query, limit: int, entities: list[SearchHit]
) -> list[SearchHit]:
    words = list(q.terms)
    match = _article_match(words)
    rows = _article_rows(conn, q, match, limit) if match else []
    if match and not rows and entities and entities[0].text:  # a typo: the name it meant
        words = entities[0].text.split()
        rows = _article_rows(conn, q, fts_string(entities[0].text), limit)
    if not rows:
        return []
    texts = dict(
        conn.execute(
            f"SELECT id, text FROM articles WHERE id IN ({','.join('?' * len(rows))})",
            [r[0] for r in rows],
        ).fetchall()
    )
    prefer = entities[0].text if entities and entities[0].score >= PREFER_SCORE else None
    hits = []
    for article_id, title, rank in rows:
        start, end, snippet, marks = snippet_for(texts[article_id], words, prefer)
        hits.append(
            SearchHit(
                kind="article",
                article_id=article_id,
                title=title,
                score=-rank,
                start=start,
                end=end,
                snippet=snippet,
                highlights=marks,
            )
        )
    return hits


def _article_rows(
    conn: sqlite3.Connection, q: Query, match: str, limit: int
) -> list[tuple[int, str, float]]:
    extra, args = "", []
    if q.reviewed is not None:
        extra, args = " AND a.reviewed = ?", [int(q.reviewed)]
    return [
        (r[0], r[1], r[2])
        for r in conn.execute(
            "SELECT a.id, a.title, bm25(article_fts, 4.0, 1.0) AS rank FROM article_fts"
            " JOIN articles a ON a.id = article_fts.rowid WHERE article_fts MATCH ?"
            + extra
            + " ORDER BY rank LIMIT ?",
            (match, *args, limit),
        )
    ]


def snippet_for(
    text: str, words: Sequence[str], prefer: str | None = None
) -> tuple[int | None, int | None, str, tuple[tuple[int, int], ...]]:
    """Find the best match of words in text; return its offsets, a snippet, and highlights.

    The best match is the preferred name (the top entity hit) where the text has it, else
    the whole query as a phrase, else the longest word. Highlights are offsets into the
    snippet of every word found there.
    """
    folded = fold_same_length(text)
    keys = [fold_same_length(w) for w in words if _WORD.search(w)]
    keys = [re.sub(r"\W+", " ", k).strip() for k in keys]
    keys = [k for k in keys if k]
    patterns = [re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, k.split()))) for k in keys]
    best: tuple[int, int] | None = None
    if prefer:
        at = folded.find(fold_same_length(prefer))
        if at >= 0:
            best = (at, at + len(prefer))
            patterns.append(re.compile(re.escape(fold_same_length(prefer))))
    if best is None and len(keys) > 1:
        m = re.search(
            r"(?<!\w)" + r"\W+".join(re.escape(p) for k in keys for p in k.split()), folded
        )
        if m:
            best = m.span()
    if best is None:
        for _k, p in sorted(zip(keys, patterns, strict=False), key=lambda kp: -len(kp[0])):
            m = p.search(folded)
            if m:
                best = m.span()
                break
    lo = 0 if best is None else max(0, best[0] - SNIPPET_BEFORE)
    hi = min(len(text), (0 if best is None else best[1]) + SNIPPET_AFTER)
    if lo > 0:
        space = text.find(" ", lo, best[0] if best else lo)
        lo = space + 1 if space >= 0 else lo
    if hi < len(text):
        space = text.rfind(" ", best[1] if best else lo, hi)
        hi = space if space > 0 else hi
    prefix = "…" if lo > 0 else ""
    body = text[lo:hi].replace("\n", " ").replace("\t", " ")
    marks: list[tuple[int, int]] = []
    window = folded[lo:hi]
    for p in patterns:
        for m in p.finditer(window):
            marks.append((m.start() + len(prefix), m.end() + len(prefix)))
    marks = _disjoint(marks)
    snippet = prefix + body + ("…" if hi < len(text) else "")
    if best is None:
        return None, None, snippet, tuple(marks)
    return best[0], best[1], snippet, tuple(marks)


def _disjoint(marks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(marks):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _merge(entities: list[SearchHit], articles: list[SearchHit], limit: int) -> list[SearchHit]:
    """Entities first, then articles; each kind keeps at least half the room if it has hits."""
    n_entities = min(len(entities), max(limit - len(articles), (limit + 1) // 2))
    n_articles = min(len(articles), limit - n_entities)
    return entities[:n_entities] + articles[:n_articles]


__all__ = ["EntityMention", "SearchMixin", "name_score", "parse", "snippet_for", "tokens"]
