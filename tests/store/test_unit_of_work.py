"""The unit of work: BEGIN IMMEDIATE, nested savepoints, one journal group, margin's errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

import store.corrections as corrections
import store.journal as journal
from store import ArticleDraft, DatabaseError, MarginError, SpanDraft, StoreBusy, open_store
from store.errors import BUSY_MESSAGE

TEXT = "Aleppo was shelled. Russia denied it. Aleppo again."


@pytest.fixture
def s(tmp_path: Path):
    store = open_store(tmp_path / "m.db")
    spans = (SpanDraft(0, 6, "NORP", "model:x"), SpanDraft(20, 26, "GPE", "model:x"))
    store.add_article(ArticleDraft(TEXT, spans=spans))
    yield store
    store.close()


def span_id(store, text: str) -> int:
    return next(x.id for x in store.spans(1) if x.text == text and x.status != "rejected")


def test_store_db_is_a_sqlite_utils_database(s) -> None:
    assert isinstance(s.db, sqlite_utils.Database)
    gpe = list(s.db["spans"].rows_where("label = ?", ["GPE"]))
    assert [r["text"] for r in gpe] == ["Russia"]
    assert s.db["articles"].count == 1
    assert s.db["articles"].detect_fts() == "articles_fts"


def test_a_unit_takes_the_write_lock_when_it_begins(s, tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "m.db", timeout=0, isolation_level=None)
    try:
        with s.unit():
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")  # a deferred BEGIN would not have held it yet
        other.execute("BEGIN IMMEDIATE")  # released at the end of the unit
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_operations_in_one_unit_are_one_undo_step(s) -> None:
    with s.unit() as tx:
        corrections.relabel(tx, span_id(s, "Aleppo"), "GPE")
        corrections.reject(tx, span_id(s, "Russia"))
    assert s.next_undo().spans == 3  # reject + insert of the relabel, reject of Russia
    s.undo()
    assert {(x.text, x.label, x.status) for x in s.spans(1)} == {
        ("Aleppo", "NORP", "suggested"),
        ("Russia", "GPE", "suggested"),
    }


def test_a_failing_unit_writes_nothing_and_records_nothing(s) -> None:
    groups = s.db.execute("SELECT COUNT(DISTINCT group_id) FROM journal").fetchone()[0]
    with pytest.raises(RuntimeError), s.unit() as tx:
        corrections.reject(tx, span_id(s, "Russia"))
        raise RuntimeError("half-way")
    assert s.db.execute("SELECT COUNT(DISTINCT group_id) FROM journal").fetchone()[0] == groups
    assert all(x.status == "suggested" for x in s.spans(1))


def test_a_nested_unit_is_a_savepoint_rolled_back_alone(s) -> None:
    with s.unit() as tx:
        corrections.reject(tx, span_id(s, "Russia"))
        with pytest.raises(MarginError), tx.nested():
            corrections.add_span(tx, 1, 0, 3, "ORG")  # overlaps Aleppo: refused
        assert tx.depth == 0
    assert [x.status for x in s.spans(1) if x.text == "Russia"] == ["rejected"]
    assert not any(x.text == "Ale" for x in s.spans(1))


def test_undo_in_a_unit_uses_the_same_writer_as_the_store(s) -> None:
    s.reject(span_id(s, "Russia"))
    with s.unit() as tx:
        assert journal.undo(tx) == [1]
    assert [x.status for x in s.spans(1) if x.text == "Russia"] == ["suggested"]


def test_nothing_to_apply_once_the_decision_is_undone(s) -> None:
    s.relabel(span_id(s, "Aleppo"), "GPE")
    assert s.last_decision() == ("Aleppo", "GPE", 1)
    s.undo()
    assert s.last_decision() is None  # A has nothing to apply
    s.redo()
    assert s.last_decision() == ("Aleppo", "GPE", 1)


def test_a_held_write_lock_becomes_store_busy(tmp_path: Path, monkeypatch) -> None:
    import store.db.connection as connection

    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "busy.db"
    s = open_store(path)
    s.add_article(ArticleDraft(TEXT))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreBusy) as caught:
            s.mark_read(1)
        assert str(caught.value) == BUSY_MESSAGE
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    s.mark_read(1)  # free again: the same store writes
    assert s.article(1).read
    s.close()


def test_sqlite_errors_on_reads_come_out_as_margin_errors(s, tmp_path: Path) -> None:
    raw = sqlite3.connect(tmp_path / "m.db")
    raw.execute("DROP TABLE rules")
    raw.commit()
    raw.close()
    with pytest.raises(DatabaseError) as caught:
        s.rules()
    assert "m.db" in str(caught.value) and "no such table" in str(caught.value)


def test_two_threads_write_through_their_own_connections(s) -> None:
    import threading

    errors: list[BaseException] = []

    def work() -> None:
        try:
            s.mark_read(1)
            s.mark_read(1, False)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert s.connections() <= 5
