"""CoNLL: IOB1/IOB2 on read, tab-only sentence ends, hyphenated labels, export, spacy convert."""

from __future__ import annotations

import subprocess
import sys

import pytest

from store import ArticleDraft

from .helpers import export, import_error, import_file, roundtrip

WNUT_LIKE = (
    "@paulwalk\tO\nEmpire\tB-location\nState\tI-location\nBuilding\tI-location\n=\tO\n"
    "ESB\tB-location\n.\tO\n\t\nFrom\tO\nGreen\tB-creative-work\nDay\tI-creative-work\n"
    "Zoë\tB-person\n \n"
)


def _spans(store):
    out = []
    for art in store.iter_articles():
        out.append((art.text, [(art.text[s.start : s.end], s.label) for s in store.spans(art.id)]))
    return out


def test_sentences_without_docstart_are_articles(tmp_path, store):
    p = tmp_path / "w.conll"
    p.write_text(WNUT_LIKE, "utf-8")
    import_file(store, p)
    assert _spans(store) == [
        (
            "@paulwalk Empire State Building = ESB .",
            [("Empire State Building", "location"), ("ESB", "location")],
        ),
        ("From Green Day Zoë", [("Green Day", "creative-work"), ("Zoë", "person")]),
    ]
    assert all(a.reviewed for a in store.iter_articles())


def test_iob1_and_documents(tmp_path, store):
    p = tmp_path / "eng.train"
    p.write_text(
        "-DOCSTART- -X- -X- O\n\n"
        "EU NNP I-NP I-ORG\nrejects VBZ I-VP O\nGerman JJ I-NP I-MISC\ncall NN I-NP O\n"
        "Peter NNP I-NP I-PER\nBlackburn NNP I-NP I-PER\nBonn NNP I-NP B-PER\n\n"
        "Second NN I-NP O\nsentence NN I-NP O\n\n"
        "-DOCSTART- -X- -X- O\n\nLondon NNP I-NP I-LOC\n",
        "utf-8",
    )
    import_file(store, p, "conll2003")
    assert _spans(store) == [
        (
            "EU rejects German call Peter Blackburn Bonn\nSecond sentence",
            [("EU", "ORG"), ("German", "MISC"), ("Peter Blackburn", "PER"), ("Bonn", "PER")],
        ),
        ("London", [("London", "LOC")]),
    ]


def test_round_trip_two_and_four_columns(tmp_path):
    p = tmp_path / "in.conll"
    p.write_text(
        "-DOCSTART- -X- O O\n\nZoë B-PER\nMüller I-PER\nvisits O\n東京 B-GPE\n🎉 O\n\n"
        "New B-GPE\nYork I-GPE\n\n-DOCSTART- -X- O O\n\nNothing O\nhere O\n",
        "utf-8",
    )
    a, b, _ = roundtrip(tmp_path, p, "conll", "out.conll")
    assert a == b and sum(len(x[2]) for x in a) == 3
    assert (tmp_path / "out.conll").read_text("utf-8") == p.read_text("utf-8") + "\n"
    four = tmp_path / "four"
    four.mkdir()
    a4, b4, _ = roundtrip(four, p, "conll2003", "out4.conll", "conll2003")
    assert a4 == a and b4 == b
    assert "Zoë -X- -X- B-PER" in (four / "out4.conll").read_text("utf-8")


def test_export_tokenises_and_reports(tmp_path, store):
    res = store.add_article(ArticleDraft("Apple's CEO met Berliners in New York.\nThen left."))
    aid = res.article_id
    store.add_span(aid, 0, 5, "ORG")
    store.add_span(aid, 16, 22, "GPE")  # "Berlin" inside "Berliners"
    store.add_span(aid, 29, 37, "GPE")
    result = export(store, "conll", tmp_path / "o.conll")
    (skip,) = result.total.skipped
    assert (skip.start, skip.end, skip.reason) == (16, 22, "not on token boundaries")
    assert any("not reviewed" in n for n in result.total.notes)
    lines = (tmp_path / "o.conll").read_text("utf-8").split("\n")
    assert lines[:4] == ["-DOCSTART- -X- O O", "", "Apple B-ORG", "'s O"]
    assert "New B-GPE" in lines and "York I-GPE" in lines
    assert lines[lines.index(". O") + 1] == ""  # the text's newline ends a sentence


def test_broken_files(tmp_path, store):
    cases = {
        "one column": "Paris B-GPE\nalone\n",
        "columns differ": "Paris B-GPE\nis VBZ O\n",
        "bad tag": "Paris X-GPE\n",
        "empty label": "Paris B-\n",
    }
    for name, content in cases.items():
        p = tmp_path / (name.replace(" ", "_") + ".conll")
        p.write_text(content, "utf-8")
        msg = import_error(store, p)
        assert msg.startswith(f"{p}, line "), msg


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["conll", "conll2003"])
def test_spacy_convert_reads_export_without_warnings(tmp_path, store, fmt):
    """spaCy splits documents at "-DOCSTART- -X- O O" only (the original CoNLL-2003 line):
    a four-column export with "-X- -X-" became one document of every article."""
    for text, spans in [
        ("Zoë Müller lives in New York.", [(0, 10, "PERSON"), (20, 28, "GPE")]),
        ("Berlin is big.\nParis too.", [(0, 6, "GPE"), (15, 20, "GPE")]),
    ]:
        aid = store.add_article(ArticleDraft(text)).article_id
        for s, e, label in spans:
            store.add_span(aid, s, e, label)
        store.set_reviewed(aid)
    export(store, fmt, tmp_path / "train.conll")
    out = tmp_path / "spacy"
    out.mkdir()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy",
            "convert",
            str(tmp_path / "train.conll"),
            str(out),
            "--converter",
            "ner",
            "--n-sents",
            "0",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "⚠" not in proc.stdout + proc.stderr and "warn" not in proc.stderr.lower(), (
        proc.stdout + proc.stderr
    )
    import spacy
    from spacy.tokens import DocBin

    docs = list(DocBin().from_disk(out / "train.spacy").get_docs(spacy.blank("en").vocab))
    assert [[(e.text, e.label_) for e in d.ents] for d in docs] == [
        [("Zoë Müller", "PERSON"), ("New York", "GPE")],
        [("Berlin", "GPE"), ("Paris", "GPE")],
    ]
