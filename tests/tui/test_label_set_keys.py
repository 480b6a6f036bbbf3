"""Pilot tests: X rejects the rest of an article, L opens the label set (order, hide, rename)."""

from __future__ import annotations

from store import ArticleDraft
from tui.app import MarginApp
from tui.screens.label_set import LabelSetScreen
from tui.screens.name_prompt import NamePrompt
from tui.screens.reader import ReaderScreen
from tui.widgets.article_text import NESTED, ArticleText
from tui.widgets.legend import Legend

from .helpers import notes, press, settle, wait_for


async def test_x_rejects_every_open_suggestion_and_u_brings_them_back(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        open_before = [s.id for s in seeded.spans(1) if s.status == "suggested"]
        assert open_before
        await press(pilot, "X")
        await settle(pilot)
        assert all(s.status == "rejected" for s in seeded.spans(1))
        assert any("remaining suggestion(s)" in n for n in notes(app))
        assert app.screen.query_one(ArticleText).spans == []
        await press(pilot, "u")
        await settle(pilot)
        assert [s.id for s in seeded.spans(1) if s.status == "suggested"] == open_before


async def test_label_set_orders_hides_and_renames(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "L")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LabelSetScreen)
        assert screen.current().label.name == "PERSON"
        await press(pilot, "J")  # PERSON one place down: NORP gets key 1
        await settle(pilot)
        assert [lab.name for lab in seeded.legend()[:2]] == ["NORP", "PERSON"]
        await press(pilot, "h")  # hide PERSON (still highlighted)
        await settle(pilot)
        assert "PERSON" not in [lab.name for lab in seeded.legend()]
        await press(pilot, "up", "r")  # NORP: rename
        await wait_for(pilot, lambda: isinstance(app.screen, NamePrompt))
        await pilot.press(*"GROUP", "enter")
        await settle(pilot)
        assert {s.label for s in seeded.spans(1) if s.text == "Aleppo"} == {"GROUP"}
        assert seeded.legend()[0].name == "GROUP"
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        legend = app.screen.query_one("#legend", Legend)
        assert legend.labels[0].name == "GROUP"


async def test_nested_entities_are_drawn_marked(store):
    text = "She studied at the University of Aleppo in 2010. Aleppo University too."
    store.set_allow_overlaps(True)
    aid = store.add_article(ArticleDraft(text, title="t", source="t")).article_id
    store.add_span(aid, text.index("University"), text.index(" in"), "ORG")
    store.add_span(aid, text.index("Aleppo"), text.index("Aleppo") + 6, "GPE")
    second = text.index("Aleppo University")
    store.add_span(aid, second, second + len("Aleppo University"), "ORG")
    store.add_span(aid, second, second + 6, "GPE")
    app = MarginApp(store, aid)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        view = app.screen.query_one(ArticleText)
        strip = view._build_line(0, view.rich_style)
        marked = "".join(seg.text for seg in strip if seg.style and seg.style.overline)
        assert marked == "AleppoAleppo" and NESTED.italic
        second = text.index("Aleppo University")
        assert view.span_at(second).label == "GPE"  # same start: the inner one is selected
        assert view.span_at(second + 8).label == "ORG"
