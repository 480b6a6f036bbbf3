"""An export's result as data: every span left out, as JSON or a TSV/JSONL report file.

Both stream the spans from the export's SkipLog, so neither holds them all in memory.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from . import outfile
from .export import ExportResult

COLUMNS = ("part", "article", "start", "end", "label", "text", "reason")
JSON_BATCH = 1_000  # spans of --json text joined into one piece


def skipped_records(result: ExportResult) -> Iterator[dict[str, Any]]:
    """Every span the export left out, one record each, in the order they were met."""
    for part, rep in result.parts.items():
        for s in rep.skipped:
            yield {
                "part": part,
                "article": s.article_id,
                "start": s.start,
                "end": s.end,
                "label": s.label,
                "text": s.text,
                "reason": s.reason,
            }


def summary_json(result: ExportResult) -> dict[str, Any]:
    """The summary as data without the spans left out: per part what was written, the notes,
    the counts per reason."""
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
    }


def json_pieces(result: ExportResult, indent: int = 2) -> Iterator[str]:
    """The whole summary, with every span left out under "skipped", as JSON text in pieces:
    joined, exactly ``json.dumps(summary, ensure_ascii=False, indent=indent)``."""
    text = json.dumps({**summary_json(result), "skipped": []}, ensure_ascii=False, indent=indent)
    records = skipped_records(result)
    first = next(records, None)
    if first is None:
        yield text
        return
    yield text.removesuffix("]\n}")  # ends in "[": the records follow
    pad = "\n" + " " * (2 * indent)

    def one(rec: dict[str, Any]) -> str:
        return pad + json.dumps(rec, ensure_ascii=False, indent=indent).replace("\n", pad)

    chunk = [one(first)]
    for rec in records:
        chunk.append("," + one(rec))
        if len(chunk) >= JSON_BATCH:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk) + "\n" + " " * indent + "]\n}"


def _write(records: Iterable[dict[str, Any]], jsonl: bool, fh: TextIO) -> None:
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
    jsonl = path.suffix.lower() in (".jsonl", ".json", ".ndjson")
    outfile.write_file("text", path, functools.partial(_write, skipped_records(result), jsonl))
    return len(result.total.skipped)
