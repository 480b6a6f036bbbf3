"""A database written by margin 0.1.0 opens, upgrades in place and loses nothing."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from store.db.migrate import LATEST, STEPS
from tests.helpers import FIXTURES, margin


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    db = tmp_path / "margin.db"
    shutil.copy(FIXTURES / "margin-0.1.0.db", db)
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 2  # as 0.1.0 left it
    raw.close()
    return db


def expected() -> dict[str, object]:
    return json.loads((FIXTURES / "margin-0.1.0.json").read_text(encoding="utf-8"))


def counts(db: Path) -> tuple[int, ...]:
    raw = sqlite3.connect(db)
    try:
        return tuple(
            raw.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("articles", "spans", "journal", "rules", "labels")
        )
    finally:
        raw.close()


@pytest.mark.slow
def test_show_json_is_the_same_after_the_upgrade(old_db: Path) -> None:
    before = counts(old_db)
    want = expected()
    for aid, article in want["articles"].items():  # type: ignore[union-attr]
        done = margin(old_db, "show", aid, "--json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == article
    done = margin(old_db, "rules", "--json")
    assert json.loads(done.stdout) == want["rules"]
    assert counts(old_db) == before  # every article, span, journal entry, rule and label kept
    raw = sqlite3.connect(old_db)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == LATEST
        names = [r[0] for r in raw.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert names == [m.__name__.rsplit(".", 1)[-1] for _n, m in STEPS]
        assert raw.execute("SELECT reviewed, read FROM articles WHERE id = 1").fetchone() == (1, 1)
    finally:
        raw.close()


@pytest.mark.slow
def test_undo_still_undoes_the_newest_change_of_the_old_file(old_db: Path) -> None:
    done = margin(old_db, "undo")
    assert done.returncode == 0, done.stderr
    assert "propagate 'Manchester'" in done.stdout + done.stderr
    spans = json.loads(margin(old_db, "show", "2", "--json").stdout)["spans"]
    manchester = [s for s in spans if s["text"] == "Manchester"]
    assert [s["status"] for s in manchester] == ["accepted"]  # the rejection was undone
    assert margin(old_db, "redo").returncode == 0
    spans = json.loads(margin(old_db, "show", "2", "--json").stdout)["spans"]
    assert [s["status"] for s in spans if s["text"] == "Manchester"] == ["rejected"]


def test_the_upgraded_search_indexes_hold_the_old_rows(old_db: Path) -> None:
    from store import open_store

    with open_store(old_db) as s:
        hits = s.search("Zurich")  # diacritics folded, through the rebuilt trigram index
        assert any(h.kind == "entity" and h.text == "Zürich" for h in hits)
        words = s.search("Manchester")
        assert any(h.kind == "article" and h.article_id == 2 for h in words)
        assert s.db.table("articles").detect_fts() == "articles_fts"
        assert s.db.table("entities").detect_fts() == "entities_fts"
        assert "article_fts" not in s.db.table_names()  # 0.1.0's hand-made index is gone


def test_a_file_newer_than_this_margin_is_refused_with_one_sentence(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA user_version = 99")
    raw.close()
    done = margin(db, "list")
    assert done.returncode == 1
    assert "newer than this margin" in done.stderr and "Traceback" not in done.stderr
