"""kill -9 at chosen moments: the file stays sound, nothing is half-written, a rerun completes."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from store import open_store
from tests.helpers import (
    ROOT,
    assert_sound,
    env,
    margin,
    no_lock_errors,
    query,
    scalar,
    start,
    wait_until,
    write_jsonl,
)

pytestmark = pytest.mark.slow
SEEDS = (1, 2, 3)


def _kill_when(proc: subprocess.Popen, db: Path, sql: str, threshold: int) -> tuple[bool, str]:
    """SIGKILL proc once the query's count reaches threshold; False if it finished first.

    Returns whether it was killed and what it had printed on stdout.
    """
    try:
        wait_until(
            lambda: proc.poll() is not None or scalar(db, sql) >= threshold,
            timeout=60,
            what=f"{sql} >= {threshold}",
        )
    except sqlite3.DatabaseError:
        pass  # the file is being created: kill now
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    out, _err = proc.communicate(timeout=30)
    if isinstance(out, bytes):
        out = out.decode("utf-8", "replace")
    return killed, out or ""


def _articles(db: Path) -> list[tuple]:
    return query(db, "SELECT id, content_hash, title, source, text FROM articles ORDER BY id")


def _spans(db: Path) -> list[tuple]:
    return query(
        db,
        'SELECT article_id, start, "end", label, source, status, text FROM spans'
        ' ORDER BY article_id, start, "end", label, status',
    )


@pytest.fixture(scope="module")
def big_jsonl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple]]:
    """A JSONL of 2000 articles and the articles an uninterrupted import stores."""
    folder = tmp_path_factory.mktemp("crash")
    src = write_jsonl(folder / "big.jsonl", 2000)
    ref = folder / "ref.db"
    done = margin(ref, "import", "--no-extract", str(src))
    assert done.returncode == 0, done.stderr
    return src, [row[1:] for row in _articles(ref)]


@pytest.mark.parametrize("seed", SEEDS)
def test_kill_import(tmp_path: Path, big_jsonl: tuple[Path, list[tuple]], seed: int) -> None:
    src, reference = big_jsonl
    db = tmp_path / "m.db"
    threshold = random.Random(seed).randint(0, 1800)
    proc = start(db, "import", "--no-extract", str(src))
    killed, _ = _kill_when(proc, db, "SELECT COUNT(*) FROM articles", threshold)
    assert killed, "the import finished before the kill"
    if db.exists():
        assert_sound(db)  # hashes, lengths and counts agree with every stored text
        stored = [row[1:] for row in _articles(db)]
        assert stored == reference[: len(stored)]  # whole articles, in order, nothing torn
        assert scalar(db, "SELECT COUNT(*) FROM journal WHERE action = 'import'") == len(stored)
    done = margin(db, "import", "--no-extract", str(src))
    assert done.returncode == 0, done.stderr
    no_lock_errors(done.stdout, done.stderr)
    assert [row[1:] for row in _articles(db)] == reference
    assert_sound(db)


BUILD = "import sys; from bench.corpus import build_database; build_database(sys.argv[1], {n}, batch=50)"


def _build(db: Path, n: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", BUILD.format(n=n), str(db)],
        env=env(db.parent),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_kill_annotated_import(tmp_path: Path, seed: int) -> None:
    """Articles with their spans: an article is stored with every one of its spans or not at all."""
    from bench.corpus import article

    n = 600
    db = tmp_path / "m.db"
    threshold = random.Random(seed).randint(1, n - 150)
    killed, _ = _kill_when(_build(db, n), db, "SELECT COUNT(*) FROM articles", threshold)
    assert killed, "the build finished before the kill"
    assert_sound(db)
    for aid, source in query(db, "SELECT id, source FROM articles ORDER BY id"):
        want = article(int(source.split(":")[1]), 12)
        got = query(db, 'SELECT start, "end", label FROM spans WHERE article_id = ?', (aid,))
        assert sorted(got) == sorted((s.start, s.end, s.label) for s in want.spans)
    proc = _build(db, n)
    proc.communicate(timeout=120)
    assert proc.returncode == 0
    assert scalar(db, "SELECT COUNT(*) FROM articles") == n
    assert scalar(db, "SELECT COUNT(*) FROM spans") == sum(len(article(i).spans) for i in range(n))
    assert_sound(db)


def _doccano(path: Path, n: int) -> Path:
    from bench.corpus import article

    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            a = article(i, 6)
            labels = [[s.start, s.end, s.label] for s in a.spans]
            fh.write(json.dumps({"text": a.text, "label": labels}) + "\n")
    return path


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_kill_annotated_cli_import(tmp_path: Path, seed: int) -> None:
    """``margin import`` of a doccano file killed mid-way: every stored article has all of its
    annotations, and the same import again ends equal to an uninterrupted one."""
    src = _doccano(tmp_path / "a.jsonl", 1200)
    ref = tmp_path / "ref.db"
    done = margin(ref, "import", "--no-extract", "--format", "doccano", str(src))
    assert done.returncode == 0, done.stderr
    db = tmp_path / "m.db"
    proc = start(db, "import", "--no-extract", "--format", "doccano", str(src))
    threshold = random.Random(seed).randint(1, 1000)
    killed, _ = _kill_when(proc, db, "SELECT COUNT(*) FROM articles", threshold)
    assert killed, "the import finished before the kill"
    assert_sound(db)
    stored = query(db, "SELECT id FROM articles ORDER BY id")
    assert _spans(db) == [row for row in _spans(ref) if (row[0],) in set(stored)]
    done = margin(db, "import", "--no-extract", "--format", "doccano", str(src))
    assert done.returncode == 0, done.stderr
    assert _articles(db) == _articles(ref)
    assert _spans(db) == _spans(ref)
    assert_sound(db)


def _prepare_extraction(db: Path, src: Path) -> list[int]:
    """Import without extraction, then commit some corrections; return the user span ids."""
    done = margin(db, "import", "--no-extract", str(src))
    assert done.returncode == 0, done.stderr
    store = open_store(db)
    try:
        added = []
        for aid in store.article_ids()[::7]:
            text = store.article(aid).text
            added.append(store.add_span(aid, 0, text.index(" "), "MISC"))
            store.set_reviewed(aid)
        return added
    finally:
        store.close()


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory, tiny_model: str) -> tuple[Path, Path]:
    """A JSONL of 400 articles and a database where corrections then extraction ran whole."""
    folder = tmp_path_factory.mktemp("extract")
    src = write_jsonl(folder / "a.jsonl", 400)
    ref = folder / "ref.db"
    _prepare_extraction(ref, src)
    done = margin(ref, "extract", "--model", tiny_model)
    assert done.returncode == 0, done.stderr
    return src, ref


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_kill_extraction(
    tmp_path: Path, tiny_model: str, extracted: tuple[Path, Path], seed: int
) -> None:
    src, ref = extracted
    db = tmp_path / "m.db"
    added = _prepare_extraction(db, src)
    threshold = random.Random(seed).randint(1, 330)
    proc = start(db, "extract", "--model", tiny_model)
    sql = "SELECT COUNT(*) FROM journal WHERE action = 'extract'"
    killed, _ = _kill_when(proc, db, sql, threshold)
    assert_sound(db)
    # committed corrections survive the kill
    rows = dict(query(db, "SELECT id, label FROM spans WHERE source = 'user'"))
    assert all(rows.get(sid) == "MISC" for sid in added)
    # an article is extracted whole or not at all: model spans only where the journal says so
    done_ids = {r[0] for r in query(db, "SELECT article_id FROM journal WHERE action = 'extract'")}
    with_spans = {
        r[0] for r in query(db, "SELECT DISTINCT article_id FROM spans WHERE source LIKE 'model:%'")
    }
    assert with_spans <= done_ids
    if killed:
        assert len(done_ids) < 400
    done = margin(db, "extract", "--model", tiny_model)  # the same command again finishes the work
    assert done.returncode == 0, done.stderr
    no_lock_errors(done.stdout, done.stderr)
    assert _spans(db) == _spans(ref)
    assert scalar(db, "SELECT COUNT(*) FROM articles WHERE reviewed = 1") == len(added)
    assert_sound(db)


@pytest.mark.parametrize("seed", SEEDS[:1])
def test_kill_import_during_its_extraction(
    tmp_path: Path, tiny_model: str, extracted: tuple[Path, Path], seed: int
) -> None:
    """``margin import`` killed while it extracts: the same import again extracts the rest."""
    src, _ref = extracted
    db = tmp_path / "m.db"
    proc = start(db, "import", "--model", tiny_model, str(src))
    threshold = random.Random(seed).randint(1, 330)
    killed, _ = _kill_when(
        proc, db, "SELECT COUNT(*) FROM journal WHERE action = 'extract'", threshold
    )
    assert killed, "the import finished before the kill"
    assert_sound(db)
    done = margin(db, "import", "--model", tiny_model, str(src))
    assert done.returncode == 0, done.stderr
    assert "400 already present" in done.stderr
    extracted_ids = "SELECT COUNT(DISTINCT article_id) FROM journal WHERE action = 'extract'"
    assert scalar(db, extracted_ids) == 400
    assert_sound(db)


CORRECT = """
import sys
from store import open_store
s = open_store(sys.argv[1])
for aid in s.article_ids():
    text = s.article(aid).text
    sid = s.add_span(aid, 0, text.index(" "), "MISC")
    print("span", sid, flush=True)
    s.set_reviewed(aid)
    print("reviewed", aid, flush=True)
