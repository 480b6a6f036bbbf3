"""Every key binding of the reader with its id, and the user's remapping from the config `[keys]`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual.binding import Binding

from store.errors import ConfigError


def _b(
    key: str, action: str, description: str, bid: str, *, show: bool = True, priority: bool = False
) -> Binding:
    return Binding(key, action, description, show=show, id=bid, priority=priority)


APP = [
    _b("question_mark", "help", "Help", "app.help"),
    _b("ctrl+p", "command_palette", "Commands", "app.palette", show=False),
    _b("slash", "search", "Search", "app.search"),
    _b("u", "undo", "Undo", "app.undo", show=False),
    _b("ctrl+r", "redo", "Redo", "app.redo", show=False),
]

LIBRARY = [
    _b("q", "quit", "Quit", "library.quit"),
    _b("s", "cycle_sort", "Sort", "library.sort"),
    _b("n", "unread(1)", "Next unread", "library.next_unread"),
    _b("p", "unread(-1)", "Previous unread", "library.prev_unread", show=False),
    _b("r", "refresh", "Refresh", "library.refresh", show=False),
]

ARTICLE_LIST = [
    _b("enter", "open", "Open", "list.open"),
    _b("j,down", "cursor(1)", "Down", "list.down", show=False),
    _b("k,up", "cursor(-1)", "Up", "list.up", show=False),
    _b("pagedown,space", "page(1)", "Page down", "list.page_down", show=False),
    _b("pageup", "page(-1)", "Page up", "list.page_up", show=False),
    _b("home,g", "first", "First", "list.first", show=False),
    _b("end,G", "last", "Last", "list.last", show=False),
]

READER = [
    _b("q", "back", "Back", "reader.back"),
    _b("q", "quit", "Quit", "reader.quit"),
    _b("escape", "escape", "Cancel / back", "reader.escape", show=False),
    _b("n", "article(1)", "Next", "reader.next_article"),
    _b("p", "article(-1)", "Prev", "reader.prev_article"),
    _b("tab", "switch_focus", "Text/panel", "reader.focus", show=False),
    _b("right_square_bracket", "entity(1)", "Next entity", "reader.next_entity", show=False),
    _b("left_square_bracket", "entity(-1)", "Prev entity", "reader.prev_entity", show=False),
    _b("a", "accept", "Accept", "reader.accept"),
    _b("x", "reject", "Reject", "reader.reject"),
    _b("l", "pick_label", "Label", "reader.label"),
    *[
        _b(str(i), f"label({i})", f"Label {i}", f"reader.label_{i}", show=False)
        for i in range(1, 10)
    ],
    _b("A", "propagate", "Apply to all", "reader.propagate"),
    _b("R", "toggle_reviewed", "Reviewed", "reader.reviewed"),
    _b("m", "mentions", "Mentions everywhere", "reader.mentions", show=False),
]

TEXT = [
    _b("v", "select", "Select", "text.select", show=False),
    _b("left", "move(-1)", "Left", "text.left", show=False),
    _b("right", "move(1)", "Right", "text.right", show=False),
    _b("up,k", "line(-1)", "Up", "text.up", show=False),
    _b("down,j", "line(1)", "Down", "text.down", show=False),
    _b("w", "word(1)", "Next token", "text.word", show=False),
    _b("b", "word(-1)", "Previous token", "text.back_word", show=False),
    _b("e", "word_end", "Token end", "text.word_end", show=False),
    _b("o", "swap_ends", "Swap ends", "text.swap", show=False),
    _b("c", "toggle_char_mode", "Char/token mode", "text.char_mode", show=False),
    _b("enter", "keep", "Keep selection", "text.keep", show=False),
    _b("pagedown,space", "page(1)", "Page down", "text.page_down", show=False),
    _b("pageup", "page(-1)", "Page up", "text.page_up", show=False),
    _b("home,g", "to_start", "Top", "text.top", show=False),
    _b("end,G", "to_end", "Bottom", "text.bottom", show=False),
]

PANEL = [
    _b("j", "cursor_down", "Down", "panel.down", show=False),
    _b("k", "cursor_up", "Up", "panel.up", show=False),
]

MODAL = [_b("escape", "dismiss_none", "Close", "modal.close")]

HELP = [
    _b("j,down", "scroll_body(1)", "Scroll down", "help.down", show=False),
    _b("k,up", "scroll_body(-1)", "Scroll up", "help.up", show=False),
    _b("pagedown,space", "page_body(1)", "Page down", "help.page_down", show=False),
    _b("pageup", "page_body(-1)", "Page up", "help.page_up", show=False),
    _b("home,g", "body_end(0)", "Top", "help.top", show=False),
    _b("end,G", "body_end(1)", "Bottom", "help.bottom", show=False),
]

ALL: tuple[Binding, ...] = (
    *APP,
    *LIBRARY,
    *ARTICLE_LIST,
    *READER,
    *TEXT,
    *PANEL,
    *MODAL,
    *HELP,
)
IDS = frozenset(b.id for b in ALL if b.id)


def keymap_from_config(config: dict[str, Any], path: Path | None = None) -> dict[str, str]:
    """Return the `[keys]` table as binding id -> keys; unknown ids and bad values are errors."""
    table = config.get("keys", {})
    where = f"{path}: " if path else ""
    if not isinstance(table, dict):
        raise ConfigError(f'{where}[keys] must be a table of binding id = "key"')
    out: dict[str, str] = {}
    for bid, keys in table.items():
        if bid not in IDS:
            raise ConfigError(
                f"{where}[keys] {bid!r} is not a binding id (see `margin config keys`)"
            )
        if isinstance(keys, list):
            keys = ",".join(str(k) for k in keys)
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigError(f'{where}[keys] {bid} must be a key such as "ctrl+n"')
        out[bid] = keys.replace(" ", "")
    return out


def describe(
    bindings: Iterable[Binding], keymap: dict[str, str] | None = None
) -> list[tuple[str, str, str]]:
    """Return (keys as shown, description, id) for bindings, with the keymap applied."""
    keymap = keymap or {}
    rows = []
    for b in bindings:
        keys = keymap.get(b.id or "", b.key)
        rows.append((pretty_keys(keys), b.description, b.id or ""))
    return rows


_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "space": "space",
}


def pretty_keys(keys: str) -> str:
    """Return keys the way a person types them: `]` rather than right_square_bracket."""
    return " ".join(_NAMES.get(k, k) for k in keys.split(","))
