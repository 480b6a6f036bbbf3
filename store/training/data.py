"""What a training reads: the corrected view of reviewed articles (as `export` writes it), split by article."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from .. import articles as article_reads
from ..export import ExportOptions, Source, iter_docs, select_ids, split_ids

Ent = tuple[int, int, str]


@dataclass(frozen=True)
class Gold:
    """One reviewed article's text and its corrected entities (code points, end exclusive)."""

    article_id: int
    text: str
    ents: tuple[Ent, ...]


@dataclass(frozen=True)
class Corpus:
    """The reviewed articles to learn from and to score on."""

    train: tuple[Gold, ...]
    dev: tuple[Gold, ...]
    labels: tuple[str, ...]  # the labels trained (the corrections' own, or --labels)


def _no_overlaps(ents: Sequence[Ent]) -> tuple[Ent, ...]:
    """Longest first, then leftmost: a token can carry one entity only (spaCy's E103)."""
    kept: list[Ent] = []
    for e in sorted(ents, key=lambda e: (-(e[1] - e[0]), e[0])):
        if all(e[1] <= k[0] or k[1] <= e[0] for k in kept):
            kept.append(e)
    return tuple(sorted(kept))


def corrected(store: Source, labels: Sequence[str] = (), dev: float = 0.2) -> Corpus:
    """The reviewed articles in export's corrected view, dev split by article (export's split).

    With ``labels``, only those labels are kept (the others are not taught either way).
    """
    opts = ExportOptions(fmt="spacy", reviewed_only=True)
    ids = select_ids(store, opts)
    parts = split_ids(store, ids, [("dev", dev)] if dev > 0 and len(ids) >= 2 else [])
    found: set[str] = set()
    out: dict[str, list[Gold]] = {"train": [], "dev": []}
    for part, part_ids in parts.items():
        for doc in iter_docs(store, part_ids, opts, None):
            ents = [(s.start, s.end, s.label) for s in doc.spans]
            if labels:
                ents = [e for e in ents if e[2] in labels]
            found.update(e[2] for e in ents)
            gold = Gold(doc.article.id, doc.article.text, _no_overlaps(ents))
            out["dev" if part == "dev" else "train"].append(gold)
    chosen = tuple(labels) if labels else tuple(sorted(found))
    return Corpus(tuple(out["train"]), tuple(out["dev"]), chosen)


def rehearsal_ids(store: Source, n: int, seed: int) -> list[int]:
    """Up to n unreviewed articles, drawn at random (seeded), for the base model's rehearsal."""
    if n <= 0:
        return []
    pool = article_reads.ids(store.db, reviewed=False)
    if len(pool) > n:
        pool = sorted(random.Random(seed).sample(pool, n))
    return pool
