"""Watch-lists: saved searches; the articles naming what each finds, unread and new counts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from .. import journal
from ..db import Unit
from ..errors import CorrectionError, NotFound
from ..models import SearchHit, now
from ..search import parse, search
from .names import resolve

ENTITIES = 20  # entity hits of the search a watch-list looks at
_FILTER = re.compile(r"(?i)^(label|status|reviewed):\S+$")  # as store.search.parse reads them
STRONG = 85.0  # an entity hit scoring this (of 100) names what the search asks for
DENSE = 20  # a list naming over 1 article in DENSE is read in the sort's order (see _where)


@dataclass(frozen=True)
class Watch:
    """One watch-list: its query, and how many articles match (unread; new since last opened)."""

    id: int
    query: str
    articles: int = 0
    unread: int = 0
    new: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``margin watch list --json``."""
        return {
            "id": self.id,
            "query": self.query,
            "articles": self.articles,
            "unread": self.unread,
            "new": self.new,
        }


def add(tx: Unit, query: str) -> int:
    """Save a search as a watch-list (one undo step); its articles so far count as seen."""
    query = query.strip()
    if not query:
        raise CorrectionError("a watch-list needs a search, e.g. 'label:ORG hezbollah'")
    search(tx.db, query, 1)  # a bad filter is refused now, in the search's own words
    for part in _searches(query):
        if not parse(part).terms:  # a label alone would be most of a big corpus, unindexed
            raise CorrectionError(
                f"{part.strip()!r} names nothing to watch: add a name, e.g. 'label:ORG hezbollah'"
            )
    if tx.one("SELECT 1 FROM watches WHERE query = ?", (query,)):
        raise CorrectionError(f"{query!r} is already a watch-list")
    state = {
        "query": query,
        "created_at": now(),
        "seen": int(tx.one("SELECT COALESCE(MAX(id), 0) FROM articles")),
    }
    cur = tx.execute(
        "INSERT INTO watches (query, created_at, seen) VALUES (?, ?, ?)",
        (state["query"], state["created_at"], state["seen"]),
    )
    wid = int(cur.lastrowid or 0)
    journal.record(tx, "watch", after={"id": wid, **state})
    return wid


def _row(db: sqlite_utils.Database, key: str) -> dict[str, Any]:
    row = db.execute(
        "SELECT id, query, created_at, seen FROM watches WHERE CAST(id AS TEXT) = ? OR query = ?",
        (key, key),
    ).fetchone()
    if row is None:
        raise NotFound(f"no watch-list {key!r} (margin watch list shows them)")
    return dict(zip(("id", "query", "created_at", "seen"), row, strict=True))


def remove(tx: Unit, key: str) -> str:
    """Drop a watch-list by id or query (one undo step); return its query."""
    row = _row(tx.db, key)
    tx.execute("DELETE FROM watches WHERE id = ?", (row["id"],))
    journal.record(tx, "watch", before=row)
    return str(row["query"])


def _where(db: sqlite_utils.Database, query: str, ordered: bool = False) -> tuple[str, list[Any]]:
    """SQL over articles a: those naming an entity the search finds (else its article hits);
    a list of names ("hezbollah, hamas") is one search per name (see _searches).

    Ordered (a page, the next one): when the list names many articles, a probe of the spans'
    (text, label, article_id) index per article in the sort's order finds a page at once;
    else (and to count) the matching ids are gathered once from that index.
    """
    pairs: dict[tuple[str, str], None] = {}
    ids: set[int] = set()
    for part in _searches(query):
        hits = search(db, part, ENTITIES)
        named = _named(db, hits)
        pairs.update(dict.fromkeys(named))
        if not named:
            ids.update(h.article_id for h in hits if h.kind == "article")
    conds: list[str] = []
    params: list[Any] = []
    if pairs:
        cond = " OR ".join("(s.text = ? AND s.label = ?)" for _ in pairs)
        params = [v for p in pairs for v in p]
        if ordered and _dense(db, list(pairs)):
            conds.append(
                "EXISTS (SELECT 1 FROM spans s WHERE s.article_id = a.id"
                f" AND s.status != 'rejected' AND ({cond}))"
            )
        else:
            conds.append(
                "a.id IN (SELECT s.article_id FROM spans s"
                f" WHERE s.status != 'rejected' AND ({cond}))"
            )
    if ids:
        conds.append(f"a.id IN ({', '.join('?' * len(ids))})")
        params += sorted(ids)
    return (f"({' OR '.join(conds)})" if conds else "0"), params


