"""Pilot tests of the search screen and the mentions screen, in a tiny App that has a store."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Input, OptionList, Static

from store import ArticleDraft, SpanDraft, Store, open_store
from tui.messages import OpenArticle
from tui.screens.entity_page import EntityPageScreen
from tui.screens.search import SearchScreen

from .helpers import wait_for

TEXT = (
    "Rebel forces took Aleppo, a blow to President Bashar al-Assad. Hezbollah and Iran are "
    "weakened. Hayat Tahrir al-Sham led the rebels. [bold]not markup[/bold]"
)
OTHER = "In Geneva, Hezbollah was not mentioned by Bashar al-Assad's envoy."


def spans(text: str, entities: list[tuple[str, str]]) -> tuple[SpanDraft, ...]:
    out = []
    for surface, label in entities:
        i = text.find(surface)
        if i >= 0:
            out.append(SpanDraft(i, i + len(surface), label, "model:test@1"))
    return tuple(out)


class SearchApp(App[None]):
    """What the real App gives the screen: ``.store``; records OpenArticle messages."""

    CSS_PATH = Path(__file__).parents[2] / "tui" / "app.tcss"

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.opened: list[tuple[int, int | None, int | None]] = []

    def on_mount(self) -> None:
        screen = SearchScreen()
        screen.DEBOUNCE = 0.01  # this screen only: the class keeps its own
        self.push_screen(screen)

    def on_open_article(self, message: OpenArticle) -> None:
        self.opened.append((message.article_id, message.start, message.end))


@pytest.fixture
def filled(tmp_path: Path):
    s = open_store(tmp_path / "screen.db")
    entities = [
        ("Aleppo", "GPE"),
        ("Bashar al-Assad", "PERSON"),
        ("Hezbollah", "ORG"),
        ("Iran", "GPE"),
        ("Hayat Tahrir al-Sham", "ORG"),
        ("Geneva", "GPE"),
    ]
    s.add_article(ArticleDraft(text=TEXT, title="Rebels take Aleppo", spans=spans(TEXT, entities)))
    s.add_article(ArticleDraft(text=OTHER, title="Geneva", spans=spans(OTHER, entities)))
    yield s
    s.close()


async def settle(pilot, screen: SearchScreen | EntityPageScreen) -> None:
    """Wait until the screen's search (debounce, then worker) has shown its answer."""
    await wait_for(pilot, lambda: not screen.busy, "the search to answer")
    await pilot.pause()


async def type_query(pilot, screen: SearchScreen, text: str) -> None:
    screen.query_one("#search-input", Input).value = ""
    if text:
        await pilot.press(*text)
    await settle(pilot, screen)


async def test_results_appear_as_you_type(filled: Store) -> None:
    app = SearchApp(filled)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await settle(pilot, screen)
        assert screen.hits and all(h.kind == "entity" for h in screen.hits)  # empty: top entities
        await type_query(pilot, screen, "hezbolah")
        assert screen.hits[0].kind == "entity" and screen.hits[0].text == "Hezbollah"
        assert any(h.kind == "article" for h in screen.hits)
        results = screen.query_one("#search-results", OptionList)
        assert results.option_count == len(screen.hits)
        first = str(results.get_option_at_index(0).prompt)
        assert "Hezbollah" in first and "ORG" in first and "2 mentions in 2 articles" in first


async def test_stale_results_are_dropped(filled: Store) -> None:
    app = SearchApp(filled)
    async with app.run_test() as pilot:
        screen = app.screen
        await settle(pilot, screen)
        screen.post_message(SearchScreen.Answered(0, "old", []))  # an earlier query's answer
        await pilot.pause()
        assert screen.hits  # ignored: it arrived late
        await type_query(pilot, screen, "tahrir sham")
        assert screen.hits[0].text == "Hayat Tahrir al-Sham"


async def test_enter_on_entity_opens_its_page_then_the_reader(filled: Store) -> None:
    app = SearchApp(filled)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = app.screen
        await type_query(pilot, screen, "Bashar al-Asad")
        assert screen.hits[0].text == "Bashar al-Assad"
        await pilot.press("enter")
        await pilot.pause()
        page = app.screen
        assert isinstance(page, EntityPageScreen)
        await settle(pilot, page)
        assert [m.article_id for m in page.mentions] == [2, 1]  # newest article first
        listing = page.query_one("#entity-mentions", OptionList)
        assert "Bashar al-Assad" in str(listing.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        m = page.mentions[0]
        assert app.opened == [(m.article_id, m.start, m.end)]
        text = filled.article(m.article_id).text
        assert text[m.start : m.end] == "Bashar al-Assad"
        # the real App closes the dialogs on OpenArticle (tests/tui/test_entity_page.py)


async def test_escape_on_the_entity_page_goes_back_to_results(filled: Store) -> None:
    app = SearchApp(filled)
    async with app.run_test() as pilot:
        screen = app.screen
        await type_query(pilot, screen, "aleppo")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EntityPageScreen)
        await settle(pilot, app.screen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and app.opened == []
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SearchScreen)


