"""Label Studio JSON tasks: model ``predictions`` and corrected ``annotations``, plus the config XML."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from xml.sax.saxutils import quoteattr

from ..models import Label, Span, SpanDraft
from .common import AnnotatedDraft, ExportDoc, OffsetMap, WriteReport, span_draft
from .decode import decode_text
from .errors import FormatError

NAME = "labelstudio"
EXTENSIONS = (".json",)
FROM_NAME = "label"
TO_NAME = "text"
MARGIN_VERSION = "margin"  # the prediction holding an unreviewed article's decisions
REVIEWED_KEY = "margin_reviewed"  # task data: the review state when margin exported it


def _result(span: Span, ids: dict[str, int] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": f"s{span.id}",
        "from_name": FROM_NAME,
        "to_name": TO_NAME,
        "type": "labels",
        "value": {"start": span.start, "end": span.end, "text": span.text, "labels": [span.label]},
    }
    if ids and span.text in ids:  # the stable entity id, as region meta
        out["meta"] = {"entity_id": ids[span.text]}
    return out


def task(doc: ExportDoc) -> dict[str, Any]:
    """One task: the text, what each model said, and what a person decided.

    The task ``id`` is the article id. A reviewed article's spans are its annotation (a
    submitted task in Label Studio); an unreviewed article's decisions so far are the
    prediction of ``model_version`` "margin", so the task stays one to finish there.
    """
    art = doc.article
    by_model: dict[str, list[Span]] = {}
    for s in doc.suggestions:
        by_model.setdefault(s.source, []).append(s)
    data = {"text": art.text, "title": art.title, "article_id": art.id, "source": art.source}
    predictions = [
        {"model_version": model, "result": [_result(s) for s in spans]}
        for model, spans in by_model.items()
    ]
    result = [_result(s, doc.entity_ids) for s in doc.spans]
    out: dict[str, Any] = {"id": art.id}  # the text last: the head of the file shows the kind
    if art.reviewed:  # no key otherwise: Label Studio's converter then leaves the task out
        out["annotations"] = [{"result": result, "meta": {"reviewed": True}}]
    elif result:
        predictions.append({"model_version": MARGIN_VERSION, "result": result})
    out["predictions"] = predictions
    out["data"] = {**data, REVIEWED_KEY: art.reviewed}
    return out


def write(docs: Iterable[ExportDoc], out: TextIO, report: WriteReport) -> None:
    """Write a JSON list of tasks, one task a line, streaming."""
    out.write("[")
    first = True
    for doc in docs:
        out.write("\n" if first else ",\n")
        first = False
        out.write(json.dumps(task(doc), ensure_ascii=False))
        report.articles += 1
        report.spans += len(doc.spans)
    out.write("\n]\n")


def config_xml(labels: Iterable[Label]) -> str:
    """The labeling config that matches the tasks' from_name/to_name."""
    rows = "".join(
        f"    <Label value={quoteattr(lab.name)} background={quoteattr(lab.color)}/>\n"
        for lab in labels
    )
    return (
        "<View>\n"
        f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">\n{rows}  </Labels>\n'
        f'  <Text name="{TO_NAME}" value="$text"/>\n'
        "</View>\n"
    )


def config_path(out: Path) -> Path:
    """Where the labeling config goes beside a tasks file."""
    return out.with_name(out.stem + ".label_config.xml")


_SNIFF = re.compile(rb'"(annotations|predictions)"\s*:')


def sniff(head: bytes) -> bool:
    """True for a JSON list of tasks with annotations or predictions."""
    return head.lstrip().startswith(b"[") and bool(_SNIFF.search(head))


def _task_text(path: str, where: str, task: dict[str, Any]) -> str:
    data = task.get("data")
    if not isinstance(data, dict):
        raise FormatError(path, where, 'has no "data" object')
    text = data.get("text")
    if not isinstance(text, str):
        strings = [v for v in data.values() if isinstance(v, str) and v.strip()]
        if len(strings) != 1:
            raise FormatError(path, where, 'has no "data.text" string')
        text = strings[0]
    if not text.strip():
        raise FormatError(path, where, 'has an empty "data.text"')
    return text


def _when(ann: dict[str, Any]) -> datetime:
    """When an annotation was last changed (``updated_at``, else ``created_at``), or never."""
    for key in ("updated_at", "created_at"):
        value = ann.get(key)
        if isinstance(value, str):
            try:
                when = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            return when if when.tzinfo else when.replace(tzinfo=UTC)
    return _NEVER


_NEVER = datetime.min.replace(tzinfo=UTC)


def _utf16_to_str(raw: str, offset: Any) -> Any:
    """A UTF-16 code unit offset (old Label Studio) as a code point offset of raw, or None."""
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        return None
    units = 0
    for i, ch in enumerate(raw):
        if units == offset:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > offset:
            return None  # inside a surrogate pair
    return len(raw) if units == offset else None


def _anchor(raw: str, fix: OffsetMap, value: dict[str, Any]) -> tuple[Any, Any]:
    """The region's offsets in the normalised text, re-anchored on its ``text`` if need be.

    The offsets are kept when they hold the region's text (or it has none); else offsets
    counted in UTF-16 code units are converted; else the text's one occurrence is taken.
    Ambiguous or missing regions keep the file's offsets (the span check then names them).
    """
    start, end = fix(value.get("start")), fix(value.get("end"))
    surface = value.get("text")
    if not isinstance(surface, str) or not surface:
        return start, end
    surface = surface.replace("\r\n", "\n")
    text = fix.text
    if isinstance(start, int) and isinstance(end, int) and text[start:end] == surface:
        return start, end
    s16, e16 = _utf16_to_str(raw, value.get("start")), _utf16_to_str(raw, value.get("end"))
    if s16 is not None and e16 is not None and text[fix(s16) : fix(e16)] == surface:
        return fix(s16), fix(e16)
    first = text.find(surface)
    if first >= 0 and text.find(surface, first + 1) < 0:
        return first, first + len(surface)
    return start, end


