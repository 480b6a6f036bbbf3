"""Read-only queries the reader needs: entity groups, neighbours, positions, titles, counts."""

from __future__ import annotations

import sqlite_utils

from .articles import date_range
from .entities.watch import condition as watch_condition
from .errors import NotFound
from .models import ArticleSummary, EntityGroup, Surface
from .rows import SUMMARY_COLUMNS, summary_from_row

# each sort as (column expression, direction) pairs; the same orders as store.SORTS
SORT_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "newest": (("a.imported_at", "DESC"), ("a.id", "DESC")),
    "oldest": (("a.imported_at", "ASC"), ("a.id", "ASC")),
    "title": (("a.title COLLATE NOCASE", "ASC"), ("a.id", "ASC")),
    "entities": (("a.entity_count", "DESC"), ("a.id", "ASC")),
    "id": (("a.id", "ASC"),),
    "date": (("COALESCE(a.date, a.imported_at)", "DESC"), ("a.id", "DESC")),
}


def _keys(sort: str) -> tuple[tuple[str, str], ...]:
    try:
        return SORT_KEYS[sort]
    except KeyError:
        raise ValueError(f"unknown sort {sort!r}; choose one of {', '.join(SORT_KEYS)}") from None


def _after(keys: tuple[tuple[str, str], ...], forward: bool) -> str:
    """SQL condition for rows strictly after (forward) or before the bound row in this order."""
    parts: list[str] = []
    equal: list[str] = []
    for expr, direction in keys:
        op = ">" if (direction == "ASC") == forward else "<"
        parts.append(" AND ".join([*equal, f"{expr} {op} ?"]))
        equal.append(f"{expr} = ?")
    return " OR ".join(f"({p})" for p in parts)


def _params(values: list[object]) -> list[object]:
    out: list[object] = []
    for i in range(len(values)):
        out.extend(values[: i + 1])
    return out


def _key_values(db: sqlite_utils.Database, article_id: int, sort: str) -> list[object]:
    keys = _keys(sort)
    cols = ", ".join(expr.split(" COLLATE")[0] for expr, _ in keys)
    row = db.execute(f"SELECT {cols} FROM articles a WHERE a.id = ?", (article_id,)).fetchone()
    if row is None:
        raise NotFound(f"article {article_id} does not exist")
    return list(row)


def neighbour(
    db: sqlite_utils.Database, article_id: int, sort: str = "newest", step: int = 1
) -> int | None:
    """Return the id of the next (step 1) or previous (step -1) article in a sort order."""
    keys = _keys(sort)
    forward = step > 0
    values = _key_values(db, article_id, sort)
    order = ", ".join(
        f"{expr} {d if forward else ('ASC' if d == 'DESC' else 'DESC')}" for expr, d in keys
    )
    row = db.execute(
        f"SELECT a.id FROM articles a WHERE {_after(keys, forward)} ORDER BY {order} LIMIT 1",
        _params(values),
    ).fetchone()
    return None if row is None else int(row[0])


def next_unread(
    db: sqlite_utils.Database, article_id: int | None, sort: str = "newest", step: int = 1
) -> int | None:
    """Return the next (or previous) unread article after article_id in a sort order."""
    keys = _keys(sort)
    forward = step > 0
    order = ", ".join(
        f"{expr} {d if forward else ('ASC' if d == 'DESC' else 'DESC')}" for expr, d in keys
    )
    where, params = "a.read = 0", []
    if article_id is not None:
        where += f" AND ({_after(keys, forward)})"
        params = _params(_key_values(db, article_id, sort))
    row = db.execute(
        f"SELECT a.id FROM articles a WHERE {where} ORDER BY {order} LIMIT 1", params
    ).fetchone()
    return None if row is None else int(row[0])


def article_rank(db: sqlite_utils.Database, article_id: int, sort: str = "newest") -> int:
    """Return the 0-based position of an article in a sort order (a count, not a scan)."""
    keys = _keys(sort)
    values = _key_values(db, article_id, sort)
    row = db.execute(
        f"SELECT COUNT(*) FROM articles a WHERE {_after(keys, False)}", _params(values)
    ).fetchone()
    return int(row[0])


