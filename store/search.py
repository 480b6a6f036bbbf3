"""Search over articles and entities (FTS5 candidates ranked by rapidfuzz) behind one query."""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from .models import SearchHit
from .query_parse import Query, QueryError, fold, fold_same_length, fts_string, parse, trigrams

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

FUZZY_CANDIDATES = 300  # entities the trigram index hands to rapidfuzz
TRIGRAM_BUDGET = 4000  # postings the fuzzy trigram query may rank (keeps it fast at scale)
MIN_TRIGRAMS = 3
ARTICLE_WINDOW = 2000  # a word in more articles than this: rank the newest so many
ENOUGH_AS_TYPED = 20  # names that hold every word as typed: no need to look for variants
VARIANT_CANDIDATES = 100  # when the words match as typed: a few spelling variants beside
SUBSTRING_CANDIDATES = 500  # entities that contain every query word, handed over too
SMALL_SET = 100_000  # most distinct surfaces a status:/reviewed:yes filter scores at once
PRESELECT = 60  # candidates each C scorer passes on to name_score
MIN_SCORE = 65.0  # entity hits below this are noise
POPULARITY = 1.5  # rank bonus per tenfold mentions: among near-equal names, the famous one
EXACT = 5.0  # rank bonus for the very name typed
PREFER_SCORE = 85.0  # an entity hit this good is where an article hit opens
SNIPPET_BEFORE, SNIPPET_AFTER = 50, 90
_WORD = re.compile(r"\w", re.UNICODE)
_ALNUM = re.compile(r"[^\W_]+", re.UNICODE)


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
            if tt.startswith(qt):
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
        hits to entities. Raises QueryError for a filter value (or a label) it does not know.
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
        "SELECT e.surface, e.label, e.mentions, e.articles FROM entity_fts f"
        " CROSS JOIN entities e ON e.id = f.rowid WHERE entity_fts MATCH ?" + lab_sql
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
    return dict(conn.execute(f"SELECT term, doc FROM entity_vocab WHERE term IN ({marks})", grams))


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
    items = list(candidates.items())
    if len(items) > PRESELECT:  # rapidfuzz's C scorers pick the few worth a closer look
        query = " ".join(qt)
        names = [" ".join(tokens(surface)) for (surface, _lab), _counts in items]
        best = {
            i
            for scorer in (fuzz.WRatio, fuzz.token_set_ratio)
            for _name, _score, i in process.extract(query, names, scorer=scorer, limit=PRESELECT)
        }
        items = [items[i] for i in sorted(best)]
    scored = []
    for (surface, lab), (mentions, arts) in items:
        score = name_score(qt, surface)
        if score >= MIN_SCORE:
            scored.append((score, surface, lab, mentions, arts))
    scored.sort(key=lambda h: (-_rank_key(qt, h[0], h[1], h[3]), h[1]))
    return scored


def _rank_key(query_tokens: list[str], score: float, surface: str, mentions: int) -> float:
    """Name score, plus a little for popularity, plus a little for the exact name."""
    key = score + POPULARITY * math.log10(1 + max(0, mentions))
    if score >= 100 and tokens(surface) == query_tokens:
        key += EXACT
    return key


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
    known = match is not None and _words_indexed(conn, words)
    rows = _article_rows(conn, q, match, limit) if match and known else []
    if match and not rows and entities and entities[0].score >= PREFER_SCORE:  # a typo
        words = (entities[0].text or "").split()
        rows = _article_rows(conn, q, fts_string(entities[0].text or ""), limit)
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
    for article_id, title, score in rows:
        start, end, snippet, marks = snippet_for(texts[article_id], words, prefer)
        hits.append(
            SearchHit(
                kind="article",
                article_id=article_id,
                title=title,
                score=score,
                start=start,
                end=end,
                snippet=snippet,
                highlights=marks,
            )
        )
    return hits


def _words_indexed(conn: sqlite3.Connection, words: list[str]) -> bool:
    """False when some word (not the last, which may be a prefix) is in no article at all.

    Then the word query cannot match, and asking it still costs a scan of the other words.
    Each word is one lookup that stops at its first article.
    """
    for token in {t for w in words[:-1] for t in _ALNUM.findall(fold(w))}:
        row = conn.execute(
            "SELECT 1 FROM article_fts WHERE article_fts MATCH ? LIMIT 1", (fts_string(token),)
        ).fetchone()
        if row is None:
            return False
    return True


def _article_rows(
    conn: sqlite3.Connection, q: Query, match: str, limit: int
) -> list[tuple[int, str, float]]:
    """Articles for an FTS5 query, best first, with a score (100 for the best).

    Up to ARTICLE_WINDOW matching articles are ranked by bm25 (a title match counts 4x).
    A query that matches more articles than that (a common word, a famous name) lists
    those that have it in the title, then the rest, newest first: bm25 would have to
    weigh every match, which costs more than the answer is worth.
    """
    join, extra = "", ""
    if q.reviewed:  # few articles: let them pick
        extra = " AND +article_fts.rowid IN (SELECT id FROM articles WHERE reviewed = 1)"
    elif q.reviewed is not None:  # most articles: the word index picks, this filters
        join = " CROSS JOIN articles r ON r.id = article_fts.rowid"
        extra = " AND r.reviewed = 0"
    base = "SELECT article_fts.rowid FROM article_fts" + join + " WHERE article_fts MATCH ?" + extra
    many = conn.execute(
        base + " ORDER BY article_fts.rowid DESC LIMIT 1 OFFSET ?", (match, ARTICLE_WINDOW - 1)
    ).fetchone()
    scored: list[tuple[int, float]]
    if many is None:
        ranked = conn.execute(
            "SELECT article_fts.rowid, bm25(article_fts, 4.0, 1.0) AS rank FROM article_fts"
            + join
            + " WHERE article_fts MATCH ?"
            + extra
            + " ORDER BY rank LIMIT ?",
            (match, limit),
        ).fetchall()
        best = min((r[1] for r in ranked), default=0.0) or -1.0  # bm25: lower is better
        scored = [(r[0], 100.0 * r[1] / best if best < 0 else 0.0) for r in ranked]
    else:
        order = " ORDER BY article_fts.rowid DESC LIMIT ?"
        titled = [r[0] for r in conn.execute(base + order, (f"title : ({match})", limit))]
        scored = [(aid, 100.0) for aid in titled]
        if len(scored) < limit:
            seen = set(titled)
            rest = conn.execute(base + order, (match, limit + len(seen))).fetchall()
            scored += [(r[0], 50.0) for r in rest if r[0] not in seen][: limit - len(scored)]
    if not scored:
        return []
    titles = dict(
        conn.execute(
            f"SELECT id, title FROM articles WHERE id IN ({','.join('?' * len(scored))})",
            [r[0] for r in scored],
        ).fetchall()
    )
    return [(aid, titles[aid], score) for aid, score in scored]


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
