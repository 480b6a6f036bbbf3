"""Precision, recall and F1 of predicted entities against gold ones, per label and overall."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Ent = tuple[int, int, str]


def _prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4), "gold": tp + fn}


def score(
    predicted: Mapping[int, Iterable[Ent]], gold: Mapping[int, Iterable[Ent]], labels: Iterable[str]
) -> dict[str, Any]:
    """Exact matches (offsets and label) over the gold articles; labels outside ``labels`` ignored.

    Returns ``{"p", "r", "f", "gold", "labels": {LABEL: {"p", "r", "f", "gold"}}}``.
    """
    wanted = set(labels)
    counts: dict[str, list[int]] = {lab: [0, 0, 0] for lab in wanted}
    for aid, gold_ents in gold.items():
        g = {e for e in gold_ents if e[2] in wanted}
        p = {e for e in predicted.get(aid, ()) if e[2] in wanted}
        for e in g & p:
            counts[e[2]][0] += 1
        for e in p - g:
            counts[e[2]][1] += 1
        for e in g - p:
            counts[e[2]][2] += 1
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    out = _prf(*total)
    out["labels"] = {lab: _prf(*c) for lab, c in sorted(counts.items())}
    return out


def corrections(predicted: Iterable[Ent], gold: Iterable[Ent]) -> int:
    """How many per-mention corrections turn the predictions into the gold spans.

    An exact match costs nothing; a prediction on the gold offsets with another label is one
    relabel, one overlapping a gold span is one resize (two if the label differs too: a resize
    with a new label is one correction in margin, so one); every other prediction is one
    reject and every gold span nothing overlaps is one add.
    """
    p = set(predicted)
    g = set(gold)
    exact = p & g
    p -= exact
    g -= exact
    n = 0
    for e in sorted(p):
        hit = next((x for x in sorted(g) if x[0] < e[1] and e[0] < x[1]), None)
        n += 1  # reject, relabel or resize: one key each
        if hit is not None:
            g.discard(hit)
    return n + len(g)
