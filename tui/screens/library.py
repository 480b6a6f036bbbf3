"""The library screen: every article, a page at a time from SQLite, in a chosen order."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Static

from store import ArticleSummary
from store.articles import date_range
from store.entities.watch import Watch
from store.errors import NotFound, StoreBusy

from ..keymap import LIBRARY
from ..messages import OpenArticle
from ..plain import plain
from ..progress import bar
from ..scope import Scope
from ..widgets.article_list import PAGE, ArticleList
from ..widgets.footer import MarginFooter
from ..workers import store_work
from .base import StoreScreen
from .common import StoreChanged, freeze_memory

POLL_SECONDS = 2.0  # how often the library looks for articles other processes imported

SORT_CYCLE = ("newest", "title", "entities", "date")
SORT_NAMES = {
    "newest": "newest first",
    "date": "by date, newest first (~ marks an import day: no date given)",
    "title": "by title",
    "entities": "most entities",
}
# review workflow (issue 18): f cycles which articles the list shows
FILTER_CYCLE = ("all", "unread", "unreviewed", "reviewed")
FILTER_NAMES = {
    "all": "all",
    "unread": "unread",
    "unreviewed": "not reviewed",
    "reviewed": "reviewed",
}


class LibraryScreen(StoreScreen[None]):
    """The article list with its read and review states; enter opens the reader."""

    BINDINGS: ClassVar[list[BindingType]] = [*LIBRARY]

    @dataclass
    class Counted(Message):
        """How many articles there are, and the first page to show."""

        sort: str
        total: int
        offset: int
        rows: list[ArticleSummary]
        state: str = "all"  # the filter it was counted under

    @dataclass
    class Tallied(Message):
        """How many articles are unread and reviewed."""

        unread: int
        reviewed: int
        progress: tuple[int, int] = (0, 0)  # (reviewed, total) under the filter
        watch: Watch | None = None  # the shown watch-list counted again

    @dataclass
    class PageLoaded(Message):
        """One page of rows."""

        sort: str
        offset: int
        rows: list[ArticleSummary]
        state: str = "all"

    @dataclass
    class Jump(Message):
        """Move the cursor to a row (found by a worker), or say why not."""

        sort: str
        index: int | None
        note: str = ""

    @dataclass
    class Latest(Message):
        """The newest article id in the database now, and the rows on screen as they are now."""

        article_id: int
        rows: dict[int, ArticleSummary] = field(default_factory=dict)
        gone: bool = False  # a row on screen was deleted

    class WatchGone(Message):
        """The watch-list shown no longer exists (dropped, or its adding undone)."""

    def __init__(self) -> None:
        super().__init__()
        self.sort = "newest"
        self.filter = "all"  # which articles are listed (FILTER_CYCLE)
        self.progress = (0, 0)
        self.total = 0
        self.unread = 0
        self.reviewed = 0
        self._tallied = False
        self._latest: int | None = None
        self.since: str | None = None  # the date range shown (days, inclusive), None: open
        self.until: str | None = None
        self.watching: Watch | None = None  # the watch-list shown (its counts as it was opened)
        self.watch_counts: Watch | None = None  # ... and counted again since (unread moves)

    @property
    def scope(self) -> Scope:
        """What the list shows now: the filter, the date range and the watch-list."""
        return Scope(
            self.filter,
            self.since,
            self.until,
            None if self.watching is None else str(self.watching.id),
        )

    def compose(self) -> ComposeResult:
        yield Static(f"margin · {Path(self.store.path).name}", id="lib-title", markup=False)
        yield ArticleList(id="articles")
        yield Static("", id="lib-status", markup=False)
        yield MarginFooter()

    @property
    def articles(self) -> ArticleList:
        """The list widget (a child of this screen)."""
        return self.query_one(ArticleList)

    def on_mount(self) -> None:
        self.articles.focus()
        self.reload()
        self.poll()  # the baseline
        self.set_interval(POLL_SECONDS, self._tick)

    def _tick(self) -> None:
        if self.is_current:
            self.poll(self.articles.on_screen())

    @store_work(group="library-poll", exclusive=True)
    def poll(self, shown: list[tuple[int, int]] | None = None) -> None:
        """Notice what other processes changed: new articles (one indexed MAX(id) read) and
        the rows on screen (a primary-key read each: an extraction that finished since)."""
        rows: dict[int, ArticleSummary] = {}
        gone = False
        try:
            latest = self.store.latest_article_id()
            for index, article_id in shown or []:
                try:
                    rows[index] = self.store.article_summary(article_id)
                except NotFound:
                    gone = True
        except StoreBusy:
            return  # another program is writing: the next tick asks again
        self.post_message(self.Latest(latest, rows, gone))

    def on_library_screen_latest(self, message: Latest) -> None:
        known, self._latest = self._latest, message.article_id
        if message.gone or (known is not None and message.article_id != known):
            self.reload()
            return
        loaded = self.articles.rows
        changed = {i: row for i, row in message.rows.items() if i in loaded and loaded[i] != row}
        if not changed:
            return
        if self.sort == "entities" or any(loaded[i].id != row.id for i, row in changed.items()):
            self.reload()  # the order itself may have changed
            return
        self.articles.update_rows(changed)
        self.tally()  # read / reviewed counts may have moved too

    def on_screen_resume(self) -> None:
        if self.total:
            self.reload()

    def reload(self) -> None:
        """Count again and redraw from the page under the cursor."""
        self.count(self.sort, self.articles.cursor)

    @store_work(group="library-count", exclusive=True)
    def count(self, sort: str, cursor: int) -> None:
        """Count the articles (an index scan) and read the page around the cursor."""
        scope = self.scope
        try:
            if not scope.narrowed:  # the unfiltered list as it always was
                total = self.store.article_count()
            else:
                total = self.store.count_in_state(scope.state, **scope.kwargs())
            offset = max(0, min(cursor, total - 1)) // PAGE * PAGE
            rows = self.store.articles_in_state(
                scope.state, offset=offset, limit=PAGE, sort=sort, **scope.kwargs()
            )
        except NotFound:
            if scope.watch is None:
                raise
            self.post_message(self.WatchGone())
            return
        self.post_message(self.Counted(sort, total, offset, rows, self._key(scope)))

    @store_work(group="library-tally", exclusive=True)
    def tally(self) -> None:
        """Count unread and reviewed articles (a table scan: after the first frame)."""
        watch = self.scope.watch
        counted: Watch | None = None
        try:
            shown = self.filter if self.filter in ("all", "unread") else "all"
            if watch is None:
                _total, unread, reviewed = self.store.library_counts()
            else:  # the watch-list's own counts
                counted = self.store.find_watch(watch)
                unread = counted.unread
                reviewed = self.store.progress(watch=watch)[0]
            progress = self.store.progress(shown, watch=watch)
        except NotFound:
            return  # the watch-list was dropped (an undo): the next reload shows all
        except StoreBusy:
            return  # the counts stay out of the status line until the next reload
        self.post_message(self.Tallied(unread, reviewed, progress, counted))

    @store_work(group="library-page")
    def page(self, sort: str, offset: int) -> None:
        """Read one page of rows."""
        scope = self.scope
        rows = self.store.articles_in_state(
            scope.state, offset=offset, limit=PAGE, sort=sort, **scope.kwargs()
        )
        self.post_message(self.PageLoaded(sort, offset, rows, self._key(scope)))

    @staticmethod
    def _key(scope: Scope) -> str:
        """What a page was read under (a reply read under another filter is dropped)."""
        return f"{scope.state}|{scope.since}|{scope.until}|{scope.watch}"

    @store_work(group="library-jump", exclusive=True)
    def jump_unread(self, sort: str, current: int | None, step: int) -> None:
        """Find the next or previous unread article and its row, wrapping round at an end."""
        scope = self.scope
        where = "unread" if self.filter in ("all", "unread") else f"unread+{self.filter}"
        target = self.store.next_in_state(current, where, sort, step, **scope.kwargs())
        note = ""
        if target is None and current is not None:  # none that way: wrap round to the other end
            target = self.store.next_in_state(None, where, sort, step, **scope.kwargs())
            note = "wrapped to the top" if step > 0 else "wrapped to the bottom"
            if target == current:
                target, note = None, "no other unread article"
        if target is None:
            self.post_message(self.Jump(sort, None, note or "no unread articles"))
            return
        self.post_message(
            self.Jump(
                sort, self.store.rank_in_state(target, self.filter, sort, **scope.kwargs()), note
            )
        )

    def on_library_screen_jump(self, message: Jump) -> None:
        if message.index is None:
            self.notify(message.note, timeout=3)
        elif message.sort == self.sort:
            self.articles.go_to(message.index)
            if message.note:
                self.notify(message.note, timeout=3)

    def on_library_screen_watch_gone(self, message: WatchGone) -> None:
        if self.watching is not None:
            self.notify("the watch-list is gone: showing all articles", timeout=3)
            self.show_watch(None)

    def on_library_screen_counted(self, message: Counted) -> None:
        if message.sort != self.sort or message.state != self._key(self.scope):
            return  # counted before the sort or the filter changed
        self.total = message.total
        self.articles.reset(message.total)
        self.articles.set_rows(message.offset, message.rows)
        self._update_status()
        self.call_after_refresh(freeze_memory)
        self.tally()

    def on_library_screen_tallied(self, message: Tallied) -> None:
        self.unread, self.reviewed = message.unread, message.reviewed
        if message.watch is not None and self.watching and message.watch.id == self.watching.id:
            self.watch_counts = message.watch
        self.progress = message.progress
        self._tallied = True
        self._update_status()

    def on_library_screen_page_loaded(self, message: PageLoaded) -> None:
        if message.sort == self.sort and message.state == self._key(self.scope):
            self.articles.set_rows(message.offset, message.rows)

    def on_article_list_need_rows(self, message: ArticleList.NeedRows) -> None:
        self.page(self.sort, message.offset)

    def on_article_list_opened(self, message: ArticleList.Opened) -> None:
        self.post_message(OpenArticle(message.article_id))

    def on_store_changed(self, message: StoreChanged) -> None:
        self.reload()

    def _update_status(self) -> None:
        self._update_header()
        if self.total == 0 and self.watching is not None:
            which = "" if self.filter == "all" else f"{FILTER_NAMES[self.filter]} "
            text = f"no {which}articles in this watch-list · escape shows all articles"
        elif self.total == 0 and self.filter != "all":
            text = f"no {FILTER_NAMES[self.filter]} articles · f shows the others"
        elif self.total == 0:
            text = "no articles yet: margin import PATH (or margin --sample)"
        else:
            n = self.total
            parts = [f"{n:,} article{'s' * (n != 1)}"]
            if self._tallied:
                parts += [f"{self.unread:,} unread", f"{self.reviewed:,} reviewed"]
            if self.since or self.until:
                parts.append(f"dated {self.since or '…'} to {self.until or '…'} (D changes)")
            if self.watching is not None:
                parts.append("escape: all articles")
            parts.append(f"sorted {SORT_NAMES[self.sort]}")
            if self.watching is None:
                parts.append("? keys")
            text = " · ".join(parts)
        self.query_one("#lib-status", Static).update(Text(text))

    def _update_header(self) -> None:
        """The title line: the file, the filter when one is on, and the review progress bar."""
        parts = [f"margin · {Path(self.store.path).name}"]
        if self.watching is not None:
            parts.append(self.watch_title())
        if self.filter != "all":
            parts.append(f"filter: {FILTER_NAMES[self.filter]}")
        if self._tallied:
            parts.append(bar(*self.progress))
        self.query_one("#lib-title", Static).update(Text(" · ".join(parts)))

    def watch_title(self) -> str:
        """'watch: QUERY - 12 articles, 3 unread, 2 new' (new: since it was last opened)."""
        assert self.watching is not None
        now = self.watch_counts or self.watching
        n = now.articles
        return (
            f"watch: {plain(self.watching.query, one_line=True)} - {n:,} article{'s' * (n != 1)},"
            f" {now.unread:,} unread, {self.watching.new:,} new"
        )

    def show_watch(self, watch: Watch | None) -> None:
        """Show only the articles of a watch-list (None: all articles again)."""
        self.watching, self.watch_counts = watch, None
        self._tallied = False
        self.articles.reset(0, cursor=0)
        self._update_header()
        self.count(self.sort, 0)

    def action_all_articles(self) -> None:
        """escape: leave the watch-list, show all articles."""
        if self.watching is not None:
            self.show_watch(None)
            self.notify("showing all articles", timeout=2)

    def action_cycle_filter(self) -> None:
        """f: all articles, unread, not reviewed, reviewed."""
        i = FILTER_CYCLE.index(self.filter)
        self.filter = FILTER_CYCLE[(i + 1) % len(FILTER_CYCLE)]
        self.articles.reset(0, cursor=0)
        self._update_header()
        self.count(self.sort, 0)
        self.notify(f"showing {FILTER_NAMES[self.filter]} articles", timeout=2)

    def action_cycle_sort(self) -> None:
        """s: newest first, by title, most entities, by date."""
        i = SORT_CYCLE.index(self.sort) if self.sort in SORT_CYCLE else -1
        self.sort = SORT_CYCLE[(i + 1) % len(SORT_CYCLE)]
        self.articles.cursor = 0
        self.articles.reset(self.total, cursor=0)
        self.count(self.sort, 0)

    def action_unread(self, step: int) -> None:
        """n / p: the next / previous unread article (among those the list shows)."""
        row = self.articles.current
        self.jump_unread(self.sort, row.id if row else None, step)

    def action_date_range(self) -> None:
        """D: only the articles dated (else imported) in a range of days; empty: all."""
        from .name_prompt import NamePrompt

        now = f"{self.since or ''}..{self.until or ''}" if self.since or self.until else ""
        self.app.push_screen(
            NamePrompt("days FROM..TO (YYYY-MM-DD, either may be left out; empty: all)", now),
            self._set_range,
        )

    def _set_range(self, answer: str | None) -> None:
        if answer is None:
            return  # escape: the range stays
        since, _, until = answer.partition("..")
        try:
            date_range(since.strip() or None, until.strip() or None)
        except ValueError as exc:
            self.notify(str(exc), severity="warning", timeout=4)
            return
        self.since, self.until = since.strip() or None, until.strip() or None
        self.articles.reset(0, cursor=0)
        self.count(self.sort, 0)

    def action_refresh(self) -> None:
        """r: read the list again."""
        self.reload()

    def action_quit(self) -> None:
        """q: leave margin."""
        self.app.exit()
