"""Agreement between this file and a merged annotator: span P/R/F1 per label, Cohen's kappa on tokens, the differences."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from . import corrections
from .db import Unit
from .errors import CorrectionError, NotFound
from .models import Span
from .rows import articles_by_id, chunks, marks, spans_by_article

Ann = tuple[int, int, str]  # (start, end, label): code points, end exclusive
OUTSIDE = "O"  # the token label of a token no entity covers
TOKEN = re.compile(r"\w+|[^\w\s]")  # words, and each other character that is not a space


@dataclass
class LabelScore:
    """Exact span matches for one label: this file is the reference, the annotator compared."""

    matched: int = 0  # same start, end and label on both sides
    own: int = 0  # this file's spans with the label
    other: int = 0  # the annotator's spans with the label

    @property
    def precision(self) -> float | None:
        """Of the annotator's spans, the share this file has too."""
        return None if self.other == 0 else self.matched / self.other

    @property
    def recall(self) -> float | None:
        """Of this file's spans, the share the annotator has too."""
        return None if self.own == 0 else self.matched / self.own

    @property
    def f1(self) -> float | None:
        """2 * matched / (own + other): the harmonic mean of precision and recall."""
        total = self.own + self.other
        return None if total == 0 else 2 * self.matched / total

    def as_dict(self) -> dict[str, Any]:
        """precision, recall, f1 (4 decimals, null when undefined) and the counts behind them."""

        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "precision": r(self.precision),
            "recall": r(self.recall),
            "f1": r(self.f1),
            "matched": self.matched,
            "own": self.own,
            "other": self.other,
        }


def span_scores(pairs: Iterable[tuple[Sequence[Ann], Sequence[Ann]]]) -> dict[str, LabelScore]:
    """Per label, exact matches of (own, other) span lists, one pair per article."""
    out: dict[str, LabelScore] = {}
    for own, other in pairs:
        mine, theirs = Counter(own), Counter(other)
        for (_s, _e, label), n in mine.items():
            out.setdefault(label, LabelScore()).own += n
        for (_s, _e, label), n in theirs.items():
            out.setdefault(label, LabelScore()).other += n
        for ann, n in (mine & theirs).items():
            out[ann[2]].matched += n
    return out


def total(scores: dict[str, LabelScore]) -> LabelScore:
    """Every label together (micro-averaged)."""
    out = LabelScore()
    for sc in scores.values():
        out.matched += sc.matched
        out.own += sc.own
        out.other += sc.other
    return out


def tokens(text: str) -> list[tuple[int, int]]:
    """(start, end) of each token: a run of word characters, or one other non-space character."""
    return [m.span() for m in TOKEN.finditer(text)]


def token_labels(toks: Sequence[tuple[int, int]], spans: Sequence[Ann]) -> list[str]:
    """Each token's label: that of the first span (by start) it overlaps, else O.

    Linear in text and spans: each character covered takes the label of the earliest span
    over it, and a token the label of its first covered character.
    """
    if not toks:
        return []
    covered: list[str | None] = [None] * toks[-1][1]
    for s, e, lab in sorted(spans, reverse=True):  # earlier starts written last: they win
        covered[s:e] = [lab] * (min(e, len(covered)) - s) if s < len(covered) else []
    out: list[str] = []
    for ts, te in toks:
        piece = covered[ts:te]
        first = piece[0]
        if first is None and piece.count(None) < len(piece):
            first = next(x for x in piece if x is not None)
        out.append(first or OUTSIDE)
    return out


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's kappa of two labelings of the same items: (po - pe) / (1 - pe).

    None for no items; 1.0 when both give every item one and the same label (pe = 1).
    """
    if len(a) != len(b):
        raise ValueError("both labelings must label the same items")
    n = len(a)
    if n == 0:
        return None
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if pe == 1:
        return 1.0
    return (po - pe) / (1 - pe)


@dataclass
class Agreement:
    """`margin agreement`: over the articles both reviewed."""

    annotator: str
    articles: list[int] = field(default_factory=list)
    labels: dict[str, LabelScore] = field(default_factory=dict)
    kappa: float | None = None
    tokens: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``margin agreement --json``."""
        return {
            "annotator": self.annotator,
            "articles": len(self.articles),
            "tokens": self.tokens,
            "kappa": None if self.kappa is None else round(self.kappa, 4),
            "labels": {k: v.as_dict() for k, v in sorted(self.labels.items())},
            "total": total(self.labels).as_dict(),
        }


def pick_annotator(db: sqlite_utils.Database, annotator: str | None) -> str:
    """The merged annotator to compare with: the one named, or the only one merged."""
    names = [str(r[0]) for r in db.execute("SELECT DISTINCT annotator FROM annotator_articles")]
    if annotator is not None:
        if annotator not in names:
            known = ", ".join(sorted(names)) or "none yet (margin merge OTHER.db)"
            raise NotFound(
                f"no annotator {annotator!r} was merged into this file (merged: {known})"
            )
        return annotator
    if not names:
        raise NotFound("no other annotator's file was merged yet: margin merge OTHER.db first")
    if len(names) > 1:
        raise CorrectionError(
            f"{len(names)} annotators were merged ({', '.join(sorted(names))}); name one with"
            " --annotator"
        )
    return names[0]


def own_spans(spans: Iterable[Span]) -> list[Ann]:
    """This file's entities of an article as (start, end, label): everything not rejected."""
    return [(s.start, s.end, s.label) for s in spans if s.status != "rejected"]


