"""The entity page: names, label distribution, mentions (filter, select, decide), neighbours, timeline."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from store.entities.actions import OneLabel
from store.entities.cooccurrence import Neighbour
from store.entities.page import EntityPage, PageMention
from store.entities.suggest import Suggestion
from store.entities.timeline import Bucket, bars

from ..keymap import ENTITY, app_keys
from ..messages import OpenArticle
from ..plain import plain
from ..workers import store_work
from .base import StoreModal
from .common import StoreChanged, fit

PAGE = 100  # mentions read at a time
BEFORE = 30  # characters of the sentence shown before a mention (a row never wraps)
STATUSES = (None, "suggested", "accepted", "rejected")
STATUS_MARK = {"suggested": "?", "accepted": "+", "rejected": "x"}

# a modal screen ends the binding chain before the App: its global keys are bound here again
APP_KEYS = app_keys("app.help", "app.search", "app.palette", "app.undo", "app.redo")


def when_given(fn: Callable[[Any], object]) -> Callable[[Any], None]:
    """A dialog's callback that calls fn with its answer, unless the answer is empty."""

    def call(value: Any) -> None:
        if value:
            fn(value)

    return call


def mention_row(m: PageMention, selected: bool, width: int = 200) -> Text:
    """One mention: selection mark, date, label, status, its sentence with the mention bold."""
    row = Text()
    row.append("● " if selected else "  ", style="bold #feca74")
    row.append(m.date[:10] + (" " if m.dated else "~"), style="dim")
    row.append(f" {plain(m.label, one_line=True)[:8]:<8} {STATUS_MARK.get(m.status, ' ')} ")
    before = plain(m.before, one_line=True).lstrip()
    row.append(before if len(before) <= BEFORE else "…" + before[-BEFORE:])
    row.append(plain(m.text, one_line=True), style="bold reverse")
    row.append(plain(m.after, one_line=True).rstrip())
    row.append(f"  · {m.article_id}: {plain(m.title, one_line=True)}", style="dim italic")
    return fit([row], width)


