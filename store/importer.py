"""Importing files: expand paths, then load big files in chunks and check small ones whole first."""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Protocol

from . import bulk_load
from .articles import Prepared, prepare_draft
from .fetch import FetchLimits, fetch, is_url, looks_like_url
from .formats import (
    STDIN,
    AnnotatedDraft,
    FormatError,
    known_extensions,
    read_file,
    stream_file,
    streamed_format,
)
from .merge import AnnotationImport, MergeSummary
from .models import (
    ArticleDraft,
    ImportResult,
    SpanDraft,
    content_hash,
    normalise_text,
    title_from_text,
)


class Writes(Protocol):
    """Where an import stores what it read (a Store is one)."""

    def add_articles(self, drafts: Sequence[ArticleDraft]) -> list[ImportResult]: ...

    def import_annotations(self, items: Sequence[AnnotationImport]) -> MergeSummary: ...


BATCH = 500


@dataclass(frozen=True)
class Repeat:
    """One text a file holds more than once: its records (1-based), whether their annotations
    differ, and the title of the copy that was kept (the last)."""

    path: str
    records: list[int]
    title: str
    conflicting: bool

    def describe(self) -> str:
        """One line for a person: which records, and what was kept."""
        nums = [str(n) for n in self.records]
        which = ", ".join(nums[:-1]) + f" and {nums[-1]}"
        kept = f"kept record {nums[-1]}"
        why = f"conflicting annotations; {kept}" if self.conflicting else f"the same; {kept}"
        return f"{self.path}: records {which} hold the same text ({why}): {self.title}"


@dataclass
class ImportSummary:
    """What an import did: files read, articles new and already present, errors."""

    files: int = 0
    created: list[int] = field(default_factory=list)
    existing: list[int] = field(default_factory=list)
    repeated: int = 0  # records whose text the same file has again later (its last one counts)
    repeats: list[Repeat] = field(default_factory=list)  # each repeated text, for --verbose
    spans: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    merged: MergeSummary = field(default_factory=MergeSummary)
    reviewed: set[int] = field(default_factory=set)  # articles the files mark fully annotated
    skipped: list[str] = field(default_factory=list)  # files in folders with no known ending

    @property
    def to_extract(self) -> list[int]:
        """New articles to run the model on: not those a file marks fully annotated, whose
        suggestions would count as decisions in exports."""
        return [a for a in self.created if a not in self.reviewed]

    @property
    def ok(self) -> bool:
        """True when no file was rejected."""
        return not self.errors


def expand_paths(paths: Iterable[str], skipped: list[str] | None = None) -> Iterator[str]:
    """Yield files from paths: files as given, folders recursively, globs expanded, '-' as is.

    A ``.txt`` with a brat ``.ann`` beside it is the text of that annotation file, not an
    article of its own: the ``.ann`` is yielded instead, once. Files in a folder whose ending
    no format claims (``eng.train``) are left out and appended to ``skipped``.
    """
    seen: set[str] = set()
    for path in _expand(paths, skipped if skipped is not None else []):
        if path.lower().endswith(".txt") and Path(path).with_suffix(".ann").exists():
            path = str(Path(path).with_suffix(".ann"))
        if path not in seen:
            seen.add(path)
            yield path


