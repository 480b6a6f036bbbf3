"""Ctrl-C during extraction with workers: one line and exit code 130 while the workers run, and
not lost while they are being started (a worker forked before it ignores SIGINT would die of it, so
Ctrl-C is held back then; a busy machine could stretch that moment past the user's key press)."""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from store import ArticleDraft, Store, executors, open_store
from store.extract import SpacyExtractor, run_extraction
from tests.helpers import SEED, scalar, tiny_model_path, wait_until


class _PressedAtStart(ProcessPoolExecutor):
    """The pool margin starts, with a Ctrl-C landing as it is made (before any worker runs)."""

    def __init__(self, *args, **kwargs) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        super().__init__(*args, **kwargs)


def _articles(tmp_path, n: int) -> tuple[Store, list[int]]:
    store = open_store(tmp_path / "m.db")
    drafts = [ArticleDraft(f"Troops left Aleppo, report {i}.") for i in range(n)]
    return store, [r.article_id for r in store.add_articles(drafts)]


def test_ctrl_c_while_the_pool_starts_interrupts(monkeypatch, tmp_path, tmp_path_factory) -> None:
    monkeypatch.setattr(executors, "ProcessPoolExecutor", _PressedAtStart)
    extractor = SpacyExtractor(tiny_model_path(tmp_path_factory))
    store, ids = _articles(tmp_path, 40)
    # as in a terminal (an earlier test in this worker may have left SIGINT ignored)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_extraction(store, ids, extractor, workers=2)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back
        assert not multiprocessing.active_children()  # the workers went with the pool
        assert scalar(Path(store.path), "SELECT COUNT(*) FROM spans") == 0
    finally:
        signal.signal(signal.SIGINT, previous)
        store.close()


def test_ctrl_c_taken_by_another_thread_is_still_held(
    monkeypatch, tmp_path, tmp_path_factory
) -> None:
    """A thread that does not block SIGINT (a progress bar's) takes the key press: Python runs
    the handler in the main thread wherever it is, so margin's own stand-in notes it and the
    KeyboardInterrupt comes once the workers stand, not inside an at-fork hook (lost there)."""
    import threading
    import traceback

    monkeypatch.setattr(executors, "ProcessPoolExecutor", _PressedAtStart)
    extractor = SpacyExtractor(tiny_model_path(tmp_path_factory))
    store, ids = _articles(tmp_path, 8)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()  # started before the mask: SIGINT may be delivered to it
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt) as caught:
            run_extraction(store, ids, extractor, workers=2)
        where = traceback.extract_tb(caught.value.__traceback__)[-1]
        assert where.name == "__exit__" and where.filename.endswith("executors.py")
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        assert not multiprocessing.active_children()
    finally:
        stop.set()
        signal.signal(signal.SIGINT, previous)
        store.close()


def test_an_ignored_ctrl_c_stays_ignored(monkeypatch, tmp_path, tmp_path_factory) -> None:
    """Started with SIGINT ignored (a background job), margin does not start obeying it."""
    monkeypatch.setattr(executors, "ProcessPoolExecutor", _PressedAtStart)
    extractor = SpacyExtractor(tiny_model_path(tmp_path_factory))
    store, ids = _articles(tmp_path, 4)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert run_extraction(store, ids, extractor, workers=2) == 4  # Aleppo in each
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
        store.close()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_ctrl_c_during_two_worker_extraction_prints_one_line(tmp_path) -> None:
    """Ctrl-C reaches the whole process group, as from a terminal: one line, no traceback."""
    db = tmp_path / "many.db"
    s = open_store(db)
    s.add_articles([ArticleDraft(f"{SEED} Number {i}.") for i in range(3000)])
    s.close()
    exe = Path(sys.executable).parent / "margin"
    proc = subprocess.Popen(
        [str(exe), "--db", str(db), "extract", "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # a pytest-xdist worker ignores SIGINT and a child would inherit that (Python keeps an
        # ignored SIGINT ignored): give margin the default disposition a terminal gives it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")

    def running(probe):
        def check() -> bool:
            assert proc.poll() is None, proc.communicate()[1]  # still running when we press
            return probe()

        return check

    wait_until(running(lambda: len(children.read_text().split()) >= 2), 120, "both workers")
    # the workers are in the pipeline once their first batch is written
    wait_until(running(lambda: scalar(db, "SELECT COUNT(*) FROM spans") > 0), 120, "a batch")
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    said = re.fullmatch(
        r"margin: interrupted: (\d+) of 3000 article\(s\) extracted, each whole;"
        r" the others are as they were",
        err.strip(),
    )
    assert said, err
    # what it says is what was stored: one journal row per article extracted
    assert int(said[1]) == scalar(db, "SELECT COUNT(*) FROM journal WHERE action = 'extract'")
    assert 0 < int(said[1]) < 3000
