"""Pilot tests of what real users found in the reader: toasts, the footer, panel clicks, n."""

from __future__ import annotations

import sqlite3

import pytest
from textual.widgets._footer import FooterKey
from textual.widgets._toast import Toast

from store import ArticleDraft, open_store
from store.db import connection
from tui.app import MarginApp
from tui.screens import library as library_screen
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.article_list import ArticleList
from tui.widgets.entity_panel import EntityPanel

from .conftest import SEED, SEED_SPANS, spans_for
from .helpers import drawn_lines, notes, press, settle, wait_for


async def test_ctrl_c_says_how_to_quit_without_markup(seeded):
    app = MarginApp(seeded)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+c")
        said = notes(app)
        assert said == ["press q to quit margin"]
        assert not any("[" in n for n in said)


def _footer_keys(app: MarginApp) -> dict[str, FooterKey]:
    return {k.action: k for k in app.screen.query(FooterKey)}


async def test_help_and_search_stay_in_the_footer_at_80x24(seeded):
    app = MarginApp(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for where in ("library", "reader"):
            if where == "reader":
                await press(pilot, "enter")
                assert isinstance(app.screen, ReaderScreen)
            await wait_for(pilot, lambda: {"help", "search"} <= set(_footer_keys(app)))
            await pilot.pause()
            keys = _footer_keys(app)
            for action, glyph in (("help", "?"), ("search", "/")):
                key = keys[action]
                assert str(key.render()).lstrip().startswith(f"{glyph} "), where
                region = key.region
                assert region.width > 0 and region.right <= 80, (where, action, region)


async def test_a_click_on_a_panel_row_selects_the_first_mention(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        panel = screen.query_one(EntityPanel)
        row = panel.get_option_index("NORP\x00Aleppo")
        offset = (4, row - int(panel.scroll_offset.y))
        await pilot.click(EntityPanel, offset=offset)
        await settle(pilot)
        assert screen.selected is not None and screen.selected.text == "Aleppo"
        first = [s for s in screen.text_view.spans if s.text == "Aleppo"][0]
        assert screen.selected.start == first.start  # 1/3, not 2/3
        assert "1/3" in str(screen.query_one("#status-entity").render())
        await pilot.click(EntityPanel, offset=offset)  # the same row again: the next one
        await settle(pilot)
        assert "2/3" in str(screen.query_one("#status-entity").render())


@pytest.mark.parametrize("size", [(80, 24), (123, 30), (200, 50)])
async def test_undo_of_a_corpus_wide_propagation_is_one_line(store, size):
    for i in range(40):
        text = f"Aleppo was quiet on day {i}, residents of Aleppo said."
        store.add_article(
            ArticleDraft(text, title=f"day {i}", spans=spans_for(text, [("Aleppo", "NORP")]))
        )
    assert store.propagate("Aleppo", "GPE") == 80
    app = MarginApp(store)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        for key, done in (("u", "undone: "), ("ctrl+r", "redone: ")):
            app.clear_notifications()
            await press(pilot, key)
            said = notes(app)
            assert len(said) == 1 and said[0].startswith(done + "propagate 'Aleppo'"), said
            assert "\n" not in said[0]
            await wait_for(pilot, lambda: list(app.screen.query(Toast)), "the toast")
            await pilot.pause()
            for toast in app.screen.query(Toast):
                assert toast.size.height == 1, said  # (size: inside padding and border)


async def test_n_at_the_bottom_wraps_to_the_first_unread_above(seeded):
    seeded.mark_read(1)  # "Aleppo falls", the last row newest first
    app = MarginApp(seeded)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        library = app.screen
        assert isinstance(library, LibraryScreen)
        await press(pilot, "end")
        assert library.articles.cursor == 2
        await press(pilot, "n")
        assert library.articles.cursor == 0  # "Quiet day", unread
        assert notes(app) == ["wrapped to the top"]
        app.clear_notifications()
        await press(pilot, "p")
        assert library.articles.cursor == 1  # "Geneva talks": wrapped round from the top
        assert notes(app) == ["wrapped to the bottom"]
        seeded.mark_read(3)
        app.clear_notifications()
        await press(pilot, "n")
        assert library.articles.cursor == 1 and notes(app) == ["no other unread article"]


def _status(app: MarginApp) -> str:
    return str(app.screen.query_one("#status-article").render())


async def test_status_counts_what_a_person_counts(seeded):
    spans = seeded.spans(1)
    aleppo = next(s for s in spans if s.text == "Aleppo")
    russia = next(s for s in spans if s.text == "Russia")
    seeded.relabel(aleppo.id, "GPE")  # a correction: not a rejection
    seeded.reject(russia.id)
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _status(app) == (
            "7 entities · 6 to check · 1 rejected · not reviewed · token mode · 3/3"
        )
        await press(pilot, "R")
        await wait_for(pilot, lambda: "· reviewed" in _status(app))
        assert _status(app) == "7 entities · 0 to check · 1 rejected · reviewed · token mode · 3/3"


async def test_library_notices_entities_another_process_added(seeded, db_path, monkeypatch):
    monkeypatch.setattr(library_screen, "POLL_SECONDS", 0.1)
    app = MarginApp(seeded)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        articles = app.screen.query_one(ArticleList)
        other = open_store(db_path)  # another process: its own connection
        try:
            other.add_article(ArticleDraft("Aleppo is in Syria.", title="Later"))
            await wait_for(pilot, lambda: articles.total == 4, "the new article")
            await wait_for(pilot, lambda: 0 in articles.rows, "its row")
            assert articles.rows[0].entity_count == 0
            other.add_span(articles.rows[0].id, 0, 6, "GPE")  # its extraction finished
            await wait_for(
                pilot,
                lambda: 0 in articles.rows and articles.rows[0].entity_count == 1,
                "the new count",
            )
            await pilot.pause()
            assert "1 ent" in drawn_lines(articles)[0]
        finally:
            other.close()


@pytest.fixture
def busy_store(db_path, monkeypatch):
    """The seed article in a store whose busy timeout is 50 ms (set before it connects)."""
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 50)
    s = open_store(db_path)
    s.add_article(ArticleDraft(SEED, title="Aleppo falls", spans=spans_for(SEED, SEED_SPANS)))
    yield s
    s.close()


async def test_a_correction_waits_for_another_programs_lock(busy_store, db_path):
    app = MarginApp(busy_store, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        await press(pilot, "right_square_bracket")
        target = screen.selected
        assert target is not None and target.status == "suggested"
        other = sqlite3.connect(db_path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
            await pilot.press("a")
            entity = screen.query_one("#status-entity")
            await wait_for(pilot, lambda: "waiting for another program" in str(entity.render()))
            assert busy_store.span(target.id).status == "suggested"  # pending, not dropped
            await pilot.press("right_square_bracket", "x")  # a second one queues behind it
            second = screen.selected
            assert second is not None and second.id != target.id
            assert not any("database is locked" in n for n in notes(app))
            other.execute("COMMIT")
        finally:
            other.close()
        await wait_for(pilot, lambda: busy_store.span(target.id).status == "accepted")
        await wait_for(pilot, lambda: busy_store.span(second.id).status == "rejected")
        await settle(pilot)
        assert "waiting" not in str(screen.query_one("#status-entity").render())
        assert any(n.startswith("accepted") for n in notes(app))
