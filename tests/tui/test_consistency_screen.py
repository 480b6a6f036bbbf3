"""The consistency queue screen: C in the library, enter resolves, i keeps, e opens the entity page."""

from __future__ import annotations

from store import ArticleDraft
from tui.app import MarginApp
from tui.screens.consistency import ConsistencyScreen
from tui.screens.entity_page import EntityPageScreen
from tui.screens.label_picker import LabelPicker

from .conftest import spans_for
from .helpers import press, settle, wait_for


def add_conflict(store) -> None:
    text = "Aleppo is a city. Geneva too."
    store.add_article(
        ArticleDraft(
            text, title="Two", spans=spans_for(text, [("Aleppo", "GPE"), ("Geneva", "ORG")])
        )
    )


async def open_queue(pilot, app: MarginApp) -> ConsistencyScreen:
    await settle(pilot)
    await press(pilot, "C")
    screen = app.screen
    assert isinstance(screen, ConsistencyScreen)
    await wait_for(pilot, lambda: not screen.busy, "the queue")
    return screen


async def test_enter_resolves_the_item_and_u_brings_it_back(seeded):
    add_conflict(seeded)
    app = MarginApp(seeded)
    async with app.run_test(size=(120, 30)) as pilot:
        queue = await open_queue(pilot, app)
        assert [(i.kind, i.surface) for i in queue.items][:2] == [
            ("labels", "Aleppo"),
            ("labels", "Geneva"),
        ]
        await press(pilot, "enter")
        await settle(pilot)
        assert seeded.entity_page("Aleppo").labels == {"NORP": 5}
        assert [i.surface for i in queue.items] == ["Geneva"]
        await press(pilot, "u")
        await settle(pilot)
        assert [i.surface for i in queue.items] == ["Aleppo", "Geneva"]


async def test_l_resolves_with_a_chosen_label_and_i_keeps_an_item(seeded):
    add_conflict(seeded)
    app = MarginApp(seeded)
    async with app.run_test(size=(120, 30)) as pilot:
        queue = await open_queue(pilot, app)
        await press(pilot, "l")
        assert isinstance(app.screen, LabelPicker)
        await press(pilot, *"GPE", "enter")
        await settle(pilot)
        assert seeded.entity_page("Aleppo").labels == {"GPE": 5}
        await press(pilot, "i")  # Geneva: meant to be both
        await settle(pilot)
        assert queue.items == []
        assert "agrees with itself" in str(queue.query_one("#check-title").render())


async def test_e_opens_the_entity_page_of_the_item(seeded):
    add_conflict(seeded)
    app = MarginApp(seeded)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_queue(pilot, app)
        await press(pilot, "e")
        assert isinstance(app.screen, EntityPageScreen) and app.screen.name_asked == "Aleppo"
        await press(pilot, "escape", "escape")
        assert not isinstance(app.screen, (ConsistencyScreen, EntityPageScreen))


def add_overlap(store) -> None:
    text = "The Aleppo Council met. The Aleppo Council spoke."
    store.add_article(
        ArticleDraft(text, title="Nested", spans=spans_for(text, [("Aleppo Council", "ORG")]))
    )
    store.set_allow_overlaps(True)
    article = max(a.id for a in store.articles(sort="newest"))
    for at in (4, 28):  # the Aleppo inside each Aleppo Council
        assert text[at : at + 6] == "Aleppo"
        store.add_span(article, at, at + 6, "GPE")
    store.set_allow_overlaps(False)


async def test_an_overlap_shows_both_names_enter_keeps_the_longer_and_u_undoes(seeded):
    add_overlap(seeded)
    app = MarginApp(seeded)
    async with app.run_test(size=(160, 30)) as pilot:
        queue = await open_queue(pilot, app)
        kinds = [i.kind for i in queue.items]
        assert "overlap" in kinds
        index = kinds.index("overlap")
        item = queue.items[index]
        assert (item.surface, item.other, item.articles) == ("Aleppo Council", "Aleppo", 1)
        shown = str(queue.listing.get_option_at_index(index).prompt)
        assert "overlapping spans" in shown and "'Aleppo' (GPE)" in shown
        queue.listing.highlighted = index
        await press(pilot, "enter")
        await settle(pilot)
        assert "overlap" not in [i.kind for i in queue.items]
        nested = max(a.id for a in seeded.articles(sort="newest"))
        live = [s.text for s in seeded.spans(nested) if s.status != "rejected"]
        assert live == ["Aleppo Council", "Aleppo Council"]
        await press(pilot, "u")
        await settle(pilot)
        assert "overlap" in [i.kind for i in queue.items]
        queue.listing.highlighted = [i.kind for i in queue.items].index("overlap")
        await press(pilot, "i")  # intended: the queue stops showing it
        await settle(pilot)
        assert "overlap" not in [i.kind for i in queue.items]
