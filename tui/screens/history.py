"""The history screen: the journal in words, newest first; u / ctrl+r walk it, enter opens a change's article."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from store.history import HistoryEntry

from ..keymap import HISTORY, app_keys
from ..messages import OpenArticle
from ..plain import plain
from ..workers import store_work
from .base import StoreModal
from .common import StoreChanged

LIMIT = 200  # changes listed
MARKS = {"done": "  ", "undone": "↶ ", "discarded": "x "}

# a modal screen ends the binding chain before the App: its undo, redo and help are bound here
APP_KEYS = app_keys("app.help", "app.undo", "app.redo", "app.palette")


def who(entry: HistoryEntry) -> str:
    """ "ana · tui:123": who made the change and from which window or process."""
    parts = [entry.annotator or "?"]
    if entry.change.origin:
        parts.append(entry.change.origin)
    return plain(" · ".join(parts), one_line=True)


def entry_prompt(entry: HistoryEntry, here: bool) -> Text:
    """One change on one line: its state, when, what it did, who and from where."""
    row = Text()
    row.append("▶ " if here else MARKS.get(entry.state, "? "), style="bold" if here else "dim")
    row.append(entry.change.at[:19].replace("T", " ") + "  ", style="dim")
    style = "" if entry.state == "done" else "dim strike" if entry.state == "discarded" else "dim"
    row.append(plain(entry.line, one_line=True), style=style)
    row.append(f"  ({who(entry)})", style="dim italic")
    return row


class HistoryScreen(StoreModal[None]):
    """Every change of the journal; the newest one still done is where undo starts (▶)."""

    HELP_TITLE = "history"
    BINDINGS: ClassVar[list[BindingType]] = [*APP_KEYS, *HISTORY]

    @dataclass
    class Loaded(Message):
        """The journal as it is now."""

        entries: list[HistoryEntry]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[HistoryEntry] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Vertical(id="history-box"):
            yield Static(
                "history · ▶ undo starts here · ↶ undone (ctrl+r redoes) · x replaced",
                id="history-title",
                markup=False,
            )
            yield OptionList(id="history-list")
        yield Footer()

    @property
    def listing(self) -> OptionList:
        """The list of changes (a child of this screen)."""
        return self.query_one("#history-list", OptionList)

    def on_mount(self) -> None:
        self.listing.focus()
        self.load()

    @store_work(group="history", exclusive=True)
    def load(self) -> None:
        """Read the newest changes of the journal."""
        self.post_message(self.Loaded(self.store.history_entries(LIMIT)))

    def current(self) -> int | None:
        """The index of the newest undoable change still done (what u would undo)."""
        return next(
            (i for i, e in enumerate(self.entries) if e.undoable and e.state == "done"), None
        )

    def on_history_screen_loaded(self, message: Loaded) -> None:
        self.entries = message.entries
        here = self.current()
        listing = self.listing
        listing.set_options(
            Option(entry_prompt(e, i == here)) for i, e in enumerate(message.entries)
        )
        if not message.entries:
            listing.add_option(Option("no changes yet", disabled=True))
        elif here is not None:
            listing.highlighted = here
        else:
            listing.highlighted = 0
        self.loaded = True

    def on_store_changed(self, message: StoreChanged) -> None:
        self.load()  # an undo or redo made here: the marks move

    @on(OptionList.OptionSelected, "#history-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        """enter: open the article of the highlighted change."""
        index = self.listing.highlighted
        if index is None or not 0 <= index < len(self.entries):
            return
        articles = self.entries[index].change.articles
        if not articles:
            self.notify("this change touched no article", timeout=3)
            return
        self.dismiss(None)
        self.app.post_message(OpenArticle(articles[0]))

    def action_move(self, step: int) -> None:
        """j / k: the next / previous change."""
        if step > 0:
            self.listing.action_cursor_down()
        else:
            self.listing.action_cursor_up()

    def action_close(self) -> None:
        """escape / q: back."""
        self.dismiss(None)
