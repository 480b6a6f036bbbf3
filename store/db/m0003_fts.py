"""Migration 3: the search indexes as sqlite-utils makes them (``articles_fts``, ``entities_fts``).

0.1.0 wrote its FTS5 tables by hand (``article_fts``, ``entity_fts``); sqlite-utils' and
Datasette's convention is ``<table>_fts``, made with ``enable_fts``. The triggers stay margin's
own: sqlite-utils' update trigger fires on every column, and ``articles.entity_count`` changes
with every span written, which would re-index the whole text each time.
"""

from __future__ import annotations

import sqlite_utils

ARTICLE_TOKENIZER = "unicode61 remove_diacritics 2"

_DROP = """
DROP TRIGGER IF EXISTS articles_fts_insert;
DROP TRIGGER IF EXISTS articles_fts_delete;
DROP TRIGGER IF EXISTS articles_fts_update;
DROP TRIGGER IF EXISTS entities_fts_insert;
DROP TRIGGER IF EXISTS entities_fts_delete;
DROP TABLE IF EXISTS article_vocab;
DROP TABLE IF EXISTS entity_vocab;
DROP TABLE IF EXISTS article_fts;
DROP TABLE IF EXISTS entity_fts;
"""

# sqlite-utils has no API for triggers on some columns only, nor for fts5vocab tables
_TRIGGERS = """
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles
BEGIN
    INSERT INTO articles_fts (rowid, title, text) VALUES (NEW.id, NEW.title, NEW.text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles
BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text)
        VALUES ('delete', OLD.id, OLD.title, OLD.text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles
BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text)
        VALUES ('delete', OLD.id, OLD.title, OLD.text);
    INSERT INTO articles_fts (rowid, title, text) VALUES (NEW.id, NEW.title, NEW.text);
END;
CREATE TRIGGER entities_fts_insert AFTER INSERT ON entities
BEGIN
    INSERT INTO entities_fts (rowid, surface) VALUES (NEW.id, NEW.surface);
END;
CREATE TRIGGER entities_fts_delete AFTER DELETE ON entities
BEGIN
    INSERT INTO entities_fts (entities_fts, rowid, surface) VALUES ('delete', OLD.id, OLD.surface);
END;
-- how many entities hold each trigram: the fuzzy query keeps to the rarer ones
CREATE VIRTUAL TABLE entities_fts_vocab USING fts5vocab(entities_fts, 'row');
"""


def apply(db: sqlite_utils.Database) -> None:
    """Replace the hand-made FTS5 tables by enable_fts ones, filled from the tables."""
    db.executescript(_DROP)
    db.table("articles").enable_fts(["title", "text"], tokenize=ARTICLE_TOKENIZER)
    db.table("entities").enable_fts(["surface"], tokenize="trigram")
    db.executescript(_TRIGGERS)
