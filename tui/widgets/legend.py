"""The legend: the labels that the number keys give, in their colours."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from store.models import Label


def legend_text(labels: list[Label]) -> Text:
    """Return `1 PERSON  2 NORP ...` with each name in its label colour."""
    text = Text(no_wrap=False)
    for i, lab in enumerate(labels, 1):
        if i > 1:
            text.append("  ")
        text.append(f"{i}\u00a0", Style(bold=True))
        text.append(lab.name, Style(color="black", bgcolor=lab.color))
    return text


class Legend(Static):
    """Number keys and their labels."""

    def show_labels(self, labels: list[Label]) -> None:
        """Draw these labels (legend order)."""
        self.update(legend_text(labels))
