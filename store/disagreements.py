"""Where a re-extraction disagrees with the suggestions it replaced, and a person's verdict on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from . import corrections
from .db import Unit
from .errors import CorrectionError, MarginError
from .models import now
from .rows import chunks, marks

KINDS = ("added", "dropped", "relabelled", "resized")
CHOICES = ("new", "old", "neither")

_UNTOUCHED = "status = 'suggested' AND (source LIKE 'model:%' OR source LIKE 'rule:%')"


@dataclass(frozen=True)
class Side:
    """One side of a disagreement: a suggestion of the old run or of the new one."""

    start: int
    end: int
    label: str
    text: str
    source: str
    span_id: int | None = None  # the stored span (the new side only)


@dataclass(frozen=True)
class Mention:
    """One place where the runs disagree."""

    article_id: int
    kind: str
    old: Side | None
    new: Side | None


@dataclass(frozen=True)
class Disagreement:
    """The mentions that disagree alike (same kind, texts and labels), decided as one."""

    kind: str
    old_text: str
    old_label: str
    new_text: str
    new_label: str
    mentions: tuple[Mention, ...]

    @property
    def surface(self) -> str:
        """The text the disagreement is about (the new side's, else the old's)."""
        return self.new_text or self.old_text

    @property
    def articles(self) -> int:
        """How many articles it is in."""
        return len({m.article_id for m in self.mentions})

    def describe(self) -> str:
        """One line: ``relabelled 'Aleppo' NORP -> GPE``."""
        if self.kind == "added":
            return f"added {self.new_text!r} {self.new_label}"
        if self.kind == "dropped":
            return f"dropped {self.old_text!r} {self.old_label}"
        if self.kind == "relabelled":
            return f"relabelled {self.new_text!r} {self.old_label} -> {self.new_label}"
        return (
            f"resized {self.old_text!r} -> {self.new_text!r} ({self.old_label} -> {self.new_label})"
        )

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``margin disagreements --json``."""

        def side(s: Side | None) -> dict[str, Any] | None:
            return None if s is None else {k: v for k, v in s.__dict__.items() if k != "span_id"}

        return {
            "kind": self.kind,
            "surface": self.surface,
            "old": {"text": self.old_text, "label": self.old_label} if self.old_text else None,
            "new": {"text": self.new_text, "label": self.new_label} if self.new_text else None,
            "mentions": len(self.mentions),
            "articles": self.articles,
            "places": [
                {"article_id": m.article_id, "old": side(m.old), "new": side(m.new)}
                for m in self.mentions
            ],
        }


def keep_prior(tx: Unit, ids: Sequence[int], replaced_by: str) -> int:
    """Before a re-extraction: keep the untouched suggestions it is about to replace.

    Replaces what an earlier re-extraction kept for the same articles; reviewed articles
    are never re-extracted and are skipped. Returns the suggestions kept.
    """
    stamp = now()
    kept = 0
    for chunk in chunks(ids):
        open_ids = [
            r[0]
            for r in tx.execute(
                f"SELECT id FROM articles WHERE id IN ({marks(chunk)}) AND reviewed = 0", chunk
            )
        ]
        if not open_ids:
            continue
        tx.execute(
            f"DELETE FROM prior_suggestions WHERE article_id IN ({marks(open_ids)})", open_ids
        )
        kept += tx.execute(
            'INSERT INTO prior_suggestions (article_id, start, "end", label, text, source,'
            ' replaced_by, at) SELECT article_id, start, "end", label, text, source, ?, ?'
            f" FROM spans WHERE article_id IN ({marks(open_ids)}) AND {_UNTOUCHED}",
            (replaced_by, stamp, *open_ids),
        ).rowcount
    return kept


def _overlap(a: Side, b: Side | tuple[int, int]) -> bool:
    s, e = (b.start, b.end) if isinstance(b, Side) else b
    return a.start < e and s < a.end


