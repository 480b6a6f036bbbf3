"""The disagreement queue: what a re-extraction changed among untouched suggestions, decided per group."""

from __future__ import annotations

from store import ArticleDraft, Store
from store.disagreements import queue
from store.extract import run_extraction
from tests.helpers import snapshot
from tests.training_helpers import NEW, OLD, TEXT


def _two_runs(store: Store, n: int = 2) -> list[int]:
    ids = [
        store.add_article(ArticleDraft(TEXT + f" ({i})", title=f"a{i}")).article_id
        for i in range(n)
    ]
    run_extraction(store, ids, OLD)
    store.keep_prior_suggestions(ids, NEW.source)
    run_extraction(store, ids, NEW)
    return ids


def _kinds(store: Store) -> dict[tuple[str, str], int]:
    return {(d.kind, d.surface): len(d.mentions) for d in store.disagreements()}


def test_queue_names_every_kind_most_mentions_first(store: Store) -> None:
    _two_runs(store)
    q = store.disagreements()
    assert _kinds(store) == {
        ("relabelled", "Aleppo"): 4,
        ("resized", "President Bashar al-Assad"): 2,
        ("dropped", "Iran"): 2,
        ("added", "Syrian"): 2,
    }
    assert q[0].kind == "relabelled" and (q[0].old_label, q[0].new_label) == ("NORP", "GPE")
    assert [len(d.mentions) for d in q] == sorted((len(d.mentions) for d in q), reverse=True)
    resized = next(d for d in q if d.kind == "resized")
    assert resized.old_text == "Bashar al-Assad" and resized.mentions[0].old is not None
    assert resized.mentions[0].old.source == OLD.source
    assert resized.mentions[0].new is not None and resized.mentions[0].new.source == NEW.source


def test_no_queue_without_a_re_extraction(store: Store) -> None:
    aid = store.add_article(ArticleDraft(TEXT)).article_id
    run_extraction(store, [aid], OLD)
    run_extraction(store, [aid], NEW)  # no prior kept: nothing to compare with
    assert store.disagreements() == []


def test_take_new_accepts_the_new_suggestions_in_one_undo(store: Store) -> None:
    _two_runs(store)
    before = snapshot(store)
    group = next(d for d in store.disagreements() if d.kind == "relabelled")
    assert store.resolve_disagreement(group, "new") == 4
    spans = [s for s in store.spans(1) + store.spans(2) if s.text == "Aleppo"]
    assert {(s.label, s.status) for s in spans} == {("GPE", "accepted")}
    assert ("relabelled", "Aleppo") not in _kinds(store)
    store.undo()
    assert snapshot(store) == before
    assert ("relabelled", "Aleppo") in _kinds(store)


def test_keep_old_puts_the_old_suggestion_back_as_a_decision(store: Store) -> None:
    _two_runs(store)
    q = store.disagreements()
    for kind in ("relabelled", "resized", "dropped", "added"):
        group = next(d for d in store.disagreements() if d.kind == kind)
        assert store.resolve_disagreement(group, "old") == len(group.mentions)
    assert store.disagreements() == []
    current = {(s.text, s.label) for s in store.spans(1) if s.status == "accepted"}
    assert {("Aleppo", "NORP"), ("Bashar al-Assad", "PERSON"), ("Iran", "GPE")} <= current
    assert not any(s.text == "Syrian" and s.status != "rejected" for s in store.spans(1))
    assert len(q) == 4


def test_neither_rejects_both_and_extraction_does_not_bring_them_back(store: Store) -> None:
    ids = _two_runs(store)
    for d in list(store.disagreements()):
        store.resolve_disagreement(d, "neither")
    assert store.disagreements() == []
    assert not any(s.status == "accepted" for s in store.spans(1))
    iran = [s for s in store.spans(1) if s.text == "Iran"]
    assert [(s.status, s.source) for s in iran] == [("rejected", "user")]
    store.keep_prior_suggestions(ids, OLD.source)
    run_extraction(store, ids, OLD)  # the old model again: Iran stays rejected
    assert [s.status for s in store.spans(1) if s.text == "Iran"] == ["rejected"]


def test_reviewed_articles_leave_the_queue(store: Store) -> None:
    _two_runs(store)
    store.set_reviewed(1)
    assert all(m.article_id == 2 for d in store.disagreements() for m in d.mentions)
    assert queue(store.db)  # article 2 still has its disagreements


def test_a_decision_made_meanwhile_is_not_overwritten(store: Store) -> None:
    _two_runs(store, n=1)
    group = next(d for d in store.disagreements() if d.kind == "added")
    syrian = next(s for s in store.spans(1) if s.text == "Syrian")
    store.reject(syrian.id)  # a person decided in the reader after the queue was read
    assert store.resolve_disagreement(group, "new") == 0
    assert store.span(syrian.id).status == "rejected"