async def test_enter_on_article_opens_it_at_the_best_match(filled: Store) -> None:
    app = SearchApp(filled)
    async with app.run_test() as pilot:
        screen = app.screen
        await type_query(pilot, screen, "weakened")
        index = next(i for i, h in enumerate(screen.hits) if h.kind == "article")
        await pilot.press(*["down"] * index)
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.opened) == 1
        aid, start, end = app.opened[0]
        assert filled.article(aid).text[start:end] == "weakened"
        assert not isinstance(app.screen, SearchScreen)


async def test_bad_filter_shows_a_message_not_a_crash(filled: Store) -> None:
    app = SearchApp(filled)
    async with app.run_test() as pilot:
        screen = app.screen
        await type_query(pilot, screen, "status:maybe")
        status = str(screen.query_one("#search-status", Static).render())
        assert "status:maybe" in status
        await type_query(pilot, screen, '"NEAR( * - AND')
        assert isinstance(app.screen, SearchScreen)


async def test_markup_in_text_is_shown_literally(filled: Store) -> None:
    app = SearchApp(filled)
    async with app.run_test(size=(200, 40)) as pilot:
        screen = app.screen
        await type_query(pilot, screen, "markup")
        results = screen.query_one("#search-results", OptionList)
        prompts = [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]
        assert any("[bold]not markup[/bold]" in p for p in prompts)


async def test_a_correction_shows_on_the_next_search(filled: Store) -> None:
    app = SearchApp(filled)
    async with app.run_test() as pilot:
        screen = app.screen
        await type_query(pilot, screen, "hezbollah")
        assert screen.hits[0].mentions == 2
        span = next(s for s in filled.spans(1) if s.text == "Hezbollah")
        filled.reject(span.id)
        await type_query(pilot, screen, "hezbollah")
        assert screen.hits[0].mentions == 1


async def test_an_unknown_label_shows_the_stores_sentence(filled: Store) -> None:
    from store.errors import QueryError

    with pytest.raises(QueryError) as refused:
        filled.search("label:NOPE x")
    app = SearchApp(filled)
    async with app.run_test() as pilot:
        screen = app.screen
        await type_query(pilot, screen, "label:NOPE x")
        status = str(screen.query_one("#search-status", Static).render())
        assert status == str(refused.value)
        assert status.startswith("label:NOPE is not a label of this database (labels: ")
        assert screen.hits == [] and isinstance(app.screen, SearchScreen)


async def _search_militia(store: Store) -> None:
    app = SearchApp(store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await type_query(pilot, screen, "militia")
        assert screen.hits and screen.hits[0].label == "MILITIA"
        results = screen.query_one("#search-results", OptionList)
        assert "MILITIA" in str(results.get_option_at_index(0).prompt)
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)  # no crash drawing the row
    assert app.return_code in (None, 0) and not app._exception


@pytest.mark.parametrize("stored", [None, "#faa", "bogus"])
async def test_a_hit_with_an_invented_label_is_shown(tmp_path: Path, stored) -> None:
    """A label outside spaCy's 18 gets a colour every consumer can parse (#faa crashed)."""
    s = open_store(tmp_path / "militia.db")
    text = "The Militia of the North took the bridge."
    s.add_article(
        ArticleDraft(text=text, title="Bridge", spans=spans(text, [("Militia", "MILITIA")]))
    )
    if stored is not None:  # an older database's colour
        with s.unit() as tx:
            tx.execute("UPDATE labels SET color = ? WHERE name = 'MILITIA'", (stored,))
    try:
        await _search_militia(s)
    finally:
        s.close()


@pytest.mark.parametrize("color", ["#faa", "bogus", ""])
def test_hit_prompt_survives_a_colour_it_cannot_parse(color: str) -> None:
    from textual.content import Content

    from store import SearchHit
    from tui.screens.search import hit_prompt

    hit = SearchHit("entity", 1, "Bridge", 1.0, label="MILITIA", text="Militia", mentions=1)
    row = hit_prompt(hit, {"MILITIA": color})
    Content.from_rich_text(row)  # what the option list does: it parses the style, must not raise
