"""margin stats per trained model: scored on decisions made after it was trained, not before."""

from __future__ import annotations

from store import ArticleDraft, Store
from store.extract import run_extraction
from store.training import registry
from tests.training_helpers import TEXT, Tagger, add_reviewed

SOURCE = "model:t@20260101T000000-abcd"
TRAINED = Tagger({"Aleppo": "GPE", "Iran": "GPE", "Syrian": "NORP"}, SOURCE)


def _record(store: Store, at: str) -> None:
    with store.unit() as tx:
        registry.record(
            tx,
            {
                "name": "t",
                "tag": "x",
                "source": SOURCE,
                "path": "/nowhere",
                "base": "b",
                "base_source": "model:b@1",
                "labels": ["GPE"],
                "articles": 6,
                "spans": 18,
                "dev_articles": 0,
                "rehearsal": 0,
                "epochs": 1,
                "seconds": 1.0,
                "scores": {},
                "base_scores": {},
                "journal_position": 0,
                "trained_at": at,
            },
        )


def test_a_model_is_scored_on_what_people_decided_after_it(store: Store) -> None:
    add_reviewed(store, 2)  # reviewed before the training: never in its scores
    aid = store.add_article(ArticleDraft(TEXT, title="after")).article_id
    _record(store, "2000-01-01T00:00:00")
    run_extraction(store, [aid], TRAINED)
    spans = {(s.text, s.start): s for s in store.spans(aid)}
    first_aleppo = min(s for s in spans if s[0] == "Aleppo")
    store.reject(spans[first_aleppo].id)  # one Aleppo wrong, the other left (accepted on review)
    store.add_span(aid, 0, 25, "PERSON")  # a person adds what the model missed
    store.set_reviewed(aid)
    [m] = store.model_stats()
    assert m["source"] == SOURCE
    gpe = m["labels"]["GPE"]
    assert (gpe["decided"], gpe["precision"]) == (3, 0.6667)  # Iran, Aleppo right; Aleppo wrong
    assert m["labels"]["PERSON"]["recall"] == 0.0 and m["labels"]["NORP"]["recall"] == 1.0
    # confirmed: Iran, one Aleppo, Syrian, the person's PERSON; the older reviewed articles not
    assert m["total"]["gold"] == 4
