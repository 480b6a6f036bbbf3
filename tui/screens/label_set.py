"""The label set: every label with its counts; order, hide, rename, merge, drop, map from here."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from store import LabelInfo, LabelOpResult

from ..keymap import LABEL_SET, MODAL
from ..plain import plain
from ..widgets.legend import chip
from ..workers import store_work
from .base import StoreModal
from .name_prompt import NamePrompt

HINT = "J/K move · h hide/show · r rename · m merge into · d drop · M map file · escape close"


def row(info: LabelInfo) -> Text:
    """One label: number key (or - when hidden), name in its colour, counts, description."""
    lab, c = info.label, info.counts
    key = str(info.number) if info.number is not None else ("-" if lab.hidden else " ")
    text = Text(f"{key:>2} ", Style(bold=True))
    name = plain(lab.name, one_line=True)
    text.append(f" {name} ", chip(lab.name, lab.color))
    text.append(" " * max(0, 14 - cell_len(name)))
    text.append(
        f"  {c.get('suggested', 0):>6} suggested · {c.get('accepted', 0):>6} accepted"
        f" · {c.get('rejected', 0):>6} rejected",
        Style(dim=lab.hidden),
    )
    if lab.hidden:
        text.append("  hidden", Style(italic=True))
    return text


class LabelSetScreen(StoreModal[bool]):
    """The project's labels: the legend order and number keys, hidden ones, corpus-wide changes."""

    BINDINGS = [*MODAL, *LABEL_SET]

    @dataclass
    class Listed(Message):
        """The labels were read (in a worker)."""

        rows: list[LabelInfo]
        overlaps: bool
        note: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[LabelInfo] = []
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="label-set"):
            yield Static("Labels", id="label-set-title", markup=False)
            yield OptionList(id="label-set-list")
            yield Static("", id="label-set-note", markup=False)
            yield Static(HINT, classes="hint", markup=False)

    def on_mount(self) -> None:
        self.refresh_rows()
        self.query_one(OptionList).focus()

    @store_work(group="label-set")
    def refresh_rows(self, note: str = "", keep: str | None = None) -> None:
        """Read every label again (after a change)."""
        self.post_message(self.Listed(self.store.label_summary(), self.store.allow_overlaps, note))

    def on_label_set_screen_listed(self, message: Listed) -> None:
        options = self.query_one(OptionList)
        was = self.current()
        self.rows = message.rows
        options.clear_options()
        for info in self.rows:
            options.add_option(Option(row(info), id=info.label.name))
        names = [i.label.name for i in self.rows]
        if names:
            options.highlighted = (
                names.index(was.label.name) if was and was.label.name in names else 0
            )
        overlaps = "allowed" if message.overlaps else "not allowed"
        self.query_one("#label-set-title", Static).update(
            f"Labels ({len(self.rows)}) · overlapping entities {overlaps}"
        )
        self.query_one("#label-set-note", Static).update(plain(message.note, one_line=True))

    def current(self) -> LabelInfo | None:
        """The highlighted label."""
        i = self.query_one(OptionList).highlighted
        return self.rows[i] if i is not None and 0 <= i < len(self.rows) else None

    # -- the label set: order and hidden ---------------------------------------------------

    def action_move(self, step: int) -> None:
        info = self.current()
        if info is None:
            return
        names = [i.label.name for i in self.rows if i.label.name in self._table()]
        if info.label.name not in names:
            return
        at = names.index(info.label.name)
        to = max(0, min(len(names) - 1, at + step))
        names.insert(to, names.pop(at))
        self._run(lambda s: s.order_labels(names), "")  # the highlight follows the label

    def action_toggle_hidden(self) -> None:
        info = self.current()
        if info is not None and info.label.name in self._table():
            name, hide = info.label.name, not info.label.hidden
            self._run(lambda s: s.hide_labels([name], hide), "")

    def _table(self) -> set[str]:
        return {i.label.name for i in self.rows if i.listed}

    # -- corpus-wide label operations (each one undo step) ---------------------------------

    def action_rename(self) -> None:
        info = self.current()
        if info is None:
            return
        old = info.label.name

        def answered(new: str | None) -> None:
            if new:
                self._run(lambda s: s.rename_label(old, new), f"{old} → {new}")

        self.app.push_screen(NamePrompt(f"rename {plain(old, one_line=True)} to:"), answered)

    def action_merge(self) -> None:
        info = self.current()
        if info is None:
            return
        old = info.label.name

        def answered(into: str | None) -> None:
            if into:
                self._run(lambda s: s.merge_labels([old], into), f"{old} merged into {into}")

        self.app.push_screen(
            NamePrompt(f"merge {plain(old, one_line=True)} into the label:"), answered
        )

    def action_drop(self) -> None:
        info = self.current()
        if info is None:
            return
        old = info.label.name

        def answered(sure: str | None) -> None:
            if sure is not None and sure.lower() in ("y", "yes"):
                self._run(lambda s: s.drop_label(old), f"{old} dropped")

        question = f"reject every current span of {plain(old, one_line=True)}? y + enter"
        self.app.push_screen(NamePrompt(question), answered)

    def action_map_file(self) -> None:
        def answered(path: str | None) -> None:
            if path:
                self._run(lambda s: s.map_labels(s.read_label_mapping(path)), f"mapped by {path}")

        self.app.push_screen(NamePrompt("label mapping file (TSV OLD<tab>NEW, or JSON):"), answered)

    @store_work(group="label-set-edit")
    def _run(self, change, what: str) -> None:  # type: ignore[no-untyped-def]
        result = change(self.store)
        self.changed = True
        note = what
        if isinstance(result, LabelOpResult):
            note = (
                f"{what}: {result.relabelled} relabelled, {result.rejected} rejected"
                f" in {result.articles} article(s); u undoes it"
                if result.group is not None
                else f"{what}: nothing to change"
            )
        self.refresh_rows(note)

    def action_dismiss_none(self) -> None:
        self.dismiss(self.changed)
