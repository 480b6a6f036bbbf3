"""Loading a big file in chunks (store/bulk_load.py: short transactions under an import_pending mark,
the surface indexes set aside and built again at the end) leaves the database the two-pass import
leaves; a bad record, a failure or a kill -9 anywhere in the load leaves the database as it was."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import pytest

from store import Store, bulk_load, open_store
from store.importer import import_paths
from tests.store.test_bulk_import import assert_whole, row_by_row

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def mode(whole: bool) -> Iterator[list[bool]]:
    """Every file loaded whole (or none), whatever its size; yields what each file took."""
    saved = bulk_load.worth_loading
    taken: list[bool] = []

    def decide(size: int) -> bool:
        taken.append(whole)
        return whole

    bulk_load.worth_loading = decide  # type: ignore[assignment]
    try:
        yield taken
    finally:
        bulk_load.worth_loading = saved  # type: ignore[assignment]


def _doccano(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _corpus(n: int, offset: int = 0) -> list[dict[str, Any]]:
    out = []
    for i in range(offset, offset + n):
        text = f"Report {i}: Bashar al-Assad met officials in Aleppo and Homs. " * 4
        label = [[k * 62 + 11, k * 62 + 26, "PERSON"] for k in range(4)]
        label += [[k * 62 + 45, k * 62 + 51, "GPE"] for k in range(4)]
        label += [[k * 62 + 8 + len(str(i)), k * 62 + 9 + len(str(i)), "NUM"] for k in range(1)]
        out.append({"text": text, "label": label, "reviewed": i % 3 == 0})
    return out


def state(store: Store) -> dict[str, Any]:
    """What both imports must agree on: rows (timestamps left out), search hits, entity ids."""
    db = store.db

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in db.execute(sql)]

    return {
        "articles": rows(
            "SELECT id, title, text, source, content_hash, read, reviewed, meta, length,"
            " entity_count FROM articles ORDER BY id"
        ),
        "spans": rows(
            'SELECT id, article_id, start, "end", label, source, status, text FROM spans'
            " ORDER BY id"
        ),
        "entities": rows("SELECT * FROM entities ORDER BY id"),
        "entity_ids": rows("SELECT * FROM entity_ids ORDER BY id"),
        "labels": rows("SELECT * FROM labels ORDER BY name"),
        # the same entries; loaded whole, the review marks follow the whole load, not each batch
        "journal": sorted(
            rows("SELECT actor, action, article_id, span_id, undoable, state FROM journal"),
            key=repr,
        ),
        "schema": rows("SELECT type, name, sql FROM sqlite_master ORDER BY type, name"),
        "articles_fts": {
            w: rows(f"SELECT rowid FROM articles_fts WHERE articles_fts MATCH '{w}' ORDER BY 1")
            for w in ("aleppo", "report", "homs", "seed", "officials")
        },
        "entities_fts": {
            w: rows(f"SELECT rowid FROM entities_fts WHERE entities_fts MATCH '{w}' ORDER BY 1")
            for w in ("ass", "ale", "hom", "see")
        },
    }


def _import_both(tmp_path: Path, files: list[Path], seed: Path | None = None) -> list[Any]:
    """Import the files into a database holding the seed, loaded whole and in two passes, the
    two passes row by row (every trigger firing, every review marked alone)."""
    results = []
    for name, whole in (("passes", False), ("whole", True)):
        store = open_store(tmp_path / f"{name}.db", origin="cli:1@1")
        try:
            if seed is not None:
                with mode(False):
                    assert import_paths(store, [str(seed)], "doccano").ok
            with mode(whole) as taken, row_by_row() if not whole else nullcontext():
                summaries = [import_paths(store, [str(f)], "doccano") for f in files]
            assert taken == [whole] * len(files)
            assert all(s.ok for s in summaries)
            assert_whole(store)
            counts = [
                (len(s.created), len(s.existing), s.spans, s.repeated, sorted(s.reviewed))
                for s in summaries
            ]
            results.append((state(store), counts))
        finally:
            store.close()
    for key in results[0][0]:
        assert results[0][0][key] == results[1][0][key], key
    assert results[0][1] == results[1][1]
    return results


def test_loading_whole_equals_two_passes(tmp_path: Path) -> None:
    """New articles across batches, entities already indexed (their counts add up), a second
    file merging annotations into stored articles, reviewed records."""
    seed = _doccano(
        tmp_path / "seed.jsonl",
        [{"text": "Seed: Assad in Aleppo.", "label": [[6, 11, "PERSON"], [15, 21, "GPE"]]}],
    )
    first = _doccano(tmp_path / "a.jsonl", _corpus(1100))
    second = _doccano(tmp_path / "b.jsonl", _corpus(30, 1090))  # 10 stored, 20 new
    results = _import_both(tmp_path, [first, second], seed)
    created, existing, spans, _rep, reviewed = results[1][1][0]
    assert (created, existing, spans) == (1100, 0, 1100 * 9) and len(reviewed) == 367


def test_a_file_holding_a_text_twice_falls_back_to_two_passes(tmp_path: Path) -> None:
    """The last copy counts, as with two passes: the whole load is rolled back and redone."""
    records = _corpus(700)
    records.insert(650, dict(records[3], label=[[11, 26, "ORG"]]))  # record 4's text again
    results = _import_both(tmp_path, [_doccano(tmp_path / "r.jsonl", records)])
    assert results[1][1][0][3] == 1  # one repeated record


def test_a_bad_record_rolls_the_whole_load_back(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the chunks committed is deleted, and the user is told so before it begins."""
    small_chunks(monkeypatch)
    records: list[Any] = _corpus(1200)
    records[1100] = {"text": "short", "label": [[0, 99, "GPE"]]}  # past the end of its text
    bad = _doccano(tmp_path / "bad.jsonl", records)
    schema = store.db.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    said: list[str] = []
    with mode(True):
        summary = import_paths(store, [str(bad)], "doccano", on_error=said.append)
    assert not summary.ok and "line 1101" in summary.errors[0]
    assert said[0].startswith(f"{bad}: stopped; deleting the ") and "so far" in said[0]
    assert 500 < int(said[0].split("deleting the ")[1].split()[0].replace(",", "")) <= 1100
    assert (
        store.article_count() == 0
        and store.db.execute("SELECT COUNT(*) FROM spans").fetchone()[0] == 0
    )
    after = store.db.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    assert [tuple(r) for r in after] == [tuple(r) for r in schema]
    assert_whole(store)


