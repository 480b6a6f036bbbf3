"""Exporting: which articles and spans go out, train/dev splits by article, files written whole."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

import sqlite_utils

from . import outfile
from .entities.names import canonical_names, entity_id_map
from .errors import ExportError, NotFound
from .formats import OUTPUTS, ExportDoc, OutputFormat, WriteReport
from .formats.labelstudio import config_path, config_xml
from .models import Article, Label, Span
from .rows import articles_by_id, chunks, marks, spans_by_article


class Source(Protocol):
    """What an export reads from: the database and its labels (a Store is one)."""

    @property
    def db(self) -> sqlite_utils.Database: ...

    def labels(self) -> list[Label]: ...


@dataclass(frozen=True)
class ExportOptions:
    """What to export and where.

    By default the corrected view: accepted spans (a person's and accepted suggestions) in
    every article, plus the remaining suggestions of reviewed articles.
    """

    fmt: str
    out: Path | None = None
    reviewed_only: bool = False
    include_suggestions: bool = False
    labels: tuple[str, ...] = ()
    article_ids: tuple[int, ...] = ()
    split: tuple[tuple[str, float], ...] = ()


@dataclass
class ExportResult:
    """Reports per part ("" for an unsplit export) and the files written."""

    parts: dict[str, WriteReport] = field(default_factory=dict)

    @property
    def total(self) -> WriteReport:
        """All parts' reports added together."""
        out = WriteReport()
        for r in self.parts.values():
            out.merge(r)
        return out


def parse_split(values: Sequence[str]) -> tuple[tuple[str, float], ...]:
    """Parse ``dev=0.2`` (also ``dev=0.1,test=0.1`` or several values) into (name, fraction)."""
    out: list[tuple[str, float]] = []
    for value in values:
        for part in value.split(","):
            name, sep, frac = part.partition("=")
            name = name.strip()
            try:
                f = float(frac)
            except ValueError:
                f = -1.0
            if not sep or not name or not 0 < f < 1:
                raise ExportError(f"--split {part!r} is not NAME=FRACTION with 0 < FRACTION < 1")
            if name == "train" or name in {n for n, _ in out}:
                raise ExportError(f"--split names the part {name!r} twice (train is the rest)")
            out.append((name, f))
    if sum(f for _, f in out) >= 1:
        raise ExportError("--split fractions add up to 1 or more: nothing would be left to train")
    return tuple(out)


def select_ids(store: Source, opts: ExportOptions) -> Sequence[int]:
    """Return the ids of the articles to export, in id order (8 bytes an article)."""
    db = store.db
    if not opts.article_ids:
        where = " WHERE reviewed = 1" if opts.reviewed_only else ""
        return array("q", (r[0] for r in db.execute(f"SELECT id FROM articles{where} ORDER BY id")))
    ids = list(dict.fromkeys(opts.article_ids))
    found = articles_by_id(db, ids)
    for aid in ids:
        if aid not in found:
            raise NotFound(f"article {aid} does not exist")
    return [a for a in ids if found[a].reviewed or not opts.reviewed_only]


def split_ids(
    store: Source, ids: Sequence[int], split: Sequence[tuple[str, float]]
) -> dict[str, Sequence[int]]:
    """Split article ids into parts; the same articles always land in the same part.

    Articles are ordered by a hash of their content (not their id, so two databases with
    the same articles split alike); each named part takes its share in turn, rounded, and
    "train" keeps the rest. Each part keeps id order.
    """
    if not split:
        return {"": ids}
    hashes: dict[int, str] = {}
    for chunk in chunks(ids):
        q = f"SELECT id, content_hash FROM articles WHERE id IN ({marks(chunk)})"
        hashes.update(store.db.execute(q, chunk))
    order = sorted(ids, key=lambda a: hashlib.sha256(f"split:{hashes[a]}".encode()).hexdigest())
    parts: dict[str, Sequence[int]] = {}
    pos = 0
    for name, frac in split:
        n = round(len(order) * frac)
        parts[name] = sorted(order[pos : pos + n])
        pos += n
    parts = {"train": sorted(order[pos:]), **parts}
    return parts


def export_doc(article: Article, spans: Sequence[Span], opts: ExportOptions) -> ExportDoc:
    """Choose the spans of one article that the export writes."""
    chosen: list[Span] = []
    suggestions: list[Span] = []
    rejected: list[Span] = []
    for s in spans:
        if s.source.startswith(("model:", "rule:")):
            suggestions.append(s)
        if s.status == "rejected":
            rejected.append(s)
            continue
        if opts.labels and s.label not in opts.labels:
            continue
        if s.status == "accepted" or opts.include_suggestions or article.reviewed:
            chosen.append(s)
    return ExportDoc(article, tuple(chosen), tuple(suggestions), tuple(rejected))


def iter_docs(
    store: Source,
    ids: Sequence[int],
    opts: ExportOptions,
    on_article: Callable[[], None] | None,
    batch: int = 200,
) -> Iterator[ExportDoc]:
    """Yield the export view of each article, reading a batch of articles and spans at a time."""
    for chunk in chunks(ids, batch):
        arts = articles_by_id(store.db, chunk)
        spans = spans_by_article(store.db, chunk)
        known = entity_id_map(store.db, {s.text for found in spans.values() for s in found})
        names = canonical_names(store.db, set(known.values()))
        for aid in chunk:
            if aid not in arts:
                raise NotFound(f"article {aid} does not exist")
            doc = export_doc(arts[aid], spans[aid], opts)
            yield dataclasses.replace(doc, entity_ids=known, entity_names=names)
            if on_article:
                on_article()


def output_kind(fmt: str, out: Path | None) -> str:
    """What an export to ``out`` writes: "text", "file" or "folder".

    spaCy writes a folder of DocBin parts when ``out`` is a folder, or a new name without an
    ending (``--out corpus``); a name ending in ``.spacy`` (any existing file, a device) is
    one DocBin file.
    """
    kind = OUTPUTS[fmt].kind
    if fmt != "spacy" or out is None or outfile.writes_through(out):
        return kind
    real = outfile.real_target(out)
    if real.is_dir() or (not real.exists() and not real.suffix):
        return "folder"
    return kind


def part_path(out: Path, part: str, fmt: str, kind: str | None = None) -> Path:
    """The path of one part: ``data.jsonl`` -> ``data.dev.jsonl``; folders get a subfolder."""
    kind = kind or OUTPUTS[fmt].kind
    if not part:
        return out
    if kind == "folder":
        return out / part
    suffix = out.suffix or OUTPUTS[fmt].extension
    return out.with_name(f"{out.stem if out.suffix else out.name}.{part}{suffix}")


def run_export(
    store: Source,
    opts: ExportOptions,
    stream: TextIO | None = None,
    on_article: Callable[[], None] | None = None,
) -> ExportResult:
    """Export as asked: to ``opts.out`` (written whole, then moved in place) or to ``stream``."""
    fmt = OUTPUTS.get(opts.fmt)
    if fmt is None:
        raise ExportError(f"unknown export format {opts.fmt!r}; known: {', '.join(OUTPUTS)}")
    if opts.out is None:
        if fmt.kind != "text":
            raise ExportError(
                f"{opts.fmt} writes {'a folder' if fmt.kind == 'folder' else 'a binary file'}: give --out PATH"
            )
        if opts.split:
            raise ExportError("--split writes several files: give --out PATH")
        if stream is None:
            raise ExportError("give --out PATH")
    labels = store.labels()
    _check_labels(opts.labels, labels)
    ids = select_ids(store, opts)
    parts = split_ids(store, ids, opts.split)
    kind = output_kind(opts.fmt, opts.out)
    if opts.out is not None:
        for part in parts:
            _check_target(part_path(opts.out, part, opts.fmt, kind), opts.fmt, kind)
    result = ExportResult()
    for part, part_ids in parts.items():
        report = WriteReport()
        docs = iter_docs(store, part_ids, opts, on_article)
        if opts.out is None:
            assert stream is not None
            fmt.write(docs, stream, report, labels)
            if opts.fmt == "labelstudio":
                report.notes.append("the labeling config is written only beside an --out file")
        else:
            target = part_path(opts.out, part, opts.fmt, kind)
            _write_whole(kind, target, functools.partial(_write_to, fmt, docs, report, labels))
            report.files = [str(target)]
            if opts.fmt == "labelstudio" and outfile.writes_through(target):
                report.notes.append("the labeling config is written only beside a regular file")
            elif opts.fmt == "labelstudio":
                cfg = config_path(target)
                xml = config_xml(_used_labels(store, part_ids, labels))
                outfile.write_file("text", cfg, functools.partial(_write_text, xml))
                report.files.append(str(cfg))
        result.parts[part] = report
    return result


def _check_labels(wanted: Sequence[str], labels: list[Label]) -> None:
    """Refuse a --label the database does not have (it would silently export no span)."""
    known = [lab.name for lab in labels]
    unknown = [w for w in dict.fromkeys(wanted) if w not in known]
    if unknown:
        raise ExportError(
            f"--label {unknown[0]!r} is not a label of this database (labels: {', '.join(known)})"
        )


def _check_target(target: Path, fmt: str, kind: str) -> None:
    """Refuse an --out of the wrong kind before anything is written, naming it."""
    if kind == "folder" and target.exists() and not target.is_dir():
        raise ExportError(f"{target} is a file; {fmt} writes a folder: give a folder for --out")
    if kind != "folder" and target.is_dir():
        raise ExportError(f"{target} is a folder; {fmt} writes a file: give a file name for --out")
    if kind == "folder":
        outfile.check_folder(target, fmt)


def _used_labels(store: Source, ids: Sequence[int], labels: list[Label]) -> list[Label]:
    names: set[str] = set()
    for chunk in chunks(ids):
        q = f"SELECT DISTINCT label FROM spans WHERE article_id IN ({marks(chunk)})"
        names.update(r[0] for r in store.db.execute(q, chunk))
    return [lab for lab in labels if lab.name in names] or labels


def _write_to(
    fmt: OutputFormat,
    docs: Iterator[ExportDoc],
    report: WriteReport,
    labels: list[Label],
    target: Any,
) -> None:
    """Write docs to a stream or a path, as the format's writer takes it."""
    fmt.write(docs, target, report, labels)


def _write_text(text: str, fh: TextIO) -> None:
    fh.write(text)


def _write_whole(kind: str, target: Path, write: Callable[[Any], None]) -> None:
    """Write a file or folder export in place (see store/outfile.py)."""
    if kind == "folder":
        outfile.write_folder(target, write)
    else:
        outfile.write_file(kind, target, write)


def summary_lines(result: ExportResult, limit: int = 50, more_hint: str = "") -> list[str]:
    """Human-readable summary: what was written, and the first ``limit`` spans that could not
    be expressed (``more_hint`` follows the count of the rest)."""
    lines: list[str] = []
    for part, rep in result.parts.items():
        where = ", ".join(rep.files) or "standard output"
        name = f"{part}: " if part else ""
        lines.append(f"{name}{rep.articles} article(s), {rep.spans} span(s) -> {where}")
    total = result.total
    for note in total.notes:
        lines.append(f"note: {note}")
    left_out = len(total.skipped)
    if left_out:
        reasons = ", ".join(f"{n} {r}" for r, n in total.reasons().items())
        lines.append(f"{left_out} span(s) could not be expressed and were left out: {reasons}")
        for s in total.skipped.first(limit):
            lines.append(
                f"  article {s.article_id} {s.start}..{s.end} {s.label} {s.text!r}: {s.reason}"
            )
        if left_out > limit:
            lines.append(f"  ... and {left_out - limit} more{more_hint}")
    return lines
