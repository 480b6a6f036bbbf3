"""Pilot tests of the one worker-error handler: a refusal is a note, a bug an error screen."""

from __future__ import annotations

import pytest
from textual.worker import WorkerState

from store import Store
from store.errors import CorrectionError, StoreBusy
from tui.app import MarginApp
from tui.screens.error import ErrorScreen
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen

from .helpers import drawn_lines, notes, notifications, press, settle, wait_for


def snapshot(store: Store) -> list[tuple[int, int, int, str, str]]:
    """Every span of the database as it is now, through the public sqlite-utils handle."""
    rows = store.db.query('SELECT id, start, "end", label, status FROM spans ORDER BY id')
    return [(r["id"], r["start"], r["end"], r["label"], r["status"]) for r in rows]


def failing(exc: Exception):
    def call(*args: object, **kwargs: object) -> object:
        raise exc

    return call


async def test_an_unexpected_error_shows_the_error_screen_and_the_app_lives(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seeded, "relabel", failing(RuntimeError("relabel broke")))
    before = snapshot(seeded)
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "right_square_bracket", "5")  # relabel Aleppo as GPE: raises
        assert app.is_running
        assert isinstance(app.screen, ErrorScreen)
        assert app.screen.summary == "RuntimeError: relabel broke"
        assert "reader-edit" in str(app.screen.query_one("#error-where").render())
        failed = [w for w in app.workers if w.state == WorkerState.ERROR]
        assert all(not w.exit_on_error for w in failed)
        await press(pilot, "escape")
        assert isinstance(app.screen, ReaderScreen)
        assert snapshot(seeded) == before
        await press(pilot, "a")  # the reader still works: accept the selected entity
        assert seeded.span(app.screen.selected.id).status == "accepted"


async def test_a_store_refusal_is_a_one_line_warning(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seeded, "relabel", failing(CorrectionError("cannot relabel that span")))
    before = snapshot(seeded)
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "right_square_bracket", "5")
        assert app.is_running and isinstance(app.screen, ReaderScreen)
        shown = [n for n in notifications(app) if n.message == "cannot relabel that span"]
        assert shown and shown[0].severity == "warning"
        assert snapshot(seeded) == before
        assert app.screen.selected.label == "NORP"  # shown as the store has it


async def test_a_busy_database_is_an_error_note_in_the_library(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.errors import BUSY_MESSAGE

    app = MarginApp(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for read in ("articles", "articles_in_state"):  # the library's page (any filter)
            monkeypatch.setattr(seeded, read, failing(StoreBusy(BUSY_MESSAGE)))
        await press(pilot, "r")  # read the list again
        assert isinstance(app.screen, LibraryScreen) and app.is_running
        busy = [n for n in notifications(app) if "stayed busy" in n.message]
        assert busy and busy[0].severity == "error"


async def test_error_text_reaches_the_terminal_escaped(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = "from a file: \x1b[2J[bold red]x[/] \x07"
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(seeded, "accept", failing(CorrectionError(hostile)))
        await press(pilot, "right_square_bracket", "a")
        assert "from a file: \\x1b[2J[bold red]x[/] \\x07" in notes(app)
        monkeypatch.setattr(seeded, "reject", failing(ValueError(hostile)))
        await press(pilot, "x")
        assert isinstance(app.screen, ErrorScreen)
        lines = drawn_lines(app.screen.query_one("#error-message"))
        assert any("ValueError: from a file: \\x1b[2J[bold red]x[/] \\x07" in x for x in lines)
        assert not any("\x1b" in x or "\x07" in x for x in lines)


async def test_an_error_while_opening_an_article_goes_back_to_the_library(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = MarginApp(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(seeded, "entity_groups", failing(KeyError("groups")))
        await press(pilot, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen), "the error screen")
        assert "KeyError" in app.screen.summary
        await press(pilot, "enter")
        assert isinstance(app.screen, LibraryScreen) and app.is_running
