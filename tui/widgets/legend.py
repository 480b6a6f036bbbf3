"""The legend: the labels that the number keys give, in their colours."""

from __future__ import annotations

from functools import lru_cache

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.color import Color, ColorParseError
from textual.geometry import Size
from textual.widget import Widget

from store import Label

from ..plain import plain


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


def legend_text(labels: list[Label], width: int = 1000, gap: int = 2) -> Text:
    """Return `1 PERSON  2 NORP ...`, each name in its colour, never breaking inside an item."""
    text = Text()
    col = 0
    for i, lab in enumerate(labels, 1):
        name = plain(lab.name, one_line=True)
        item_w = cell_len(f"{i} {name}")
        if col and col + gap + item_w > width:
            text.append("\n")
            col = 0
        elif col:
            text.append(" " * gap)
            col += gap
        text.append(f"{i} ", Style(bold=True))
        text.append(name, chip(lab.name, lab.color))
        col += item_w
    return text


class Legend(Widget):
    """Number keys and their labels."""

    def __init__(self, *, id: str | None = None, gap: int = 2) -> None:
        super().__init__(id=id)
        self.labels: list[Label] = []
        self.gap = gap  # spaces between items (1 in the one-line legend of a narrow screen)

    def show_labels(self, labels: list[Label]) -> None:
        """Draw these labels (legend order)."""
        self.labels = list(labels)
        self.refresh(layout=True)

    def render(self) -> Text:
        return legend_text(self.labels, max(1, self.content_region.width), self.gap)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return legend_text(self.labels, max(1, width), self.gap).plain.count("\n") + 1