def test_a_roll_back_builds_the_indexes_set_aside_before_it_deletes(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The delete triggers find each span's surface through spans_entity: deleting a load's
    spans while the index is away read every span of the label for each one (quadratic)."""
    small_chunks(monkeypatch)
    records: list[Any] = _corpus(1200)
    records[1100] = {"text": "short", "label": [[0, 99, "GPE"]]}
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        with mode(True):
            assert not import_paths(store, [str(_doccano(tmp_path / "b.jsonl", records))]).ok
    finally:
        store.db.conn.set_trace_callback(None)
    built = next(
        i for i, sql in enumerate(statements) if sql.startswith("CREATE INDEX spans_entity")
    )
    deleted = [i for i, sql in enumerate(statements) if sql.startswith("DELETE FROM spans WHERE")]
    assert deleted and built < deleted[0]
    assert store.article_count() == 0
    assert_whole(store)


def test_a_big_file_into_a_small_database_is_loaded_whole(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path the benchmark measures is the one taken; a small file keeps the two passes."""
    taken: list[bool] = []
    real = bulk_load.worth_loading

    def spy(size: int) -> bool:
        taken.append(real(size))
        return taken[-1]

    monkeypatch.setattr(bulk_load, "worth_loading", spy)
    big = _doccano(tmp_path / "big.jsonl", _corpus(4000))
    assert big.stat().st_size > bulk_load.LOAD_MIN_BYTES
    small = _doccano(tmp_path / "small.jsonl", _corpus(10, 5000))
    assert import_paths(store, [str(big), str(small)], "doccano").ok
    assert taken == [True, False]
    assert_whole(store)


KILLED = """
import sys
from store import bulk_load, open_store
from store.importer import import_paths
bulk_load.CHUNK_SECONDS = 0.02  # many transactions, so that the kill falls between two
store = open_store(sys.argv[1])
import_paths(store, [sys.argv[2]], "doccano", on_bytes=lambda p, n: print(n, flush=True))
print("done", flush=True)
"""


@pytest.mark.slow
def test_kill_9_mid_load_leaves_the_database_as_before(tmp_path: Path) -> None:
    """A real process loading a big file is killed once it has written batches: after
    restart the database holds exactly what it held before, schema and indexes included."""
    db = tmp_path / "k.db"
    seed = _doccano(tmp_path / "seed.jsonl", _corpus(5, 90_000))
    store = open_store(db)
    assert import_paths(store, [str(seed)], "doccano").ok
    before = state(store)
    store.close()
    big = _doccano(tmp_path / "big.jsonl", _corpus(12_000))
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(db), str(big)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    progress = 0
    for _line in proc.stdout:  # progress is reported after each stored batch
        progress += 1
        if progress == 3:
            break
    assert "done" not in _line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(0.1)
    store = open_store(db)
    try:
        assert state(store) == before
        assert_whole(store)
    finally:
        store.close()


def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of about 50 corpus articles, whatever the machine's speed."""
    monkeypatch.setattr(bulk_load, "FIRST_CHUNK", 500)
    monkeypatch.setattr(bulk_load, "LEAST_CHUNK", 500)
    monkeypatch.setattr(bulk_load, "CHUNK_SECONDS", 1e-6)
    monkeypatch.setattr(bulk_load, "GAP", 0.0)


def test_a_reader_sees_whole_articles_while_the_load_goes_on(
    store: Store, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another connection reading between chunks sees whole articles only (every one with all
    its spans and its count), the load's pending mark, and the surface indexes set aside;
    once the load is whole, the mark is gone and the schema is as before."""
    import sqlite3

    seed = _doccano(tmp_path / "seed.jsonl", _corpus(3, 50_000))
    with mode(False):
        assert import_paths(store, [str(seed)], "doccano").ok
    schema = store.db.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    big = _doccano(tmp_path / "big.jsonl", _corpus(1600))
    seen: list[tuple[int, int, int, int, int]] = []
    small_chunks(monkeypatch)

    def peek(path: str, n: int) -> None:
        other = sqlite3.connect(db_path)
        try:
            seen.append(
                other.execute(
                    "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM spans),"
                    " (SELECT COUNT(*) FROM articles a WHERE a.entity_count != (SELECT COUNT(*)"
                    "  FROM spans s WHERE s.article_id = a.id)),"
                    " (SELECT COUNT(*) FROM import_pending),"
                    " (SELECT COUNT(*) FROM sqlite_master WHERE name = 'spans_entity')"
                ).fetchone()
            )
        finally:
            other.close()

    with mode(True):
        assert import_paths(store, [str(big)], "doccano", on_bytes=peek).ok
    assert len(seen) >= 3
    for articles, spans, wrong, marks, _index in seen:
        assert spans == 9 * articles and wrong == 0 and marks in (0, 1)
    middle = [s for s in seen if s[0] < 1603]
    assert len({s[0] for s in middle}) >= 10  # chunk after chunk, not all at once
    assert all(s[3] == 1 and s[4] == 0 for s in middle), seen
    assert seen[-1] == (1603, 1603 * 9, 0, 0, 1)  # the last report follows the end
    after = store.db.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    assert [tuple(r) for r in after] == [tuple(r) for r in schema]
    assert bulk_load.pending(store.db) == []


DIES = """
import os, sys
from store import bulk_load, open_store
from store.importer import import_paths

where, after = sys.argv[3], int(sys.argv[4])
bulk_load.FIRST_CHUNK = bulk_load.LEAST_CHUNK = 500
bulk_load.LOAD_MIN_BYTES = 0  # this small file is loaded in chunks too
bulk_load.CHUNK_SECONDS, bulk_load.GAP, bulk_load.ROLL_BACK_ARTICLES = 1e-6, 0.0, 20
calls = [0]


def dying(real):
    def wrapped(*args, **kwargs):
        calls[0] += 1
        if calls[0] > after:
            os._exit(9)  # as kill -9: no finally, no atexit
        return real(*args, **kwargs)
    return wrapped


if where == "chunk":  # before chunk after+1 is written
    bulk_load.Load.add = dying(bulk_load.Load.add)
elif where == "build":  # every chunk written, the surface indexes not built again yet
    bulk_load.build_again = dying(bulk_load.build_again)
else:  # a bad record at the end: the roll-back dies after `after` of its transactions
    real = bulk_load.roll_back
    bulk_load.roll_back = lambda db, units, group: real(db, dying(units), group)
store = open_store(sys.argv[1])
import_paths(store, [sys.argv[2]], "doccano")
print("done", flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize(("where", "after"), [("chunk", 3), ("build", 0), ("roll_back", 2)])
def test_a_load_cut_short_anywhere_is_deleted_whole_on_the_next_open(
    tmp_path: Path, where: str, after: int
) -> None:
    """A process dying mid-load (between chunks, before the indexes are built again, or in the
    middle of deleting a failed load) leaves its import_pending mark; the next open deletes
    what it wrote: the database is exactly as before, schema, sequences and indexes included."""
    db = tmp_path / "d.db"
    seed = _doccano(tmp_path / "seed.jsonl", _corpus(5, 90_000))
    store = open_store(db)
    assert import_paths(store, [str(seed)], "doccano").ok
    before = state(store)
    sequences = store.db.execute("SELECT * FROM sqlite_sequence ORDER BY name").fetchall()
    store.close()
    records: list[Any] = _corpus(1500)
    if where == "roll_back":
        records.append({"text": "short", "label": [[0, 99, "GPE"]]})
    big = _doccano(tmp_path / "big.jsonl", records)
    done = subprocess.run(
        [sys.executable, "-c", DIES, str(db), str(big), where, str(after)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 9, done.stderr
    raw = open_store(db, read_only=True)
    try:
        assert len(bulk_load.pending(raw.db)) == 1  # the mark is there, the rows half written
        assert raw.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] > 5
    finally:
        raw.close()
    store = open_store(db)
    try:
        assert state(store) == before
        assert bulk_load.pending(store.db) == []
        now = store.db.execute("SELECT * FROM sqlite_sequence ORDER BY name").fetchall()
        assert [tuple(r) for r in now] == [tuple(r) for r in sequences]
        assert_whole(store)
    finally:
        store.close()


def test_a_correction_made_between_chunks_is_kept(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another connection writes between two chunks (as another window would): its change
    stays, and the load still ends whole."""
    seed = _doccano(tmp_path / "seed.jsonl", _corpus(3, 50_000))
    with mode(False):
        assert import_paths(store, [str(seed)], "doccano").ok
    small_chunks(monkeypatch)
    other = open_store(store.path)
    marks: list[bool] = []

    def correct(path: str, n: int) -> None:
        other.mark_read(1, not marks or not marks[-1])
        marks.append(not marks or not marks[-1])

    try:
        with mode(True):
            assert import_paths(
                store,
                [str(_doccano(tmp_path / "b.jsonl", _corpus(900)))],
                "doccano",
                on_bytes=correct,
            ).ok
    finally:
        other.close()
    assert len(marks) >= 5
    assert store.article(1).read == marks[-1]
    assert store.article_count() == 903
    assert_whole(store)


def test_spans_outgrowing_a_cheap_rebuild_bring_the_indexes_back_mid_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file bigger than it looked: once the spans stored pass REBUILD_MAX_SPANS the surface
    indexes are built at once (the pending mark then names none) and kept up to date by the
    chunks after; the end state is still the two-pass one."""
    small_chunks(monkeypatch)
    monkeypatch.setattr(bulk_load, "REBUILD_MAX_SPANS", 3000)
    calls: list[str] = []
    real = bulk_load.build_again

    def spy(db: Any, units: Any, indexes: dict[str, str], then: Any = None) -> list[float]:
        calls.append(then[0].split()[0] if then else "")
        return real(db, units, indexes, then)

    monkeypatch.setattr(bulk_load, "build_again", spy)
    _import_both(tmp_path, [_doccano(tmp_path / "a.jsonl", _corpus(1200))])
    assert calls == ["UPDATE"]  # built mid-load, not at the end


def test_a_stored_text_the_file_holds_twice_falls_back_before_it_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text stored before the load, held twice by the file chunks apart: the load is deleted
    and the two passes merge its last annotation, exactly as without chunks."""
    small_chunks(monkeypatch)
    seed_records = _corpus(2, 70_000)
    seed = _doccano(tmp_path / "seed.jsonl", seed_records)
    records = _corpus(400)
    records.insert(10, dict(seed_records[0], label=[[11, 26, "ORG"]]))
    records.insert(350, dict(seed_records[0], label=[[11, 26, "NORP"]]))
    results = _import_both(tmp_path, [_doccano(tmp_path / "r.jsonl", records)], seed)
    created, existing, _spans, repeated, _rev = results[1][1][0]
    assert (created, existing, repeated) == (400, 1, 1)


def test_a_load_keeps_the_index_of_a_persons_spans_in_place(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """spans_user holds no span of a file: building it again would scan every span for nothing,
    so a load sets aside only the surface indexes it would fill all over their keys."""
    small_chunks(monkeypatch)
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        with mode(True):
            assert import_paths(store, [str(_doccano(tmp_path / "a.jsonl", _corpus(1200)))]).ok
    finally:
        store.db.conn.set_trace_callback(None)
    dropped = {sql.split()[2] for sql in statements if sql.startswith("DROP INDEX")}
    assert dropped == {"spans_entity", "spans_decided"}
    assert not any(sql.startswith("CREATE INDEX spans_user") for sql in statements)
    names = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"spans_entity", "spans_decided", "spans_user"} <= names
    assert_whole(store)
