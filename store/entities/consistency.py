"""The consistency queue: where the corpus contradicts itself, each item resolvable in one step."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from .. import journal, propagation
from ..db import Unit
from ..errors import CorrectionError, NotFound
from ..models import now

KINDS = ("labels", "decisions", "boundary", "training")
KIND_NAMES = {
    "labels": "one name, several labels",
    "decisions": "accepted here, rejected there",
    "boundary": "boundaries drift",
    "training": "breaks spaCy training",
}


@dataclass(frozen=True)
class Item:
    """One contradiction: its kind, the surface, what conflicts, and what resolving does."""

    kind: str
    surface: str
    detail: str  # what conflicts, in a few words ("ORG 439 · PERSON 90")
    label: str | None  # the label resolving gives (None: resolving rejects)
    resolution: str  # what resolving does, in a few words
    other: str | None = None  # boundary items: the other form of the name
    weight: int = 0  # how many mentions are on the losing side (the queue's order)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``margin check --json``."""
        return {
            "kind": self.kind,
            "surface": self.surface,
            "conflict": self.detail,
            "label": self.label,
            "resolution": self.resolution,
            "other": self.other,
            "mentions": self.weight,
        }


def _not_intended(kind: str, column: str) -> str:
    return f" AND {column} NOT IN (SELECT surface FROM check_intended WHERE kind = '{kind}')"


def _labels(db: sqlite_utils.Database, limit: int) -> Iterator[Item]:
    rows = db.execute(
        "SELECT surface, group_concat(label || ' ' || mentions, ' · '), SUM(mentions) - MAX(mentions)"
        " FROM (SELECT surface, label, mentions FROM entities ORDER BY surface, mentions DESC)"
        " GROUP BY surface HAVING COUNT(*) > 1"
        + _not_intended("labels", "surface")
        + " ORDER BY 3 DESC, surface LIMIT ?",
        (limit,),
    )
    for surface, detail, minority in rows:
        top = str(detail).split(" · ")[0].rsplit(" ", 1)[0]
        yield Item(
            "labels", str(surface), str(detail), top, f"every mention {top}", weight=int(minority)
        )


def _decisions(db: sqlite_utils.Database, limit: int) -> Iterator[Item]:
    # (text, label) groups with both accepted and rejected spans, from the index of decided
    # spans alone; then, for those only, the rejections that no correction replaced
    groups = db.execute(
        "SELECT r.text, r.label, r.n, a.n FROM"
        " (SELECT text, label, COUNT(*) AS n FROM spans WHERE status != 'suggested'"
        "  AND status = 'rejected' GROUP BY text, label) r"
        " JOIN (SELECT text, label, COUNT(*) AS n FROM spans WHERE status != 'suggested'"
        "  AND status = 'accepted' GROUP BY text, label) a"
        " ON a.text = r.text AND a.label = r.label"
        " WHERE 1" + _not_intended("decisions", "r.text") + " ORDER BY MIN(r.n, a.n) DESC, r.text"
    )
    found = 0
    for text, label, _rejected, accepted in groups:
        if found == limit:
            return
        rejected = int(
            db.execute(
                "SELECT COUNT(*) FROM spans r WHERE r.text = ? AND r.label = ?"
                " AND r.status != 'suggested' AND r.status = 'rejected'"
                " AND NOT EXISTS (SELECT 1 FROM spans o WHERE o.article_id = r.article_id"
                '  AND o.start < r."end" AND r.start < o."end" AND o.status != \'rejected\')',
                (text, label),
            ).fetchone()[0]
        )
        if not rejected:
            continue  # every rejection was a relabel or a resize: the labels kind shows those
        found += 1
        keep = accepted >= rejected
        yield Item(
            "decisions",
            str(text),
            f"{label}: accepted {accepted:,} · rejected {rejected:,}",
            str(label) if keep else None,
            f"accept every mention as {label}" if keep else "reject every mention",
            weight=int(min(rejected, accepted)),
        )


