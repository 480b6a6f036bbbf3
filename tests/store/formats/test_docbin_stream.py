"""spaCy export at scale: one file written a batch at a time decodes to exactly DocBin's own
bytes; a folder export is parts that spaCy's Corpus and margin's import read; nothing is left
half written; token writers tokenise with nlp.pipe a batch at a time."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
import spacy
import srsly
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.tokens import DocBin
from spacy.training import Corpus

from store import ArticleDraft, Store
from store.errors import ExportError
from store.export import ExportOptions, output_kind, run_export
from store.formats import common, docbin, docbin_stream
from tests.helpers import annotations, export, import_file

WORDS = ["Merkel", "met", "Obama", "in", "Berlin", ".", "Zoë", "東京", "🛫", "\n", "  ", "U.S."]


def _texts(n: int) -> list[str]:
    return [" ".join(WORDS[(i + k) % len(WORDS)] for k in range(3 + i % 7)) for i in range(n)]


def _fill(store: Store, n: int) -> None:
    for i, text in enumerate(_texts(n)):
        aid = store.add_article(ArticleDraft(text, title=f"t{i}")).article_id
        start = text.find("Merkel")
        if start >= 0:
            store.add_span(aid, start, start + 6, "PERSON")
        if i % 2:
            store.set_reviewed(aid)


def _decoded(data: bytes) -> dict:
    return srsly.msgpack_loads(zlib.decompress(data))


def _docs(texts: list[str]) -> list:
    nlp = spacy.blank("en")
    out = []
    for i, text in enumerate(texts):
        doc = nlp.make_doc(text)
        if len(doc) > 1:
            ent = doc[0:1]
            ent.label_ = "PERSON"
            doc.set_ents([ent], default="outside" if i % 2 else "missing")
        doc.user_data["margin"] = {"article_id": i, "title": f"t{i}"}
        out.append(doc)
    return out


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(n=st.integers(0, 12), batch=st.integers(1, 5))
def test_streamed_file_is_docbins_own_data(tmp_path_factory, monkeypatch, n, batch):
    monkeypatch.setattr(docbin_stream, "BATCH", batch)
    docs = _docs(_texts(n))
    whole = DocBin(attrs=docbin.ATTRS, store_user_data=True)
    writer = docbin_stream.DocBinWriter(docbin.ATTRS, True, None)
    for d in docs:
        whole.add(d)
        writer.add(d)
    out = tmp_path_factory.mktemp("s") / "x.spacy"
    with open(out, "wb") as fh:
        writer.write(fh)
    assert _decoded(out.read_bytes()) == _decoded(whole.to_bytes())
    back = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert [d.text for d in back] == [d.text for d in docs]
    assert [d.user_data["margin"] for d in back] == [d.user_data["margin"] for d in docs]


def test_single_file_export_loads_with_corpus_and_round_trips(tmp_path, store, monkeypatch):
    monkeypatch.setattr(docbin_stream, "BATCH", 3)
    _fill(store, 10)
    export(store, "spacy", tmp_path / "c.spacy")
    assert (tmp_path / "c.spacy").is_file()
    nlp = spacy.blank("en")
    examples = list(Corpus(tmp_path / "c.spacy")(nlp))
    assert sorted(e.reference.text for e in examples) == sorted(_texts(10))
    other = Store(tmp_path / "o.db")
    import_file(other, tmp_path / "c.spacy")
    assert annotations(other) == annotations(store)
    other.close()


def test_folder_export_writes_parts_that_spacy_and_margin_read(tmp_path, store, monkeypatch):
    monkeypatch.setattr(docbin, "PART_DOCS", 4)
    _fill(store, 10)
    out = tmp_path / "corpus"
    assert output_kind("spacy", out) == "folder"
    result = export(store, "spacy", out)
    parts = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert parts == ["part-00001.spacy", "part-00002.spacy", "part-00003.spacy"]
    sizes = [len(DocBin().from_disk(out / p)) for p in parts]
    assert sizes == [4, 4, 2] and result.total.articles == 10
    nlp = spacy.blank("en")
    examples = list(Corpus(out)(nlp))  # spacy train reads the folder
    assert sorted(e.reference.text for e in examples) == sorted(_texts(10))
    other = Store(tmp_path / "o.db")
    import_file(other, out)
    assert annotations(other) == annotations(store)
    other.close()
    # a second export to the same folder replaces it whole: no part of the first stays
    monkeypatch.setattr(docbin, "PART_DOCS", 100)
    export(store, "spacy", out)
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "part-00001.spacy"
    ]


def test_an_empty_export_to_a_folder_is_one_empty_part(tmp_path, store):
    out = tmp_path / "empty"
    out.mkdir()
    export(store, "spacy", out)
    assert len(DocBin().from_disk(out / "part-00001.spacy")) == 0


def test_which_out_is_a_folder(tmp_path):
    (tmp_path / "dir").mkdir()
    (tmp_path / "plain").write_bytes(b"")
    assert output_kind("spacy", tmp_path / "dir") == "folder"
    assert output_kind("spacy", tmp_path / "new") == "folder"
    assert output_kind("spacy", tmp_path / "new.spacy") == "file"
    assert output_kind("spacy", tmp_path / "plain") == "file"  # an existing file stays one
    assert output_kind("spacy", Path("/dev/null")) == "file"
    assert output_kind("conll", tmp_path / "dir") == "text"


def test_split_into_folders(tmp_path, store, monkeypatch):
    monkeypatch.setattr(docbin, "PART_DOCS", 3)
    _fill(store, 10)
    out = tmp_path / "corpus"
    run_export(store, ExportOptions(fmt="spacy", out=out, split=(("dev", 0.3),)))
    counts = {
        part: sum(len(DocBin().from_disk(p)) for p in (out / part).glob("*.spacy"))
        for part in ("train", "dev")
    }
    assert counts == {"train": 7, "dev": 3}


@pytest.mark.parametrize("name", ["c.spacy", "corpus"])
def test_a_failure_half_way_leaves_nothing(tmp_path, store, monkeypatch, name):
    monkeypatch.setattr(docbin_stream, "BATCH", 2)
    monkeypatch.setattr(docbin, "PART_DOCS", 2)
    _fill(store, 10)
    real = docbin._annotated
    seen = []

    def failing(exp, made, report):
        seen.append(exp.article.id)
        if len(seen) == 7:
            raise ExportError("stop here")
        return real(exp, made, report)

    monkeypatch.setattr(docbin, "_annotated", failing)
    with pytest.raises(ExportError):
        export(store, "spacy", tmp_path / name)
    left = [p.name for p in tmp_path.iterdir() if p.name not in ("margin.db",)]
    assert [p for p in left if not p.startswith("margin.db")] == []


def test_token_writers_tokenise_in_batches(monkeypatch):
    from store.models import Article

    calls: list[int] = []
    nlp = spacy.blank("en")

    class Spy:
        vocab = nlp.vocab

        def pipe(self, texts, batch_size):
            texts = list(texts)
            calls.append(len(texts))
            return nlp.pipe(texts, batch_size=batch_size)

        def make_doc(self, text):  # pragma: no cover - must not be called
            raise AssertionError("tokenised one text at a time")

    monkeypatch.setattr(common, "spacy_tokenizer", lambda: Spy())
    texts = _texts(11)

    def art(i: int, text: str, meta: dict | None = None) -> Article:
        return Article(i, "", text, "", "", "", False, False, meta)

    arts = [art(i + 1, t) for i, t in enumerate(texts)]
    arts[3] = art(4, "a b", {"_tokens": [[0, 1], [2, 3]]})  # its file's tokens: not for spaCy
    docs = [common.ExportDoc(a, ()) for a in arts]
    got = list(common.tokenised(docs, batch=4))
    assert [d.article.id for d, _ in got] == list(range(1, 12))
    assert calls == [3, 4, 3]
    assert got[3][1] is None
    for d, made in got:
        if made is not None:
            assert made.text == d.article.text
            assert common.tokens_of(d.article, doc=made) == [
                (t.idx, t.idx + len(t)) for t in nlp.make_doc(d.article.text) if not t.is_space
            ]
