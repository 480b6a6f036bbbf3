"""Files told by their content: margin's own entity CSV is refused as articles, CoNLL named .txt
or with no ending is read as CoNLL, and a folder import names the files it skipped."""

from __future__ import annotations

from pathlib import Path

from store import ArticleDraft, Store
from store.importer import expand_paths, import_paths

CONLL = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n\n"
CONLL2 = "Paris B-LOC\nis O\nbig O\n\nRome B-LOC\nwins O\n\n"


def test_margins_own_entity_csv_is_refused_as_articles(store: Store, tmp_path: Path) -> None:
    store.add_article(ArticleDraft(text="Paris is big.", source="t"))
    f = tmp_path / "entities.csv"
    f.write_text(
        "article,start,end,label,text,source,status\n1,0,5,GPE,Paris,model:x,suggested\n",
        encoding="utf-8",
    )
    summary = import_paths(store, [str(f)])
    assert len(summary.errors) == 1 and not summary.created
    assert "entity CSV" in summary.errors[0] and "not articles" in summary.errors[0]
    assert store.article_count() == 1


def test_a_conll_file_named_txt_is_read_as_conll(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "test.txt"
    f.write_text(CONLL, encoding="utf-8")
    summary = import_paths(store, [str(f)])
    assert summary.ok, summary.errors
    (art,) = store.iter_articles()
    assert art.text == "EU rejects German" and "DOCSTART" not in art.title


def test_a_two_column_conll_file_with_no_ending_is_read_as_conll(
    store: Store, tmp_path: Path
) -> None:
    f = tmp_path / "eng.train"
    f.write_text(CONLL2, encoding="utf-8")
    summary = import_paths(store, [str(f)])
    assert summary.ok, summary.errors
    assert sorted(a.text for a in store.iter_articles()) == ["Paris is big", "Rome wins"]


def test_prose_named_txt_stays_text(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "note.txt"
    f.write_text("Hello O\nThis is a note about B-movies\n", encoding="utf-8")
    summary = import_paths(store, [str(f)])
    assert summary.ok and [a.text for a in store.iter_articles()] == [
        "Hello O\nThis is a note about B-movies\n"
    ]


def test_a_folder_import_counts_and_names_the_files_it_skipped(
    store: Store, tmp_path: Path
) -> None:
    d = tmp_path / "conll2003"
    d.mkdir()
    (d / "eng.train").write_text(CONLL, encoding="utf-8")
    (d / "eng.testa").write_text(CONLL, encoding="utf-8")
    (d / "notes.txt").write_text("A note.", encoding="utf-8")
    skipped: list[str] = []
    assert [Path(p).name for p in expand_paths([str(d)], skipped)] == ["notes.txt"]
    assert sorted(Path(p).name for p in skipped) == ["eng.testa", "eng.train"]
    summary = import_paths(store, [str(d)])
    assert sorted(Path(p).name for p in summary.skipped) == ["eng.testa", "eng.train"]
