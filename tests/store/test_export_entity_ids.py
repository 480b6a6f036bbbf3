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
