"""The adjudication screen: where this file and a merged annotator differ on an article; 1 / 2 / 0 take a side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from store.agreement import Ann, Difference, differences

from ..keymap import ADJUDICATE
from ..plain import plain
from ..workers import store_work
from .base import StoreModal
from .history import APP_KEYS

CONTEXT = 40  # characters shown either side of a difference
SIDES = {"mine": "mine", "theirs": "theirs", "neither": "neither"}


def _side(label: str, items: list[tuple[str, str]]) -> Text:
    row = Text(f"    {label:<8}", style="bold")
    if not items:
        row.append("(no entity)", style="dim")
    for i, (lab, surface) in enumerate(items):
        if i:
            row.append(", ")
        row.append(f"{plain(lab, one_line=True)} ", style="bold")
        row.append(repr(plain(surface, one_line=True)))
    return row


def difference_prompt(text: str, diff: Difference, who: str, chosen: str | None) -> Text:
    """The stretch in its context, then this file's entities and the annotator's, and the choice."""
    head = Text(f"[{SIDES.get(chosen or '', ' '):^7}] ", style="bold reverse" if chosen else "dim")
    before = plain(text[max(0, diff.start - CONTEXT) : diff.start], one_line=True).lstrip()
    after = plain(text[diff.end : diff.end + CONTEXT], one_line=True).rstrip()
    head.append("…" + before)
    head.append(plain(text[diff.start : diff.end], one_line=True), style="bold underline")
    head.append(after + "…")
    mine = _side("mine", [(s.label, s.text) for s in diff.mine])
    theirs = _side(who[:8], [(lab, text[s:e]) for s, e, lab in diff.theirs])
    return Text("\n").join([head, mine, theirs])


class AdjudicateScreen(StoreModal[bool]):
    """Both versions of one article where they differ; saving makes the result the reviewed gold."""

    HELP_TITLE = "adjudication"
    BINDINGS: ClassVar[list[BindingType]] = [*APP_KEYS, *ADJUDICATE]

    @dataclass
    class Ready(Message):
        """The two versions, compared."""

        annotator: str
        text: str
        diffs: list[Difference]

    @dataclass
    class Saved(Message):
        """The decisions were written (one undo step) and the article marked reviewed."""

        decided: int

    def __init__(self, article_id: int, annotator: str | None = None) -> None:
        super().__init__()
        self.article_id = article_id
        self.annotator = annotator
        self.text = ""
        self.diffs: list[Difference] = []
        self.choices: dict[int, str] = {}
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="adjudicate-box"):
            yield Static("comparing…", id="adjudicate-title", markup=False)
            yield OptionList(id="adjudicate-list")
        yield Footer()

    @property
    def listing(self) -> OptionList:
        """The list of differences (a child of this screen)."""
        return self.query_one("#adjudicate-list", OptionList)

    def on_mount(self) -> None:
        self.listing.focus()
        self.compare()

    @store_work(group="adjudicate", exclusive=True)
    def compare(self) -> None:
        """Read both versions of the article and where they differ."""
        store = self.store
        name = self.annotator
        if name is None:
            merged = store.merged_annotators()
            having = [n for n in merged if store.other_spans(n, self.article_id)]
            name = store.pick_annotator(having[0] if having else None)
        theirs: list[Ann] = store.other_spans(name, self.article_id)
        diffs = differences(store.spans(self.article_id), theirs)
        self.post_message(self.Ready(name, store.article(self.article_id).text, diffs))

    def on_adjudicate_screen_ready(self, message: Ready) -> None:
        self.annotator, self.text, self.diffs = message.annotator, message.text, message.diffs
        if not message.diffs:
            self.notify(f"this file and {message.annotator!r} agree on this article", timeout=3)
            self.dismiss(False)
            return
        self._redraw(0)

    def _title(self) -> str:
        n, done = len(self.diffs), len(self.choices)
        return (
            f"article {self.article_id}: this file (mine) against {self.annotator!r} (theirs)"
            f" · {n} difference{'s' * (n != 1)}, {done} decided"
            " · 1 mine, 2 theirs, 0 neither · enter saves as reviewed"
        )

    def _redraw(self, highlight: int) -> None:
        who = plain(self.annotator or "theirs", one_line=True)
        self.query_one("#adjudicate-title", Static).update(plain(self._title(), one_line=True))
        self.listing.set_options(
            Option(difference_prompt(self.text, d, who, self.choices.get(i)))
            for i, d in enumerate(self.diffs)
        )
        self.listing.highlighted = highlight

    def action_take(self, side: str) -> None:
        """1 / 2 / 0: this file's version, the annotator's, or neither; then the next one."""
        index = self.listing.highlighted
        if index is None or not self.diffs or self.saving:
            return
        self.choices[index] = side
        left = [i for i in range(len(self.diffs)) if i not in self.choices]
        if not left:
            self.action_save()
            return
        after = [i for i in left if i > index]
        self._redraw(after[0] if after else left[0])

    def action_move(self, step: int) -> None:
        """j / k: the next / previous difference."""
        if step > 0:
            self.listing.action_cursor_down()
        else:
            self.listing.action_cursor_up()

    def action_save(self) -> None:
        """enter: write the decisions (undecided ones keep this file's) and mark it reviewed."""
        if self.saving or not self.diffs:
            return
        self.saving = True
        choices = [(self.diffs[i], side) for i, side in sorted(self.choices.items())]
        self.save(choices)

    @store_work(group="adjudicate-save")
    def save(self, choices: list[tuple[Difference, str]]) -> None:
        """One unit of work: every side taken, then the review."""
        self.post_message(self.Saved(self.store.adjudicate(self.article_id, choices)))

    def on_adjudicate_screen_saved(self, message: Saved) -> None:
        self.notify(
            f"article {self.article_id}: {message.decided} difference(s) decided, marked reviewed",
            timeout=3,
        )
        self.dismiss(True)

    def on_worker_state_changed(self, event: object) -> None:
        worker = getattr(event, "worker", None)
        if worker is not None and worker.group == "adjudicate-save" and worker.is_finished:
            self.saving = False  # a refusal (the App says why) lets the person try again
        if worker is not None and worker.group == "adjudicate" and worker.state.name == "ERROR":
            self.dismiss(False)

    def action_close(self) -> None:
        """escape / q: back, nothing written."""
        self.dismiss(False)
