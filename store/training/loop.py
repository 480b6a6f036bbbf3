"""The training loop: fine-tune a pipeline's NER on the corrections, with rehearsal, early stopping."""

from __future__ import annotations

import random
import secrets
import shutil
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import sqlite_utils

from .. import articles as article_reads
from ..db import Unit
from ..models import Label, now
from . import registry
from .data import Corpus, Ent, Gold, corrected, rehearsal_ids
from .registry import TrainedModel, TrainingError
from .scoring import score


class Trainable(Protocol):
    """What a training reads from and records into (a Store is one)."""

    @property
    def db(self) -> sqlite_utils.Database: ...

    def labels(self) -> list[Label]: ...

    def unit(self) -> AbstractContextManager[Unit]: ...


@dataclass(frozen=True)
class TrainOptions:
    """How to train: from which base, under which name, for how long."""

    base: str
    name: str
    epochs: int = 12
    labels: tuple[str, ...] = ()
    dev: float = 0.2
    seed: int = 0
    patience: int = 3  # epochs without a better dev F1 before stopping
    rehearsal: float = 0.5  # unreviewed articles per reviewed one, tagged by the base model
    dropout: float = 0.2


@dataclass(frozen=True)
class Epoch:
    """One pass over the training articles."""

    epoch: int
    loss: float
    seconds: float
    scores: dict[str, Any] | None  # on the dev articles (None without a dev split)
    best: bool  # the best so far: the one kept


@dataclass
class Outcome:
    """What a training gave: the recorded model and each epoch's figures."""

    model: TrainedModel
    epochs: list[Epoch] = field(default_factory=list)
    interrupted: bool = False
    best_epoch: int = 0


Events = Callable[[str, dict[str, Any]], None]


