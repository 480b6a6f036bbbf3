"""Change.describe: exactly what one undo step did, in one line."""

from __future__ import annotations

from store import ArticleDraft, SpanDraft, Store


def test_each_kind_of_change_in_one_line(store: Store) -> None:
    text = "Aleppo and Homs. Aleppo again."
    store.add_article(ArticleDraft(text, spans=(SpanDraft(0, 6, "NORP", "model:m@1"),)))
    store.add_article(ArticleDraft("Aleppo is far."))
    new = store.relabel(1, "GPE")
    assert store.next_undo().describe() == "relabel 'Aleppo' NORP→GPE in article 1"
    store.reject(new)
    assert store.next_undo().describe() == "reject 'Aleppo' in article 1"
    store.undo()
    store.undo()
    done = store.apply_propagation("Aleppo", "GPE")
    assert (done.mentions, done.articles, done.rule) == (3, (1, 2), 1)
    assert store.next_undo().describe() == "propagate 'Aleppo' NORP→GPE, 3 mentions in 2 articles"
    store.undo()
    store.apply_propagation("Homs", None)  # nothing tagged: nothing to reject, no rule
    assert store.rules() == []
    store.set_reviewed(2, True)
    assert store.next_undo().describe() == "review in article 2"
