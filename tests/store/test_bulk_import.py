"""A bulk import (count triggers set aside, their work done per batch) leaves exactly the database
that the row-by-row path (every trigger firing per span) leaves: articles, spans, the entity
index, both search indexes, the journal and the schema."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import ArticleDraft, MarginError, SpanDraft, Store, bulk, corrections, open_store
from store.articles import add_articles
from store.importer import import_paths

WORDS = ("Aleppo", "Assad", "Idlib", "the", "UN", "Iran", "Homs", "said", "Kyiv", "Ümit")
LABELS = ("GPE", "PERSON", "ORG", "NEW_LABEL")
STATUSES = ("accepted", "suggested", "rejected")
STAMP = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+\+00:00")  # when a journalled state was made

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def drafts(draw: st.DrawFn) -> ArticleDraft:
    """An article of a few words from a small vocabulary, spans on some of its words."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
    text = " ".join(words)
    spans: list[SpanDraft] = []
    pos = 0
    for w in words:
        if draw(st.booleans()):
            label = draw(st.sampled_from(LABELS))
            status = draw(st.sampled_from(STATUSES))
            spans.append(SpanDraft(pos, pos + len(w), label, "import:doccano", status))  # type: ignore[arg-type]
            if draw(st.integers(0, 9)) == 0:  # the same span twice
                spans.append(SpanDraft(pos, pos + len(w), label, "import:doccano", status))  # type: ignore[arg-type]
        pos += len(w) + 1
    return ArticleDraft(text, title=draw(st.sampled_from([None, "A title"])), spans=tuple(spans))


# batches of articles; texts repeat (within a batch and across batches) since words do
CORPORA = st.lists(st.lists(drafts(), min_size=1, max_size=8), min_size=1, max_size=4)


def _one_by_one(tx: Any, article_ids: list[int]) -> int:
    """corrections.reviewed_by_import as set_reviewed, an article at a time."""
    return sum(corrections.set_reviewed(tx, aid, True, actor="import") for aid in article_ids)


@contextmanager
def row_by_row() -> Iterator[None]:
    """Every span and article inserted with its triggers firing (the search index's too),
    and every article an import marks reviewed marked alone: the path before bulk loading."""
    saved = bulk.deferrable, bulk.search_trigger, corrections.reviewed_by_import
    bulk.deferrable = lambda tx: None  # type: ignore[assignment]
    bulk.search_trigger = lambda tx: {}  # type: ignore[assignment]
    corrections.reviewed_by_import = _one_by_one  # type: ignore[assignment]
    try:
        yield
    finally:
        bulk.deferrable, bulk.search_trigger, corrections.reviewed_by_import = saved  # type: ignore[assignment]


@contextmanager
def always_bulk() -> Iterator[None]:
    """Every batch bulk loaded, however few its spans."""
    saved = bulk.MIN_SPANS
    bulk.MIN_SPANS = 0
    try:
        yield
    finally:
        bulk.MIN_SPANS = saved


def content(store: Store) -> dict[str, Any]:
    """Everything an import writes, timestamps left out; the search indexes as query results."""
    db = store.db

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in db.execute(sql)]

    words = {w.lower() for w in WORDS}
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
        "labels": rows("SELECT * FROM labels ORDER BY name"),
        "journal": [
            tuple(STAMP.sub("T", v) if isinstance(v, str) else v for v in row)
            for row in rows(
                "SELECT id, group_id, actor, action, article_id, span_id, before, after,"
                " undoable, state, origin FROM journal ORDER BY id"
            )
        ],
        "sequence": rows("SELECT * FROM sqlite_sequence ORDER BY name"),
        "schema": rows("SELECT type, name, sql FROM sqlite_master ORDER BY type, name"),
        "articles_fts": {
            w: rows(
                f"SELECT rowid FROM articles_fts WHERE articles_fts MATCH '\"{w}\"' ORDER BY rowid"
            )
            for w in words
        },
        "entities_fts": {
            w: rows(
                f"SELECT rowid FROM entities_fts WHERE entities_fts MATCH '\"{w[:3]}\"'"
                " ORDER BY rowid"
            )
            for w in words
            if len(w) >= 3
        },
    }


def assert_whole(store: Store) -> None:
    """SQLite's and FTS5's own checks pass, and the derived counts agree with the spans."""
    db = store.db
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for fts in ("articles_fts", "entities_fts"):
        db.execute(f"INSERT INTO {fts} ({fts}) VALUES ('integrity-check')")
    counted = db.execute(
        "SELECT text, label, COUNT(*), COUNT(DISTINCT article_id) FROM spans"
        " WHERE status != 'rejected' GROUP BY text, label ORDER BY text, label"
    ).fetchall()
    stored = db.execute(
        "SELECT surface, label, mentions, articles FROM entities ORDER BY surface, label"
    ).fetchall()
    assert [tuple(r) for r in counted] == [tuple(r) for r in stored]
    wrong = db.execute(
        "SELECT COUNT(*) FROM articles a WHERE entity_count != (SELECT COUNT(*) FROM spans s"
        " WHERE s.article_id = a.id AND s.status != 'rejected')"
    ).fetchone()[0]
    assert wrong == 0


def build(path: Path, batches: list[list[ArticleDraft]]) -> dict[str, Any]:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    store = open_store(path, origin="cli:1@1")
    try:
        for batch in batches:
            store.add_articles(batch)
        assert_whole(store)
        return content(store)
    finally:
        store.close()


@SETTINGS
@given(CORPORA)
def test_bulk_equals_row_by_row(tmp_path: Path, batches: list[list[ArticleDraft]]) -> None:
    with row_by_row():
        reference = build(tmp_path / "rows.db", batches)
    with always_bulk():
        assert build(tmp_path / "bulk.db", batches) == reference


