"""Every key binding of the reader with its id, and the user's remapping from the config `[keys]`."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.binding import Binding
from textual.keys import KEY_NAME_REPLACEMENTS, Keys

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
    _b("H", "history", "History", "app.history", show=False),  # review workflow (issue 18)
]


def app_keys(*ids: str) -> list[Binding]:
    """The App's bindings with these ids, bound again for a modal screen (a modal ends the
    binding chain before the App); same ids, so a remapping in the config applies there too."""
    return [replace(b, action=f"app.{b.action}") for b in APP if b.id in ids]


LIBRARY = [
    _b("q", "quit", "Quit", "library.quit"),
    _b("s", "cycle_sort", "Sort", "library.sort"),
    _b("n", "unread(1)", "Next unread", "library.next_unread"),
    _b("p", "unread(-1)", "Previous unread", "library.prev_unread", show=False),
    _b("r", "refresh", "Refresh", "library.refresh", show=False),
    _b("C", "app.check", "Consistency queue", "library.check", show=False),
    _b("W", "app.watches", "Watch-lists", "library.watches", show=False),
    _b("escape", "all_articles", "All articles", "library.all_articles", show=False),
    _b("D", "date_range", "Date range", "library.dates", show=False),
    _b("f", "cycle_filter", "Filter", "library.filter"),  # review workflow (issue 18)
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
    _b("m", "mentions", "Entity page", "reader.mentions", show=False),
    _b("X", "reject_remaining", "Reject the rest", "reader.reject_remaining", show=False),
    _b("L", "label_set", "Labels", "reader.label_set", show=False),
    # review workflow (issue 18): the queue, what needs a decision, hints, adjudication
    _b("N", "unreviewed(1)", "Next not reviewed", "reader.next_unreviewed", show=False),
    _b("P", "unreviewed(-1)", "Prev not reviewed", "reader.prev_unreviewed", show=False),
    _b("right_curly_bracket", "undecided(1)", "Next to check", "reader.next_undecided"),
    _b("left_curly_bracket", "undecided(-1)", "Prev to check", "reader.prev_undecided", show=False),
    _b("f", "hints", "Jump", "reader.hints"),
    _b("F", "word_hints", "Jump to a word", "reader.word_hints", show=False),
    _b("D", "adjudicate", "Compare annotators", "reader.adjudicate", show=False),
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
    _b("enter", "open_entity", "Entity page", "panel.open"),
    _b("space", "next_mention", "Next mention", "panel.next_mention", show=False),
]

# the entity page (tui/screens/entity_page.py) and the consistency queue (consistency.py)
ENTITY = [
    _b("escape,q", "close", "Back", "entity.back"),
    _b("tab", "switch_list", "Mentions/appears with", "entity.focus", show=False),
    _b("j", "move(1)", "Down", "entity.down", show=False),
    _b("k", "move(-1)", "Up", "entity.up", show=False),
    _b("space", "toggle_mention", "Select", "entity.select"),
    _b("asterisk", "select_all", "Select all shown", "entity.select_all", show=False),
    _b("a", "decide('accept')", "Accept", "entity.accept"),
    _b("x", "decide('reject')", "Reject", "entity.reject"),
    _b("l", "relabel", "Relabel", "entity.relabel"),
    _b("L", "one_label", "One label for all", "entity.one_label"),
    _b("f", "cycle_label", "Label filter", "entity.filter_label", show=False),
    _b("s", "cycle_status", "Status filter", "entity.filter_status", show=False),
    _b("left_square_bracket", "bar(-1)", "Previous bar", "entity.prev_bar", show=False),
    _b("right_square_bracket", "bar(1)", "Next bar", "entity.next_bar", show=False),
    _b("b", "bar_articles", "The bar's articles", "entity.bar_articles", show=False),
    _b("w", "cycle_bucket", "Per day/week", "entity.bucket", show=False),
    _b("equals_sign", "alias", "Add a name", "entity.alias"),
    _b("S", "suggest", "Likely aliases", "entity.suggest"),
    _b("U", "unalias", "Drop an alias", "entity.unalias", show=False),
    _b("N", "not_same", "Not the same entity", "entity.not_same", show=False),
]

CHECK = [
    _b("escape,q", "close", "Back", "check.back"),
    _b("j", "move(1)", "Down", "check.down", show=False),
    _b("k", "move(-1)", "Up", "check.up", show=False),
    _b("enter", "resolve", "Resolve", "check.resolve"),
    _b("l", "resolve_as", "Resolve as…", "check.resolve_as", show=False),
    _b("i", "intended", "Intended", "check.intended"),
    _b("e", "entity", "Entity page", "check.entity"),
]

WATCH = [
    _b("escape,q", "close", "Back", "watch.back"),
    _b("j", "move(1)", "Down", "watch.down", show=False),
    _b("k", "move(-1)", "Up", "watch.up", show=False),
    _b("a", "add", "Add a watch-list", "watch.add"),
    _b("d", "drop", "Drop it", "watch.drop"),
]

SUGGEST = [
    _b("y", "answer('yes')", "Same entity", "suggest.yes"),
    _b("n", "answer('no')", "Different", "suggest.no"),
    _b("s", "answer('skip')", "Skip", "suggest.skip"),
    _b("escape,q", "answer('stop')", "Stop", "suggest.stop"),
]

MODAL = [_b("escape", "dismiss_none", "Close", "modal.close")]

LABEL_SET = [
    _b("J", "move(1)", "Move down", "labels.down"),
    _b("K", "move(-1)", "Move up", "labels.up"),
    _b("h", "toggle_hidden", "Hide/show", "labels.hide"),
    _b("r", "rename", "Rename", "labels.rename"),
    _b("m", "merge", "Merge into", "labels.merge"),
    _b("d", "drop", "Drop", "labels.drop"),
    _b("M", "map_file", "Map file", "labels.map"),
]

HELP = [
    _b("j,down", "scroll_body(1)", "Scroll down", "help.down", show=False),
    _b("k,up", "scroll_body(-1)", "Scroll up", "help.up", show=False),
    _b("pagedown,space", "page_body(1)", "Page down", "help.page_down", show=False),
    _b("pageup", "page_body(-1)", "Page up", "help.page_up", show=False),
    _b("home,g", "body_end(0)", "Top", "help.top", show=False),
    _b("end,G", "body_end(1)", "Bottom", "help.bottom", show=False),
]

# the disagreement queue (tui/screens/disagreements.py, issue 14)
DISAGREEMENTS = [
    _b("n", "take('new')", "Take new", "disagreements.new"),
    _b("o", "take('old')", "Keep old", "disagreements.old"),
    _b("x", "take('neither')", "Reject both", "disagreements.neither"),
    _b("escape,q", "close", "Back", "disagreements.back"),
    _b("j", "move(1)", "Down", "disagreements.down", show=False),
    _b("k", "move(-1)", "Up", "disagreements.up", show=False),
]

# review workflow (issue 18): the history screen and the adjudication screen
HISTORY = [
    _b("enter", "open", "Open article", "history.open"),
    _b("j,down", "move(1)", "Down", "history.down", show=False),
    _b("k,up", "move(-1)", "Up", "history.up", show=False),
    _b("escape,q", "close", "Back", "history.back"),
]

ADJUDICATE = [
    _b("1", "take('mine')", "Take mine", "adjudicate.mine"),
    _b("2", "take('theirs')", "Take theirs", "adjudicate.theirs"),
    _b("0", "take('neither')", "Neither", "adjudicate.neither"),
    _b("j,down", "move(1)", "Down", "adjudicate.down", show=False),
    _b("k,up", "move(-1)", "Up", "adjudicate.up", show=False),
    _b("enter", "save", "Save as reviewed", "adjudicate.save"),
    _b("escape,q", "close", "Back", "adjudicate.back"),
]

ALL: tuple[Binding, ...] = (
    *APP,
    *LIBRARY,
    *ARTICLE_LIST,
    *READER,
    *TEXT,
    *PANEL,
    *ENTITY,
    *CHECK,
    *WATCH,
    *SUGGEST,
    *MODAL,
    *LABEL_SET,
    *HELP,
    *DISAGREEMENTS,
    *HISTORY,
    *ADJUDICATE,
)
IDS = frozenset(b.id for b in ALL if b.id)


# scopes whose bindings are live at the same time (with APP's, which are live everywhere)
_TOGETHER = (
    (READER, TEXT),
    (READER, PANEL),
    (LIBRARY, ARTICLE_LIST),
    (MODAL,),
    (MODAL, LABEL_SET),
    (HELP,),
    (ENTITY,),
    (CHECK,),
    (WATCH,),
    (SUGGEST,),
    (DISAGREEMENTS,),
    (HISTORY,),
    (ADJUDICATE,),
)
_MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
_NAMED = {k.value.rsplit("+", 1)[-1] for k in Keys} | {
    "enter",
    "tab",
    "space",
    "backspace",
    "escape",
    *(f"f{n}" for n in range(1, 25)),
    *KEY_NAME_REPLACEMENTS.values(),  # Textual's own names: "slash" (the default of app.search)
}


def is_key(key: str) -> bool:
    """True for a key Textual can bind: "y", "?", "question_mark", "ctrl+n", "shift+tab", "f5"."""
    *mods, base = key.split("+")
    if any(m not in _MODIFIERS for m in mods) or len(set(mods)) != len(mods) or not base:
        return False
    if len(base) == 1:
        return base.isprintable() and not base.isspace() and base not in "+,"
    if base in _NAMED:
        return True
    try:  # a character by its name, as Textual names printable keys (left_square_bracket)
        return unicodedata.lookup(base.replace("_", " ").upper()).isascii()
    except KeyError:
        return False


def _named(key: str) -> str:
    """A key as Textual names it: "?" is question_mark, "a" stays "a"."""
    if len(key) == 1 and not key.isalnum():
        return unicodedata.name(key, key).lower().replace(" ", "_").replace("-", "_")
    return key


def keymap_from_config(config: dict[str, Any], path: Path | None = None) -> dict[str, str]:
    """Return the `[keys]` table as binding id -> keys; unknown ids, things that are not keys
    and a key another binding live at the same time already has are errors."""
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
        keys = keys.replace(" ", "")
        bad = [k for k in keys.split(",") if not is_key(k)]
        if bad:
            raise ConfigError(
                f"{where}[keys] {bid} = {keys!r}: {bad[0]!r} is not a key"
                ' (expected a key such as "y", "ctrl+n", "f5" or "question_mark")'
            )
        out[bid] = keys
    _check_clashes(out, where)
    return out


def _check_clashes(keymap: dict[str, str], where: str) -> None:
    """ConfigError when a remapped binding shares a key with another binding live with it.

    Keys two bindings share by default (the reader's q: back, or quit at the top) stay shared.
    """

    def keys(b: Binding, mapped: dict[str, str]) -> set[str]:
        return {_named(k) for k in mapped.get(b.id or "", b.key).split(",")}

    for scopes in _TOGETHER:
        live = [*APP, *(b for scope in scopes for b in scope)]
        for b in live:
            if b.id not in keymap:
                continue
            for other in live:
                if other.id == b.id or keys(b, {}) & keys(other, {}):
                    continue
                shared = keys(b, keymap) & keys(other, keymap)
                if shared:
                    key = sorted(shared)[0]
                    raise ConfigError(
                        f"{where}[keys] {b.id} = {keymap[b.id]!r}: {key!r} is already the key"
                        f" of {other.id} ({other.description}); choose another key or remap"
                        f" {other.id} too"
                    )


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
    "right_curly_bracket": "}",
    "left_curly_bracket": "{",
    "space": "space",
    "equals_sign": "=",
    "asterisk": "*",
}


def pretty_keys(keys: str) -> str:
    """Return keys the way a person types them: `]` rather than right_square_bracket."""
    return " ".join(_NAMES.get(k, k) for k in keys.split(","))