def _expand(paths: Iterable[str], skipped: list[str]) -> Iterator[str]:
    exts = known_extensions()
    for raw in paths:
        if raw == "-":
            yield raw
            continue
        p = Path(raw)
        if p.is_dir():
            found = False
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    if Path(name).suffix.lower() in exts:
                        found = True
                        yield str(Path(root) / name)
                    else:
                        skipped.append(str(Path(root) / name))
            if not found:
                yield raw  # reported as a folder with nothing to import
            continue
        if not p.exists() and glob.has_magic(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            if matches:
                yield from _expand(matches, skipped)
                continue
        yield raw


def _read_bytes(path: str, limits: FetchLimits | None = None) -> bytes:
    if path == "-":
        try:
            return sys.stdin.buffer.read()
        except (AttributeError, OSError) as exc:
            raise FormatError(STDIN, None, f"cannot be read ({exc})") from None
    p = Path(path)
    if looks_like_url(path) and (is_url(path) or not p.exists()):
        return fetch(path, limits)  # refuses other schemes, spaces and control characters
    if not p.exists():
        if glob.has_magic(path):
            raise FormatError(path, None, "matches no file")
        raise FormatError(path, None, "does not exist")
    if p.is_dir():
        endings = ", ".join(sorted(known_extensions()))
        raise FormatError(path, None, f"is a folder with no files to import (endings: {endings})")
    try:
        return p.read_bytes()
    except OSError as exc:
        raise FormatError(path, None, f"cannot be read ({exc.strerror})") from None


def _source(
    path: str, fmt: str | None, encoding: str | None, limits: FetchLimits | None
) -> tuple[int, Callable[[], Iterator[ArticleDraft]]]:
    """(size in bytes, a function giving a new iterator over the file's articles).

    A local file in a format that streams is read from disk on each pass, a line at a time,
    so memory stays flat in its size; anything else is read once into memory.
    """
    streamed = streamed_format(path, fmt, encoding)
    if streamed is not None:
        return file_size(path), lambda: stream_file(path, streamed)
    data = _read_bytes(path, limits)
    return len(data), lambda: read_file(path, data, fmt, encoding)


def file_size(path: str) -> int:
    """Return a file's size in bytes (0 for standard input, a URL or what cannot be read)."""
    try:
        return 0 if path == "-" or looks_like_url(path) else os.path.getsize(path)
    except OSError:
        return 0


def import_paths(
    store: Writes,
    paths: Iterable[str],
    fmt: str | None = None,
    on_file: Callable[[str, int], None] | None = None,
    on_error: Callable[[str], None] | None = None,
    on_bytes: Callable[[str, int], None] | None = None,
    limits: FetchLimits | None = None,
    encoding: str | None = None,
) -> ImportSummary:
    """Import every file; a bad file is reported and skipped, the others are stored.

    ``on_bytes(path, n)`` reports progress as the file's bytes are stored: its calls for
    one file add up to the file's size (a rejected file reports them all at once).
    ``limits`` bound what a URL may download and how long its fetch may take; ``encoding``
    names what text files are written in (default UTF-8).
    """
    summary = ImportSummary()
    # articles of small plain files (no annotations) wait here, so a folder of many
    # small files is written in a few transactions instead of one per file
    pending: list[ArticleDraft] = []
    for path in expand_paths(paths, summary.skipped):
        summary.files += 1
        name = STDIN if path == "-" else path  # how messages name it
        size = file_size(path)
        sent = [0]  # bytes reported for this file

        def report(step: int, path: str = path, sent: list[int] = sent) -> None:
            if on_bytes and step > 0:
                sent[0] += step
                on_bytes(path, step)

        try:
            size, drafts = _source(path, fmt, encoding, limits)
            loaded = False
            if _loadable(store, size):
                if pending:
                    _store(store, pending, summary, frozenset())
                    pending = []
                loaded = _load_file(store, path, name, drafts, size, summary, on_error, report)
            if not loaded:
                pending = _two_passes(
                    store, path, name, drafts, size, summary, pending, on_error, report
                )
        except FormatError as exc:
            summary.errors.append(str(exc))
            if on_error:
                on_error(str(exc))
        except (ValueError, RecursionError) as exc:  # a reader's or the store's refusal
            message = str(FormatError(STDIN if path == "-" else path, None, _reason(exc)))
            summary.errors.append(message)
            if on_error:
                on_error(message)
        if on_bytes and size > sent[0]:
            on_bytes(path, size - sent[0])
        if on_file:
            on_file(path, summary.files)
    if pending:
        _store(store, pending, summary, frozenset())
    return summary


def _two_passes(
    store: Writes,
    path: str,
    name: str,
    drafts: Callable[[], Iterator[ArticleDraft]],
    size: int,
    summary: ImportSummary,
    pending: list[ArticleDraft],
    on_error: Callable[[str], None] | None,
    report: Callable[[int], None],
) -> list[ArticleDraft]:
    """Import one file in short transactions: read it whole first, so a bad record rejects
    it before any write, then store it in batches of whole articles. Returns the small
    articles waiting to be stored with the next files."""
    reported = 0
    # pass 1: read the whole file, so a bad record rejects the file before any write
    count = 0
    labels: set[str] = set()  # the labels the file annotates, for complete merges
    # each record's content hash (32 bytes, not 64 hex characters: memory per record counts)
    digests: list[bytes] = []
    first: dict[bytes, tuple[int, int]] = {}  # digest -> record, hash of its annotations
    repeats: dict[bytes, Repeat] = {}
    for draft in _checked(path, drafts(), digests):
        count += 1
        _note_repeat(name, draft, count, digests[-1], first, repeats)
        labels.update(s.label for s in draft.spans)
        for warning in getattr(draft, "warnings", ()):
            summary.warnings.append(warning)
            if on_error:
                on_error(warning)
    if count == 0:
        raise FormatError(STDIN if path == "-" else path, None, "holds no articles")
    _report_repeats(name, list(repeats.values()), summary, on_error)
    # a text the file holds twice is stored once, from its last copy
    last = {d: n for n, d in enumerate(digests)}
    if not labels and count < BATCH:
        for n, draft in _again(name, drafts(), digests):
            if last[digests[n]] == n:
                pending.append(draft)
            else:
                summary.repeated += 1
        if len(pending) >= BATCH:
            _store(store, pending, summary, frozenset())
            pending = []
    else:
        if pending:
            _store(store, pending, summary, frozenset())
            pending = []
        # pass 2: store in short transactions of whole articles. A text the file
        # annotates twice takes its last annotation only: merging each copy in turn
        # would flip the article back and forth on every import of the same file
        batch: list[ArticleDraft] = []
        done = 0
        for n, draft in _again(name, drafts(), digests):
            if last[digests[n]] != n:
                summary.repeated += 1
                continue
            batch.append(draft)
            if len(batch) >= BATCH:
                _store(store, batch, summary, frozenset(labels))
                done += len(batch)
                batch = []
                step = size * done // count - reported
                reported += step
                report(step)
        if batch:
            _store(store, batch, summary, frozenset(labels))
    return pending


def _loadable(store: Writes, size: int) -> bool:
    """True when this file is loaded in chunks under a pending mark (store/bulk_load.py)."""
    db = getattr(store, "db", None)
    return hasattr(store, "unit") and db is not None and bulk_load.worth_loading(size)


def _load_file(
    store: Writes,
    path: str,
    name: str,
    drafts: Callable[[], Iterator[ArticleDraft]],
    size: int,
    summary: ImportSummary,
    on_error: Callable[[str], None] | None,
    report: Callable[[int], None],
) -> bool:
    """Import one big file in a single pass, in chunks of whole articles each about
    bulk_load.CHUNK_SECONDS of write lock; False when it holds a text twice (what was written
    is then deleted, and the two-pass import keeps the last copy).

    The file is all or nothing: a bad record, Ctrl-C or any failure deletes what the chunks
    wrote before the error is reported, and a kill -9 leaves the load's ``import_pending`` mark,
    so the next open deletes it (bulk_load.recover). Other windows see whole articles appear
    chunk by chunk, and their writes get the lock between two chunks. Annotations for articles
    stored before are merged after the load, in the merge's own transactions, exactly as the
    two-pass import merges them batch by batch.
    """
    load = bulk_load.Load(store.db, store.unit, name)  # type: ignore[attr-defined]
    labels: set[str] = set()
    warnings: list[str] = []
    # (id, spans, reviewed, created) to merge after the load: spans only for stored articles
    merges: list[tuple[int, tuple[SpanDraft, ...], bool, bool]] = []
    created: list[int] = []
    existing: list[int] = []
    spans = 0
    read = [0, 0]  # bytes read (estimated from the records: the reader hides its file), sent

    def prepared() -> Iterator[tuple[ArticleDraft, Prepared]]:
        count = 0
        for draft in drafts():
            count += 1
            try:
                p = prepare_draft(draft)  # the very checks Store.add_articles makes
            except ValueError as exc:
                raise FormatError(path, f"record {count}", str(exc)) from None
            labels.update(s.label for s in p.spans)
            read[0] += len(p.text) + 32 * len(p.spans) + 32
            warnings.extend(getattr(draft, "warnings", ()))
            yield draft, p
        if count == 0:
            raise FormatError(name, None, "holds no articles")

    def take(batch: list[tuple[ArticleDraft, Prepared]], results: list[tuple[int, bool]]) -> None:
        nonlocal spans
        for (draft, p), (aid, new) in zip(batch, results, strict=True):
            if new:
                created.append(aid)
                spans += len(p.spans)
            else:  # a stored text the file held twice raised Repeated in load.add
                existing.append(aid)
            if isinstance(draft, AnnotatedDraft) and (draft.reviewed or (draft.spans and not new)):
                kept = () if new else tuple(draft.spans)
                merges.append((aid, kept, draft.reviewed, new))

    try:
        with bulk_load.big_cache(store.db):  # type: ignore[attr-defined]
            feed = bulk_load.chunks(prepared(), itemgetter(1), lambda: load.pacer.size)
            for _committed in load.write(feed, itemgetter(1), take):
                step = min(size - 1, read[0]) - read[1]  # the rest once the load is whole
                if step > 0:
                    read[1] += step
                    report(step)
    except bulk_load.Repeated:
        load.roll_back()
        return False
    except BaseException:
        if load.stored and on_error:  # deleting a big load takes a while: say what goes on
            on_error(
                f"{name}: stopped; deleting the {load.stored:,} article(s) stored from it so far"
                " (a file is imported whole or not at all)"
            )
        try:
            load.roll_back()
        except Exception:  # noqa: S110 - the mark stays: the next open deletes the load
            pass
        raise
    for warning in warnings:
        summary.warnings.append(warning)
        if on_error:
            on_error(warning)
    summary.created.extend(created)
    summary.existing.extend(existing)
    summary.spans += spans
    items = [
        AnnotationImport(aid, kept, done, frozenset(labels) if done and not new else frozenset())
        for aid, kept, done, new in merges
    ]
    for i in range(0, len(items), BATCH):
        _merged(store, items[i : i + BATCH], summary)
    return True


def _merged(store: Writes, items: list[AnnotationImport], summary: ImportSummary) -> None:
    """Merge annotations into stored articles; count what they did."""
    for item in items:
        if item.reviewed:
            summary.reviewed.add(item.article_id)
    done = store.import_annotations(items)
    summary.spans += done.added
    for name in ("added", "accepted", "rejected", "reviewed"):
        setattr(summary.merged, name, getattr(summary.merged, name) + getattr(done, name))


def _checked(
    path: str, drafts: Iterable[ArticleDraft], digests: list[bytes]
) -> Iterator[ArticleDraft]:
    """Yield the drafts, raising FormatError for the first one the store would refuse;
    append each draft's content hash to ``digests``."""
    for n, draft in enumerate(drafts, 1):
        try:
            prepared = prepare_draft(draft)  # the very checks Store.add_articles makes
        except ValueError as exc:
            raise FormatError(path, f"record {n}", str(exc)) from None
        digests.append(bytes.fromhex(prepared.digest))
        yield draft


def _again(
    path: str, drafts: Iterable[ArticleDraft], digests: list[bytes]
) -> Iterator[tuple[int, ArticleDraft]]:
    """(index, draft) of a file read a second time, checked to hold what pass 1 read (a file
    streamed from disk is read twice; one changed in between is refused, not mixed up)."""
    n = -1
    for n, draft in enumerate(drafts):
        digest = bytes.fromhex(content_hash(normalise_text(draft.text)))
        if n >= len(digests) or digest != digests[n]:
            raise FormatError(path, f"record {n + 1}", "changed while it was being imported")
        yield n, draft
    if n + 1 != len(digests):
        raise FormatError(path, None, "changed while it was being imported")


def _note_repeat(
    path: str,
    draft: ArticleDraft,
    n: int,
    digest: bytes,
    first: dict[bytes, tuple[int, int]],
    repeats: dict[bytes, Repeat],
) -> None:
    """Remember record n's text; when an earlier record had it, note the repeat."""
    # a hash, not the spans themselves: memory per record stays small, whatever its spans
    notes = hash(
        (
            frozenset((s.start, s.end, s.label) for s in draft.spans),
            bool(getattr(draft, "reviewed", False)),
        )
    )
    if digest not in first:
        first[digest] = (n, notes)
        return
    title = draft.title or title_from_text(draft.text)
    was = repeats.get(digest)
    start, first_notes = first[digest]
    records = [start] if was is None else was.records
    conflicting = (was is not None and was.conflicting) or notes != first_notes
    repeats[digest] = Repeat(path, [*records, n], _one_line(title), conflicting)


def _one_line(title: str) -> str:
    """A title on one line, cut at 80 characters (the caller's output escapes it)."""
    line = " ".join(title.split())
    return line if len(line) <= 80 else line[:79] + "…"


def _report_repeats(
    path: str,
    repeats: list[Repeat],
    summary: ImportSummary,
    on_error: Callable[[str], None] | None,
) -> None:
    if not repeats:
        return
    summary.repeats.extend(repeats)
    n = len(repeats)
    conflicting = sum(r.conflicting for r in repeats)
    line = f"{path}: {n} text{'s' if n != 1 else ''} repeated in this file"
    if conflicting:
        line += f", {conflicting} of them with conflicting annotations"
    line += " (kept the last)"
    summary.warnings.append(line)
    if on_error:
        on_error(line)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "is nested too deeply to read"
    return f"cannot be imported ({exc})"


def _store(
    store: Writes, batch: list[ArticleDraft], summary: ImportSummary, labels: frozenset[str]
) -> None:
    merges: list[AnnotationImport] = []
    for draft, result in zip(batch, store.add_articles(batch), strict=True):
        if result.created:
            summary.created.append(result.article_id)
            summary.spans += result.spans
        else:
            summary.existing.append(result.article_id)
        if isinstance(draft, AnnotatedDraft) and (
            draft.reviewed or (draft.spans and not result.created)
        ):
            # annotations for an article already stored are merged, not dropped
            # a new article holds the file's spans already: merging them again changes
            # nothing (each finds itself), so only its review state is left to set
            merges.append(
                AnnotationImport(
                    result.article_id,
                    () if result.created else draft.spans,
                    draft.reviewed,
                    labels if draft.reviewed and not result.created else frozenset(),
                )
            )
            if draft.reviewed:
                summary.reviewed.add(result.article_id)
    if merges:
        done = store.import_annotations(merges)
        summary.spans += done.added
        for name in ("added", "accepted", "rejected", "reviewed"):
            setattr(summary.merged, name, getattr(summary.merged, name) + getattr(done, name))
