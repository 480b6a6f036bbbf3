"""The entity page: one entity's names, label distribution and mentions, from indexed reads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from ..errors import NotFound
from .cooccurrence import Neighbour, cooccurring
from .names import Entity, resolve
from .timeline import Bucket, timeline

MANY = 3000  # mentions beyond which a page walks the articles by date instead of sorting
CONTEXT = 160  # characters read around a mention to find its sentence
_SENTENCE_END = re.compile(r"[.!?…]['\"”’)]*\s|\n")


@dataclass(frozen=True)
class PageMention:
    """One mention on an entity page: where, when, its sentence, its label and status."""

    span_id: int
    article_id: int
    title: str
    date: str  # the article's date (else its import time)
    dated: bool  # False: the article gave no date, date is when it was imported
    start: int
    end: int
    text: str
    label: str
    status: str
    before: str  # the sentence up to the mention
    after: str  # the sentence after it

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``margin entity --json``."""
        return {
            "span_id": self.span_id,
            "article_id": self.article_id,
            "title": self.title,
            "date": self.date,
            "date_source": "file" if self.dated else "import",
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "label": self.label,
            "status": self.status,
            "sentence": self.before + self.text + self.after,
        }


@dataclass(frozen=True)
class EntityPage:
    """Everything the entity page shows at first: counts, a page of mentions, neighbours."""

    entity: Entity
    labels: dict[str, int]  # label -> mentions that are not rejected
    statuses: dict[str, int]  # suggested / accepted / rejected (rejected: nothing replaced it)
    total: int  # mentions that match the filters
    mentions: list[PageMention]
    neighbours: list[Neighbour] = field(default_factory=list)
    timeline: list[Bucket] = field(default_factory=list)

    def distribution(self) -> str:
        """ "Labour: ORG 439 · PERSON 90 · GPE 3 · 12 rejected" """
        parts = [f"{label} {n:,}" for label, n in sorted(self.labels.items(), key=lambda x: -x[1])]
        if self.statuses.get("rejected"):
            parts.append(f"{self.statuses['rejected']:,} rejected")
        return f"{self.entity.name}: " + (" · ".join(parts) or "no mentions")

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``margin entity --json``."""
        return {
            "id": self.entity.id,
            "name": self.entity.name,
            "aliases": list(self.entity.aliases),
            "labels": self.labels,
            "statuses": self.statuses,
            "total": self.total,
            "mentions": [m.as_dict() for m in self.mentions],
            "cooccurring": [n.as_dict() for n in self.neighbours],
            "timeline": [{"day": b.start, "mentions": b.count} for b in self.timeline],
        }


def _marks(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join("?" * len(values))


def entity(db: sqlite_utils.Database, name: str) -> Entity:
    """The entity a name stands for; NotFound when no article names it."""
    found = resolve(db, name)
    if (
        found is None
        or not db.execute(
            f"SELECT 1 FROM spans WHERE text IN ({_marks(found.names)}) LIMIT 1", found.names
        ).fetchone()
    ):
        raise NotFound(f"no entity is named {name!r} (margin search {name!r} finds near names)")
    return found


def label_counts(db: sqlite_utils.Database, names: tuple[str, ...]) -> dict[str, int]:
    """Mentions per label across the corpus that are not rejected (the entities table)."""
    rows = db.execute(
        f"SELECT label, SUM(mentions) FROM entities WHERE surface IN ({_marks(names)})"
        " GROUP BY label ORDER BY SUM(mentions) DESC",
        names,
    )
    return {str(label): int(n) for label, n in rows}


def status_counts(db: sqlite_utils.Database, names: tuple[str, ...]) -> dict[str, int]:
    """Mentions per status; a rejected span that a correction replaced does not count."""
    out = {"suggested": 0, "accepted": 0, "rejected": 0}
    for status, n in db.execute(
        f"SELECT status, COUNT(*) FROM spans WHERE text IN ({_marks(names)})"
        " AND status != 'rejected' GROUP BY status",
        names,
    ):
        out[str(status)] = int(n)
    out["rejected"] = int(
        db.execute(
            f"SELECT COUNT(*) FROM spans r WHERE r.status = 'rejected' AND r.text IN"
            f" ({_marks(names)}) AND NOT EXISTS (SELECT 1 FROM spans o WHERE"
            ' o.article_id = r.article_id AND o.start < r."end" AND r.start < o."end"'
            " AND o.status != 'rejected')",
            names,
        ).fetchone()[0]
    )
    return out


# a rejected span that a correction replaced is not a mention of its own (the correction is)
REPLACED = (
    "(s.status != 'rejected' OR NOT EXISTS (SELECT 1 FROM spans o WHERE"
    ' o.article_id = s.article_id AND o.start < s."end" AND s.start < o."end"'
    " AND o.status != 'rejected'))"
)


def _filters(
    names: tuple[str, ...], label: str | None, status: str | None, days: tuple[str, str] | None
) -> tuple[str, list[Any]]:
    where = [f"s.text IN ({_marks(names)})"]
    params: list[Any] = list(names)
    if label:
        where.append("s.label = ?")
        params.append(label)
    if status == "rejected":  # the rejections a correction did not replace
        where += ["s.status = 'rejected'", REPLACED]
    elif status:
        where.append("s.status = ?")
        params.append(status)
    else:  # the current mentions (an index-only read)
        where.append("s.status != 'rejected'")
    if days:
        where.append("COALESCE(a.date, a.imported_at) >= ? AND COALESCE(a.date, a.imported_at) < ?")
        params.extend(days)
    return " AND ".join(where), params


def count_mentions(
    db: sqlite_utils.Database,
    names: tuple[str, ...],
    label: str | None = None,
    status: str | None = None,
    days: tuple[str, str] | None = None,
) -> int:
    """How many mentions match the filters."""
    where, params = _filters(names, label, status, days)
    join = " JOIN articles a INDEXED BY articles_when ON a.id = s.article_id" if days else ""
    return int(
        db.execute(f"SELECT COUNT(*) FROM spans s{join} WHERE {where}", params).fetchone()[0]
    )


def mentions(
    db: sqlite_utils.Database,
    names: tuple[str, ...],
    *,
    label: str | None = None,
    status: str | None = None,
    days: tuple[str, str] | None = None,
    offset: int = 0,
    limit: int = 50,
) -> list[PageMention]:
    """A page of mentions, newest article first; days = [from, to) limits them to a bar.

    status None: the mentions not rejected; "rejected": those rejected that no correction
    replaced (a relabel keeps the model's span rejected: the correction is the mention).
    """
    where, params = _filters(names, label, status, days)
    counts = label_counts(db, names)
    if status != "rejected" and sum(counts.values()) > MANY:
        # a name in many articles: walk the articles newest first (the date index) and stop
        # at the page, probing each for the name's spans; no sort of all its mentions
        labels = [label] if label else list(counts)
        order = "COALESCE(a.date, a.imported_at) DESC, a.id DESC, s.start"
        inner = (
            "SELECT s.id AS id, COALESCE(a.date, a.imported_at) AS day,"
            " a.date IS NOT NULL AS dated FROM articles a INDEXED BY articles_dated"
            f" CROSS JOIN spans s ON s.article_id = a.id AND s.label IN ({_marks(labels)})"
            f" WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?"
        )
        params = [*labels, *params]
    else:
        # the page's spans from covering indexes (the date without the article's text)
        inner = (
            "SELECT s.id AS id, COALESCE(a.date, a.imported_at) AS day,"
            " a.date IS NOT NULL AS dated"
            " FROM spans s JOIN articles a INDEXED BY articles_when ON a.id = s.article_id"
            f" WHERE {where} ORDER BY day DESC, s.article_id DESC, s.start LIMIT ? OFFSET ?"
        )
    # only then the titles and sentences of those few
    rows = db.execute(
        'SELECT s.id, s.article_id, a2.title, p.day, p.dated, s.start, s."end", s.text,'
        f" s.label, s.status, substr(a2.text, max(1, s.start - {CONTEXT} + 1),"
        f' min(s.start, {CONTEXT})), substr(a2.text, s."end" + 1, {CONTEXT})'
        f" FROM ({inner}) p JOIN spans s ON s.id = p.id JOIN articles a2 ON a2.id = s.article_id"
        " ORDER BY p.day DESC, s.article_id DESC, s.start",
        [*params, limit, offset],
    ).fetchall()
    return [
        PageMention(
            int(r[0]),
            int(r[1]),
            str(r[2]),
            str(r[3]),
            bool(r[4]),
            int(r[5]),
            int(r[6]),
            str(r[7]),
            str(r[8]),
            str(r[9]),
            _sentence_before(r[10] or ""),
            _sentence_after(r[11] or ""),
        )
        for r in rows
    ]


def _sentence_before(text: str) -> str:
    ends = list(_SENTENCE_END.finditer(text))
    return text[ends[-1].end() :] if ends else text


def _sentence_after(text: str) -> str:
    m = _SENTENCE_END.search(text)
    return text[: m.start() + 1].rstrip("\n") if m else text


def entity_page(
    db: sqlite_utils.Database,
    name: str,
    *,
    limit: int = 50,
    label: str | None = None,
    status: str | None = None,
    neighbours: int = 10,
    extras: bool = True,
) -> EntityPage:
    """The entity page of name (any of its aliases): counts, first mentions, co-occurrence,
    timeline by day. Every part is an indexed read (no loop over all its spans in Python).

    extras=False leaves co-occurrence and the timeline out (a first frame; see ``extras``).
    """
    found = entity(db, name)
    names = found.names
    near = cooccurring(db, names, neighbours) if extras else []
    return EntityPage(
        found,
        label_counts(db, names),
        status_counts(db, names),
        count_mentions(db, names, label, status),
        mentions(db, names, label=label, status=status, limit=limit),
        near,
        timeline(db, names) if extras else [],
    )


def extras(
    db: sqlite_utils.Database, names: tuple[str, ...], neighbours: int = 10
) -> tuple[list[Neighbour], list[Bucket]]:
    """(co-occurring entities over every article, the timeline by day) of these names."""
    return cooccurring(db, names, neighbours), timeline(db, names)
