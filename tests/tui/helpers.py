"""Helpers for Pilot tests: wait for the store workers, read what a Line-API widget draws."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widget import Widget


async def settle(pilot: Pilot, rounds: int = 3) -> None:
    """Wait until workers are done and their messages handled (a handler may start another)."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def drawn_lines(widget: Widget) -> list[str]:
    """The text of each line the widget draws now (what a person sees, cell for cell)."""
    return [
        "".join(seg.text for seg in widget.render_line(y)).rstrip()
        for y in range(widget.size.height)
    ]


async def press(pilot: Pilot, *keys: str) -> None:
    """Press keys, then settle."""
    await pilot.press(*keys)
    await settle(pilot)
