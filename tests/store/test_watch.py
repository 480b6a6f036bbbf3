"""Watch-lists: a saved search, its articles, unread and new counts; add and remove undoable."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import open_store
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


@pytest.fixture
def watched(store):
    """Six articles, four naming Hezbollah (ORG), dated over three days; a watch-list on it."""
    store.add_articles(
        [
            draft("Hezbollah fired once.", [("Hezbollah", "ORG")], "2024-01-01"),
            draft("Quiet in Beirut.", [("Beirut", "GPE")], "2024-01-01"),
            draft("Hezbollah fired twice.", [("Hezbollah", "ORG")], "2024-01-02"),
            draft("Hezbollah the person?", [("Hezbollah", "PERSON")], "2024-01-02"),
            draft("Hezbollah fired thrice.", [("Hezbollah", "ORG")], "2024-01-03"),
            draft("Hezbollah answered.", [("Hezbollah", "ORG")], "2024-01-03"),
        ]
    )
    store.mark_read(3)
    store.set_reviewed(5, True)
    return store, str(store.add_watch("label:ORG hezbollah"))


def _ids(rows) -> list[int]:
    return [a.id for a in rows]


def test_the_library_filter_combines_the_watch_list_with_state_dates_and_sort(watched) -> None:
    store, wid = watched
    assert _ids(store.articles_in_state("all", sort="id", watch=wid)) == [1, 3, 5, 6]
    assert store.count_in_state("all", watch=wid) == 4
    assert _ids(store.articles_in_state("unread", sort="id", watch=wid)) == [1, 5, 6]
    assert store.count_in_state("unread", watch=wid) == 3
    dated = {"since": "2024-01-02", "until": "2024-01-03"}
    assert _ids(store.articles_in_state("all", sort="id", watch=wid, **dated)) == [3, 5, 6]
    assert _ids(store.articles_in_state("unread", sort="date", watch=wid, **dated)) == [6, 5]
    assert store.count_in_state("unread", watch=wid, **dated) == 2
    # paged: the second page starts where the first ended
    assert _ids(store.articles_in_state("all", offset=2, limit=2, sort="id", watch=wid)) == [5, 6]
    # by its query as well as its id; the same rows
    assert _ids(store.articles_in_state("all", sort="id", watch="label:ORG hezbollah")) == [
        1,
        3,
        5,
        6,
    ]
    with pytest.raises(NotFound, match="no watch-list '99'"):
        store.count_in_state("all", watch="99")


def test_next_and_rank_stay_within_the_watch_list(watched) -> None:
    store, wid = watched
    assert store.next_in_state(1, "all", "id", 1, watch=wid) == 3
    assert store.next_in_state(3, "all", "id", 1, watch=wid) == 5
    assert store.next_in_state(5, "all", "id", -1, watch=wid) == 3
    assert store.next_in_state(6, "all", "id", 1, watch=wid) is None
    assert store.next_in_state(6, "all", "id", 1, wrap=True, watch=wid) == 1
    assert store.next_in_state(1, "unread", "id", 1, watch=wid) == 5  # 3 is read, 4 not ORG
    assert store.next_in_state(1, "unread", "id", 1, watch=wid, since="2024-01-03") == 5
    assert store.next_in_state(6, "unread", "id", -1, watch=wid, until="2024-01-02") == 1
    assert store.rank_in_state(5, "all", "id", watch=wid) == 2
    assert store.rank_in_state(5, "unread", "id", watch=wid) == 1
    assert store.rank_in_state(5, "all", "id", watch=wid, since="2024-01-02") == 1
    assert store.progress(watch=wid) == (1, 4)
    assert store.progress("unread", watch=wid) == (1, 3)


def test_a_rejected_mention_leaves_the_watch_list_and_a_new_import_joins_it(watched) -> None:
    store, wid = watched
    [span] = [s for s in store.spans(6) if s.label == "ORG"]
    store.reject(span.id)
    assert _ids(store.articles_in_state("all", sort="id", watch=wid)) == [1, 3, 5]
    store.add_articles([draft("Hezbollah again.", [("Hezbollah", "ORG")], "2024-01-04")])
    w = store.find_watch(wid)
    assert (w.articles, w.unread, w.new) == (4, 3, 1)
    assert _ids(store.articles_in_state("all", sort="date", limit=1, watch=wid)) == [7]
    store.mark_watch_seen(wid)
    store.mark_read(7)
    w = store.find_watch(wid)
    assert (w.articles, w.unread, w.new) == (4, 2, 0)


_ARTICLE = st.tuples(
    st.sampled_from(["ORG", "PERSON", "rejected", "none"]),  # what it says of Hezbollah
    st.booleans(),  # read
    st.booleans(),  # reviewed
    st.integers(1, 5),  # day of January 2024
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    arts=st.lists(_ARTICLE, min_size=1, max_size=12),
    state=st.sampled_from(["all", "unread", "unreviewed", "reviewed", "unread+unreviewed"]),
    since=st.sampled_from([None, "2024-01-02", "2024-01-04"]),
    until=st.sampled_from([None, "2024-01-03", "2024-01-05"]),
    sort=st.sampled_from(["newest", "title", "entities", "date", "id"]),
)
def test_the_watch_filter_is_the_unfiltered_list_less_what_it_does_not_name(
    arts, state, since, until, sort
) -> None:
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "w.db") as store:
        store.add_articles(
            [
                draft(
                    f"Hezbollah {i}." if kind != "none" else f"Beirut {i}.",
                    [("Hezbollah", "ORG" if kind == "rejected" else kind)]
                    if kind != "none"
                    else [("Beirut", "GPE")],
                    f"2024-01-{day:02d}",
                )
                for i, (kind, _read, _reviewed, day) in enumerate(arts)
            ]
        )
        for i, (kind, read, reviewed, _day) in enumerate(arts, start=1):
            if read:
                store.mark_read(i)
            if reviewed:
                store.set_reviewed(i, True)
            if kind == "rejected":
                store.reject(store.spans(i)[0].id)
        wid = str(store.add_watch("label:ORG hezbollah"))
        named = {i for i, (kind, *_rest) in enumerate(arts, start=1) if kind == "ORG"}
        scope = {"since": since, "until": until}
        everything = _ids(store.articles_in_state(state, limit=100, sort=sort, **scope))
        expected = [i for i in everything if i in named]
        got = _ids(store.articles_in_state(state, limit=100, sort=sort, watch=wid, **scope))
        assert got == expected
        assert store.count_in_state(state, watch=wid, **scope) == len(expected)
        # paged two at a time, and walked with next / previous, the same order
        paged = [
            a.id
            for offset in range(0, len(expected) + 2, 2)
            for a in store.articles_in_state(
                state, offset=offset, limit=2, sort=sort, watch=wid, **scope
            )
        ]
        assert paged == expected
        walked, at = [], store.next_in_state(None, state, sort, 1, watch=wid, **scope)
        while at is not None:
            walked.append(at)
            at = store.next_in_state(at, state, sort, 1, watch=wid, **scope)
        assert walked == expected
        for rank, article_id in enumerate(expected):
            assert store.rank_in_state(article_id, state, sort, watch=wid, **scope) == rank
        if expected:
            last = store.next_in_state(None, state, sort, -1, watch=wid, **scope)
            assert last == expected[-1]


def test_a_watch_list_follows_the_names_it_asks_for_and_their_aliases(store) -> None:
    store.add_articles(
        [
            draft("The Arab Front met.", [("Arab Front", "ORG")]),
            draft("The Syrian Front met.", [("Syrian Front", "ORG")]),  # a near name, not it
            draft("The Arab Foundation paid.", [("Arab Foundation", "ORG")]),
            draft("Hayat Tahrir al-Sham took Idlib.", [("Hayat Tahrir al-Sham", "ORG")]),
            draft("HTS entered Aleppo.", [("HTS", "ORG")]),
            draft("Hizbollah fired.", [("Hizbollah", "ORG")]),  # a spelling: it
            draft("Hezbollah fired.", [("Hezbollah", "ORG")]),
        ]
    )
    store.alias("HTS", "Hayat Tahrir al-Sham")
    front = str(store.add_watch("label:ORG Arab Front"))
    hts = str(store.add_watch("label:ORG Hayat Tahrir al-Sham"))
    hez = str(store.add_watch("label:ORG hezbollah"))
    assert _ids(store.articles_in_state("all", sort="id", watch=front)) == [1]
    assert _ids(store.articles_in_state("all", sort="id", watch=hts)) == [4, 5]
    assert _ids(store.articles_in_state("all", sort="id", watch=hez)) == [6, 7]


def test_a_list_of_names_is_one_search_per_name_with_the_filters_of_all(store) -> None:
    store.add_articles(
        [
            draft("Hezbollah fired.", [("Hezbollah", "ORG")]),
            draft("Hamas answered.", [("Hamas", "ORG")]),
            draft("Hamas the person.", [("Hamas", "PERSON")]),
            draft("Quiet in Beirut.", [("Beirut", "GPE")]),
        ]
    )
    both = str(store.add_watch("label:ORG hezbollah, hamas"))
    assert _ids(store.articles_in_state("all", sort="id", watch=both)) == [1, 2]
    assert store.find_watch(both).articles == 2
    anything = str(store.add_watch("hezbollah, hamas, beirut"))
    assert _ids(store.articles_in_state("all", sort="id", watch=anything)) == [1, 2, 3, 4]


def test_a_watch_list_needs_a_name_to_look_for(store) -> None:
    store.add_articles([draft("Ahmed spoke.", [("Ahmed", "PERSON")])])
    with pytest.raises(CorrectionError, match="'label:PERSON' names nothing to watch"):
        store.add_watch("label:PERSON")
    with pytest.raises(CorrectionError, match="'label:ORG' names nothing to watch"):
        store.add_watch("ahmed, label:ORG")
    assert store.watches() == []


def test_each_name_of_a_list_may_carry_its_own_filters() -> None:
    from store.entities.watch import _searches

    assert _searches("label:ORG hezbollah, hamas, label:PERSON ahmed, olga") == [
        "label:ORG hezbollah",
        "label:ORG hamas",
        "label:PERSON ahmed",
        "label:PERSON olga",
    ]
    assert _searches("hezbollah") == ["hezbollah"]
