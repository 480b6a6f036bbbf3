"""Making text safe for a terminal: control characters and escapes become visible plain text."""

from __future__ import annotations

import re

# C0 controls except \t and \n, DEL, C1 controls, and bidi/format overrides that reorder a line
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match[str]) -> str:
    c = m.group(0)
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def plain(text: str, *, one_line: bool = False) -> str:
    """Return text with every control character shown as an escape, never interpreted.

    With one_line, newlines and tabs become spaces (for titles, table cells, error lines).
    """
    out = _UNSAFE.sub(_escape, text)
    if one_line:
        out = out.replace("\n", " ").replace("\t", " ")
    return out
