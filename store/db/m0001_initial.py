"""Migration 1: articles, labels, spans, journal and learned rules."""

from __future__ import annotations

import sqlite_utils

from ..defaults import default_labels

SQL = """
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL UNIQUE,
    imported_at TEXT NOT NULL,
    read INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1)),
    reviewed INTEGER NOT NULL DEFAULT 0 CHECK (reviewed IN (0, 1)),
    reviewed_at TEXT,
    meta TEXT,
    length INTEGER NOT NULL DEFAULT 0,
    entity_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX articles_imported ON articles(imported_at, id);
CREATE INDEX articles_title ON articles(title COLLATE NOCASE, id);
CREATE INDEX articles_entities ON articles(entity_count, id);

CREATE TABLE labels (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL DEFAULT '',
    color TEXT NOT NULL DEFAULT '#dddddd',
    key TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE spans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    label TEXT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('suggested', 'accepted', 'rejected')),
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (start >= 0 AND "end" > start)
);
CREATE INDEX spans_article ON spans(article_id, start);
CREATE INDEX spans_surface ON spans(text, label);
CREATE INDEX spans_label_status ON spans(label, status);

-- entity_count = spans of an article that are not rejected
CREATE TRIGGER spans_count_insert AFTER INSERT ON spans WHEN NEW.status != 'rejected'
BEGIN
    UPDATE articles SET entity_count = entity_count + 1 WHERE id = NEW.article_id;
END;
CREATE TRIGGER spans_count_delete AFTER DELETE ON spans WHEN OLD.status != 'rejected'
BEGIN
    UPDATE articles SET entity_count = entity_count - 1 WHERE id = OLD.article_id;
END;
CREATE TRIGGER spans_count_update AFTER UPDATE OF status ON spans
    WHEN (OLD.status = 'rejected') != (NEW.status = 'rejected')
BEGIN
    UPDATE articles SET entity_count = entity_count
        + (CASE WHEN NEW.status = 'rejected' THEN -1 ELSE 1 END)
    WHERE id = NEW.article_id;
END;

-- every change is a row; a group is one user action (one undo step)
CREATE TABLE journal (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    article_id INTEGER,
    span_id INTEGER,
    before TEXT,
    after TEXT,
    undoable INTEGER NOT NULL DEFAULT 1,
    state TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('done', 'undone', 'discarded'))
);
CREATE INDEX journal_group ON journal(group_id);
CREATE INDEX journal_state ON journal(undoable, state, group_id);

-- decisions that later extraction applies after the model
CREATE TABLE rules (
    id INTEGER PRIMARY KEY,
    surface TEXT NOT NULL,
    label TEXT,
    action TEXT NOT NULL CHECK (action IN ('label', 'reject')),
    case_sensitive INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    journal_group INTEGER,
    UNIQUE (surface, case_sensitive)
);
"""


def apply(db: sqlite_utils.Database) -> None:
    """Create the tables (0.1.0's schema, kept as it was written) and the default labels."""
    db.executescript(SQL)
    db.table("labels").insert_all(
        {
            "name": lab.name,
            "description": lab.description,
            "color": lab.color,
            "key": lab.key,
            "position": lab.position,
        }
        for lab in default_labels()
    )
