"""Local worker processes: a worker killed mid-run breaks the pool; another is started and the
chunks that were in flight go again, so every article is extracted exactly once."""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from bench.corpus import articles
from store import ArticleDraft, executors, open_store
from store.extract import SpacyExtractor, run_extraction
from tests.helpers import scalar


@pytest.mark.slow
def test_a_local_worker_killed_mid_run_loses_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tiny_model: str
) -> None:
    pools: list[ProcessPoolExecutor] = []

    class Counted(ProcessPoolExecutor):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            pools.append(self)

    monkeypatch.setattr(executors, "ProcessPoolExecutor", Counted)
    texts = [a.text for a in articles(120)]
    found = []
    for workers in (1, 2):
        db = tmp_path / f"w{workers}.db"
        store = open_store(db)
        ids = [r.article_id for r in store.add_articles([ArticleDraft(t) for t in texts])]
        killed: list[int] = []

        def kill_once(_n: int, workers: int = workers, killed: list[int] = killed) -> None:
            if workers > 1 and not killed:
                victim = multiprocessing.active_children()[0]
                killed.append(victim.pid or 0)
                os.kill(victim.pid or 0, signal.SIGKILL)

        extractor = SpacyExtractor(tiny_model)
        run_extraction(store, ids, extractor, workers=workers, write_every=2, on_progress=kill_once)
        found.append([[(s.start, s.end, s.label) for s in store.spans(i)] for i in ids])
        store.close()
        extracts = "SELECT COUNT(*) FROM journal WHERE action = 'extract'"
        assert scalar(db, extracts) == len(ids)  # each article once, none twice
        assert len(killed) == (workers > 1)
    assert len(pools) == 2  # the broken pool was replaced
    assert found[0] == found[1] and sum(map(len, found[0])) > 100
    assert not multiprocessing.active_children()
