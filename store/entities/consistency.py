"""The consistency queue: where the corpus contradicts itself, each item resolvable in one step."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from .. import corrections, journal, propagation
from ..db import Unit
from ..errors import CorrectionError, NotFound
from ..models import now
from . import overlaps

KINDS = ("labels", "decisions", "boundary", "training", "overlap")
KIND_NAMES = {
    "labels": "one name, several labels",
    "decisions": "accepted here, rejected there",
    "boundary": "boundaries drift",
    "training": "breaks spaCy training",
    "overlap": "overlapping spans",
}


@dataclass(frozen=True)
class Item:
    """One contradiction: its kind, the surface, what conflicts, and what resolving does."""

    kind: str
    surface: str
    detail: str  # what conflicts, in a few words ("ORG 439 · PERSON 90")
    label: str | None  # the label resolving gives (None: resolving rejects)
    resolution: str  # what resolving does, in a few words
    other: str | None = None  # boundary: the other form; overlap: the shorter span's text
    weight: int = 0  # how many mentions are on the losing side (the queue's order)
    articles: int | None = None  # overlap items: in how many articles the two overlap
    labels: tuple[str, ...] = ()  # overlap items: the longer span's label, the shorter's

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
            **({"articles": self.articles} if self.articles is not None else {}),
            **({"labels": list(self.labels)} if self.labels else {}),
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


def _overlap(db: sqlite_utils.Database, limit: int) -> Iterator[Item]:
    pairs: dict[tuple[str, str], list[tuple[str, str, int]]] = {}
    for wide, inner in overlaps.pairs(db):
        pairs.setdefault((wide.text, inner.text), []).append(
            (wide.label, inner.label, wide.article)
        )
    intended = {
        str(r[0]) for r in db.execute("SELECT surface FROM check_intended WHERE kind = 'overlap'")
    }
    found = []
    for (long, short), seen in pairs.items():
        if overlap_key(long, short) in intended:
            continue
        by_labels: dict[tuple[str, str], int] = {}
        for a, b, _article in seen:
            by_labels[(a, b)] = by_labels.get((a, b), 0) + 1
        (la, lb), _n = max(by_labels.items(), key=lambda kv: (kv[1], kv[0]))
        articles = len({article for _a, _b, article in seen})
        found.append((len(seen), articles, long, short, la, lb, by_labels))
    found.sort(key=lambda f: (-f[0], f[2], f[3]))
    for n, articles, long, short, la, lb, by_labels in found[: None if limit < 0 else limit]:
        labels = " · ".join(f"{a}/{b} {k:,}" for (a, b), k in sorted(by_labels.items()))
        mixed = f" [{labels}]" if len(by_labels) > 1 else ""  # the label pairs, when several
        yield Item(
            "overlap",
            long,
            f"{long!r} ({la}) overlaps {short!r} ({lb}) in {articles:,} article(s){mixed}",
            la,
            f"keep {long!r}, reject the {n:,} overlapping {short!r}",
            other=short,
            weight=n,
            articles=articles,
            labels=(la, lb),
        )


def overlap_key(longer: str, shorter: str) -> str:
    """How check_intended names an overlap item: both texts (a NUL cannot be in a name)."""
    return f"{longer}\x00{shorter}"


_QUERIES = {
    "labels": _labels,
    "decisions": _decisions,
    "boundary": _boundary,
    "training": _training,
    "overlap": _overlap,
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


def find(db: sqlite_utils.Database, kind: str, surface: str, other: str | None = None) -> Item:
    """The queue's item of this kind for surface (and other, for an overlap: the shorter
    text; without it, the biggest item of surface); NotFound if the corpus agrees with itself."""
    if kind not in KINDS:
        raise NotFound(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    for item in _QUERIES[kind](db, -1):
        if item.surface == surface and (other is None or item.other == other):
            return item
    also = f" and {other!r}" if other is not None else ""
    raise NotFound(f"the queue has no {kind!r} item for {surface!r}{also}")


def resolve(
    tx: Unit, kind: str, surface: str, label: str | None = None, other: str | None = None
) -> int:
    """Resolve one item by propagation (one undo step); return how many mentions changed.

    label overrides the label the item proposes (for a "labels" item, the majority one).
    An overlap item keeps the longer span and rejects the shorter wherever the two overlap
    (and only there: the shorter name elsewhere stays); label then relabels the longer ones.
    """
    item = find(tx.db, kind, surface, other)
    if kind == "overlap":
        assert item.other is not None
        return _resolve_overlap(tx, item.surface, item.other, label)
    give = label or item.label
    if kind == "boundary":
        assert item.other is not None
        done = propagation.apply(tx, item.surface, None).mentions
        return done + propagation.apply(tx, item.other, give).mentions
    if kind == "training":
        give = label
    return propagation.apply(tx, item.surface, give).mentions


def _resolve_overlap(tx: Unit, longer: str, shorter: str, label: str | None) -> int:
    changed = 0
    relabel: set[int] = set()
    for long, short in overlaps.pairs(tx.db):
        if long.text == longer and short.text == shorter:
            if tx.one("SELECT status FROM spans WHERE id = ?", (short.id,)) != "rejected":
                corrections.reject(tx, short.id)
                changed += 1
            if label and long.label != label:
                relabel.add(long.id)
    for span_id in sorted(relabel):
        corrections.relabel(tx, span_id, label or "")
        changed += 1
    return changed


def mark_intended(tx: Unit, kind: str, surface: str, other: str | None = None) -> None:
    """Keep an item out of the queue: the contradiction is meant (one undo step).

    An overlap item is named by both texts (other: the shorter one)."""
    if kind not in KINDS:
        raise CorrectionError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    if kind == "overlap":
        if other is None:
            other = find(tx.db, kind, surface).other
        assert other is not None
        surface = overlap_key(surface, other)
    if tx.one("SELECT 1 FROM check_intended WHERE kind = ? AND surface = ?", (kind, surface)):
        return
    state = {"kind": kind, "surface": surface, "created_at": now()}
    tx.execute(
        "INSERT INTO check_intended (kind, surface, created_at) VALUES (?, ?, ?)",
        (kind, surface, state["created_at"]),
    )
    journal.record(tx, "intended", after=state)