def article_summary(db: sqlite_utils.Database, article_id: int) -> ArticleSummary:
    """Return one article's list row (no text)."""

    row = db.execute(
        f"SELECT {SUMMARY_COLUMNS} FROM articles a WHERE a.id = ?", (article_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"article {article_id} does not exist")
    return summary_from_row(row)


def entity_groups(db: sqlite_utils.Database, article_id: int) -> list[EntityGroup]:
    """Return an article's non-rejected entities grouped by label (legend order) with counts."""
    rows = db.execute(
        "SELECT s.label, s.text, COUNT(*) AS n, MIN(s.start) AS first,"
        " SUM(s.status = 'suggested') AS pending"
        " FROM spans s LEFT JOIN labels l ON l.name = s.label"
        " WHERE s.article_id = ? AND s.status != 'rejected'"
        " GROUP BY s.label, s.text"
        " ORDER BY COALESCE(l.position, 1000000), s.label, n DESC, first",
        (article_id,),
    ).fetchall()
    groups: list[EntityGroup] = []
    current: str | None = None
    surfaces: list[Surface] = []
    for label, text, n, _first, pending in rows:
        if label != current:
            if current is not None:
                groups.append(_group(current, surfaces))
            current, surfaces = label, []
        surfaces.append(Surface(text, n, int(pending or 0)))
    if current is not None:
        groups.append(_group(current, surfaces))
    return groups


def latest_article_id(db: sqlite_utils.Database) -> int:
    """The highest article id (0 for none): cheap, for noticing another process's imports."""
    row = db.execute("SELECT MAX(id) FROM articles").fetchone()
    return int(row[0] or 0)


def library_counts(db: sqlite_utils.Database) -> tuple[int, int, int]:
    """Return (articles, unread, reviewed) in one pass."""
    row = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(read = 0), 0), COALESCE(SUM(reviewed), 0) FROM articles"
    ).fetchone()
    return int(row[0]), int(row[1]), int(row[2])


