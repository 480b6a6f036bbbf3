"""JSONL and CSV files of articles: a ``text`` field plus optional ``title``, ``source``, ``meta``."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from ..dates import date_from
from ..models import ArticleDraft
from .decode import decode_text, decoded_lines, stream_lines
from .errors import FormatError

JSONL = "jsonl"
CSV = "csv"
JSONL_EXTENSIONS = (".jsonl", ".ndjson")
CSV_EXTENSIONS = (".csv",)
FIELDS = ("text", "title", "source", "meta")
csv.field_size_limit(2**31 - 1)


def _draft(path: str, where: str, rec: Any) -> ArticleDraft:
    if not isinstance(rec, dict):
        raise FormatError(path, where, 'is not an object with a "text" field')
    text = rec.get("text")
    if not isinstance(text, str):
        raise FormatError(path, where, 'has no "text" string')
    if not text.strip():
        raise FormatError(path, where, 'has an empty "text"')
    title = rec.get("title")
    if title is not None and not isinstance(title, str):
        raise FormatError(path, where, 'has a "title" that is not a string')
    source = rec.get("source")
    if source is not None and not isinstance(source, str):
        source = str(source)
    meta = rec.get("meta")
    if isinstance(meta, str) and meta.strip():
        try:
            meta = json.loads(meta)
        except json.JSONDecodeError:
            meta = {"meta": meta}
    if meta is not None and not isinstance(meta, dict):
        meta = {"meta": meta}
    extras = {  # other plain fields (url, date, author ...) are kept in meta
        k: v
        for k, v in rec.items()
        if k not in FIELDS and isinstance(v, str | int | float | bool) and v != ""
    }
    if extras:
        meta = {**extras, **(meta or {})}
    for name, value in (("text", text), ("title", title or ""), ("source", source or "")):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = ord(value[exc.start])
            raise FormatError(
                path,
                where,
                f'has a lone surrogate (U+{bad:04X}) in its "{name}": not valid Unicode',
            ) from None
    return ArticleDraft(
        text=text.replace("\r\n", "\n").replace("\r", "\n"),
        title=title or None,
        source=source or f"{path}#{where}",
        meta=meta or None,
        date=date_from(rec),
    )


def read_jsonl(path: str, data: bytes) -> Iterator[ArticleDraft]:
    """Yield one article per non-blank JSON line (decoded a line at a time)."""
    return _jsonl(path, decoded_lines(path, data))


def stream_jsonl(path: str, fh: BinaryIO) -> Iterator[ArticleDraft]:
    """Like :func:`read_jsonl`, from an open file read a line at a time."""
    return _jsonl(path, stream_lines(path, fh))


def _jsonl(path: str, lines: Iterable[tuple[int, str]]) -> Iterator[ArticleDraft]:
    for n, line in lines:
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except RecursionError:
            raise FormatError(path, f"line {n}", "is JSON nested too deeply") from None
        except json.JSONDecodeError as exc:
            raise FormatError(path, f"line {n}", f"is not valid JSON ({exc.msg})") from None
        yield _draft(path, f"line {n}", rec)


def read_csv(path: str, data: bytes) -> Iterator[ArticleDraft]:
    """Yield one article per CSV row; the header must have a ``text`` column."""
    return _csv(path, io.StringIO(decode_text(path, data), newline=""))


def stream_csv(path: str, fh: BinaryIO) -> Iterator[ArticleDraft]:
    """Like :func:`read_csv`, from an open file read a line at a time."""
    lines = stream_lines(path, fh)
    leading: list[str] = []
    for _n, line in lines:  # a file of blank lines is empty, as read_csv finds it
        leading.append(line + "\n")
        if line.strip():
            break
    return _csv(path, itertools.chain(leading, (line + "\n" for _n, line in lines)))


def _csv(path: str, rows: Iterable[str]) -> Iterator[ArticleDraft]:
    reader = csv.reader(rows, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise FormatError(path, "line 1", f"has no CSV header ({exc})") from None
    names = [h.strip().lower() for h in header]
    if {"article", "start", "end", "label"} <= set(names):
        raise FormatError(
            path,
            "line 1",
            "is margin's entity CSV (export --format csv): its rows are entities of articles, not"
            " articles; to move annotations, export and import a format that holds the text"
            " (--format prodigy)",
        )
    if "text" not in names:
        raise FormatError(path, "line 1", 'has no "text" column in its header')
    try:
        start = reader.line_num + 1  # a quoted cell may span lines: name the line a row starts on
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(names):
                raise FormatError(
                    path, f"line {line}", f"has {len(row)} columns, the header has {len(names)}"
                )
            yield _draft(path, f"line {line}", dict(zip(names, row, strict=True)))
    except csv.Error as exc:
        raise FormatError(path, f"line {reader.line_num}", f"is not valid CSV ({exc})") from None
