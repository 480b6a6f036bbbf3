"""The legend's part of a label operation's undo: the labels rows it changed, per journal group.

A rename gives the new label the old one's place and number key; the journal's entries are
spans and rules, so each label operation also keeps the legend rows it changed here, and
journal's undo and redo (journal._restore_labels) put them back in the same transaction.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from .db import Unit

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
