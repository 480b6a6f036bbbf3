"""The legend: the labels that the number keys give, in their colours."""

from __future__ import annotations

from functools import lru_cache

from rich.style import Style
from rich.text import Text
from textual.color import Color, ColorParseError
from textual.widgets import Static

from store.models import Label


@lru_cache(maxsize=256)
def hex_color(color: str) -> str:
    """Return a label colour as #rrggbb (labels may store #rgb or names); grey if unreadable."""
    try:
        return Color.parse(color).hex6
    except ColorParseError:
        return "#dddddd"


def chip(label: str, color: str) -> Style:
    """The style of a label name: black on the label's colour."""
    return Style(color="black", bgcolor=hex_color(color))


def legend_text(labels: list[Label]) -> Text:
    """Return `1 PERSON  2 NORP ...` with each name in its label colour."""
    text = Text(no_wrap=False)
    for i, lab in enumerate(labels, 1):
        if i > 1:
            text.append("  ")
        text.append(f"{i}\u00a0", Style(bold=True))
        text.append(lab.name, chip(lab.name, lab.color))
    return text


class Legend(Static):
    """Number keys and their labels."""

    def show_labels(self, labels: list[Label]) -> None:
        """Draw these labels (legend order)."""
        self.update(legend_text(labels))
