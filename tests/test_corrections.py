"""Each correction's transition: evidence kept, one journal group, overlaps refused, no-ops silent."""

from __future__ import annotations

import json

import pytest

from store import CorrectionError, NotFound, SpanError

from .conftest import SEED
from .corrections_fakes import add_extracted, snapshot


@pytest.fixture
def art(store):
    return add_extracted(store, SEED)


def by_id(store, aid):
    return {s.id: s for s in store.spans(aid)}


def first(store, aid, text):
    return next(s for s in store.spans(aid) if s.text == text and s.status != "rejected")


def groups(store):
    rows = store.db.conn.execute(
        "SELECT group_id, action, span_id, before, after FROM journal WHERE undoable = 1"
        " ORDER BY id"
    )
    out: dict[int, list] = {}
    for g, action, span_id, before, after in rows:
        out.setdefault(g, []).append(
            (
                action,
                span_id,
                json.loads(before) if before else None,
                json.loads(after) if after else None,
            )
        )
    return out


def test_accept_keeps_the_span_and_records_one_entry(store, art):
    span = first(store, art, "Aleppo")
    assert store.accept(span.id) == span.id
    assert store.span(span.id).status == "accepted"
    (entries,) = groups(store).values()
    assert [(a, s, b["status"], af["status"]) for a, s, b, af in entries] == [
        ("accept", span.id, "suggested", "accepted")
    ]


def test_reject_keeps_the_span_as_evidence(store, art):
    span = first(store, art, "Aleppo")
    store.reject(span.id)
    assert store.span(span.id).status == "rejected"
    assert store.span(span.id).source == "model:fake@1"
    assert store.article(art).id == art
    assert all(s.id != span.id for s in store.spans(art, include_rejected=False))


def test_relabel_rejects_the_model_span_and_adds_a_user_span_in_one_group(store, art):
    span = first(store, art, "Aleppo")
    count = store.article_count()
    new = store.relabel(span.id, "GPE")
    spans = by_id(store, art)
    assert spans[span.id].status == "rejected" and spans[span.id].label == "NORP"
    assert (spans[new].start, spans[new].end, spans[new].label) == (span.start, span.end, "GPE")
    assert spans[new].source == "user" and spans[new].status == "accepted"
    (entries,) = groups(store).values()
    assert [(a, s) for a, s, _, _ in entries] == [("relabel", span.id), ("relabel", new)]
    assert store.article_count() == count


def test_relabel_to_the_same_label_accepts(store, art):
    span = first(store, art, "Aleppo")
    assert store.relabel(span.id, "NORP") == span.id
    assert store.span(span.id).status == "accepted"
    assert len(store.spans(art)) == len(by_id(store, art))


def test_resize_replaces_the_span(store, art):
    span = first(store, art, "Bashar al-Assad")
    start = SEED.index("President")
    new = store.resize(span.id, start, span.end)
    spans = by_id(store, art)
    assert spans[span.id].status == "rejected"
    assert spans[new].text == "President Bashar al-Assad" and spans[new].label == "PERSON"
    assert [a for a, *_ in next(iter(groups(store).values()))] == ["resize", "resize"]


def test_resize_with_label_and_bad_offsets(store, art):
    span = first(store, art, "Bashar al-Assad")
    before = snapshot(store)
    with pytest.raises(SpanError):
        store.resize(span.id, span.start, len(SEED) + 5)
    with pytest.raises(SpanError):
        store.resize(span.id, span.end, span.start)
    assert snapshot(store) == before
    new = store.resize(span.id, span.start + 7, span.end, "PER")
    assert store.span(new).label == "PER" and store.span(new).text == "al-Assad"
    assert "PER" in [lab.name for lab in store.labels()]


def test_add_span_and_overlap_is_refused(store, art):
    start = SEED.index("Syrian")
    new = store.add_span(art, start, start + len("Syrian government"), "ORG")
    assert store.span(new).source == "user" and store.span(new).status == "accepted"
    before = snapshot(store)
    with pytest.raises(CorrectionError, match="overlaps entity"):
        store.add_span(art, start + 7, start + 17, "ORG")
    aleppo = first(store, art, "Aleppo")
    with pytest.raises(CorrectionError, match="overlaps"):
        store.add_span(art, aleppo.start - 3, aleppo.start + 2, "GPE")
    assert snapshot(store) == before


