"""Label Studio JSON tasks: model ``predictions`` and corrected ``annotations``, plus the config XML."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
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


def _result(span: Span) -> dict[str, Any]:
    return {
        "id": f"s{span.id}",
        "from_name": FROM_NAME,
        "to_name": TO_NAME,
        "type": "labels",
        "value": {"start": span.start, "end": span.end, "text": span.text, "labels": [span.label]},
    }


def task(doc: ExportDoc) -> dict[str, Any]:
    """One task: the text, what each model said, and what a person decided."""
    art = doc.article
    by_model: dict[str, list[Span]] = {}
    for s in doc.suggestions:
        by_model.setdefault(s.source, []).append(s)
    out: dict[str, Any] = {
        "data": {"text": art.text, "title": art.title, "article_id": art.id, "source": art.source},
        "predictions": [
            {"model_version": model, "result": [_result(s) for s in spans]}
            for model, spans in by_model.items()
        ],
    }
    if doc.spans or art.reviewed:
        out["annotations"] = [
            {"result": [_result(s) for s in doc.spans], "meta": {"reviewed": art.reviewed}}
        ]
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


def read(path: str, data: bytes) -> Iterator[AnnotatedDraft]:
    """Yield one article per task; the latest submitted annotation gives its spans.

    A task with a submitted (not cancelled) annotation is reviewed. Predictions are what
    a model said: they are not imported (margin runs its own model). Result items other
    than ``labels`` (choices, relations ...) are reported.
    """
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
    for n, task in enumerate(tasks, 1):
        where = f"task {n}"
        if not isinstance(task, dict):
            raise FormatError(path, where, "is not an object")
        fix = OffsetMap(_task_text(path, where, task))
        anns = task.get("annotations") or []
        if not isinstance(anns, list):
            raise FormatError(path, where, 'has "annotations" that is not a list')
        done = [a for a in anns if isinstance(a, dict) and not a.get("was_cancelled")]
        spans: list[SpanDraft] = []
        other = 0
        if done:
            result = done[-1].get("result") or []
            if not isinstance(result, list):
                raise FormatError(path, where, 'has a "result" that is not a list')
            for item in result:
                if not isinstance(item, dict) or item.get("type") not in ("labels", None):
                    other += 1
                    continue
                value = item.get("value")
                if not isinstance(value, dict) or not isinstance(value.get("labels"), list):
                    raise FormatError(path, where, "has a result without value.labels")
                surface = value.get("text") if fix.text == _task_text(path, where, task) else None
                for label in value["labels"]:
                    spans.append(
                        span_draft(
                            path,
                            where,
                            fix.text,
                            fix(value.get("start")),
                            fix(value.get("end")),
                            label,
                            NAME,
                            surface=surface if isinstance(surface, str) else None,
                        )
                    )
        data_ = task["data"]
        found = done[-1].get("meta") if done else None
        meta: dict[str, Any] = found if isinstance(found, dict) else {}
        flag = meta.get("reviewed")
        reviewed = flag if isinstance(flag, bool) else bool(done)
        title = data_.get("title") if isinstance(data_.get("title"), str) else None
        warnings = (f"{path}, {where}: {other} result item(s) that are not labels not imported",)
        yield AnnotatedDraft(
            text=fix.text,
            title=title,
            source=f"{path}#{where}",
            spans=tuple(spans),
            reviewed=reviewed,
            warnings=warnings if other else (),
        )
