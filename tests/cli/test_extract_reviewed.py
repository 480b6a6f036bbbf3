"""`margin extract` leaves reviewed articles alone: there every suggestion counts as a decision
in exports, so a model run after the review would slip unchecked spans into gold data."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import margin, query

GOLD = "Rebels O\nreached B-LOC\nAleppo O\n.\tO\n\n"  # a person's file: no entity on Aleppo
NEW = "Troops left Aleppo today."


@pytest.mark.parametrize("how", [[], ["--all"], ["1"]])
def test_extract_skips_reviewed_articles(tmp_path: Path, tiny_model: str, how: list[str]) -> None:
    db = tmp_path / "m.db"
    gold = tmp_path / "gold.conll"
    gold.write_text(GOLD, encoding="utf-8")
    new = tmp_path / "new.txt"
    new.write_text(NEW, encoding="utf-8")
    assert margin(db, "import", "--no-extract", str(gold)).returncode == 0
    assert margin(db, "import", "--no-extract", str(new)).returncode == 0
    res = margin(db, "extract", "--model", tiny_model, *how)
    assert res.returncode == 0, res.stderr
    assert "reviewed" in res.stderr  # says what it left out
    # the gold article keeps exactly the person's spans
    assert query(db, "SELECT label, source FROM spans WHERE article_id = 1") == [
        ("LOC", "import:conll")
    ]
    if not how or how == ["--all"]:  # the unreviewed article is still extracted
        assert query(db, "SELECT text FROM spans WHERE article_id = 2") == [("Aleppo",)]
