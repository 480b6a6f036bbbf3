"""The label picker asks before it makes a new label from what was typed (a typo makes none)."""

from __future__ import annotations

from tui.app import MarginApp
from tui.screens.label_picker import ConfirmNewLabel, LabelPicker

from .helpers import drawn_lines, press, settle


async def type_new_label(pilot, app: MarginApp, name: str) -> None:
    await settle(pilot)
    await press(pilot, "right_square_bracket", "l")
    assert isinstance(app.screen, LabelPicker)
    await press(pilot, *name, "enter")


def label_names(store) -> set[str]:
    return {lab.name for lab in store.labels()}


async def test_enter_on_a_new_name_asks_and_escape_makes_nothing(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_new_label(pilot, app, "gep")
        assert isinstance(app.screen, ConfirmNewLabel)
        shown = "\n".join(drawn_lines(app.screen.query_one("#confirm-question")))
        assert "create label 'gep'?" in shown
        assert "gep" not in label_names(seeded)
        await press(pilot, "escape")
        picker = app.screen
        assert isinstance(picker, LabelPicker)  # back to fix the typo
        assert picker.query_one("#picker-input").value == "gep"
        assert picker.query_one("#picker-input").has_focus
        await press(pilot, "escape")
        await settle(pilot)
        assert not isinstance(app.screen, (LabelPicker, ConfirmNewLabel))
    assert "gep" not in label_names(seeded)
    assert not any(s.label == "gep" for s in seeded.spans(1))


async def test_y_confirms_the_new_label(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_new_label(pilot, app, "MILITIA")
        assert isinstance(app.screen, ConfirmNewLabel)
        await press(pilot, "y")
        await settle(pilot)
        assert not isinstance(app.screen, (LabelPicker, ConfirmNewLabel))
    assert "MILITIA" in label_names(seeded)
    assert any(s.label == "MILITIA" for s in seeded.spans(1))


async def test_enter_confirms_too_and_an_existing_label_needs_no_question(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_new_label(pilot, app, "gpe")  # GPE exists: chosen at once
        assert not isinstance(app.screen, (LabelPicker, ConfirmNewLabel))
        await press(pilot, "right_square_bracket", "l")
        await press(pilot, *"TRIBE", "enter")
        assert isinstance(app.screen, ConfirmNewLabel)
        await press(pilot, "enter")
        await settle(pilot)
        assert not isinstance(app.screen, (LabelPicker, ConfirmNewLabel))
    assert "TRIBE" in label_names(seeded)
