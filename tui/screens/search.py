"""The search screen: one box, results as you type (entities and articles), enter opens a hit."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from store import SearchHit
from store.errors import QueryError
from store.search.parse import FILTER_HELP

from ..messages import OpenArticle
from ..plain import plain
from ..widgets.legend import chip
from ..workers import store_work
from .base import StoreModal
from .common import fit

LABEL_WIDTH = 11  # labels are padded to this, so names line up


def highlighted(text: str, marks: tuple[tuple[int, int], ...], style: str) -> Text:
    """Return text as plain Rich Text (never markup) with the marked ranges styled."""
    out = Text()
    pos = 0
    for start, end in marks:
        if start < pos or end > len(text):
            continue
        out.append(plain(text[pos:start], one_line=True))
        out.append(plain(text[start:end], one_line=True), style=style)
        pos = end
    out.append(plain(text[pos:], one_line=True))
    return out


def hit_prompt(hit: SearchHit, colors: dict[str, str], width: int = 200) -> Text:
    """The row of one hit: an entity's surface, label and counts; an article's title and snippet."""
    if hit.kind == "entity":
        label = hit.label or ""
        row = Text()
        # a Style, not a style string: a colour it cannot read becomes grey instead of a crash
        row.append(f" {plain(label, one_line=True)} ", style=chip(label, colors.get(label, "")))
        row.append(" " * max(0, LABEL_WIDTH - len(label)))
        row.append(" ")
        row.append(plain(hit.text or "", one_line=True), style="bold")
        if hit.canonical:
            row.append(f" → {plain(hit.canonical, one_line=True)}", style="italic")
        row.append(
            f"   {hit.mentions:,} mention{'s' if hit.mentions != 1 else ''}"
            f" in {hit.articles:,} article{'s' if hit.articles != 1 else ''}",
            style="dim",
        )
        return fit([row], width)
    row = Text()
    row.append(" article ", style="reverse")
    row.append(" " * (LABEL_WIDTH - 6))
    if hit.snippet.strip() == hit.title.strip():  # a headline-only article: one line, marked
        row.append_text(highlighted(hit.snippet.strip(), hit.highlights, "bold reverse"))
        row.stylize("bold", len(row) - len(plain(hit.snippet.strip(), one_line=True)))
        return fit([row], width)
    row.append(plain(hit.title, one_line=True), style="bold")
    lines = [row]
    if hit.snippet:
        snippet = Text(" " * (LABEL_WIDTH + 3))
        snippet.append_text(highlighted(hit.snippet, hit.highlights, "bold reverse"))
        lines.append(snippet)
    return fit(lines, width)


class SearchScreen(StoreModal[None]):
    """Fuzzy search over articles and entities; posts OpenArticle to open a hit."""

    DEBOUNCE = 0.12  # seconds of quiet typing before a search starts
    LIMIT = 50

    @dataclass
    class Answered(Message):
        """A search's hits (or the sentence of a QueryError) for one generation of typing."""

        generation: int
        query: str
        hits: list[SearchHit]
        error: str = ""
        elapsed: float = 0.0

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close", id="search.close"),
        Binding("down", "move(1)", "Next", show=False, id="search.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="search.previous"),
        Binding("pagedown", "move(10)", "Page down", show=False, id="search.page_down"),
        Binding("pageup", "move(-10)", "Page up", show=False, id="search.page_up"),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self._initial = query
        self._generation = 0
        self._timer: Timer | None = None
        self._hits: list[SearchHit] = []
        self._colors: dict[str, str] | None = None
        self.busy = True  # a search is waiting or running (tests wait on this)

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Input(
                value=self._initial,
                placeholder="Search entities and articles (label:PERSON status:rejected reviewed:no)",
                id="search-input",
            )
            yield Static(f"filters: {FILTER_HELP}", id="search-status", markup=False)
            yield OptionList(id="search-results")

    def on_mount(self) -> None:
        self.query_one("#search-input", Input).focus()
        self._schedule(self._initial, 0)

    @property
    def hits(self) -> list[SearchHit]:
        """The hits on screen now."""
        return list(self._hits)

    # -- searching -----------------------------------------------------------------------

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        self._schedule(event.value, self.DEBOUNCE)

    def _schedule(self, query: str, delay: float) -> None:
        self._generation += 1
        self.busy = True
        if self._timer is not None:
            self._timer.stop()
        generation = self._generation
        if delay <= 0:  # (a zero-delay Timer fails in Textual)
            self._timer = None
            self.call_later(self._run, query, generation)
        else:
            self._timer = self.set_timer(delay, lambda: self._run(query, generation))

    @store_work(group="search", exclusive=True)
    def _run(self, query: str, generation: int) -> None:
        """Search in a thread; the answer is dropped if the person typed on meanwhile."""
        started = time.perf_counter()
        error = ""
        hits: list[SearchHit] = []
        if self._colors is None:
            self._colors = {lab.name: lab.color for lab in self.store.labels()}
        try:
            hits = self.store.search(query, limit=self.LIMIT)
        except QueryError as exc:  # a filter value or label search does not know: said inline
            error = str(exc)
        elapsed = time.perf_counter() - started
        if get_current_worker().is_cancelled:
            return
        self.post_message(self.Answered(generation, query, hits, error, elapsed))

    def on_search_screen_answered(self, message: Answered) -> None:
        if message.generation != self._generation or not self.is_attached:
            return  # stale: a newer search is on its way, or the screen is gone
        hits, query, error = message.hits, message.query, message.error
        self._hits = hits
        results = self.query_one("#search-results", OptionList)
        colors = self._colors or {}
        width = results.scrollable_content_region.width - 1 or 100
        results.set_options(Option(hit_prompt(h, colors, width)) for h in hits)
        if hits:
            results.highlighted = 0
        status = self.query_one("#search-status", Static)
        if error:
            status.update(Text(plain(error, one_line=True), style="bold red"))
        elif not hits:
            status.update(Text("no matches" if query.strip() else f"filters: {FILTER_HELP}"))
        else:
            ents = sum(1 for h in hits if h.kind == "entity")
            status.update(
                Text(
                    f"{ents} entit{'y' if ents == 1 else 'ies'}, {len(hits) - ents} article"
                    f"{'' if len(hits) - ents == 1 else 's'} · {message.elapsed * 1000:.0f} ms"
                    " · enter opens, ↑↓ move, esc closes"
                )
            )
        self.busy = False

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A search that failed (the App says why) leaves the box ready for the next one."""
        if event.worker.group == "search" and event.state == WorkerState.ERROR:
            self.query_one("#search-status", Static).update(Text("search failed", style="bold red"))
            self.busy = False

    # -- moving and opening --------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        results = self.query_one("#search-results", OptionList)
        if not results.option_count:
            return
        current = results.highlighted if results.highlighted is not None else -1
        results.highlighted = max(0, min(results.option_count - 1, current + delta))

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        results = self.query_one("#search-results", OptionList)
        if results.highlighted is not None:
            self.open_hit(results.highlighted)

    @on(OptionList.OptionSelected, "#search-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.open_hit(event.option_index)

    def open_hit(self, index: int) -> None:
        """Open a hit: an entity's mentions, or the reader at an article's best match."""
        if not 0 <= index < len(self._hits):
            return
        hit = self._hits[index]
        if hit.kind == "entity":
            from .entity_page import EntityPageScreen

            self.app.push_screen(EntityPageScreen(hit.text or ""))
            return
        self.dismiss()
        self.app.post_message(OpenArticle(hit.article_id, hit.start, hit.end))
