"""The disagreement queue: where the last re-extraction differs from what it replaced; one key decides."""

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

from store.disagreements import Disagreement

from ..keymap import DISAGREEMENTS, app_keys
from ..messages import OpenArticle
from ..plain import plain
from ..workers import store_work
from .base import StoreModal
from .common import StoreChanged

# a modal ends the binding chain before the App: help, palette, undo and redo bound again
APP_KEYS = app_keys("app.help", "app.palette", "app.undo", "app.redo")

VERBS = {"new": "took the new", "old": "kept the old", "neither": "rejected both"}


def row(d: Disagreement, width: int = 200) -> Text:
    """Count, what changed, and the two sources on one line (data always shown escaped)."""
    line = Text()
    line.append(f"{len(d.mentions):>4}× ", style="bold")
    line.append(plain(d.describe(), one_line=True))
    line.append(f"  in {d.articles} article{'s' if d.articles != 1 else ''}", style="dim")
    m = d.mentions[0]
    old = plain(m.old.source, one_line=True) if m.old else "nothing"
    new = plain(m.new.source, one_line=True) if m.new else "nothing"
    line.append(f"  old {old} · new {new}", style="dim")
    line.truncate(max(8, width), overflow="ellipsis")
    return line


class DisagreementsScreen(StoreModal[None]):
    """The groups of disagreeing mentions, most mentions first; n / o / x decide a whole group."""

    HELP_TITLE = "disagreements"
    DEFAULT_CSS = """
    DisagreementsScreen { align: center top; }
    DisagreementsScreen > #disagreements-box {
        width: 90%; max-width: 140; height: 85%; margin-top: 2;
        border: round $accent; background: $surface; padding: 0 1;
    }
    DisagreementsScreen #disagreements-title { height: 1; padding: 0 1; }
    DisagreementsScreen #disagreements-list { height: 1fr; border: none; text-wrap: nowrap; }
    """

    @dataclass
    class Loaded(Message):
        """The queue as the store computed it."""

        queue: list[Disagreement]

    @dataclass
    class Decided(Message):
        """A group was decided."""

        choice: str
        count: int
        what: str

    BINDINGS: ClassVar[list[BindingType]] = [
        *APP_KEYS,
        *DISAGREEMENTS,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.queue: list[Disagreement] = []
        self.busy = True

    def compose(self) -> ComposeResult:
        with Vertical(id="disagreements-box"):
            yield Static("reading the disagreements…", id="disagreements-title")
            yield OptionList(id="disagreements-list")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#disagreements-list", OptionList).focus()
        self._load()

    @store_work(group="disagreements", exclusive=True)
    def _load(self) -> None:
        self.post_message(self.Loaded(self.store.disagreements()))

    def on_disagreements_screen_loaded(self, message: Loaded) -> None:
        if not self.is_attached:
            return
        listing = self.query_one("#disagreements-list", OptionList)
        keep = listing.highlighted or 0
        self.queue = message.queue
        width = listing.scrollable_content_region.width - 1 or 120
        listing.set_options(Option(row(d, width)) for d in self.queue)
        if self.queue:
            listing.highlighted = min(keep, len(self.queue) - 1)
        total = sum(len(d.mentions) for d in self.queue)
        title = (
            f"{len(self.queue)} disagreement(s), {total} mention(s): n take new · o keep old"
            " · x reject both · u undo"
            if self.queue
            else "no disagreement left (re-extract with a new model to make some)"
        )
        self.query_one("#disagreements-title", Static).update(Text(title))
        self.busy = False

    def _current(self) -> Disagreement | None:
        at = self.query_one("#disagreements-list", OptionList).highlighted
        if self.busy or at is None or not 0 <= at < len(self.queue):
            return None
        return self.queue[at]

    def action_take(self, choice: str) -> None:
        """n / o / x: decide every mention of the highlighted group (one undo step)."""
        group = self._current()
        if group is None:
            return
        self.busy = True
        self._decide(group, choice)

    @store_work(group="disagreements-decide")
    def _decide(self, group: Disagreement, choice: str) -> None:
        try:
            n = self.store.resolve_disagreement(group, choice)
        finally:
            self.busy = False
        self.post_message(self.Decided(choice, n, group.describe()))

    def on_disagreements_screen_decided(self, message: Decided) -> None:
        what = plain(message.what, one_line=True)
        self.app.notify(f"{VERBS[message.choice]}: {message.count} × {what}", timeout=3)
        self.busy = True
        self._load()

    def on_store_changed(self, message: StoreChanged) -> None:
        """After u / ctrl+r: read the queue again."""
        self.busy = True
        self._load()

    def action_open(self) -> None:
        """enter: the first mention of the group in the reader."""
        group = self._current()
        if group is None:
            return
        m = group.mentions[0]
        side = m.new or m.old
        assert side is not None
        self.dismiss(None)
        self.app.post_message(OpenArticle(m.article_id, side.start, side.end))

    @on(OptionList.OptionSelected, "#disagreements-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_move(self, step: int) -> None:
        """j / k: the next / previous group."""
        listing = self.query_one("#disagreements-list", OptionList)
        if step > 0:
            listing.action_cursor_down()
        else:
            listing.action_cursor_up()
