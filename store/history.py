"""The journal as a history: each group described in words, with its state, time, origin and annotator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

from .journal import describe
from .models import Change


@dataclass(frozen=True)
class HistoryEntry:
    """One journal group as the history lists it."""

    change: Change
    state: str  # done, undone (redo brings it back) or discarded (a later edit replaced it)
    undoable: bool
    annotator: str | None

    @property
    def line(self) -> str:
        """What it did in words: "relabel 'Aleppo' NORP→GPE, 11 mentions in 1 article"."""
        return self.change.describe()

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``margin log --json``."""
        c = self.change
        return {
            "group": c.group,
            "at": c.at,
            "action": c.action,
            "what": self.line,
            "state": self.state,
            "undoable": self.undoable,
            "articles": list(c.articles),
            "origin": c.origin,
            "annotator": self.annotator,
        }


def entries(db: sqlite_utils.Database, limit: int = 50, offset: int = 0) -> list[HistoryEntry]:
    """The newest journal groups first (imports and extraction runs too), ``limit`` of them."""
    groups = [
        int(r[0])
        for r in db.execute(
            "SELECT DISTINCT group_id FROM journal ORDER BY group_id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
    ]
    out: list[HistoryEntry] = []
    for group in groups:
        state, undoable = db.execute(
            "SELECT MIN(state), MAX(undoable) FROM journal WHERE group_id = ?", (group,)
        ).fetchone()
        annotator = db.execute(  # the newest row's, as the origin is (a decision a
            "SELECT annotator FROM journal WHERE group_id = ? ORDER BY id DESC LIMIT 1",
            (group,),  # propagation took in keeps its own)
        ).fetchone()[0]
        change = describe(db, group) if undoable else _bulk(db, group)
        out.append(HistoryEntry(change, str(state), bool(undoable), annotator))
    return out


def _bulk(db: sqlite_utils.Database, group: int) -> Change:
    """An import, extraction or merge group (thousands of rows) summed up without reading them."""
    action, at, origin = db.execute(
        "SELECT action, MIN(at), MAX(origin) FROM journal WHERE group_id = ?", (group,)
    ).fetchone()
    articles = tuple(
        int(r[0])
        for r in db.execute(
            "SELECT DISTINCT article_id FROM journal WHERE group_id = ? AND article_id IS NOT NULL"
            " ORDER BY article_id",
            (group,),
        )
    )
    return Change(group, str(action), str(at), articles, 0, origin=origin)