class EntityPageScreen(StoreModal[None]):
    """One entity across the corpus; enter opens a mention's article or a neighbour's page."""

    HELP_TITLE = "entity page"
    BINDINGS: ClassVar[list[BindingType]] = [*APP_KEYS, *ENTITY]

    @dataclass
    class Loaded(Message):
        """The page as the store read it."""

        page: EntityPage

    @dataclass
    class Extras(Message):
        """Co-occurrence and the timeline, read after the first frame."""

        neighbours: list[Neighbour]
        timeline: list[Bucket]

    @dataclass
    class MoreMentions(Message):
        """Mentions for the current filters, from offset (offset 0: a new list with its count)."""

        offset: int
        mentions: list[PageMention]
        total: int = -1

    @dataclass
    class Planned(Message):
        """What one label for every mention would change."""

        plan: OneLabel

    @dataclass
    class Suggested(Message):
        """Likely aliases of the entity."""

        suggestions: list[Suggestion]

    @dataclass
    class Done(Message):
        """A change was stored: a note to show; the page reads itself again."""

        note: str

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name_asked = name
        self.page: EntityPage | None = None
        self.mentions: list[PageMention] = []
        self.total = 0
        self.selected: set[int] = set()  # span ids
        self.label_filter: str | None = None
        self.status_filter: str | None = None
        self.bucket = "week"
        self.bar_index = -1  # the bar under the cursor ([ ]), -1: the last one
        self.bar_filter: Bucket | None = None
        self.busy = True
        self.extras_done = False  # co-occurrence and the timeline arrived

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="entity-box"):
            yield Static(Text(plain(self.name_asked, one_line=True)), id="entity-title")
            yield Static("", id="entity-labels")
            yield Sparkline([], summary_function=max, id="entity-timeline")
            yield Static("", id="entity-bar")
            with Horizontal(id="entity-lists"):
                with Vertical(id="entity-mentions-box"):
                    yield Static("", id="entity-mentions-title")
                    yield OptionList(id="entity-mentions")
                with Vertical(id="entity-near-box"):
                    yield Static("appears with", id="entity-near-title")
                    yield OptionList(id="entity-near")
        yield Footer()

    @property
    def mention_list(self) -> OptionList:
        """The list of mentions."""
        return self.query_one("#entity-mentions", OptionList)

    @property
    def near_list(self) -> OptionList:
        """The list of co-occurring entities."""
        return self.query_one("#entity-near", OptionList)

    def on_mount(self) -> None:
        self.mention_list.focus()
        self.load()

    # -- reading -----------------------------------------------------------------------

    @store_work(group="entity-page", exclusive=True)
    def load(self) -> None:
        """Read the page (counts, first mentions with the filters, neighbours, timeline)."""
        page = self.store.entity_page(
            self.name_asked,
            limit=PAGE,
            label=self.label_filter,
            status=self.status_filter,
            extras=False,
        )
        self.post_message(self.Loaded(page))
        near, days = self.store.entity_page_extras(page.entity.names)
        self.post_message(self.Extras(near, days))

    def on_entity_page_screen_loaded(self, message: Loaded) -> None:
        if not self.is_attached:
            return
        page = message.page
        if self.page is not None:  # until the extras come again, the ones read before stay
            old = self.page
            page = dataclasses.replace(page, neighbours=old.neighbours, timeline=old.timeline)
        self.page = page
        e = page.entity
        title = Text()
        title.append(plain(e.name, one_line=True), style="bold")
        title.append(f"  · entity {e.id}", style="dim")
        if e.aliases:
            title.append("  · also: " + ", ".join(plain(a, one_line=True) for a in e.aliases))
        self.query_one("#entity-title", Static).update(title)
        self.query_one("#entity-labels", Static).update(
            Text(plain(page.distribution(), one_line=True))
        )
        if self.bar_filter is None:
            self._set_mentions(0, page.mentions, page.total)
        else:
            self.read_mentions(0)
        self.busy = False

    def on_entity_page_screen_extras(self, message: Extras) -> None:
        if not self.is_attached or self.page is None:
            return
        page = self.page = dataclasses.replace(
            self.page,
            neighbours=message.neighbours,
            timeline=message.timeline,
        )
        near = self.near_list
        near.set_options(
            Option(
                fit(
                    [
                        Text(
                            f"{n.articles:>6,}  {plain(n.name, one_line=True)}"
                            f"  ({plain(n.label, one_line=True)})"
                        )
                    ],
                    40,
                )
            )
            for n in page.neighbours
        )
        if page.neighbours:
            near.highlighted = 0
        self.query_one("#entity-near-title", Static).update(Text("appears with (articles)"))
        self._draw_timeline()
        self.extras_done = True

    @store_work(group="entity-mentions", exclusive=True)
    def read_mentions(self, offset: int) -> None:
        """Read a page of mentions for the filters (and the count, from offset 0)."""
        if self.page is None:
            return
        names = self.page.entity.names
        days = (self.bar_filter.start, self.bar_filter.end) if self.bar_filter else None
        found = self.store.entity_page_mentions(
            names,
            label=self.label_filter,
            status=self.status_filter,
            days=days,
            offset=offset,
            limit=PAGE,
        )
        total = (
            self.store.count_entity_mentions(names, self.label_filter, self.status_filter, days)
            if offset == 0
            else -1
        )
        self.post_message(self.MoreMentions(offset, found, total))

    def on_entity_page_screen_more_mentions(self, message: MoreMentions) -> None:
        if self.is_attached:
            self._set_mentions(message.offset, message.mentions, message.total)

    def _set_mentions(self, offset: int, found: list[PageMention], total: int) -> None:
        listing = self.mention_list
        width = listing.scrollable_content_region.width - 1 or 100
        if offset == 0:
            self.mentions = list(found)
            self.total = total
            listing.set_options(
                Option(mention_row(m, m.span_id in self.selected, width)) for m in found
            )
            if found:
                listing.highlighted = 0
        else:
            self.mentions.extend(found)
            listing.add_options(
                Option(mention_row(m, m.span_id in self.selected, width)) for m in found
            )
        self._title_mentions()

    def _title_mentions(self) -> None:
        parts = [f"mentions {self.total:,}"]
        parts.append(f"label {self.label_filter}" if self.label_filter else "all labels")
        parts.append(self.status_filter or "not rejected (s: by status)")
        if self.bar_filter:
            parts.append(f"{self.bar_filter.start} to {self.bar_filter.end} (excl.)")
        if self.selected:
            parts.append(f"{len(self.selected):,} selected")
        self.query_one("#entity-mentions-title", Static).update(
            Text(plain(" · ".join(parts), one_line=True))
        )

    def _bars(self) -> list[Bucket]:
        return bars(self.page.timeline, self.bucket) if self.page else []

    def _draw_timeline(self) -> None:
        shown = self._bars()
        spark = self.query_one("#entity-timeline", Sparkline)
        spark.data = [float(b.count) for b in shown] or [0.0]
        if not shown:
            self.query_one("#entity-bar", Static).update(Text("no dated mentions"))
            return
        i = self.bar_index % len(shown)
        b = shown[i]
        line = (
            f"per {self.bucket} {shown[0].start} … {shown[-1].start} · bar {i + 1}/{len(shown)}:"
            f" {b.start}, {b.count:,} mention{'s' * (b.count != 1)}  ([ ] move, b its articles,"
            " w day/week)"
        )
        self.query_one("#entity-bar", Static).update(Text(line))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list is not self.mention_list:
            return
        if event.option_index >= len(self.mentions) - 5 and len(self.mentions) < self.total:
            self.read_mentions(len(self.mentions))

    # -- opening -------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#entity-mentions")
    def _open_mention(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.mentions):
            m = self.mentions[event.option_index]
            self.app.post_message(OpenArticle(m.article_id, m.start, m.end))

    @on(OptionList.OptionSelected, "#entity-near")
    def _open_neighbour(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.page and 0 <= event.option_index < len(self.page.neighbours):
            self.app.push_screen(EntityPageScreen(self.page.neighbours[event.option_index].name))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_switch_list(self) -> None:
        """tab: the mentions ⇄ the entities it appears with."""
        target = self.near_list if self.mention_list.has_focus else self.mention_list
        target.focus()

    def action_move(self, step: int) -> None:
        """j / k in the focused list."""
        listing = self.near_list if self.near_list.has_focus else self.mention_list
        if step > 0:
            listing.action_cursor_down()
        else:
            listing.action_cursor_up()

    # -- selecting and deciding --------------------------------------------------------

    def _current(self) -> PageMention | None:
        i = self.mention_list.highlighted
        return self.mentions[i] if i is not None and 0 <= i < len(self.mentions) else None

    def _redraw_row(self, index: int) -> None:
        m = self.mentions[index]
        width = self.mention_list.scrollable_content_region.width - 1 or 100
        self.mention_list.replace_option_prompt_at_index(
            index, mention_row(m, m.span_id in self.selected, width)
        )

    def action_toggle_mention(self) -> None:
        """space: select or unselect the mention under the cursor, then go to the next."""
        i = self.mention_list.highlighted
        if i is None or not 0 <= i < len(self.mentions):
            return
        self.selected ^= {self.mentions[i].span_id}
        self._redraw_row(i)
        self.mention_list.action_cursor_down()
        self._title_mentions()

    def action_select_all(self) -> None:
        """*: select every mention read so far (or unselect them all when all are)."""
        ids = {m.span_id for m in self.mentions}
        self.selected = set() if ids <= self.selected else self.selected | ids
        for i in range(len(self.mentions)):
            self._redraw_row(i)
        self._title_mentions()

    def _targets(self) -> list[int]:
        if self.selected:
            return sorted(self.selected)
        current = self._current()
        return [current.span_id] if current else []

    def action_decide(self, action: str) -> None:
        """a / x: accept or reject the selected mentions (or the one under the cursor)."""
        targets = self._targets()
        if targets:
            self._bulk(targets, action, None)

    def action_relabel(self) -> None:
        """l: give the selected mentions (or the one under the cursor) another label."""
        targets = self._targets()
        if not targets:
            return
        from .label_picker import LabelPicker

        current = self._current()
        self.app.push_screen(
            LabelPicker(self.store.labels(), current.label if current else None),
            when_given(lambda label: self._bulk(targets, "relabel", label)),
        )

    @store_work(group="entity-decide", exclusive=True)
    def _bulk(self, targets: list[int], action: str, label: str | None) -> None:
        n = self.store.bulk_decide(targets, action, label)
        what = {"accept": "accepted", "reject": "rejected"}.get(action, f"relabelled {label}")
        self.post_message(self.Done(f"{n:,} mention{'s' * (n != 1)} {what} (u undoes)"))

    def on_entity_page_screen_done(self, message: Done) -> None:
        self.selected.clear()
        self.notify(plain(message.note, one_line=True), timeout=3)
        self.load()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.load()  # an undo or redo: read the page again

    # -- one label for every mention ----------------------------------------------------

    def action_one_label(self) -> None:
        """L: every mention of every name of the entity one label (previewed, one undo)."""
        if self.page is None:
            return
        from .label_picker import LabelPicker

        top = next(iter(self.page.labels), None)
        self.app.push_screen(
            LabelPicker(self.store.labels(), top),
            when_given(lambda label: self._plan(label)),
        )

    @store_work(group="entity-plan", exclusive=True)
    def _plan(self, label: str) -> None:
        assert self.page is not None
        self.post_message(self.Planned(self.store.plan_one_label(self.page.entity.name, label)))

    def on_entity_page_screen_planned(self, message: Planned) -> None:
        from .confirm import ConfirmScreen

        plan = message.plan
        assert self.page is not None
        names = ", ".join(repr(n) for n in self.page.entity.names)
        self.app.push_screen(
            ConfirmScreen(
                f"give {plan.label} to every mention of {names}: {plan.mentions:,} mention(s)"
                f" in {plan.articles:,} article(s) change",
                "one undo (u) takes it all back",
            ),
            when_given(lambda yes: self._one_label(str(plan.label))),
        )

    @store_work(group="entity-decide", exclusive=True)
    def _one_label(self, label: str) -> None:
        assert self.page is not None
        n = self.store.one_label(self.page.entity.name, label)
        self.post_message(self.Done(f"{n:,} mention(s) now {label} (u undoes)"))

    # -- filters and the timeline -----------------------------------------------------------

    def action_cycle_label(self) -> None:
        """f: show the mentions of one label, the next, ..., then all."""
        if self.page is None:
            return
        choices: list[str | None] = [None, *self.page.labels]
        i = choices.index(self.label_filter) if self.label_filter in choices else 0
        self.label_filter = choices[(i + 1) % len(choices)]
        self.read_mentions(0)

    def action_cycle_status(self) -> None:
        """s: suggested, accepted, rejected, then the current (not rejected) mentions again."""
        i = STATUSES.index(self.status_filter)
        self.status_filter = STATUSES[(i + 1) % len(STATUSES)]
        self.read_mentions(0)

    def action_bar(self, step: int) -> None:
        """[ / ]: the previous / next bar of the timeline."""
        shown = self._bars()
        if shown:
            self.bar_index = (self.bar_index % len(shown) + step) % len(shown)
            self._draw_timeline()

    def action_bar_articles(self) -> None:
        """b: only the mentions of the bar under the cursor (again: all of them)."""
        shown = self._bars()
        if not shown:
            return
        bar = shown[self.bar_index % len(shown)]
        self.bar_filter = None if self.bar_filter == bar else bar
        self.read_mentions(0)

    def action_cycle_bucket(self) -> None:
        """w: bars per week ⇄ per day."""
        self.bucket = "day" if self.bucket == "week" else "week"
        self.bar_index = -1
        self._draw_timeline()

    # -- aliases -----------------------------------------------------------------------

    def action_alias(self) -> None:
        """=: another name of this entity (it becomes an alias; its mentions join the page)."""
        if self.page is None:
            return
        from .name_prompt import NamePrompt

        name = self.page.entity.name
        self.app.push_screen(
            NamePrompt(f"another name of {plain(name, one_line=True)!r}:"),
            when_given(lambda alias: self._alias(alias, name)),
        )

    @store_work(group="entity-decide", exclusive=True)
    def _alias(self, alias: str, canonical: str) -> None:
        entity = self.store.alias(alias, canonical)
        self.post_message(self.Done(f"{alias!r} is now a name of {entity.name!r} (u undoes)"))

    def action_unalias(self) -> None:
        """U: one of the aliases goes back to being an entity of its own."""
        if self.page is None or not self.page.entity.aliases:
            self.notify("this entity has no aliases", timeout=3)
            return
        from .name_prompt import NamePrompt

        self.app.push_screen(
            NamePrompt("which alias to drop:", self.page.entity.aliases[-1]),
            when_given(lambda alias: self._unalias(alias)),
        )

    @store_work(group="entity-decide", exclusive=True)
    def _unalias(self, alias: str) -> None:
        left = self.store.unalias(alias)
        self.post_message(self.Done(f"{alias!r} is no longer a name of {left.name!r}"))

    def action_not_same(self) -> None:
        """N: a name that is NOT this entity (never suggested as an alias again)."""
        if self.page is None:
            return
        from .name_prompt import NamePrompt

        name = self.page.entity.name
        self.app.push_screen(
            NamePrompt(f"a name that is not {plain(name, one_line=True)!r}:"),
            when_given(lambda other: self._not_same(other, name)),
        )

    @store_work(group="entity-decide", exclusive=True)
    def _not_same(self, other: str, name: str) -> None:
        self.store.mark_distinct(other, name)
        self.post_message(self.Done(f"{other!r} and {name!r} are different entities"))

    def action_suggest(self) -> None:
        """S: likely aliases (acronyms, near names), each for a yes / no / skip judgement."""
        if self.page is not None:
            self._suggest(self.page.entity.name)

    @store_work(group="entity-suggest", exclusive=True)
    def _suggest(self, name: str) -> None:
        self.post_message(self.Suggested(self.store.alias_suggestions(name, 20)))

    def on_entity_page_screen_suggested(self, message: Suggested) -> None:
        if not message.suggestions:
            self.notify("no likely aliases", timeout=3)
            return
        from .alias_suggestions import AliasSuggestions

        assert self.page is not None
        self.app.push_screen(
            AliasSuggestions(self.page.entity.name, message.suggestions),
            when_given(lambda n: self.load()),
        )
