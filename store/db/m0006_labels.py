"""Migration 6: rules of several kinds (surface, token pattern, label map, affix strip),
hidden labels, project settings (allow_overlaps), the legend's part of label operations' undo."""

from __future__ import annotations

import sqlite_utils

RULES = """
CREATE TABLE rules_new (
    id INTEGER PRIMARY KEY,
    surface TEXT NOT NULL,
    label TEXT,
    action TEXT NOT NULL CHECK (action IN ('label', 'reject', 'strip')),
    case_sensitive INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    journal_group INTEGER,
    kind TEXT NOT NULL DEFAULT 'surface'
        CHECK (kind IN ('surface', 'pattern', 'map', 'prefix', 'suffix')),
    pattern TEXT,
    UNIQUE (kind, surface, case_sensitive)
);
INSERT INTO rules_new (id, surface, label, action, case_sensitive, created_at, journal_group)
    SELECT id, surface, label, action, case_sensitive, created_at, journal_group FROM rules;
DROP TABLE rules;
ALTER TABLE rules_new RENAME TO rules;
"""


def apply(db: sqlite_utils.Database) -> None:
    """Rebuild rules with kind and pattern (a CHECK cannot be widened in place), add
    labels.hidden and the settings table."""
    _each(db, RULES)
    db.table("labels").add_column("hidden", int, not_null_default=0)
    db.table("settings").create({"key": str, "value": str}, pk="key", if_not_exists=True)
    # the labels rows a label operation changed (legend place, key), per journal group
    db.table("label_history").create(
        {"id": int, "group_id": int, "before": str, "after": str}, pk="id", not_null={"group_id"}
    )
    db.table("label_history").create_index(["group_id"])


def _each(db: sqlite_utils.Database, script: str) -> None:
    """Run a script statement by statement, inside the migration's transaction."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)
