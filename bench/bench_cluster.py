"""Extraction throughput: 1 process, --workers 2 and a 2-worker Dask cluster side by side; the
Dask path's overhead per chunk."""

from __future__ import annotations

import logging
import os
import resource
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Executor, wait
from pathlib import Path
from typing import NamedTuple

from bench.corpus import articles
from store import ArticleDraft, open_store
from store.config import DEFAULT_MODEL
from store.executors import DaskRunner, LocalRunner
from store.extract import PARALLEL_CHUNK, SpacyExtractor, open_runner, run_extraction

# the real articles, when the shared data is next to the repository (never required)
SHARED_SEED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "seed"


def _texts(n: int) -> list[str]:
    texts = [a.text for a in articles(n)]
    if SHARED_SEED.is_dir():
        for p in sorted(SHARED_SEED.glob("*.txt")):
            try:
                texts.append(p.read_text("utf-8"))
            except (OSError, UnicodeDecodeError):
                continue
    return texts


class Figures(NamedTuple):
    """One timed run: wall seconds first (what min() compares), then CPU seconds."""

    wall: float
    workers: float  # the worker processes' CPU (the local pool's, or the Dask workers')
    mine: float  # this process's CPU: the writer (and, for Dask, the LocalCluster's scheduler)


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _worker_cpu(pids: list[int]) -> float:
    """CPU seconds the Dask worker processes have used so far (all their threads)."""
    import psutil  # a dependency of distributed

    return sum(sum(psutil.Process(p).cpu_times()[:2]) for p in pids)


def _per_chunk(executor: Executor, chunk: list[str], n: int, window: int) -> float:
    """Seconds per chunk for n empty tasks (len of the chunk's texts), window of them in flight:
    shipping the texts there and an answer back, and the scheduling between."""
    start = time.perf_counter()
    flying = set()
    for _ in range(n):
        flying.add(executor.submit(len, chunk))
        if len(flying) >= window:
            done, flying = wait(flying, return_when="FIRST_COMPLETED")
    wait(flying)
    return (time.perf_counter() - start) / n


def run(quick: bool) -> None:
    """Print articles/s for each way of running extraction, their ratios, and the chunk overhead."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print("   skipped: distributed is not installed (pip install 'margin[dask]')")
        return
    n = 48 if quick else 300
    rounds = 1 if quick else 3
    texts = _texts(n)
    extractor = SpacyExtractor(DEFAULT_MODEL)
    extractor.load()
    chars = sum(len(t) for t in texts)
    print(f"   {len(texts)} articles, {chars:,} characters, model {extractor.source}")
    print(f"   cpus: {os.cpu_count()}; chunks of {PARALLEL_CHUNK} articles off this process")
    print(f"   load average before: {_load():.1f} (other work on the machine skews wall times)")
    counter = iter(range(10**6))
    with (
        tempfile.TemporaryDirectory() as folder,
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: 8787 may be taken
            silence_logs=logging.ERROR,
        ) as cluster,
    ):
        address = cluster.scheduler_address

        with Client(address, set_as_default=False) as client:
            dask_pids = list(client.run(os.getpid).values())

        def once(workers: int, scheduler: str | None, sample: list[str]) -> Figures:
            """Wall seconds, the workers' CPU seconds and this process's (the writer's)."""
            store = open_store(os.path.join(folder, f"b{next(counter)}.db"))
            drafts = [ArticleDraft(t, source=f"bench:{i}") for i, t in enumerate(sample)]
            ids = [r.article_id for r in store.add_articles(drafts)]
            mine = _cpu(resource.getrusage(resource.RUSAGE_SELF))
            reaped = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN))  # the local pool's
            on_dask = _worker_cpu(dask_pids) if scheduler else 0.0
            start = time.perf_counter()
            run_extraction(store, ids, extractor, workers=workers, scheduler=scheduler)
            wall = time.perf_counter() - start
            mine = _cpu(resource.getrusage(resource.RUSAGE_SELF)) - mine
            if scheduler:  # this process also runs the LocalCluster's scheduler and nannies
                workers_cpu = _worker_cpu(dask_pids) - on_dask
            else:
                workers_cpu = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - reaped
            store.close()
            return Figures(wall, workers_cpu, mine)

        once(1, address, texts[:8])  # the workers load the model once, before any timing
        variants: dict[str, Callable[[], Figures]] = {
            "1 process": lambda: once(1, None, texts),
            "--workers 2": lambda: once(2, None, texts),
            "Dask, 2 workers": lambda: once(1, address, texts),
        }
        best = dict.fromkeys(variants, Figures(float("inf"), 0.0, 0.0))
        for _ in range(rounds):  # interleaved, so background load hits every variant alike
            for name, go in variants.items():
                best[name] = min(best[name], go())  # the fastest wall time, its CPU with it

        chunk = texts[:PARALLEL_CHUNK]
        tasks = 40 if quick else 200
        local = open_runner(extractor, workers=2)
        assert isinstance(local, LocalRunner)
        try:
            t_local = _per_chunk(local.pool, chunk, tasks, local.window)
        finally:
            local.close(cancel=False)
        dask = open_runner(extractor, scheduler=address, on_notice=print)
        assert isinstance(dask, DaskRunner)
        try:
            t_dask = _per_chunk(dask.executor, chunk, tasks, dask.window)
        finally:
            dask.close(cancel=False)

    print("   (CPU: seconds of the worker processes, all their threads; and of this process)")
    for name, f in best.items():
        workers_cpu = f"workers' CPU {f.workers:6.2f} s" if f.workers else " " * 22
        print(
            f"   {name:<18}{f.wall:7.2f} s wall  {len(texts) / f.wall:6.1f} articles/s"
            f"   {workers_cpu}  this process {f.mine:5.2f} s"
        )
    one, two, dask_wall = (best[k].wall for k in ("1 process", "--workers 2", "Dask, 2 workers"))
    speedup = one / two
    print(
        f"   --workers 2 vs 1 process: {speedup:.2f}x  (target >= 1.7x on a quiet machine)"
        f"  {'ok' if speedup >= 1.7 else 'MISSED'}"
    )
    ratio = dask_wall / two
    print(
        f"   Dask vs --workers 2: {ratio:.3f} of its wall time  (target <= 1.15)"
        f"  {'ok' if ratio <= 1.15 else 'MISSED'}"
    )
    cpu_ratio = best["Dask, 2 workers"].workers / best["--workers 2"].workers
    print(
        f"   Dask workers' CPU vs the local pool's for the same articles: {cpu_ratio:.3f}"
        "  (load-proof: wall times stretch with other work, CPU seconds barely do)"
    )
    chunks = -(-len(texts) // PARALLEL_CHUNK)
    print(
        f"   per chunk of {len(chunk)} articles, an empty task: Dask {1000 * t_dask:.1f} ms,"
        f" local pool {1000 * t_local:.1f} ms; in the runs above Dask cost"
        f" {1000 * (dask_wall - two) / chunks:+.0f} ms a chunk over the pool"
        f"  [load average after: {_load():.1f}]"
    )