def _boundary(db: sqlite_utils.Database, limit: int) -> Iterator[Item]:
    rows = db.execute(
        "SELECT l.surface, s.surface, s.label, l.mentions, s.mentions FROM entities l"
        " JOIN entities s ON s.surface = CASE WHEN l.surface LIKE 'the %'"
        "  THEN substr(l.surface, 5) ELSE substr(l.surface, 1, length(l.surface) - 2) END"
        " WHERE (l.surface LIKE 'the %' OR l.surface LIKE '%''s' OR l.surface LIKE '%’s')"
        + _not_intended("boundary", "l.surface")
        + " ORDER BY MIN(l.mentions, s.mentions) DESC, l.surface LIMIT ?",
        (limit,),
    )
    for longer, shorter, label, n_long, n_short in rows:
        yield Item(
            "boundary",
            str(longer),
            f"{longer!r} {n_long:,} · {shorter!r} {n_short:,} ({label})",
            str(label),
            f"reject {longer!r}, every {shorter!r} {label}",
            other=str(shorter),
            weight=int(min(n_long, n_short)),
        )


def _training(db: sqlite_utils.Database, limit: int) -> Iterator[Item]:
    rows = db.execute(
        "SELECT surface, label, mentions FROM entities"
        " WHERE (instr(surface, char(10)) > 0 OR surface != trim(surface))"
        + _not_intended("training", "surface")
        + " ORDER BY mentions DESC, surface LIMIT ?",
        (limit,),
    )
    for surface, label, mentions in rows:
        why = "crosses a line break" if "\n" in surface else "starts or ends with a space"
        yield Item(
            "training",
            str(surface),
            f"{label} {mentions:,}: {why}",
            None,
            "reject every mention",
            weight=int(mentions),
        )


_QUERIES = {
    "labels": _labels,
    "decisions": _decisions,
    "boundary": _boundary,
    "training": _training,
}


def check(
    db: sqlite_utils.Database, limit: int | None = 50, kinds: tuple[str, ...] = KINDS
) -> list[Item]:
    """The queue's first items (all with limit None): kind by kind, biggest conflicts first."""
    out: list[Item] = []
    for kind in kinds:
        room = -1 if limit is None else limit - len(out)
        if room == 0:
            break
        out.extend(_QUERIES[kind](db, room))
    return out


def find(db: sqlite_utils.Database, kind: str, surface: str) -> Item:
    """The queue's item of this kind for surface; NotFound if the corpus agrees with itself."""
    if kind not in KINDS:
        raise NotFound(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    for item in _QUERIES[kind](db, -1):
        if item.surface == surface:
            return item
    raise NotFound(f"the queue has no {kind!r} item for {surface!r}")


def resolve(tx: Unit, kind: str, surface: str, label: str | None = None) -> int:
    """Resolve one item by propagation (one undo step); return how many mentions changed.

    label overrides the label the item proposes (for a "labels" item, the majority one).
    """
    item = find(tx.db, kind, surface)
    give = label or item.label
    if kind == "boundary":
        assert item.other is not None
        done = propagation.apply(tx, item.surface, None).mentions
        return done + propagation.apply(tx, item.other, give).mentions
    if kind == "training":
        give = label
    return propagation.apply(tx, item.surface, give).mentions


def mark_intended(tx: Unit, kind: str, surface: str) -> None:
    """Keep an item out of the queue: the contradiction is meant (one undo step)."""
    if kind not in KINDS:
        raise CorrectionError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    if tx.one("SELECT 1 FROM check_intended WHERE kind = ? AND surface = ?", (kind, surface)):
        return
    state = {"kind": kind, "surface": surface, "created_at": now()}
    tx.execute(
        "INSERT INTO check_intended (kind, surface, created_at) VALUES (?, ?, ?)",
        (kind, surface, state["created_at"]),
    )
    journal.record(tx, "intended", after=state)
