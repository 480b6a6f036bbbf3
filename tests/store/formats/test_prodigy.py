"""Prodigy ner_manual JSONL: import, export, round trip, broken files."""

from __future__ import annotations

import json

from store.formats import detect
from tests.helpers import export, import_error, import_file, roundtrip


def _example(text, spans, answer="accept"):
    import spacy

    doc = spacy.blank("en").make_doc(text)
    toks = [
        {
            "text": t.text,
            "start": t.idx,
            "end": t.idx + len(t),
            "id": t.i,
            "ws": bool(t.whitespace_),
        }
        for t in doc
    ]
    out = []
    for s, e, label in spans:
        span = doc.char_span(s, e)
        out.append(
            {
                "start": s,
                "end": e,
                "token_start": span.start,
                "token_end": span.end - 1,
                "label": label,
            }
        )
    rec = {"text": text, "tokens": toks, "spans": out, "meta": {"source": "test"}}
    if answer:
        rec["answer"] = answer
    return rec


TEXT1 = "Zoë Müller flew from Zürich to São Paulo 🛫 with Lufthansa."
TEXT2 = "Ελληνικά: Αθήνα and 東京 are cities"


def _file(tmp_path, records, name="ann.jsonl"):
    p = tmp_path / name
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return p


def test_detected_by_content(tmp_path):
    p = _file(tmp_path, [_example(TEXT1, [(0, 10, "PERSON")])])
    assert detect(str(p), p.read_bytes()[:4096]).name == "prodigy"


def test_answers_decide_status_and_review(tmp_path, store):
    recs = [
        _example(TEXT1, [(0, 10, "PERSON"), (21, 27, "GPE")]),
        _example("Reject me Paris", [(10, 15, "GPE")], "reject"),
        _example("Ignore me Berlin", [(10, 16, "GPE")], "ignore"),
        _example("No answer Rome", [(10, 14, "GPE")], None),
    ]
    import_file(store, _file(tmp_path, recs))
    got = {
        a.text: (a.reviewed, [(s.label, s.status, s.source) for s in store.spans(a.id)])
        for a in store.iter_articles()
    }
    assert got[TEXT1] == (
        True,
        [("PERSON", "accepted", "import:prodigy"), ("GPE", "accepted", "import:prodigy")],
    )
    assert got["Reject me Paris"] == (False, [("GPE", "rejected", "import:prodigy")])
    assert got["Ignore me Berlin"] == (False, [("GPE", "suggested", "import:prodigy")])
    assert got["No answer Rome"] == (False, [("GPE", "accepted", "import:prodigy")])


def test_round_trip(tmp_path):
    recs = [
        _example(TEXT1, [(0, 10, "PERSON"), (21, 27, "GPE"), (31, 40, "GPE"), (48, 57, "ORG")]),
        _example(TEXT2, [(10, 15, "GPE"), (20, 22, "GPE")]),
        _example("Paris", [(0, 5, "GPE")]),
        _example("Nothing here.", []),
        _example("Unreviewed Oslo", [(11, 15, "GPE")], None),
    ]
    a, b, _ = roundtrip(tmp_path, _file(tmp_path, recs), "prodigy", "out.jsonl")
    assert a == b
    assert sum(len(x[2]) for x in a) == 8
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    by_text = {r["text"]: r for r in out}
    for rec in recs:
        got = by_text[rec["text"]]
        assert [
            (s["start"], s["end"], s["token_start"], s["token_end"], s["label"])
            for s in got["spans"]
        ] == [
            (s["start"], s["end"], s["token_start"], s["token_end"], s["label"])
            for s in rec["spans"]
        ]
        assert [(t["start"], t["end"]) for t in got["tokens"]] == [
            (t["start"], t["end"]) for t in rec["tokens"]
        ]
        assert got.get("answer") == rec.get("answer")