def other_spans(db: sqlite_utils.Database, annotator: str, article_id: int) -> list[Ann]:
    """The merged annotator's entities of an article."""
    return others_by_article(db, annotator, [article_id])[article_id]


def others_by_article(
    db: sqlite_utils.Database, annotator: str, ids: Sequence[int]
) -> dict[int, list[Ann]]:
    """The merged annotator's entities of these articles, per article, by start."""
    out: dict[int, list[Ann]] = {a: [] for a in ids}
    for chunk in chunks(ids):
        for r in db.execute(
            'SELECT article_id, start, "end", label FROM annotator_spans WHERE annotator = ?'
            f" AND article_id IN ({marks(chunk)}) ORDER BY article_id, start",
            [annotator, *chunk],
        ):
            out[int(r[0])].append((int(r[1]), int(r[2]), str(r[3])))
    return out


def both_reviewed(db: sqlite_utils.Database, annotator: str) -> list[int]:
    """The articles this file and the annotator both reviewed, by id."""
    return [
        int(r[0])
        for r in db.execute(
            "SELECT a.id FROM articles a JOIN annotator_articles o ON o.article_id = a.id"
            " WHERE o.annotator = ? AND o.reviewed = 1 AND a.reviewed = 1 ORDER BY a.id",
            (annotator,),
        )
    ]


def agreement(db: sqlite_utils.Database, annotator: str | None = None) -> Agreement:
    """Span P/R/F1 per label and token kappa of this file against a merged annotator."""
    name = pick_annotator(db, annotator)
    out = Agreement(name, both_reviewed(db, name))
    pairs = []
    a_labels: list[str] = []
    b_labels: list[str] = []
    for start in range(0, len(out.articles), 200):
        chunk = out.articles[start : start + 200]
        spans = spans_by_article(db, chunk)
        others = others_by_article(db, name, chunk)
        texts = articles_by_id(db, chunk)
        for aid in chunk:
            mine, theirs = own_spans(spans.get(aid, [])), others[aid]
            pairs.append((mine, theirs))
            toks = tokens(texts[aid].text)
            a_labels += token_labels(toks, mine)
            b_labels += token_labels(toks, theirs)
    out.labels = span_scores(pairs)
    out.kappa = cohen_kappa(a_labels, b_labels)
    out.tokens = len(a_labels)
    return out


# -- adjudication: where the two versions differ, and taking a side -----------------------


@dataclass(frozen=True)
class Difference:
    """A stretch of text where the two versions differ: this file's spans and the annotator's."""

    start: int
    end: int
    mine: tuple[Span, ...]
    theirs: tuple[Ann, ...]


def differences(spans: Sequence[Span], theirs: Sequence[Ann]) -> list[Difference]:
    """The stretches where the versions differ (spans both have exactly are left out)."""
    live = [s for s in spans if s.status != "rejected"]
    same = {(s.start, s.end, s.label) for s in live} & set(theirs)
    mine = [s for s in live if (s.start, s.end, s.label) not in same]
    other = [a for a in theirs if a not in same]
    items: list[tuple[int, int, Span | None, Ann | None]] = [
        *((s.start, s.end, s, None) for s in mine),
        *((a[0], a[1], None, a) for a in other),
    ]
    items.sort(key=lambda t: (t[0], t[1]))
    out: list[Difference] = []
    cur: list[tuple[int, int, Span | None, Ann | None]] = []
    end = -1
    for item in items:
        if cur and item[0] >= end:
            out.append(_difference(cur))
            cur = []
        cur.append(item)
        end = max(end, item[1]) if len(cur) > 1 else item[1]
    if cur:
        out.append(_difference(cur))
    return out


def _difference(items: list[tuple[int, int, Span | None, Ann | None]]) -> Difference:
    return Difference(
        min(i[0] for i in items),
        max(i[1] for i in items),
        tuple(i[2] for i in items if i[2] is not None),
        tuple(i[3] for i in items if i[3] is not None),
    )


def adjudicate(tx: Unit, article_id: int, choices: Sequence[tuple[Difference, str]]) -> int:
    """Take a side on each difference ("mine", "theirs" or "neither"), then mark the article reviewed.

    mine accepts this file's spans there; theirs rejects them and adds the annotator's as a
    person's; neither rejects them. One journal group: one undo reverts it all. Returns how
    many differences were decided.
    """
    for diff, side in choices:
        if side not in ("mine", "theirs", "neither"):
            raise ValueError(f"unknown side {side!r}")
        for span in diff.mine:
            if side == "mine":
                corrections.accept(tx, span.id)
            else:
                corrections.reject(tx, span.id)
        if side == "theirs":
            for start, end, label in diff.theirs:
                corrections.add_span(tx, article_id, start, end, label)
    corrections.set_reviewed(tx, article_id, True)
    return len(choices)


def to_adjudicate(db: sqlite_utils.Database, annotator: str) -> list[int]:
    """Articles the annotator reviewed whose versions differ from this file's, by id."""
    ids = [
        int(r[0])
        for r in db.execute(
            "SELECT article_id FROM annotator_articles WHERE annotator = ? AND reviewed = 1"
            " ORDER BY article_id",
            (annotator,),
        )
    ]
    out = []
    for start in range(0, len(ids), 200):
        chunk = ids[start : start + 200]
        spans = spans_by_article(db, chunk)
        others = others_by_article(db, annotator, chunk)
        for aid in chunk:
            if differences(spans.get(aid, []), others[aid]):
                out.append(aid)
    return out
