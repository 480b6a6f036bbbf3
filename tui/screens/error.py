"""The error screen: an unexpected failure in a worker, named, over an app that keeps running."""

from __future__ import annotations

import traceback
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..keymap import MODAL
from ..plain import plain


def where(error: BaseException) -> str:
    """The innermost place the error was raised: ``file:line in function`` (or "")."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f"{last.filename}:{last.lineno} in {last.name}"


class ErrorScreen(ModalScreen[None]):
    """Says which error a worker raised and where; escape or enter closes, the app goes on."""

    BINDINGS: ClassVar[list[BindingType]] = [*MODAL, ("enter,q", "dismiss_none", "Close")]

    def __init__(self, error: BaseException, group: str = "") -> None:
        super().__init__()
        self.error = error
        self.group = group

    @property
    def summary(self) -> str:
        """One line: the error's type and message, safe for the terminal."""
        text = plain(str(self.error), one_line=True)
        name = type(self.error).__name__
        return f"{name}: {text}" if text else name

    def compose(self) -> ComposeResult:
        with Vertical(id="error-box"):
            yield Static("Something went wrong", id="error-title", markup=False)
            yield Static(self.summary, id="error-message", markup=False)
            place = where(self.error)
            if place or self.group:
                detail = " · ".join(p for p in (self.group and f"in {self.group}", place) if p)
                yield Static(plain(detail, one_line=True), id="error-where", markup=False)
            yield Static(
                "margin keeps running: escape or enter closes this.",
                classes="hint",
                markup=False,
            )

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
