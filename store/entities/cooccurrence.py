"""The entities named in the same articles as one entity, with how many articles they share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

SAMPLE = 2000  # articles read at most: the newest that name the entity


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
    rows = db.execute(
        "WITH arts(id) AS (SELECT value FROM json_each(?)),"
        " seen AS (SELECT DISTINCT COALESCE(e.name, o.text) AS name, o.label, o.article_id"
        "   FROM arts CROSS JOIN spans o ON o.article_id = arts.id"
        "   LEFT JOIN aliases al ON al.alias = o.text"
        "   LEFT JOIN entity_ids e ON e.id = al.entity_id"
        f"   WHERE o.status != 'rejected' AND o.text NOT IN ({marks}))"
        " SELECT name, label, COUNT(DISTINCT article_id) AS n FROM seen"
        " GROUP BY name ORDER BY n DESC, name LIMIT ?",
        [str(ids).replace(" ", ""), *names, limit],
    ).fetchall()
    return [Neighbour(str(r[0]), str(r[1]), int(r[2])) for r in rows], len(ids) if capped else 0
