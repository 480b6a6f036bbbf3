"""The footer: the screen's keys with help and search first, so a narrow terminal keeps them."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

COMPACT_BELOW = 100  # columns: below this the keys lose their padding
FIRST = ("help", "app.help", "search", "app.search")  # the keys that explain everything else


class MarginFooter(Footer):
    """Textual's footer with `? Help` and `/ Search` moved to the front (nothing cuts them)."""

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        first = [k for k in keys if isinstance(k, FooterKey) and k.action in FIRST]
        yield from first + [k for k in keys if k not in first]

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < COMPACT_BELOW
