"""The consistency queue: each kind of contradiction found, resolved by propagation, or kept."""

from __future__ import annotations

import pytest

from store.errors import NotFound

from .test_entities import draft


@pytest.fixture
def messy(store):
    store.add_articles(
        [
            draft("Aleppo fell. Aleppo burned.", [("Aleppo", "GPE")]),
            draft("Aleppo was quiet.", [("Aleppo", "ORG")]),
            draft("the World Cup began. Fans love the World Cup.", [("the World Cup", "EVENT")]),
            draft("World Cup fans sang.", [("World Cup", "EVENT")]),
            draft("Hezbollah spoke.", [("Hezbollah", "ORG")]),
            draft("Hezbollah again.", [("Hezbollah", "ORG")]),
            draft("Line\nbreak here.", [("Line\nbreak", "ORG")]),
        ]
    )
    first = next(s for s in store.spans(5) if s.text == "Hezbollah")
    second = next(s for s in store.spans(6) if s.text == "Hezbollah")
    store.accept(first.id)
    store.reject(second.id)
    return store


def kinds(store) -> dict[str, str]:
    return {i.kind: i.surface for i in store.check(None)}


def test_every_kind_is_found(messy) -> None:
    items = {(i.kind, i.surface): i for i in messy.check(None)}
    assert items[("labels", "Aleppo")].detail == "GPE 2 · ORG 1"
    assert items[("labels", "Aleppo")].label == "GPE"
    assert items[("decisions", "Hezbollah")].detail == "ORG: accepted 1 · rejected 1"
    assert items[("boundary", "the World Cup")].other == "World Cup"
    assert items[("training", "Line\nbreak")].detail.endswith("crosses a line break")
    assert len(messy.check(2)) == 2  # a first page


def test_resolving_propagates_and_undo_brings_the_item_back(messy) -> None:
    assert messy.resolve_check("labels", "Aleppo") == 3  # one relabelled, two accepted
    assert messy.entity_page("Aleppo").labels == {"GPE": 3}
    assert "labels" not in kinds(messy)
    messy.undo()
    assert kinds(messy)["labels"] == "Aleppo"


def test_resolving_a_boundary_keeps_the_short_form(messy) -> None:
    messy.resolve_check("boundary", "the World Cup")
    assert messy.entity_page("World Cup").labels == {"EVENT": 3}
    assert "boundary" not in kinds(messy)


def test_resolving_a_decision_follows_the_majority_and_training_items_are_rejected(messy) -> None:
    messy.resolve_check("decisions", "Hezbollah")
    assert messy.entity_page("Hezbollah").statuses == {
        "suggested": 0,
        "accepted": 2,
        "rejected": 0,
    }
    messy.resolve_check("training", "Line\nbreak")
    assert "training" not in kinds(messy)


def test_marked_intended_the_queue_stops_showing_it_until_undone(messy) -> None:
    messy.mark_intended("labels", "Aleppo")
    assert "labels" not in kinds(messy)
    assert messy.next_undo().describe() == "intended 'Aleppo'"
    messy.undo()
    assert kinds(messy)["labels"] == "Aleppo"


def test_resolving_what_is_not_in_the_queue_says_so(messy) -> None:
    with pytest.raises(NotFound, match="no 'labels' item for 'Hezbollah'"):
        messy.resolve_check("labels", "Hezbollah")
