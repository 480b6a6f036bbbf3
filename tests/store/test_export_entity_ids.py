"""Exports carry the stable entity id where the format can: spaCy kb_id_, a span field in
Prodigy, brat N lines, Label Studio region meta, the entity CSV."""

from __future__ import annotations

import json

from spacy.tokens import DocBin

from store.export import ExportOptions, run_export

from .test_entities import draft


def corpus(store):
    store.add_articles(
        [
            draft("HTS took Idlib.", [("HTS", "ORG"), ("Idlib", "GPE")]),
            draft("Hayat Tahrir al-Sham spoke.", [("Hayat Tahrir al-Sham", "ORG")]),
        ]
    )
    store.alias("HTS", "Hayat Tahrir al-Sham")
    return store.entity_ids({"HTS", "Hayat Tahrir al-Sham", "Idlib"})


def test_every_format_that_can_carries_the_entity_id(store, tmp_path) -> None:
    ids = corpus(store)
    assert ids["HTS"] == ids["Hayat Tahrir al-Sham"] != ids["Idlib"]
    opts = dict(include_suggestions=True)
    run_export(store, ExportOptions("spacy", tmp_path / "o.spacy", **opts))
    import spacy

    docs = list(DocBin().from_disk(tmp_path / "o.spacy").get_docs(spacy.blank("en").vocab))
    assert {e.text: e.kb_id_ for d in docs for e in d.ents} == {
        "HTS": str(ids["HTS"]),
        "Idlib": str(ids["Idlib"]),
        "Hayat Tahrir al-Sham": str(ids["HTS"]),
    }
    run_export(store, ExportOptions("prodigy", tmp_path / "o.jsonl", **opts))
    recs = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert {s["text"]: s["entity_id"] for r in recs for s in r["spans"]}["HTS"] == ids["HTS"]
    run_export(store, ExportOptions("brat", tmp_path / "brat", **opts))
    ann = (tmp_path / "brat" / "1.ann").read_text()
    assert f"N1\tReference T1 margin:{ids['HTS']}\tHTS" in ann.splitlines()
    run_export(store, ExportOptions("labelstudio", tmp_path / "ls.json", **opts))
    tasks = json.loads((tmp_path / "ls.json").read_text())
    metas = [
        r.get("meta")
        for t in tasks
        for a in t.get("annotations", []) + t.get("predictions", [])
        for r in a["result"]
    ]
    assert {"entity_id": ids["HTS"]} in metas


def test_the_entity_table_has_one_row_per_entity_with_aliases_labels_and_dates(
    store, tmp_path
) -> None:
    ids = corpus(store)
    with store.unit() as tx:
        tx.execute("UPDATE articles SET date = '2024-03-01' WHERE id = 1")
        tx.execute("UPDATE articles SET date = '2024-05-02' WHERE id = 2")
    run_export(
        store, ExportOptions("entities-jsonl", tmp_path / "e.jsonl", include_suggestions=True)
    )
    rows = [json.loads(x) for x in (tmp_path / "e.jsonl").read_text().splitlines()]
    assert rows[0] == {
        "id": ids["HTS"],
        "name": "Hayat Tahrir al-Sham",
        "aliases": ["HTS"],
        "labels": {"ORG": 2},
        "mentions": 2,
        "articles": 2,
        "first_seen": "2024-03-01",
        "last_seen": "2024-05-02",
    }
    run_export(store, ExportOptions("entities", tmp_path / "e.csv", include_suggestions=True))
    lines = (tmp_path / "e.csv").read_text().splitlines()
    assert lines[0] == "id,name,aliases,labels,mentions,articles,first_seen,last_seen"
    assert lines[1] == f"{ids['HTS']},Hayat Tahrir al-Sham,HTS,ORG 2,2,2,2024-03-01,2024-05-02"
