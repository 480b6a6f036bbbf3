"""A chunked batch leaves the WAL checkpoints to a thread of its own, and they copy everything."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from store import ArticleDraft, batch, journal, propagation


def _join_checkpoints() -> None:
    for t in threading.enumerate():
        if t.name == batch.CHECKPOINT_THREAD:
            t.join(10)


def _wal_backlog(path) -> tuple[int, int, int]:
    """(busy, frames in the WAL, frames copied) as a fresh connection's checkpoint reports."""
    conn = sqlite3.connect(path)
    try:
        return tuple(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())
    finally:
        conn.close()


def _chunky(monkeypatch) -> None:
    monkeypatch.setattr(propagation, "CHUNK_MENTIONS", 2)
    monkeypatch.setattr(propagation, "BATCH", 2)
    monkeypatch.setattr(journal, "SINGLE_ROWS", 0)
    monkeypatch.setattr(journal, "CHUNK_ROWS", 4)
    monkeypatch.setattr(batch, "GAP", 0)
    monkeypatch.setattr(batch.Pacer, "took", lambda self, s, d: None)


def test_chunks_commit_without_checkpoints_and_a_thread_copies_them(store, db_path, monkeypatch):
    for i in range(12):
        store.add_article(ArticleDraft(f"Article {i}: Aleppo and Aleppo again."))
    _chunky(monkeypatch)
    seen: list[int] = []
    real_write = propagation.write

    def watching(tx, group, label, mentions):
        seen.append(int(tx.one("PRAGMA wal_autocheckpoint")))
        return real_write(tx, group, label, mentions)

    monkeypatch.setattr(propagation, "write", watching)
    started = []
    real_run = batch.Checkpoints._run
    monkeypatch.setattr(
        batch.Checkpoints, "_run", lambda self, path: (started.append(1), real_run(self, path))
    )
    done = store.apply_propagation("Aleppo", "GPE", learn=False)
    assert done.chunks > 2 and seen and set(seen) == {0}  # no chunk's commit checkpointed
    assert int(store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]) == 1000
    assert started  # a thread did
    _join_checkpoints()
    busy, log, copied = _wal_backlog(db_path)
    assert busy == 0 and log == copied  # nothing left for the next small commit to copy
    store.undo()
    _join_checkpoints()
    busy, log, copied = _wal_backlog(db_path)
    assert busy == 0 and log == copied
    assert store.db.execute("SELECT COUNT(*) FROM spans WHERE label = 'GPE'").fetchone()[0] == 0


def test_the_autocheckpoint_comes_back_when_a_batch_fails(store, monkeypatch):
    for i in range(6):
        store.add_article(ArticleDraft(f"Article {i}: Aleppo and Aleppo again."))
    _chunky(monkeypatch)
    calls = []
    real_write = propagation.write

    def failing(tx, group, label, mentions):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return real_write(tx, group, label, mentions)

    monkeypatch.setattr(propagation, "write", failing)
    with pytest.raises(RuntimeError):
        store.apply_propagation("Aleppo", "GPE")
    assert int(store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]) == 1000
    assert store.db.execute("SELECT COUNT(*) FROM journal_pending").fetchone()[0] == 0


def test_a_chunk_waits_for_the_checkpoint_and_begins_with_the_wal_copied(tmp_path):
    from store import open_store

    with open_store(tmp_path / "m.db") as s:
        s.add_article(ArticleDraft("Aleppo. " * 50))
        with batch.Checkpoints(s.db) as ck:
            gate = threading.Event()
            ck._idle = gate  # a checkpoint under way until the timer ends it
            threading.Timer(0.2, gate.set).start()
            # another connection commits meanwhile (its own checkpoint is off: ours was busy)
            other = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
            other.execute("PRAGMA wal_autocheckpoint = 0")
            other.execute("UPDATE articles SET read = 1")
            other.close()
            wal = tmp_path / "m.db-wal"
            size = wal.stat().st_size
            ck.ready(most=5)
            assert gate.is_set()  # it waited for the checkpoint
            # and copied the other's commit too: the next write starts the WAL over, at its
            # beginning, instead of adding a page at its end
            s.db.execute("UPDATE articles SET read = 0")
            assert wal.stat().st_size == size


def test_what_others_left_in_the_wal_is_copied_while_the_first_chunk_plans(
    store, db_path, monkeypatch
):
    store.add_article(ArticleDraft("Aleppo and Aleppo again."))
    other = sqlite3.connect(db_path, isolation_level=None)  # a commit that left its pages
    other.execute("PRAGMA wal_autocheckpoint = 0")
    other.execute("UPDATE articles SET read = 1")
    other.close()
    started: list[int] = []
    real_run = batch.Checkpoints._run
    monkeypatch.setattr(
        batch.Checkpoints, "_run", lambda self, path: (started.append(1), real_run(self, path))
    )
    seen: list[int] = []
    real_write = propagation.write

    def watching(tx, group, label, mentions):
        seen.append(len(started))
        return real_write(tx, group, label, mentions)

    monkeypatch.setattr(propagation, "write", watching)
    store.apply_propagation("Aleppo", "GPE", learn=False)
    assert seen == [1]  # the thread was copying them before the one chunk wrote
    _join_checkpoints()
    busy, log, copied = _wal_backlog(db_path)
    assert busy == 0 and log == copied


def test_closing_a_store_waits_for_the_checkpoint_its_last_batch_left(db_path, monkeypatch):
    from store import open_store

    real_run = batch.Checkpoints._run

    def slow(self, path):  # a checkpoint thread that has not yet opened its connection
        threading.Event().wait(0.3)
        return real_run(self, path)

    monkeypatch.setattr(batch.Checkpoints, "_run", slow)
    with open_store(db_path) as s:
        s.add_article(ArticleDraft("Aleppo and Aleppo again."))
        s.apply_propagation("Aleppo", "GPE", learn=False)
        assert any(t.name == batch.CHECKPOINT_THREAD for t in threading.enumerate())
    # closed: no thread is left to open the file again (nor to make it anew, deleted)
    assert not any(t.name == batch.CHECKPOINT_THREAD for t in threading.enumerate())
