"""The tokens and sentences a file gives survive import and export in every token format."""

from __future__ import annotations

import json

import spacy
from spacy.tokens import Doc, DocBin, Span

from store import ArticleDraft, SpanDraft, Store
from tests.helpers import annotations, export, import_file

TEXT = "U.S.-based firms grew."
WORDS = ["U.S.", "-", "based", "firms", "grew", "."]


def _prodigy_tokens(text, words):
    toks, pos = [], 0
    for i, w in enumerate(words):
        start = text.index(w, pos)
        pos = start + len(w)
        toks.append(
            {"text": w, "start": start, "end": pos, "id": i, "ws": text[pos : pos + 1] == " "}
        )
    return toks


def _conll_tokens(path):
    return [
        line.split()[0]
        for line in path.read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("-DOCSTART- -X- O O")
    ]


def test_prodigy_tokens_survive(tmp_path):
    src = tmp_path / "in.jsonl"
    rec = {
        "text": TEXT,
        "tokens": _prodigy_tokens(TEXT, WORDS),
        "spans": [{"start": 0, "end": 4, "token_start": 0, "token_end": 0, "label": "GPE"}],
        "answer": "accept",
    }
    src.write_text(json.dumps(rec) + "\n", "utf-8")
    a, b = Store(tmp_path / "a.db"), Store(tmp_path / "b.db")
    try:
        import_file(a, src)
        result = export(a, "prodigy", tmp_path / "out.jsonl")
        assert not result.total.skipped  # U.S. is on the file's tokens
        (out,) = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
        assert [t["text"] for t in out["tokens"]] == WORDS
        assert "_tokens" not in out["meta"]  # written as tokens, not as meta
        assert [(s["token_start"], s["token_end"], s["label"]) for s in out["spans"]] == [
            (0, 0, "GPE")
        ]
        import_file(b, tmp_path / "out.jsonl")
        assert annotations(b) == annotations(a) == [(TEXT, True, [(0, 4, "GPE")])]
        for fmt, name in (("prodigy", "again.jsonl"), ("conll", "again.conll")):
            assert not export(b, fmt, tmp_path / name).total.skipped
        again = json.loads((tmp_path / "again.jsonl").read_text("utf-8"))
        assert [t["text"] for t in again["tokens"]] == WORDS
        assert _conll_tokens(tmp_path / "again.conll") == WORDS
    finally:
        a.close()
        b.close()


CONLL = """-DOCSTART- -X- O O

Peter B-PER
Blackburn I-PER
's O
U.S.-based O
firm O
can't O
go O
. O

It O
rains O
in O
Paris B-LOC
. O

"""


def test_conll_through_prodigy_keeps_its_tokens(tmp_path):
    src = tmp_path / "in.conll"
    src.write_text(CONLL, "utf-8")
    a, b = Store(tmp_path / "a.db"), Store(tmp_path / "b.db")
    try:
        import_file(a, src)
        export(a, "prodigy", tmp_path / "p.jsonl")
        import_file(b, tmp_path / "p.jsonl")
        assert annotations(b) == annotations(a)
        export(b, "conll", tmp_path / "back.conll")
        assert _conll_tokens(tmp_path / "back.conll") == _conll_tokens(src)
        assert (tmp_path / "back.conll").read_text("utf-8") == CONLL  # sentences too
    finally:
        a.close()
        b.close()


def test_conll_through_docbin_keeps_its_tokens_and_sentences(tmp_path):
    src = tmp_path / "in.conll"
    src.write_text(CONLL, "utf-8")
    a, b = Store(tmp_path / "a.db"), Store(tmp_path / "b.db")
    try:
        import_file(a, src)
        export(a, "spacy", tmp_path / "d.spacy")
        assert len(list(_read_docbin(tmp_path / "d.spacy").sents)) == 2
        import_file(b, tmp_path / "d.spacy")
        assert annotations(b) == annotations(a)
        export(b, "conll", tmp_path / "back.conll")
        assert (tmp_path / "back.conll").read_text("utf-8") == CONLL
    finally:
        a.close()
        b.close()


