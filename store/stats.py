"""Counts: articles and spans per label, what people did to the model's suggestions, its P and R."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from .models import LabelCount, Stats

_REVIEWED = "WITH reviewed(id) AS MATERIALIZED (SELECT id FROM articles WHERE reviewed = 1)"

# Counting every model suggestion by (label, status) with a GROUP BY over millions of rows
# sorts them all; instead: all spans by (label, status) (see by_label_status), minus the
# few that are not the model's, plus the fate of each rejected model span (also few).
# There is no index on (label, status): it moved an entry for every change of status, on a
# page of its own (migration 11). Each label's spans are counted from spans_label in index
# order, the decided ones (accepted, rejected: usually few) from the partial spans_decided,
# and what is left of a label is suggested.
_BY_LABEL = "SELECT label, COUNT(*) FROM spans GROUP BY label"
_DECIDED = (
    "SELECT label, status, COUNT(*) FROM spans INDEXED BY spans_decided"
    " WHERE status != 'suggested' GROUP BY label, status"
)


def by_label_status(db: sqlite_utils.Database) -> dict[tuple[str, str], int]:
    """How many spans have each (label, status), for the pairs that have any."""
    out: dict[tuple[str, str], int] = {}
    suggested: dict[str, int] = {}
    for label, n in db.conn.execute(_BY_LABEL):
        suggested[label] = int(n)
    for label, status, n in db.conn.execute(_DECIDED):
        out[(label, status)] = int(n)
        suggested[label] -= int(n)
    for label, n in suggested.items():
        if n:
            out[(label, "suggested")] = n
    return dict(sorted(out.items()))


_FEW = (
    _REVIEWED
    + """
SELECT s.label, s.status, s.source LIKE 'model:%' AS model,
  CASE
    WHEN s.status != 'rejected' OR s.source NOT LIKE 'model:%' THEN NULL
    WHEN EXISTS (SELECT 1 FROM spans o WHERE o.article_id = s.article_id AND o.start = s.start
                 AND o."end" = s."end" AND o.status != 'rejected' AND o.id != s.id
                 AND o.label = s.label) THEN 'accepted'
    WHEN EXISTS (SELECT 1 FROM spans o WHERE o.article_id = s.article_id AND o.start = s.start
                 AND o."end" = s."end" AND o.status != 'rejected' AND o.source NOT LIKE 'model:%')
         THEN 'relabelled'
    WHEN EXISTS (SELECT 1 FROM spans o WHERE o.article_id = s.article_id AND o.start < s."end"
                 AND o."end" > s.start AND o.status != 'rejected' AND o.source = 'user')
         THEN 'resized'
    ELSE 'rejected'
  END AS fate,
  s.article_id IN reviewed AS reviewed,
  COUNT(*) AS n
FROM spans s NOT INDEXED
WHERE s.source NOT LIKE 'model:%' OR s.status = 'rejected'
GROUP BY 1, 2, 3, 4, 5
"""
)

# model suggestions still suggested in reviewed articles: they count as accepted
_REVIEWED_SUGGESTIONS = (
    _REVIEWED
    + """
SELECT s.label, COUNT(*) FROM spans s
WHERE s.article_id IN reviewed AND s.status = 'suggested' AND s.source LIKE 'model:%'
GROUP BY 1
"""
)

# accepted model spans per label in reviewed articles (for the reviewed-only scope)
_REVIEWED_ACCEPTED = (
    _REVIEWED
    + """
SELECT s.label, COUNT(*) FROM spans s
WHERE s.article_id IN reviewed AND s.status = 'accepted' AND s.source LIKE 'model:%'
GROUP BY 1
"""
)

# The entities people confirmed (gold), and whether the model suggested exactly that span.
_GOLD = (
    _REVIEWED
    + """
SELECT g.label,
  EXISTS (SELECT 1 FROM spans m WHERE m.article_id = g.article_id AND m.start = g.start
          AND m."end" = g."end" AND m.label = g.label AND m.source LIKE 'model:%') AS found,
  (g.source = 'user' AND NOT EXISTS (
      SELECT 1 FROM spans m WHERE m.article_id = g.article_id AND m.start < g."end"
      AND m."end" > g.start AND m.status = 'rejected' AND m.source LIKE 'model:%')) AS added,
  g.article_id IN reviewed AS reviewed,
  COUNT(*) AS n
