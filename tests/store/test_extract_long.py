"""An article longer than the model's max_length is extracted in pieces, offsets shifted."""

from __future__ import annotations

import pytest

from store import ArticleDraft, Store
from store.extract import SpacyExtractor, pieces, run_extraction


@pytest.fixture
def short_model(tiny_model: str) -> SpacyExtractor:
    ex = SpacyExtractor(tiny_model)
    ex.load().max_length = 120  # a blank pipeline with a ruler; spaCy's E088 above 120 chars
    return ex


@pytest.mark.parametrize("workers", [1, 2])
def test_a_long_article_does_not_fail_its_batch(
    store: Store, short_model: SpacyExtractor, workers: int
) -> None:
    para = "Nothing happened in the town that week, people said. " * 2
    long_text = f"{para}\n\n{para}\n\nThen Damascus spoke.\n\n{para} Aleppo too."
    assert len(long_text) > 2 * 120
    a = store.add_article(ArticleDraft("Aleppo fell.")).article_id
    b = store.add_article(ArticleDraft(long_text)).article_id
    c = store.add_article(ArticleDraft("Homs waited.")).article_id
    run_extraction(store, [a, b, c], short_model, workers=workers)
    got = {aid: [(s.text, s.label) for s in store.spans(aid)] for aid in (a, b, c)}
    assert got[a] == [("Aleppo", "GPE")]
    assert got[b] == [("Damascus", "GPE"), ("Aleppo", "GPE")]  # offsets in the whole text
    assert got[c] == [("Homs", "GPE")]


def test_pieces_cut_at_paragraphs_then_lines_then_spaces() -> None:
    text = "aaaa bbbb\n\ncccc dddd\neeee ffff gggg"
    for limit in (5, 8, 12, 20, len(text)):
        parts = pieces(text, limit)
        assert "".join(p for _, p in parts) == text
        assert all(len(p) <= limit for _, p in parts)
        assert all(text[o : o + len(p)] == p for o, p in parts)
    assert [p for _, p in pieces(text, 12)][0] == "aaaa bbbb\n\n"
    assert pieces("x" * 7, 3) == [(0, "xxx"), (3, "xxx"), (6, "x")]
