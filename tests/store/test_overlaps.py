"""Overlapping spans in the consistency queue: found (from the cache and past it), resolved, kept."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import ArticleDraft, SpanDraft, open_store
from store.entities import overlaps
from store.errors import NotFound

from .test_entities import draft


def overlap_items(store) -> list:
    return store.check(None, ("overlap",))


@pytest.fixture
def nested(store):
    store.add_articles(
        [
            draft("The Aleppo Council met.", [("Aleppo Council", "ORG")]),
            draft("The Aleppo Council spoke. Aleppo was calm.", [("Aleppo Council", "ORG")]),
            draft("Aleppo alone.", [("Aleppo", "GPE")]),
        ]
    )
    store.set_allow_overlaps(True)
    for article in (1, 2):
        text = store.article(article).text
        store.add_span(article, text.find("Aleppo"), text.find("Aleppo") + 6, "GPE")
    return store


def test_an_overlap_names_both_surfaces_labels_and_articles(nested) -> None:
    nested.refresh_overlaps()
    (item,) = overlap_items(nested)
    assert (item.surface, item.other, item.labels, item.articles) == (
        "Aleppo Council",
        "Aleppo",
        ("ORG", "GPE"),
        2,
    )
    assert item.weight == 2 and "overlaps 'Aleppo' (GPE) in 2 article(s)" in item.detail
    as_json = item.as_dict()
    assert as_json["kind"] == "overlap" and as_json["other"] == "Aleppo"
    assert as_json["articles"] == 2 and as_json["labels"] == ["ORG", "GPE"]


def test_resolving_rejects_the_shorter_only_where_it_overlaps_and_undo_restores(nested) -> None:
    assert nested.resolve_check("overlap", "Aleppo Council") == 2
    assert overlap_items(nested) == []
    alone = [s for s in nested.spans(2) if s.text == "Aleppo" and s.status != "rejected"]
    assert alone == []  # the nested Aleppo of article 2 went; article 3's own Aleppo stays
    assert [s.status for s in nested.spans(3)] == ["suggested"]
    assert nested.entity_page("Aleppo Council").labels == {"ORG": 2}
    nested.undo()  # one step
    assert [(i.surface, i.weight) for i in overlap_items(nested)] == [("Aleppo Council", 2)]


def test_resolving_with_a_label_relabels_the_longer_too(nested) -> None:
    assert nested.resolve_check("overlap", "Aleppo Council", "GPE", "Aleppo") == 4
    assert nested.entity_page("Aleppo Council").labels == {"GPE": 2}
    assert overlap_items(nested) == []


def test_marked_intended_it_stays_out_until_undone(nested) -> None:
    nested.mark_intended("overlap", "Aleppo Council")
    assert overlap_items(nested) == []
    assert nested.check(None) == []  # nothing else contradicts itself here
    nested.undo()
    assert len(overlap_items(nested)) == 1


def test_what_is_not_in_the_queue_says_so(nested) -> None:
    with pytest.raises(NotFound, match="no 'overlap' item for 'Aleppo Council' and 'Homs'"):
        nested.resolve_check("overlap", "Aleppo Council", None, "Homs")


def test_the_cache_sees_changes_made_after_it(nested) -> None:
    nested.refresh_overlaps()
    assert overlaps.articles(nested.db) == [1, 2]
    inner = next(s for s in nested.spans(1) if s.text == "Aleppo")
    nested.reject(inner.id)  # a journalled change
    assert overlaps.articles(nested.db) == [2]
    nested.refresh_overlaps()
    nested.undo()  # an undo: no new journal row, a group flips back
    assert overlaps.articles(nested.db) == [1, 2]
    nested.refresh_overlaps()
    nested.redo()
    assert overlaps.articles(nested.db) == [2]
    # a write behind the journal's back (raw SQL): the article's count of spans differs
    nested.refresh_overlaps()
    with nested.unit() as tx:
        tx.execute("UPDATE spans SET status = 'suggested' WHERE id = ?", (inner.id,))
    assert overlaps.articles(nested.db) == [1, 2]
    # a new article with an overlap (new span ids) is found without a full scan
    nested.refresh_overlaps()
    nested.add_articles([draft("Homs Front took Homs.", [("Homs Front", "ORG")])])
    text = nested.article(4).text
    nested.add_span(4, text.find("Front"), text.find("Front") + 5, "ORG")
    found = overlaps.scan(nested.db)
    assert not found.full and found.overlapping == {1, 2, 4}


@st.composite
def articles(draw):
    out = []
    for _ in range(draw(st.integers(1, 6))):
        text = "abcdefghijklmnopqrstuvwxyz" * 2
        spans = []
        for _ in range(draw(st.integers(0, 6))):
            start = draw(st.integers(0, len(text) - 1))
            end = draw(st.integers(start + 1, min(len(text), start + 8)))
            status = draw(st.sampled_from(["suggested", "accepted", "rejected"]))
            spans.append(SpanDraft(start, end, draw(st.sampled_from("XY")), "m", status))
        out.append((text + str(len(out)), spans))
    return out


def brute(db) -> set[tuple[int, int]]:
    rows = db.execute(
        "SELECT id, article_id, start, \"end\" FROM spans WHERE status != 'rejected'"
    ).fetchall()
    return {
        tuple(sorted((a[0], b[0])))
        for a in rows
        for b in rows
        if a[0] < b[0] and a[1] == b[1] and a[2] < b[3] and b[2] < a[3]
    }


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(corpus=articles(), seed=st.integers(0, 1000))
def test_pairs_are_every_overlap_once_before_and_after_changes(tmp_path, corpus, seed) -> None:
    path = tmp_path / f"o{seed}-{random.random()}.db"
    with open_store(path) as store:
        store.add_articles(
            [
                ArticleDraft(t, title=t[:5], spans=tuple(sorted(s, key=lambda x: x.start)))
                for t, s in corpus
            ]
        )
        store.refresh_overlaps()
        want = brute(store.db)
        got = {tuple(sorted((a.id, b.id))) for a, b in overlaps.pairs(store.db)}
        assert got == want
        for a, b in overlaps.pairs(store.db):
            assert a.end - a.start >= b.end - b.start  # longer first
        # flip some statuses (journalled), then the cache must still agree
        rng = random.Random(seed)
        live = [r[0] for r in store.db.execute("SELECT id FROM spans WHERE status != 'rejected'")]
        for span_id in rng.sample(live, min(3, len(live))):
            store.reject(span_id)
        if rng.random() < 0.5 and live:  # (an undo with nothing to undo would refuse)
            store.undo()
        got = {tuple(sorted((a.id, b.id))) for a, b in overlaps.pairs(store.db)}
        assert got == brute(store.db)


def test_several_label_pairs_are_listed_and_the_commonest_named(nested) -> None:
    nested.add_articles([draft("The Aleppo Council sat.", [("Aleppo Council", "ORG")])])
    text = nested.article(4).text
    nested.add_span(4, text.find("Aleppo"), text.find("Aleppo") + 6, "LOC")
    (item,) = overlap_items(nested)
    assert item.labels == ("ORG", "GPE") and item.articles == 3
    assert item.detail.endswith("in 3 article(s) [ORG/GPE 2 · ORG/LOC 1]")


def test_journalled_changes_need_no_comparison_of_every_article(nested) -> None:
    nested.refresh_overlaps()
    inner = next(s for s in nested.spans(2) if s.text == "Aleppo")
    nested.reject(inner.id)
    mark = overlaps._mark(nested.db)
    assert mark is not None
    # the journal names article 2; the checksum moved by exactly its change of count
    checksum = int(nested.db.execute(overlaps._CHECKSUM).fetchone()[0])
    assert checksum != mark[4]
    assert overlaps._expected(nested.db, mark[4], {2}) == checksum
    assert overlaps._expected(nested.db, mark[4], {1}) != checksum  # a write it did not name
