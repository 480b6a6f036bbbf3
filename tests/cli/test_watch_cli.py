"""The watch-list commands: watch add / list [--json] / show / remove, list --watch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store import open_store
from tests.store.test_entities import draft

from .test_cli import margin


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.db"
    with open_store(path) as store:
        store.add_articles(
            [
                draft("Hezbollah fired.", [("Hezbollah", "ORG")], "2024-01-01"),
                draft("Quiet in Beirut.", [("Beirut", "GPE")], "2024-01-02"),
                draft("Hezbollah again.", [("Hezbollah", "ORG")], "2024-01-03"),
            ]
        )
    return path


def _ids(out: str) -> list[int]:
    return [a["id"] for a in json.loads(out)]


def test_list_watch_by_id_or_query_with_unread_and_since(db: Path) -> None:
    done = margin("--db", db, "watch", "add", "label:ORG hezbollah")
    assert done.code == 0, done.err
    assert done.out.strip() == "watch-list 1: label:ORG hezbollah"
    done = margin("--db", db, "list", "--watch", "1", "--json")
    assert done.code == 0, done.err
    assert _ids(done.out) == [1, 3]
    assert _ids(margin("--db", db, "list", "--watch", "label:ORG hezbollah", "--json").out) == [
        1,
        3,
    ]
    with open_store(db) as store:
        store.mark_read(1)
    assert _ids(margin("--db", db, "list", "--watch", "1", "--unread", "--json").out) == [3]
    assert _ids(
        margin("--db", db, "list", "--watch", "1", "--since", "2024-01-02", "--json").out
    ) == [3]
    text = margin("--db", db, "list", "--watch", "1", "--sort", "date").out.splitlines()
    assert [int(line.split()[0]) for line in text] == [3, 1]


def test_watch_list_json_counts_articles_unread_and_new(db: Path) -> None:
    margin("--db", db, "watch", "add", "label:ORG hezbollah")
    with open_store(db) as store:
        store.add_articles([draft("Hezbollah, thrice.", [("Hezbollah", "ORG")])])
        store.mark_read(1)
    done = margin("--db", db, "watch", "list", "--json")
    assert done.code == 0, done.err
    assert json.loads(done.out) == [
        {"id": 1, "query": "label:ORG hezbollah", "articles": 3, "unread": 2, "new": 1}
    ]
    assert margin("--db", db, "list", "--watch", "1", "--json").code == 0  # list does not see
    assert json.loads(margin("--db", db, "watch", "list", "--json").out)[0]["new"] == 1
    shown = margin("--db", db, "watch", "show", "1")  # show does: the new one counts as seen
    assert shown.code == 0 and len(shown.out.splitlines()) == 3
    assert json.loads(margin("--db", db, "watch", "list", "--json").out)[0]["new"] == 0


def test_an_unknown_watch_list_is_one_sentence_and_nothing_is_listed(db: Path) -> None:
    done = margin("--db", db, "list", "--watch", "nope", "--json")
    assert done.code != 0
    assert done.out == ""
    assert "no watch-list 'nope'" in done.err and "Traceback" not in done.err
    assert len(done.err.strip().splitlines()) == 1
