"""doccano JSONL: the label/labels and entities/relations variants, round trip, broken files."""

from __future__ import annotations

import json

from store.formats import detect
from tests.helpers import import_error, import_file, roundtrip

TEXT = "Zoë lives in Zürich 🏔️ near Ελλάδα."


def _file(tmp_path, records, name="d.jsonl"):
    p = tmp_path / name
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return p


def _spans(store):
    return sorted(
        (s.start, s.end, s.label, s.status) for a in store.article_ids() for s in store.spans(a)
    )


def test_variants_read_alike(tmp_path, store):
    z = TEXT.index("Zürich")
    g = TEXT.index("Ελλάδα")
    recs = [
        {"id": 1, "text": TEXT, "label": [[0, 3, "PERSON"], [z, z + 6, "GPE"]]},
        {"id": 2, "text": TEXT + " (2)", "labels": [[0, 3, "PERSON"], [g, g + 6, "GPE"]]},
        {
            "id": 3,
            "text": TEXT + " (3)",
            "entities": [
                {"id": 7, "label": "PERSON", "start_offset": 0, "end_offset": 3},
                {"id": 8, "label": "GPE", "start_offset": z, "end_offset": z + 6},
            ],
            "relations": [{"id": 1, "from_id": 7, "to_id": 8, "type": "lives_in"}],
        },
    ]
    p = _file(tmp_path, recs)
    assert detect(str(p), p.read_bytes()).name == "doccano"
    summary = import_file(store, p)
    assert summary.spans == 6
    assert any("1 relation(s) not imported" in w for w in summary.warnings)
    assert all(
        s.source == "import:doccano" and s.status == "accepted"
        for a in store.article_ids()
        for s in store.spans(a)
    )


def test_round_trip(tmp_path):
    z = TEXT.index("Zürich")
    recs = [
        {
            "text": TEXT,
            "label": [[0, 3, "PERSON"], [z, z + 6, "GPE"], [len(TEXT) - 7, len(TEXT), "LOC"]],
        },
        {"text": "No entities at all", "label": []},
    ]
    a, b, _ = roundtrip(tmp_path, _file(tmp_path, recs), "doccano", "out.jsonl")
    assert a == b and sum(len(x[2]) for x in a) == 3
    out = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert sorted(map(tuple, out[0]["label"])) == sorted(map(tuple, recs[0]["label"]))


def test_plain_jsonl_is_still_articles(tmp_path, store):
    p = _file(tmp_path, [{"text": "Just an article", "title": "T"}])
    assert detect(str(p), p.read_bytes()).name == "jsonl"


def test_broken_files(tmp_path, store):
    cases = {
        "json": "{not json",
        "past": json.dumps({"text": "Paris", "label": [[0, 6, "GPE"]]}),
        "order": json.dumps({"text": "Paris", "label": [[3, 1, "GPE"]]}),
        "shape": json.dumps({"text": "Paris", "label": [[0, 5]]}),
        "type": json.dumps({"text": "Paris", "label": [["0", 5, "GPE"]]}),
        "ents": json.dumps(
            {"text": "Paris", "entities": [{"label": "GPE", "start_offset": 0, "end_offset": 99}]}
        ),
        "notext": json.dumps({"label": [[0, 1, "X"]]}),
    }
    for name, content in cases.items():
        p = tmp_path / f"{name}.jsonl"
        p.write_text('{"text": "ok", "label": []}\n' + content + "\n", "utf-8")
        msg = import_error(store, p, "doccano")
        assert msg.startswith(f"{p}, line 2: "), msg
