"""Label Studio JSON tasks: model ``predictions`` and corrected ``annotations``, plus the config XML."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO
from xml.sax.saxutils import quoteattr

from ..models import Label, Span
from .common import ExportDoc, WriteReport

NAME = "labelstudio"
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