def _searches(query: str) -> list[str]:
    """The searches of a watch-list: one, or one per comma-separated name; a name without
    filters of its own takes those of the name before it ("label:ORG hezbollah, hamas")."""
    parts = [p.split() for p in query.split(",") if p.strip()]
    if len(parts) < 2:
        return [query]
    out: list[str] = []
    carried: list[str] = []
    for words in parts:
        own = [w for w in words if _FILTER.match(w)]
        carried = own or carried
        out.append(" ".join([*carried, *(w for w in words if not _FILTER.match(w))]))
    return out


def _named(db: sqlite_utils.Database, hits: list[SearchHit]) -> list[tuple[str, str]]:
    """(name, label) of the entity hits that name the search (STRONG, else the best ones),
    with every other name (alias) of their entities under the same label."""
    found = [h for h in hits if h.kind == "entity" and h.text and h.label]
    if not found:
        return []
    bar = min(STRONG, max(h.score for h in found))
    out: dict[tuple[str, str], None] = {}
    for h in found:
        if h.score >= bar and h.text and h.label:
            entity = resolve(db, h.text)
            for name in entity.names if entity else (h.text,):
                out[(name, h.label)] = None
    return list(out)


def _dense(db: sqlite_utils.Database, pairs: list[tuple[str, str]]) -> bool:
    """Whether the entities name more than one article in DENSE (from their kept counts)."""
    cond = " OR ".join("(surface = ? AND label = ?)" for _ in pairs)
    named = db.execute(
        f"SELECT COALESCE(SUM(articles), 0) FROM entities WHERE {cond}",
        [v for p in pairs for v in p],
    ).fetchone()[0]
    total = db.execute("SELECT COALESCE(MAX(id), 0) FROM articles").fetchone()[0]
    return int(named) * DENSE > int(total)


def condition(db: sqlite_utils.Database, key: str, ordered: bool = False) -> tuple[str, list[Any]]:
    """The SQL condition over articles a of a watch-list (by id or query), with its parameters:
    over the spans' (text, label) index, never a list of every matching id. Ordered: the form
    for a sorted page (LIMIT), which may differ from the form for a count."""
    return _where(db, str(_row(db, key)["query"]), ordered)


def _counted(db: sqlite_utils.Database, wid: int, query: str, seen: int) -> Watch:
    where, params = _where(db, query)
    total, unread, new = db.execute(
        f"SELECT COUNT(*), COALESCE(SUM(a.read = 0), 0), COALESCE(SUM(a.id > ?), 0)"
        f" FROM articles a WHERE {where}",
        [seen, *params],
    ).fetchone()
    return Watch(wid, query, int(total), int(unread), int(new))


def find(db: sqlite_utils.Database, key: str) -> Watch:
    """One watch-list (by id or query) with its counts."""
    row = _row(db, key)
    return _counted(db, int(row["id"]), str(row["query"]), int(row["seen"]))


def watches(db: sqlite_utils.Database) -> list[Watch]:
    """Every watch-list with its counts (matching articles, unread, new since last opened)."""
    rows = db.execute("SELECT id, query, seen FROM watches ORDER BY id").fetchall()
    return [_counted(db, int(wid), str(query), int(seen)) for wid, query, seen in rows]


def mark_seen(tx: Unit, key: str) -> None:
    """Opened now: what is imported later counts as new (not journaled: not a decision)."""
    row = _row(tx.db, key)
    tx.execute(
        "UPDATE watches SET seen = (SELECT COALESCE(MAX(id), 0) FROM articles) WHERE id = ?",
        (row["id"],),
    )
