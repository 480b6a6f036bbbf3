"""doccano JSONL: ``label``/``labels`` as [[start, end, "LABEL"]], or ``entities``/``relations``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, TextIO

from ..dates import date_from
from ..models import SpanDraft, checked_span
from .common import (
    AnnotatedDraft,
    ExportDoc,
    OffsetMap,
    WriteReport,
    check_raw_text,
    import_source,
    jsonl_file_records,
    jsonl_stream_records,
    span_draft,
)
from .errors import FormatError

NAME = "doccano"
EXTENSIONS = (".jsonl", ".ndjson")
_KNOWN = {"text", "label", "labels", "entities", "relations", "id", "reviewed", "title"}
_SNIFF = re.compile(rb'"(labels?|entities)"\s*:\s*\[')


def sniff(head: bytes) -> bool:
    """True when the first record has a doccano ``label``/``labels``/``entities`` list."""
    first = head.lstrip().split(b"\n", 1)[0]
    return first.startswith(b"{") and bool(_SNIFF.search(first))


def _spans(path: str, where: str, rec: dict[str, Any], fix: OffsetMap) -> list[SpanDraft]:
    text = fix.text
    out: list[SpanDraft] = []
    if "entities" in rec:
        ents = rec["entities"]
        if not isinstance(ents, list):
            raise FormatError(path, where, 'has "entities" that is not a list')
        for k, ent in enumerate(ents):
            if not isinstance(ent, dict):
                raise FormatError(path, where, f"has entity {k} that is not an object")
            out.append(
                span_draft(
                    path,
                    where,
                    text,
                    fix(ent.get("start_offset")),
                    fix(ent.get("end_offset")),
                    ent.get("label"),
                    NAME,
                )
            )
        return out
    key = "label" if "label" in rec else "labels" if "labels" in rec else None
    if key is None:
        return out
    items = rec[key]
    if not isinstance(items, list):
        raise FormatError(path, where, f'has "{key}" that is not a list of [start, end, label]')
    n, source, plain = len(text), import_source(NAME), fix.plain
    for k, item in enumerate(items):
        if plain and type(item) is list and len(item) == 3:  # span_draft's common case, inline
            start, end, label = item
            if (
                type(start) is int
                and type(end) is int
                and 0 <= start < end <= n
                and type(label) is str
                and label.strip()
            ):
                out.append(checked_span(start, end, label, source, "accepted"))
                continue
        if not isinstance(item, list) or len(item) != 3:
            raise FormatError(path, where, f'has "{key}" item {k} that is not [start, end, label]')
        out.append(span_draft(path, where, text, fix(item[0]), fix(item[1]), item[2], NAME))
    return out


def read(path: str, data: bytes) -> Iterator[AnnotatedDraft]:
    """Yield one article per doccano record; relations cannot be kept and are reported."""
    return _drafts(path, jsonl_file_records(path, data))


def stream(path: str, fh: BinaryIO) -> Iterator[AnnotatedDraft]:
    """Like :func:`read`, from an open file read a line at a time."""
    return _drafts(path, jsonl_stream_records(path, fh))


def _drafts(path: str, records: Iterable[tuple[int, Any]]) -> Iterator[AnnotatedDraft]:
    for n, rec in records:
        where = f"line {n}"
        if not isinstance(rec, dict):
            raise FormatError(path, where, 'is not an object with a "text" field')
        fix = OffsetMap(check_raw_text(path, where, rec.get("text")))
        spans = _spans(path, where, rec, fix)
        warnings: list[str] = []
        relations = rec.get("relations")
        if isinstance(relations, list) and relations:
            warnings.append(f"{path}, {where}: {len(relations)} relation(s) not imported")
        meta = {k: v for k, v in rec.items() if k not in _KNOWN}
        if "id" in rec:
            meta["doccano_id"] = rec["id"]
        title = rec.get("title") if isinstance(rec.get("title"), str) else None
        yield AnnotatedDraft(
            text=fix.text,
            title=title,
            source=f"{path}#{where}",
            meta=meta or None,
            spans=tuple(spans),
            reviewed=rec.get("reviewed") is True,
            warnings=tuple(warnings),
            date=date_from(rec),
        )


def write(docs: Iterable[ExportDoc], out: TextIO, report: WriteReport) -> None:
    """Write one record per article: ``text``, ``label`` [[start, end, LABEL]], and margin's ids."""
    for doc in docs:
        art = doc.article
        rec: dict[str, Any] = {
            "id": art.id,
            "text": art.text,
            "label": [[s.start, s.end, s.label] for s in doc.spans],
            "title": art.title,
            "reviewed": art.reviewed,
        }
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        report.articles += 1
        report.spans += len(doc.spans)
