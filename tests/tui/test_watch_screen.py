"""The watch-lists screen: W in the library, a adds, enter lists the articles, enter opens one."""

from __future__ import annotations

from tui.app import MarginApp
from tui.screens.name_prompt import NamePrompt
from tui.screens.reader import ReaderScreen
from tui.screens.watch import WatchScreen

from .helpers import press, settle, wait_for


async def test_add_a_watch_list_open_it_and_read_an_article(seeded):
    app = MarginApp(seeded)
    async with app.run_test(size=(120, 30)) as pilot:
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
        await settle(pilot)
        assert [a.title for a in screen.articles] == ["Geneva talks"]
        await press(pilot, "enter")
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.data.article.title == "Geneva talks"
        assert [(w.unread, w.new) for w in seeded.watches()] == [(0, 0)]
