"""The entities named in the same articles as one entity, with how many articles they share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils


@dataclass(frozen=True)
class Neighbour:
    """An entity that shares articles with another: its name, main label, shared articles."""

    name: str
    label: str
    articles: int

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``margin entity --json``."""
        return {"name": self.name, "label": self.label, "articles": self.articles}


def _marks(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join("?" * len(values))


# the articles that name the entity (by any of its names), from the spans_entity index alone
_ARTICLES = (
    "SELECT DISTINCT article_id FROM spans INDEXED BY spans_entity"
    " WHERE text IN ({names}) AND status != 'rejected'"
)
# a name as the entity it stands for: an alias counts as its canonical name
_CANONICAL = (
    "COALESCE((SELECT e.name FROM aliases a JOIN entity_ids e ON e.id = a.entity_id"
    " WHERE a.alias = o.text), o.text)"
)


def cooccurring(
    db: sqlite_utils.Database, names: tuple[str, ...], limit: int = 10
) -> list[Neighbour]:
    """The entities in most of the articles that name names (any article of the corpus).

    One grouped query in SQLite: each article of the entity, probed through spans_article for
    its other spans; an alias counts as its entity, and an article counts once per entity
    however often it names it. The main label is the one in most of those shared articles.
    """
    if not names:
        return []
    marks = _marks(names)
    top = db.execute(
        f"SELECT name, COUNT(DISTINCT article_id) AS n FROM (SELECT {_CANONICAL} AS name,"
        f" o.article_id AS article_id FROM ({_ARTICLES.format(names=marks)}) AS arts"
        " CROSS JOIN spans o INDEXED BY spans_article ON o.article_id = arts.article_id"
        f" WHERE o.status != 'rejected' AND o.text NOT IN ({marks}))"
        " GROUP BY name ORDER BY n DESC, name LIMIT ?",
        [*names, *names, limit],
    ).fetchall()
    if not top:
        return []
    # the main label of those few, over the same articles (an index read per name)
    found = [str(r[0]) for r in top]
    spelled = _spellings(db, found)
    label_of: dict[str, tuple[int, str]] = {}
    rows = db.execute(
        f"SELECT text, label, COUNT(DISTINCT article_id) FROM spans INDEXED BY spans_entity"
        f" WHERE text IN ({_marks(list(spelled))}) AND status != 'rejected'"
        f" AND article_id IN ({_ARTICLES.format(names=marks)}) GROUP BY text, label",
        [*spelled, *names],
    )
    for text, label, n in rows:
        name = spelled[str(text)]
        if int(n) > label_of.get(name, (0, ""))[0]:
            label_of[name] = (int(n), str(label))
    return [Neighbour(str(name), label_of.get(str(name), (0, ""))[1], int(n)) for name, n in top]


def _spellings(db: sqlite_utils.Database, names: list[str]) -> dict[str, str]:
    """{every name of these entities (their aliases too): the entity's name}."""
    out = {name: name for name in names}
    rows = db.execute(
        "SELECT a.alias, e.name FROM aliases a JOIN entity_ids e ON e.id = a.entity_id"
        f" WHERE e.name IN ({_marks(names)})",
        names,
    )
    out.update((str(alias), str(name)) for alias, name in rows)
    return out
