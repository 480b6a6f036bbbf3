"""A chunked batch leaves the WAL checkpoints to a thread of its own, and they copy everything."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from store import ArticleDraft, batch, journal, propagation


def _join_checkpoints() -> None:
    for t in threading.enumerate():
        if t.name == "margin-checkpoint":
            t.join(10)


def _wal_backlog(path) -> tuple[int, int, int]:
    """(busy, frames in the WAL, frames copied) as a fresh connection's checkpoint reports."""
    conn = sqlite3.connect(path)
    try:
        return tuple(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())
    finally:
        conn.close()


def _chunky(monkeypatch) -> None:
    monkeypatch.setattr(propagation, "CHUNK_MENTIONS", 4)
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


def test_ready_waits_only_when_two_chunks_are_not_copied(tmp_path):
    from store import open_store

    with open_store(tmp_path / "m.db") as s:
        ck = batch.Checkpoints(s.db)
        gate = threading.Event()
        ck._idle.clear()
        threading.Timer(0.2, gate.set).start()
        ck.behind = 1
        ck.ready(most=5)  # one chunk behind: the batch goes on
        assert not gate.is_set()
        ck.behind = 2
        ck._idle = gate  # set when the "checkpoint" ends
        ck.ready(most=5)
        assert gate.is_set()
