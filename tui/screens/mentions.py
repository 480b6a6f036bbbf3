"""The mentions of one entity: the articles that name it, each with its context; enter opens one."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from store import EntityMention

from ..keymap import APP
from ..messages import OpenArticle
from ..plain import plain
from ..workers import store_work
from .base import StoreModal


def fit(lines: list[Text], width: int) -> Text:
    """Join lines, each cut to width with an ellipsis (a list row never wraps)."""
    for line in lines:
        line.truncate(max(8, width), overflow="ellipsis")
    return Text("\n").join(lines)


def mention_prompt(m: EntityMention, width: int = 200) -> Text:
    """Title on one line, then the mention in its context with the mention in bold."""
    head = Text()
    head.append(f"{m.article_id:>6}  ", style="dim")
    head.append(plain(m.title, one_line=True), style="bold")
    row = Text("        …")
    row.append(plain(m.before, one_line=True).lstrip())
    row.append(plain(m.text, one_line=True), style="bold reverse")
    row.append(plain(m.after, one_line=True).rstrip())
    row.append("…")
    return fit([head, row], width)


# a modal screen ends the binding chain before the App: the App's help, search and palette keys
# are bound here again (same ids, so a remapping in the config applies here too)
APP_KEYS = [
    replace(b, action=f"app.{b.action}")
    for b in APP
    if b.id in ("app.help", "app.search", "app.palette")
]


class MentionsScreen(StoreModal[bool]):
    """Every mention of an entity (surface + label); dismisses with True when one is opened."""

    LIMIT = 500

    @dataclass
    class Found(Message):
        """The mentions the store found."""

        mentions: list[EntityMention]

    HELP_TITLE = "mentions"

    BINDINGS: ClassVar[list[BindingType]] = [
        *APP_KEYS,
        Binding("escape,q", "close", "Back", id="mentions.back"),
        Binding("j", "move(1)", "Down", show=False, id="mentions.down"),
        Binding("k", "move(-1)", "Up", show=False, id="mentions.up"),
    ]

    def __init__(self, surface: str, label: str, mentions: int = 0) -> None:
        super().__init__()
        self.surface = surface
        self.label = label
        self.total = mentions
        self.mentions: list[EntityMention] = []
        self.busy = True

    def compose(self) -> ComposeResult:
        with Vertical(id="mentions-box"):
            title = Text()
            title.append(plain(self.surface, one_line=True), style="bold")
            title.append(f" ({plain(self.label, one_line=True)})")
            if self.total:
                title.append(f" · {self.total:,} mention{'s' if self.total != 1 else ''}")
            if self.total > self.LIMIT:
                title.append(f", the newest {self.LIMIT:,} shown", style="dim")
            yield Static(title, id="mentions-title")
            yield OptionList(id="mentions-list")
        yield Footer()  # this screen's keys, not those of the reader underneath

    def on_mount(self) -> None:
        self.query_one("#mentions-list", OptionList).focus()
        self._load()

    @store_work(group="mentions", exclusive=True)
    def _load(self) -> None:
        found = self.store.entity_mentions(self.surface, self.label, limit=self.LIMIT, context=40)
        self.post_message(self.Found(found))

    def on_mentions_screen_found(self, message: Found) -> None:
        if not self.is_attached:
            return
        self.mentions = message.mentions
        listing = self.query_one("#mentions-list", OptionList)
        width = listing.scrollable_content_region.width - 1 or 100
        listing.set_options(Option(mention_prompt(m, width)) for m in message.mentions)
        if message.mentions:
            listing.highlighted = 0
        self.busy = False

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "mentions" and event.state == WorkerState.ERROR:
            self.busy = False  # the App says why; the list stays empty

    @on(OptionList.OptionSelected, "#mentions-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.mentions):
            m = self.mentions[event.option_index]
            self.dismiss(True)
            self.app.post_message(OpenArticle(m.article_id, m.start, m.end))

    def action_close(self) -> None:
        self.dismiss(False)

    def action_move(self, step: int) -> None:
        """j / k: the next / previous mention, as in the library."""
        listing = self.query_one("#mentions-list", OptionList)
        if step > 0:
            listing.action_cursor_down()
        else:
            listing.action_cursor_up()
