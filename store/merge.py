"""Merging imported annotations into articles already stored: the file's decisions win, nothing is lost."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import corrections, spans
from .db import Unit
from .models import SpanDraft, check_span
from .rows import article_text


@dataclass(frozen=True)
class AnnotationImport:
    """One article's imported annotations: its spans and whether the file marks it reviewed."""

    article_id: int
    spans: Sequence[SpanDraft]
    reviewed: bool = False
    # a complete annotation of these labels: stored spans of them that the file lacks are rejected
    complete_labels: frozenset[str] = frozenset()


@dataclass
class MergeSummary:
    """What merging did: spans added, existing spans accepted, spans rejected, articles reviewed."""

    added: int = 0
    accepted: int = 0
    rejected: int = 0
    reviewed: int = 0


def import_annotations(tx: Unit, items: Sequence[AnnotationImport]) -> MergeSummary:
    """Merge annotations into stored articles, in one transaction and one undoable group.

    An imported span equal to a stored one (same offsets and label) accepts it; a stored
    span that overlaps an imported decision and differs is rejected (kept as evidence)
    and the imported span is added as accepted. Imported ``rejected`` spans are added as
    evidence only; imported ``suggested`` spans only where nothing overlaps them. When
    the file annotates the article completely (``complete_labels``), a stored span of one
    of those labels, or an open suggestion, that the file does not have is rejected too;
    accepted spans of other labels are a person's decisions and stay.
    """
    summary = MergeSummary()
    only: list[int] = []  # a run of articles the file marks reviewed and nothing else
    for item in items:
        if item.reviewed and not item.spans and not item.complete_labels:
            only.append(item.article_id)
            continue
        summary.reviewed += corrections.reviewed_by_import(tx, only)
        only = []
        _merge_one(tx, item, summary)
    summary.reviewed += corrections.reviewed_by_import(tx, only)
    return summary


def _merge_one(tx: Unit, item: AnnotationImport, summary: MergeSummary) -> None:
    text = article_text(tx.db, item.article_id)
    for d in item.spans:
        check_span(text, d.start, d.end)
    rows = tx.execute(
        'SELECT id, start, "end", label, status FROM spans WHERE article_id = ?',
        (item.article_id,),
    ).fetchall()
    live = {r["id"]: r for r in rows if r["status"] != "rejected"}
    every = {(r["start"], r["end"], r["label"]) for r in rows}
    for d in item.spans:
        key = (d.start, d.end, d.label)
        same = [r for r in live.values() if (r["start"], r["end"], r["label"]) == key]
        if d.status == "rejected":
            if key not in every:
                spans.insert(tx, text, item.article_id, d, actor="import")
                every.add(key)
                summary.added += 1
            continue
        overlapping = [
            r for r in live.values() if r["start"] < d.end and d.start < r["end"] and r not in same
        ]
        if d.status == "suggested":
            if not same and not overlapping and key not in every:
                spans.insert(tx, text, item.article_id, d, actor="import")
                every.add(key)
                summary.added += 1
            continue
        if same:
            for r in same:
                if r["status"] != "accepted":
                    spans.update(tx, r["id"], "accept", actor="import", status="accepted")
                    summary.accepted += 1
            continue
        for r in overlapping:
            spans.update(tx, r["id"], "reject", actor="import", status="rejected")
            live.pop(r["id"])
            summary.rejected += 1
        new_id = spans.insert(tx, text, item.article_id, d, actor="import")
        live[new_id] = tx.execute(
            'SELECT id, start, "end", label, status FROM spans WHERE id = ?', (new_id,)
        ).fetchone()
        every.add(key)
        summary.added += 1
    if item.complete_labels:
        wanted = {(d.start, d.end, d.label) for d in item.spans if d.status == "accepted"}
        for r in list(live.values()):
            key = (r["start"], r["end"], r["label"])
            # open suggestions go too: marking reviewed would make them count as decisions
            in_scope = r["label"] in item.complete_labels or r["status"] == "suggested"
            if in_scope and key not in wanted:
                spans.update(tx, r["id"], "reject", actor="import", status="rejected")
                live.pop(r["id"])
                summary.rejected += 1
    if item.reviewed and corrections.set_reviewed(tx, item.article_id, True, actor="import"):
        summary.reviewed += 1
