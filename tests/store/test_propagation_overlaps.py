"""The overlap test of a propagation finds every span a place overlaps, short or long, by start."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import ArticleDraft, SpanDraft, propagation
from store.db.m0013_long_spans import LONG

TEXT = "x" * 300


def _add_spans(store, aid: int, spans: list[tuple[int, int, str]]) -> None:
    with store.unit() as tx:  # overlapping spans of any length, as allow_overlaps lets them be
        for start, end, status in spans:
            tx.execute(
                'INSERT INTO spans (article_id, start, "end", label, source, status, text,'
                " created_at, updated_at) VALUES (?, ?, ?, 'ORG', 'm', ?, ?, 'now', 'now')",
                (aid, start, end, status, TEXT[start:end]),
            )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    spans=st.lists(
        st.tuples(
            st.integers(0, 280),
            st.integers(1, 3 * LONG),
            st.sampled_from(["suggested", "accepted", "rejected"]),
        ),
        max_size=25,
    ),
    places=st.lists(st.tuples(st.integers(0, 290), st.integers(1, 8)), min_size=1, max_size=10),
)
def test_every_overlapping_span_is_found_in_start_order(store, spans, places):
    aid = store.add_article(ArticleDraft(f"{len(spans)} {places} " + TEXT)).article_id
    _add_spans(store, aid, [(s, min(s + n, 300), status) for s, n, status in spans])
    rows = store.db.execute(
        'SELECT id, start, "end", status, text FROM spans WHERE article_id = ?', (aid,)
    ).fetchall()
    keys = sorted({(aid, s, s + n) for s, n in places})
    found = propagation._overlaps(store.db, keys)
    for key in keys:
        _aid, s, e = key
        expected = [
            (r[0], r[4])
            for r in sorted(rows, key=lambda r: (r[1], r[0]))
            if r[1] < e and r[2] > s and r[3] != "rejected"
        ]
        assert found.get(key, []) == expected


def test_a_span_longer_than_the_window_far_before_a_mention_overlaps_it(store):
    text = "In " + "the very long name of a council that governs Aleppo and more" + ". Aleppo!"
    name = text.index(".")
    assert name - 3 > LONG
    aid = store.add_article(ArticleDraft(text, spans=(SpanDraft(3, name, "ORG", "m"),))).article_id
    p = store.preview_propagation("Aleppo", "GPE")
    assert [m.start for m in p.skipped] == [text.index("Aleppo")]
    assert [m.start for m in p.mentions] == [text.rindex("Aleppo")]
    p = store.preview_propagation("Aleppo", "GPE", replace=True)
    assert [m.replaces for m in p.mentions if m.action == "replace"] == [(store.spans(aid)[0].id,)]
