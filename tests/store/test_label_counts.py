"""Spans counted per (label, status) without an index on both: the same as a GROUP BY over them."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import open_store
from store.stats import by_label_status

LABELS = ("PERSON", "ORG", "GPE")
STATUSES = ("suggested", "accepted", "rejected")


def _fill(db, rows) -> None:
    db.execute("BEGIN")
    db.execute(
        "INSERT INTO articles (id, title, text, source, content_hash, imported_at)"
        " VALUES (1, 't', ?, 's', 'h', 'now')",
        ("x" * 400,),
    )
    for i, (label, status) in enumerate(rows):
        db.execute(
            'INSERT INTO spans (article_id, start, "end", label, source, status, text,'
            " created_at, updated_at) VALUES (1, ?, ?, ?, 'model:x', ?, 'x', 'now', 'now')",
            (i, i + 1, label, status),
        )
    db.execute("COMMIT")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(LABELS), st.sampled_from(STATUSES)), max_size=60))
def test_counts_match_a_group_by(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("counts") / "m.db"
    store = open_store(path)
    try:
        _fill(store.db, rows)
        expected = {}
        for label, status in rows:
            expected[(label, status)] = expected.get((label, status), 0) + 1
        assert by_label_status(store.db) == expected
        per = {c.label: (c.suggested, c.accepted, c.rejected) for c in store.stats().labels}
        for label in {label for label, _s in rows}:
            assert per[label] == tuple(expected.get((label, s), 0) for s in STATUSES)
    finally:
        store.close()


def test_the_label_index_replaces_label_status(store):
    names = {r[1] for r in store.db.execute("PRAGMA index_list(spans)")}
    assert "spans_label" in names and "spans_label_status" not in names
    plan = " ".join(
        str(r[3])
        for r in store.db.execute(
            "EXPLAIN QUERY PLAN SELECT label, COUNT(*) FROM spans GROUP BY label"
        )
    )
    assert "COVERING INDEX spans_label" in plan, plan
