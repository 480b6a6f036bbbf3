"""Set-based and chunked propagation: the same end state as the row-by-row code, one undo,
replace, reviewed articles, excluded mentions, and a chunked run cut short rolled back."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import reference_propagate
from store import ArticleDraft, SpanDraft, journal, open_store, propagation
from tests.helpers import snapshot

WORDS = ["Aleppo", "aleppo", "Greater", "Aleppo Council", "Homs", "said", "the", "ALEPPO", "."]
LABELS = ["GPE", "ORG", "NORP"]


def content(store) -> list[tuple]:
    """Spans (without ids and times), entity counts and the entities table: what must match."""
    db = store.db

    def rows(sql: str) -> tuple:
        return tuple(sorted(tuple(r) for r in db.execute(sql).fetchall()))

    return [
        rows('SELECT article_id, start, "end", label, source, status, text FROM spans'),
        rows("SELECT id, entity_count FROM articles"),
        rows("SELECT surface, label, mentions, articles FROM entities"),
    ]


@st.composite
def corpora(draw):
    """A few articles of words, some spans on whole words (never overlapping), some reviewed."""
    arts = []
    for _ in range(draw(st.integers(1, 5))):
        words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
        text, spans, pos = "", [], 0
        for w in words:
            if text:
                text += " "
                pos += 1
            if draw(st.integers(0, 2)) == 0:
                status = draw(st.sampled_from(["suggested", "accepted", "rejected"]))
                spans.append(
                    SpanDraft(pos, pos + len(w), draw(st.sampled_from(LABELS)), "m", status)
                )
            text += w
            pos += len(w)
        arts.append((text, tuple(spans), draw(st.booleans())))
    return arts


def fill(store, arts) -> None:
    for i, (text, spans, reviewed) in enumerate(arts):
        aid = store.add_article(
            ArticleDraft(f"{i}: {text}", spans=_shift(spans, len(f"{i}: ")))
        ).article_id
        if reviewed:
            store.set_reviewed(aid)


def _shift(spans, by):
    return tuple(SpanDraft(s.start + by, s.end + by, s.label, s.source, s.status) for s in spans)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    arts=corpora(),
    surface=st.sampled_from(["Aleppo", "aleppo", "Aleppo Council", "Homs", "the"]),
    label=st.sampled_from([*LABELS, None]),
    case_sensitive=st.booleans(),
    chunked=st.booleans(),
)
def test_set_based_propagation_and_undo_match_the_row_by_row_code(
    tmp_path_factory, monkeypatch_module, arts, surface, label, case_sensitive, chunked
):
    base = tmp_path_factory.mktemp("p")
    with open_store(base / "old.db") as old, open_store(base / "new.db") as new:
        fill(old, arts)
        fill(new, arts)
        before = snapshot(new)
        with old.unit() as tx:
            ref = reference_propagate.apply(
                tx, surface, label, case_sensitive=case_sensitive, learn=False
            )
        monkeypatch_module.setattr(propagation, "CHUNK_MENTIONS", 1 if chunked else 40_000)
        monkeypatch_module.setattr(propagation, "BATCH", 1 if chunked else 400)
        monkeypatch_module.setattr(journal, "SINGLE_ROWS", 0 if chunked else 10_000)
        monkeypatch_module.setattr(journal, "CHUNK_ROWS", 2)
        monkeypatch_module.setattr("store.batch.GAP", 0)
        done = new.apply_propagation(
            surface, label, case_sensitive=case_sensitive, learn=False, include_reviewed=True
        )
        assert done.mentions == ref.mentions
        assert content(new) == content(old)
        after = snapshot(new)
        if done.mentions:
            new.undo()
            assert snapshot(new) == before  # exactly, ids and times too
            new.redo()
            assert snapshot(new) == after
        assert new.db.execute("SELECT COUNT(*) FROM journal_pending").fetchone()[0] == 0


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_replace_rejects_the_overlapping_spans_and_tags_the_surface(store):
    text = "Fans watched the World Cup. The World Cup ended. Real Madrid won; Madrid celebrated."
    the = text.index("the World Cup")
    second = text.index("World Cup", the + 5)
    real = text.index("Real Madrid")
    spans = (
        SpanDraft(the, the + len("the World Cup"), "EVENT", "m"),
        SpanDraft(real + 5, real + len("Real Madrid"), "GPE", "m"),  # "Madrid" inside
    )
    aid = store.add_article(ArticleDraft(text, spans=spans)).article_id
    before = snapshot(store)
    p = store.preview_propagation("World Cup", "EVENT")
    assert p.breakdown()["add"] == 1 and p.breakdown()["skipped"] == 1  # without --replace
    p = store.preview_propagation("World Cup", "EVENT", replace=True)
    assert p.breakdown() == {
        "relabel": 0,
        "accept": 0,
        "add": 1,
        "replace": 1,
        "reject": 0,
        "skipped": 0,
        "reviewed": 0,
    }
    store.apply_propagation("World Cup", "EVENT", replace=True)
    now = {(s.start, s.end, s.label, s.status) for s in store.spans(aid)}
    assert (the, the + len("the World Cup"), "EVENT", "rejected") in now  # evidence kept
    assert (the + 4, the + 4 + 9, "EVENT", "accepted") in now
    assert (second, second + 9, "EVENT", "accepted") in now
    store.apply_propagation("Real Madrid", "ORG", replace=True)
    now = {(s.start, s.end, s.label, s.status) for s in store.spans(aid)}
    assert (real + 5, real + 11, "GPE", "rejected") in now
    assert (real, real + 11, "ORG", "accepted") in now
    store.undo()
    store.undo()
    assert snapshot(store) == before


def test_reviewed_articles_are_counted_and_left_alone_unless_asked(store):
    a = store.add_article(ArticleDraft("Aleppo is here.")).article_id
    b = store.add_article(ArticleDraft("Aleppo is there.")).article_id
    store.set_reviewed(b)
    p = store.preview_propagation("Aleppo", "GPE")
    assert [m.article_id for m in p.mentions] == [a] and [m.article_id for m in p.reviewed] == [b]
    done = store.apply_propagation("Aleppo", "GPE")
    assert done.mentions == 1 and done.reviewed == 1
    assert [s.text for s in store.spans(b)] == []
    done = store.apply_propagation("Aleppo", "GPE", include_reviewed=True)
    assert done.mentions == 1 and [s.label for s in store.spans(b)] == ["GPE"]


def test_excluded_mentions_are_left_alone(store):
    aid = store.add_article(ArticleDraft("Aleppo, Aleppo and Aleppo.")).article_id
    p = store.preview_propagation("Aleppo", "GPE")
    keep = p.mentions[1].key
    done = store.apply_propagation("Aleppo", "GPE", exclude={keep})
    assert done.mentions == 2
    assert sorted(s.start for s in store.spans(aid)) == [0, 19]


def test_a_chunked_propagation_that_fails_midway_leaves_nothing(store, monkeypatch):
    for i in range(6):
        store.add_article(ArticleDraft(f"Article {i}: Aleppo and Aleppo again."))
    before = snapshot(store)
    monkeypatch.setattr(propagation, "CHUNK_MENTIONS", 1)
    monkeypatch.setattr(propagation, "BATCH", 1)
    monkeypatch.setattr("store.batch.GAP", 0)
    monkeypatch.setattr(propagation.batch.Pacer, "took", lambda self, s, d: None)  # 1 a chunk
    real_write, calls = propagation.write, []

    def failing(tx, group, label, mentions):
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt  # Ctrl-C in the fourth chunk
        return real_write(tx, group, label, mentions)

    monkeypatch.setattr(propagation, "write", failing)
    with pytest.raises(KeyboardInterrupt):
        store.apply_propagation("Aleppo", "GPE")
    assert snapshot(store) == before
    assert store.db.execute("SELECT COUNT(*) FROM journal_pending").fetchone()[0] == 0
    assert not store.can_undo()


def test_a_group_left_pending_by_a_dead_process_is_rolled_back_on_open(db_path, monkeypatch):
    with open_store(db_path) as s:
        for i in range(5):
            s.add_article(ArticleDraft(f"Article {i}: Aleppo and Aleppo again."))
        before = snapshot(s)
        monkeypatch.setattr(propagation, "CHUNK_MENTIONS", 1)
        monkeypatch.setattr(propagation, "BATCH", 1)
        monkeypatch.setattr("store.batch.GAP", 0)
        monkeypatch.setattr(propagation.batch.Pacer, "took", lambda self, s, d: None)
        real_write, calls = propagation.write, []

        def dying(tx, group, label, mentions):
            calls.append(1)
            if len(calls) == 3:  # as if the process died here: no rollback, the mark stays
                monkeypatch.setattr(journal, "roll_back", lambda *a: None)
                raise SystemExit
            return real_write(tx, group, label, mentions)

        monkeypatch.setattr(propagation, "write", dying)
        with pytest.raises(SystemExit):
            s.apply_propagation("Aleppo", "GPE")
        s.db.execute("UPDATE journal_pending SET pid = 999999999")  # a process that is gone
        assert s.db.execute("SELECT COUNT(*) FROM journal_batch").fetchone()[0] > 0
        assert not s.can_undo()  # a pending group is no change yet
    monkeypatch.undo()
    with open_store(db_path) as s:  # the next open rolls it back
        assert snapshot(s) == before
        assert s.db.execute("SELECT COUNT(*) FROM journal_pending").fetchone()[0] == 0
        assert s.db.execute("SELECT COUNT(*) FROM journal_batch").fetchone()[0] == 0


# -- the derived tables a batch fixes once (entities, entity_count, entity search) -----------


def recounted(store) -> list[tuple]:
    """The derived tables as they are, and as counted from the spans from scratch."""
    db = store.db

    def rows(sql: str) -> tuple:
        return tuple(sorted(tuple(r) for r in db.execute(sql).fetchall()))

    return [
        rows("SELECT surface, label, mentions, articles FROM entities"),
        rows(
            "SELECT text, label, COUNT(*), COUNT(DISTINCT article_id) FROM spans"
            " WHERE status != 'rejected' GROUP BY text, label"
        ),
        rows("SELECT id, entity_count FROM articles"),
        rows(
            "SELECT a.id, (SELECT COUNT(*) FROM spans s WHERE s.article_id = a.id"
            " AND s.status != 'rejected') FROM articles a"
        ),
        # the entity search index holds exactly the entities, each under its own id
        rows("SELECT rowid, surface FROM entities_fts"),
        rows("SELECT id, surface FROM entities"),
    ]


def triggers(store) -> tuple:
    rows = store.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    return tuple(sorted(tuple(r) for r in rows))


def assert_counts_whole(store) -> None:
    ents, ents_again, counts, counts_again, fts, fts_again = recounted(store)
    assert ents == ents_again
    assert counts == counts_again
    assert fts == fts_again


def test_a_roll_back_leaves_a_span_changed_meanwhile_and_the_counts_whole(store, monkeypatch):
    text = "Article: Aleppo and Aleppo again."
    for _ in range(6):  # the first Aleppo a suggestion the propagation accepts
        at = text.index("Aleppo")
        store.add_article(ArticleDraft(text, spans=(SpanDraft(at, at + 6, "GPE", "m"),)))
        text += " More."
    monkeypatch.setattr(propagation, "CHUNK_MENTIONS", 1)
    monkeypatch.setattr(propagation, "BATCH", 1)
    monkeypatch.setattr("store.batch.GAP", 0)
    monkeypatch.setattr(propagation.batch.Pacer, "took", lambda self, s, d: None)  # 1 a chunk
    real_write, calls, kept = propagation.write, [], []

    def someone_rejects(done, total):  # between two chunks, another window rejects it
        if not kept:
            span = store.spans(1)[0]  # the suggestion the first chunk accepted
            assert span.status == "accepted"
            store.reject(span.id)
            kept.append(span.id)

    def failing(tx, group, label, mentions):
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real_write(tx, group, label, mentions)

    monkeypatch.setattr(propagation, "write", failing)
    with pytest.raises(KeyboardInterrupt):
        store.apply_propagation("Aleppo", "GPE", progress=someone_rejects)
    # left as they made it; the span the first chunk added is gone, the others untouched
    assert [(s.id, s.status) for s in store.spans(1)] == [(kept[0], "rejected")]
    assert [s.status for a in range(2, 7) for s in store.spans(a)] == ["suggested"] * 5
    assert_counts_whole(store)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    arts=corpora(),
    surface=st.sampled_from(["Aleppo", "Aleppo Council", "Homs", "the"]),
    label=st.sampled_from([*LABELS, None]),
    replace=st.booleans(),
)
def test_entity_counts_and_search_after_a_chunked_batch_equal_a_recount(
    tmp_path_factory, monkeypatch_module, arts, surface, label, replace
):
    with open_store(tmp_path_factory.mktemp("c") / "m.db") as s:
        fill(s, arts)
        made = triggers(s)
        monkeypatch_module.setattr(propagation, "CHUNK_MENTIONS", 1)
        monkeypatch_module.setattr(propagation, "BATCH", 1)
        monkeypatch_module.setattr(journal, "SINGLE_ROWS", 0)
        monkeypatch_module.setattr(journal, "CHUNK_ROWS", 2)
        monkeypatch_module.setattr("store.batch.GAP", 0)
        done = s.apply_propagation(surface, label, replace=replace, include_reviewed=True)
        assert_counts_whole(s)
        assert triggers(s) == made  # the count triggers are back, as they were
        if done.mentions:
            s.undo()
            assert_counts_whole(s)
            s.redo()
            assert_counts_whole(s)
        assert triggers(s) == made
        # the triggers work again: a single correction afterwards still keeps the counts
        s.add_article(ArticleDraft("Homs and Aleppo.", spans=(SpanDraft(0, 4, "GPE", "m"),)))
        assert_counts_whole(s)


def test_a_long_span_far_before_a_mention_still_overlaps_it(store):
    # the overlap test reads the index from (start of the mention - the longest span) on
    text = "Long ago in the Aleppo region, said the report. And Aleppo again."
    whole = text.index(", said")
    aid = store.add_article(
        ArticleDraft(text, spans=(SpanDraft(0, whole, "EVENT", "m"),))
    ).article_id
    p = store.preview_propagation("Aleppo", "GPE")
    assert [(m.start, m.action) for m in p.skipped] == [(text.index("Aleppo"), "skip")]
    assert [m.start for m in p.mentions] == [text.rindex("Aleppo")]
    p = store.preview_propagation("Aleppo", "GPE", replace=True)
    assert [m.replaces for m in p.mentions if m.action == "replace"] == [(store.spans(aid)[0].id,)]


MARK = "\u0301"  # a combining acute accent: a word character on either edge of a mention


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(["Aleppo", "aleppo", "ALEPPO", " ", "_", "x", "é", MARK, ".", "9", "-"]),
        max_size=14,
    ),
    case_sensitive=st.booleans(),
)
def test_the_propagation_finder_finds_what_find_mentions_finds(pieces, case_sensitive):
    from store.mentions import find_mentions

    text = "".join(pieces)
    q = propagation.Query("Aleppo", "GPE", case_sensitive=case_sensitive)
    assert q.find(text) == list(find_mentions(q.pattern, text))


def test_one_transaction_when_it_fits_else_a_first_chunk_cut_at_an_article(tmp_path, monkeypatch):
    """Up to ONE_TX x CHUNK_MENTIONS is one transaction; more is planned that far, written from
    its first CHUNK_MENTIONS (whole articles), the rest planned again: the same end state."""
    texts = [f"Article {i}: Aleppo, Aleppo and Aleppo." for i in range(10)]
    with open_store(tmp_path / "one.db") as one, open_store(tmp_path / "many.db") as many:
        for s in (one, many):
            for t in texts:
                s.add_article(ArticleDraft(t))
        monkeypatch.setattr(propagation, "BATCH", 1)
        monkeypatch.setattr("store.batch.GAP", 0)
        monkeypatch.setattr(propagation, "CHUNK_MENTIONS", 14)  # 14 x 2.25 = 31 >= 30
        assert one.apply_propagation("Aleppo", "GPE", learn=False).chunks == 1
        monkeypatch.setattr(propagation, "CHUNK_MENTIONS", 4)  # 9 < 30: chunks
        monkeypatch.setattr(propagation.batch.Pacer, "took", lambda self, s, d: None)
        sizes: list[int] = []
        real_write = propagation.write

        def counting(tx, group, label, mentions):
            sizes.append(len(mentions))
            return real_write(tx, group, label, mentions)

        monkeypatch.setattr(propagation, "write", counting)
        done = many.apply_propagation("Aleppo", "GPE", learn=False)
        assert done.mentions == 30 and sum(sizes) == 30
        assert sizes[0] == 3  # planned 9 (3 articles), written 4 -> its first whole article
        assert content(many) == content(one)
        many.undo()
        assert many.db.execute("SELECT COUNT(*) FROM spans").fetchone()[0] == 0
