"""Propagation: which mentions change, word boundaries, one group, one undo, SQL prefilter."""

from __future__ import annotations

import pytest

from store import ArticleDraft, CorrectionError, NotFound
from tests.helpers import SEED, add_extracted, snapshot

SECOND = (
    "Aleppo is quiet tonight. The Aleppos of this world (Aleppo, NeoAleppo) wait; "
    "Aleppo\u2019s markets reopened. Aleppo-based doctors and ALEPPO shouted."
)


def mentions(store, aid, text="Aleppo"):
    return [s for s in store.spans(aid) if s.text == text]


def test_preview_lists_every_mention_that_would_change(store):
    a = add_extracted(store, SEED)
    b = add_extracted(store, SECOND)
    untouched = add_extracted(store, "Nothing about that city here. Russia only.")
    first = mentions(store, a)[0]
    store.relabel(first.id, "GPE")
    before = snapshot(store)
    p = store.preview_propagation("Aleppo", "GPE")
    assert snapshot(store) == before  # a preview changes nothing
    assert p.articles == 2
    assert untouched not in {m.article_id for m in p.mentions}
    # SEED: one relabelled already, one still NORP. SECOND: the fake tags 4 whole-word Aleppo
    counts = p.counts()
    assert counts["relabel"] == 1 + 4
    # "Aleppo" inside "NeoAleppo" and "Aleppos" is not a mention; ALEPPO differs in case
    starts = sorted(m.start for m in p.mentions if m.article_id == b)
    expected = [i for i in range(len(SECOND)) if SECOND.startswith("Aleppo", i)]
    expected = [i for i in expected if not (SECOND[i - 1 : i].isalpha() or SECOND[i + 6].isalpha())]
    assert starts == expected
    m = next(m for m in p.mentions if m.article_id == a)
    assert m.current_label == "NORP" and m.span_id is not None and m.action == "relabel"
    assert (
        SEED[m.start - len(m.before) : m.start] == m.before and m.after == SEED[m.end : m.end + 40]
    )


def test_untagged_mentions_are_added_and_overlaps_skipped(store):
    text = "Aleppo fell. Greater Aleppo Council met. In Aleppo, calm."
    aid = store.add_article(ArticleDraft(text)).article_id  # no extraction: all untagged
    council = text.index("Greater")
    store.add_span(aid, council, council + len("Greater Aleppo Council"), "ORG")
    p = store.preview_propagation("Aleppo", "GPE")
    assert p.counts() == {"add": 2}
    assert [(m.start, m.action) for m in p.skipped] == [(text.index("Aleppo", council), "skip")]
    assert store.propagate("Aleppo", "GPE") == 2
    added = mentions(store, aid)
    assert all(s.label == "GPE" and s.source == "user" and s.status == "accepted" for s in added)


def test_suggestions_with_the_label_are_accepted(store):
    aid = add_extracted(store, SEED)
    p = store.preview_propagation("Aleppo", "NORP")
    assert p.counts() == {"accept": 2}
    store.propagate("Aleppo", "NORP")
    assert {s.status for s in mentions(store, aid)} == {"accepted"}
    assert store.preview_propagation("Aleppo", "NORP").mentions == ()


def test_reject_propagation(store):
    a = add_extracted(store, SEED)
    b = add_extracted(store, SECOND)
    n = store.propagate("Aleppo", None)
    assert n == 2 + 4
    for aid in (a, b):
        assert {s.status for s in mentions(store, aid)} == {"rejected"}
    # nothing untagged was added
    assert all(s.source.startswith("model:") for s in mentions(store, b))
    (rule,) = store.rules()
    assert (rule.surface, rule.label, rule.action) == ("Aleppo", None, "reject")


def test_propagation_is_one_group_and_one_undo(store):
    a = add_extracted(store, SEED)
    add_extracted(store, SECOND)
    start = snapshot(store)
    n = store.propagate("Aleppo", "GPE")
    assert n == 6
    groups = store.db.execute(
        "SELECT COUNT(DISTINCT group_id) FROM journal WHERE undoable = 1"
    ).fetchone()[0]
    assert groups == 1
    assert {s.label for s in mentions(store, a) if s.status != "rejected"} == {"GPE"}
    assert {s.source for s in mentions(store, a) if s.status == "rejected"} == {"model:fake@1"}
    touched = store.undo()
    assert touched == [1, 2]
    assert snapshot(store) == start
    assert store.rules() == []


def test_the_decision_being_propagated_undoes_with_it(store):
    a = add_extracted(store, SEED)
    add_extracted(store, SECOND)
    start = snapshot(store)
    first = mentions(store, a)[0]
    store.relabel(first.id, "GPE")
    store.propagate("Aleppo", "GPE")
    store.undo()  # one undo: the propagation and the relabel it repeated
    assert snapshot(store) == start
    assert not store.can_undo()


