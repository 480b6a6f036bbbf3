"""Store invariants: spans fit their text, dedupe by content, normalisation, pragmas, atomic batches."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import ArticleDraft, DatabaseError, NotFound, SpanDraft, SpanError, Store, open_store

from .conftest import SEED

# texts with non-ASCII letters, emoji (astral plane), combining marks, CJK and newlines
PIECES = st.one_of(
    st.characters(codec="utf-8", exclude_categories=("Cs",)),
    st.sampled_from(["é", "e\u0301", "👍🏽", "🇸🇾", "中文", "\n", "\r\n", " ", "ا", "\u200d"]),
)
TEXT = (
    st.lists(PIECES, min_size=1, max_size=40)
    .map("".join)
    .filter(lambda t: t.replace("\r", "").replace("\ufeff", "").strip() != "")
)

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def counts(store: Store) -> tuple[int, int, int]:
    """Rows in articles, spans and journal."""
    conn = store.db.conn
    return tuple(  # type: ignore[return-value]
        conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        for t in ("articles", "spans", "journal")
    )


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory):
    """One store for the property tests (hypothesis runs many examples per test)."""
    s = open_store(tmp_path_factory.mktemp("prop") / "prop.db")
    yield s
    s.close()


@SETTINGS
@given(text=TEXT, data=st.data())
def test_valid_spans_are_stored_with_their_exact_surface(shared: Store, text: str, data) -> None:
    from store.models import normalise_text

    norm = normalise_text(text)
    n = len(norm)
    pairs = data.draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(1, n)).filter(lambda p: p[0] < p[1]),
            max_size=6,
        )
    )
    drafts = tuple(SpanDraft(s, e, "PERSON", "model:t@1") for s, e in pairs)
    res = shared.add_article(ArticleDraft(text, spans=drafts))
    art = shared.article(res.article_id)
    assert art.text == norm
    if res.created:
        spans = shared.spans(res.article_id)
        assert len(spans) == len(pairs)
        assert sorted((s.start, s.end) for s in spans) == sorted(pairs)
        for s in spans:
            assert art.text[s.start : s.end] == s.text
            assert 0 <= s.start < s.end <= len(art.text)


@SETTINGS
@given(
    text=TEXT,
    bad=st.one_of(
        st.tuples(st.integers(-50, -1), st.integers(0, 10)),  # negative start
        st.tuples(st.integers(0, 100), st.integers(-5, 0)),  # end before or at start
        st.tuples(st.integers(0, 5), st.integers(200, 300)),  # past the end
    ),
)
def test_invalid_spans_are_refused_and_nothing_is_written(
    shared: Store, text: str, bad: tuple[int, int]
) -> None:
    before = counts(shared)
    good = SpanDraft(0, 1, "ORG", "model:t@1")
    # a fresh text every time, so the dedupe by content cannot hide the refusal
    draft = ArticleDraft(text + f" #{before[0]}-{bad}", spans=(good, SpanDraft(*bad, "ORG")))
    with pytest.raises(SpanError):
        shared.add_articles([ArticleDraft("a good neighbour " + str(before)), draft])
    assert counts(shared) == before


@pytest.mark.parametrize(
    "span",
    [
        SpanDraft(0, 4, "", "user"),
        SpanDraft(0, 4, "   ", "user"),
        SpanDraft(0, 4, "ORG", "user", "maybe"),  # type: ignore[arg-type]
        SpanDraft(0.0, 4, "ORG"),  # type: ignore[arg-type]
        SpanDraft(True, 4, "ORG"),  # type: ignore[arg-type]
    ],
)
def test_span_without_label_or_with_bad_status_or_offsets_is_refused(store: Store, span) -> None:
    with pytest.raises(SpanError):
        store.add_article(ArticleDraft(SEED, spans=(span,)))
    assert counts(store) == (0, 0, 0)


def test_offsets_are_code_points(store: Store) -> None:
    text = "👍🏽 Zoë met José in Zürich."
    start = text.index("José")
    res = store.add_article(ArticleDraft(text, spans=(SpanDraft(start, start + 4, "PERSON"),)))
    (span,) = store.spans(res.article_id)
    assert (span.start, span.end, span.text) == (start, start + 4, "José")
    assert start == 11  # the emoji is 2 code points (not 4 UTF-16 units, not 8 bytes)


def test_same_text_is_one_article(store: Store) -> None:
    a = store.add_article(ArticleDraft(SEED, title="first", source="a.txt"))
    b = store.add_article(ArticleDraft(SEED, title="second", source="b.txt"))
    c = store.add_article(ArticleDraft(SEED.replace("\n", "\r\n"), source="c.txt"))
    assert a.created and not b.created and not c.created
    assert a.article_id == b.article_id == c.article_id
    assert store.article_count() == 1
    assert store.article(a.article_id).title == "first"


def test_duplicates_inside_one_batch_are_one_article(store: Store) -> None:
    results = store.add_articles([ArticleDraft("one"), ArticleDraft("two"), ArticleDraft("one")])
    assert [r.created for r in results] == [True, True, False]
    assert results[0].article_id == results[2].article_id
    assert store.article_count() == 2


def test_newlines_are_normalised_and_a_bom_dropped(store: Store) -> None:
    res = store.add_article(ArticleDraft("\ufeffTitle line\r\nsecond\rthird\n"))
    art = store.article(res.article_id)
    assert art.text == "Title line\nsecond\nthird\n"
    assert art.title == "Title line"
    again = store.add_article(ArticleDraft("Title line\nsecond\nthird\n"))
    assert not again.created


def test_spans_are_checked_against_the_normalised_text(store: Store) -> None:
    raw = "\ufeffA\r\nBashar al-Assad"
    norm = "A\nBashar al-Assad"
    start = norm.index("Bashar")
    res = store.add_article(ArticleDraft(raw, spans=(SpanDraft(start, len(norm), "PERSON"),)))
    assert store.spans(res.article_id)[0].text == "Bashar al-Assad"


def test_empty_text_is_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        store.add_article(ArticleDraft(" \n\t"))
    assert counts(store) == (0, 0, 0)


def test_title_falls_back_to_first_line_then_source(store: Store) -> None:
    a = store.add_article(ArticleDraft("\n\n  # Headline here  \nbody", source="x.md"))
    assert store.article(a.article_id).title == "Headline here"
    long = store.add_article(ArticleDraft("w" * 300))
    title = store.article(long.article_id).title
    assert len(title) <= 120 and title.endswith("…")


def test_entity_count_counts_spans_that_are_not_rejected(store: Store) -> None:
    spans = (
        SpanDraft(0, 5, "ORG", "import:x", "suggested"),
        SpanDraft(6, 12, "GPE", "import:x", "accepted"),
        SpanDraft(13, 20, "GPE", "import:x", "rejected"),
    )
    res = store.add_article(ArticleDraft(SEED, spans=spans))
    assert store.articles()[0].entity_count == 2
    sid = store.spans(res.article_id)[0].id
    store.reject(sid)
    assert store.articles()[0].entity_count == 1


def test_labels_are_created_once_per_batch(store: Store) -> None:
    before = {lab.name for lab in store.labels()}
    drafts = [
        ArticleDraft(f"text {i} Alpha", spans=(SpanDraft(0, 4, "CUSTOM"), SpanDraft(5, 6, "ZED")))
        for i in range(5)
    ]
    store.add_articles(drafts)
    after = store.labels()
    assert {lab.name for lab in after} - before == {"CUSTOM", "ZED"}
    positions = [lab.position for lab in after]
    assert len(positions) == len(set(positions))


def test_a_batch_interrupted_midway_leaves_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_article(ArticleDraft("already there"))
    before = counts(store)

    def boom(*_a: object, **_k: object) -> None:
        raise KeyboardInterrupt  # as Ctrl-C would, after the article rows were inserted

    import store.articles as article_writes

    monkeypatch.setattr(article_writes, "ensure_labels", boom)
    drafts = [ArticleDraft(f"article {i}", spans=(SpanDraft(0, 7, "ORG"),)) for i in range(10)]
    with pytest.raises(KeyboardInterrupt):
        store.add_articles(drafts)
    assert counts(store) == before
    monkeypatch.undo()
    store.add_articles(drafts)  # the connection is usable again, the same texts go in
    assert counts(store)[0] == before[0] + 10


def test_migrations_are_idempotent_on_reopen(db_path: Path) -> None:
    s = open_store(db_path)
    s.add_article(ArticleDraft(SEED))
    version = s.db.conn.execute("PRAGMA user_version").fetchone()[0]
    s.close()
    for _ in range(2):
        s = open_store(db_path)
        conn = s.db.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
        assert s.article_count() == 1
        assert len(s.labels()) == 18
        s.close()


def test_wal_foreign_keys_and_busy_timeout(store: Store) -> None:
    conn = store.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            'INSERT INTO spans (article_id, start, "end", label, source, status, text,'
            " created_at, updated_at) VALUES (999, 0, 1, 'X', 'user', 'accepted', 'x', '', '')"
        )


def test_a_newer_schema_is_refused(db_path: Path) -> None:
    open_store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(DatabaseError, match="newer"):
        open_store(db_path)


def test_a_file_that_is_not_a_database_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("this is not sqlite " * 100)
    with pytest.raises(DatabaseError, match="notes.db"):
        open_store(bad)


def test_notebook_use(tmp_path: Path) -> None:
    """What a notebook user does: open, add, read dataclasses back, with a context manager."""
    from dataclasses import asdict, is_dataclass

    path = tmp_path / "nested" / "folder" / "nb.db"
    with open_store(path) as s:
        res = s.add_article(ArticleDraft(SEED, title="Aleppo", source="notebook"))
        art = s.article(res.article_id)
        assert is_dataclass(art) and asdict(art)["title"] == "Aleppo"
        assert [a.id for a in s.articles()] == [res.article_id]
        assert s.stats().articles == 1
        with pytest.raises(NotFound):
            s.article(12345)
    assert path.exists()
    with open_store(str(path)) as again:  # str paths work too
        assert again.article(res.article_id).text == SEED


def test_memory_store(tmp_path: Path) -> None:
    s = open_store(":memory:")
    s.add_article(ArticleDraft(SEED))
    assert s.article_count() == 1
    s.close()


def test_iter_articles_and_texts_page_in_batches(store: Store) -> None:
    ids = [r.article_id for r in store.add_articles([ArticleDraft(f"a{i}") for i in range(7)])]
    assert [a.id for a in store.iter_articles(batch=3)] == ids
    assert [t for _, t in store.texts(ids[::-1], batch=2)] == [f"a{i}" for i in range(7)][::-1]
    with pytest.raises(NotFound):
        list(store.texts([99999]))


@pytest.mark.parametrize(
    "draft",
    [
        ArticleDraft("lone \ud800 surrogate"),
        ArticleDraft("fine text", title="bad \udfff title"),
        ArticleDraft("fine text", meta={"k": "\ud800"}),
        ArticleDraft("fine text", spans=(SpanDraft(0, 4, "LAB\ud800"),)),
    ],
)
def test_text_that_is_not_valid_unicode_is_refused(store: Store, draft: ArticleDraft) -> None:
    with pytest.raises(ValueError, match="lone surrogate"):
        store.add_articles([ArticleDraft("a good one"), draft])
    assert counts(store) == (0, 0, 0)


def test_meta_that_is_not_json_is_refused(store: Store) -> None:
    import datetime

    with pytest.raises(ValueError, match="meta cannot be stored as JSON"):
        store.add_article(ArticleDraft("fine", meta={"when": datetime.date(2024, 1, 1)}))
    assert counts(store) == (0, 0, 0)


def test_short_lived_threads_reuse_connections(tmp_path: Path) -> None:
    # the reader runs every store call in a new worker thread: connections must not pile up
    import threading

    s = open_store(tmp_path / "t.db")
    try:
        for _ in range(40):
            t = threading.Thread(target=s.article_count)
            t.start()
            t.join()
        assert s.connections() <= 2
    finally:
        s.close()
