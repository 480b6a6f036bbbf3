"""Several margin processes on one database: no "database is locked", right counts, sound file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from store import CorrectionError, NotFound, open_store

from .robust_util import (
    assert_sound,
    margin,
    no_lock_errors,
    query,
    scalar,
    start,
    wait_until,
    write_jsonl,
)

pytestmark = pytest.mark.slow


def _extracted(db: Path) -> int:
    return scalar(db, "SELECT COUNT(DISTINCT article_id) FROM journal WHERE action = 'extract'")


def test_two_imports_at_once_into_a_new_database(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    a = write_jsonl(tmp_path / "a.jsonl", 1500)
    b = write_jsonl(tmp_path / "b.jsonl", 1500, start=1000)  # 500 articles in both files
    c = write_jsonl(tmp_path / "c.jsonl", 600, start=3000)
    procs = [start(db, "import", "--no-extract", str(p)) for p in (a, b, c)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        no_lock_errors(out, err)
        assert p.returncode == 0, err
    assert scalar(db, "SELECT COUNT(*) FROM articles") == 3100
    assert scalar(db, "SELECT COUNT(DISTINCT content_hash) FROM articles") == 3100
    # every article has exactly one import entry in the journal
    assert scalar(db, "SELECT COUNT(*) FROM journal WHERE action = 'import'") == 3100
    assert_sound(db)


def test_import_and_extract_while_a_reader_reads(tmp_path: Path, tiny_model: str) -> None:
    db = tmp_path / "m.db"
    first = write_jsonl(tmp_path / "first.jsonl", 500)
    second = write_jsonl(tmp_path / "second.jsonl", 500, start=500)
    done = margin(db, "import", "--no-extract", str(first))
    assert done.returncode == 0, done.stderr
    extract = start(db, "extract", "--model", tiny_model)
    importer = start(db, "import", "--model", tiny_model, str(second))  # imports and extracts
    reader = open_store(db)  # what the reader does meanwhile: pages, opens, marks read
    reads = 0
    try:
        while extract.poll() is None or importer.poll() is None:
            page = reader.articles(offset=reads % 500, limit=50, sort="newest")
            for summary in page[:3]:
                reader.spans(summary.id)
                reader.mark_read(summary.id)
            reads += 1
    finally:
        reader.close()
    e_out, e_err = extract.communicate(timeout=60)
    i_out, i_err = importer.communicate(timeout=60)
    no_lock_errors(e_out, e_err, i_out, i_err)
    assert extract.returncode == 0, e_err
    assert importer.returncode == 0, i_err
    assert reads > 0
    assert scalar(db, "SELECT COUNT(*) FROM articles") == 1000
    # the second file's articles were extracted by its import; run extract for any left over
    done = margin(db, "extract", "--model", tiny_model)
    assert done.returncode == 0, done.stderr
    assert _extracted(db) == 1000
    assert_sound(db)


def test_corrections_while_extraction_writes(tmp_path: Path, tiny_model: str) -> None:
    db = tmp_path / "m.db"
    src = write_jsonl(tmp_path / "a.jsonl", 600)
    done = margin(db, "import", "--no-extract", str(src))
    assert done.returncode == 0, done.stderr
    done = margin(db, "extract", "--model", tiny_model)
    assert done.returncode == 0, done.stderr
    before_run = scalar(db, "SELECT COUNT(*) FROM journal WHERE action = 'extract'")

    proc = start(db, "extract", "--all", "--model", tiny_model)
    wait_until(
        lambda: scalar(db, "SELECT COUNT(*) FROM journal WHERE action = 'extract'") > before_run,
        timeout=30,
        what="the re-extraction's first write",
    )
    store = open_store(db)
    accepted, relabelled, added, reviewed, vanished = [], [], [], [], 0
    during = 0
    try:
        ids = store.article_ids()
        for n, aid in enumerate(ids[::2]):
            alive = proc.poll() is None
            try:
                spans = [s for s in store.spans(aid) if s.status == "suggested"]
                if spans and n % 2 == 0:
                    store.accept(spans[0].id)
                    accepted.append(spans[0].id)
                elif spans:
                    relabelled.append((spans[0].id, store.relabel(spans[0].id, "EVENT")))
                text = store.article(aid).text
                word_end = text.index(" ")
                try:
                    added.append(store.add_span(aid, 0, word_end, "MISC"))
                except CorrectionError:
                    pass  # the first word is already an entity
                store.set_reviewed(aid)
                reviewed.append(aid)
            except NotFound:
                vanished += 1  # re-extraction replaced the suggestion first: nothing was committed
            during += alive
    finally:
        store.close()
    out, err = proc.communicate(timeout=60)
    no_lock_errors(out, err)
    assert proc.returncode == 0, err
    assert during > 0, "no correction overlapped the extraction"
    print(f"{during} of {len(ids[::2])} corrections overlapped the extraction")

    conn = sqlite3.connect(db)
    status = dict(conn.execute("SELECT id, status FROM spans"))
    labels = dict(conn.execute("SELECT id, label FROM spans"))
    assert all(status.get(sid) == "accepted" for sid in accepted)
    for old, new in relabelled:
        assert status.get(old) == "rejected" and status.get(new) == "accepted"
        assert labels[new] == "EVENT"
    assert all(status.get(sid) == "accepted" and labels[sid] == "MISC" for sid in added)
    marks = ",".join(str(a) for a in reviewed)
    assert conn.execute(
        f"SELECT COUNT(*) FROM articles WHERE id IN ({marks}) AND reviewed = 1"
    ).fetchone()[0] == len(reviewed)
    # a relabelled model suggestion never comes back as a suggestion next to the user's span
    for _old, new in relabelled:
        row = conn.execute(
            'SELECT article_id, start, "end" FROM spans WHERE id = ?', (new,)
        ).fetchone()
        again = conn.execute(
            'SELECT COUNT(*) FROM spans WHERE article_id = ? AND start = ? AND "end" = ?'
            " AND status = 'suggested'",
            row,
        ).fetchone()[0]
        assert again == 0
    conn.close()
    assert_sound(db)


def test_reader_open_while_another_process_imports(tmp_path: Path) -> None:
    """The library stays usable while `margin import` writes, and shows the new articles on
    refresh (r) or when it comes back into view, without a restart."""
    import asyncio

    from store import ArticleDraft
    from tui.app import MarginApp

    from .tui.helpers import settle

    db = tmp_path / "m.db"
    src = write_jsonl(tmp_path / "a.jsonl", 600)
    store = open_store(db)
    store.add_articles(
        [ArticleDraft(f"Article {i} about Aleppo.", title=f"t{i}") for i in range(3)]
    )

    async def scenario() -> None:
        app = MarginApp(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.library.total == 3
            proc = start(db, "import", "--no-extract", str(src))
            while proc.poll() is None:  # read, page and open while the import writes
                await pilot.press("j", "k", "r")
                await settle(pilot)
            out, err = proc.communicate(timeout=60)
            no_lock_errors(out, err)
            assert proc.returncode == 0, err
            await pilot.press("r")
            await settle(pilot)
            assert app.library.total == 603
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is not app.library  # the reader opened on the fresh list

    try:
        asyncio.run(scenario())
    finally:
        store.close()
    assert_sound(db)


def test_doctor_while_an_import_writes(tmp_path: Path) -> None:
    """The doctor reads one snapshot and takes the write lock only briefly: it neither fails
    nor reports false problems while another process imports."""
    from store.doctor import diagnose

    db = tmp_path / "m.db"
    src = write_jsonl(tmp_path / "a.jsonl", 2000)
    assert (
        margin(
            db, "import", "--no-extract", str(write_jsonl(tmp_path / "b.jsonl", 50, start=5000))
        ).returncode
        == 0
    )
    proc = start(db, "import", "--no-extract", str(src))
    runs = 0
    while proc.poll() is None or runs == 0:
        report = diagnose(db)
        assert report.ok, report.as_dict()
        runs += 1
    out, err = proc.communicate(timeout=60)
    no_lock_errors(out, err)
    assert proc.returncode == 0, err
    assert scalar(db, "SELECT COUNT(*) FROM articles") == 2050
    print(f"{runs} doctor runs during the import")


def test_a_write_lock_held_past_the_timeout_gives_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If another program holds the write lock longer than the busy timeout, the user gets
    one sentence, not SQLite's "database is locked", and nothing is written."""
    import store.db.connection

    db = tmp_path / "m.db"
    good = write_jsonl(tmp_path / "a.jsonl", 3)
    assert margin(db, "import", "--no-extract", str(good)).returncode == 0
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        monkeypatch.setattr(store.db.connection, "BUSY_TIMEOUT_MS", 200)
        from .test_fuzz_import import run_cli

        other = write_jsonl(tmp_path / "b.jsonl", 3, start=10)
        code, _out, err = run_cli("--db", str(db), "import", "--no-extract", str(other))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 1
    assert "busy for 30 seconds" in err and "locked" not in err and "Traceback" not in err
    assert scalar(db, "SELECT COUNT(*) FROM articles") == 3


def test_two_extractions_at_once(tmp_path: Path, tiny_model: str) -> None:
    """Two `margin extract` runs over the same articles (two terminals): no lock error, and the
    spans end as one run leaves them, with no duplicate suggestion."""
    src = write_jsonl(tmp_path / "a.jsonl", 400)
    ref, db = tmp_path / "ref.db", tmp_path / "m.db"
    for path in (ref, db):
        assert margin(path, "import", "--no-extract", str(src)).returncode == 0
    assert margin(ref, "extract", "--model", tiny_model).returncode == 0
    procs = [start(db, "extract", "--model", tiny_model) for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        no_lock_errors(out, err)
        assert p.returncode == 0, err
    spans = 'SELECT article_id, start, "end", label, status FROM spans ORDER BY 1, 2, 3, 4'
    assert query(db, spans) == query(ref, spans)
    assert_sound(db)