"""


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_kill_while_correcting(tmp_path: Path, seed: int) -> None:
    """Every correction a process reported as made is in the database after kill -9."""
    db = tmp_path / "m.db"
    src = write_jsonl(tmp_path / "a.jsonl", 800)
    assert margin(db, "import", "--no-extract", str(src)).returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-c", CORRECT, str(db)],
        env=env(tmp_path),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    threshold = random.Random(seed).randint(1, 700)
    killed, out = _kill_when(proc, db, "SELECT COUNT(*) FROM spans", threshold)
    assert killed, "the corrections finished before the kill"
    assert_sound(db)
    # whole lines only: the kill may fall between the pieces print writes (unbuffered output)
    lines = out.split("\n")[:-1]
    spans = [int(line.split()[1]) for line in lines if line.startswith("span ")]
    reviewed = [int(line.split()[1]) for line in lines if line.startswith("reviewed ")]
    assert spans, "the kill came before any correction"
    stored = {r[0] for r in query(db, "SELECT id FROM spans WHERE source = 'user'")}
    assert set(spans) <= stored
    marked = {r[0] for r in query(db, "SELECT id FROM articles WHERE reviewed = 1")}
    assert set(reviewed) <= marked
    # every correction in the database is in the journal, so undo can reach it
    journalled = {r[0] for r in query(db, "SELECT span_id FROM journal WHERE action = 'add'")}
    assert stored <= journalled
