"""Review progress drawn as text: a bar of reviewed / total for the library, the reader and `margin stats`."""

from __future__ import annotations

FULL, EMPTY = "█", "░"


def bar(done: int, total: int, width: int = 20) -> str:
    """ "██████░░░░░░ 12/40 reviewed (30%)": the bar rounds down, so it is full only when all are."""
    share = done / total if total else 0.0
    filled = min(width, int(share * width))
    if done and not filled:
        filled = 1  # one reviewed article shows as a start, not as nothing
    if done < total and filled == width:
        filled = width - 1
    pct = int(share * 100) if done < total else 100
    return f"{FULL * filled}{EMPTY * (width - filled)} {done:,}/{total:,} reviewed ({pct}%)"
