"""Finding mentions: a surface as a whole word, never touching a letter, digit or mark."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any


def is_word_char(ch: str) -> bool:
    """True for a character that continues a word: letters, digits, _ and combining marks."""
    return ch.isalnum() or ch == "_" or unicodedata.category(ch)[0] == "M"


def _trie(surfaces: list[str], end: str) -> str:
    """A regex matching any of surfaces, sharing their prefixes, the longest first."""
    root: dict[str, Any] = {}
    for surface in surfaces:
        node = root
        for ch in surface:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            branches.append(end)  # after the longer branches: backtracking tries them first
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(root)


def mention_pattern(surfaces: list[str], case_sensitive: bool = True) -> re.Pattern[str]:
    """A pattern for any of surfaces, the longest first, not followed by a word character.

    Use it through ``find_mentions``, which also checks the character before: a mention may
    not touch a word character (letter, digit, _, combining mark) on either side. "Aleppo"
    is found in "Aleppo's", "(Aleppo)" and "Aleppo-based" but not in "Aleppos" or
    "NeoAleppo"; "U.S." in "the U.S. and" but not in "U.S.A.".
    """
    words = sorted({s for s in surfaces if s})
    if not words:
        raise ValueError("a mention needs some text")
    flags = 0 if case_sensitive else re.IGNORECASE
    # no lookbehind in front: a leading literal lets the regex engine skip ahead fast;
    # (?!\\w) lets a shorter surface win where a longer one runs into a word
    return re.compile(_trie(words, r"(?!\w)"), flags)


def find_mentions(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each non-overlapping mention of pattern in text, on word edges."""
    pos = 0
    search = pattern.search
    while (m := search(text, pos)) is not None:
        start, end = m.span()
        if (
            end > start
            and (start == 0 or not is_word_char(text[start - 1]))
            and (end == len(text) or not is_word_char(text[end]))  # combining marks
        ):
            yield start, end
            pos = end
        else:  # the mention would touch a word: try from the next character
            pos = start + 1


def fold(text: str) -> str:
    """The key two surfaces share when they are equal ignoring case."""
    return text.casefold()
