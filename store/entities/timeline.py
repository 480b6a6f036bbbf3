"""An entity's timeline: its mentions per day or week of article date (import day if none)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils


@dataclass(frozen=True)
class Bucket:
    """One bar: the mentions in the days from start (inclusive) to end (exclusive)."""

    start: str
    end: str
    count: int


def timeline(db: sqlite_utils.Database, names: tuple[str, ...]) -> list[Bucket]:
    """Mentions per day that has any, oldest first (one grouped, indexed read)."""
    marks = ", ".join("?" * len(names))
    rows = db.execute(
        "SELECT substr(COALESCE(a.date, a.imported_at), 1, 10) AS day, COUNT(*)"
        " FROM spans s JOIN articles a INDEXED BY articles_when ON a.id = s.article_id"
        f" WHERE s.text IN ({marks}) AND s.status != 'rejected' GROUP BY day ORDER BY day",
        names,
    ).fetchall()
    out: list[Bucket] = []
    for day, n in rows:
        try:
            end = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
        except ValueError:
            continue
        out.append(Bucket(day, end, int(n)))
    return out


def bars(days: list[Bucket], by: str = "week") -> list[Bucket]:
    """The days as continuous bars (empty ones included) of a day or a week (Monday first)."""
    if not days:
        return []
    first = date.fromisoformat(days[0].start)
    last = date.fromisoformat(days[-1].start)
    step = timedelta(days=7 if by == "week" else 1)
    if by == "week":
        first -= timedelta(days=first.weekday())
    counts = {b.start: b.count for b in days}
    out: list[Bucket] = []
    at = first
    while at <= last:
        end = at + step
        n = 0
        d = at
        while d < end:
            n += counts.get(d.isoformat(), 0)
            d += timedelta(days=1)
        out.append(Bucket(at.isoformat(), end.isoformat(), n))
        at = end
    return out
