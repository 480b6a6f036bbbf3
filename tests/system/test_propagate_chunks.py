"""A chunked propagation in a real process: killed with kill -9 at any point it comes back whole
or not at all; a correction another process makes while it runs is kept."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store import ArticleDraft, SpanDraft, open_store
from tests.helpers import ROOT, query

pytestmark = pytest.mark.slow

ARTICLES = 400
TEXT = "Article {i}: Reuters said it. Aleppo was quiet, Reuters reported, citing Reuters."

# the child: a propagation in chunks of a few articles (and its undo with "both")
CHILD = """
import sys
from store import batch, journal, open_store, propagation
path, what = sys.argv[1], sys.argv[2]
propagation.CHUNK_MENTIONS, propagation.BATCH = 30, 10  # 10 articles a chunk
journal.SINGLE_ROWS, journal.CHUNK_ROWS = 0, 40
batch.Pacer.took = lambda self, seconds, done: None  # every chunk the same size
batch.GAP = 0.01
store = open_store(path, origin="test:child")
print("go", flush=True)
store.apply_propagation("Reuters", "ORG", learn=False)
print("applied", flush=True)
if what == "both":
    store.undo()
print("done", flush=True)
"""


def base(path: Path) -> None:
    """ARTICLES articles, each with Reuters three times (once a suggestion) and Aleppo."""
    drafts = []
    for i in range(ARTICLES):
        text = TEXT.format(i=i)
        first = text.index("Reuters")
        aleppo = text.index("Aleppo")
        spans = (
            SpanDraft(first, first + 7, "PERSON", "model:x"),
            SpanDraft(aleppo, aleppo + 6, "GPE", "model:x"),
        )
        drafts.append(ArticleDraft(text, spans=spans))
    with open_store(path) as s:
        s.add_articles(drafts)


def state(path: Path) -> tuple:
    """Spans without ids or times, and the entity counts: what a person sees."""
    spans = query(path, 'SELECT article_id, start, "end", label, source, status FROM spans')
    counts = query(path, "SELECT id, entity_count FROM articles")
    return tuple(sorted(spans)), tuple(sorted(counts))


def child(db: Path, what: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), what],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def wait_pending(db: Path, proc: subprocess.Popen[str]) -> None:
    """Return once the child's chunked propagation has committed its pending mark."""
    deadline = time.monotonic() + 120
    while not query(db, "SELECT COUNT(*) FROM journal_pending")[0][0]:
        assert time.monotonic() < deadline and proc.poll() is None, "the propagation never began"
        time.sleep(0.005)


def test_kill_9_at_random_points_comes_back_whole_or_not_at_all(tmp_path):
    seed = tmp_path / "seed.db"
    base(seed)
    before = state(seed)
    # the whole run, to know the applied state and how long a run takes
    full = tmp_path / "full.db"
    shutil.copy(seed, full)
    done = child(full, "apply")
    assert done.stdout is not None and done.stdout.readline().strip() == "go"
    started = time.monotonic()  # from the propagation's start, not the process's
    assert done.stdout.readline().strip() == "applied"
    took = time.monotonic() - started
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    applied = state(full)
    assert applied != before
    rng = random.Random(os.getpid())
    midway = 0
    for n, what in enumerate(["apply", "apply", "apply", "both", "both"]):
        db = tmp_path / f"kill{n}.db"
        shutil.copy(seed, db)
        proc = child(db, what)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "go"
        wait_pending(db, proc)  # its first chunk committed: kill it somewhere after that
        time.sleep(rng.uniform(0.0, 0.7) * took * (2 if what == "both" else 1))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        midway += bool(query(db, "SELECT COUNT(*) FROM journal_pending")[0][0])
        with open_store(db):  # the next open makes it whole
            pass
        after = state(db)
        assert after in (before, applied), f"kill {n} ({what}) left a half-applied propagation"
        assert query(db, "SELECT COUNT(*) FROM journal_pending")[0][0] == 0
        assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert midway, "no kill landed in the middle of a chunked run: make the run longer"


def test_a_correction_from_another_process_during_a_big_propagation_is_kept(tmp_path):
    db = tmp_path / "m.db"
    base(db)
    proc = child(db, "apply")
    assert proc.stdout is not None and proc.stdout.readline().strip() == "go"
    wait_pending(db, proc)  # chunks under way
    with open_store(db, origin="test:reader") as s:
        last = ARTICLES  # an article the chunks reach last: the plan there is read again
        aleppo = next(x for x in s.spans(last) if x.text == "Aleppo")
        s.accept(aleppo.id)
        pending_then = query(db, "SELECT COUNT(*) FROM journal_pending")[0][0]
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert pending_then, "the correction came after the propagation: make it longer"
    with open_store(db) as s:
        assert s.span(aleppo.id).status == "accepted"  # kept
        reuters = [x for x in s.spans(last) if x.text == "Reuters" and x.status != "rejected"]
        assert [x.label for x in reuters] == ["ORG"] * 3  # and the propagation is whole
        kinds = [(c.action, c.mentions) for c in s.history()]
        assert kinds == [("accept", 0), ("propagate", 3 * ARTICLES)], kinds  # two undo steps
