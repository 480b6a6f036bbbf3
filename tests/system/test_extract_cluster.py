"""Extraction on a Dask cluster (a LocalCluster of 2 worker processes): the same spans as a local
run, a worker killed mid-run costs nothing, a worker with another model version is refused, and a
worker reuses freed memory despite its nanny's MALLOC_TRIM_THRESHOLD_."""

from __future__ import annotations

import copy
import logging
import os
import platform
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from distributed import Client, LocalCluster

from bench.corpus import articles
from store import ArticleDraft, Store, executors, open_store
from store.config import DEFAULT_MODEL
from store.extract import SpacyExtractor, run_extraction, worker_extractor
from tests.helpers import run_cli, scalar

N = 24


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # any free port: 8787 may be taken
        silence_logs=logging.CRITICAL,
    ) as c:
        yield c


@pytest.fixture(scope="module")
def client(cluster: LocalCluster) -> Iterator[Client]:
    with Client(cluster.scheduler_address, set_as_default=False) as c:
        yield c


def corpus(db: Path, n: int = N) -> tuple[Store, list[int]]:
    """A store with n news-like articles (people, places, organisations in each)."""
    store = open_store(db)
    drafts = [ArticleDraft(a.text, title=a.title) for a in articles(n)]
    return store, [r.article_id for r in store.add_articles(drafts)]


def picture(store: Store, ids: list[int]) -> list[list[tuple[int, int, str, str, str]]]:
    """Each article's spans, as (start, end, label, status, source)."""
    return [[(s.start, s.end, s.label, s.status, s.source) for s in store.spans(i)] for i in ids]


def extracted_once(db: Path, ids: list[int]) -> bool:
    """Every article has exactly one extraction in the journal."""
    rows = scalar(db, "SELECT COUNT(DISTINCT article_id) FROM journal WHERE action = 'extract'")
    total = scalar(db, "SELECT COUNT(*) FROM journal WHERE action = 'extract'")
    return rows == total == len(ids)


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> list[list[tuple]]:
    """What the default model finds in the corpus in this process."""
    store, ids = corpus(tmp_path_factory.mktemp("local") / "local.db")
    run_extraction(store, ids, SpacyExtractor(DEFAULT_MODEL))
    found = picture(store, ids)
    store.close()
    assert sum(map(len, found)) > 3 * N
    return found


@pytest.mark.slow
def test_extract_through_scheduler_gives_the_local_spans(
    cluster: LocalCluster, local_run: list[list[tuple]], tmp_path: Path
) -> None:
    db = tmp_path / "dask.db"
    store, ids = corpus(db)
    store.close()
    code, _out, err = run_cli(
        "--db",
        str(db),
        "extract",
        "--model",
        DEFAULT_MODEL,
        "--scheduler",
        cluster.scheduler_address,
    )
    assert code == 0, err
    assert f"{N} article(s) extracted" in err and "refused" not in err
    with open_store(db) as store:
        assert picture(store, ids) == local_run
    assert extracted_once(db, ids)


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_nothing(
    cluster: LocalCluster, client: Client, local_run: list[list[tuple]], tmp_path: Path
) -> None:
    db = tmp_path / "kill.db"
    store, ids = corpus(db)
    pids = client.run(os.getpid)
    victim = sorted(pids)[0]
    busy: list[int] = []

    def kill_once(_n: int) -> None:
        if not busy:  # after the first chunk is stored, while the victim holds chunks
            busy.append(len(client.processing(workers=[victim]).get(victim, ())))
            os.kill(pids[victim], signal.SIGKILL)

    run_extraction(
        store,
        ids,
        SpacyExtractor(DEFAULT_MODEL),
        scheduler=cluster.scheduler_address,
        write_every=2,
        on_progress=kill_once,
    )
    assert busy and busy[0] > 0  # the worker died with chunks on it
    assert picture(store, ids) == local_run
    store.close()
    assert extracted_once(db, ids)
    client.wait_for_workers(2, timeout=120)  # the nanny started it again


def _pretend_version(model: str) -> None:
    """On a worker: its model says it is another version (as if another were installed)."""
    other = copy.copy(worker_extractor(model))
    other.source = other.source.rsplit("@", 1)[0] + "@0.0.1"
    executors._loaded[model] = other


def _forget(model: str) -> None:
    executors._loaded.pop(model, None)


@pytest.mark.slow
def test_a_worker_with_another_model_version_is_refused(
    cluster: LocalCluster, client: Client, local_run: list[list[tuple]], tmp_path: Path
) -> None:
    client.wait_for_workers(2, timeout=120)
    odd = sorted(client.scheduler_info()["workers"])[-1]
    client.run(_pretend_version, DEFAULT_MODEL, workers=[odd])
    notices: list[str] = []
    store, ids = corpus(tmp_path / "odd.db")
    try:
        run_extraction(
            store,
            ids,
            SpacyExtractor(DEFAULT_MODEL),
            scheduler=cluster.scheduler_address,
            on_notice=notices.append,
        )
        assert len(notices) == 1, notices
        assert odd in notices[0] and "refused" in notices[0] and "@0.0.1" in notices[0]
        assert picture(store, ids) == local_run  # nothing from the odd worker mixed in
    finally:
        store.close()
        client.run(_forget, DEFAULT_MODEL, workers=[odd])


def _faults_for_big_arrays(model: str | None = None) -> tuple[str | None, int]:
    """The page faults of 20 arrays of 2 MiB each filled and freed, the way spaCy's layers
    allocate (after loading model here, if given), and the trim threshold set here."""
    import resource

    if model:
        worker_extractor(model)
    np.ones(2**18).sum()  # the first one may grow the heap
    before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
    for _ in range(20):
        np.ones(2**18).sum()
    faults = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before
    return os.environ.get("MALLOC_TRIM_THRESHOLD_"), faults


PAGES = 20 * 2**21 // 4096  # the faults of 20 arrays mapped anew: every page of each
GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc")
def test_roomy_malloc_reuses_what_the_nannys_trim_threshold_unmaps() -> None:
    script = (
        "from tests.system.test_extract_cluster import _faults_for_big_arrays as f\n"
        "from store.executors import roomy_malloc\n"
        "print(f()[1], roomy_malloc(), f()[1])\n"
    )
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}  # what a Dask nanny sets
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    pinned, took, roomy = int(out[0]), out[1], int(out[2])
    assert pinned > PAGES // 2  # every array mapped anew
    assert took == "True" and roomy < PAGES // 10, (pinned, roomy)


@pytest.mark.slow
@pytest.mark.skipif(not GLIBC, reason="glibc's malloc")
def test_a_dask_worker_reuses_freed_arrays_once_it_has_the_model(client: Client) -> None:
    client.wait_for_workers(2, timeout=120)
    workers = sorted(client.scheduler_info()["workers"])
    tasks = {  # as tasks: where chunks run
        w: client.submit(_faults_for_big_arrays, DEFAULT_MODEL, workers=[w], pure=False)
        for w in workers
    }
    assert len(tasks) == 2
    for worker, task in tasks.items():
        trim, faults = task.result(timeout=120)
        assert trim == "65536", worker  # the nanny's setting is there, and undone
        assert faults < PAGES // 10, (worker, faults)
