"""The legend's part of a label operation's undo: the labels rows it changed, per journal group.

A rename gives the new label the old one's place and number key; the journal replays spans
and rules only, so each label operation also keeps the rows it changed here, and undo and redo
(through these functions) put them back in the same transaction.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from . import journal
from .db import Unit
from .models import Change

_COLS = ("name", "description", "color", "key", "position", "hidden")


def rows(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """The labels table as name -> row."""
    q = f"SELECT {', '.join(_COLS)} FROM labels"
    return {r[0]: dict(zip(_COLS, r, strict=True)) for r in db.execute(q)}


def record(tx: Unit, before: dict[str, dict[str, Any]]) -> None:
    """Keep the labels rows that changed since before, in the unit's journal group."""
    after = rows(tx.db)
    changed = {n: (before.get(n), after.get(n)) for n in set(before) | set(after)}
    changed = {n: ba for n, ba in changed.items() if ba[0] != ba[1]}
    if not changed:
        return
    tx.execute(
        "INSERT INTO label_history (group_id, before, after) VALUES (?, ?, ?)",
        (
            tx.edit_group(),
            json.dumps({n: b for n, (b, _) in changed.items()}),
            json.dumps({n: a for n, (_, a) in changed.items()}),
        ),
    )


def _restore(tx: Unit, group: int | None, side: str) -> None:
    if group is None:
        return
    order = "DESC" if side == "before" else "ASC"
    for (raw,) in tx.execute(
        f"SELECT {side} FROM label_history WHERE group_id = ? ORDER BY id {order}", (group,)
    ).fetchall():
        for name, row in json.loads(raw).items():
            tx.execute("DELETE FROM labels WHERE name = ?", (name,))
            if row is not None:
                tx.db.table("labels").insert(row)


def undo(tx: Unit) -> list[int]:
    """journal.undo, and the labels rows of that group put back."""
    group = journal.last_group(tx.db, "done")
    out = journal.undo(tx)
    _restore(tx, group, "before")
    return out


def undo_change(tx: Unit) -> Change:
    """journal.undo_change, and the labels rows of that group put back."""
    group = journal.last_group(tx.db, "done")
    change = journal.undo_change(tx)
    _restore(tx, group, "before")
    return change


def redo_change(tx: Unit) -> Change:
    """journal.redo_change, and the labels rows of that group made again."""
    group = journal.last_group(tx.db, "undone", newest=False)
    change = journal.redo_change(tx)
    _restore(tx, group, "after")
    return change
