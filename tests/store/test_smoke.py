"""The foundation in one pass: open, import, relabel, undo, through the public API."""

from store import ArticleDraft, SpanDraft
from tests.helpers import SEED


def test_import_relabel_undo(store):
    start = SEED.index("Aleppo")
    res = store.add_article(
        ArticleDraft(SEED, spans=(SpanDraft(start, start + 6, "NORP", "model:x@1"),))
    )
    assert res.created
    (span,) = store.spans(res.article_id)
    new_id = store.relabel(span.id, "GPE")
    spans = {s.id: s for s in store.spans(res.article_id)}
    assert spans[span.id].status == "rejected" and spans[new_id].label == "GPE"
    store.undo()
    (back,) = store.spans(res.article_id)
    assert back == span
