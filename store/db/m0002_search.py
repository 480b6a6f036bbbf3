"""Migration 2: search indexes — article word index, entity table with counts, entity trigrams."""

from __future__ import annotations

import sqlite_utils

SQL = """
-- one row per distinct (surface, label) of the non-rejected spans, with counts
CREATE TABLE entities (
    id INTEGER PRIMARY KEY,
    surface TEXT NOT NULL,
    label TEXT NOT NULL,
    mentions INTEGER NOT NULL DEFAULT 0,
    articles INTEGER NOT NULL DEFAULT 0,
    UNIQUE (surface, label)
);
CREATE INDEX entities_label ON entities(label, mentions);
CREATE INDEX entities_mentions ON entities(mentions);
CREATE INDEX entities_surface_nocase ON entities(surface COLLATE NOCASE);

-- reviewed:yes picks a few articles without reading them all
CREATE INDEX articles_reviewed ON articles(reviewed, id);

-- spans of one entity, per article (keeps counts cheap to maintain, mention lists cheap to read)
DROP INDEX IF EXISTS spans_surface;
CREATE INDEX spans_entity ON spans(text, label, article_id, status);
-- the few spans a person decided on, for status: filters
CREATE INDEX spans_decided ON spans(status, text, label) WHERE status != 'suggested';
CREATE INDEX spans_user ON spans(text, label) WHERE source = 'user';

-- trigram index over entity surfaces: fuzzy candidates
CREATE VIRTUAL TABLE entity_fts USING fts5(
    surface, content='entities', content_rowid='id', tokenize='trigram'
);

-- how many entities hold each trigram: the fuzzy query keeps to the rarer ones
CREATE VIRTUAL TABLE entity_vocab USING fts5vocab(entity_fts, 'row');

-- word index over article titles and texts
CREATE VIRTUAL TABLE article_fts USING fts5(
    title, text, content='articles', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);

-- which words the articles hold (kept: migration 2 shipped with it; search no longer reads it,
-- as fts5vocab counts a common word's whole doclist)
CREATE VIRTUAL TABLE article_vocab USING fts5vocab(article_fts, 'row');

CREATE TRIGGER entities_fts_insert AFTER INSERT ON entities
BEGIN
    INSERT INTO entity_fts (rowid, surface) VALUES (NEW.id, NEW.surface);
END;
CREATE TRIGGER entities_fts_delete AFTER DELETE ON entities
BEGIN
    INSERT INTO entity_fts (entity_fts, rowid, surface) VALUES ('delete', OLD.id, OLD.surface);
END;

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles
BEGIN
    INSERT INTO article_fts (rowid, title, text) VALUES (NEW.id, NEW.title, NEW.text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles
BEGIN
    INSERT INTO article_fts (article_fts, rowid, title, text)
        VALUES ('delete', OLD.id, OLD.title, OLD.text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles
BEGIN
    INSERT INTO article_fts (article_fts, rowid, title, text)
        VALUES ('delete', OLD.id, OLD.title, OLD.text);
    INSERT INTO article_fts (rowid, title, text) VALUES (NEW.id, NEW.title, NEW.text);
END;

-- entity counts follow the non-rejected spans
CREATE TRIGGER spans_entity_insert AFTER INSERT ON spans WHEN NEW.status != 'rejected'
BEGIN
    INSERT INTO entities (surface, label, mentions, articles) VALUES (NEW.text, NEW.label, 1, 1)
    ON CONFLICT (surface, label) DO UPDATE SET mentions = mentions + 1,
        articles = articles + NOT EXISTS (
            SELECT 1 FROM spans s WHERE s.text = NEW.text AND s.label = NEW.label
            AND s.article_id = NEW.article_id AND s.status != 'rejected' AND s.id != NEW.id);
END;
CREATE TRIGGER spans_entity_delete AFTER DELETE ON spans WHEN OLD.status != 'rejected'
BEGIN
    UPDATE entities SET mentions = mentions - 1,
        articles = articles - NOT EXISTS (
            SELECT 1 FROM spans s WHERE s.text = OLD.text AND s.label = OLD.label
            AND s.article_id = OLD.article_id AND s.status != 'rejected' AND s.id != OLD.id)
    WHERE surface = OLD.text AND label = OLD.label;
    DELETE FROM entities WHERE surface = OLD.text AND label = OLD.label AND mentions <= 0;
END;
CREATE TRIGGER spans_entity_update AFTER UPDATE OF status, label, text, article_id ON spans
    WHEN (OLD.status = 'rejected') != (NEW.status = 'rejected')
        OR (NEW.status != 'rejected' AND (OLD.label != NEW.label OR OLD.text != NEW.text
            OR OLD.article_id != NEW.article_id))
BEGIN
    -- take the old span away (when it counted) ...
    UPDATE entities SET mentions = mentions - 1,
        articles = articles - NOT EXISTS (
            SELECT 1 FROM spans s WHERE s.text = OLD.text AND s.label = OLD.label
            AND s.article_id = OLD.article_id AND s.status != 'rejected' AND s.id != OLD.id)
    WHERE OLD.status != 'rejected' AND surface = OLD.text AND label = OLD.label;
    DELETE FROM entities WHERE OLD.status != 'rejected'
        AND surface = OLD.text AND label = OLD.label AND mentions <= 0;
    -- ... and count the new one (when it counts)
    INSERT OR IGNORE INTO entities (surface, label)
        SELECT NEW.text, NEW.label WHERE NEW.status != 'rejected';
    UPDATE entities SET mentions = mentions + 1,
        articles = articles + NOT EXISTS (
            SELECT 1 FROM spans s WHERE s.text = NEW.text AND s.label = NEW.label
            AND s.article_id = NEW.article_id AND s.status != 'rejected' AND s.id != NEW.id)
    WHERE NEW.status != 'rejected' AND surface = NEW.text AND label = NEW.label;
END;

-- backfill from what is already stored
INSERT INTO entities (surface, label, mentions, articles)
    SELECT text, label, COUNT(*), COUNT(DISTINCT article_id) FROM spans
    WHERE status != 'rejected' GROUP BY text, label;
INSERT INTO article_fts (article_fts) VALUES ('rebuild');
"""


def apply(db: sqlite_utils.Database) -> None:
    """Create what this migration adds (0.1.0's schema, kept as it was written)."""
    db.executescript(SQL)
