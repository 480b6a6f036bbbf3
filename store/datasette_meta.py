"""Datasette metadata for a margin database: tables and columns described, facets, search, queries."""

from __future__ import annotations

from typing import Any

from .journal import DECISIONS

# what each table holds, and each of its columns
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "articles": (
        "One row per imported article. The text never changes after import; every entity is a"
        " row of spans pointing into it.",
        {
            "id": "The article id margin's commands take (margin show ID).",
            "title": "From the file's title field or front matter, else its first line.",
            "text": "The article text; span offsets are code points into it, end exclusive.",
            "source": "The file or URL it was imported from.",
            "content_hash": "SHA-256 of the text: the same text imported twice is one article.",
            "imported_at": "When it was imported (UTC, ISO 8601).",
            "read": "1 once the article was opened in the reader.",
            "reviewed": "1 once a person marked it reviewed (R): its suggestions count as gold.",
            "reviewed_at": "When it was marked reviewed (UTC).",
            "meta": "Other fields the file gave (url, date ...), as JSON.",
            "length": "Length of the text in code points.",
            "entity_count": "Entities that are not rejected.",
            "date": "Publication date from the file (ISO 8601, UTC), if it gave one.",
        },
    ),
    "spans": (
        "Every entity mention: a model's suggestion or a person's decision. Rejected spans stay"
        " as evidence (they are not highlighted and not exported).",
        {
            "id": "The span id (margin annotate ID --accept SPAN).",
            "article_id": "The article the span is in.",
            "start": "First character, a code point offset into the article's text.",
            "end": "One past the last character (end exclusive): text[start:end] is the span.",
            "label": "The entity type (PERSON, GPE, ORG ...); see the labels table.",
            "source": "Who made it: model:NAME@VERSION, import, rule, or user.",
            "status": "suggested (not checked yet), accepted, or rejected.",
            "text": "The mention as written in the article.",
            "created_at": "When the span was written (UTC).",
            "updated_at": "When it last changed (UTC).",
        },
    ),
    "entities": (
        "One row per distinct name and label among the spans that are not rejected, with its"
        " counts (kept by triggers); the search box is fuzzy within words (trigrams).",
        {
            "id": "Row id of the entity.",
            "surface": "The name as written.",
            "label": "Its label.",
            "mentions": "How many spans have this name and label.",
            "articles": "In how many articles.",
        },
    ),
    "labels": (
        "The entity labels: the reader's legend, number keys and colours.",
        {
            "name": "The label (PERSON, GPE ...).",
            "description": "What it stands for.",
            "color": "Its colour, #rrggbb (displaCy's palette for the standard ones).",
            "key": "The number key that gives it in the reader.",
            "position": "Its place in the legend.",
            "hidden": "1 if the project keeps it out of the legend and the number keys.",
        },
    ),
    "journal": (
        "Every change, one row each; a group is one person's action and one undo step.",
        {
            "id": "Order of the change.",
            "group_id": "The action it belongs to (margin undo reverts a whole group).",
            "at": "When (UTC, ISO 8601).",
            "actor": "user for a person's correction; import, or the model (model:NAME@VERSION).",
            "action": "accept, reject, relabel, resize, add, propagate, review, import ...",
            "article_id": "The article changed.",
            "span_id": "The span changed.",
            "before": "The span or state before the change, as JSON.",
            "after": "The span or state after the change, as JSON.",
            "undoable": "1 if margin undo can revert it.",
            "state": "done, undone, or discarded (an undone change a new one replaced).",
            "origin": "The process that made it: cli:PID@SHELL or tui:PID (a reader window).",
            "annotator": "Who made it (--annotator, $MARGIN_ANNOTATOR, config, the login name).",
        },
    ),
    "rules": (
        "Decisions learned from corrections (margin propagate --learn), applied after the model.",
        {
            "id": "The rule id (margin rules --remove ID).",
            "surface": "The name the rule matches as a whole word.",
            "label": "The label it gives (empty for a reject rule).",
            "action": "label or reject.",
            "case_sensitive": "1 if the name must match in case.",
            "created_at": "When it was learned (UTC).",
            "journal_group": "The journal group that made it.",
            "kind": "surface (learned), map (a label mapping), pattern (EntityRuler), prefix or suffix.",
            "pattern": "For a pattern rule, its EntityRuler pattern as JSON.",
        },
    ),
}

FACETS = {
    "articles": ["source", "reviewed", "read"],
    "spans": ["label", "status", "source"],
    "entities": ["label"],
    "journal": ["action", "actor", "state", "annotator"],
    "rules": ["action", "label", "kind"],
}

# the FTS5 indexes sqlite-utils' enable_fts made (store/db/m0003_fts.py), wired to the search box
SEARCH = {"articles": "articles_fts", "entities": "entities_fts"}

_DECISIONS = ", ".join(f"'{a}'" for a in DECISIONS)

QUERIES: dict[str, dict[str, str]] = {
    "mentions_of_an_entity": {
        "title": "Mentions of an entity",
        "description": "Every mention of a name (exactly as written) that is not rejected, with"
        " its article; leave the label empty for any label.",
        "sql": (
            'SELECT s.article_id, a.title, s.start, s."end", s.text, s.label, s.status,'
            " s.source, s.id AS span_id\n"
            "FROM spans s JOIN articles a ON a.id = s.article_id\n"
            "WHERE s.text = :name AND s.status != 'rejected'"
            " AND (:label = '' OR s.label = :label)\n"
            "ORDER BY s.article_id, s.start"
        ),
    },
    "corrections_by_day": {
        "title": "Corrections by day",
        "description": "What people decided each day (UTC): one correction is one undo step;"
        " undone ones are left out.",
        "sql": (
            "SELECT substr(at, 1, 10) AS day, COUNT(DISTINCT group_id) AS corrections,"
            " SUM(action = 'accept') AS accepted, SUM(action = 'reject') AS rejected,"
            " SUM(action = 'relabel') AS relabelled, SUM(action = 'resize') AS resized,"
            " SUM(action = 'add') AS added\n"
            f"FROM journal WHERE actor = 'user' AND state = 'done' AND action IN ({_DECISIONS})\n"
            "GROUP BY day ORDER BY day DESC"
        ),
    },
}


def datasette_metadata(database: str) -> dict[str, Any]:
    """Datasette's metadata (its metadata.json) for a margin database Datasette names database.

    Datasette names a database after its file's stem: ``margin.db`` is ``margin``.
    """
    tables: dict[str, Any] = {}
    for name, (description, columns) in TABLES.items():
        table: dict[str, Any] = {"description": description, "columns": dict(columns)}
        if name in FACETS:
            table["facets"] = list(FACETS[name])
        if name in SEARCH:
            table["fts_table"] = SEARCH[name]
            table["fts_pk"] = "id"
        tables[name] = table
    tables["articles"]["label_column"] = "title"  # a span's article_id shows the title
    tables["articles"]["sort_desc"] = "id"
    tables["journal"]["sort_desc"] = "id"
    for internal in ("_sqlite_migrations", "sqlite_sequence"):  # sqlite-utils' and SQLite's own
        tables[internal] = {"hidden": True}
    return {
        "title": "margin",
        "description": "News articles and their named entities, as margin stores them."
        " Read only: correct them in margin, so that the journal keeps every change undoable.",
        "databases": {
            database: {
                "description": "Articles, the entity spans in them, and the journal of every change.",
                "tables": tables,
                "queries": {key: dict(query) for key, query in QUERIES.items()},
            }
        },
    }
