"""A yes/no question: enter or y says yes, escape or n says no."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..plain import plain


class ConfirmScreen(ModalScreen[bool]):
    """Ask before a change (many mentions, a new label); dismisses with the answer."""

    BINDINGS = [
        Binding("enter,y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("escape,n", "answer(False)", "No", id="confirm.no"),
    ]

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > #confirm-box {
        width: 80; max-width: 100%; height: auto;
        border: round $warning; background: $surface; padding: 0 1;
    }
    """

    def __init__(
        self, question: str, detail: str = "", hint: str = "enter/y: yes · escape/n: no"
    ) -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(plain(self.question, one_line=True), id="confirm-question", markup=False)
            if self.detail:
                yield Static(plain(self.detail), id="confirm-detail", markup=False)
            yield Static(self.hint, classes="hint", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
