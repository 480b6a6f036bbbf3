"""Watch-lists: W in the library, a adds, enter makes the library show only its articles."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from store import ArticleDraft
from tui.app import MarginApp
from tui.screens.library import LibraryScreen
from tui.screens.name_prompt import NamePrompt
from tui.screens.reader import ReaderScreen
from tui.screens.watch import WatchScreen

from .conftest import spans_for
from .helpers import notes, press, settle, wait_for


def _title(app: MarginApp) -> str:
    return str(app.library.query_one("#lib-title", Static).render())


def _status(app: MarginApp) -> str:
    return str(app.library.query_one("#lib-status", Static).render())


def _shown(library: LibraryScreen) -> list[str]:
    rows = library.articles.rows
    return [rows[i].title for i in range(library.articles.total)]


def _draft(title: str, text: str, items: list[tuple[str, str]]) -> ArticleDraft:
    return ArticleDraft(text, title=title, source=f"{title}.txt", spans=spans_for(text, items))


@pytest.fixture
def watched(seeded):
    """The seed articles (ids 1-3) and four more (4-7), three of which name Hezbollah (ORG)."""
    seeded.add_article(_draft("H one", "Hezbollah fired.", [("Hezbollah", "ORG")]))
    seeded.add_article(_draft("Beirut", "Quiet in Beirut.", [("Beirut", "GPE")]))
    seeded.add_article(_draft("H two", "Hezbollah again.", [("Hezbollah", "ORG")]))
    seeded.add_article(_draft("H three", "Hezbollah, thrice.", [("Hezbollah", "ORG")]))
    seeded.add_watch("label:ORG hezbollah")
    return seeded


async def _choose_watch(pilot, app: MarginApp, index: int = 0) -> None:
    await press(pilot, "W")
    screen = app.screen
    assert isinstance(screen, WatchScreen)
    await wait_for(pilot, lambda: not screen.busy, "the watch-lists")
    for _ in range(index):
        await press(pilot, "j")
    await press(pilot, "enter")
    await wait_for(pilot, lambda: app.screen is app.library, "the library")
    await settle(pilot)


async def test_add_a_watch_list_and_the_library_shows_only_its_articles(seeded):
    app = MarginApp(seeded)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "W")
        screen = app.screen
        assert isinstance(screen, WatchScreen)
        await wait_for(pilot, lambda: not screen.busy, "the watch-lists")
        await press(pilot, "a")
        assert isinstance(app.screen, NamePrompt)
        await press(pilot, *"united nations", "enter")
        await settle(pilot)
        assert [(w.query, w.articles, w.unread) for w in screen.watches] == [
            ("united nations", 1, 1)
        ]
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.screen is app.library, "the library")
        await settle(pilot)
        library = app.library
        assert _shown(library) == ["Geneva talks"]
        assert "watch: united nations - 1 article, 1 unread, 0 new" in _title(app)
        assert _status(app).startswith("1 article · 1 unread · 0 reviewed · escape: all articles")
        await press(pilot, "enter")
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.data.article.title == "Geneva talks"
        assert [(w.unread, w.new) for w in seeded.watches()] == [(0, 0)]
        await press(pilot, "q")
        await settle(pilot)
        assert "1 article, 0 unread" in _title(app)  # counted again after reading it
        await press(pilot, "escape")
        assert _shown(library) == ["Quiet day", "Geneva talks", "Aleppo falls"]
        assert "watch:" not in _title(app)
        assert "showing all articles" in notes(app)


async def test_the_filter_combines_with_f_and_n_p_stay_within_it(watched):
    watched.mark_read(6)  # "H two"
    app = MarginApp(watched)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await _choose_watch(pilot, app)
        library = app.library
        assert _shown(library) == ["H three", "H two", "H one"]  # newest first
        assert "3 articles, 2 unread, 0 new" in _title(app)
        await press(pilot, "n")  # from "H three" (unread) to the next unread: "H one"
        assert library.articles.cursor == 2
        await press(pilot, "n")  # wraps round, never to the unread articles outside the list
        assert library.articles.cursor == 0
        assert "wrapped to the top" in notes(app)
        await press(pilot, "f")  # unread only, still within the watch-list
        await settle(pilot)
        assert _shown(library) == ["H three", "H one"]
        assert "filter: unread" in _title(app)
        await press(pilot, "f", "f", "f")  # back to all
        await settle(pilot)
        assert _shown(library) == ["H three", "H two", "H one"]


async def test_the_reader_walks_the_watch_list_with_n_and_p(watched):
    app = MarginApp(watched)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await _choose_watch(pilot, app)
        await press(pilot, "enter")
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.data.article.title == "H three"
        status = str(reader.query_one("#status-article", Static).render())
        assert "1/3 in the watch-list" in status
        await press(pilot, "n")
        assert reader.data.article.title == "H two"
        await press(pilot, "n")
        assert reader.data.article.title == "H one"  # "Beirut" (between them) is skipped
        await press(pilot, "n")
        assert reader.data.article.title == "H one"
        assert "this is the last article" in notes(app)
        await press(pilot, "p")
        assert reader.data.article.title == "H two"


async def test_new_imports_are_counted_on_the_next_open_and_opening_sees_them(watched):
    app = MarginApp(watched)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        watched.add_article(_draft("H four", "Hezbollah, again.", [("Hezbollah", "ORG")]))
        await press(pilot, "W")
        screen = app.screen
        assert isinstance(screen, WatchScreen)
        await wait_for(pilot, lambda: not screen.busy, "the watch-lists")
        assert [(w.articles, w.unread, w.new) for w in screen.watches] == [(4, 4, 1)]
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.screen is app.library, "the library")
        await settle(pilot)
        assert "4 articles, 4 unread, 1 new" in _title(app)
        assert _shown(app.library)[0] == "H four"
        assert [w.new for w in watched.watches()] == [0]  # opened: seen
        watched.remove_watch("1")  # another program drops it: the library shows all again
        await press(pilot, "r")
        await settle(pilot)
        assert "watch:" not in _title(app)
        assert app.library.articles.total == 8


async def test_w_on_a_filtered_library_starts_on_the_watch_list_it_shows(watched):
    watched.add_watch("united nations")
    app = MarginApp(watched)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await _choose_watch(pilot, app, index=1)
        assert _shown(app.library) == ["Geneva talks"]
        await press(pilot, "W")
        screen = app.screen
        assert isinstance(screen, WatchScreen)
        await wait_for(pilot, lambda: not screen.busy, "the watch-lists")
        assert screen.listing.highlighted == 1
        await press(pilot, "k", "enter")  # another watch-list: the library follows
        await wait_for(pilot, lambda: app.screen is app.library, "the library")
        await settle(pilot)
        assert _shown(app.library) == ["H three", "H two", "H one"]
        await press(pilot, "W", "escape")  # escape on the watch-lists: the library as it was
        await settle(pilot)
        assert _shown(app.library) == ["H three", "H two", "H one"]
