"""The article list: one line per article drawn on demand; rows arrive a page at a time."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store import ArticleSummary

from ..keymap import ARTICLE_LIST
from ..plain import plain

PAGE = 100


def short_source(source: str, width: int) -> str:
    """The telling end of a source in `width` cells: the file name (and #line), cut on the left."""
    text = plain(source, one_line=True)
    name = text.rsplit("/", 1)[-1] or text
    if cell_len(name) <= width:
        return set_cell_size(name, width)
    while name and cell_len(name) > width - 1:
        name = name[1:]
    return set_cell_size("…" + name, width) if width > 0 else ""


class ArticleList(ScrollView, can_focus=True):
    """A virtual list of `total` articles; asks for missing pages with NeedRows, never all rows."""

    BINDINGS: ClassVar[list[BindingType]] = [*ARTICLE_LIST]

    class NeedRows(Message):
        """Rows from offset (a page) are needed to draw the list."""

        def __init__(self, offset: int) -> None:
            super().__init__()
            self.offset = offset

    class Opened(Message):
        """Enter on an article."""

        def __init__(self, article_id: int) -> None:
            super().__init__()
            self.article_id = article_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.total = 0
        self.rows: dict[int, ArticleSummary] = {}
        self.cursor = 0
        self._asked: set[int] = set()

    # -- attributes down ---------------------------------------------------------------

    def reset(self, total: int, cursor: int | None = None) -> None:
        """Start over with total rows (after a sort change or new data); forget loaded rows."""
        self.total = total
        self.rows.clear()
        self._asked.clear()
        if cursor is not None:
            self.cursor = cursor
        self.cursor = max(0, min(self.cursor, total - 1))
        self.virtual_size = Size(self.size.width, total)
        self.refresh()
        self._follow()

    def set_rows(self, offset: int, rows: list[ArticleSummary]) -> None:
        """Fill in a page of rows."""
        for i, row in enumerate(rows):
            self.rows[offset + i] = row
        if len(self.rows) > 20 * PAGE:  # keep memory flat: drop pages far from the cursor
            for key in [k for k in self.rows if abs(k - self.cursor) > 10 * PAGE]:
                del self.rows[key]
            self._asked = {p for p in self._asked if abs(p - self.cursor) <= 10 * PAGE}
        self.refresh()

    def on_screen(self) -> list[tuple[int, int]]:
        """(index, article id) of the loaded rows drawn now (what a poll checks for changes)."""
        top = int(self.scroll_offset.y)
        rows = (self.rows.get(i) for i in range(top, top + self.size.height))
        return [(top + i, row.id) for i, row in enumerate(rows) if row is not None]

    def update_rows(self, changed: dict[int, ArticleSummary]) -> None:
        """Redraw rows whose article changed (entity count, review state) in place."""
        for index, row in changed.items():
            if index in self.rows:
                self.rows[index] = row
        self.refresh()

    @property
    def current(self) -> ArticleSummary | None:
        """The row under the cursor, when it has been loaded."""
        return self.rows.get(self.cursor)

    # -- drawing -----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = scroll_y + y
        if index >= self.total:
            return Strip.blank(width, base)
        row = self.rows.get(index)
        if row is None:
            page = index - index % PAGE
            if page not in self._asked:
                self._asked.add(page)
                self.post_message(self.NeedRows(page))
            return Strip([Segment(set_cell_size("  …", width), base + Style(dim=True))])
        return Strip(self._row_segments(row, width, base, index == self.cursor))

    def _row_segments(
        self, row: ArticleSummary, width: int, base: Style, here: bool
    ) -> list[Segment]:
        state = "reviewed" if row.reviewed else ""
        # the publication date; an article without one shows its import day, marked with ~
        day = row.when[:10] + (" " if row.date else "~")
        right = f" {day} {row.entity_count:>5} ent  {state:<8} "
        source_w = 0 if width < 100 else min(32, width // 5)  # the title comes first
        title_w = max(8, width - 3 - len(right) - source_w)
        style = base + (Style(bold=True) if not row.read else Style(dim=True))
        if here:
            style += Style(reverse=True)
        mark = Segment("● " if not row.read else "  ", base + Style(color="#feca74", bold=True))
        title = set_cell_size(plain(row.title, one_line=True), title_w)
        source = short_source(row.source, source_w)
        line = [
            mark,
            Segment(title + " ", style),
            Segment(source, style + Style(italic=True, dim=True)) if source_w else Segment(""),
            Segment(right, style),
        ]
        return line

    # -- keys --------------------------------------------------------------------------

    def _follow(self) -> None:
        self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, immediate=True)

    def go_to(self, index: int) -> None:
        """Put the cursor on the row at index and scroll there."""
        self._set_cursor(index)

    def _set_cursor(self, index: int) -> None:
        if self.total == 0:
            return
        self.cursor = max(0, min(index, self.total - 1))
        self.refresh()
        self._follow()

    def action_cursor(self, step: int) -> None:
        """j / k: the next / previous article."""
        self._set_cursor(self.cursor + step)

    def action_page(self, step: int) -> None:
        """Page down / up."""
        self._set_cursor(self.cursor + step * max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        """Home: the first article."""
        self._set_cursor(0)

    def action_last(self) -> None:
        """End: the last article."""
        self._set_cursor(self.total - 1)

    def action_open(self) -> None:
        """Enter: open the article under the cursor."""
        row = self.current
        if row is not None:
            self.post_message(self.Opened(row.id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = int(self.scroll_offset.y) + offset.y
        if index < self.total:
            if index == self.cursor and event.chain >= 2:
                self.action_open()
            self._set_cursor(index)
