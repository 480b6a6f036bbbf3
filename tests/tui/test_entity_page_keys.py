"""The entity page (m in the reader): the app's keys (?, /, ctrl+p) work on it, its footer shows its own keys."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import Footer

from tui.app import MarginApp
from tui.screens.entity_page import EntityPageScreen
from tui.screens.help import HelpScreen
from tui.screens.search import SearchScreen

from .helpers import press, settle


async def open_mentions(pilot, app: MarginApp) -> EntityPageScreen:
    await settle(pilot)
    await press(pilot, "right_square_bracket", "m")
    screen = app.screen
    assert isinstance(screen, EntityPageScreen)
    return screen


async def test_question_mark_shows_the_keys_of_the_entity_page(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_mentions(pilot, app)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "entity page" in app.screen.title_text
        rows = {row[1]: row[0] for row in app.screen.rows}
        assert rows["Back"] == "escape q" and rows["Search"] == "/"
        assert "Next entity" not in rows  # the page's keys, not the reader's
        await press(pilot, "escape")
        assert isinstance(app.screen, EntityPageScreen)


async def test_slash_opens_search_from_the_entity_page(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_mentions(pilot, app)
        await press(pilot, "slash")
        assert isinstance(app.screen, SearchScreen)


async def test_ctrl_p_opens_the_palette_from_the_entity_page(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_mentions(pilot, app)
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)


async def test_the_footer_shows_the_page_keys_not_the_readers(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_mentions(pilot, app)
        footers = list(screen.query(Footer))
        assert footers, "the entity page has no footer of its own"
        await settle(pilot)
        shown = " ".join(str(k.render()) for k in footers[0].query("FooterKey"))
        assert "Back" in shown and "Help" in shown and "Select" in shown
        assert "Next" not in shown and "Reviewed" not in shown
