"""The footer: the screen's keys with help and search first, so a narrow terminal keeps them."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

COMPACT_BELOW = 100  # columns: below this the keys lose their padding
FIRST = ("help", "app.help", "search", "app.search")  # the keys that explain everything else


class MarginFooter(Footer):
    """Textual's footer with `? Help` and `/ Search` moved to the front (nothing cuts them), and
    only the keys that fit whole beside `^p Commands` (not `l` without its word, nor a letter of
    a covered key peeking out at the right edge)."""

    DEFAULT_CSS = """
    /* compact keys get margin-right 1, the docked palette key too: its last column showed
       whatever key lay under it ("^p Commandsy") */
    MarginFooter.-compact FooterKey.-command-palette { margin-right: 0; }
    """

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        first = [k for k in keys if isinstance(k, FooterKey) and k.action in FIRST]
        yield from first + [k for k in keys if k not in first]
        self.call_after_refresh(self.fit_keys)

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < COMPACT_BELOW
        for key in self.query(FooterKey):
            key.display = True  # laid out again at the new width, then fitted
        self.call_after_refresh(self.fit_keys)

    def on_show(self) -> None:
        self.call_after_refresh(self.fit_keys)  # a screen shown again (back from the reader)

    def fit_keys(self, tries: int = 50) -> None:
        """Hide the keys from the first one that the docked `^p Commands` would cover."""
        keys = list(self.query(FooterKey))
        palette = [k for k in keys if k.has_class("-command-palette")]
        # laid out at this width yet? every shown key has a place, the palette key ends at the
        # right edge (after a resize the regions may still be the old width's for a refresh)
        stale = any(not k.region.width for k in keys if k.display) or (
            palette and palette[0].region.right != self.region.right
        )
        if stale:
            if tries and self.is_attached:
                self.call_after_refresh(self.fit_keys, tries - 1)
            return
        limit = palette[0].region.x if palette else self.region.right
        cut = False
        for key in keys:
            if key in palette or not key.display:
                continue
            cut = cut or key.region.right > limit
            key.display = not cut
