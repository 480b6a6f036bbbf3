"""The footer shows only keys that fit whole beside `^p Commands`, which ends at the right edge
(its compact margin let the last column show a letter of a covered key: "^p Commandsy")."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from tui.app import MarginApp
from tui.widgets.footer import MarginFooter

from .helpers import settle, wait_for


def _fitted(app: MarginApp, width: int) -> list[str] | None:
    """The shown keys when the footer is fitted to width (None while it is not yet)."""
    footer = app.screen.query_one(MarginFooter)
    keys = list(footer.query(FooterKey))
    (palette,) = [k for k in keys if k.has_class("-command-palette")]
    shown = [k for k in keys if k.display and k is not palette]
    if palette.region.right != width or any(k.region.right > palette.region.x for k in shown):
        return None
    return [k.key_display for k in shown]


async def test_the_keys_that_do_not_fit_are_left_out_and_come_back(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(70, 24)) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: _fitted(app, 70) is not None, "the footer fitted to 70")
        narrow = _fitted(app, 70)
        assert narrow is not None and narrow[:2] == ["?", "/"] and "A" not in narrow
        await pilot.resize_terminal(160, 24)
        # (not None: a footer not yet fitted to 160 is no answer; a loaded machine shows it)
        await wait_for(pilot, lambda: _fitted(app, 160) not in (None, narrow), "more keys at 160")
        wide = _fitted(app, 160)
        assert wide is not None and {"A", "R"} <= set(wide) and wide[: len(narrow)] == narrow
        await pilot.resize_terminal(70, 24)
        await wait_for(pilot, lambda: _fitted(app, 70) == narrow, "the same keys at 70 again")