def test_add_span_over_a_rejected_span_is_fine(store, art):
    aleppo = first(store, art, "Aleppo")
    store.reject(aleppo.id)
    new = store.add_span(art, aleppo.start, aleppo.end, "GPE")
    assert store.span(new).label == "GPE"


def test_accepting_a_rejected_span_checks_overlap(store, art):
    aleppo = first(store, art, "Aleppo")
    new = store.relabel(aleppo.id, "GPE")
    with pytest.raises(CorrectionError, match=f"overlaps entity {new}"):
        store.accept(aleppo.id)
    store.reject(new)
    store.accept(aleppo.id)
    assert store.span(aleppo.id).status == "accepted"


def test_overlaps_allowed_by_config_but_not_duplicates(store, art):
    store.allow_overlaps = True
    aleppo = first(store, art, "Aleppo")
    store.add_span(art, aleppo.start, aleppo.end + 1, "GPE")
    with pytest.raises(CorrectionError):
        store.add_span(art, aleppo.start, aleppo.end, "NORP")


def test_errors_for_unknown_ids_and_labels(store, art):
    before = snapshot(store)
    with pytest.raises(NotFound, match="span 9999"):
        store.accept(9999)
    with pytest.raises(NotFound):
        store.relabel(9999, "GPE")
    with pytest.raises(NotFound, match="article 77"):
        store.add_span(77, 0, 3, "GPE")
    with pytest.raises(NotFound):
        store.set_reviewed(77)
    with pytest.raises(SpanError):
        store.relabel(first(store, art, "Aleppo").id, "  ")
    with pytest.raises(SpanError):
        store.add_span(art, -1, 3, "GPE")
    assert snapshot(store) == before
    assert not store.can_undo()


def test_no_op_edits_record_nothing(store, art):
    aleppo = first(store, art, "Aleppo")
    store.accept(aleppo.id)
    store.accept(aleppo.id)
    store.relabel(aleppo.id, "NORP")
    store.reject(aleppo.id)
    store.reject(aleppo.id)
    assert len(groups(store)) == 2


def test_no_op_edit_keeps_the_redo_stack(store, art):
    aleppo = first(store, art, "Aleppo")
    russia = first(store, art, "Russia")
    store.accept(russia.id)
    store.reject(aleppo.id)
    store.undo()
    store.accept(russia.id)  # already accepted: nothing changes
    assert store.can_redo()


def test_review_is_recorded_and_keeps_suggestions(store, art):
    pending = sum(1 for s in store.spans(art) if s.status == "suggested")
    store.set_reviewed(art)
    assert store.article(art).reviewed
    assert sum(1 for s in store.spans(art) if s.status == "suggested") == pending
    ((entry,),) = groups(store).values()
    assert entry[0] == "review" and entry[3]["suggestions"] == pending
    store.set_reviewed(art)  # already reviewed: nothing recorded
    assert len(groups(store)) == 1
    store.set_reviewed(art, False)
    assert not store.article(art).reviewed
    store.undo()
    assert store.article(art).reviewed
    store.undo()
    assert not store.article(art).reviewed


def test_entity_count_follows_corrections(store, art):
    n = store.articles(limit=1)[0].entity_count
    aleppo = first(store, art, "Aleppo")
    store.relabel(aleppo.id, "GPE")
    assert store.articles(limit=1)[0].entity_count == n
    store.reject(first(store, art, "Russia").id)
    assert store.articles(limit=1)[0].entity_count == n - 1
    store.undo()
    store.undo()
    assert store.articles(limit=1)[0].entity_count == n


def test_history_and_last_decision(store, art):
    assert store.last_decision() is None
    aleppo = first(store, art, "Aleppo")
    store.relabel(aleppo.id, "GPE")
    assert store.last_decision() == ("Aleppo", "GPE", art)
    change = store.next_undo()
    assert change.action == "relabel" and change.articles == (art,) and change.spans == 2
    assert "Aleppo" in change.describe() and "GPE" in change.describe()
    store.reject(first(store, art, "Russia").id)
    assert store.last_decision() == ("Russia", None, art)
    store.set_reviewed(art)
    assert store.last_decision() is None
    assert [c.action for c in store.history()] == ["review", "reject", "relabel"]
