"""Prodigy JSONL (``ner_manual``): text, tokens, spans with inclusive token ranges, answer, meta."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, TextIO

from ..dates import date_from
from ..models import SpanDraft, SpanStatus, checked_span
from .common import (
    TOKEN_KEYS,
    AnnotatedDraft,
    ExportDoc,
    OffsetMap,
    WriteReport,
    align,
    check_raw_text,
    import_source,
    jsonl_file_records,
    jsonl_stream_records,
    meta_dict,
    sentence_starts,
    span_draft,
    token_meta,
    tokenised,
    tokens_of,
)
from .errors import FormatError

NAME = "prodigy"
EXTENSIONS = (".jsonl", ".ndjson")
MARGIN_KEY = "_margin"  # top-level key Prodigy keeps: article id and review state

# answer -> status of the example's spans
STATUS: dict[str | None, SpanStatus] = {
    "accept": "accepted",
    "reject": "rejected",
    "ignore": "suggested",
    None: "accepted",
}

DOCCANO_KEYS = ("label", "labels", "entities")

# "spans" alone counts too: Prodigy reads (and other tools write) tasks with spans, no tokens
_SNIFF = re.compile(rb'"(tokens|_task_hash|_input_hash|_view_id)"\s*:|"spans"\s*:\s*\[')


def sniff(head: bytes) -> bool:
    """True when the first record looks like a Prodigy task."""
    first = head.lstrip().split(b"\n", 1)[0]
    return first.startswith(b"{") and bool(_SNIFF.search(first))


def _tokens(
    path: str, where: str, text: str, raw: Any, fix: OffsetMap
) -> dict[int, tuple[int, int]]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise FormatError(path, where, 'has "tokens" that is not a list')
    out: dict[int, tuple[int, int]] = {}
    for i, tok in enumerate(raw):
        if not isinstance(tok, dict):
            raise FormatError(path, where, f"has token {i} that is not an object")
        start, end = fix(tok.get("start")), fix(tok.get("end"))
        if (
            not isinstance(start, int)
            or not isinstance(end, int)
            or not 0 <= start <= end <= len(text)
        ):
            raise FormatError(
                path, where, f"has token {i} with offsets {start!r}..{end!r} outside the text"
            )
        if "text" in tok and tok["text"] != text[start:end]:
            raise FormatError(
                path, where, f"has token {i} {tok['text']!r} that is not {text[start:end]!r}"
            )
        tid = tok.get("id", i)
        out[tid if isinstance(tid, int) else i] = (start, end)
    return out


def read(path: str, data: bytes) -> Iterator[AnnotatedDraft]:
    """Yield one article per Prodigy example.

    ``answer`` decides the spans' status: accept (or none) -> accepted, reject -> rejected
    (kept as evidence), ignore -> suggested (nobody decided). Accepted examples are reviewed.
    """
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
        text = fix.text
        answer = rec.get("answer")
        if not (answer is None or isinstance(answer, str)) or answer not in STATUS:
            raise FormatError(path, where, f"has an unknown answer {answer!r}")
        status = STATUS[answer]
        tokens = _tokens(path, where, text, rec.get("tokens"), fix)
        if "spans" not in rec and any(isinstance(rec.get(k), list) for k in DOCCANO_KEYS):
            raise FormatError(  # a doccano file read with --format prodigy: spans would be lost
                path,
                where,
                'has doccano "label"/"entities" lists, not "spans": use --format doccano',
            )
        raw_spans = rec.get("spans") or []
        if not isinstance(raw_spans, list):
            raise FormatError(path, where, 'has "spans" that is not a list')
        spans: list[SpanDraft] = []
        n_text, source, quick = len(text), import_source(NAME), fix.plain and not tokens
        for k, sp in enumerate(raw_spans):
            if quick and type(sp) is dict:  # span_draft's common case, inline
                start, end, label = sp.get("start"), sp.get("end"), sp.get("label")
                surface = sp.get("text")
                if (
                    type(start) is int
                    and type(end) is int
                    and 0 <= start < end <= n_text
                    and type(label) is str
                    and label.strip()
                    and (not isinstance(surface, str) or surface == text[start:end])
                ):
                    spans.append(checked_span(start, end, label, source, status))
                    continue
            if not isinstance(sp, dict):
                raise FormatError(path, where, f"has span {k} that is not an object")
            d = span_draft(
                path,
                where,
                text,
                fix(sp.get("start")),
                fix(sp.get("end")),
                sp.get("label"),
                NAME,
                status,
                sp.get("text")
                if isinstance(sp.get("text"), str) and fix.text == rec["text"]
                else None,
            )
            ts, te = sp.get("token_start"), sp.get("token_end")
            if tokens and (ts is not None or te is not None):
                if not isinstance(ts, int) or not isinstance(te, int):
                    raise FormatError(
                        path, where, f"has span {d.start}..{d.end} with token ids {ts!r}, {te!r}"
                    )
                if tokens.get(ts, (None,))[0] != d.start or tokens.get(te, (0, None))[1] != d.end:
                    raise FormatError(
                        path,
                        where,
                        f"has span {d.start}..{d.end} whose tokens {ts}..{te} do not match it",
                    )
            spans.append(d)
        meta = meta_dict(rec.get("meta"))
        found = rec.get(MARGIN_KEY)
        mine: dict[str, Any] = found if isinstance(found, dict) else {}
        if tokens:  # the file's own tokens stay with the article (spans were made on them)
            sents = mine.get("sentences")
            kept = token_meta(
                text,
                tokens.values(),
                [fix(x) for x in sents] if isinstance(sents, list) else None,
            )
            meta = {**(meta or {}), **kept} or None
        # an annotator's accept is newer than the review state margin exported
        reviewed = answer == "accept" or mine.get("reviewed") is True
        title = mine.get("title") if isinstance(mine.get("title"), str) else None
        if title is None and meta and isinstance(meta.get("title"), str):
            title = meta["title"]
        yield AnnotatedDraft(
            text=text,
            title=title,
            source=f"{path}#{where}",
            meta=meta,
            spans=tuple(spans),
            reviewed=bool(reviewed),
            date=date_from({**(meta or {}), **rec}),
        )


def _overlapping(ranges: list[tuple[int, int]]) -> bool:
    """True when two inclusive token ranges share a token."""
    end = -1
    for first, last in sorted(ranges):
        if first <= end:
            return True
        end = max(end, last)
    return False


def example(doc: ExportDoc, report: WriteReport, made: Any = None) -> dict[str, Any]:
    """Return the Prodigy example of one article (spans not on tokens go to the report);
    ``made`` is spaCy's Doc of its text when the writer tokenised it already."""
    art = doc.article
    tokens = tokens_of(art, keep_space=True, doc=made)
    aligned, bad = align(tokens, doc.spans, overlaps=True)
    for span, reason in bad:
        report.skip(doc, span, reason)
    toks = []
    for i, (s, e) in enumerate(tokens):
        nxt = tokens[i + 1][0] if i + 1 < len(tokens) else len(art.text)
        toks.append(
            {
                "text": art.text[s:e],
                "start": s,
                "end": e,
                "id": i,
                "ws": nxt > e,
            }
        )
    spans = [
        {
            "start": sp.start,
            "end": sp.end,
            "token_start": first,
            "token_end": last,
            "label": sp.label,
            "text": sp.text,
            **({"entity_id": doc.entity_ids[sp.text]} if sp.text in doc.entity_ids else {}),
        }
        for sp, first, last in aligned
    ]
    report.spans += len(spans)
    meta = {k: v for k, v in (art.meta or {}).items() if k not in TOKEN_KEYS}
    rec: dict[str, Any] = {"text": art.text, "meta": meta, "tokens": toks, "spans": spans}
    nested = _overlapping([(first, last) for _, first, last in aligned])
    # ner_manual holds one label per token; spans_manual holds nested and overlapping spans
    rec["_view_id"] = "spans_manual" if nested else "ner_manual"
    if art.reviewed:
        rec["answer"] = "accept"
    rec[MARGIN_KEY] = {"article_id": art.id, "title": art.title, "reviewed": art.reviewed}
    sents = sentence_starts(art, tokens)
    if sents:  # Prodigy has no sentences: margin keeps them for the way back
        rec[MARGIN_KEY]["sentences"] = sorted(sents)
    return rec


def write(docs: Iterable[ExportDoc], out: TextIO, report: WriteReport) -> None:
    """Write one example per article; reviewed articles get ``answer: accept``.

    Unreviewed articles have no answer: they are tasks to finish in Prodigy, with the
    spans as pre-annotations.
    """
    for doc, made in tokenised(docs):
        out.write(json.dumps(example(doc, report, made), ensure_ascii=False) + "\n")
        report.articles += 1