def _spans(
    path: str, where: str, raw: str, fix: OffsetMap, result: Any
) -> tuple[list[SpanDraft], int]:
    """The labelled regions of one result list, and how many items were not labels."""
    if not isinstance(result, list):
        raise FormatError(path, where, 'has a "result" that is not a list')
    spans: list[SpanDraft] = []
    other = 0
    for item in result:
        if not isinstance(item, dict) or item.get("type") not in ("labels", None):
            other += 1
            continue
        value = item.get("value")
        if not isinstance(value, dict) or not isinstance(value.get("labels"), list):
            raise FormatError(path, where, "has a result without value.labels")
        start, end = _anchor(raw, fix, value)
        for label in value["labels"]:
            spans.append(span_draft(path, where, fix.text, start, end, label, NAME))
    return spans, other


def _tasks(path: str, data: bytes) -> list[Any]:
    try:
        tasks = json.loads(decode_text(path, data))
    except RecursionError:
        raise FormatError(path, None, "is JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise FormatError(path, f"line {exc.lineno}", f"is not valid JSON ({exc.msg})") from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise FormatError(path, None, "is not a list of Label Studio tasks")
    return tasks


def _draft(path: str, where: str, task: Any, counts: dict[str, int]) -> AnnotatedDraft:
    """One task as an article: the newest submitted annotation, else margin's prediction."""
    if not isinstance(task, dict):
        raise FormatError(path, where, "is not an object")
    raw = _task_text(path, where, task)
    fix = OffsetMap(raw)
    anns = task.get("annotations") or []
    if not isinstance(anns, list):
        raise FormatError(path, where, 'has "annotations" that is not a list')
    done = [a for a in anns if isinstance(a, dict) and not a.get("was_cancelled")]
    data_ = task["data"]
    spans: list[SpanDraft] = []
    other = 0
    if done:
        newest = max(enumerate(done), key=lambda ia: (_when(ia[1]), ia[0]))[1]
        if len(done) > 1:
            counts["tasks"] += 1
            counts["set_aside"] += len(done) - 1
        try:
            spans, other = _spans(path, where, raw, fix, newest.get("result") or [])
        except FormatError as exc:
            raise _BadTask(exc) from None
        found = newest.get("meta")
        flag = found.get("reviewed") if isinstance(found, dict) else None
        # margin's own file says; through Label Studio (which drops meta) a submitted task is
        reviewed = flag if isinstance(flag, bool) else True
    else:
        preds = task.get("predictions") or []
        mine = [
            p
            for p in (preds if isinstance(preds, list) else [])
            if isinstance(p, dict) and p.get("model_version") == MARGIN_VERSION
        ]
        if mine:
            try:
                spans, other = _spans(path, where, raw, fix, mine[-1].get("result") or [])
            except FormatError as exc:
                raise _BadTask(exc) from None
        # nobody submitted it: reviewed only if margin exported it so and nothing was cancelled
        reviewed = not anns and data_.get(REVIEWED_KEY) is True
    title = data_.get("title") if isinstance(data_.get("title"), str) else None
    warnings = (f"{path}, {where}: {other} result item(s) that are not labels not imported",)
    return AnnotatedDraft(
        text=fix.text,
        title=title,
        source=f"{path}#{where}",
        spans=tuple(spans),
        reviewed=reviewed,
        warnings=warnings if other else (),
    )


class _BadTask(Exception):
    """A task whose regions cannot be placed: it is skipped, the rest of the file imported."""

    def __init__(self, error: FormatError) -> None:
        super().__init__(str(error))
        self.error = error


def read(path: str, data: bytes) -> Iterator[AnnotatedDraft]:
    """Yield one article per task; the newest submitted annotation gives its spans.

    A task with a submitted (not cancelled) annotation is reviewed; one without gets the
    decisions of margin's own prediction (``model_version`` "margin"), unreviewed. Other
    predictions are what a model said: they are not imported (margin runs its own model).
    Result items other than ``labels`` (choices, relations ...) are reported. A task whose
    regions cannot be placed (see ``_anchor``) is skipped with one line; the file's last
    article carries the lines about skipped tasks and set-aside annotations.
    """
    counts = {"tasks": 0, "set_aside": 0}
    skipped: list[FormatError] = []
    held: AnnotatedDraft | None = None
    for n, task in enumerate(_tasks(path, data), 1):
        try:
            draft = _draft(path, f"task {n}", task, counts)
        except _BadTask as exc:
            skipped.append(exc.error)
            continue
        if held is not None:
            yield held
        held = draft
    if held is None:
        if skipped:
            raise skipped[0]  # no task could be read: the file is rejected
        return
    notes = [f"{e}: task skipped, the others imported" for e in skipped]
    if counts["tasks"]:
        notes.append(
            f"{path}: {counts['tasks']} task(s) with several submitted annotations: kept the"
            f" newest of each, set aside {counts['set_aside']}"
        )
    yield replace(held, warnings=held.warnings + tuple(notes)) if notes else held
