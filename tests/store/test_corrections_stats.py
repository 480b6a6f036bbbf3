"""correction_stats: fates of model suggestions, precision and recall, reviewed-only scope."""

from __future__ import annotations

from store import ArticleDraft, SpanDraft
from tests.helpers import SEED, add_extracted


def spans(store, aid, text):
    return [s for s in store.spans(aid) if s.text == text and s.status != "rejected"]


def test_empty_database_has_no_scores(store):
    cs = store.correction_stats()
    assert cs.labels == {} and cs.total.precision is None and cs.total.recall is None
    assert cs.as_dict()["total"]["precision"] is None


def test_untouched_suggestions_are_pending_and_unscored(store):
    add_extracted(store, SEED)
    cs = store.correction_stats()
    assert cs.total.pending == 5 and cs.total.decided == 0
    assert cs.total.precision is None and cs.total.recall is None


def test_rejected_then_readded_identically_counts_as_accepted(store):
    aid = add_extracted(store, SEED)
    (russia,) = spans(store, aid, "Russia")
    store.reject(russia.id)
    assert store.correction_stats().labels["GPE"].rejected == 1
    store.add_span(aid, russia.start, russia.end, "GPE")
    gpe = store.correction_stats().labels["GPE"]
    assert (gpe.accepted, gpe.rejected, gpe.added) == (1, 0, 0)
    assert gpe.precision == 1.0 and gpe.recall == 1.0


def test_rule_spans_are_not_the_models(store):
    add_extracted(store, SEED)
    store.propagate("Aleppo", "GPE")
    later = add_extracted(store, "Aleppo again. Aleppo.")
    for s in spans(store, later, "Aleppo"):
        store.accept(s.id)
    cs = store.correction_stats()
    # the model's two NORP suggestions in SEED were relabelled; the rule spans are not scored
    assert cs.labels["NORP"].relabelled == 2 and cs.labels["NORP"].decided == 2
    # four confirmed GPE Aleppo entities, none of them suggested by the model as GPE
    assert cs.labels["GPE"].recall == 0.0


def test_reviewed_scope_and_imported_spans(store):
    aid = add_extracted(store, SEED)
    other = store.add_article(
        ArticleDraft("Homs and Hama.", spans=(SpanDraft(0, 4, "GPE", "import:jsonl", "accepted"),))
    ).article_id
    (iran,) = spans(store, aid, "Iran")
    (russia,) = spans(store, aid, "Russia")
    store.reject(iran.id)
    store.accept(russia.id)
    cs = store.correction_stats()
    assert cs.reviewed_total.decided == 0
    # an imported accepted span is a confirmed entity the model did not suggest
    assert cs.labels["GPE"].recall == 0.5 and cs.labels["GPE"].precision == 0.5
    assert (cs.total.accepted, cs.total.rejected, cs.total.pending) == (1, 1, 3)
    store.set_reviewed(aid)
    cs = store.correction_stats()
    assert cs.reviewed_total.decided == 5 and cs.reviewed_total.accepted == 4
    assert cs.reviewed_total.precision == 0.8 and cs.reviewed_total.recall == 1.0
    assert (cs.total.accepted, cs.total.pending) == (4, 0)
    assert cs.reviewed_labels["GPE"].accepted == 1  # Russia, accepted by hand
    assert other not in (aid,)
