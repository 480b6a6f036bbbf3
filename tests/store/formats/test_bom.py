"""Files saved with a UTF-8 byte order mark (Windows editors, Excel) are told by their content
just like the same files without one."""

from __future__ import annotations

import json

import pytest

from store.importer import import_paths

BOM = b"\xef\xbb\xbf"
TEXT = "Angela Merkel sprach in Köln."
DOCCANO = json.dumps({"text": TEXT, "label": [[0, 13, "PER"]]})
PRODIGY = json.dumps(
    {"text": TEXT, "spans": [{"start": 0, "end": 13, "label": "PER"}], "answer": "accept"}
)
LABELSTUDIO = json.dumps(
    [
        {
            "data": {"text": TEXT},
            "annotations": [
                {
                    "result": [
                        {
                            "type": "labels",
                            "value": {"start": 0, "end": 13, "labels": ["PER"]},
                        }
                    ]
                }
            ],
        }
    ]
)


@pytest.mark.parametrize(
    ("name", "body"),
    [("d.jsonl", DOCCANO), ("p.jsonl", PRODIGY), ("ls.json", LABELSTUDIO)],
)
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_annotated_file_with_bom_keeps_its_annotations(tmp_path, store, name, body, newline):
    src = tmp_path / name
    src.write_bytes(BOM + (body + newline).encode("utf-8"))
    summary = import_paths(store, [str(src)])
    assert not summary.errors, summary.errors
    (aid,) = summary.created
    assert store.article(aid).text == TEXT
    assert [(s.start, s.end, s.label) for s in store.spans(aid)] == [(0, 13, "PER")]


def test_saved_page_with_bom_is_html(tmp_path, store):
    page = (
        "<!DOCTYPE html><html><head><title>Gipfel</title></head><body><nav>Home</nav>"
        "<article><h1>Gipfel in Brüssel</h1><p>"
        + "Die Regierungschefs trafen sich am Donnerstag in Brüssel zum Gipfel. " * 4
        + "</p></article></body></html>"
    )
    src = tmp_path / "page.html"
    src.write_bytes(BOM + page.encode("utf-8"))
    summary = import_paths(store, [str(src)])
    assert not summary.errors, summary.errors
    text = store.article(summary.created[0]).text
    assert "<" not in text and "Brüssel" in text


def test_brat_ann_with_bom(tmp_path, store):
    (tmp_path / "a.txt").write_text("Merkel traf Macron.\n", encoding="utf-8")
    (tmp_path / "a.ann").write_bytes(BOM + b"T1\tPER 0 6\tMerkel\r\nT2\tPER 12 18\tMacron\r\n")
    summary = import_paths(store, [str(tmp_path)])
    assert not summary.errors, summary.errors
    spans = store.spans(summary.created[0])
    assert [(s.start, s.end, s.text) for s in spans] == [(0, 6, "Merkel"), (12, 18, "Macron")]
