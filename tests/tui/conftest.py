"""Fixtures for the reader's tests: small articles written with drafts (no spaCy), the app."""

from __future__ import annotations

import inspect

import pytest

from store import ArticleDraft, SpanDraft

from .helpers import run_async

SEED = (
    "Rebel forces have taken control of the majority of Aleppo, the country's second-largest "
    "city, marking a significant blow to the regime of President Bashar al-Assad. Russia and "
    "Iran, allies of the Syrian government, responded with air raids on Aleppo.\n\n"
    "The fall of Aleppo would be a turning point, analysts said on Monday."
)
MODEL = "model:test@1"


def spans_for(
    text: str, items: list[tuple[str, str]], source: str = MODEL
) -> tuple[SpanDraft, ...]:
    """Drafts for every occurrence of each (surface, label), in text order."""
    out = []
    for surface, label in items:
        start = text.find(surface)
        while start >= 0:
            out.append(SpanDraft(start, start + len(surface), label, source))
            start = text.find(surface, start + len(surface))
    return tuple(sorted(out, key=lambda d: d.start))


SEED_SPANS = [
    ("Aleppo", "NORP"),
    ("Bashar al-Assad", "PERSON"),
    ("Russia", "GPE"),
    ("Iran", "GPE"),
    ("Syrian", "NORP"),
    ("Monday", "DATE"),
]


@pytest.fixture
def seeded(store):
    """A store with the seed article (id 1) and two more; returns the store."""
    store.add_article(
        ArticleDraft(
            SEED, title="Aleppo falls", source="seed.txt", spans=spans_for(SEED, SEED_SPANS)
        )
    )
    second = "Talks in Geneva ended without a deal, the United Nations said."
    store.add_article(
        ArticleDraft(
            second,
            title="Geneva talks",
            source="two.txt",
            spans=spans_for(second, [("Geneva", "GPE"), ("United Nations", "ORG")]),
        )
    )
    third = "Aleppo was quiet on Tuesday."
    store.add_article(
        ArticleDraft(
            third,
            title="Quiet day",
            source="three.txt",
            spans=spans_for(third, [("Aleppo", "NORP"), ("Tuesday", "DATE")]),
        )
    )
    return store


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests (Pilot tests) in a fresh event loop; no asyncio plugin needed."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    run_async(pyfuncitem.obj, pyfuncitem.funcargs)
    return True
