"""A few fixed-size snapshots of the library and the reader (update: pytest --snapshot-update)."""

from __future__ import annotations

from tui.app import MarginApp

from .helpers import settle


async def _ready(pilot) -> None:
    await settle(pilot)


async def _entity(pilot) -> None:
    await settle(pilot)
    await pilot.press("right_square_bracket", "right_square_bracket")
    await settle(pilot)


def test_library_snapshot(seeded, snap_compare):
    assert snap_compare(MarginApp(seeded), terminal_size=(100, 16), run_before=_ready)


def test_reader_snapshot(seeded, snap_compare):
    seeded.accept(seeded.spans(1)[2].id)  # Russia accepted: drawn unlike the suggestions
    assert snap_compare(MarginApp(seeded, 1), terminal_size=(120, 30), run_before=_entity)


def test_reader_small_snapshot(seeded, snap_compare):
    assert snap_compare(MarginApp(seeded, 1), terminal_size=(80, 24), run_before=_ready)
