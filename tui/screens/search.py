"""The search screen (placeholder until the search issue lands)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static


class SearchScreen(ModalScreen[None]):
    """Fuzzy search over articles and entities; posts OpenArticle to open a hit."""

    BINDINGS = [("escape", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        yield Static("search is not built yet")
