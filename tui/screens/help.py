"""The help screen: every key of the screen it was opened from, read from the bindings themselves."""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from store.search.parse import FILTER_HELP

from ..keymap import ALL, HELP, IDS, MODAL, pretty_keys

_ORDER = {b.id: i for i, b in enumerate(ALL)}


def bindings_table(rows: list[tuple[str, str, str]]) -> Table:
    """Return a table of (keys, description, id) rows."""
    table = Table(box=None, show_header=True, header_style=Style(bold=True), expand=True)
    table.add_column("key", no_wrap=True)
    # on a small screen the ids give way (cut with …), not what the keys do
    table.add_column("action", no_wrap=True)
    table.add_column(
        Text("id (for [keys] in the config)"), style=Style(dim=True), overflow="ellipsis"
    )
    for keys, description, bid in rows:
        table.add_row(Text(keys), Text(description), Text(bid))
    return table


def active_rows(
    screen_bindings: Mapping[str, ActiveBinding], descriptions: dict[str, str] | None = None
) -> list[tuple[str, str, str]]:
    """Group a screen's active bindings (key -> ActiveBinding) into (keys, description, id).

    `descriptions` (binding id -> text) replaces a binding's own words, e.g. the label names
    that the number keys give in the current legend.
    """
    descriptions = descriptions or {}
    grouped: dict[tuple[str, str], list[str]] = {}
    for key, active in screen_bindings.items():
        b = active.binding
        if not b.description or not (b.id or b.action == "quit"):
            continue  # Textual's own scrolling and focus keys (they have no id) are left out
        description = descriptions.get(b.id or "", b.description)
        # only the ids of the keymap can be remapped in the config: others show no id
        bid = b.id if b.id in IDS else ""
        grouped.setdefault((description, bid), []).append(pretty_keys(key))
    return sorted(
        ((" ".join(keys), desc, bid) for (desc, bid), keys in grouped.items()),
        key=lambda r: _ORDER.get(r[2], len(_ORDER)),
    )


class HelpScreen(ModalScreen[None]):
    """Keys of the screen underneath, with their ids."""

    BINDINGS = [*MODAL, *HELP, ("q,question_mark", "dismiss_none", "Close")]

    def __init__(self, title: str, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(f"Keys — {self.title_text}", id="help-title", markup=False)
            yield Static(bindings_table(self.rows), id="help-table")
            yield Static(f"search (/) filters: {FILTER_HELP}", classes="hint", markup=False)
            yield Static(
                "ctrl+p: every command by name, export (Prodigy, spaCy, CoNLL ...) among them",
                classes="hint",
                markup=False,
            )
            yield Static(
                "escape, q or ? closes · remap keys in the config file: margin config path",
                classes="hint",
                markup=False,
            )

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    @property
    def body(self) -> VerticalScroll:
        """The scrolling body (a child of this screen)."""
        return self.query_one("#help-body", VerticalScroll)

    def action_scroll_body(self, step: int) -> None:
        """j / k: scroll a line, as in a pager."""
        self.body.scroll_relative(y=step, animate=False)

    def action_page_body(self, step: int) -> None:
        """space / pageup: scroll a page."""
        self.body.scroll_relative(y=step * max(1, self.body.size.height - 2), animate=False)

    def action_body_end(self, end: int) -> None:
        """g / G: the top / the bottom."""
        if end:
            self.body.scroll_end(animate=False)
        else:
            self.body.scroll_home(animate=False)