def _article(
    aid: int, old: list[Side], new: list[Side], decided: list[tuple[int, int]]
) -> list[Mention]:
    out: list[Mention] = []
    matched: set[int] = set()
    for o in old:
        same = next((n for n in new if (n.start, n.end) == (o.start, o.end)), None)
        hit = same or next((n for n in new if _overlap(o, n)), None)
        if hit is None:
            if not any(_overlap(o, d) for d in decided):  # a person decided there since
                out.append(Mention(aid, "dropped", o, None))
            continue
        matched.add(id(hit))
        if (hit.start, hit.end, hit.label) == (o.start, o.end, o.label):
            continue
        kind = "relabelled" if (hit.start, hit.end) == (o.start, o.end) else "resized"
        out.append(Mention(aid, kind, o, hit))
    for n in new:
        if id(n) not in matched and not any(_overlap(n, o) for o in old):
            out.append(Mention(aid, "added", None, n))
    return out


def mentions(db: sqlite_utils.Database) -> list[Mention]:
    """Every open disagreement in unreviewed articles that a re-extraction replaced."""
    ids = [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT p.article_id FROM prior_suggestions p JOIN articles a"
            " ON a.id = p.article_id WHERE a.reviewed = 0 ORDER BY 1"
        )
    ]
    out: list[Mention] = []
    for chunk in chunks(ids):
        old: dict[int, list[Side]] = {a: [] for a in chunk}
        new: dict[int, list[Side]] = {a: [] for a in chunk}
        decided: dict[int, list[tuple[int, int]]] = {a: [] for a in chunk}
        q = 'SELECT article_id, start, "end", label, text, source FROM prior_suggestions'
        for aid, s, e, lab, text, src in db.execute(
            f"{q} WHERE article_id IN ({marks(chunk)}) ORDER BY article_id, start, id", chunk
        ):
            old[aid].append(Side(s, e, lab, text or "", src))
        q = 'SELECT article_id, id, start, "end", label, text, source, status FROM spans'
        for aid, sid, s, e, lab, text, src, status in db.execute(
            f"{q} WHERE article_id IN ({marks(chunk)}) ORDER BY article_id, start, id", chunk
        ):
            untouched = status == "suggested" and src.startswith(("model:", "rule:"))
            if untouched:
                new[aid].append(Side(s, e, lab, text, src, sid))
            else:
                decided[aid].append((s, e))
        for aid in chunk:
            out += _article(aid, old[aid], new[aid], decided[aid])
    return out


def queue(db: sqlite_utils.Database) -> list[Disagreement]:
    """The open disagreements grouped alike, most mentions first, then by surface."""
    groups: dict[tuple[str, str, str, str, str], list[Mention]] = {}
    for m in mentions(db):
        key = (
            m.kind,
            m.old.text if m.old else "",
            m.old.label if m.old else "",
            m.new.text if m.new else "",
            m.new.label if m.new else "",
        )
        groups.setdefault(key, []).append(m)
    out = [Disagreement(*k, tuple(v)) for k, v in groups.items()]
    out.sort(key=lambda d: (-len(d.mentions), d.surface.casefold(), d.kind, d.new_label))
    return out


def _decide(tx: Unit, m: Mention, choice: str) -> None:
    """One mention: take the new suggestion, keep the old one, or reject both."""
    if m.new is not None and m.new.span_id is not None:
        sid = m.new.span_id
        if choice == "new":
            corrections.accept(tx, sid)
        elif choice == "neither" or m.old is None:
            corrections.reject(tx, sid)
        elif m.kind == "relabelled":
            corrections.relabel(tx, sid, m.old.label)
        else:
            corrections.resize(tx, sid, m.old.start, m.old.end, m.old.label)
        return
    assert m.old is not None  # dropped: the old suggestion is in no span any more
    added = corrections.add_span(tx, m.article_id, m.old.start, m.old.end, m.old.label)
    if choice != "old":  # not an entity: kept as a rejected span, never suggested again
        corrections.reject(tx, added)


def resolve(tx: Unit, group: Disagreement, choice: str) -> int:
    """Decide every mention of a group the same way, in one journal group (one undo).

    A mention that changed since the queue was read (decided, re-extracted) is skipped.
    Returns the mentions decided.
    """
    if choice not in CHOICES:
        raise CorrectionError(f"choose one of {', '.join(CHOICES)}, not {choice!r}")
    current = {(m.article_id, m.kind, m.old, m.new) for m in mentions(tx.db)}
    done = 0
    for m in group.mentions:
        if (m.article_id, m.kind, m.old, m.new) not in current:
            continue
        try:
            with tx.nested():
                _decide(tx, m, choice)
            done += 1
        except MarginError:
            continue
    return done
