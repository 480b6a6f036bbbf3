"""The propagation preview: every mention that would change, in context; toggles, then apply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from store import Mention, PropagationPreview

from ..keymap import MODAL
from ..plain import plain
from ..workers import store_work
from .base import StoreModal

SHOWN = 8
ACTIONS = {
    "relabel": "relabel",
    "accept": "accept",
    "add": "tag",
    "replace": "replace",
    "reject": "reject",
    "skip": "skipped",
}
Key = tuple[int, int, int]


def describe(preview: PropagationPreview) -> str:
    """One line: what applying would do."""
    # quoted by hand: repr() would double the backslash of an escape that plain() made visible
    surface = f"'{plain(preview.surface, one_line=True)}'"
    what = (
        f"give {plain(preview.label, one_line=True)} to every {surface}"
        if preview.label
        else f"reject every {surface}"
    )
    n, a = len(preview.mentions), preview.articles
    return f"{what}: {n} mention{'s' * (n != 1)} in {a} article{'s' * (a != 1)}"


def breakdown(preview: PropagationPreview, excluded: int = 0) -> str:
    """The counts a person checks: relabel / accept / newly tagged / replaced / skipped ..."""
    c = preview.breakdown()
    parts = [
        f"{c['relabel']} relabel",
        f"{c['accept']} accept",
        f"{c['add']} newly tagged",
        f"{c['replace']} replaced",
        f"{c['skipped']} skipped (overlap an entity)",
    ]
    if c["reject"]:
        parts.insert(0, f"{c['reject']} reject")
    parts.append(
        f"{c['reviewed']} in reviewed articles"
        + (" (included)" if preview.include_reviewed else ", left alone")
    )
    if excluded:
        parts.append(f"{excluded} excluded")
    return " · ".join(parts)


def mention_line(m: Mention, excluded: bool, applies: bool = True) -> Text:
    """One mention in context: [x] action, its label and status now, the text around it."""
    line = Text(no_wrap=True, overflow="ellipsis")
    if not applies:
        line.append(" –  ", Style(dim=True))
        action = "left alone" if m.action != "skip" else ACTIONS["skip"]
    else:
        line.append("[ ] " if excluded else "[x] ", Style(dim=excluded))
        action = ACTIONS.get(m.action, m.action)
    if m.current_label:
        now = f"{plain(m.current_label, one_line=True)}/{m.current_status}"
    elif m.replaces:  # what is there now: the entities it would reject
        n = len(m.replaces)
        now = f"over {n} entit{'y' if n == 1 else 'ies'}"
    else:
        now = "untagged"
    style = Style(dim=excluded or not applies)
    line.append(f"{action:<10} {now[:24]:<24} ", style)
    line.append("…" + plain(m.before, one_line=True)[-30:], style)
    line.append(plain(m.text, one_line=True), Style(bold=True, underline=True, dim=excluded))
    line.append(plain(m.after, one_line=True)[:30] + "…  ", style)
    line.append(plain(m.title, one_line=True)[:40], Style(dim=True, italic=True))
    return line


def mentions_text(preview: PropagationPreview, shown: int = SHOWN) -> Text:
    """A few mentions in context, one a line (for a short summary outside the dialog)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for m in preview.mentions[:shown]:
        text.append_text(mention_line(m, False))
        text.append("\n")
    return text


@dataclass(frozen=True)
class Choice:
    """What the person chose: where, with which options, and which mentions to leave alone."""

    scope: str  # "corpus" or "article"
    case_sensitive: bool
    replace: bool
    include_reviewed: bool
    exclude: frozenset[Key]


