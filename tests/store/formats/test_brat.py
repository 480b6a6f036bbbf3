"""brat standoff: .txt/.ann pairs, exact code-point offsets, conf files, notes, broken files."""

from __future__ import annotations

from tests.helpers import export, import_error, import_file, roundtrip

TEXT = "Émile met 李小龍 in Zürich 🎬.\nThen Ελλάδα called the 👩‍🚀 from NASA"


def _pair(folder, name, text, ann):
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.txt").write_text(text, "utf-8", newline="")
    (folder / f"{name}.ann").write_text(ann, "utf-8", newline="")
    return folder / f"{name}.ann"


def _t(n, label, text, surface, start=None):
    start = text.index(surface) if start is None else start
    return f"T{n}\t{label} {start} {start + len(surface)}\t{surface}\n"


def test_read_exact_offsets_and_warnings(tmp_path, store):
    ann = (
        _t(1, "PERSON", TEXT, "Émile")
        + _t(2, "PERSON", TEXT, "李小龍")
        + _t(3, "GPE", TEXT, "Zürich")
        + "T4\tORG 0 1;2 3\tÉ i\n"
        + "R1\tKnows Arg1:T1 Arg2:T2\n"
        + "#1\tAnnotatorNotes T1\ta note\n"
        + _t(5, "ORG", TEXT, "NASA")
    )
    folder = tmp_path / "corpus"
    _pair(folder, "a", TEXT, ann)
    summary = import_file(store, folder)
    assert store.article_count() == 1  # the .txt is the .ann's text, not a second article
    assert any("T4 is a discontinuous span" in w for w in summary.warnings)
    assert any("1 relation line(s) not imported" in w for w in summary.warnings)
    art = next(store.iter_articles())
    assert art.text == TEXT
    assert [(art.text[s.start : s.end], s.label) for s in store.spans(art.id)] == [
        ("Émile", "PERSON"),
        ("李小龍", "PERSON"),
        ("Zürich", "GPE"),
        ("NASA", "ORG"),
    ]


def test_round_trip_and_conf(tmp_path):
    ann = _t(1, "PERSON", TEXT, "Émile") + _t(2, "GPE", TEXT, "Ελλάδα") + _t(3, "ORG", TEXT, "NASA")
    ann += _t(4, "MISC", TEXT, "🎬") + _t(5, "MISC", TEXT, "👩‍🚀")
    folder = tmp_path / "in"
    _pair(folder, "x", TEXT, ann)
    _pair(folder, "y", "Paris\r\nand Lyon", "T1\tGPE 11 15\tLyon\n")
    a, b, _ = roundtrip(tmp_path, folder, "brat", "out")
    assert a == b and sum(len(x[2]) for x in a) == 6
    out = tmp_path / "out"
    conf = (out / "annotation.conf").read_text("utf-8")
    assert conf.startswith("[entities]\n") and "GPE\n" in conf and "[relations]" in conf
    visual = (out / "visual.conf").read_text("utf-8")
    assert "GPE\tbgColor:#feca74" in visual
    anns = sorted(out.glob("*.ann"))
    assert len(anns) == 2 and all(p.with_suffix(".txt").exists() for p in anns)


def test_corrections_become_notes(tmp_path, store):
    from store import ArticleDraft, SpanDraft

    text = "Aleppo is in Syria"
    res = store.add_article(ArticleDraft(text, spans=(SpanDraft(0, 6, "PERSON", "model:m@1"),)))
    (span,) = store.spans(res.article_id)
    store.relabel(span.id, "GPE")
    store.add_span(res.article_id, 13, 18, "GPE")
    export(store, "brat", tmp_path / "o")
    ann = (tmp_path / "o" / f"{res.article_id}.ann").read_text("utf-8").splitlines()
    assert ann[0] == "T1\tGPE 0 6\tAleppo"
    assert ann[1] == "T2\tGPE 13 18\tSyria"
    assert ann[2].startswith(
        "#1\tAnnotatorNotes T1\tcorrected by a person: was PERSON 'Aleppo' 0-6"
    )
    assert ann[3] == "#2\tAnnotatorNotes T2\tadded by a person"


def test_broken_files(tmp_path, store):
    cases = {
        "past": "T1\tGPE 0 99\tParis",
        "surface": "T1\tGPE 0 5\tLyon!",
        "shape": "T1\tGPE zero 5\tParis",
        "kind": "Q1\twhat",
    }
    for name, line in cases.items():
        ann = _pair(tmp_path / name, "doc", "Paris is big", "T9\tGPE 0 5\tParis\n" + line + "\n")
        msg = import_error(store, ann)
        assert msg.startswith(f"{ann}, line 2: "), msg
    lonely = tmp_path / "lonely.ann"
    lonely.write_text("T1\tGPE 0 5\tParis\n", "utf-8")
    assert "has no text file lonely.txt" in import_error(store, lonely)


def test_naming_the_txt_imports_the_pair(tmp_path, store):
    ann = _pair(tmp_path / "c", "d", "Paris is big", "T1\tGPE 0 5\tParis\n")
    summary = import_file(store, ann.with_suffix(".txt"))
    assert summary.files == 1 and summary.spans == 1


def test_dropped_annotator_notes_are_reported(tmp_path, store):
    ann = (
        _t(1, "PERSON", TEXT, "Émile")
        + "#1\tAnnotatorNotes T1\tthe painter, not the poet\n"
        + "#2\tAnnotatorNotes T1\tcheck the spelling\n"
        + "R1\tKnows Arg1:T1 Arg2:T1\n"
    )
    summary = import_file(store, _pair(tmp_path / "corpus", "a", TEXT, ann).parent)
    assert any("2 annotator note(s) not imported" in w for w in summary.warnings), summary.warnings
    assert any("1 relation line(s) not imported" in w for w in summary.warnings)
