"""Migration 8: article dates, stable entity ids, aliases, consistency marks and watch-lists."""

from __future__ import annotations

import sqlite_utils

SQL = """
-- the publication date a file gave (ISO 8601), NULL when it gave none
CREATE INDEX articles_dated ON articles(COALESCE(date, imported_at), id);
-- an article's date without reading its row (the text sits before it): timelines, mention pages
CREATE INDEX articles_when ON articles(id, date, imported_at);

-- every name ever seen gets an id that never changes (exports carry it)
CREATE TABLE entity_ids (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE
);
INSERT INTO entity_ids (name) SELECT DISTINCT surface FROM entities ORDER BY surface;
CREATE TRIGGER entities_stable_id AFTER INSERT ON entities
BEGIN
    INSERT OR IGNORE INTO entity_ids (name) VALUES (NEW.surface);
END;

-- alias -> the entity (id of its canonical name) it names
CREATE TABLE aliases (
    alias TEXT PRIMARY KEY,
    entity_id INTEGER NOT NULL REFERENCES entity_ids(id),
    created_at TEXT NOT NULL
);
CREATE INDEX aliases_entity ON aliases(entity_id);

-- two names a person said are not the same entity (a < b)
CREATE TABLE distinct_names (
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (a, b)
);

-- consistency-queue items a person marked as intended
CREATE TABLE check_intended (
    kind TEXT NOT NULL,
    surface TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, surface)
);

-- saved searches; seen = the highest article id when the list was last opened
CREATE TABLE watches (
    id INTEGER PRIMARY KEY,
    query TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    seen INTEGER NOT NULL DEFAULT 0
);
"""


def apply(db: sqlite_utils.Database) -> None:
    """Add articles.date with its index, then the entity tables."""
    db.table("articles").add_column("date", str)
    db.executescript(SQL)
