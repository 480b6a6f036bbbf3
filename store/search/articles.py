"""Article hits: the FTS5 word index ranked by bm25 (titles count more), and their snippets."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

from ..models import SearchHit
from .parse import Query, fold, fold_same_length, fts_string
from .rank import ARTICLE_WINDOW, PREFER_SCORE, SNIPPET_AFTER, SNIPPET_BEFORE

_WORD = re.compile(r"\w", re.UNICODE)
_ALNUM = re.compile(r"[^\W_]+", re.UNICODE)


def _article_match(words: list[str]) -> str | None:
    """An FTS5 query for the words (all of them; the last may be a prefix), or None."""
    words = [w for w in words if _WORD.search(w)]
    if not words:
        return None
    parts = [fts_string(w) for w in words]
    if len(fold(words[-1])) >= 3:
        parts[-1] += "*"
    return " ".join(parts)


def article_hits(
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
            "SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1", (fts_string(token),)
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
        extra = " AND +articles_fts.rowid IN (SELECT id FROM articles WHERE reviewed = 1)"
    elif q.reviewed is not None:  # most articles: the word index picks, this filters
        join = " CROSS JOIN articles r ON r.id = articles_fts.rowid"
        extra = " AND r.reviewed = 0"
    base = (
        "SELECT articles_fts.rowid FROM articles_fts" + join + " WHERE articles_fts MATCH ?" + extra
    )
    many = conn.execute(
        base + " ORDER BY articles_fts.rowid DESC LIMIT 1 OFFSET ?", (match, ARTICLE_WINDOW - 1)
    ).fetchone()
    scored: list[tuple[int, float]]
    if many is None:
        ranked = conn.execute(
            "SELECT articles_fts.rowid, bm25(articles_fts, 4.0, 1.0) AS rank FROM articles_fts"
            + join
            + " WHERE articles_fts MATCH ?"
            + extra
            + " ORDER BY rank LIMIT ?",
            (match, limit),
        ).fetchall()
        best = min((r[1] for r in ranked), default=0.0) or -1.0  # bm25: lower is better
        scored = [(r[0], 100.0 * r[1] / best if best < 0 else 0.0) for r in ranked]
    else:
        order = " ORDER BY articles_fts.rowid DESC LIMIT ?"
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
