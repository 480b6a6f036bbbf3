"""The mentions screen: the app's keys (?, /, ctrl+p) work on it and its footer shows its own keys."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import Footer

from tui.app import MarginApp
from tui.screens.help import HelpScreen
from tui.screens.mentions import MentionsScreen
from tui.screens.search import SearchScreen

from .helpers import press, settle


async def open_mentions(pilot, app: MarginApp) -> MentionsScreen:
    await settle(pilot)
    await press(pilot, "right_square_bracket", "m")
    screen = app.screen
    assert isinstance(screen, MentionsScreen)
    return screen


async def test_question_mark_shows_the_keys_of_the_mentions_screen(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_mentions(pilot, app)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "mentions" in app.screen.title_text
        rows = {row[1]: row[0] for row in app.screen.rows}
        assert rows["Back"] == "escape q" and rows["Search"] == "/"
        assert "Accept" not in rows
        await press(pilot, "escape")
        assert isinstance(app.screen, MentionsScreen)


async def test_slash_opens_search_from_the_mentions_screen(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_mentions(pilot, app)
        await press(pilot, "slash")
        assert isinstance(app.screen, SearchScreen)


async def test_ctrl_p_opens_the_palette_from_the_mentions_screen(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_mentions(pilot, app)
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)


async def test_the_footer_shows_the_mentions_keys_not_the_readers(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_mentions(pilot, app)
        footers = list(screen.query(Footer))
        assert footers, "the mentions screen has no footer of its own"
        await settle(pilot)
        shown = " ".join(str(k.render()) for k in footers[0].query("FooterKey"))
        assert "Back" in shown and "Help" in shown
        assert "Accept" not in shown and "Reject" not in shown