FROM spans g NOT INDEXED
WHERE g.status = 'accepted' OR (g.status = 'suggested' AND g.article_id IN reviewed)
GROUP BY 1, 2, 3, 4
"""
)

FATES = ("accepted", "relabelled", "resized", "rejected", "pending")


def _ratio(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


@dataclass
class Score:
    """Model suggestions by fate and confirmed entities, for one label (or all)."""

    accepted: int = 0
    relabelled: int = 0
    resized: int = 0
    rejected: int = 0
    pending: int = 0
    added: int = 0  # entities people added where the model had suggested nothing
    gold: int = 0  # confirmed entities with this label
    found: int = 0  # of them, ones the model suggested exactly (offsets and label)

    @property
    def decided(self) -> int:
        """Model suggestions a person (or a review) decided."""
        return self.accepted + self.relabelled + self.resized + self.rejected

    @property
    def precision(self) -> float | None:
        """Share of decided model suggestions that were right."""
        return _ratio(self.accepted, self.decided)

    @property
    def recall(self) -> float | None:
        """Share of confirmed entities the model had suggested exactly."""
        return _ratio(self.found, self.gold)

    def add(self, other: Score) -> None:
        for name in (*FATES, "added", "gold", "found"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: getattr(self, name) for name in (*FATES, "added")}
        out["precision"] = None if self.precision is None else round(self.precision, 4)
        out["recall"] = None if self.recall is None else round(self.recall, 4)
        return out


@dataclass
class CorrectionStats:
    """Per label and overall: for everything decided, and for reviewed articles only."""

    labels: dict[str, Score] = field(default_factory=dict)
    total: Score = field(default_factory=Score)
    reviewed_labels: dict[str, Score] = field(default_factory=dict)
    reviewed_total: Score = field(default_factory=Score)
    model_sources: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape under ``"corrections"`` in ``margin stats --json``."""
        return {
            "model_sources": list(self.model_sources),
            "labels": {k: v.as_dict() for k, v in sorted(self.labels.items())},
            "total": self.total.as_dict(),
            "reviewed_only": {
                "labels": {k: v.as_dict() for k, v in sorted(self.reviewed_labels.items())},
                "total": self.reviewed_total.as_dict(),
            },
        }


def correction_stats(db: sqlite_utils.Database) -> CorrectionStats:
    """Count what happened to the model's suggestions and score the model against people.

    Precision: accepted / decided model suggestions (accepted, relabelled, resized,
    rejected; suggestions in a reviewed article count as accepted). Recall: of the
    confirmed entities (accepted spans, and every suggestion in a reviewed article), the
    share the model suggested with the same offsets and label. Outside reviewed articles
    a person only confirmed some entities, so recall there is an upper bound;
    ``reviewed_*`` counts reviewed articles only.
    """
    conn = db.conn
    out = CorrectionStats()

    def slot(table: dict[str, Score], label: str) -> Score:
        return table.setdefault(label, Score())

    def count(table: dict[str, Score], label: str, fate: str, n: int) -> None:
        sc = slot(table, label)
        setattr(sc, fate, getattr(sc, fate) + n)

    model: dict[tuple[str, str], int] = {}
    for (label, status), n in by_label_status(db).items():
        if status != "rejected":
            model[(label, status)] = n
    for label, status, is_model, fate, reviewed, n in conn.execute(_FEW):
        if not is_model:
            if status != "rejected":
                model[(label, status)] -= n
            continue
        count(out.labels, label, fate, n)
        if reviewed:
            count(out.reviewed_labels, label, fate, n)
    for (label, status), n in model.items():
        if n:
            count(out.labels, label, "accepted" if status == "accepted" else "pending", n)
    for label, n in conn.execute(_REVIEWED_SUGGESTIONS):
        count(out.labels, label, "pending", -n)
        count(out.labels, label, "accepted", n)
        count(out.reviewed_labels, label, "accepted", n)
    for label, n in conn.execute(_REVIEWED_ACCEPTED):
        count(out.reviewed_labels, label, "accepted", n)
    for label, found, added, reviewed, n in conn.execute(_GOLD):
        for table, on in ((out.labels, True), (out.reviewed_labels, bool(reviewed))):
            if on:
                sc = slot(table, label)
                sc.gold += n
                sc.found += n if found else 0
                sc.added += n if added else 0
    for sc in out.labels.values():
        out.total.add(sc)
    for sc in out.reviewed_labels.values():
        out.reviewed_total.add(sc)
    out.model_sources = tuple(
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT source FROM spans WHERE source LIKE 'model:%' ORDER BY source"
        )
    )
    return out


