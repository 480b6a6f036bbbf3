"""Telling a CoNLL file by its content: its first lines are ``token ... TAG`` columns."""

from __future__ import annotations

import re

DOCSTART = "-DOCSTART-"
_TAG = re.compile(r"(?:O|[BIESLU]-\S+)")
LINES = 40  # token lines looked at; all must be columns ending in a tag


def sniff(head: bytes) -> bool:
    """True when the first non-blank lines are ``-DOCSTART-`` or whitespace-separated columns
    whose last is an IOB tag (O, B-X, I-X ...), all as wide: three such lines, or one after
    ``-DOCSTART-``."""
    text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    lines = text.split("\n")
    if len(head) >= 4096 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut short
    seen = 0
    docstart = False
    width: int | None = None
    for line in lines:
        cols = line.split()
        if not cols:
            continue
        if cols[0] == DOCSTART:
            docstart = docstart or seen == 0
            continue
        if len(cols) < 2 or len(cols) > 10 or not _TAG.fullmatch(cols[-1]):
            return False
        if width is not None and len(cols) != width:
            return False
        width = len(cols)
        seen += 1
        if seen >= LINES:
            break
    return seen >= 3 or (docstart and seen >= 1)
