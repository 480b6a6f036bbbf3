"""u in the reader says what it undid, and warns when the change came from elsewhere."""

from __future__ import annotations

from store import open_store
from tui.app import MarginApp

from .helpers import notes, settle, wait_for


async def test_u_warns_when_the_undone_change_came_from_another_command(seeded, db_path):
    other = open_store(db_path, origin="cli:4242@4241")  # another shell's `margin annotate`
    span = next(s for s in other.spans(1) if s.text == "Aleppo")
    other.relabel(span.id, "GPE")
    other.close()
    mine = open_store(db_path, origin="tui:777")
    app = MarginApp(mine)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: any("undone:" in n for n in notes(app)), "the undo note")
        said = " ".join(notes(app))
        assert "relabel 'Aleppo'" in said
        assert "another command" in said and "4242" in said
    aleppo = [s for s in mine.spans(1) if s.text == "Aleppo" and s.status != "rejected"]
    assert aleppo and all(s.source != "user" for s in aleppo)  # the relabel is undone
    mine.close()


async def test_u_of_my_own_change_does_not_warn(seeded, db_path):
    mine = open_store(db_path, origin="tui:777")
    span = next(s for s in mine.spans(1) if s.text == "Aleppo")
    mine.relabel(span.id, "GPE")
    app = MarginApp(mine)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: any("undone:" in n for n in notes(app)), "the undo note")
        assert not any("made by" in n for n in notes(app))
    mine.close()