def _docbin(path):
    nlp = spacy.blank("en")
    doc = Doc(
        nlp.vocab,
        words=[*WORDS, "Paris", "too", "."],
        spaces=[False, False, True, True, False, True, True, False, False],
        sent_starts=[True, False, False, False, False, False, True, False, False],
    )
    doc.set_ents([Span(doc, 0, 1, "GPE"), Span(doc, 6, 7, "GPE")], default="outside")
    db = DocBin(store_user_data=True)
    db.add(doc)
    db.to_disk(path)
    return doc


def _read_docbin(path):
    nlp = spacy.blank("en")
    (doc,) = DocBin().from_disk(path).get_docs(nlp.vocab)
    return doc


def test_docbin_tokens_and_sentences_survive(tmp_path):
    first = _docbin(tmp_path / "in.spacy")
    a, b = Store(tmp_path / "a.db"), Store(tmp_path / "b.db")
    try:
        import_file(a, tmp_path / "in.spacy")
        for fmt, name in (("spacy", "out.spacy"), ("prodigy", "out.jsonl"), ("conll", "out.conll")):
            assert not export(a, fmt, tmp_path / name).total.skipped, fmt
        out = _read_docbin(tmp_path / "out.spacy")
        assert [t.text for t in out] == [t.text for t in first]
        assert [s.text for s in out.sents] == [s.text for s in first.sents]
        assert [(e.text, e.label_) for e in out.ents] == [(e.text, e.label_) for e in first.ents]
        assert _conll_tokens(tmp_path / "out.conll") == [t.text for t in first]
        conll = (tmp_path / "out.conll").read_text("utf-8")
        assert "\n. O\n\nParis B-GPE\n" in conll  # the DocBin's sentence boundary
        # and back through Prodigy (no sentences of its own) into a DocBin
        import_file(b, tmp_path / "out.jsonl")
        assert annotations(b) == annotations(a)
        export(b, "spacy", tmp_path / "again.spacy")
        again = _read_docbin(tmp_path / "again.spacy")
        assert [t.text for t in again] == [t.text for t in first]
        assert [s.text for s in again.sents] == [s.text for s in first.sents]
    finally:
        a.close()
        b.close()


def test_docbin_span_groups_are_reported(tmp_path, store):
    nlp = spacy.blank("en")
    doc = nlp.make_doc("Paris and Berlin are far apart.")
    doc.set_ents([Span(doc, 0, 1, "GPE")])
    doc.spans["sc"] = [Span(doc, 0, 1, "CITY"), Span(doc, 2, 3, "CITY")]
    doc.spans["empty"] = []
    db = DocBin(store_user_data=True)
    db.add(doc)
    path = tmp_path / "groups.spacy"
    db.to_disk(path)
    summary = import_file(store, path)
    (line,) = [w for w in summary.warnings if "doc.spans" in w]
    assert line.startswith(f"{path}, record 1: 2 span(s) in span groups 'sc' (2)")


def test_docstart_token_in_a_text_stays_in_its_article(tmp_path, store):
    texts = ["Say\n-DOCSTART-\nagain in Paris", "-DOCSTART- opens this one", "Ends with -DOCSTART-"]
    paris = texts[0].index("Paris")
    store.add_article(
        ArticleDraft(texts[0], spans=(SpanDraft(paris, paris + 5, "GPE", "user", "accepted"),))
    )
    for t in texts[1:]:
        store.add_article(ArticleDraft(t))
    store.add_article(ArticleDraft("-DOCSTART-"))
    result = export(store, "conll", tmp_path / "out.conll")
    assert any("is the one token -DOCSTART-" in n for n in result.total.notes)
    other = Store(tmp_path / "o.db")
    try:
        import_file(other, tmp_path / "out.conll")
        arts = list(other.iter_articles())
        assert [a.text.split() for a in arts] == [t.split() for t in texts]
        assert [(s.text, s.label) for s in other.spans(arts[0].id)] == [("Paris", "GPE")]
    finally:
        other.close()


def test_docstart_token_inside_a_conll_sentence_is_a_token(tmp_path, store):
    src = tmp_path / "in.conll"
    src.write_text("-DOCSTART- -X- O O\n\nthe O\n-DOCSTART- O\nline O\n\n", "utf-8")
    import_file(store, src)
    assert [a.text for a in store.iter_articles()] == ["the -DOCSTART- line"]