def test_an_unrelated_last_change_keeps_its_own_undo_step(store):
    a = add_extracted(store, SEED)
    russia = next(s for s in store.spans(a) if s.text != "Aleppo")
    store.reject(russia.id)
    after_reject = snapshot(store)
    store.propagate("Aleppo", "GPE")
    store.undo()
    assert snapshot(store) == after_reject
    assert store.can_undo()


def test_article_scope(store):
    a = add_extracted(store, SEED)
    b = add_extracted(store, SECOND)
    p = store.preview_propagation("Aleppo", "GPE", article_id=a)
    assert {m.article_id for m in p.mentions} == {a}
    store.propagate("Aleppo", "GPE", article_id=a, learn=False)
    assert {s.label for s in mentions(store, b)} == {"NORP"}
    assert store.rules() == []
    with pytest.raises(NotFound):
        store.preview_propagation("Aleppo", "GPE", article_id=99)
    # limited to one article, a propagation teaches no rule unless asked to
    store.propagate("Aleppo", "LOC", article_id=b)
    assert store.rules() == []
    store.propagate("Aleppo", "GPE", article_id=b, learn=True)
    assert [(r.surface, r.label) for r in store.rules()] == [("Aleppo", "GPE")]


def test_ignore_case_including_non_ascii(store):
    aid = store.add_article(
        ArticleDraft("Ürümqi grew. ÜRÜMQI is loud; ürümqi sleeps. XÜrümqi no. Ürümqi\u0301 no.")
    ).article_id
    assert len(store.preview_propagation("Ürümqi", "GPE").mentions) == 1
    p = store.preview_propagation("ürümqi", "GPE", case_sensitive=False)
    assert [m.text for m in p.mentions] == ["Ürümqi", "ÜRÜMQI", "ürümqi"]
    store.propagate("ürümqi", "GPE", case_sensitive=False)
    assert [s.text for s in store.spans(aid)] == ["Ürümqi", "ÜRÜMQI", "ürümqi"]
    (rule,) = store.rules()
    assert not rule.case_sensitive


def test_ascii_ignore_case_and_like_wildcards(store):
    store.add_article(ArticleDraft("100% sure: 100% of ALEPPO and aleppo. 100x is not it."))
    assert [
        m.text for m in store.preview_propagation("Aleppo", "GPE", case_sensitive=False).mentions
    ] == [
        "ALEPPO",
        "aleppo",
    ]
    assert len(store.preview_propagation("100%", "PERCENT").mentions) == 2
    assert len(store.preview_propagation("_", "X").mentions) == 0


def test_surfaces_with_punctuation_edges(store):
    aid = store.add_article(ArticleDraft("The U.S. and the U.S.A. and U.S.-led forces.")).article_id
    p = store.preview_propagation("U.S.", "GPE")
    # "U.S." inside "U.S.A." touches the word character 'A': not a mention
    assert [m.start for m in p.mentions] == [4, 28]
    assert aid


def test_bad_arguments(store):
    add_extracted(store, SEED)
    before = snapshot(store)
    with pytest.raises(CorrectionError):
        store.propagate("  ", "GPE")
    with pytest.raises(ValueError):
        store.propagate("Aleppo", " ")
    assert snapshot(store) == before


def test_nothing_to_change_without_learning_records_nothing(store):
    add_extracted(store, SEED)
    assert store.propagate("Damascus", "GPE", learn=False) == 0
    assert not store.can_undo()
    assert store.propagate("Damascus", "GPE") == 0  # but the rule is learned, and undoable
    assert [r.surface for r in store.rules()] == ["Damascus"]
    store.undo()
    assert store.rules() == []


def test_many_articles_in_batches(store):
    texts = [
        f"Report {i}: " + ("Aleppo stands. " if i % 3 == 0 else "Homs waits. ") for i in range(650)
    ]
    store.add_articles([ArticleDraft(t) for t in texts])
    p = store.preview_propagation("Aleppo", "GPE")
    assert p.articles == len([i for i in range(650) if i % 3 == 0])
    assert store.propagate("Aleppo", "GPE") == p.articles
    store.undo()
    assert store.preview_propagation("Aleppo", "GPE").articles == p.articles


def test_only_articles_containing_the_surface_reach_python(store, monkeypatch):
    store.add_articles([ArticleDraft(f"Homs report {i}.") for i in range(300)])
    store.add_article(ArticleDraft("Aleppo report."))
    seen = []
    import store.propagation as propagation

    original = propagation._plan_batch

    def spy(db, q, arts, *args):
        seen.extend(a[0] for a in arts)  # (id, title, text, reviewed)
        return original(db, q, arts, *args)

    monkeypatch.setattr(propagation, "_plan_batch", spy)
    assert len(store.preview_propagation("Aleppo", "GPE").mentions) == 1
    assert len(seen) == 1
