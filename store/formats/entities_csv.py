"""CSV of entities: one row per span (article, start, end, label, text, source, status)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from .common import ExportDoc, WriteReport

NAME = "csv"
HEADER = ("article", "start", "end", "label", "text", "source", "status", "entity_id")


def write(docs: Iterable[ExportDoc], out: TextIO, report: WriteReport) -> None:
    """Write the header and one row per exported span; offsets are code points, end exclusive."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    for doc in docs:
        for s in doc.spans:
            eid = doc.entity_ids.get(s.text, "")
            w.writerow((doc.article.id, s.start, s.end, s.label, s.text, s.source, s.status, eid))
        report.articles += 1
        report.spans += len(doc.spans)