def test_span_not_on_tokens_is_reported(tmp_path, store):
    import_file(store, _file(tmp_path, [_example("Berliners like Berlin", [])]))
    aid = store.article_ids()[0]
    store.add_span(aid, 0, 6, "GPE")  # "Berlin" inside the token "Berliners"
    store.add_span(aid, 15, 21, "GPE")
    result = export(store, "prodigy", tmp_path / "o.jsonl")
    (skipped,) = result.total.skipped
    assert (skipped.start, skipped.end, skipped.reason) == (0, 6, "not on token boundaries")
    rec = json.loads((tmp_path / "o.jsonl").read_text("utf-8"))
    assert [(s["start"], s["end"]) for s in rec["spans"]] == [(15, 21)]


def test_crlf_text_offsets_are_mapped(tmp_path, store):
    text = "Line one\r\nParis is here"
    p = _file(
        tmp_path,
        [
            {
                "text": text,
                "spans": [{"start": 10, "end": 15, "label": "GPE"}],
                "answer": "accept",
                "tokens": [],
            }
        ],
    )
    import_file(store, p)
    art = next(store.iter_articles())
    (span,) = store.spans(art.id)
    assert art.text[span.start : span.end] == "Paris"


def test_broken_files(tmp_path, store):
    cases = {
        "json.jsonl": '{"text": "a", "tokens": [\n',
        "past.jsonl": json.dumps(
            {"text": "Paris", "tokens": [], "spans": [{"start": 0, "end": 9, "label": "GPE"}]}
        ),
        "neg.jsonl": json.dumps(
            {"text": "Paris", "tokens": [], "spans": [{"start": -1, "end": 2, "label": "GPE"}]}
        ),
        "surface.jsonl": json.dumps(
            {
                "text": "Paris",
                "tokens": [],
                "spans": [{"start": 0, "end": 2, "label": "GPE", "text": "Pa!"}],
            }
        ),
        "tokens.jsonl": json.dumps(
            {
                "text": "Paris is",
                "tokens": [{"text": "Paris", "start": 0, "end": 5, "id": 0}],
                "spans": [{"start": 0, "end": 5, "token_start": 0, "token_end": 1, "label": "GPE"}],
            }
        ),
        "answer.jsonl": json.dumps({"text": "Paris", "tokens": [], "answer": "maybe"}),
        "nolabel.jsonl": json.dumps(
            {"text": "Paris", "tokens": [], "spans": [{"start": 0, "end": 5}]}
        ),
    }
    for name, content in cases.items():
        p = tmp_path / name
        p.write_text('{"text": "ok", "tokens": []}\n' + content + "\n", "utf-8")
        msg = import_error(store, p, "prodigy")
        assert msg.startswith(f"{p}, line 2: "), msg


def test_spans_without_tokens_are_not_dropped(tmp_path, store):
    # a plain .jsonl whose records carry "spans" (what many tools write) is Prodigy, not articles
    line = {"text": "Aleppo fell.", "spans": [{"start": 0, "end": 6, "label": "GPE"}]}
    assert detect("x.jsonl", json.dumps(line).encode()).name == "prodigy"
    f = tmp_path / "plain.jsonl"
    f.write_text(json.dumps(line) + "\n", encoding="utf-8")
    from store.importer import import_paths

    summary = import_paths(store, [str(f)])
    assert summary.ok
    (span,) = store.spans(summary.created[0])
    assert (span.start, span.end, span.label, span.source) == (0, 6, "GPE", "import:prodigy")


def test_doccano_file_forced_as_prodigy_is_refused(tmp_path, store):
    """--format prodigy on a doccano file used to import its texts and drop every span."""
    p = tmp_path / "d.jsonl"
    p.write_text(json.dumps({"text": "Merkel spoke.", "label": [[0, 6, "PER"]]}) + "\n", "utf-8")
    msg = import_error(store, p, "prodigy")
    assert msg.startswith(f"{p}, line 1:") and "doccano" in msg


def test_textcat_label_string_is_not_doccano(tmp_path, store):
    p = tmp_path / "t.jsonl"
    p.write_text(json.dumps({"text": "Merkel spoke.", "label": "POLITICS"}) + "\n", "utf-8")
    assert import_file(store, p, "prodigy")
