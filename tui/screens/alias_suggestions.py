"""Likely aliases, one at a time, for a yes / no / skip judgement (as nomenklatura's dedupe)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, Static

from store.entities.suggest import Suggestion

from ..keymap import SUGGEST
from ..plain import plain
from ..workers import store_work
from .base import StoreModal


class AliasSuggestions(StoreModal[int]):
    """y: the same entity (an alias), n: different (never suggested again), s: skip.

    Dismisses with how many judgements were stored.
    """

    HELP_TITLE = "likely aliases"
    BINDINGS: ClassVar[list[BindingType]] = [*SUGGEST]

    @dataclass
    class Judged(Message):
        """A judgement was stored."""

        answer: str

    def __init__(self, canonical: str, suggestions: list[Suggestion]) -> None:
        super().__init__()
        self.canonical = canonical
        self.suggestions = suggestions
        self.index = 0
        self.stored = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="suggest-box"):
            yield Static("", id="suggest-question")
            yield Static(
                "y: same entity · n: different · s: skip · escape: stop",
                classes="hint",
                markup=False,
            )
        yield Footer()

    def on_mount(self) -> None:
        self._show()

    @property
    def current(self) -> Suggestion | None:
        """The suggestion shown now."""
        return self.suggestions[self.index] if self.index < len(self.suggestions) else None

    def _show(self) -> None:
        s = self.current
        if s is None:
            self.dismiss(self.stored)
            return
        text = Text()
        text.append(f"{self.index + 1}/{len(self.suggestions)}  is ")
        text.append(plain(s.alias, one_line=True), style="bold")
        text.append(f" ({s.reason}, {s.mentions:,} mentions) another name of ")
        text.append(plain(self.canonical, one_line=True), style="bold")
        text.append("?")
        self.query_one("#suggest-question", Static).update(text)

    def action_answer(self, answer: str) -> None:
        s = self.current
        if answer == "stop" or s is None:
            self.dismiss(self.stored)
            return
        if answer == "skip":
            self.index += 1
            self._show()
            return
        self._judge(s.alias, answer)

    @store_work(group="suggest", exclusive=True)
    def _judge(self, alias: str, answer: str) -> None:
        if answer == "yes":
            self.store.alias(alias, self.canonical)
        else:
            self.store.mark_distinct(alias, self.canonical)
        self.post_message(self.Judged(answer))

    def on_alias_suggestions_judged(self, message: Judged) -> None:
        self.stored += 1
        self.index += 1
        self._show()
