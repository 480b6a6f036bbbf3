"""Pilot tests of corrections from the keyboard: accept, reject, label, select, resize, undo."""

from __future__ import annotations

from tui.app import MarginApp
from tui.screens.label_picker import LabelPicker
from tui.screens.propagate import PropagateScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.article_text import ArticleText

from .conftest import SEED
from .helpers import notes, press, settle


def live(store, article_id=1):
    return {(s.start, s.end): s for s in store.spans(article_id) if s.status != "rejected"}


async def open_reader(app, pilot) -> tuple[ReaderScreen, ArticleText]:
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ReaderScreen)
    return screen, screen.query_one(ArticleText)


async def test_accept_and_reject(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await open_reader(app, pilot)
        await press(pilot, "right_square_bracket", "a")
        first = seeded.span(screen.selected.id)
        assert first.text == "Aleppo" and first.status == "accepted"
        await press(pilot, "right_square_bracket", "x")
        bashar = [s for s in seeded.spans(1) if s.text == "Bashar al-Assad"][0]
        assert bashar.status == "rejected"
        assert screen.selected is None  # no longer highlighted
        assert all(s.id != bashar.id for s in text.spans)
        assert "1 rejected" in str(screen.query_one("#status-article").render())


async def test_number_key_relabels_with_the_legend(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await open_reader(app, pilot)
        await press(pilot, "right_square_bracket", "5")  # 5 = GPE in the default legend
        start = SEED.index("Aleppo")
        spans = [s for s in seeded.spans(1) if s.start == start]
        assert {(s.label, s.status, s.source) for s in spans} == {
            ("NORP", "rejected", "model:test@1"),
            ("GPE", "accepted", "user"),
        }
        assert screen.selected.label == "GPE"  # still selected after the change


async def test_label_picker_with_type_ahead(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await open_reader(app, pilot)
        await press(pilot, "right_square_bracket", "l")
        assert isinstance(app.screen, LabelPicker)
        await press(pilot, "g", "p", "enter")
        assert isinstance(app.screen, ReaderScreen)
        assert live(seeded)[(SEED.index("Aleppo"), SEED.index("Aleppo") + 6)].label == "GPE"


async def test_select_new_entity_by_tokens(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await open_reader(app, pilot)
        text.move_caret(0)
        await press(pilot, "v")
        assert (text.selection.start, text.selection.end) == (0, 5)  # "Rebel"
        await press(pilot, "e")
        assert (text.selection.start, text.selection.end) == (0, 12)  # "Rebel forces"
        await press(pilot, "4")  # ORG
        span = live(seeded)[(0, 12)]
        assert (span.label, span.source, span.status) == ("ORG", "user", "accepted")
        assert text.selection is None


async def test_enter_on_a_new_selection_asks_for_the_label(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await open_reader(app, pilot)
        text.move_caret(SEED.index("President"))
        await press(pilot, "v", "enter")
        assert isinstance(app.screen, LabelPicker)
        await press(pilot, *"title", "enter", "y")  # a new label: asked, then confirmed
        span = live(seeded)[(SEED.index("President"), SEED.index("President") + 9)]
        assert span.label == "title"


async def test_resize_an_entity_and_swap_ends(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await open_reader(app, pilot)
        at = SEED.index("Syrian")
        text.move_caret(at)
        await settle(pilot)
        assert screen.selected.text == "Syrian"
        await press(pilot, "v", "right")  # the end moves a token: "Syrian government"
        assert text.selection.span_id == screen.selected.id
        await press(pilot, "o", "left")  # now the start moves back a token: "the Syrian government"
        await press(pilot, "enter")
        spans = live(seeded)
        start = SEED.index("the Syrian")
        new = spans[(start, at + len("Syrian government"))]
        assert (new.label, new.source) == ("NORP", "user")
        assert (at, at + 6) not in spans


async def test_character_mode(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await open_reader(app, pilot)
        text.move_caret(SEED.index("Rebel"))
        await press(pilot, "c", "v")
        assert (text.selection.start, text.selection.end) == (0, 1)
        await press(pilot, "right", "right", "left")
        assert (text.selection.start, text.selection.end) == (0, 2)
        await press(pilot, "escape")
        assert text.selection is None and isinstance(app.screen, ReaderScreen)


async def test_overlap_is_refused_with_a_message(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await open_reader(app, pilot)
        before = live(seeded)
        text.move_caret(SEED.index("majority"))
        await press(pilot, "v", "e", "e")  # "majority of Aleppo"
        await press(pilot, "1")
        assert live(seeded) == before
        assert any("overlaps" in n for n in notes(app))
        assert text.selection is not None  # kept, so the person can fix it


async def test_undo_and_redo(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await open_reader(app, pilot)
        await press(pilot, "right_square_bracket", "x")
        start = SEED.index("Aleppo")
        assert (start, start + 6) not in live(seeded)
        await press(pilot, "u")
        assert live(seeded)[(start, start + 6)].status == "suggested"
        assert any(s.start == start for s in text.spans)  # highlighted again
        await press(pilot, "ctrl+r")
        assert (start, start + 6) not in live(seeded)
        await press(pilot, "u", "u")
        assert any("nothing to undo" in n for n in notes(app))


async def test_mark_reviewed(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await open_reader(app, pilot)
        await press(pilot, "R")
        assert seeded.article(1).reviewed
        assert "· reviewed ·" in str(screen.query_one("#status-article").render())
        await press(pilot, "R")
        assert not seeded.article(1).reviewed


async def test_no_entity_selected_says_so(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await open_reader(app, pilot)
        text.move_caret(0)
        await press(pilot, "a")
        assert any("no entity here" in n for n in notes(app))


async def test_propagate_previews_then_applies(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await open_reader(app, pilot)
        await press(pilot, "right_square_bracket", "5")  # Aleppo: NORP -> GPE
        await press(pilot, "A")
        assert isinstance(app.screen, PropagateScreen)
        assert len(app.screen.corpus.mentions) >= 3  # two more here, one in "Quiet day"
        await press(pilot, "enter")
        assert isinstance(app.screen, ReaderScreen)
        for aid in (1, 3):
            labels = {
                s.label for s in seeded.spans(aid) if s.text == "Aleppo" and s.status != "rejected"
            }
            assert labels == {"GPE"}
        await press(pilot, "u")  # one undo takes the whole propagation back
        labels = {s.label for s in seeded.spans(3) if s.text == "Aleppo" and s.status != "rejected"}
        assert labels == {"NORP"}


async def test_typing_in_the_picker_is_not_taken_by_global_keys(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await open_reader(app, pilot)
        await press(pilot, "right_square_bracket", "l", "q", "u", "a")
        assert isinstance(app.screen, LabelPicker)  # q did not go back, u did not undo
        await press(pilot, "enter")
        start = SEED.index("Aleppo")
        assert live(seeded)[(start, start + 6)].label == "QUANTITY"


async def test_mouse_drag_selects_whole_tokens(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await open_reader(app, pilot)
        # "Rebel forces": press on the "b" of Rebel, release on the "r" of forces
        await pilot.mouse_down(text, offset=(1 + 2, 0))
        await pilot.hover(text, offset=(1 + 8, 0))
        await pilot.mouse_up(text, offset=(1 + 8, 0))
        await settle(pilot)
        assert text.selection is not None
        assert SEED[text.selection.start : text.selection.end] == "Rebel forces"
        await press(pilot, "4")
        assert live(seeded)[(0, 12)].label == "ORG"


async def test_random_selection_keys_keep_the_selection_inside_the_text(seeded):
    import random

    rng = random.Random(7)
    keys = ["left", "right", "up", "down", "w", "b", "e", "o", "c", "v", "right", "e"]
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await open_reader(app, pilot)
        text.move_caret(SEED.index("regime"))
        await press(pilot, "v")
        for _ in range(60):
            key = rng.choice(keys)
            await pilot.press(key)
            if not isinstance(app.screen, ReaderScreen):  # escape with nothing selected went back
                break
            sel = text.selection
            assert 0 <= text.caret < len(SEED)
            if sel is not None:
                assert 0 <= sel.start < sel.end <= len(SEED), (key, sel)
