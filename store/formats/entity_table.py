"""The entity table for spreadsheets: one row per entity of the exported spans (CSV or JSONL)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from .common import ExportDoc, WriteReport

HEADER = ("id", "name", "aliases", "labels", "mentions", "articles", "first_seen", "last_seen")


@dataclass
class _Row:
    name: str
    names: set[str] = field(default_factory=set)
    labels: dict[str, int] = field(default_factory=dict)
    articles: int = 0  # counted, not kept: docs come one article at a time
    last_article: int | None = None
    first: str = ""
    last: str = ""

    def as_dict(self, eid: int | str) -> dict[str, Any]:
        return {
            "id": eid,
            "name": self.name,
            "aliases": sorted(self.names - {self.name}),
            "labels": dict(sorted(self.labels.items(), key=lambda kv: (-kv[1], kv[0]))),
            "mentions": sum(self.labels.values()),
            "articles": self.articles,
            "first_seen": self.first,
            "last_seen": self.last,
        }


def _table(docs: Iterable[ExportDoc], report: WriteReport) -> list[dict[str, Any]]:
    """The rows, most mentioned first; memory grows with the entities, not the articles."""
    rows: dict[int | str, _Row] = {}
    for doc in docs:
        when = doc.article.when[:10]
        for s in doc.spans:
            eid: int | str = doc.entity_ids.get(s.text, s.text)
            name = doc.entity_names.get(eid, s.text) if isinstance(eid, int) else s.text
            row = rows.setdefault(eid, _Row(name))
            row.names.add(s.text)
            row.labels[s.label] = row.labels.get(s.label, 0) + 1
            if row.last_article != doc.article.id:
                row.articles += 1
                row.last_article = doc.article.id
            row.first = min(row.first or when, when)
            row.last = max(row.last, when)
        report.articles += 1
        report.spans += len(doc.spans)
    out = [row.as_dict(eid) for eid, row in rows.items()]
    return sorted(out, key=lambda r: (-r["mentions"], r["name"]))


def write_csv(docs: Iterable[ExportDoc], out: TextIO, report: WriteReport) -> None:
    """One row per entity; aliases joined with " | ", labels as "ORG 439 | PERSON 90"."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    for r in _table(docs, report):
        labels = " | ".join(f"{k} {v}" for k, v in r["labels"].items())
        w.writerow(
            (
                r["id"],
                r["name"],
                " | ".join(r["aliases"]),
                labels,
                r["mentions"],
                r["articles"],
                r["first_seen"],
                r["last_seen"],
            )
        )


def write_jsonl(docs: Iterable[ExportDoc], out: TextIO, report: WriteReport) -> None:
    """One JSON object per entity and line."""
    for r in _table(docs, report):
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
