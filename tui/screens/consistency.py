"""The consistency queue: where the corpus contradicts itself; one key resolves or keeps an item."""

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

from store.entities.consistency import KIND_NAMES, KINDS, Item
from store.errors import StoreBusy

from ..keymap import CHECK
from ..plain import plain
from ..workers import store_work
from .base import StoreModal
from .common import StoreChanged, fit
from .entity_page import APP_KEYS, when_given

SHOWN = 200  # items read at a time of each kind (so that one kind cannot hide the others)


def item_row(item: Item, width: int = 200) -> Text:
    """One item: its kind, the surface, what conflicts, what resolving does."""
    row = Text()
    row.append(f" {KIND_NAMES[item.kind]:<30} ", style="dim")
    row.append(plain(item.surface, one_line=True), style="bold")
    row.append(f"  {plain(item.detail, one_line=True)}")
    row.append(f"  → {plain(item.resolution, one_line=True)}", style="italic")
    return fit([row], width)


class ConsistencyScreen(StoreModal[None]):
    """The queue's items, biggest contradictions first; enter resolves, i keeps one as intended."""

    HELP_TITLE = "consistency queue"
    BINDINGS: ClassVar[list[BindingType]] = [*APP_KEYS, *CHECK]

    @dataclass
    class Found(Message):
        """The queue as the store read it."""

        items: list[Item]

    @dataclass
    class Done(Message):
        """An item was resolved or kept."""

        note: str

    def __init__(self) -> None:
        super().__init__()
        self.items: list[Item] = []
        self.busy = True

    def compose(self) -> ComposeResult:
        with Vertical(id="check-box"):
            yield Static("consistency queue", id="check-title")
            yield OptionList(id="check-list")
        yield Footer()

    @property
    def listing(self) -> OptionList:
        """The list of items."""
        return self.query_one("#check-list", OptionList)

    def on_mount(self) -> None:
        self.listing.focus()
        self.load()

    @store_work(group="check", exclusive=True)
    def load(self) -> None:
        """Read the first items of the queue (the overlap cache brought up to date first)."""
        if not self.store.read_only:
            try:
                self.store.refresh_overlaps()
            except StoreBusy:  # another process writes: the queue reads past the cache anyway
                pass
        items = [i for kind in KINDS for i in self.store.check(SHOWN, (kind,))]
        self.post_message(self.Found(items))

    def on_consistency_screen_found(self, message: Found) -> None:
        if not self.is_attached:
            return
        keep = self.listing.highlighted or 0
        self.items = message.items
        width = self.listing.scrollable_content_region.width - 1 or 100
        self.listing.set_options(Option(item_row(i, width)) for i in message.items)
        if self.items:
            self.listing.highlighted = min(keep, len(self.items) - 1)
        n = len(self.items)
        kinds = [i.kind for i in self.items]
        more = "+" if any(kinds.count(k) >= SHOWN for k in KINDS) else ""
        title = (
            f"consistency queue · {n}{more} item{'s' * (n != 1)} · enter resolves · l resolves"
            " with a label · i intended · e entity page · u undo"
            if n
            else "consistency queue · the corpus agrees with itself"
        )
        self.query_one("#check-title", Static).update(Text(title))
        self.busy = False

    def on_store_changed(self, message: StoreChanged) -> None:
        self.load()

    def _current(self) -> Item | None:
        i = self.listing.highlighted
        return self.items[i] if i is not None and 0 <= i < len(self.items) else None

    def action_move(self, step: int) -> None:
        """j / k: the next / previous item."""
        if step > 0:
            self.listing.action_cursor_down()
        else:
            self.listing.action_cursor_up()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_resolve()

    def action_resolve(self) -> None:
        """enter: resolve the item as it proposes (by propagation; u undoes)."""
        item = self._current()
        if item is not None:
            self._resolve(item, None)

    def action_resolve_as(self) -> None:
        """l: resolve the item with a label of your choosing."""
        item = self._current()
        if item is None:
            return
        from .label_picker import LabelPicker

        self.app.push_screen(
            LabelPicker(self.store.labels(), item.label),
            when_given(lambda label: self._resolve(item, label)),
        )

    @store_work(group="check-change", exclusive=True)
    def _resolve(self, item: Item, label: str | None) -> None:
        other = item.other if item.kind == "overlap" else None
        n = self.store.resolve_check(item.kind, item.surface, label, other)
        self.post_message(self.Done(f"resolved {item.surface!r}: {n:,} mention(s) changed"))

    def action_intended(self) -> None:
        """i: the contradiction is meant: the queue stops showing it."""
        item = self._current()
        if item is not None:
            self._intended(item)

    @store_work(group="check-change", exclusive=True)
    def _intended(self, item: Item) -> None:
        self.store.mark_intended(
            item.kind, item.surface, item.other if item.kind == "overlap" else None
        )
        self.post_message(self.Done(f"{item.surface!r} kept as intended"))

    def on_consistency_screen_done(self, message: Done) -> None:
        self.notify(plain(message.note, one_line=True), timeout=3)
        self.load()

    def action_entity(self) -> None:
        """e: the entity page of the item's name."""
        item = self._current()
        if item is not None:
            from .entity_page import EntityPageScreen

            self.app.push_screen(EntityPageScreen(item.surface))

    def action_close(self) -> None:
        self.dismiss(None)
