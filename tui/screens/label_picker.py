"""The label picker: type to narrow the labels, enter to choose."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from store import Label

from ..keymap import MODAL
from ..plain import plain
from ..widgets.legend import chip
from .confirm import ConfirmScreen


def matching(labels: list[Label], query: str) -> list[Label]:
    """Labels whose name starts with query first, then those that contain it (case-insensitive)."""
    q = query.strip().upper()
    if not q:
        return list(labels)
    starts = [lab for lab in labels if lab.name.upper().startswith(q)]
    inside = [lab for lab in labels if q in lab.name.upper() and lab not in starts]
    return starts + inside


class ConfirmNewLabel(ConfirmScreen):
    """Ask before a typed name becomes a new label: enter or y creates it, escape or n goes back."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"create label {plain(name, one_line=True)!r}?",
            hint="no label has this name · enter/y: create it · escape: back to the list",
        )
        self.label_name = name


class LabelPicker(ModalScreen[str | None]):
    """Choose a label by typing part of its name; a name no label has makes a new label (asked)."""

    BINDINGS = [
        *MODAL,
        Binding("down", "move(1)", "Down", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Up", show=False, id="picker.up"),
    ]

    def __init__(
        self, labels: list[Label], current: str | None = None, legend: list[Label] | None = None
    ) -> None:
        super().__init__()
        self.labels = labels
        self.current = current
        # the number key that gives each label in the reader, shown so that it is learnt
        self.keys = {lab.name: str(i) for i, lab in enumerate(legend or [], 1)}

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(
                "Label" + (f" (now {plain(self.current, one_line=True)})" if self.current else ""),
                id="picker-title",
                markup=False,
            )
            yield Input(placeholder="type to filter, enter to choose", id="picker-input")
            yield OptionList(id="picker-list")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        found = matching(self.labels, query)
        for lab in found:
            row = Text(f"{self.keys.get(lab.name, ' ')} ", Style(bold=True))
            row.append(f" {plain(lab.name, one_line=True)} ", chip(lab.name, lab.color))
            if lab.description:
                row.append(f"  {plain(lab.description, one_line=True)}", Style(dim=True))
            options.add_option(Option(row, id=lab.name))
        name = query.strip()
        if name and not any(lab.name == name for lab in found):
            options.add_option(Option(Text(f" new label: {plain(name, one_line=True)}"), id=name))
        if options.option_count:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.choose(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.choose(event.option.id)

    def choose(self, name: str | None) -> None:
        """Dismiss with a label; a name no label has yet is asked about first (a typo: `gep`)."""
        if name is None:
            return
        if any(lab.name == name for lab in self.labels):
            self.dismiss(name)
            return

        def answered(create: bool | None) -> None:
            if create:
                self.dismiss(name)
            else:
                self.query_one(Input).focus()

        self.app.push_screen(ConfirmNewLabel(name), answered)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
