"""The help screen tells a new user where the commands without a key are (export: ctrl+p), and
the keys that close it close it."""

from __future__ import annotations

import pytest

from tui.app import MarginApp
from tui.screens.help import HelpScreen

from .helpers import press


@pytest.mark.parametrize("close", ["escape", "q", "question_mark"])
async def test_help_names_the_palette_and_closes_as_it_says(store, close):
    app = MarginApp(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(hint.render()) for hint in app.screen.query(".hint"))
        assert "ctrl+p: every command by name, export" in text
        assert "escape, q or ? closes" in text
        await press(pilot, close)
        assert not isinstance(app.screen, HelpScreen)
