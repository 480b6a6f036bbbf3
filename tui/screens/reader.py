"""The reader screen: an article's text with its entities, the entity panel, and corrections."""

from __future__ import annotations

import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker, WorkerState, get_current_worker

from store import PropagationPreview, Span, Store
from store.errors import StoreBusy

from ..keymap import READER
from ..plain import plain
from ..progress import short_bar
from ..scope import Scope
from ..widgets.article_text import ArticleText, Selection
from ..widgets.entity_panel import EntityPanel
from ..widgets.footer import MarginFooter
from ..widgets.legend import Legend, chip
from ..workers import store_work
from .base import StoreScreen
from .common import ArticleData, StoreChanged, freeze_memory
from .label_picker import LabelPicker
from .propagate import Choice, PropagateScreen
from .queue import QueueKeys

NARROW = 100  # below this many columns the panel folds away (tab shows it)
WIDE = 160  # from this many columns the panel gets wider
NOTHING_TO_APPLY = "nothing to apply: correct an entity first, then press A"
WAITING = "waiting for another program to finish writing…"
SAVING = "saving…"
SAVING_AFTER = 1.0  # seconds a correction may take before the status line says "saving…"
RETRY_PAUSE = 0.25  # seconds between attempts once the database said busy
GIVE_UP_AFTER = 300.0  # seconds of busy database after which a correction is not saved
NOT_SAVED = (
    "the correction was not saved: another program kept the database busy for {seconds};"
    " make it again when that program is done"
)
NOT_SAVED_CLOSED = (
    "the correction was not saved: the reader closed while another program kept the database busy"
)


def fetch_article(
    store: Store, article_id: int, sort: str, scope: Scope | None = None
) -> ArticleData:
    """Read what the reader shows for one article (call from a worker thread); with a
    narrowed scope its place and the total are counted among the articles the library shows."""
    if scope is not None and scope.narrowed:
        state, kwargs = scope.state, scope.kwargs()
        rank = store.rank_in_state(article_id, state, sort, **kwargs)
        total = store.count_in_state(state, **kwargs)
    else:
        rank, total = store.article_rank(article_id, sort), store.article_count()
    return ArticleData(
        article=store.article(article_id),
        spans=store.spans(article_id),
        groups=store.entity_groups(article_id),
        labels=store.labels(),
        legend=store.legend(),
        rank=rank,
        total=total,
        progress=store.progress(),
    )


def span_counts(spans: list[Span], reviewed: bool = False) -> dict[str, int]:
    """Count spans as a person would: suggested, accepted, yours, rejected.

    A model span that a relabel or a resize replaced is stored as rejected under the span that
    replaced it: that is a correction, not a rejection, so only a rejected span that no live
    span overlaps counts. In a reviewed article every suggestion counts as accepted (as in
    exports): nothing is left to check.
    """
    counts = {"suggested": 0, "accepted": 0, "yours": 0, "rejected": 0}
    live = [s for s in spans if s.status != "rejected"]
    for s in spans:
        if s.status == "rejected":
            if not any(o.start < s.end and s.start < o.end for o in live):
                counts["rejected"] += 1
        elif s.is_user:
            counts["yours"] += 1
        elif s.status == "suggested" and reviewed:
            counts["accepted"] += 1
        else:
            counts[s.status] += 1
    return counts


