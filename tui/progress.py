"""Review progress drawn as text: a bar of reviewed / total for the library, the reader and `margin stats`."""

from __future__ import annotations

FULL, EMPTY = "█", "░"


def cells(done: int, total: int, width: int) -> str:
    """The bar alone: rounded down (full only when all are done), one cell for a first one."""
    share = done / total if total else 0.0
    filled = min(width, int(share * width))
    if done and not filled:
        filled = 1  # one reviewed article shows as a start, not as nothing
    if done < total and filled == width:
        filled = width - 1
    return FULL * filled + EMPTY * (width - filled)


def bar(done: int, total: int, width: int = 20) -> str:
    """The bar, the counts and the share, for the library's header and `margin stats`."""
    pct = int(100 * done / total) if total and done < total else 100 if total else 0
    return f"{cells(done, total, width)} {done:,}/{total:,} reviewed ({pct}%)"


def short_bar(done: int, total: int, width: int = 6) -> str:
    """A short bar and the counts, for the reader's status line (beside its review state)."""
    return f"{cells(done, total, width)} {done:,}/{total:,}"
