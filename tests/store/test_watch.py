"""Watch-lists: a saved search, its articles, unread and new counts; add and remove undoable."""

from __future__ import annotations

import pytest

from store.errors import CorrectionError, NotFound, QueryError

from .test_entities import draft


def test_a_watch_counts_its_articles_unread_and_new_since_opened(store) -> None:
    store.add_articles(
        [
            draft("Hezbollah fired.", [("Hezbollah", "ORG")]),
            draft("Quiet in Beirut.", [("Beirut", "GPE")]),
        ]
    )
    wid = store.add_watch("label:ORG hezbollah")
    [w] = store.watches()
    assert (w.id, w.articles, w.unread, w.new) == (wid, 1, 1, 0)
    store.add_articles([draft("Hezbollah again.", [("Hezbollah", "ORG")], "2024-01-01")])
    [w] = store.watches()
    assert (w.articles, w.new) == (2, 1)
    assert [a.title for a in store.watch_articles(str(wid))] == [
        "Hezbollah fired.",
        "Hezbollah again.",
    ]
    store.mark_watch_seen("label:ORG hezbollah")
    store.mark_read(1)
    [w] = store.watches()
    assert (w.articles, w.unread, w.new) == (2, 1, 0)


def test_adding_and_removing_are_undoable_and_bad_input_is_one_sentence(store) -> None:
    store.add_articles([draft("Hezbollah fired.", [("Hezbollah", "ORG")])])
    store.add_watch("hezbollah")
    assert store.next_undo().describe() == "watch 'hezbollah'"
    with pytest.raises(CorrectionError, match="already a watch-list"):
        store.add_watch("hezbollah")
    with pytest.raises(QueryError):
        store.add_watch("label:NOPE x")
    store.remove_watch("hezbollah")
    assert store.watches() == []
    store.undo()
    assert [w.query for w in store.watches()] == ["hezbollah"]
    with pytest.raises(NotFound, match="no watch-list 'nothing'"):
        store.remove_watch("nothing")
