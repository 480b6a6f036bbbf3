"""Helpers for the training tests: a tiny trainable NER base, reviewed articles, two fake runs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from store import ArticleDraft, SpanDraft, Store

_BASE: list[str] = []

CITIES = ["Aleppo", "Idlib", "Homs", "Hama", "Raqqa", "Daraa"]


def tiny_ner_base(factory: pytest.TempPathFactory) -> str:
    """A blank English pipeline with an initialized (untrained) NER knowing GPE and PERSON."""
    if _BASE:
        return _BASE[0]
    import spacy
    from spacy.training import Example

    path = factory.mktemp("base") / "tiny-ner"
    nlp = spacy.blank("en")
    nlp.add_pipe("ner")
    text = "Omar Haddad left Aleppo."
    examples = [
        Example.from_dict(nlp.make_doc(text), {"entities": [(0, 11, "PERSON"), (17, 23, "GPE")]})
    ]
    nlp.initialize(lambda: examples)
    nlp.to_disk(path)
    _BASE.append(str(path))
    return str(path)


def gold_text(i: int) -> tuple[str, tuple[SpanDraft, ...]]:
    """A reviewed article: a city (GPE), a person, and a militia (a label the base lacks)."""
    city = CITIES[i % len(CITIES)]
    text = f"Fighting near {city} went on for day {i}, said Omar Haddad of the Zorblax Militia."
    spans = []
    for surface, label in (
        (city, "GPE"),
        ("Omar Haddad", "PERSON"),
        ("Zorblax Militia", "MILITIA"),
    ):
        at = text.index(surface)
        spans.append(SpanDraft(at, at + len(surface), label, "user", "accepted"))
    return text, tuple(spans)


def add_reviewed(store: Store, n: int = 8) -> list[int]:
    """n reviewed articles with their gold spans; returns their ids."""
    ids = []
    for i in range(n):
        text, spans = gold_text(i)
        aid = store.add_article(ArticleDraft(text, title=f"gold {i}", spans=spans)).article_id
        store.set_reviewed(aid)
        ids.append(aid)
    return ids


class Tagger:
    """A fake model: tags every whole-word occurrence of its surfaces."""

    def __init__(self, tags: dict[str, str], source: str) -> None:
        self.tags = tags
        self.source = source
        self.model = source
        self._re = re.compile(
            "|".join(rf"\b{re.escape(s)}\b" for s in sorted(tags, key=len, reverse=True))
        )

    def load(self) -> None:
        """Nothing to load."""

    def extract(
        self, texts: Iterable[str], workers: int = 1, batch_size: int = 64
    ) -> Iterator[list[SpanDraft]]:
        for text in texts:
            yield [
                SpanDraft(m.start(), m.end(), self.tags[m.group()], self.source, "suggested")
                for m in self._re.finditer(text)
            ]


# the old run, and a new one that relabels Aleppo, widens Assad, drops Iran, adds Syrian
OLD = Tagger({"Aleppo": "NORP", "Bashar al-Assad": "PERSON", "Iran": "GPE"}, "model:old@1")
NEW = Tagger(
    {"Aleppo": "GPE", "President Bashar al-Assad": "PERSON", "Syrian": "NORP"}, "model:new@2"
)
TEXT = "President Bashar al-Assad and Iran met in Aleppo. Syrian troops left Aleppo."


def models_folder(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point $MARGIN_MODELS at a folder of the test's own."""
    folder = tmp / "models"
    monkeypatch.setenv("MARGIN_MODELS", str(folder))
    return folder
