"""Mistakes a user makes: export --out of the wrong kind, an unknown label in export or search;
one line each."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import ArticleDraft, SpanDraft
from tests.helpers import margin


@pytest.fixture
def db(store, db_path: Path) -> Path:
    store.add_article(ArticleDraft("Merkel visited Paris.", spans=(SpanDraft(0, 6, "PERSON"),)))
    return db_path


@pytest.mark.parametrize("fmt", ["csv", "labelstudio"])  # spacy writes parts into a folder
def test_out_that_is_a_folder_names_it(db, tmp_path, fmt):
    folder = tmp_path / "already"
    folder.mkdir()
    res = margin(db, "export", "--format", fmt, "--out", str(folder))
    assert res.returncode == 1
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("margin: "), res.stderr
    assert str(folder) in lines[0] and "folder" in lines[0]
    assert ".already." not in res.stderr  # not the name of a temporary file
    assert list(folder.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in tmp_path.iterdir() if not p.name.startswith(".already")
    )


def test_brat_out_that_is_a_file_names_it(db, tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("keep me", encoding="utf-8")
    res = margin(db, "export", "--format", "brat", "--out", str(target))
    assert res.returncode == 1
    assert res.stderr.startswith("margin: ") and len(res.stderr.splitlines()) == 1, res.stderr
    assert str(target) in res.stderr and "folder" in res.stderr
    assert target.read_text(encoding="utf-8") == "keep me"


def test_unknown_label_is_refused(db, tmp_path):
    res = margin(db, "export", "--format", "csv", "--label", "PERSNO")
    assert res.returncode != 0 and res.stdout == ""
    assert "PERSNO" in res.stderr and "PERSON" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("args", [["label:PERSNO merkel"], ["merkel", "--label", "PERSNO"]])
def test_search_with_an_unknown_label_says_so(db, args):
    res = margin(db, "search", *args)
    assert res.returncode == 1 and res.stdout == ""
    assert res.stderr.startswith("margin: ") and len(res.stderr.splitlines()) == 1
    assert "PERSNO" in res.stderr and "PERSON" in res.stderr


def test_search_label_is_case_insensitive(db):
    res = margin(db, "search", "label:person merkel")
    assert res.returncode == 0 and "Merkel (PERSON)" in res.stdout


def test_db_and_out_under_a_file_are_one_line(store, tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    res = margin(blocker / "m.db", "list")
    assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr
    assert res.stderr.startswith("margin: ") and len(res.stderr.splitlines()) == 1
    assert str(blocker) in res.stderr
    db = tmp_path / "m.db"
    assert margin(db, "list").returncode == 0
    res = margin(db, "export", "--format", "csv", "--out", str(blocker / "x.csv"))
    assert res.returncode == 1 and len(res.stderr.splitlines()) == 1, res.stderr
    assert f"{blocker} is a file" in res.stderr


def test_brat_into_a_foreign_folder_is_one_sentence_and_untouched(db, tmp_path):
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "chapter1.tex").write_text("years of work", encoding="utf-8")
    res = margin(db, "export", "--format", "brat", "--out", str(folder))
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert res.stderr.startswith("margin: ") and len(res.stderr.splitlines()) == 1, res.stderr
    assert str(folder) in res.stderr and "not a previous margin export" in res.stderr
    assert [p.name for p in folder.iterdir()] == ["chapter1.tex"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".thesis")]
