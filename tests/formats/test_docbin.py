"""spaCy DocBin: the export loads with DocBin().from_disk, entities equal the store's, read back."""

from __future__ import annotations

import spacy
from spacy.tokens import DocBin

from store import ArticleDraft, SpanDraft

from .helpers import annotations, export, import_error, import_file


def _fill(store):
    a = store.add_article(ArticleDraft("Zoë Müller flew to 東京 with 🛫 Lufthansa.")).article_id
    store.add_span(a, 0, 10, "PERSON")
    store.add_span(a, 19, 21, "GPE")
    store.set_reviewed(a)
    b = store.add_article(
        ArticleDraft("Paris and Berliners.", spans=(SpanDraft(0, 5, "GPE", "model:m@1"),))
    ).article_id
    store.add_span(b, 10, 16, "GPE")  # inside the token "Berliners": reported
    return a, b


def test_export_loads_and_matches_store(tmp_path, store):
    a, b = _fill(store)
    result = export(store, "spacy", tmp_path / "c.spacy")
    assert [(s.article_id, s.reason) for s in result.total.skipped] == [
        (b, "not on token boundaries")
    ]
    docs = list(DocBin().from_disk(tmp_path / "c.spacy").get_docs(spacy.blank("en").vocab))
    by_id = {d.user_data["margin"]["article_id"]: d for d in docs}
    da, db = by_id[a], by_id[b]
    assert [(e.start_char, e.end_char, e.label_) for e in da.ents] == [
        (s.start, s.end, s.label) for s in store.spans(a)
    ]
    assert all(t.ent_iob_ in ("B", "I", "O") for t in da)  # reviewed: the rest is outside
    assert db.ents == () and all(
        t.ent_iob_ == "" for t in db
    )  # a suggestion, not reviewed: missing
    assert da.user_data["margin"]["reviewed"] is True
    assert da.user_data["margin"]["spans"][0]["source"] == "user"


def test_round_trip(tmp_path, store):
    _fill(store)
    export(store, "spacy", tmp_path / "c.spacy")
    from store import Store

    other = Store(tmp_path / "o.db")
    import_file(other, tmp_path / "c.spacy")
    got = annotations(other)
    want = [
        (t, r, [s for s in spans if s != (10, 16, "GPE")]) for t, r, spans in annotations(store)
    ]
    assert got == want
    other.close()


def test_broken_file(tmp_path, store):
    p = tmp_path / "bad.spacy"
    p.write_bytes(b"not a docbin")
    assert import_error(store, p).startswith(f"{p}: is not a spaCy DocBin file")
