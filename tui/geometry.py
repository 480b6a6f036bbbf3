"""The one mapping between character offsets of an article and screen cells of its wrapped lines."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from rich.cells import cell_len

TAB = "    "  # a tab is shown as four spaces: fixed width, so the layout never depends on it
# what cannot go to a terminal as it is: C0/C1 controls (tab apart), DEL, bidi and format
# overrides, lone surrogates; each is shown as a visible escape such as \x1b
_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_TOKEN = re.compile(r"[^ ]+ *| +")  # only plain spaces are places to break


@lru_cache(maxsize=4096)
def glyph(ch: str) -> str:
    """Return what one character shows as on screen: itself, spaces for a tab, or an escape."""
    if ch == "\t":
        return TAB
    if _UNSAFE.match(ch):
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return ch


def display(text: str) -> str:
    """Return text as it is drawn: every character through glyph(), nothing interpreted."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(map(glyph, text))


@lru_cache(maxsize=4096)
def _char_width(ch: str) -> int:
    return cell_len(glyph(ch))


def width(text: str) -> int:
    """Return how many cells text takes once drawn with display()."""
    if text.isascii() and text.isprintable():
        return len(text)
    return sum(map(_char_width, text))


class Layout:
    """Article text wrapped to a width: visual lines as (start, end) offsets, end exclusive.

    A newline belongs to no line: it ends the line before it. Offsets run from 0 to
    len(text) inclusive (the caret may sit after the last character).
    """

    def __init__(self, text: str, cols: int) -> None:
        self.text = text
        self.width = max(1, cols)
        self.starts: list[int] = []
        self.ends: list[int] = []
        pos = 0
        for para in text.split("\n"):
            self._wrap(pos, para)
            pos += len(para) + 1

    def __len__(self) -> int:
        return len(self.starts)

    def _add(self, start: int, end: int) -> None:
        self.starts.append(start)
        self.ends.append(end)

    def _wrap(self, base: int, para: str) -> None:
        cols = self.width
        if width(para) <= cols:
            self._add(base, base + len(para))
            return
        line_start, col = base, 0
        for m in _TOKEN.finditer(para):
            tok = m.group()
            start = base + m.start()
            core = tok.rstrip(" ") or tok[:1]
            core_w = width(core)
            if col and col + core_w > cols:
                self._add(line_start, start)
                line_start, col = start, 0
            if core_w <= cols - col:
                col += width(tok)
                continue
            # a word wider than the line: cut it where it stops fitting
            for i, ch in enumerate(tok):
                w = _char_width(ch)
                if col and col + w > cols and ch != " ":
                    self._add(line_start, start + i)
                    line_start, col = start + i, 0
                col += w
        self._add(line_start, base + len(para))

    def line_of(self, offset: int) -> int:
        """Return the index of the visual line that holds offset."""
        offset = max(0, min(offset, len(self.text)))
        return max(0, bisect_right(self.starts, offset) - 1)

    def offset_to_pos(self, offset: int) -> tuple[int, int]:
        """Return (line, column) of the cell where the character at offset is drawn."""
        offset = max(0, min(offset, len(self.text)))
        y = self.line_of(offset)
        return y, width(self.text[self.starts[y] : offset])

    def pos_to_offset(self, y: int, x: int) -> int:
        """Return the offset of the character drawn at (line, column); past the end: line end."""
        if not self.starts:
            return 0
        y = max(0, min(y, len(self.starts) - 1))
        start, end = self.starts[y], self.ends[y]
        col = 0
        for i in range(start, end):
            w = _char_width(self.text[i])
            if w and x < col + w:
                return i
            col += w
        return end

    def line_text(self, y: int) -> str:
        """Return the characters of one visual line (not yet made safe for display)."""
        return self.text[self.starts[y] : self.ends[y]]


_WORD = re.compile(r"\w+|[^\w\s]")


def tokens(text: str) -> tuple[list[int], list[int]]:
    """Return the start and end offsets of the tokens (words, single punctuation) of text."""
    starts, ends = [], []
    for m in _WORD.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
    return starts, ends
