"""Label Studio tasks and config, CSV of entities."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

from store import ArticleDraft, SpanDraft
from tests.helpers import export


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
    assert task["id"] == aid and task["data"]["margin_reviewed"] is False
    # not reviewed: margin's decisions are a prediction, the task is still to do
    pred, mine = task["predictions"]
    assert pred["model_version"] == "model:sm@3.8" and mine["model_version"] == "margin"
    assert [(r["value"]["start"], r["value"]["labels"]) for r in pred["result"]] == [
        (0, ["PERSON"]),
        (23, ["GPE"]),
    ]
    assert "annotations" not in task
    assert [
        (r["value"]["start"], r["value"]["end"], r["value"]["text"], r["value"]["labels"])
        for r in mine["result"]
    ] == [(0, 6, "Aleppo", ["GPE"]), (9, 14, "Syria", ["GPE"])]
    (ann,) = _reviewed_task(store, aid, tmp_path)["annotations"]
    assert ann["result"][:2] == mine["result"]
    r = ann["result"][0]
    assert (r["from_name"], r["to_name"], r["type"]) == ("label", "text", "labels")
    cfg = tmp_path / "tasks.label_config.xml"
    assert str(cfg) in result.total.files
    root = ET.fromstring(cfg.read_text("utf-8"))
    assert root.find("Labels").get("name") == "label" and root.find("Text").get("value") == "$text"
    assert {x.get("value") for x in root.iter("Label")} >= {"GPE", "PERSON"}


def _reviewed_task(store, aid, tmp_path):
    store.set_reviewed(aid)
    export(store, "labelstudio", tmp_path / "reviewed.json")
    (task,) = json.loads((tmp_path / "reviewed.json").read_text("utf-8"))
    assert task["data"]["margin_reviewed"] is True
    return task


def test_csv(tmp_path, store):
    aid, _ = _fill(store)
    export(store, "csv", tmp_path / "e.csv", include_suggestions=True)
    rows = list(csv.reader((tmp_path / "e.csv").open(encoding="utf-8", newline="")))
    assert rows[0] == ["article", "start", "end", "label", "text", "source", "status", "entity_id"]
    ids = store.entity_ids({"Aleppo", "Syria", "Damascus"})
    assert rows[1:] == [
        [str(aid), "0", "6", "GPE", "Aleppo", "user", "accepted", str(ids["Aleppo"])],
        [str(aid), "9", "14", "GPE", "Syria", "user", "accepted", str(ids["Syria"])],
        [
            str(aid),
            "23",
            "31",
            "GPE",
            "Damascus",
            "model:sm@3.8",
            "suggested",
            str(ids["Damascus"]),
        ],
    ]


def test_labelstudio_round_trip(tmp_path, store):
    from store import Store
    from tests.helpers import annotations, import_error, import_file

    _fill(store)
    store.add_article(ArticleDraft("An untouched article about 🌍."))
    export(store, "labelstudio", tmp_path / "tasks.json")
    other = Store(tmp_path / "o.db")
    summary = import_file(other, tmp_path / "tasks.json")
    assert summary.ok and annotations(other) == annotations(store)
    other.close()
    bad = tmp_path / "bad.json"
    bad.write_text(
        '[{"data": {"text": "Paris"}, "annotations": [{"result": [{"type": "labels",'
        ' "value": {"start": 0, "end": 9, "labels": ["GPE"]}}]}]}]',
        "utf-8",
    )
    assert import_error(store.__class__(tmp_path / "e.db"), bad).startswith(f"{bad}, task 1: ")


def test_labelstudio_cancelled_and_other_results(tmp_path, store):
    from tests.helpers import import_file

    p = tmp_path / "ls.json"
    p.write_text(
        json.dumps(
            [
                {
                    "data": {"text": "Zoë in Zürich"},
                    "annotations": [
                        {
                            "result": [
                                {
                                    "type": "labels",
                                    "value": {
                                        "start": 0,
                                        "end": 3,
                                        "text": "Zoë",
                                        "labels": ["PERSON"],
                                    },
                                },
                                {"type": "choices", "value": {"choices": ["news"]}},
                            ]
                        },
                        {"was_cancelled": True, "result": []},
                    ],
                },
                {"data": {"text": "Not annotated"}, "predictions": []},
            ]
        ),
        "utf-8",
    )
    summary = import_file(store, p)
    assert any("1 result item(s) that are not labels" in w for w in summary.warnings)
    arts = {a.text: a for a in store.iter_articles()}
    assert arts["Zoë in Zürich"].reviewed and not arts["Not annotated"].reviewed
    assert [(s.label, s.status) for s in store.spans(arts["Zoë in Zürich"].id)] == [
        ("PERSON", "accepted")
    ]