class ReaderScreen(QueueKeys, StoreScreen[None]):
    """One article: text left, entity panel and legend right, status line below."""

    BINDINGS: ClassVar[list[BindingType]] = [*READER]

    @dataclass
    class Loaded(Message):
        """An article (re)loaded by a worker; note is said to the user."""

        data: ArticleData
        caret: int | None = None
        note: str | None = None
        clear_selection: bool = False

    @dataclass
    class AtEnd(Message):
        """n / p found no article further in that direction."""

        text: str

    @dataclass
    class PreviewReady(Message):
        """What propagating the journal's last decision would change: corpus and this article."""

        corpus: PropagationPreview
        article: PropagationPreview
        label: str | None

    @dataclass
    class Waiting(Message):
        """A correction found the database busy (on) or got through at last (off)."""

        token: int
        on: bool

    @dataclass
    class NothingToApply(Message):
        """The journal holds no decision A could apply (none yet, or it was undone)."""

    def __init__(
        self,
        article_id: int,
        sort: str = "newest",
        select: tuple[int, int] | None = None,
        direct: bool = False,
        scope: Scope | None = None,
    ) -> None:
        super().__init__()
        self.scope = scope if scope is not None and scope.narrowed else None  # what n / p walk
        self.direct = direct  # opened by `margin read ID`: q quits, escape shows the library
        self.article_id = article_id
        self._queued_steps = 0  # n / p presses not yet shown
        self.sort = sort
        self._select = select
        self.data: ArticleData | None = None
        self._propagate_after_edits = False  # A pressed while a correction was being saved
        self._leave_on_resume = False  # the article could not be opened under an error screen
        self._waiting: set[int] = set()  # corrections that are waiting for the write lock
        self._edit_started = 0.0  # when the newest correction was sent to the store
        self._one_write = threading.Lock()  # corrections reach the store one after another

    def compose(self) -> ComposeResult:
        yield Static("", id="reader-title", markup=False)
        with Horizontal(id="reader-body"):
            yield ArticleText(id="text")
            with Vertical(id="side"):
                yield EntityPanel(id="panel")
                yield Legend(id="legend")
        with Horizontal(id="reader-status"):
            yield Static("", id="status-entity", markup=False)
            yield Static("", id="status-article", markup=False)
            yield Static("", id="status-progress", markup=False)  # the review's progress
        # below 100 columns, while the panel (and its legend) is folded:
        yield Legend(id="legend-bar", gap=1)
        yield MarginFooter()

    @property
    def selected(self) -> Span | None:
        """The entity under the caret (read from the text at once, so fast keys act on it)."""
        if not self.is_mounted:
            return None
        text = self.text_view
        return text.span_at(text.caret)

    @property
    def text_view(self) -> ArticleText:
        """The article text (a child of this screen)."""
        return self.query_one(ArticleText)

    @property
    def panel(self) -> EntityPanel:
        """The entity panel (a child of this screen)."""
        return self.query_one(EntityPanel)

    def on_mount(self) -> None:
        self.text_view.focus()
        self.load(self.article_id, caret=self._select[0] if self._select else None)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")
        self.set_class(event.size.width >= WIDE, "-wide")
        self._update_status()

    def open(self, article_id: int, select: tuple[int, int] | None = None) -> None:
        """Show another article (the App calls this for OpenArticle)."""
        self.text_view.clear_selection()
        self.load(article_id, caret=select[0] if select else None)

    # -- workers -----------------------------------------------------------------------

    @store_work(group="reader-load", exclusive=True)
    def load(self, article_id: int, caret: int | None = None, note: str | None = None) -> None:
        """Read an article and mark it read."""
        data = fetch_article(self.store, article_id, self.sort, self.scope)
        if not data.article.read:
            self.store.mark_read(article_id)
        self.post_message(self.Loaded(data, caret, note))

    @store_work(group="reader-load", exclusive=True)
    def step_article(self, start: int, step: int) -> None:
        """Open the article ``step`` places after (or before) ``start`` in the library's order."""
        other = start
        for _ in range(abs(step)):
            nxt = self._neighbour(other, 1 if step > 0 else -1)
            if nxt is None:
                break
            other = nxt
        if other == start:
            self.post_message(
                self.AtEnd("this is the last article" if step > 0 else "this is the first article")
            )
            return
        data = fetch_article(self.store, other, self.sort, self.scope)
        if not data.article.read:
            self.store.mark_read(other)
        self.post_message(self.Loaded(data, 0))

    def _neighbour(self, article_id: int, step: int) -> int | None:
        """The next / previous article in the library's order, among those it shows."""
        if self.scope is None:
            return self.store.neighbour(article_id, self.sort, step)
        scope = self.scope
        return self.store.next_in_state(article_id, scope.state, self.sort, step, **scope.kwargs())

    def edit(self, change: Callable[[Store], Any], done: str, caret: int | None = None) -> None:
        """Make one correction through the store (a refusal comes back as a notification)."""
        self._edit_started = time.monotonic()
        self.set_timer(SAVING_AFTER, self._update_status)  # "saving…" if it is still going
        self._edit(change, done, caret)

    @store_work(group="reader-edit")
    def _edit(self, change: Callable[[Store], Any], done: str, caret: int | None) -> None:
        """Make one correction through the store, then reload the article."""
        result = self._write(change)
        data = fetch_article(self.store, self.article_id, self.sort, self.scope)
        self.post_message(
            self.Loaded(data, caret, done.format(result=result), clear_selection=True)
        )

    def _write(self, change: Callable[[Store], Any]) -> Any:
        """Run change, trying again while another program holds the write lock (a worker).

        The correction stays pending, the status line says that margin waits; after
        GIVE_UP_AFTER seconds, or when the reader closes, StoreBusy says it was not saved.
        """
        worker = get_current_worker()
        deadline = time.monotonic() + GIVE_UP_AFTER
        with self._one_write:  # one waiting for the lock holds back the next (their order)
            return self._write_now(change, worker, deadline)

    def _write_now(
        self, change: Callable[[Store], Any], worker: Worker[Any], deadline: float
    ) -> Any:
        """The retry loop of _write (called holding the screen's write lock)."""
        token = id(worker)
        waited = False
        try:
            while True:
                try:
                    return change(self.store)
                except StoreBusy:
                    if worker.is_cancelled:
                        raise StoreBusy(NOT_SAVED_CLOSED) from None
                    if time.monotonic() > deadline:
                        raise StoreBusy(
                            NOT_SAVED.format(seconds=f"{GIVE_UP_AFTER / 60:.0f} minutes")
                        ) from None
                    if not waited:
                        waited = True
                        self.post_message(self.Waiting(token, True))
                    time.sleep(RETRY_PAUSE)  # (the busy timeout itself waited before this)
        finally:
            if waited:
                self.post_message(self.Waiting(token, False))

    @store_work(group="reader-preview", exclusive=True)
    def preview_last_decision(self) -> None:
        """Ask the journal for its last decision, and what propagating it would change."""
        decision = self.store.last_decision()
        if decision is None:
            self.post_message(self.NothingToApply())
            return
        surface, label, _article = decision
        newest = self.store.next_undo()
        # after a resize, the same boundaries for every identical mention: the spans in the way
        # (the old boundaries) are replaced
        replace = newest is not None and newest.action == "resize"
        corpus = self.store.preview_propagation(surface, label, replace=replace)
        here = self.store.preview_propagation(
            surface, label, article_id=self.article_id, replace=replace
        )
        self.post_message(self.PreviewReady(corpus, here, label))

    def _edits_running(self) -> bool:
        return any(
            w.node is self
            and w.group == "reader-edit"
            and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
            for w in self.workers
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Clean up after this screen's workers (the App reports their errors)."""
        worker = event.worker
        if event.state == WorkerState.ERROR and worker.group == "reader-load":
            self._queued_steps = 0
            if self.data is None:  # the article to open is not there: back where we came from
                self._leave()
        if worker.group == "reader-edit" and worker.is_finished:
            self._update_status()  # no "saving…" left behind by a refused correction
            if self._propagate_after_edits and not self._edits_running():
                self._propagate_after_edits = False
                self.preview_last_decision()

    def _leave(self) -> None:
        """Close this reader now, or as soon as what covers it (an error screen) is closed."""
        if self.app.screen is self:  # (not is_current: a screen being pushed is not yet that)
            self.dismiss()
        else:
            self._leave_on_resume = True

    def on_screen_resume(self) -> None:
        if self._leave_on_resume:
            self._leave_on_resume = False
            self.dismiss()

    # -- messages up -------------------------------------------------------------------

    def on_reader_screen_loaded(self, message: Loaded) -> None:
        data = message.data
        self.data = data
        if data.article.id != self.article_id:
            self._queued_steps = 0
        self.article_id = data.article.id
        colors = {lab.name: lab.color for lab in data.labels}
        text = self.text_view
        if message.clear_selection:
            text.clear_selection()
        text.set_colors(colors)
        caret = message.caret
        if caret is None:
            caret = text.caret if text.text == data.article.text else 0
        text.set_article(data.article.text, data.spans, caret=caret)
        title = self.query_one("#reader-title", Static)
        heading = Text(plain(data.article.title, one_line=True))
        if data.article.source:
            heading.append(f"  {plain(data.article.source, one_line=True)}", Style(dim=True))
        title.update(heading)
        self.panel.show_groups(data.groups, colors)
        for legend in self.query(Legend):
            legend.show_labels(data.legend)
        if message.note:
            self.notify(message.note, timeout=3)
        self._update_status()
        self.call_after_refresh(freeze_memory)

    def on_reader_screen_waiting(self, message: Waiting) -> None:
        if message.on:
            self._waiting.add(message.token)
        else:
            self._waiting.discard(message.token)
        self._update_status()

    def on_reader_screen_at_end(self, message: AtEnd) -> None:
        self._queued_steps = 0
        self.notify(message.text, severity="warning", timeout=4)

    def on_reader_screen_nothing_to_apply(self, message: NothingToApply) -> None:
        self.notify(NOTHING_TO_APPLY, timeout=3)

    def on_reader_screen_preview_ready(self, message: PreviewReady) -> None:
        if not message.corpus.mentions:
            self.notify("no other mention to change", timeout=3)
            return
        surface, label = message.corpus.surface, message.label

        def chosen(choice: Choice | None) -> None:
            if choice is None:
                return
            where = self.article_id if choice.scope == "article" else None
            self.edit(
                lambda s: s.propagate(
                    surface,
                    label,
                    article_id=where,
                    case_sensitive=choice.case_sensitive,
                    replace=choice.replace,
                    include_reviewed=choice.include_reviewed,
                    exclude=choice.exclude,
                ),
                "changed {result} mention(s)",
                caret=self.text_view.caret,
            )

        dialog = PropagateScreen(message.corpus, message.article, self.article_id)
        self.app.push_screen(dialog, chosen)

    def on_store_changed(self, message: StoreChanged) -> None:
        self.load(self.article_id, caret=self.text_view.caret)

    def on_article_text_caret_moved(self, message: ArticleText.CaretMoved) -> None:
        if message.span is not None:
            self.panel.highlight(message.span.label, message.span.text)
        self._update_status()

    def on_article_text_selection_changed(self, message: ArticleText.SelectionChanged) -> None:
        self._update_status()

    def on_article_text_selection_kept(self, message: ArticleText.SelectionKept) -> None:
        if message.span_id is not None:
            span_id, start, end = message.span_id, message.start, message.end
            surface = self.text_view.text[start:end]
            self.edit(
                lambda s: s.resize(span_id, start, end),
                f"boundaries kept: {plain(surface, one_line=True)!r}",
                caret=start,
            )
        else:
            self.action_pick_label()

    def on_entity_panel_opened(self, message: EntityPanel.Opened) -> None:
        """enter on a panel row: that entity's page (escape comes back to the same row)."""
        from .entity_page import EntityPageScreen

        self.app.push_screen(EntityPageScreen(message.surface))

    def on_entity_panel_chosen(self, message: EntityPanel.Chosen) -> None:
        mentions = [
            s
            for s in self.text_view.spans
            if s.label == message.label and s.text == message.surface
        ]
        if not mentions:
            return
        current = self.selected
        if current in mentions:
            if not message.again:
                return
            target = mentions[(mentions.index(current) + 1) % len(mentions)]
        else:
            target = mentions[0]
        self.text_view.select_span(target)

    # -- status ------------------------------------------------------------------------

    def _update_status(self) -> None:
        data = self.data
        if data is None:
            return
        c = span_counts(data.spans, data.article.reviewed)
        live = c["suggested"] + c["accepted"] + c["yours"]
        narrow = self.size.width < NARROW
        if narrow:  # short, so that the selected entity on the left keeps room
            parts = [f"{live} ent", f"{c['suggested']} to check", f"{c['rejected']} rej"]
            if data.article.reviewed:
                parts.append("reviewed")
            if self.text_view.char_mode:
                parts.append("char")
        else:
            parts = [
                f"{live} entit{'y' if live == 1 else 'ies'}",
                f"{c['suggested']} to check",
                f"{c['rejected']} rejected",
                "reviewed" if data.article.reviewed else "not reviewed",
                ("char" if self.text_view.char_mode else "token") + " mode",
            ]
        where = "" if self.scope is None or narrow else " listed"
        if self.scope is not None and self.scope.watch is not None and not narrow:
            where = " in the watch-list"
        parts.append(f"{data.rank + 1}/{data.total}{where}")
        self.query_one("#status-article", Static).update(Text(" · ".join(parts)))
        done, articles = data.progress  # how far the review of the corpus is
        shown = f"{done}/{articles} rev" if narrow else f"{short_bar(done, articles)} rev"
        self.query_one("#status-progress", Static).update(Text("· " + shown))
        self.query_one("#status-entity", Static).update(self._entity_status())

    def _entity_status(self) -> Text:
        sel = self.text_view.selection
        status = Text()
        if self._waiting:
            status.append(WAITING, Style(bold=True, color="yellow"))
        elif self._edits_running() and time.monotonic() - self._edit_started >= SAVING_AFTER:
            status.append(SAVING, Style(bold=True))
        elif sel is not None:
            what = "resize" if sel.span_id is not None else "new"
            piece = plain(self.text_view.text[sel.start : sel.end], one_line=True)
            status.append(f"{what}: ", Style(bold=True))
            status.append(f"{piece[:50]!r} ")
            status.append("(enter keeps, 1-9/l labels, o swaps ends)", Style(dim=True))
        elif self.selected is not None:
            s = self.selected
            status.append(f" {plain(s.label, one_line=True)} ", chip(s.label, self._color(s.label)))
            same = [o for o in self.text_view.spans if o.label == s.label and o.text == s.text]
            status.append(f" {plain(s.text, one_line=True)[:50]!r} ")
            if len(same) > 1:
                status.append(f"{same.index(s) + 1}/{len(same)} ")
            status.append(f"{s.status} · {plain(s.source, one_line=True)}", Style(dim=True))
        else:
            status.append("? keys · ] next entity · v select", Style(dim=True))
        return status

    def label_key_names(self) -> dict[str, str]:
        """Binding id -> what it does now: reader.label_1 -> "Label: PERSON" (from the legend)."""
        legend = self.data.legend if self.data is not None else []
        out = {}
        for i in range(1, 10):
            name = plain(legend[i - 1].name, one_line=True) if i <= len(legend) else None
            out[f"reader.label_{i}"] = f"Label: {name}" if name else f"Label {i} (no label yet)"
        return out

    def _color(self, label: str) -> str:
        if self.data is not None:
            for lab in self.data.labels:
                if lab.name == label:
                    return lab.color
        return "#dddddd"

    # -- actions -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return not self.direct
        if action == "quit":
            return self.direct
        return True

    def action_back(self) -> None:
        """q: back to the library."""
        self.app.pop_screen()

    def action_quit(self) -> None:
        """q, when margin was opened at this article: leave margin."""
        self.app.exit()

    def action_escape(self) -> None:
        """Escape: drop the selection, else leave the panel, else go back."""
        if self.text_view.selection is not None:
            self.text_view.clear_selection()
        elif self.panel.has_focus:
            self.action_switch_focus()
        else:
            self.action_back()

    def action_article(self, step: int) -> None:
        """n / p: the next / previous article."""
        self.text_view.clear_selection()
        # presses that come faster than articles load add up: n n moves two articles
        self._queued_steps += step
        self.step_article(self.article_id, self._queued_steps)

    def action_switch_focus(self) -> None:
        """Tab: between the text and the entity panel (on a narrow screen the panel opens)."""
        if self.panel.has_focus:
            self.remove_class("-panel-open")
            self.text_view.focus()
        else:
            self.add_class("-panel-open")
            self.panel.focus()
            if self.selected is not None:
                self.panel.highlight(self.selected.label, self.selected.text)

    def action_entity(self, step: int) -> None:
        """] / [: select the next / previous entity in the text."""
        text = self.text_view
        spans = text.spans
        starts = [s.start for s in spans]
        here = self.selected.start if self.selected is not None else text.caret
        if step > 0:
            i = bisect_right(starts, here)
            if self.selected is None and i > 0 and spans[i - 1].start <= here < spans[i - 1].end:
                i -= 1
        else:
            i = bisect_left(starts, here) - 1
        if not 0 <= i < len(spans):
            self.notify("no more entities" if step > 0 else "no entity before", timeout=2)
            return
        text.select_span(spans[i])

    def _need_entity(self) -> Span | None:
        if self.selected is None:
            self.notify("no entity here: move to one with ] or [", severity="warning", timeout=3)
        return self.selected

    def action_accept(self) -> None:
        """a: accept the selected entity."""
        span = self._need_entity()
        if span is not None:
            sid = span.id
            self.edit(
                lambda s: s.accept(sid),
                f"accepted {span.label} {plain(span.text, one_line=True)!r}",
            )

    def action_reject(self) -> None:
        """x: reject the selected entity (it stays in the database as rejected)."""
        span = self._need_entity()
        if span is not None:
            sid = span.id
            self.edit(
                lambda s: s.reject(sid),
                f"rejected {span.label} {plain(span.text, one_line=True)!r}",
            )

    def apply_label(self, label: str) -> None:
        """Give the selection (new or resized entity) or the selected entity this label."""
        sel: Selection | None = self.text_view.selection
        if sel is not None:
            surface = self.text_view.text[sel.start : sel.end]
            start, end, aid = sel.start, sel.end, self.article_id
            change: Callable[[Store], Any]
            if sel.span_id is not None:
                sid = sel.span_id
                change = lambda s: s.resize(sid, start, end, label)  # noqa: E731
            else:
                change = lambda s: s.add_span(aid, start, end, label)  # noqa: E731
            self.edit(change, f"{label} {plain(surface, one_line=True)!r}", caret=start)
            return
        span = self._need_entity()
        if span is not None:
            sid = span.id
            self.edit(
                lambda s: s.relabel(sid, label),
                f"{span.label} → {label} {plain(span.text, one_line=True)!r}",
            )

    def action_label(self, number: int) -> None:
        """1..9: the Nth label of the legend."""
        if self.data is None:
            return
        if number > len(self.data.legend):
            self.notify(
                f"no label {number} in the legend yet: l picks one by name",
                severity="warning",
                timeout=3,
            )
            return
        self.apply_label(self.data.legend[number - 1].name)

    def action_pick_label(self) -> None:
        """l: choose a label by typing."""
        if self.data is None:
            return
        if self.text_view.selection is None and self._need_entity() is None:
            return
        current = self.selected.label if self.selected and not self.text_view.selection else None

        def chosen(label: str | None) -> None:
            if label:
                self.apply_label(label)

        self.app.push_screen(LabelPicker(self.data.labels, current, self.data.legend), chosen)

    def action_propagate(self) -> None:
        """A: apply the journal's last decision to every identical mention (after a preview).

        A correction still being saved is waited for, so that fast keys (5 then A) apply it.
        """
        if self._edits_running():
            self._propagate_after_edits = True
            return
        self.preview_last_decision()

    def action_toggle_reviewed(self) -> None:
        """R: mark the article reviewed (or not reviewed again)."""
        if self.data is None:
            return
        aid, reviewed = self.article_id, not self.data.article.reviewed
        if reviewed and getattr(self.app, "review_and_next", False):
            self.review_then_next(aid)  # [review] review_and_next
            return
        self.edit(
            lambda s: s.set_reviewed(aid, reviewed),
            "marked reviewed" if reviewed else "marked not reviewed",
        )

    def action_reject_remaining(self) -> None:
        """X: reject every suggestion still open in this article (one undo step)."""
        if self.data is None:
            return
        aid = self.article_id
        self.edit(lambda s: s.reject_remaining(aid), "rejected {result} remaining suggestion(s)")

    def action_label_set(self) -> None:
        """L: the project's labels: legend order, hidden ones, rename, merge, drop, map."""
        from .label_set import LabelSetScreen

        def closed(changed: bool | None) -> None:
            if changed:
                self.post_message(StoreChanged([self.article_id]))

        self.app.push_screen(LabelSetScreen(), closed)

    def action_mentions(self) -> None:
        """m: the entity page of the selected entity (every mention, aliases, timeline)."""
        span = self._need_entity()
        if span is not None:
            from .entity_page import EntityPageScreen

            self.app.push_screen(EntityPageScreen(span.text))