def test_big_batches_take_the_bulk_path(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The path the benchmark measures is the one taken (a schema change could turn it off)."""
    taken: list[bool] = []
    real = bulk.deferrable

    def spy(tx: Any) -> dict[str, str] | None:
        found = real(tx)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(bulk, "deferrable", spy)
    text = "Aleppo and Homs. " * 250
    spans = tuple(SpanDraft(i * 17, i * 17 + 6, "GPE") for i in range(250))
    store.add_articles([ArticleDraft(text, spans=spans), ArticleDraft("x " + text, spans=())])
    assert taken == [True]
    assert store.db.execute("SELECT entity_count FROM articles ORDER BY id").fetchall()[0][0] == 250
    assert_whole(store)


def test_an_unknown_insert_trigger_keeps_row_by_row(store: Store) -> None:
    """A trigger a later migration adds on inserting spans does work bulk loading cannot
    repeat: then every trigger fires per span, the new one too."""
    store.db.executescript(
        "CREATE TABLE seen (span_id INTEGER);"
        "CREATE TRIGGER spans_seen AFTER INSERT ON spans BEGIN"
        " INSERT INTO seen VALUES (NEW.id); END;"
    )
    text = "Aleppo and Homs. " * 250
    spans = tuple(SpanDraft(i * 17, i * 17 + 6, "GPE") for i in range(250))
    store.add_articles([ArticleDraft(text, spans=spans)])
    assert store.db.execute("SELECT COUNT(*) FROM seen").fetchone()[0] == 250
    assert_whole(store)


def test_a_changed_search_trigger_fires_row_by_row(store: Store) -> None:
    """The articles' search trigger is set aside for a batch only while it does just what the
    batch's one statement does: one a later migration changed fires for every article."""
    store.db.executescript(
        "CREATE TABLE seen (article_id INTEGER);"
        "DROP TRIGGER articles_fts_insert;"
        "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN"
        " INSERT INTO articles_fts (rowid, title, text) VALUES (NEW.id, NEW.title, NEW.text);"
        " INSERT INTO seen VALUES (NEW.id); END;"
    )
    drafts = [ArticleDraft(f"Report {i} from Aleppo.") for i in range(bulk.MIN_ARTICLES + 5)]
    store.add_articles(drafts)
    assert store.db.execute("SELECT COUNT(*) FROM seen").fetchone()[0] == len(drafts)
    found = store.db.execute("SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH 'aleppo'")
    assert found.fetchone()[0] == len(drafts)
    assert_whole(store)


def test_the_search_trigger_of_the_schema_is_the_one_set_aside(store: Store) -> None:
    """The schema's own search trigger is recognised, so big batches and loads take the one
    statement path the benchmark measures (a changed trigger would silently fire per row)."""
    with store.unit() as tx:
        assert list(bulk.search_trigger(tx)) == [bulk.SEARCH_TRIGGER]


def test_a_big_batch_indexes_its_articles_for_search(store: Store) -> None:
    """A batch of many articles is searchable as if each had fired the trigger."""
    drafts = [ArticleDraft(f"Report {i} from Aleppo.", title=f"T{i}") for i in range(60)]
    store.add_articles(drafts)
    for word, n in (("aleppo", 60), ("report", 60), ("t7", 1)):
        got = store.db.execute(
            "SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH ?", (word,)
        ).fetchone()[0]
        assert got == n, word
    assert_whole(store)


def test_a_failed_bulk_batch_leaves_the_triggers(store: Store) -> None:
    """A batch that fails after the triggers were dropped rolls the drop back with it."""
    text = "Aleppo and Homs. " * 250
    spans = tuple(SpanDraft(i * 17, i * 17 + 6, "GPE") for i in range(250))
    before = store.db.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    with pytest.raises(MarginError), store.unit() as tx:
        add_articles(tx, [ArticleDraft(text, spans=spans)])
        tx.execute(
            "INSERT INTO articles (id, title, text, content_hash, imported_at) VALUES (1, '', '', '', '')"
        )
    after = store.db.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    assert [tuple(r) for r in after] == [tuple(r) for r in before]
    assert store.article_count() == 0


def _doccano(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _corpus(n: int, offset: int = 0) -> list[dict[str, Any]]:
    out = []
    for i in range(offset, offset + n):
        text = f"Report {i}: Bashar al-Assad met officials in Aleppo and Homs. " * 4
        label = [[k * 62 + 11, k * 62 + 26, "PERSON"] for k in range(4)]
        label += [[k * 62 + 45, k * 62 + 51, "GPE"] for k in range(4)]
        out.append({"text": text, "label": label, "reviewed": i % 3 == 0})
    return out


def test_import_file_bulk_equals_row_by_row(tmp_path: Path) -> None:
    """Through import_paths: new articles, a second file merging into stored ones (the
    merge path), repeats within a file; 600 articles cross the 500-article batch."""
    first = _doccano(tmp_path / "a.jsonl", _corpus(600) + _corpus(3))  # 3 repeated texts
    second = _doccano(tmp_path / "b.jsonl", _corpus(20, 590))  # 10 stored, 10 new
    results = []
    for name, mode in (("rows", row_by_row), ("bulk", always_bulk)):
        with mode():
            path = tmp_path / f"{name}.db"
            store = open_store(path, origin="cli:1@1")
            try:
                one = import_paths(store, [str(first)], "doccano")
                two = import_paths(store, [str(second)], "doccano")
                assert one.ok and two.ok
                assert_whole(store)
                results.append((content(store), one.spans, two.spans, one.repeated))
            finally:
                store.close()
    for key in results[0][0]:
        assert results[0][0][key] == results[1][0][key], key
    assert results[0] == results[1]
    assert results[1][1] == 600 * 8 and results[1][3] == 3
