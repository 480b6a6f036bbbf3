"""Nested entities (allow_overlaps) survive the span formats' exports and re-imports."""

from __future__ import annotations

import pytest

from store import ArticleDraft, open_store
from tests.helpers import export, import_file

TEXT = "She studied at the University of Aleppo in 2010."
OUTER = (TEXT.index("University"), TEXT.index(" in"), "ORG")
INNER = (TEXT.index("Aleppo"), TEXT.index("Aleppo") + 6, "GPE")


@pytest.fixture
def nested(store):
    store.set_allow_overlaps(True)
    aid = store.add_article(ArticleDraft(TEXT, title="t", source="test")).article_id
    store.add_span(aid, *OUTER)
    store.add_span(aid, *INNER)
    store.set_reviewed(aid)
    return store


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("prodigy", "o.jsonl"), ("doccano", "o.jsonl"), ("labelstudio", "o.json"), ("brat", "o")],
)
def test_span_formats_keep_both_nested_entities(nested, tmp_path, fmt, name):
    out = tmp_path / name
    res = export(nested, fmt, out)
    assert (res.total.spans, list(res.total.skipped)) == (2, [])
    with open_store(tmp_path / "back.db") as back:
        back.set_allow_overlaps(True)
        import_file(back, out if fmt != "brat" else out, fmt)
        got = sorted((s.start, s.end, s.label) for s in back.spans(1) if s.status != "rejected")
    assert got == sorted([OUTER, INNER])


def test_token_formats_report_the_nested_one(nested, tmp_path):
    res = export(nested, "conll", tmp_path / "o.conll")
    lines = [line for line in (tmp_path / "o.conll").read_text().splitlines() if line]
    assert "B-ORG" in "".join(lines) and "GPE" not in "".join(lines)
    assert [(s.label, s.reason) for s in res.total.skipped] == [("GPE", "overlaps another span")]
