"""Datasette on a margin database with margin's metadata: what it describes exists, the facets
count the spans, the search boxes find articles and entities, the canned queries answer, and
nothing can be written through it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from store import ArticleDraft, SpanDraft, Store
from store.datasette_meta import datasette_metadata
from tests.helpers import dump

TEXT = "Rebels took Aleppo on Friday. Bashar al-Assad fled; Aleppo celebrated."


def fill(store: Store) -> int:
    """One article: Aleppo twice (GPE), Bashar al-Assad (PERSON); the first Aleppo accepted."""
    spans = (
        SpanDraft(12, 18, "GPE", "model:test@1"),
        SpanDraft(30, 45, "PERSON", "model:test@1"),
        SpanDraft(52, 58, "GPE", "model:test@1"),
    )
    (result,) = store.add_articles([ArticleDraft(TEXT, title="Aleppo taken", spans=spans)])
    store.add_articles([ArticleDraft("Nothing happened in Oslo.", title="Quiet day")])
    first = store.spans(result.article_id)[0]
    assert first.text == "Aleppo"
    store.accept(first.id)
    return result.article_id


def get(db: Path, path: str) -> Any:
    """GET path from Datasette (its Python API) on the database, with margin's metadata."""
    datasette = pytest.importorskip("datasette.app", reason="datasette is not installed")

    async def fetch() -> Any:
        ds = datasette.Datasette([str(db)], metadata=datasette_metadata(db.stem))
        response = await ds.client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        return response.json()

    return asyncio.run(fetch())


def test_the_metadata_describes_only_what_the_schema_has(store: Store, db_path: Path) -> None:
    db = sqlite_utils.Database(db_path)
    meta = datasette_metadata("margin")["databases"]["margin"]
    for name, table in meta["tables"].items():
        assert db[name].exists(), f"metadata describes a table margin lacks: {name}"
        columns = {c.name for c in db[name].columns}
        described = set(table.get("columns", {})) | set(table.get("facets", []))
        assert described <= columns, f"{name}: {sorted(described - columns)} are not its columns"
        if "fts_table" in table:
            assert db[table["fts_table"]].exists(), table["fts_table"]
    for name in ("articles", "spans", "entities", "labels", "journal", "rules"):
        assert set(meta["tables"][name]["columns"]) == {c.name for c in db[name].columns}


def test_a_facet_counts_the_spans_by_label(store: Store, db_path: Path) -> None:
    fill(store)
    data = get(db_path, f"/{db_path.stem}/spans.json")  # the facets come from the metadata
    facets = data["facet_results"]
    assert {"label", "status", "source"} <= set(facets)
    assert {r["value"]: r["count"] for r in facets["label"]["results"]} == {"GPE": 2, "PERSON": 1}
    assert {r["value"]: r["count"] for r in facets["status"]["results"]} == {
        "accepted": 1,
        "suggested": 2,
    }


def test_the_search_boxes_use_the_fts_indexes(store: Store, db_path: Path) -> None:
    article_id = fill(store)
    name = db_path.stem
    articles = get(db_path, f"/{name}/articles.json?_search=celebrated&_shape=array")
    assert [a["id"] for a in articles] == [article_id]
    assert get(db_path, f"/{name}/articles.json?_search=nowhere&_shape=array") == []
    entities = get(db_path, f"/{name}/entities.json?_search=Assad&_shape=array")  # trigrams
    assert [(e["surface"], e["mentions"]) for e in entities] == [("Bashar al-Assad", 1)]


def test_the_canned_queries_answer(store: Store, db_path: Path) -> None:
    article_id = fill(store)
    name = db_path.stem
    mentions = get(db_path, f"/{name}/mentions_of_an_entity.json?name=Aleppo&label=&_shape=array")
    assert [(m["article_id"], m["start"], m["status"]) for m in mentions] == [
        (article_id, 12, "accepted"),
        (article_id, 52, "suggested"),
    ]
    assert (
        get(db_path, f"/{name}/mentions_of_an_entity.json?name=Aleppo&label=ORG&_shape=array") == []
    )
    days = get(db_path, f"/{name}/corrections_by_day.json?_shape=array")
    assert len(days) == 1 and days[0]["corrections"] == 1 and days[0]["accepted"] == 1
    store.undo()  # an undone correction is no correction
    assert get(db_path, f"/{name}/corrections_by_day.json?_shape=array") == []


def test_nothing_is_written_through_datasette(store: Store, db_path: Path) -> None:
    fill(store)
    before = dump(db_path)
    datasette = pytest.importorskip("datasette.app", reason="datasette is not installed")

    async def try_writes() -> list[int]:
        ds = datasette.Datasette([str(db_path)], metadata=datasette_metadata(db_path.stem))
        codes = []
        for sql in ("DELETE FROM spans", "UPDATE articles SET title = 'x'"):
            response = await ds.client.get(f"/{db_path.stem}.json", params={"sql": sql})
            codes.append(response.status_code)
        return codes

    assert asyncio.run(try_writes()) == [400, 400]
    meta = datasette_metadata(db_path.stem)["databases"][db_path.stem]
    assert not any(q.get("write") for q in meta["queries"].values())
    assert dump(db_path) == before