def stats(db: sqlite_utils.Database) -> Stats:
    """Corpus-wide counts, per label by status."""
    a = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(read), 0), COALESCE(SUM(reviewed), 0) FROM articles"
    ).fetchone()
    per: dict[str, dict[str, int]] = {}
    total = 0
    for (label, status), n in by_label_status(db).items():
        per.setdefault(label, {})[status] = n
        total += n
    counts = tuple(
        LabelCount(label, v.get("suggested", 0), v.get("accepted", 0), v.get("rejected", 0))
        for label, v in sorted(per.items())
    )
    return Stats(int(a[0]), int(a[1]), int(a[2]), total, counts)


# -- trained models: scored on what people decided after the training ---------------------

_MODEL_DECIDED = """
SELECT s.label,
  SUM(s.status = 'accepted' OR (s.status = 'suggested' AND a.reviewed = 1)) AS right,
  SUM(s.status = 'rejected') AS wrong
FROM spans s JOIN articles a ON a.id = s.article_id
WHERE s.source = ? GROUP BY 1
"""

# confirmed entities of the articles the model extracted and a person reviewed afterwards
_MODEL_GOLD = """
WITH scope(id) AS MATERIALIZED (
  SELECT DISTINCT j.article_id FROM journal j JOIN articles a ON a.id = j.article_id
  WHERE j.action = 'extract' AND j.actor = ? AND a.reviewed = 1 AND a.reviewed_at > ?)
SELECT g.label,
  EXISTS (SELECT 1 FROM spans m WHERE m.article_id = g.article_id AND m.start = g.start
          AND m."end" = g."end" AND m.label = g.label AND m.source = ?) AS found,
  COUNT(*)
FROM spans g WHERE g.article_id IN scope AND g.status IN ('accepted', 'suggested')
GROUP BY 1, 2
"""


def model_stats(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Per trained model and label: precision of its suggestions people decided, and recall
    and F1 in the articles it extracted that a person reviewed after it was trained (never
    the corrections it was trained on: those articles were reviewed before)."""
    out: list[dict[str, Any]] = []
    if not db["models"].exists():  # a read-only open of a database older than migration 7
        return out
    models = db.execute("SELECT name, source, trained_at FROM models ORDER BY id").fetchall()
    for name, source, trained_at in models:
        per: dict[str, dict[str, int]] = {}
        for label, right, wrong in db.execute(_MODEL_DECIDED, (source,)):
            per.setdefault(label, {}).update(right=int(right or 0), wrong=int(wrong or 0))
        for label, found, n in db.execute(_MODEL_GOLD, (source, trained_at, source)):
            slot = per.setdefault(label, {})
            slot["gold"] = slot.get("gold", 0) + n
            slot["found"] = slot.get("found", 0) + (n if found else 0)

        def prf(c: dict[str, int]) -> dict[str, Any]:
            right, wrong = c.get("right", 0), c.get("wrong", 0)
            gold, found = c.get("gold", 0), c.get("found", 0)
            p, r = _ratio(right, right + wrong), _ratio(found, gold)
            f = None if p is None or r is None or p + r == 0 else 2 * p * r / (p + r)
            return {
                "decided": right + wrong,
                "gold": gold,
                "precision": None if p is None else round(p, 4),
                "recall": None if r is None else round(r, 4),
                "f1": None if f is None else round(f, 4),
            }

        total: dict[str, int] = {}
        for c in per.values():
            for k, v in c.items():
                total[k] = total.get(k, 0) + v
        out.append(
            {
                "name": name,
                "source": source,
                "trained_at": trained_at,
                "labels": {lab: prf(c) for lab, c in sorted(per.items())},
                "total": prf(total),
            }
        )
    return out
