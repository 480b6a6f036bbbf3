"""margin merge: another file's decisions come in as an annotator's; this file's own stay as they were."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from store import ArticleDraft, SpanDraft, open_store
from store.errors import CorrectionError, DatabaseError
from tests.helpers import snapshot

SHARED = "Troops left Aleppo on Monday."
SECOND = "Idlib was shelled."
THEIRS_ONLY = "Nothing here matches."


def _other(path: Path) -> None:
    s = open_store(path)
    s.annotator = "bea"
    s.add_articles(
        [
            ArticleDraft(
                SHARED,
                spans=(
                    SpanDraft(12, 18, "GPE", "model:test@1", "suggested"),
                    SpanDraft(22, 28, "DATE", "model:test@1", "suggested"),
                ),
            ),
            ArticleDraft(SECOND, spans=(SpanDraft(0, 5, "GPE", "model:test@1", "suggested"),)),
            ArticleDraft(THEIRS_ONLY),
        ]
    )
    s.reject(2)  # bea: Monday is no entity
    s.set_reviewed(1, True)  # her suggestion left on Aleppo counts as accepted
    s.close()


@pytest.fixture
def other(tmp_path: Path) -> Path:
    path = tmp_path / "bea.db"
    _other(path)
    return path


@pytest.fixture
def mine(store):
    store.annotator = "ana"
    store.add_articles(
        [
            ArticleDraft(SECOND, spans=(SpanDraft(0, 5, "PERSON", "user", "accepted"),)),
            ArticleDraft(SHARED, spans=(SpanDraft(12, 18, "ORG", "model:x@1", "suggested"),)),
        ]
    )
    return store


def test_merge_matches_texts_by_hash_and_keeps_own_decisions(mine, other: Path) -> None:
    before = snapshot(mine)
    result = mine.merge_file(other)
    assert result.as_dict() == {
        "annotator": "bea",  # the name her journal gives
        "articles": 2,
        "reviewed": 1,
        "spans": 1,
        "unmatched": 1,
    }
    assert snapshot(mine)[:2] == before[:2]  # articles and spans as they were
    shared = next(a.id for a in mine.articles(limit=10) if a.title.startswith("Troops"))
    assert mine.other_spans("bea", shared) == [(12, 18, "GPE")]  # Monday she rejected
    second = next(a.id for a in mine.articles(limit=10) if a.title.startswith("Idlib"))
    assert mine.other_spans("bea", second) == []  # not reviewed there: suggestions undecided


def test_merging_again_replaces_the_last_merge(mine, other: Path) -> None:
    mine.merge_file(other, "bea")
    mine.merge_file(other, "bea")
    assert mine.db.execute("SELECT COUNT(*) FROM annotator_spans").fetchone()[0] == 1
    assert [a.name for a in mine.by_annotator()] == ["bea"]  # ana only imported here
    bea = next(a for a in mine.by_annotator() if a.name == "bea")
    assert (bea.merged_articles, bea.merged_reviewed, bea.merged_spans) == (2, 1, 1)


def test_own_name_is_refused(mine, other: Path) -> None:
    with pytest.raises(CorrectionError, match="own annotator"):
        mine.merge_file(other, "ana")


def test_a_file_that_is_not_margins_is_refused(mine, tmp_path: Path) -> None:
    foreign = tmp_path / "other.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError):
        mine.merge_file(foreign)
    with pytest.raises(DatabaseError, match="no such margin database"):
        mine.merge_file(tmp_path / "missing.db")
    assert mine.db.execute("SELECT COUNT(*) FROM annotator_articles").fetchone()[0] == 0
