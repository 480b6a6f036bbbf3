"""The article text: wrapped, entities in label colours, a caret and a selection; draws only visible lines."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store import Span

from ..geometry import Layout, display, tokens
from ..keymap import TEXT
from .legend import hex_color

# text of an entity inside another one (allow_overlaps): the inner entity, italic, a line over it
NESTED = Style(italic=True, overline=True)
HINT_STYLE = Style(bgcolor="#ffd700", color="black", bold=True)  # a hint label (f in the reader)


@dataclass(frozen=True)
class Selection:
    """A range being marked: start..end (end exclusive), which end moves, the span it edits."""

    start: int
    end: int
    active: str = "end"  # "start" or "end"
    span_id: int | None = None

    @property
    def active_offset(self) -> int:
        """The offset of the moving end (for "end", the last character inside)."""
        return self.start if self.active == "start" else self.end - 1


class ArticleText(ScrollView, can_focus=True):
    """Read-only article text drawn with the Line API: only the lines on screen are built."""

    BINDINGS: ClassVar[list[BindingType]] = [*TEXT]

    char_mode: reactive[bool] = reactive(False)

    class CaretMoved(Message):
        """The caret moved; span is the entity under it (None: plain text)."""

        def __init__(self, caret: int, span: Span | None) -> None:
            super().__init__()
            self.caret = caret
            self.span = span

    class SelectionKept(Message):
        """Enter on a selection: keep these boundaries (span_id: the entity being resized)."""

        def __init__(self, start: int, end: int, span_id: int | None) -> None:
            super().__init__()
            self.start = start
            self.end = end
            self.span_id = span_id

    class SelectionChanged(Message):
        """A selection started, moved or ended (None)."""

        def __init__(self, selection: Selection | None) -> None:
            super().__init__()
            self.selection = selection

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = ""
        self.spans: list[Span] = []
        self._starts: list[int] = []
        self._nested = False
        self.label_colors: dict[str, str] = {}
        self.caret = 0
        self.selection: Selection | None = None
        self._layout: Layout | None = None
        self._tok_starts: list[int] = []
        self._tok_ends: list[int] = []
        self._cache: dict[int, Strip] = {}
        self._styles: dict[tuple[str, str, bool], Style] = {}
        self._drag_from: int | None = None
        self.hints: dict[int, str] = {}  # offset -> hint label drawn over it (reader key f)

    # -- attributes down ---------------------------------------------------------------

    def set_article(self, text: str, spans: list[Span], caret: int = 0) -> None:
        """Show a new text (or the same text with new spans), keeping the caret where asked."""
        same_text = text == self.text and self._layout is not None
        self.text = text
        self.set_spans(spans, notify=False)
        if not same_text:
            self._layout = None
            self._tok_starts, self._tok_ends = tokens(text)
            self.selection = None
            self.scroll_to(0, 0, animate=False, immediate=True)
        self._relayout()
        self.move_caret(caret, center=not same_text)

    def set_spans(self, spans: list[Span], notify: bool = True) -> None:
        """Replace the highlighted entities (rejected ones are never drawn)."""
        self.spans = sorted((s for s in spans if s.status != "rejected"), key=lambda s: s.start)
        self._starts = [s.start for s in self.spans]
        # entities inside others (allow_overlaps): their text is drawn marked
        self._nested = any(
            a.end > b.start for a, b in zip(self.spans, self.spans[1:], strict=False)
        )
        self._invalidate()
        if notify:
            self._announce()

    def set_colors(self, colors: dict[str, str]) -> None:
        """Set label -> colour (hex) for the highlights."""
        self.label_colors = dict(colors)
        self._styles.clear()
        self._invalidate()

    def clear_selection(self) -> None:
        """Drop the selection (Escape)."""
        if self.selection is not None:
            self.selection = None
            self._invalidate()
            self.post_message(self.SelectionChanged(None))

    def move_caret(self, offset: int, *, center: bool = False) -> None:
        """Put the caret at offset, scroll it into view, and say which entity is under it."""
        self.caret = max(0, min(offset, max(0, len(self.text) - 1)))
        self._invalidate()
        self._scroll_to_offset(self.caret, center=center)
        self._announce()

    def select_span(self, span: Span) -> None:
        """Select an entity: caret on its first character, scrolled to the middle of the view."""
        self.selection = None
        self.move_caret(span.start, center=True)

    def show_hints(self, hints: dict[int, str]) -> None:
        """Draw each hint label over the text from its offset (an empty dict clears them)."""
        self.hints = dict(hints)
        self._invalidate()

    def _visible_range(self) -> tuple[int, int]:
        lay = self._layout
        if lay is None or not len(lay):
            return 0, 0
        top = min(int(self.scroll_offset.y), len(lay) - 1)
        bottom = min(len(lay), top + max(1, self.scrollable_content_region.height)) - 1
        return lay.starts[top], lay.ends[bottom]

    def visible_spans(self) -> list[Span]:
        """The entities that start on the lines on screen now."""
        lo, hi = self._visible_range()
        return [s for s in self.spans if lo <= s.start < hi]

    def visible_tokens(self) -> list[int]:
        """The start offsets of the tokens on the lines on screen now."""
        lo, hi = self._visible_range()
        return self._tok_starts[
            bisect_left(self._tok_starts, lo) : bisect_left(self._tok_starts, hi)
        ]

    # -- queries -----------------------------------------------------------------------

    def span_at(self, offset: int) -> Span | None:
        """Return the drawn entity that covers offset."""
        i = bisect_right(self._starts, offset) - 1
        if self._nested:  # the innermost entity that covers offset
            covering = [s for s in self.spans[: i + 1] if s.start <= offset < s.end]
            return min(covering, key=lambda s: s.end - s.start, default=None)
        for j in (i, i - 1):  # the previous one too, in case entities overlap
            if j >= 0 and self.spans[j].start <= offset < self.spans[j].end:
                return self.spans[j]
        return None

    @property
    def layout_lines(self) -> int:
        """How many visual lines the text has at the current width."""
        return len(self._layout) if self._layout else 0

    @property
    def caret_line(self) -> int:
        """The visual line the caret is on (0 before the first layout)."""
        return self._layout.offset_to_pos(self.caret)[0] if self._layout else 0

    # -- layout and drawing ------------------------------------------------------------

    def _relayout(self) -> None:
        cols = self.scrollable_content_region.width or self.size.width or 80
        if self._layout is None or self._layout.width != cols:
            self._layout = Layout(self.text, cols)
        self.virtual_size = Size(cols, len(self._layout))
        self._invalidate()

    def on_resize(self, event: events.Resize) -> None:
        if self.text:
            self._relayout()
            self._scroll_to_offset(self.caret)

    def _invalidate(self) -> None:
        self._cache.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()

    def on_focus(self) -> None:
        self._invalidate()

    def on_blur(self) -> None:
        self._invalidate()

    def watch_char_mode(self) -> None:
        self._announce()

    def _span_style(self, span: Span, selected: bool) -> Style:
        kind = "user" if span.is_user else span.status
        key = (span.label, kind, selected)
        style = self._styles.get(key)
        if style is None:
            color = Color.parse(hex_color(self.label_colors.get(span.label, "#dddddd")))
            if kind == "suggested" and self.app.current_theme.dark:
                style = Style(color=color.rich_color, underline=True)
            elif kind == "suggested":
                bg = self.background_colors[1]
                style = Style(bgcolor=bg.blend(color, 0.5).rich_color, underline=True)
            else:
                style = Style(bgcolor=color.rich_color, color="black", bold=kind == "user")
            if selected:
                style += Style(reverse=True, bold=True)
            self._styles[key] = style
        return style

    def _selection_style(self) -> Style:
        theme = self.app.current_theme
        return Style(bgcolor=Color.parse(theme.accent or "#ffa62b").rich_color, color="black")

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        lay = self._layout
        index = scroll_y + y
        if lay is None or index >= len(lay):
            return Strip.blank(width, base)
        strip = self._cache.get(index)
        if strip is None:
            strip = self._build_line(index, base)
            self._cache[index] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _build_line(self, index: int, base: Style) -> Strip:
        lay = self._layout
        assert lay is not None
        ls, le = lay.starts[index], lay.ends[index]
        cuts = {ls, le}
        here: list[Span] = []  # the drawn spans on this line
        i = 0 if self._nested else max(0, bisect_right(self._starts, ls) - 1)
        while i < len(self.spans) and self.spans[i].start < le:
            s = self.spans[i]
            if s.end > ls:
                cuts.add(max(s.start, ls))
                cuts.add(min(s.end, le))
                here.append(s)
            i += 1
        sel = self.selection
        if sel is not None:
            cuts.update(min(max(o, ls), le) for o in (sel.start, sel.end))
        mark = self._mark()
        if ls <= mark < le:
            cuts.update((mark, mark + 1))
        hinted: dict[int, str] = {}  # each character a hint covers -> the letter over it
        for at, hint in self.hints.items():
            for k, letter in enumerate(hint):
                if ls <= at + k < le:
                    hinted[at + k] = letter
                    cuts.update((at + k, at + k + 1))
        under = self.span_at(self.caret) if sel is None else None
        points = sorted(cuts)
        segments = []
        for a, b in zip(points, points[1:], strict=False):
            style = base
            span = self.span_at(a)
            if span is not None:
                style += self._span_style(span, span is under)
                if self._nested and sum(1 for o in here if o.start <= a < o.end) > 1:
                    style += NESTED  # inside another entity: the inner one, marked
            if sel is not None and sel.start <= a < sel.end:
                style += self._selection_style()
            if a == mark and self._show_mark():
                style += Style(reverse=True, underline=True)
            if a in hinted:
                segments.append(Segment(hinted[a], base + HINT_STYLE))
                continue
            segments.append(Segment(display(self.text[a:b]), style))
        if mark == le and lay.line_of(mark) == index and self._show_mark():
            segments.append(Segment(" ", base + Style(reverse=True)))
        return Strip(segments)

    def _mark(self) -> int:
        return self.selection.active_offset if self.selection is not None else self.caret

    def _show_mark(self) -> bool:
        return self.has_focus or self.selection is not None

    def _scroll_to_offset(self, offset: int, *, center: bool = False) -> None:
        if self._layout is None:
            return
        y, x = self._layout.offset_to_pos(offset)
        self.scroll_to_region(
            Region(0, y, 1, 1), animate=False, center=center, immediate=True, force=True
        )

    # -- keys: caret and selection -----------------------------------------------------

    def _announce(self) -> None:
        self.post_message(self.CaretMoved(self.caret, self.span_at(self.caret)))

    def _set_selection(self, sel: Selection | None) -> None:
        self.selection = sel
        self._invalidate()
        if sel is not None:
            self._scroll_to_offset(sel.active_offset)
        self.post_message(self.SelectionChanged(sel))

    def action_select(self) -> None:
        """v: start a selection at the caret, or edit the boundaries of the entity under it."""
        if self.selection is not None:
            self.clear_selection()
            return
        if not self.text:
            return
        span = self.span_at(self.caret)
        if span is not None:
            self._set_selection(Selection(span.start, span.end, "end", span.id))
            return
        start, end = self.caret, self.caret + 1
        if not self.char_mode:
            i = bisect_right(self._tok_ends, self.caret)  # the token under or after the caret
            if i < len(self._tok_starts):
                start, end = self._tok_starts[i], self._tok_ends[i]
        self._set_selection(Selection(start, end, "end"))

    def action_swap_ends(self) -> None:
        """o: the other end of the selection becomes the moving one."""
        if self.selection is not None:
            sel = self.selection
            self._set_selection(replace(sel, active="start" if sel.active == "end" else "end"))

    def action_toggle_char_mode(self) -> None:
        """c: move the selection by characters instead of tokens (and back)."""
        self.char_mode = not self.char_mode
        self.notify("character mode" if self.char_mode else "token mode", timeout=2)

    def action_keep(self) -> None:
        """enter: keep the selection's boundaries."""
        sel = self.selection
        if sel is not None:
            self.post_message(self.SelectionKept(sel.start, sel.end, sel.span_id))

    def _move_end(self, sel: Selection, target: int) -> Selection | None:
        if sel.active == "end":
            return replace(sel, end=target) if target > sel.start else None
        return replace(sel, start=target) if target < sel.end else None

    def _token_step(self, sel: Selection, step: int) -> int | None:
        """The next token boundary for the active end in direction step."""
        if sel.active == "end":
            ends = self._tok_ends
            if step > 0:
                i = bisect_right(ends, sel.end)
                return ends[i] if i < len(ends) else None
            i = bisect_left(ends, sel.end) - 1
            return ends[i] if i >= 0 else None
        starts = self._tok_starts
        if step > 0:
            i = bisect_right(starts, sel.start)
            return starts[i] if i < len(starts) else None
        i = bisect_left(starts, sel.start) - 1
        return starts[i] if i >= 0 else None

    def _step_selection(self, step: int, by_token: bool) -> None:
        sel = self.selection
        assert sel is not None
        if by_token:
            target = self._token_step(sel, step)
        else:
            target = (sel.end if sel.active == "end" else sel.start) + step
        if target is None or not 0 <= target <= len(self.text):
            self.app.bell()
            return
        moved = self._move_end(sel, target)
        if moved is None:
            self.app.bell()
            return
        self._set_selection(moved)

    def action_move(self, step: int) -> None:
        """Arrows: move the caret by a character, or the selection's active end."""
        if self.selection is not None:
            self._step_selection(step, not self.char_mode)
        else:
            self.move_caret(self.caret + step)

    def action_word(self, step: int) -> None:
        """w / b: to the next / previous token (or move the active end by a token)."""
        if self.selection is not None:
            self._step_selection(step, True)
            return
        starts = self._tok_starts
        if step > 0:
            i = bisect_right(starts, self.caret)
            target = starts[i] if i < len(starts) else len(self.text) - 1
        else:
            i = bisect_left(starts, self.caret) - 1
            target = starts[i] if i >= 0 else 0
        self.move_caret(target)

    def action_word_end(self) -> None:
        """e: to the end of the token (or move the active end forward by a token)."""
        if self.selection is not None:
            self._step_selection(1, True)
            return
        ends = self._tok_ends
        i = bisect_right(ends, self.caret + 1)
        if i < len(ends):
            self.move_caret(ends[i] - 1)

    def action_line(self, step: int) -> None:
        """Up / down: a visual line (the active end of a selection, or the caret)."""
        lay = self._layout
        if lay is None:
            return
        sel = self.selection
        offset = self.caret if sel is None else (sel.end if sel.active == "end" else sel.start)
        y, x = lay.offset_to_pos(offset)
        if not 0 <= y + step < len(lay):
            if sel is None:
                self.scroll_relative(y=step, animate=False)
            return
        target = lay.pos_to_offset(y + step, x)
        if sel is None:
            self.move_caret(target)
            return
        if not self.char_mode:
            if sel.active == "end":
                i = bisect_left(self._tok_ends, target)
                target = self._tok_ends[i] if i < len(self._tok_ends) else len(self.text)
            else:
                i = bisect_right(self._tok_starts, target) - 1
                target = self._tok_starts[i] if i >= 0 else 0
        moved = self._move_end(sel, target)
        if moved is None:
            self.app.bell()
        else:
            self._set_selection(moved)

    def action_page(self, step: int) -> None:
        """Page down / up: scroll a screen and take the caret along."""
        lay = self._layout
        if lay is None:
            return
        height = max(1, self.scrollable_content_region.height - 1)
        y, x = lay.offset_to_pos(self.caret)
        self.scroll_to(y=self.scroll_offset.y + step * height, animate=False, immediate=True)
        if self.selection is None:
            target = lay.pos_to_offset(max(0, min(len(lay) - 1, y + step * height)), x)
            self.caret = max(0, min(target, max(0, len(self.text) - 1)))
            self._invalidate()
            self._announce()

    def action_to_start(self) -> None:
        """Home: the top of the article."""
        if self.selection is None:
            self.move_caret(0)

    def action_to_end(self) -> None:
        """End: the bottom of the article."""
        if self.selection is None:
            self.move_caret(len(self.text) - 1)

    def _offset_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None or self._layout is None:
            return None
        sx, sy = self.scroll_offset
        return min(self._layout.pos_to_offset(sy + offset.y, sx + offset.x), len(self.text) - 1)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        at = self._offset_at(event)
        if at is None:
            return
        self._drag_from = at
        self.capture_mouse()
        self.selection = None
        self.move_caret(at)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        start = self._drag_from
        if start is None or not event.button:
            return
        at = self._offset_at(event)
        if at is None or at == start:
            return
        lo, hi = min(start, at), max(start, at) + 1
        if not self.char_mode:  # widen to whole tokens
            i = bisect_right(self._tok_ends, lo)
            if i < len(self._tok_starts) and self._tok_starts[i] <= lo:
                lo = self._tok_starts[i]
            j = bisect_right(self._tok_starts, hi - 1) - 1
            if j >= 0 and self._tok_ends[j] >= hi:
                hi = self._tok_ends[j]
        self._set_selection(Selection(lo, hi, "end" if at >= start else "start"))

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self._drag_from = None
        self.release_mouse()
