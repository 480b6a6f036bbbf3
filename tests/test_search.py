"""Search: ranking of typos and variants, filters, hostile query text, corrections, migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import ArticleDraft, QueryError, SpanDraft, Store, open_store
from store.db import connect
from store.search.parse import parse

TEXT = (
    "Rebel forces have taken control of Aleppo, a blow to President Bashar al-Assad. "
    "Iran and Hezbollah are weakened. The rebels are led by Hayat Tahrir al-Sham (HTS). "
    "Bashar Haddad, a resident of Aleppo, said the Syrian Observatory for Human Rights "
    "counted the dead."
)
ENTITIES = [
    ("Aleppo", "GPE"),
    ("Bashar al-Assad", "PERSON"),
    ("Iran", "GPE"),
    ("Hezbollah", "ORG"),
    ("Hayat Tahrir al-Sham", "ORG"),
    ("HTS", "ORG"),
    ("Bashar Haddad", "PERSON"),
    ("Syrian Observatory for Human Rights", "ORG"),
]
OTHER = (
    "Talks in Geneva ended without agreement. Sergei Lavrov met the Syrian delegation. "
    "The Hezbollah leadership was not present. Aleppo was mentioned once."
)
OTHER_ENTITIES = [("Geneva", "GPE"), ("Sergei Lavrov", "PERSON"), ("Hezbollah", "ORG")]


def spans_for(text: str, entities: list[tuple[str, str]]) -> tuple[SpanDraft, ...]:
    """Every occurrence of each surface as a suggested span (first listed wins overlaps)."""
    out: list[SpanDraft] = []
    for surface, label in entities:
        i = 0
        while (i := text.find(surface, i)) >= 0:
            if not any(s.start < i + len(surface) and i < s.end for s in out):
                out.append(SpanDraft(i, i + len(surface), label, "model:test@1"))
            i += len(surface)
    return tuple(sorted(out, key=lambda s: s.start))


def add(store: Store, text: str, entities: list[tuple[str, str]], title: str = "") -> int:
    return store.add_article(
        ArticleDraft(text=text, title=title or None, spans=spans_for(text, entities))
    ).article_id


@pytest.fixture
def corpus(store: Store) -> Store:
    add(store, TEXT, ENTITIES, "Rebels take Aleppo")
    add(store, OTHER, OTHER_ENTITIES, "Geneva talks")
    return store


def entity_hits(store: Store, query: str, **kw: object) -> list[tuple[str, str]]:
    return [(h.text or "", h.label or "") for h in store.search(query, **kw) if h.kind == "entity"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Bashar al-Asad", ("Bashar al-Assad", "PERSON")),
        ("Hezbolah", ("Hezbollah", "ORG")),
        ("tahrir sham", ("Hayat Tahrir al-Sham", "ORG")),
        ("bashar al assad", ("Bashar al-Assad", "PERSON")),
        ("ALEPPO", ("Aleppo", "GPE")),
        ("Alepo", ("Aleppo", "GPE")),
        ("Bash", ("Bashar al-Assad", "PERSON")),
        ("syrian observ", ("Syrian Observatory for Human Rights", "ORG")),
        ("Lavrov", ("Sergei Lavrov", "PERSON")),
    ],
)
def test_typos_and_variants_find_their_target_first(
    corpus: Store, query: str, expected: tuple[str, str]
) -> None:
    assert entity_hits(corpus, query)[0] == expected


def test_entity_hit_carries_counts_and_a_mention(corpus: Store) -> None:
    hit = next(h for h in corpus.search("Hezbollah") if h.kind == "entity")
    assert (hit.mentions, hit.articles) == (2, 2)
    text = corpus.article(hit.article_id).text
    assert text[hit.start : hit.end] == "Hezbollah"
    d = hit.as_dict()
    assert {"kind", "article_id", "title", "score", "start", "end", "label", "text"} <= set(d)


def test_article_hits_have_a_highlighted_snippet_and_a_best_match(corpus: Store) -> None:
    hits = [h for h in corpus.search("Geneva talks") if h.kind == "article"]
    assert hits and hits[0].title == "Geneva talks"
    h = hits[0]
    assert h.start is not None and h.end is not None
    assert corpus.article(h.article_id).text[h.start : h.end] == "Geneva"
    marked = [h.snippet[s:e] for s, e in h.highlights]
    assert "Geneva" in marked


def test_a_typo_still_finds_articles_through_the_entity(corpus: Store) -> None:
    hits = [h for h in corpus.search("Hezbolah") if h.kind == "article"]
    assert len(hits) == 2
    for h in hits:
        assert corpus.article(h.article_id).text[h.start : h.end] == "Hezbollah"


def test_entities_come_before_articles_and_limit_holds(corpus: Store) -> None:
    hits = corpus.search("Aleppo", limit=3)
    assert len(hits) <= 3
    kinds = [h.kind for h in hits]
    assert kinds == sorted(kinds, key=lambda k: k != "entity")
    assert "article" in kinds  # articles keep room even when entities could fill the list


def test_label_filter_in_query_and_as_option(corpus: Store) -> None:
    assert entity_hits(corpus, "label:PERSON bashar") == [
        ("Bashar al-Assad", "PERSON"),
        ("Bashar Haddad", "PERSON"),
    ] or set(entity_hits(corpus, "label:PERSON bashar")) == {
        ("Bashar al-Assad", "PERSON"),
        ("Bashar Haddad", "PERSON"),
    }
    assert all(lab == "GPE" for _, lab in entity_hits(corpus, "aleppo", label="GPE"))
    assert all(lab == "GPE" for _, lab in entity_hits(corpus, "label:gpe"))
    assert not [h for h in corpus.search("label:GPE aleppo") if h.kind == "article"]
    assert entity_hits(corpus, "label:ORG hezbolah")[0] == ("Hezbollah", "ORG")
    assert entity_hits(corpus, "label:PERSON hezbolah") == []


def test_status_filters_follow_corrections(corpus: Store) -> None:
    aid = corpus.search("Hayat Tahrir al-Sham")[0].article_id
    span = next(s for s in corpus.spans(aid) if s.text == "HTS")
    assert entity_hits(corpus, "status:rejected") == []
    corpus.reject(span.id)
    assert entity_hits(corpus, "status:rejected") == [("HTS", "ORG")]
    assert ("HTS", "ORG") not in entity_hits(corpus, "HTS")
    assert ("HTS", "ORG") not in entity_hits(corpus, "status:suggested HTS")
    iran = next(s for s in corpus.spans(aid) if s.text == "Iran")
    corpus.accept(iran.id)
    assert entity_hits(corpus, "status:accepted") == [("Iran", "GPE")]
    assert ("Iran", "GPE") not in entity_hits(corpus, "status:suggested iran")
    assert entity_hits(corpus, "status:user") == []
    corpus.add_span(aid, 0, 5, "NORP")  # "Rebel"
    assert entity_hits(corpus, "status:user") == [("Rebel", "NORP")]
    assert entity_hits(corpus, "status:user rebl") == [("Rebel", "NORP")]


def test_reviewed_filter(corpus: Store) -> None:
    first = corpus.search("Hayat Tahrir")[0].article_id
    assert entity_hits(corpus, "reviewed:yes") == []
    corpus.set_reviewed(first)
    reviewed = entity_hits(corpus, "reviewed:yes")
    assert ("Hayat Tahrir al-Sham", "ORG") in reviewed
    assert ("Sergei Lavrov", "PERSON") not in reviewed
    assert entity_hits(corpus, "reviewed:no lavrov")[0] == ("Sergei Lavrov", "PERSON")
    assert entity_hits(corpus, "reviewed:no tahrir sham") == []
    arts = {h.article_id for h in corpus.search("reviewed:yes aleppo") if h.kind == "article"}
    assert arts == {first}
    hit = next(h for h in corpus.search("reviewed:no hezbollah") if h.kind == "entity")
    assert (hit.mentions, hit.articles) == (1, 1)


def test_unknown_filter_values_are_a_clear_error() -> None:
    with pytest.raises(QueryError, match="status:maybe"):
        parse("status:maybe aleppo")
    with pytest.raises(QueryError, match="reviewed:"):
        parse("reviewed:later")
    q = parse("column:x title:y Label:PERSON bashar")
    assert q.label == "PERSON" and q.text == "column:x title:y bashar"


def test_relabel_changes_what_search_returns_at_once(corpus: Store) -> None:
    aid = corpus.search("Hayat Tahrir")[0].article_id
    span = next(s for s in corpus.spans(aid) if s.text == "Hezbollah")
    corpus.relabel(span.id, "NORP")
    hits = {(h.text, h.label): h for h in corpus.search("Hezbollah") if h.kind == "entity"}
    assert hits[("Hezbollah", "NORP")].mentions == 1
    assert hits[("Hezbollah", "ORG")].mentions == 1
    corpus.undo()
    hits = {(h.text, h.label): h for h in corpus.search("Hezbollah") if h.kind == "entity"}
    assert ("Hezbollah", "NORP") not in hits
    assert hits[("Hezbollah", "ORG")].mentions == 2


def test_reject_every_mention_removes_the_entity(corpus: Store) -> None:
    for aid in (1, 2):
        for s in corpus.spans(aid):
            if s.text == "Hezbollah":
                corpus.reject(s.id)
    assert ("Hezbollah", "ORG") not in entity_hits(corpus, "Hezbollah")
    corpus.undo()
    hit = next(h for h in corpus.search("Hezbollah") if h.kind == "entity")
    assert (hit.text, hit.mentions, hit.articles) == ("Hezbollah", 1, 1)


def test_entity_table_matches_the_spans_after_many_changes(corpus: Store) -> None:
    aid = 1
    spans = corpus.spans(aid)
    corpus.reject(spans[0].id)
    corpus.relabel(spans[1].id, "ORG")
    corpus.resize(spans[2].id, spans[2].start, spans[2].end - 1)
    corpus.undo()
    corpus.redo()
    corpus.store_extraction([(2, list(spans_for(OTHER, [("Geneva", "GPE")])))], "model:x@1")
    assert_counts_consistent(corpus)


def assert_counts_consistent(store: Store) -> None:
    conn = store.db.conn
    expected = conn.execute(
        "SELECT text, label, COUNT(*), COUNT(DISTINCT article_id) FROM spans"
        " WHERE status != 'rejected' GROUP BY text, label ORDER BY text, label"
    ).fetchall()
    got = conn.execute(
        "SELECT surface, label, mentions, articles FROM entities ORDER BY surface, label"
    ).fetchall()
    assert [tuple(r) for r in got] == [tuple(r) for r in expected]
    fts = conn.execute("SELECT COUNT(*) FROM entities_fts").fetchone()[0]
    assert fts == len(got)
    conn.execute("INSERT INTO entities_fts (entities_fts) VALUES ('integrity-check')")
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")


HOSTILE = [
    '"',
    '""',
    "'",
    "*",
    "-",
    "- aleppo",
    "aleppo*",
    "NEAR(aleppo iran)",
    "aleppo AND iran",
    "aleppo OR",
    "NOT aleppo",
    "(",
    ")",
    "[bold]",
    "{x}",
    "^aleppo",
    "title:aleppo",
    "text: iran",
    "a:b:c",
    "label:",
    "status:",
    "\\",
    "%_",
    "\x00aleppo",
    "al'eppo",
    'ale"ppo',
    ":",
    "  ",
    "",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_query_text_is_searched_as_text(corpus: Store, query: str) -> None:
    hits = corpus.search(query)
    assert isinstance(hits, list)


def test_operators_are_words_not_syntax(store: Store) -> None:
    add(store, "The NEAR East AND the OR tribe. NOT here.", [("NEAR East", "LOC")])
    assert entity_hits(store, "NEAR East")[0] == ("NEAR East", "LOC")
    arts = [h for h in store.search("OR tribe") if h.kind == "article"]
    assert len(arts) == 1
    assert store.search("aleppo OR tribe") == []


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=30))
def test_any_text_never_raises_an_sql_error(corpus: Store, query: str) -> None:
    try:
        corpus.search(query, limit=5)
    except QueryError:
        pass  # a status:/reviewed: value it does not know: a clear message, not SQL


def test_empty_query_and_zero_limit(corpus: Store) -> None:
    assert corpus.search("", limit=0) == []
    hits = corpus.search("")
    assert hits and all(h.kind == "entity" for h in hits)
    assert hits[0].mentions >= hits[-1].mentions


def test_diacritics_and_case_fold(store: Store) -> None:
    add(store, "Recep Tayyip Erdoğan spoke in Ankara.", [("Recep Tayyip Erdoğan", "PERSON")])
    assert entity_hits(store, "erdogan")[0] == ("Recep Tayyip Erdoğan", "PERSON")
    arts = [h for h in store.search("erdogan") if h.kind == "article"]
    assert arts and arts[0].start is not None
    text = store.article(arts[0].article_id).text
    assert "Erdoğan" in text[arts[0].start : arts[0].end]
    assert not entity_hits(store, "label:PERSON status:rejected erdogan")


def test_entity_mentions(corpus: Store) -> None:
    mentions = corpus.entity_mentions("Hezbollah", "ORG")
    assert [m.article_id for m in mentions] == [2, 1]
    for m in mentions:
        text = corpus.article(m.article_id).text
        assert text[m.start : m.end] == "Hezbollah"
        assert text[: m.start].endswith(m.before) and text[m.end :].startswith(m.after)


def test_migration_backfills_an_existing_database(db_path: Path) -> None:
    """A database made before search existed gets its indexes filled from its rows."""
    from store.db import connect as open_raw
    from store.db import migrate

    db = open_raw(db_path)
    migrate(db, upto=1)  # the schema before search existed
    db.conn.close()
    conn = connect(db_path)
    conn.execute("BEGIN")
    stamp = "2024-01-01T00:00:00"
    conn.execute(
        "INSERT INTO articles (id, title, text, content_hash, imported_at, length)"
        " VALUES (1, 't', ?, 'h', ?, ?)",
        (TEXT, stamp, len(TEXT)),
    )
    for s in spans_for(TEXT, ENTITIES):
        conn.execute(
            'INSERT INTO spans (article_id, start, "end", label, source, status, text,'
            " created_at, updated_at) VALUES (1, ?, ?, ?, 'model:x', 'suggested', ?, ?, ?)",
            (s.start, s.end, s.label, TEXT[s.start : s.end], stamp, stamp),
        )
    conn.execute("UPDATE spans SET status = 'rejected' WHERE text = 'HTS'")
    conn.execute("COMMIT")
    conn.close()
    store = open_store(db_path)
    try:
        assert entity_hits(store, "Hezbolah")[0] == ("Hezbollah", "ORG")
        assert ("HTS", "ORG") not in entity_hits(store, "HTS")
        assert [h.article_id for h in store.search("rebel forces") if h.kind == "article"] == [1]
        assert_counts_consistent(store)
    finally:
        store.close()


def test_store_without_textual(tmp_path: Path) -> None:
    """search lives in store/, which must not pull in the terminal libraries."""
    import subprocess
    import sys

    code = (
        "import sys, store.search, store.search.parse;"
        "assert 'textual' not in sys.modules and 'rich' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_sqlite_has_fts5_trigram() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")


OPS = st.lists(
    st.tuples(
        st.sampled_from(["reject", "accept", "relabel", "resize", "undo", "redo", "review"]),
        st.integers(0, 30),
        st.sampled_from(["ORG", "GPE", "PERSON", "NORP"]),
    ),
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(OPS)
def test_entity_counts_stay_true_under_any_corrections(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, int, str]]
) -> None:
    """Whatever a person does (and undoes), the entity table equals a fresh count of spans."""
    from store import CorrectionError, SpanError

    store = open_store(tmp_path_factory.mktemp("ops") / "m.db")
    try:
        add(store, TEXT, ENTITIES)
        add(store, OTHER, OTHER_ENTITIES)
        for op, n, label in ops:
            spans = store.spans(1 + n % 2)
            span = spans[n % len(spans)]
            try:
                if op == "reject":
                    store.reject(span.id)
                elif op == "accept":
                    store.accept(span.id)
                elif op == "relabel":
                    store.relabel(span.id, label)
                elif op == "resize":
                    store.resize(span.id, span.start, span.end - 1)
                elif op == "undo":
                    store.undo()
                elif op == "redo":
                    store.redo()
                else:
                    store.set_reviewed(1 + n % 2, bool(n % 3))
            except (CorrectionError, SpanError):
                pass
            assert_counts_consistent(store)
    finally:
        store.close()


def test_suggested_counts_leave_out_accepted_mentions(corpus: Store) -> None:
    def suggested() -> tuple[int, int] | None:
        hits = [h for h in corpus.search("status:suggested aleppo") if h.text == "Aleppo"]
        return (hits[0].mentions, hits[0].articles) if hits else None

    assert suggested() == (2, 1)
    first, second = [s for s in corpus.spans(1) if s.text == "Aleppo"]
    corpus.accept(first.id)
    assert suggested() == (1, 1)
    corpus.accept(second.id)
    assert suggested() is None
    hit = next(h for h in corpus.search("status:accepted aleppo") if h.text == "Aleppo")
    assert (hit.mentions, hit.articles) == (2, 1)
    corpus.undo()
    assert suggested() == (1, 1)
