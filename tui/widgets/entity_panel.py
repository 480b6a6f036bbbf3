"""The entity panel: an article's entities grouped by label, each surface with its count."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from store import EntityGroup

from ..keymap import PANEL
from ..plain import plain
from .legend import hex_color

SEP = "\x00"


def option_id(label: str, surface: str) -> str:
    """The option id of one surface under one label."""
    return f"{label}{SEP}{surface}"


class EntityPanel(OptionList):
    """Entities by label with counts; moving here selects that mention, enter opens its page."""

    BINDINGS: ClassVar[list[BindingType]] = [*PANEL]

    class Chosen(Message):
        """A surface was highlighted (again=False) or walked (space, a click again: the next mention)."""

        def __init__(self, label: str, surface: str, again: bool) -> None:
            super().__init__()
            self.label = label
            self.surface = surface
            self.again = again

    class Opened(Message):
        """enter on a surface: the screen opens that entity's page."""

        def __init__(self, label: str, surface: str) -> None:
            super().__init__()
            self.label = label
            self.surface = surface

    def show_groups(self, groups: list[EntityGroup], colors: dict[str, str]) -> None:
        """Replace the list with these groups (label headers are not selectable)."""
        keep = self.highlighted_id()
        options: list[Option] = []
        for g in groups:
            color = hex_color(colors.get(g.label, "#dddddd"))
            head = Text.assemble(
                ("▌", Style(color=color)),
                (f"{plain(g.label, one_line=True)} ", Style(bold=True, color=color)),
                (str(g.count), Style(dim=True)),
            )
            options.append(Option(head, disabled=True))
            for s in g.surfaces:
                row = Text.assemble(("  " + plain(s.text, one_line=True), ""))
                if s.count > 1:
                    row.append(f" ×{s.count}", Style(dim=True))
                if s.pending == 0:
                    row.append(" ✓", Style(color="green", bold=True))  # every mention checked
                options.append(Option(row, id=option_id(g.label, s.text)))
        if not options:
            options.append(Option(Text("no entities yet", Style(dim=True)), disabled=True))
        self.clear_options()
        self.add_options(options)
        if keep is not None:
            self.highlight(*keep.split(SEP, 1))

    def highlighted_id(self) -> str | None:
        """The id of the highlighted surface, if any."""
        if self.highlighted is None:
            return None
        return self.get_option_at_index(self.highlighted).id

    def highlight(self, label: str, surface: str) -> None:
        """Move the highlight to a surface (when the text selects an entity)."""
        try:
            index = self.get_option_index(option_id(label, surface))
        except Exception:  # noqa: BLE001 - OptionDoesNotExist: nothing to highlight
            return
        if index != self.highlighted:
            self.highlighted = index
            self.scroll_to_highlight()

    def _highlighted_option(self) -> Option | None:
        if self.highlighted is None:
            return None
        option = self.get_option_at_index(self.highlighted)
        return None if option.disabled or option.id is None else option

    def action_open_entity(self) -> None:
        """enter: the entity page of the highlighted surface."""
        option = self._highlighted_option()
        if option is not None and option.id is not None:
            label, surface = option.id.split(SEP, 1)
            self.post_message(self.Opened(label, surface))

    def action_next_mention(self) -> None:
        """space (or a click on the highlighted row): select its next mention in the text."""
        option = self._highlighted_option()
        if option is not None:
            self._chosen(option, True)

    def _chosen(self, option: Option, again: bool) -> None:
        if option.id is None:
            return
        label, surface = option.id.split(SEP, 1)
        self.post_message(self.Chosen(label, surface, again))

    async def _on_click(self, event: events.Click) -> None:
        """A click on another surface selects its first mention; on the same one, the next.

        (OptionList's own click highlights and then selects: that went to mention 2 of N.)
        """
        index = event.style.meta.get("option")
        if index is None or index == self.highlighted:
            return  # OptionList's click: select the highlighted row again, the next mention
        event.prevent_default()
        option = self.get_option_at_index(index)
        if option.disabled:
            return
        self.highlighted = index
        if not self.has_focus:  # (the highlight handler speaks only for a focused panel)
            self._chosen(option, False)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if self.has_focus:  # only a person moving here selects; the screen moving it does not
            self._chosen(event.option, False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._chosen(event.option, True)
