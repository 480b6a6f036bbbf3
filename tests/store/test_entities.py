"""Entities across the corpus: pages, aliases (undoable), co-occurrence, timelines, bulk decisions."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import ArticleDraft, SpanDraft, open_store
from store.entities.suggest import acronym
from store.entities.timeline import Bucket, bars
from store.errors import CorrectionError, NotFound


def draft(text: str, items: list[tuple[str, str]], date: str | None = None) -> ArticleDraft:
    spans = []
    for surface, label in items:
        start = text.find(surface)
        while start >= 0:
            spans.append(SpanDraft(start, start + len(surface), label, "model:t@1"))
            start = text.find(surface, start + len(surface))
    spans.sort(key=lambda s: s.start)
    return ArticleDraft(text, title=text[:20], spans=tuple(spans), date=date)


@pytest.fixture
def corpus(store):
    store.add_articles(
        [
            draft(
                "Hayat Tahrir al-Sham took Idlib. Assad fled.",
                [("Hayat Tahrir al-Sham", "ORG"), ("Idlib", "GPE"), ("Assad", "PERSON")],
                "2024-12-01",
            ),
            draft(
                "HTS fighters entered Aleppo. Bashar al-Assad spoke. Aleppo fell.",
                [("HTS", "ORG"), ("Aleppo", "GPE"), ("Bashar al-Assad", "PERSON")],
                "2024-12-08",
            ),
            draft(
                "Aleppo was quiet. HTS said so.", [("Aleppo", "ORG"), ("HTS", "ORG")], "2024-12-09"
            ),
            draft("Labour won in Aleppo.", [("Labour", "ORG"), ("Aleppo", "GPE")]),
        ]
    )
    return store


def test_the_page_counts_labels_and_lists_mentions_with_their_sentence(corpus) -> None:
    page = corpus.entity_page("Aleppo")
    assert page.labels == {"GPE": 3, "ORG": 1}
    assert page.distribution() == "Aleppo: GPE 3 · ORG 1"
    assert page.total == 4
    assert [m.article_id for m in page.mentions][:1] == [4]  # undated: today, the newest
    second = next(m for m in page.mentions if m.article_id == 2)
    assert second.before + second.text + second.after == "HTS fighters entered Aleppo."
    assert second.date == "2024-12-08" and second.dated
    assert corpus.entity_page("Aleppo", label="ORG").total == 1
    assert [m.label for m in corpus.entity_page("Aleppo", label="ORG").mentions] == ["ORG"]


def test_an_unknown_name_is_one_sentence(corpus) -> None:
    with pytest.raises(NotFound, match="no entity is named 'Nowhere'"):
        corpus.entity_page("Nowhere")


def test_rejected_mentions_count_unless_a_correction_replaced_them(corpus) -> None:
    spans = [s for s in corpus.spans(2) if s.text == "Aleppo"]
    corpus.reject(spans[0].id)
    corpus.relabel(spans[1].id, "LOC")  # the model's span is kept rejected, a user span replaces it
    page = corpus.entity_page("Aleppo")
    assert page.statuses["rejected"] == 1
    assert page.labels == {"GPE": 1, "ORG": 1, "LOC": 1}
    assert "1 rejected" in page.distribution()
    rejected = corpus.entity_page("Aleppo", status="rejected")
    assert rejected.total == 1 and {m.status for m in rejected.mentions} == {"rejected"}


def test_co_occurrence_counts_shared_articles(corpus) -> None:
    near = {n.name: n.articles for n in corpus.entity_page("Aleppo").neighbours}
    assert near["HTS"] == 2 and near["Labour"] == 1 and "Aleppo" not in near


def test_the_timeline_counts_mentions_per_day_and_week() -> None:
    days = [Bucket("2024-12-02", "2024-12-03", 2), Bucket("2024-12-10", "2024-12-11", 1)]
    weeks = bars(days, "week")
    assert [(b.start, b.count) for b in weeks] == [("2024-12-02", 2), ("2024-12-09", 1)]
    assert len(bars(days, "day")) == 9 and sum(b.count for b in bars(days, "day")) == 3


def test_timeline_from_the_store_uses_article_dates(corpus) -> None:
    page = corpus.entity_page("HTS")
    assert [(b.start, b.count) for b in page.timeline] == [("2024-12-08", 1), ("2024-12-09", 1)]


def test_an_alias_merges_mentions_and_undo_takes_it_back(corpus) -> None:
    before = corpus.entity_page("Hayat Tahrir al-Sham").entity.id
    entity = corpus.alias("HTS", "Hayat Tahrir al-Sham")
    assert entity.id == before and entity.aliases == ("HTS",)
    page = corpus.entity_page("HTS")  # any name opens the canonical page
    assert page.entity.name == "Hayat Tahrir al-Sham" and page.total == 3
    assert corpus.next_undo().describe() == "alias 'HTS' → Hayat Tahrir al-Sham"
    corpus.undo()
    assert corpus.entity_page("HTS").entity.name == "HTS"
    corpus.redo()
    assert corpus.entity_page("HTS").entity.name == "Hayat Tahrir al-Sham"
    corpus.unalias("HTS")
    assert corpus.resolve_entity("HTS").aliases == ()
    corpus.undo()
    assert corpus.resolve_entity("HTS").name == "Hayat Tahrir al-Sham"


def test_ids_are_stable_and_an_alias_shares_its_entitys(corpus) -> None:
    ids = corpus.entity_ids({"HTS", "Hayat Tahrir al-Sham", "Aleppo"})
    corpus.alias("HTS", "Hayat Tahrir al-Sham")
    after = corpus.entity_ids({"HTS", "Hayat Tahrir al-Sham", "Aleppo"})
    assert after["HTS"] == after["Hayat Tahrir al-Sham"] == ids["Hayat Tahrir al-Sham"]
    assert after["Aleppo"] == ids["Aleppo"]


def test_aliasing_an_entity_moves_its_own_aliases(corpus) -> None:
    corpus.alias("Assad", "Bashar al-Assad")
    corpus.alias("Bashar al-Assad", "President Assad")
    entity = corpus.resolve_entity("Assad")
    assert entity.name == "President Assad"
    assert set(entity.aliases) == {"Assad", "Bashar al-Assad"}


def test_names_said_to_differ_are_never_aliased_nor_suggested(corpus) -> None:
    assert [s.alias for s in corpus.alias_suggestions("Hayat Tahrir al-Sham")] == ["HTS"]
    corpus.mark_distinct("HTS", "Hayat Tahrir al-Sham")
    assert corpus.alias_suggestions("Hayat Tahrir al-Sham") == []
    with pytest.raises(CorrectionError, match="marked as different entities"):
        corpus.alias("HTS", "Hayat Tahrir al-Sham")
    corpus.undo()
    corpus.alias("HTS", "Hayat Tahrir al-Sham")


def test_suggestions_find_acronyms_and_contained_names(corpus) -> None:
    assert acronym("Hayat Tahrir al-Sham") == "HTS" and acronym("Labour") == ""
    found = {s.alias: s.reason for s in corpus.alias_suggestions("Assad")}
    assert found == {"Bashar al-Assad": "contained"}
    assert [s.alias for s in corpus.alias_suggestions("HTS")] == ["Hayat Tahrir al-Sham"]


def test_bulk_decisions_are_one_undo_step(corpus) -> None:
    ids = [m.span_id for m in corpus.entity_page("Aleppo").mentions]
    assert corpus.bulk_decide(ids[:2], "accept") == 2
    assert corpus.bulk_decide(ids[2:], "relabel", "LOC") == 2
    labels = corpus.entity_page("Aleppo").labels
    assert labels.get("LOC") == 2
    corpus.undo()
    assert corpus.entity_page("Aleppo").labels == {"GPE": 3, "ORG": 1}
    assert corpus.entity_page("Aleppo").statuses["accepted"] == 2
    corpus.undo()
    assert corpus.entity_page("Aleppo").statuses["accepted"] == 0
    with pytest.raises(CorrectionError):
        corpus.bulk_decide([], "accept")


def test_one_label_runs_over_every_alias_with_one_undo(corpus) -> None:
    corpus.alias("HTS", "Hayat Tahrir al-Sham")
    plan = corpus.plan_one_label("HTS", "MILITIA")
    assert plan.mentions == 3 and plan.articles == 3
    assert corpus.one_label("HTS", "MILITIA") == 3
    assert corpus.entity_page("HTS").labels == {"MILITIA": 3}
    corpus.undo()
    assert corpus.entity_page("HTS").labels == {"ORG": 3}


def test_search_finds_an_alias_and_names_its_entity(corpus) -> None:
    corpus.alias("HTS", "Hayat Tahrir al-Sham")
    hit = next(h for h in corpus.search("HTS") if h.kind == "entity" and h.text == "HTS")
    assert hit.canonical == "Hayat Tahrir al-Sham"
    assert hit.as_dict()["canonical"] == "Hayat Tahrir al-Sham"
    other = next(h for h in corpus.search("Aleppo") if h.kind == "entity")
    assert other.canonical is None and "canonical" not in other.as_dict()


NAMES = ["HTS", "Hayat Tahrir al-Sham", "Assad", "Bashar al-Assad", "Aleppo"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["alias", "unalias", "not"]),
            st.sampled_from(NAMES),
            st.sampled_from(NAMES),
        ),
        max_size=8,
    )
)
def test_any_sequence_of_alias_decisions_undoes_to_nothing(steps) -> None:
    store = open_store(":memory:")
    try:
        store.add_articles([draft(" ".join(NAMES) + ".", [(n, "ORG") for n in NAMES])])
        done = 0
        for action, a, b in steps:
            try:
                if action == "alias":
                    store.alias(a, b)
                elif action == "unalias":
                    store.unalias(a)
                else:
                    store.mark_distinct(a, b)
            except CorrectionError:
                continue
            done += 1
            for name in NAMES:  # every name stands for exactly one entity, canonical or not
                entity = store.resolve_entity(name)
                assert entity is not None and name in entity.names
        for _ in range(done):
            store.undo()
        assert store.aliased_entities() == []
        assert store.db.execute("SELECT COUNT(*) FROM distinct_names").fetchone()[0] == 0
    finally:
        store.close()