def find_titles(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[tuple[int, str]]:
    """Return (id, title) of articles whose title contains query (case-insensitive)."""
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = db.execute(
        "SELECT id, title FROM articles WHERE title LIKE ? ESCAPE '\\'"
        " ORDER BY imported_at DESC, id DESC LIMIT ?",
        (pattern, limit),
    )
    return [(int(r[0]), str(r[1])) for r in rows]


def _group(label: str, surfaces: list[Surface]) -> EntityGroup:
    return EntityGroup(label, sum(s.count for s in surfaces), tuple(surfaces))


# -- the review queue: articles by state (library filter, `margin list --unreviewed`) -------

STATES = {
    "all": "1",
    "unread": "a.read = 0",
    "unreviewed": "a.reviewed = 0",
    "reviewed": "a.reviewed = 1",
}


def _state(state: str) -> str:
    """The SQL condition of a state, or of several joined by "+" ("unread+unreviewed")."""
    try:
        return " AND ".join(STATES[part] for part in state.split("+"))
    except KeyError:
        raise ValueError(f"unknown state {state!r}; choose one of {', '.join(STATES)}") from None


def _order(keys: tuple[tuple[str, str], ...], forward: bool) -> str:
    flip = {"ASC": "DESC", "DESC": "ASC"}
    return ", ".join(f"{expr} {d if forward else flip[d]}" for expr, d in keys)


def _scope(
    db: sqlite_utils.Database,
    state: str,
    since: str | None = None,
    until: str | None = None,
    watch: str | None = None,
    ordered: str | None = None,
) -> tuple[str, list[object]]:
    """The SQL condition (and parameters) of what the library shows: a state, a date range,
    and a watch-list (its id or query), each optional; ordered: the sort of a sorted page."""
    where, params = _state_and_dates(state, since, until)
    if watch is not None and ordered not in (None, "newest", "oldest"):
        # the read / reviewed indexes keep import order only: in another order SQLite would
        # sort every unread match; walking the order's own index finds a page at once
        where = where.replace("a.read =", "+a.read =").replace("a.reviewed =", "+a.reviewed =")
    out: list[object] = list(params)
    if watch is not None:
        cond, more = watch_condition(db, watch, ordered is not None)
        where = f"({where}) AND {cond}"
        out.extend(more)
    return where, out


def next_in(
    db: sqlite_utils.Database,
    article_id: int | None,
    state: str = "unreviewed",
    sort: str = "newest",
    step: int = 1,
    wrap: bool = False,
    since: str | None = None,
    until: str | None = None,
    watch: str | None = None,
) -> int | None:
    """The next (or previous) article in a state (a date range, a watch-list) after article_id
    in a sort order.

    With wrap, when none is left that way the search starts again at the other end (and
    may find article_id itself only when it is the one article in that state).
    """
    keys = _keys(sort)
    forward = step > 0
    scope, scoped = _scope(db, state, since, until, watch, ordered=sort)
    where, params = scope, list(scoped)
    if article_id is not None:
        where = f"({scope}) AND ({_after(keys, forward)})"
        params += _params(_key_values(db, article_id, sort))
    sql = "SELECT a.id FROM articles a WHERE {} ORDER BY {} LIMIT 1"
    row = db.execute(sql.format(where, _order(keys, forward)), params).fetchone()
    if row is None and wrap and article_id is not None:
        row = db.execute(sql.format(scope, _order(keys, forward)), scoped).fetchone()
    return None if row is None else int(row[0])


def page_in(
    db: sqlite_utils.Database,
    state: str = "all",
    offset: int = 0,
    limit: int = 50,
    sort: str = "newest",
    since: str | None = None,
    until: str | None = None,
    watch: str | None = None,
) -> list[ArticleSummary]:
    """One page of the summaries of the articles in a state (and a date range, and a
    watch-list), never the whole table."""
    where, params = _scope(db, state, since, until, watch, ordered=sort)
    rows = db.execute(
        f"SELECT {SUMMARY_COLUMNS} FROM articles a WHERE {where}"
        f" ORDER BY {_order(_keys(sort), True)} LIMIT ? OFFSET ?",
        (*params, limit, offset),
    )
    return [summary_from_row(r) for r in rows]


def count_in(
    db: sqlite_utils.Database,
    state: str = "all",
    since: str | None = None,
    until: str | None = None,
    watch: str | None = None,
) -> int:
    """How many articles are in a state (and a date range, and a watch-list)."""
    where, params = _scope(db, state, since, until, watch)
    return int(db.execute(f"SELECT COUNT(*) FROM articles a WHERE {where}", params).fetchone()[0])


def _state_and_dates(state: str, since: str | None, until: str | None) -> tuple[str, list[str]]:
    dates, params = date_range(since, until)
    where = _state(state)
    if dates:
        where = f"({where}) AND {dates.removeprefix(' WHERE ')}"
    return where, params


def rank_in(
    db: sqlite_utils.Database,
    article_id: int,
    state: str = "all",
    sort: str = "newest",
    since: str | None = None,
    until: str | None = None,
    watch: str | None = None,
) -> int:
    """The 0-based position of an article among those in a state (a date range, a
    watch-list): a count, not a scan."""
    keys = _keys(sort)
    values = _key_values(db, article_id, sort)
    where, params = _scope(db, state, since, until, watch)
    row = db.execute(
        f"SELECT COUNT(*) FROM articles a WHERE ({where}) AND ({_after(keys, False)})",
        [*params, *_params(values)],
    ).fetchone()
    return int(row[0])


def progress(
    db: sqlite_utils.Database, state: str = "all", watch: str | None = None
) -> tuple[int, int]:
    """(reviewed, total) over the articles in a state (and a watch-list): how far the review
    has come."""
    where, params = _scope(db, state, watch=watch)
    row = db.execute(
        f"SELECT COALESCE(SUM(a.reviewed), 0), COUNT(*) FROM articles a WHERE {where}", params
    ).fetchone()
    return int(row[0]), int(row[1])
