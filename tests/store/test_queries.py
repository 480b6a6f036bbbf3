"""Reader queries: neighbours and positions in each sort order, entity groups, legend, titles."""

from __future__ import annotations

import pytest

from store import ArticleDraft, SpanDraft
from store.queries import SORT_KEYS


def _add(store, text, title, spans=()):
    return store.add_article(ArticleDraft(text, title=title, spans=tuple(spans))).article_id


@pytest.fixture
def corpus(store):
    ids = []
    for i, title in enumerate(["beta", "Alpha", "gamma", "alpha", "Delta"]):
        text = f"Article {i} about Aleppo and Aleppo."
        spans = []
        if i % 2 == 0:
            spans = [SpanDraft(16, 22, "GPE", "model:x@1"), SpanDraft(27, 33, "GPE", "model:x@1")]
        ids.append(_add(store, text, title, spans))
    return ids


@pytest.mark.parametrize("sort", list(SORT_KEYS))
def test_neighbours_and_rank_follow_the_list_order(store, corpus, sort):
    order = [a.id for a in store.articles(limit=100, sort=sort)]
    for i, aid in enumerate(order):
        assert store.article_rank(aid, sort) == i
        assert store.neighbour(aid, sort, 1) == (order[i + 1] if i + 1 < len(order) else None)
        assert store.neighbour(aid, sort, -1) == (order[i - 1] if i else None)


def test_entity_groups_count_surfaces_and_skip_rejected(store):
    text = "Aleppo, Aleppo and Russia met Bashar al-Assad in Aleppo."
    spans = [
        SpanDraft(0, 6, "NORP", "model:x@1"),
        SpanDraft(8, 14, "GPE", "model:x@1"),
        SpanDraft(19, 25, "GPE", "model:x@1"),
        SpanDraft(30, 45, "PERSON", "model:x@1"),
        SpanDraft(49, 55, "GPE", "model:x@1"),
    ]
    aid = _add(store, text, "t", spans)
    first = store.spans(aid)[0]
    store.reject(first.id)
    groups = store.entity_groups(aid)
    assert [(g.label, g.count) for g in groups] == [("PERSON", 1), ("GPE", 3)]
    gpe = groups[1]
    assert [(s.text, s.count) for s in gpe.surfaces] == [("Aleppo", 2), ("Russia", 1)]
    assert [s.pending for s in gpe.surfaces] == [2, 1]
    store.accept(store.spans(aid)[1].id)
    assert [s.pending for s in store.entity_groups(aid)[1].surfaces] == [1, 1]


def test_legend_has_nine_numbered_labels(store):
    legend = store.legend()
    assert [lab.key for lab in legend] == [str(i) for i in range(1, 10)]
    assert legend[0].name == "PERSON"


def test_find_titles_escapes_like_wildcards(store, corpus):
    _add(store, "x 100% y", "100% sure")
    assert [t for _, t in store.find_titles("alpha")] == ["alpha", "Alpha"]
    assert [t for _, t in store.find_titles("0%")] == ["100% sure"]
    assert store.find_titles("_") == []


def test_article_summary(store, corpus):
    s = store.article_summary(corpus[0])
    assert s.title == "beta" and s.entity_count == 2


def test_next_unread_skips_read_articles(store, corpus):
    order = [a.id for a in store.articles(limit=100, sort="title")]
    store.mark_read(order[1])
    store.mark_read(order[2])
    assert store.next_unread(order[0], "title") == order[3]
    assert store.next_unread(order[3], "title", -1) == order[0]
    assert store.next_unread(None, "title") == order[0]
    for aid in order:
        store.mark_read(aid)
    assert store.next_unread(order[0], "title") is None


def test_library_counts(store, corpus):
    store.mark_read(corpus[0])
    store.set_reviewed(corpus[1])
    assert store.library_counts() == (5, 4, 1)
