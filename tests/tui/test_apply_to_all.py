"""Pilot tests of A: it applies the journal's last decision, and nothing once that is undone."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from store import Store
from tui.app import MarginApp
from tui.screens.propagate import PropagateScreen
from tui.screens.reader import ReaderScreen

from .helpers import notes, press, settle, wait_for


class WatchPushes:
    """Records every screen pushed on the app (to prove a dialog never opened)."""

    def __init__(self, app: MarginApp, monkeypatch: pytest.MonkeyPatch) -> None:
        self.pushed: list[object] = []
        push = app.push_screen

        def record(screen: Any, *args: Any, **kwargs: Any) -> Any:
            self.pushed.append(screen)
            return push(screen, *args, **kwargs)

        monkeypatch.setattr(app, "push_screen", record)


async def test_relabel_undo_then_a_says_there_is_nothing_to_apply(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        watch = WatchPushes(app, monkeypatch)
        await press(pilot, "right_square_bracket", "5")  # Aleppo: NORP -> GPE
        assert seeded.last_decision() == ("Aleppo", "GPE", 1)
        await press(pilot, "u")
        assert seeded.last_decision() is None
        await press(pilot, "A")
        assert isinstance(app.screen, ReaderScreen)
        assert not any(isinstance(s, PropagateScreen) for s in watch.pushed)
        assert any(n.startswith("nothing to apply") for n in notes(app)), notes(app)


async def test_relabel_then_a_offers_that_relabel(seeded: Store) -> None:
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "right_square_bracket", "5", "A")
        dialog = app.screen
        assert isinstance(dialog, PropagateScreen)
        assert (dialog.corpus.surface, dialog.corpus.label) == ("Aleppo", "GPE")
        summary = str(dialog.query_one("#propagate-summary").render())
        assert summary.startswith("give GPE to every 'Aleppo'")


async def test_a_right_after_a_slow_relabel_waits_for_it(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """5 then A faster than the store saves: A applies the relabel, not what came before."""
    release = threading.Event()
    relabel = seeded.relabel

    def slow_relabel(span_id: int, label: str) -> int:
        release.wait(5)
        return relabel(span_id, label)

    monkeypatch.setattr(seeded, "relabel", slow_relabel)
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "right_square_bracket")
        await pilot.press("5", "A")
        await pilot.pause()
        assert seeded.last_decision() is None  # not saved yet
        release.set()
        await wait_for(pilot, lambda: isinstance(app.screen, PropagateScreen), "the dialog")
        assert app.screen.corpus.label == "GPE"


async def test_a_before_any_correction_says_so(seeded: Store) -> None:
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "A")
        assert isinstance(app.screen, ReaderScreen)
        assert any(n.startswith("nothing to apply") for n in notes(app))
