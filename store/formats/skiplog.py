"""Spans an export left out, in flat memory: counts, the first few, the rest in a temporary file."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import IO

KEEP = 100  # spans a run holds in memory from its start (the summary shows the first 50)
BATCH = 1_000  # spans past those gathered before they are pickled to the run's file


@dataclass
class Skipped:
    """A span a writer could not express, and why."""

    article_id: int
    start: int
    end: int
    label: str
    text: str
    reason: str


class _Run:
    """Spans in the order met: the first ``keep`` in a list, the rest pickled a batch at a time
    to an unlinked temporary file, made when the first one past ``keep`` comes."""

    def __init__(self, keep: int, batch: int) -> None:
        self.keep, self.batch = keep, batch
        self.head: list[Skipped] = []
        self.pending: list[tuple[int, int, int, str, str, str]] = []
        self.count = 0
        self._file: IO[bytes] | None = None
        self._size = 0  # bytes of whole batches in the file
        self._moved = False  # a reader moved the file's position off its end

    def add(self, s: Skipped) -> None:
        self.count += 1
        if len(self.head) < self.keep:
            self.head.append(s)
            return
        self.pending.append((s.article_id, s.start, s.end, s.label, s.text, s.reason))
        if len(self.pending) >= self.batch:
            self._flush()

    def _flush(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="margin-skipped-")
        if self._moved:
            self._file.seek(0, 2)
            self._moved = False
        data = pickle.dumps(self.pending, pickle.HIGHEST_PROTOCOL)
        self._file.write(data)
        self._size += len(data)
        self.pending = []

    def held(self) -> int:
        return len(self.head) + len(self.pending)

    def __iter__(self) -> Iterator[Skipped]:
        yield from self.head
        offset = 0
        while offset < self._size:  # re-read each time: a batch may be written meanwhile
            assert self._file is not None
            self._file.flush()
            self._file.seek(offset)
            self._moved = True
            batch = pickle.load(self._file)
            offset = self._file.tell()
            for rec in batch:
                yield Skipped(*rec)
        for rec in list(self.pending):  # no batch written since the loop's last check
            yield Skipped(*rec)


class SkipLog:
    """Every span an export could not express, in the order met, held in flat memory.

    Counts per reason are kept; of each run of spans only the first ``keep`` (and one batch
    being gathered) stay in memory, the rest go to an unlinked temporary file and are read
    back when iterated. ``extend`` shares another log's runs (no copy).
    """

    def __init__(self, keep: int | None = None, batch: int | None = None) -> None:
        self.keep = KEEP if keep is None else keep
        self.batch = BATCH if batch is None else batch
        self._runs: list[tuple[_Run, int | None]] = []  # (run, spans taken; None: all, live)
        self._live: _Run | None = None
        self._reasons: dict[str, int] = {}
        self._count = 0

    def add(self, s: Skipped) -> None:
        """Record one span left out."""
        if self._live is None:
            self._live = _Run(self.keep, self.batch)
            self._runs.append((self._live, None))
        self._live.add(s)
        self._reasons[s.reason] = self._reasons.get(s.reason, 0) + 1
        self._count += 1

    def extend(self, other: SkipLog) -> None:
        """Add the spans another log holds now, after this one's (for split exports)."""
        for run, n in other._runs:
            self._runs.append((run, run.count if n is None else n))
        for reason, n in other._reasons.items():
            self._reasons[reason] = self._reasons.get(reason, 0) + n
        self._count += other._count
        self._live = None  # what is added next comes after the other's spans

    def reasons(self) -> dict[str, int]:
        """How many spans were left out per reason, in the order the reasons were met."""
        return dict(self._reasons)

    def first(self, n: int) -> list[Skipped]:
        """The first n spans left out."""
        return list(islice(self, n))

    def held(self) -> int:
        """How many spans this log keeps in memory (at most keep + batch a run)."""
        return sum(run.held() for run, _n in self._runs)

    def __iter__(self) -> Iterator[Skipped]:
        for run, n in self._runs:
            yield from run if n is None else islice(run, n)

    def __len__(self) -> int:
        return self._count

    def __repr__(self) -> str:
        return f"SkipLog({self._count} span(s): {self._reasons})"