def _quiet(fn: Callable[[], Any]) -> Any:
    """spaCy's warnings (W030: a span off the tokens is left out) are not the user's business."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn()


def _example(nlp: Any, text: str, ents: Sequence[Ent], missing: Sequence[Ent] = ()) -> Any:
    """A spaCy Example: entities as BILUO tags, ``missing`` spans (and misaligned ones) unknown."""
    from spacy.training import Example, offsets_to_biluo_tags

    doc = nlp.make_doc(text)
    tags = _quiet(lambda: offsets_to_biluo_tags(doc, list(ents)))
    for s, e, _ in missing:
        span = doc.char_span(s, e, alignment_mode="expand")
        for tok in span or ():
            tags[tok.i] = "-"
    return Example.from_dict(doc, {"entities": tags})


def _predict(nlp: Any, docs: Sequence[Gold]) -> dict[int, set[Ent]]:
    out: dict[int, set[Ent]] = {}
    for g, doc in zip(docs, nlp.pipe(g.text for g in docs), strict=True):
        out[g.article_id] = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
    return out


def _gold(docs: Iterable[Gold]) -> dict[int, set[Ent]]:
    return {g.article_id: set(g.ents) for g in docs}


def _install(nlp: Any, name: str, tag: str) -> Path:
    """Write the pipeline whole beside its place, then swap it in (a retrained name replaced)."""
    root = registry.models_dir()
    root.mkdir(parents=True, exist_ok=True)
    final = root / name
    tmp = root / f".{name}.{tag}.tmp"
    old = root / f".{name}.{tag}.old"
    nlp.to_disk(tmp)
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def train(store: Trainable, opts: TrainOptions, on_event: Events | None = None) -> Outcome:
    """Fine-tune the NER of ``opts.base`` on the corrected reviewed articles; record and save it.

    The base's other components are frozen (only ``ner`` is updated); labels the corrections
    use that the base lacks are added; the base model's own suggestions on unreviewed
    articles are mixed in (pseudo-rehearsal) for the labels the corrections do not cover,
    so it keeps what it knew. Each epoch is scored on the dev articles; the best epoch is
    kept, training stops after ``patience`` epochs without a better F1, and Ctrl-C keeps
    the best so far. Events: ``start`` and ``epoch`` (``Epoch.__dict__``).
    """
    from spacy.util import fix_random_seed, minibatch
    from thinc.api import compounding

    emit = on_event or (lambda _kind, _data: None)
    registry.check_name(opts.name)
    started = time.monotonic()
    position = int(store.db.execute("SELECT COALESCE(MAX(id), 0) FROM journal").fetchone()[0])
    corpus: Corpus = corrected(store, opts.labels, opts.dev)
    if not corpus.train:
        raise TrainingError(
            "no reviewed article to learn from: mark articles reviewed (R in the reader,"
            " `margin review ID`) once their entities are right"
        )
    if not corpus.labels:
        raise TrainingError("the reviewed articles hold no entity to learn from")
    base = registry.extractor_for(store.db, opts.base)
    fix_random_seed(opts.seed)
    # one load: the base's own suggestions (rehearsal, dev scores) are read before training
    nlp = base.load()  # ExtractionError names a missing model; only NER pipes stay enabled
    if "ner" not in nlp.pipe_names:
        raise TrainingError(f"the model {opts.base!r} has no trainable NER component (ner)")
    ner = nlp.get_pipe("ner")
    longest = max(len(g.text) for g in (*corpus.train, *corpus.dev))
    nlp.max_length = max(nlp.max_length, longest + 1)
    covered = set(corpus.labels)
    rehearse = rehearsal_ids(store, round(len(corpus.train) * opts.rehearsal), opts.seed)
    texts = [t for _, t in article_reads.texts(store.db, rehearse)]
    rehearsal: list[Any] = []
    for text, drafts in zip(texts, base.extract(texts), strict=True):
        ents = [(d.start, d.end, d.label) for d in drafts]
        keep = [e for e in ents if e[2] not in covered]
        unknown = [e for e in ents if e[2] in covered]
        rehearsal.append(_example(nlp, text, keep, unknown))
    gold_dev = _gold(corpus.dev)
    base_scores: dict[str, Any] = {}
    if corpus.dev:
        base_scores = score(_predict(nlp, corpus.dev), gold_dev, corpus.labels)
    added = [lab for lab in corpus.labels if lab not in ner.labels]
    for lab in added:
        ner.add_label(lab)
    examples = [_example(nlp, g.text, g.ents) for g in corpus.train] + rehearsal
    emit(
        "start",
        {
            "base": opts.base,
            "base_source": base.source,
            "name": opts.name,
            "train_articles": len(corpus.train),
            "dev_articles": len(corpus.dev),
            "rehearsal": len(texts),
            "labels": list(corpus.labels),
            "added_labels": added,
            "epochs": opts.epochs,
            "base_scores": base_scores,
        },
    )

    rng = random.Random(opts.seed)
    frozen = [p for p in nlp.pipe_names if p != "ner"]
    out_epochs: list[Epoch] = []
    best_f, best_bytes, best_scores, best_epoch, stale = -1.0, None, None, 0, 0
    interrupted = False
    batches: Any = minibatch
    with nlp.select_pipes(disable=frozen), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # W030 for spans off the tokens, per batch
        optimizer = nlp.resume_training()
        try:
            for epoch in range(1, opts.epochs + 1):
                t0 = time.monotonic()
                rng.shuffle(examples)
                losses: dict[str, float] = {}
                for batch in batches(examples, size=compounding(4.0, 32.0, 1.001)):
                    nlp.update(batch, drop=opts.dropout, sgd=optimizer, losses=losses)
                scores = (
                    score(_predict(nlp, corpus.dev), gold_dev, corpus.labels)
                    if corpus.dev
                    else None
                )
                f = float(scores["f"]) if scores else float(epoch)
                improved = f > best_f
                if improved:
                    best_f, best_bytes, best_scores, best_epoch, stale = (
                        f,
                        ner.to_bytes(),
                        scores,
                        epoch,
                        0,
                    )
                else:
                    stale += 1
                report = Epoch(
                    epoch,
                    round(float(losses.get("ner", 0.0)), 3),
                    round(time.monotonic() - t0, 2),
                    scores,
                    improved,
                )
                out_epochs.append(report)
                emit("epoch", dict(report.__dict__))
                if scores is not None and stale >= opts.patience:
                    break
        except KeyboardInterrupt:
            interrupted = True
            if best_bytes is None:
                raise
    assert best_bytes is not None
    ner.from_bytes(best_bytes)
    for name in list(nlp.disabled):  # saved whole: the tagger, parser ... as the base had them
        nlp.enable_pipe(name)
    tag = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{secrets.token_hex(2)}"
    source = f"model:{opts.name}@{tag}"
    nlp.meta[registry.META_KEY] = {
        "name": opts.name,
        "tag": tag,
        "source": source,
        "base": opts.base,
        "base_source": base.source,
    }
    folder = _install(nlp, opts.name, tag)
    values = {
        "name": opts.name,
        "tag": tag,
        "source": source,
        "path": str(folder),
        "base": opts.base,
        "base_source": base.source,
        "labels": list(corpus.labels),
        "articles": len(corpus.train),
        "spans": sum(len(g.ents) for g in corpus.train),
        "dev_articles": len(corpus.dev),
        "rehearsal": len(texts),
        "epochs": len(out_epochs),
        "seconds": round(time.monotonic() - started, 2),
        "scores": best_scores or {},
        "base_scores": base_scores,
        "journal_position": position,
        "trained_at": now(),
    }
    with store.unit() as tx:
        model_id = registry.record(tx, values)
    model = registry.find(store.db, source)
    assert model is not None and model.id == model_id
    return Outcome(model, out_epochs, interrupted, best_epoch)
