"""Ask for a name (an alias to add, a name to tell apart): enter gives it, escape gives nothing."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..keymap import MODAL
from ..plain import plain


class NamePrompt(ModalScreen[str | None]):
    """One line of input; dismisses with the stripped text (maybe ""), or None on escape."""

    BINDINGS = [*MODAL]

    DEFAULT_CSS = """
    NamePrompt { align: center middle; }
    NamePrompt > #name-box {
        width: 72; max-width: 100%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="name-box"):
            yield Static(plain(self.question, one_line=True), id="name-question", markup=False)
            yield Input(value=self.value, id="name-input")
            yield Static("enter: done · escape: cancel", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())  # "" when left empty; None only for escape

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
