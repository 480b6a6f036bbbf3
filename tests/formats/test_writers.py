"""Label Studio tasks and config, CSV of entities."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

from store.models import ArticleDraft, SpanDraft

from .helpers import export


def _fill(store):
    text = 'Aleppo, "Syria", 🌍 and Damascus'
    aid = store.add_article(
        ArticleDraft(
            text,
            spans=(
                SpanDraft(0, 6, "PERSON", "model:sm@3.8"),
                SpanDraft(23, 31, "GPE", "model:sm@3.8"),
            ),
        )
    ).article_id
    first = store.spans(aid)[0]
    store.relabel(first.id, "GPE")
    store.add_span(aid, 9, 14, "GPE")
    return aid, text


def test_labelstudio(tmp_path, store):
    aid, text = _fill(store)
    result = export(store, "labelstudio", tmp_path / "tasks.json")
    tasks = json.loads((tmp_path / "tasks.json").read_text("utf-8"))
    (task,) = tasks
    assert task["data"]["text"] == text and task["data"]["article_id"] == aid
    (pred,) = task["predictions"]
    assert pred["model_version"] == "model:sm@3.8"
    assert [(r["value"]["start"], r["value"]["labels"]) for r in pred["result"]] == [
        (0, ["PERSON"]),
        (23, ["GPE"]),
    ]
    (ann,) = task["annotations"]
    assert [
        (r["value"]["start"], r["value"]["end"], r["value"]["text"], r["value"]["labels"])
        for r in ann["result"]
    ] == [(0, 6, "Aleppo", ["GPE"]), (9, 14, "Syria", ["GPE"])]
    r = ann["result"][0]
    assert (r["from_name"], r["to_name"], r["type"]) == ("label", "text", "labels")
    cfg = tmp_path / "tasks.label_config.xml"
    assert str(cfg) in result.total.files
    root = ET.fromstring(cfg.read_text("utf-8"))
    assert root.find("Labels").get("name") == "label" and root.find("Text").get("value") == "$text"
    assert {x.get("value") for x in root.iter("Label")} >= {"GPE", "PERSON"}


def test_csv(tmp_path, store):
    aid, _ = _fill(store)
    export(store, "csv", tmp_path / "e.csv", include_suggestions=True)
    rows = list(csv.reader((tmp_path / "e.csv").open(encoding="utf-8", newline="")))
    assert rows[0] == ["article", "start", "end", "label", "text", "source", "status"]
    assert rows[1:] == [
        [str(aid), "0", "6", "GPE", "Aleppo", "user", "accepted"],
        [str(aid), "9", "14", "GPE", "Syria", "user", "accepted"],
        [str(aid), "23", "31", "GPE", "Damascus", "model:sm@3.8", "suggested"],
    ]
