"""The entities named in the same articles as one entity, with how many articles they share."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

SAMPLE = 200  # articles read at most: the newest that name the entity


@dataclass(frozen=True)
class Neighbour:
    """An entity that shares articles with another: its name, main label, shared articles."""

    name: str
    label: str
    articles: int

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``margin entity --json``."""
        return {"name": self.name, "label": self.label, "articles": self.articles}


def cooccurring(
    db: sqlite_utils.Database, names: tuple[str, ...], limit: int = 10, sample: int = SAMPLE
) -> tuple[list[Neighbour], int]:
    """The entities most often in the same articles as names (an alias counts as its entity).

    Reads the newest ``sample`` articles that name it at most; returns (neighbours, articles
    read when that cap was reached, else 0).
    """
    marks = ", ".join("?" * len(names))
    ids = [
        int(r[0])
        for r in db.execute(
            f"SELECT DISTINCT s.article_id FROM spans s WHERE s.text IN ({marks})"
            " AND s.status != 'rejected' ORDER BY s.article_id DESC LIMIT ?",
            [*names, sample + 1],
        )
    ]
    capped = len(ids) > sample
    ids = ids[:sample]
    if not ids:
        return [], 0
    # grouped by name in SQLite; only the grouped rows (a few per name) reach Python,
    # where an alias is counted as its entity
    rows = db.execute(
        "SELECT o.text, o.label, COUNT(*) AS n FROM (SELECT DISTINCT o.text, o.label,"
        " o.article_id FROM json_each(?) AS arts CROSS JOIN spans o ON o.article_id = arts.value"
        f" WHERE o.status != 'rejected' AND o.text NOT IN ({marks})) AS o"
        " GROUP BY o.text, o.label",
        [json.dumps(ids), *names],
    ).fetchall()
    canonical = _canonical(db, {str(r[0]) for r in rows})
    shared: dict[str, int] = {}
    label_of: dict[str, tuple[int, str]] = {}
    for text, label, n in rows:
        name = canonical.get(str(text), str(text))
        if name in names:
            continue
        shared[name] = shared.get(name, 0) + int(n)  # an upper bound when names share an article
        if n > label_of.get(name, (0, ""))[0]:
            label_of[name] = (int(n), str(label))
    top = sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    found = [Neighbour(name, label_of[name][1], n) for name, n in top]
    return found, len(ids) if capped else 0


def _canonical(db: sqlite_utils.Database, texts: set[str]) -> dict[str, str]:
    """{alias: canonical name} for those of texts that are aliases."""
    out: dict[str, str] = {}
    unique = sorted(texts)
    for i in range(0, len(unique), 500):
        chunk = unique[i : i + 500]
        out.update(
            db.execute(
                "SELECT a.alias, e.name FROM aliases a JOIN entity_ids e ON e.id = a.entity_id"
                f" WHERE a.alias IN ({', '.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
        )
    return out
