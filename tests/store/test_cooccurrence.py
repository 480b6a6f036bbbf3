"""Co-occurrence over the whole corpus: every article of the entity, aliases as their entity."""

from __future__ import annotations

from store import ArticleDraft, SpanDraft
from store.entities.cooccurrence import cooccurring


def draft(text: str, items: list[tuple[str, str]]) -> ArticleDraft:
    spans = []
    for surface, label in items:
        start = text.find(surface)
        while start >= 0:
            spans.append(SpanDraft(start, start + len(surface), label, "model:t@1"))
            start = text.find(surface, start + len(surface))
    spans.sort(key=lambda s: s.start)
    return ArticleDraft(text, title=text[:20], spans=tuple(spans))


def test_every_article_counts_not_only_the_newest(store) -> None:
    # 230 older articles name Idlib beside Aleppo, the 60 newest name Raqqa: a sample of the
    # newest 200 (what the page read before) saw Idlib in 140 and put Raqqa close behind
    old = [
        draft(f"Aleppo and Idlib, {i}.", [("Aleppo", "GPE"), ("Idlib", "GPE")]) for i in range(230)
    ]
    new = [
        draft(f"Aleppo and Raqqa, {i}.", [("Aleppo", "GPE"), ("Raqqa", "GPE")]) for i in range(60)
    ]
    store.add_articles([*old, *new])
    near = {n.name: n.articles for n in cooccurring(store.db, ("Aleppo",))}
    assert near == {"Idlib": 230, "Raqqa": 60}
    assert [n.name for n in store.entity_page("Aleppo").neighbours] == ["Idlib", "Raqqa"]


def test_an_article_counts_once_per_entity_with_its_aliases_and_main_label(store) -> None:
    store.add_articles(
        [
            draft(
                "HTS, or Hayat Tahrir al-Sham, took Aleppo. HTS again.",
                [("HTS", "ORG"), ("Hayat Tahrir al-Sham", "ORG"), ("Aleppo", "GPE")],
            ),
            draft("HTS held Aleppo.", [("HTS", "PERSON"), ("Aleppo", "GPE")]),
            draft("Hayat Tahrir al-Sham left Aleppo.", [("Hayat Tahrir al-Sham", "ORG")]),
            draft("Homs, not Aleppo.", [("Homs", "GPE"), ("Aleppo", "GPE")]),
        ]
    )
    store.alias("HTS", "Hayat Tahrir al-Sham")
    near = cooccurring(store.db, ("Aleppo",))
    # articles 1 and 2 name the entity beside Aleppo (article 1 three times, by two names);
    # article 3 names no Aleppo span; its main label is ORG (2 articles to PERSON's 1)
    assert [(n.name, n.label, n.articles) for n in near] == [
        ("Hayat Tahrir al-Sham", "ORG", 2),
        ("Homs", "GPE", 1),
    ]
    # and the other way round: every name of the entity is the entity, Aleppo not a neighbour
    # of itself
    assert [
        (n.name, n.articles) for n in cooccurring(store.db, ("Hayat Tahrir al-Sham", "HTS"))
    ] == [("Aleppo", 2)]


def test_rejected_spans_do_not_make_neighbours(store) -> None:
    store.add_articles([draft("Aleppo and Idlib.", [("Aleppo", "GPE"), ("Idlib", "GPE")])])
    idlib = next(s for s in store.spans(1) if s.text == "Idlib")
    store.reject(idlib.id)
    assert cooccurring(store.db, ("Aleppo",)) == []
    store.undo()
    assert [n.name for n in cooccurring(store.db, ("Aleppo",))] == ["Idlib"]
