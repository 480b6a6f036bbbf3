"""Watch-lists: each saved search with its unread and new counts; enter filters the library."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from store.entities.watch import Watch

from ..keymap import WATCH
from ..plain import plain
from ..workers import store_work
from .base import StoreModal
from .common import fit
from .entity_page import APP_KEYS, when_given


class WatchScreen(StoreModal[Watch | None]):
    """The watch-lists with their counts; enter makes the library show one's articles."""

    HELP_TITLE = "watch-lists"
    BINDINGS: ClassVar[list[BindingType]] = [*APP_KEYS, *WATCH]

    @dataclass
    class Listed(Message):
        """The watch-lists with their counts."""

        watches: list[Watch]

    @dataclass
    class Opened(Message):
        """A watch-list chosen (counted as it was opened): the library shows its articles."""

        watch: Watch

    def __init__(self, current: int | None = None) -> None:
        super().__init__()
        self.current = current  # the watch-list the library shows now (the cursor starts on it)
        self.watches: list[Watch] = []
        self.busy = True

    def compose(self) -> ComposeResult:
        with Vertical(id="watch-box"):
            yield Static("watch-lists", id="watch-title")
            yield OptionList(id="watch-list")
        yield Footer()

    @property
    def listing(self) -> OptionList:
        """The list on screen (watch-lists, or one's articles)."""
        return self.query_one("#watch-list", OptionList)

    def on_mount(self) -> None:
        self.listing.focus()
        self.load()

    @store_work(group="watch", exclusive=True)
    def load(self) -> None:
        """Count every watch-list."""
        self.post_message(self.Listed(self.store.watches()))

    def on_watch_screen_listed(self, message: Listed) -> None:
        self.watches = message.watches
        width = self.listing.scrollable_content_region.width - 1 or 100
        self.listing.set_options(
            Option(
                fit(
                    [
                        Text(
                            f"{'»' if w.id == self.current else ' '}"
                            f"{w.unread:>6,} unread  {w.new:>5,} new  {w.articles:>7,} articles"
                            f"   {plain(w.query, one_line=True)}"
                        )
                    ],
                    width,
                )
            )
            for w in message.watches
        )
        if self.watches:
            ids = [w.id for w in self.watches]
            self.listing.highlighted = ids.index(self.current) if self.current in ids else 0
        title = (
            "watch-lists · enter: the library shows its articles · a: add · d: drop"
            if self.watches
            else 'no watch-lists yet · a: add one (a search, e.g. "label:ORG hezbollah")'
        )
        self.query_one("#watch-title", Static).update(Text(title))
        self.busy = False

    @store_work(group="watch", exclusive=True)
    def open_watch(self, watch: Watch) -> None:
        """Count the watch-list again (its new articles), then count them seen."""
        counted = self.store.find_watch(str(watch.id))
        self.store.mark_watch_seen(str(watch.id))
        self.post_message(self.Opened(counted))

    def on_watch_screen_opened(self, message: Opened) -> None:
        self.dismiss(message.watch)  # the library shows its articles

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        i = event.option_index
        if 0 <= i < len(self.watches):
            self.open_watch(self.watches[i])

    def action_move(self, step: int) -> None:
        """j / k."""
        if step > 0:
            self.listing.action_cursor_down()
        else:
            self.listing.action_cursor_up()

    def action_close(self) -> None:
        """escape: back, the library as it was."""
        self.dismiss(None)

    def action_add(self) -> None:
        """a: save a search as a watch-list."""
        from .name_prompt import NamePrompt

        self.app.push_screen(
            NamePrompt('a search to watch (e.g. "label:ORG hezbollah"):'),
            when_given(lambda query: self._add(query)),
        )

    @store_work(group="watch-change", exclusive=True)
    def _add(self, query: str) -> None:
        self.store.add_watch(query)
        self.post_message(self.Listed(self.store.watches()))

    def action_drop(self) -> None:
        """d: drop the watch-list under the cursor (u brings it back)."""
        i = self.listing.highlighted
        if i is not None and 0 <= i < len(self.watches):
            self._drop(self.watches[i])

    @store_work(group="watch-change", exclusive=True)
    def _drop(self, watch: Watch) -> None:
        self.store.remove_watch(str(watch.id))
        self.post_message(self.Listed(self.store.watches()))
