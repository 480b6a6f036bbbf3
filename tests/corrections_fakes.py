"""A fake extractor and small articles for the correction tests (no spaCy needed)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from store import ArticleDraft, SpanDraft, Store
from store.extract import run_extraction

# the model's mistakes, as in the seed article: Aleppo is NORP, Assad a PERSON
TAGS = {"Aleppo": "NORP", "Bashar al-Assad": "PERSON", "Russia": "GPE", "Iran": "GPE"}
_PATTERN = re.compile("|".join(rf"\b{re.escape(s)}\b" for s in sorted(TAGS, key=len, reverse=True)))


class FakeExtractor:
    """Tags every whole-word occurrence of TAGS' surfaces, like a model that is always wrong the same way."""

    source = "model:fake@1"

    def __init__(self, model: str = "fake") -> None:
        self.model = model

    def load(self) -> None:
        """Nothing to load."""

    def check(self) -> None:
        """Always installed."""

    def extract(
        self, texts: Iterable[str], workers: int = 1, batch_size: int = 64
    ) -> Iterator[list[SpanDraft]]:
        for text in texts:
            yield [
                SpanDraft(m.start(), m.end(), TAGS[m.group()], self.source, "suggested")
                for m in _PATTERN.finditer(text)
            ]


def add_extracted(store: Store, text: str, title: str | None = None) -> int:
    """Import one article and run the fake model (and the learned rules) on it; return its id."""
    res = store.add_article(ArticleDraft(text, title=title, source="test"))
    run_extraction(store, [res.article_id], FakeExtractor())
    return res.article_id


def snapshot(store: Store) -> tuple:
    """Everything undo must restore: spans, review states and rules."""
    conn = store.db.conn
    spans = tuple(
        tuple(r)
        for r in conn.execute(
            'SELECT id, article_id, start, "end", label, source, status, text, created_at,'
            " updated_at FROM spans ORDER BY id"
        )
    )
    arts = tuple(
        tuple(r)
        for r in conn.execute(
            "SELECT id, reviewed, reviewed_at, entity_count FROM articles ORDER BY id"
        )
    )
    rules = tuple(tuple(r) for r in conn.execute("SELECT * FROM rules ORDER BY id"))
    return spans, arts, rules
