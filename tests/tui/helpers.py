"""Helpers for Pilot tests: run them, wait on conditions (never sleep), read what is drawn."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable, Coroutine
from typing import Any

from textual.app import App
from textual.notifications import Notification
from textual.pilot import Pilot
from textual.widget import Widget
from textual.worker import WorkerState

DEADLINE = 10.0  # seconds a condition may take before the test fails (a busy CI machine)


def run_async(test: Callable[..., Coroutine[Any, Any, None]], funcargs: dict[str, Any]) -> None:
    """Run an ``async def`` test in a fresh event loop with the fixtures it names."""
    names = inspect.signature(test).parameters
    asyncio.run(test(**{n: funcargs[n] for n in names}))


async def wait_for(
    pilot: Pilot, condition: Callable[[], object], what: str = "", timeout: float = DEADLINE
) -> None:
    """Let messages flow until condition() is true; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what or condition}")
        await pilot.pause()


def working(app: App[Any]) -> bool:
    """Whether a worker of the app is waiting to start or running."""
    return any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)


async def settle(pilot: Pilot, rounds: int = 3) -> None:
    """Wait until no worker runs and their messages are handled (a handler may start another).

    A worker that failed or was cancelled counts as done: the App reports failures itself.
    """
    for _ in range(rounds):
        await wait_for(pilot, lambda: not working(pilot.app), "the workers to finish")
        await pilot.pause()


async def press(pilot: Pilot, *keys: str) -> None:
    """Press keys, then settle."""
    await pilot.press(*keys)
    await settle(pilot)


def notifications(app: App[Any]) -> list[Notification]:
    """The notifications the app shows now (those whose timeout has not run out).

    Textual 8.2 has no public read of them (toasts are only drawn with notifications=True),
    so this is the one place that looks at ``App._notifications``.
    """
    return list(app._notifications)


def notes(app: App[Any]) -> list[str]:
    """The text of the notifications the app shows now."""
    return [n.message for n in notifications(app)]


def drawn_lines(widget: Widget) -> list[str]:
    """The text of each line the widget draws now (what a person sees, cell for cell)."""
    return [
        "".join(seg.text for seg in widget.render_line(y)).rstrip()
        for y in range(widget.size.height)
    ]
