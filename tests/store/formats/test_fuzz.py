"""Damaged files of every format: the import either works or names one file and place, never crashes."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import Store
from store.importer import import_paths

PRODIGY = json.dumps(
    {
        "text": "Zoë in Zürich",
        "tokens": [
            {"text": "Zoë", "start": 0, "end": 3, "id": 0},
            {"text": "in", "start": 4, "end": 6, "id": 1},
            {"text": "Zürich", "start": 7, "end": 13, "id": 2},
        ],
        "spans": [{"start": 7, "end": 13, "token_start": 2, "token_end": 2, "label": "GPE"}],
        "answer": "accept",
    },
    ensure_ascii=False,
)
DOCCANO = json.dumps(
    {"text": "Zoë in Zürich", "label": [[0, 3, "PERSON"], [7, 13, "GPE"]]}, ensure_ascii=False
)
ENTITIES = json.dumps(
    {
        "text": "Zoë in Zürich",
        "entities": [{"id": 1, "label": "GPE", "start_offset": 7, "end_offset": 13}],
    },
    ensure_ascii=False,
)
LABELSTUDIO = json.dumps(
    [
        {
            "data": {"text": "Zoë in Zürich"},
            "annotations": [
                {
                    "result": [
                        {
                            "type": "labels",
                            "value": {"start": 7, "end": 13, "text": "Zürich", "labels": ["GPE"]},
                        }
                    ]
                }
            ],
        }
    ],
    ensure_ascii=False,
)
CONLL = "-DOCSTART- -X- O O\n\nZoë B-PER\nin O\nZürich B-GPE\n\n"
BRAT_ANN = "T1\tPERSON 0 3\tZoë\nT2\tGPE 7 13\tZürich\n#1\tAnnotatorNotes T1\tnote\n"

SAMPLES = {
    "prodigy": ("a.jsonl", PRODIGY + "\n"),
    "doccano": ("b.jsonl", DOCCANO + "\n" + ENTITIES + "\n"),
    "labelstudio": ("c.json", LABELSTUDIO),
    "conll": ("d.conll", CONLL),
    "brat": ("e.ann", BRAT_ANN),
}


@st.composite
def damaged(draw):
    fmt = draw(st.sampled_from(sorted(SAMPLES)))
    name, content = SAMPLES[fmt]
    data = bytearray(content.encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "replace", "truncate", "digit"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "delete" and data:
            del data[pos : pos + draw(st.integers(1, 5))]
        elif kind == "insert":
            data[pos:pos] = draw(
                st.sampled_from(
                    [b"9", b"-", b"\t", b"\n", b" ", b"[", b"{", b'"', b"\xc3", b";1 2", b"null"]
                )
            )
        elif kind == "replace" and data:
            data[pos] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[pos:]
        elif kind == "digit":
            digits = [i for i, b in enumerate(data) if 48 <= b <= 57]
            if digits:
                data[draw(st.sampled_from(digits))] = draw(st.integers(48, 57))
    return fmt, name, bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_files_never_crash(case):
    fmt, name, data = case
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        path = tmp_path / name
        path.write_bytes(data)
        if fmt == "brat":
            (tmp_path / "e.txt").write_text("Zoë in Zürich", "utf-8")
        store = Store(tmp_path / "m.db")
        try:
            summary = import_paths(store, [str(path)], fmt)
            if summary.errors:
                (err,) = summary.errors
                assert err.startswith(str(path)) and "\n" not in err
                assert store.article_count() == 0
            for art in store.iter_articles():
                for s in store.spans(art.id):
                    assert art.text[s.start : s.end] == s.text and 0 <= s.start < s.end <= len(
                        art.text
                    )
        finally:
            store.close()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 20) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "start",
                    "end",
                    "label",
                    "labels",
                    "text",
                    "token_start",
                    "token_end",
                    "id",
                    "start_offset",
                    "end_offset",
                    "value",
                    "type",
                    "result",
                    "data",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@st.composite
def odd_records(draw):
    fmt = draw(st.sampled_from(["prodigy", "doccano", "labelstudio"]))
    keys = {
        "prodigy": ["tokens", "spans", "answer", "meta", "_margin"],
        "doccano": ["label", "labels", "entities", "relations", "id", "reviewed"],
        "labelstudio": ["annotations", "predictions"],
    }[fmt]
    rec = {k: draw(JSON) for k in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True))}
    if fmt == "labelstudio":
        rec["data"] = draw(st.one_of(JSON, st.just({"text": "Zoë in Zürich"})))
        return fmt, "x.json", json.dumps([rec]).encode()
    rec["text"] = draw(st.one_of(JSON, st.just("Zoë in Zürich")))
    return fmt, "x.jsonl", (json.dumps(rec) + "\n").encode()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(odd_records())
def test_odd_json_never_crashes(case):
    fmt, name, data = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        store = Store(Path(tmp) / "m.db")
        try:
            summary = import_paths(store, [str(path)], fmt)
            assert len(summary.errors) <= 1
        finally:
            store.close()
