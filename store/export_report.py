"""An export's result as data: every span left out, as JSON or a TSV/JSONL report file."""

from __future__ import annotations

import csv
import functools
import json
from pathlib import Path
from typing import Any, TextIO

from . import outfile
from .export import ExportResult

COLUMNS = ("part", "article", "start", "end", "label", "text", "reason")


def skipped_records(result: ExportResult) -> list[dict[str, Any]]:
    """Every span the export left out, one record each, in the order they were met."""
    return [
        {
            "part": part,
            "article": s.article_id,
            "start": s.start,
            "end": s.end,
            "label": s.label,
            "text": s.text,
            "reason": s.reason,
        }
        for part, rep in result.parts.items()
        for s in rep.skipped
    ]


def as_json(result: ExportResult) -> dict[str, Any]:
    """The whole summary: per part what was written, the notes, and every span left out."""
    total = result.total
    return {
        "parts": {
            part: {
                "articles": rep.articles,
                "spans": rep.spans,
                "files": rep.files,
                "skipped": len(rep.skipped),
            }
            for part, rep in result.parts.items()
        },
        "articles": total.articles,
        "spans": total.spans,
        "notes": total.notes,
        "skipped_reasons": total.reasons(),
        "skipped": skipped_records(result),
    }


def _write(records: list[dict[str, Any]], jsonl: bool, fh: TextIO) -> None:
    if jsonl:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return
    writer = csv.DictWriter(fh, COLUMNS, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)


def write_report(result: ExportResult, path: Path) -> int:
    """Write every span left out to path: JSONL for ``.jsonl``/``.json``, else TSV with a
    header (fields holding tabs or newlines are quoted). Returns how many were written."""
    records = skipped_records(result)
    jsonl = path.suffix.lower() in (".jsonl", ".json", ".ndjson")
    outfile.write_file("text", path, functools.partial(_write, records, jsonl))
    return len(records)