class PropagateScreen(StoreModal[Choice | None]):
    """Confirm a propagation: enter for the whole corpus, t for this article only.

    The list holds every mention (those that change, then those left alone); space leaves
    one out, i / r / o switch ignoring case, including reviewed articles and replacing
    overlapping entities, each reading the preview again.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *MODAL,
        Binding("enter,y", "choose('corpus')", "Apply everywhere", id="propagate.corpus"),
        Binding("t", "choose('article')", "This article only", id="propagate.article"),
        Binding("space", "exclude", "Leave out", id="propagate.exclude"),
        Binding("i", "switch('case')", "Ignore case", id="propagate.ignore_case"),
        Binding("r", "switch('reviewed')", "Reviewed too", id="propagate.reviewed"),
        Binding("o", "switch('replace')", "Replace overlaps", id="propagate.replace"),
        Binding("j", "move(1)", "Down", show=False, id="propagate.down"),
        Binding("k", "move(-1)", "Up", show=False, id="propagate.up"),
    ]

    @dataclass
    class Previewed(Message):
        """The preview read again with other options."""

        corpus: PropagationPreview
        article: PropagationPreview

    def __init__(
        self, corpus: PropagationPreview, article: PropagationPreview, article_id: int | None = None
    ) -> None:
        super().__init__()
        self.corpus = corpus
        self.article = article
        self.article_id = article_id if article_id is not None else article.article_id
        self.excluded: set[Key] = set()
        self.rows: list[tuple[Mention, bool]] = []  # each list row: the mention, applies?
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="propagate"):
            yield Static("Apply to every mention", id="propagate-title", markup=False)
            yield Static(describe(self.corpus), id="propagate-summary", markup=False)
            yield Static("", id="propagate-counts", markup=False)
            yield Static("", id="propagate-options", markup=False)
            yield OptionList(id="propagate-mentions")
            yield Static(
                "enter: apply everywhere · t: this article only · space: leave one out ·"
                " i: ignore case · r: reviewed too · o: replace overlaps · escape: cancel",
                classes="hint",
                markup=False,
            )

    def on_mount(self) -> None:
        self._show()
        self.query_one("#propagate-mentions", OptionList).focus()

    def _show(self) -> None:
        p = self.corpus
        self.query_one("#propagate-summary", Static).update(describe(p))
        counts = breakdown(p, len(self.excluded & {m.key for m in p.mentions}))
        self.query_one("#propagate-counts", Static).update(
            counts + f" · in this article: {len(self.article.mentions)}"
        )
        on_off = {True: "on", False: "off"}
        self.query_one("#propagate-options", Static).update(
            f"ignore case {on_off[not p.case_sensitive]} · reviewed articles"
            f" {on_off[p.include_reviewed]} · replace overlaps {on_off[p.replace]}"
        )
        self.rows = [(m, True) for m in sorted(p.mentions, key=lambda m: (m.article_id, m.start))]
        left = sorted((*p.skipped, *p.reviewed), key=lambda m: (m.article_id, m.start))
        self.rows += [(m, False) for m in left]
        listing = self.query_one("#propagate-mentions", OptionList)
        at = listing.highlighted
        listing.set_options(
            Option(mention_line(m, m.key in self.excluded, applies)) for m, applies in self.rows
        )
        if self.rows:
            listing.highlighted = min(at or 0, len(self.rows) - 1)

    @on(OptionList.OptionSelected, "#propagate-mentions")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose("corpus")

    def action_choose(self, scope: str) -> None:
        if self.busy:
            return
        p = self.corpus
        self.dismiss(
            Choice(scope, p.case_sensitive, p.replace, p.include_reviewed, frozenset(self.excluded))
        )

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def action_move(self, step: int) -> None:
        listing = self.query_one("#propagate-mentions", OptionList)
        if step > 0:
            listing.action_cursor_down()
        else:
            listing.action_cursor_up()

    def action_exclude(self) -> None:
        """space: leave the highlighted mention out (again: put it back), then the next one."""
        listing = self.query_one("#propagate-mentions", OptionList)
        index = listing.highlighted
        if index is None or not 0 <= index < len(self.rows):
            return
        m, applies = self.rows[index]
        if not applies:
            self.notify("that mention is left alone anyway", timeout=2)
            return
        self.excluded ^= {m.key}
        listing.replace_option_prompt_at_index(index, mention_line(m, m.key in self.excluded))
        counts = breakdown(self.corpus, len(self.excluded & {x.key for x in self.corpus.mentions}))
        self.query_one("#propagate-counts", Static).update(
            counts + f" · in this article: {len(self.article.mentions)}"
        )
        listing.action_cursor_down()

    def action_switch(self, what: str) -> None:
        """i / r / o: ignore case, include reviewed articles, replace overlaps: preview again."""
        if self.busy:
            return
        p = self.corpus
        case_sensitive, reviewed, replace = p.case_sensitive, p.include_reviewed, p.replace
        if what == "case":
            case_sensitive = not case_sensitive
        elif what == "reviewed":
            reviewed = not reviewed
        elif what == "replace":
            replace = not replace
        self.busy = True
        self._preview(case_sensitive, reviewed, replace)

    @store_work(group="propagate-preview", exclusive=True)
    def _preview(self, case_sensitive: bool, reviewed: bool, replace: bool) -> None:
        p = self.corpus
        options = {
            "case_sensitive": case_sensitive,
            "include_reviewed": reviewed,
            "replace": replace,
        }
        corpus = self.store.preview_propagation(p.surface, p.label, **options)
        here = (
            self.store.preview_propagation(
                p.surface, p.label, article_id=self.article_id, **options
            )
            if self.article_id is not None
            else corpus
        )
        self.post_message(self.Previewed(corpus, here))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "propagate-preview" and event.state == WorkerState.ERROR:
            self.busy = False  # the App says why; the preview stays as it was

    def on_propagate_screen_previewed(self, message: Previewed) -> None:
        self.busy = False
        if not self.is_attached:
            return
        self.corpus, self.article = message.corpus, message.article
        self._show()
