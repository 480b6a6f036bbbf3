"""The entity page from the keyboard: m in the reader, filters, bulk decisions, aliases, timeline."""

from __future__ import annotations

from tui.app import MarginApp
from tui.screens.alias_suggestions import AliasSuggestions
from tui.screens.confirm import ConfirmScreen
from tui.screens.entity_page import EntityPageScreen
from tui.screens.label_picker import LabelPicker
from tui.screens.name_prompt import NamePrompt
from tui.screens.reader import ReaderScreen

from .conftest import spans_for
from .helpers import drawn_lines, press, settle, wait_for


async def open_page(pilot, app: MarginApp) -> EntityPageScreen:
    await settle(pilot)
    await press(pilot, "right_square_bracket", "m")  # the first entity of the seed: Aleppo
    screen = app.screen
    assert isinstance(screen, EntityPageScreen)
    await wait_for(pilot, lambda: not screen.busy, "the page")
    await settle(pilot)
    return screen


async def test_m_opens_the_page_with_labels_mentions_and_neighbours(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        page = await open_page(pilot, app)
        assert page.page is not None and page.page.entity.name == "Aleppo"
        assert "Aleppo: NORP 4" in str(page.query_one("#entity-labels").render())
        assert page.total == 4 and len(page.mentions) == 4
        lines = drawn_lines(page.query_one("#entity-mentions"))
        assert any("The fall of Aleppo would be a turning point" in line for line in lines)
        near = [n.name for n in page.page.neighbours]
        assert near[0] == "Tuesday" or "Bashar al-Assad" in near
        await press(pilot, "down", "enter")  # a mention opens its article at the mention
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.selected is not None and app.screen.selected.text == "Aleppo"


async def test_space_selects_and_a_accepts_only_the_selected_then_u_undoes(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        page = await open_page(pilot, app)
        await press(pilot, "space", "space")
        assert len(page.selected) == 2
        chosen = set(page.selected)
        await press(pilot, "a")
        await wait_for(pilot, lambda: not page.selected, "the decision")
        await settle(pilot)
        spans = {s.id: s.status for a in (1, 3) for s in seeded.spans(a) if s.text == "Aleppo"}
        assert {i for i, st in spans.items() if st == "accepted"} == chosen
        assert page.page is not None and page.page.statuses["accepted"] == 2
        await press(pilot, "u")
        await settle(pilot)
        spans = {s.id: s.status for a in (1, 3) for s in seeded.spans(a) if s.text == "Aleppo"}
        assert "accepted" not in spans.values()
        assert page.page.statuses["accepted"] == 0  # the page read itself again


async def test_x_rejects_the_mention_under_the_cursor_and_s_filters_by_status(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        page = await open_page(pilot, app)
        first = page.mentions[0].span_id
        await press(pilot, "x")
        await settle(pilot)
        assert seeded.span(first).status == "rejected"
        await press(pilot, "s", "s", "s")  # suggested, accepted, rejected
        await settle(pilot)
        assert page.status_filter == "rejected"
        assert [m.span_id for m in page.mentions] == [first] and page.total == 1
        await press(pilot, "s")
        await settle(pilot)
        assert page.total == 3  # the current mentions: the rejected one is not among them


async def test_l_relabels_the_selection_and_f_filters_by_label(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        page = await open_page(pilot, app)
        await press(pilot, "space")
        await press(pilot, "l")
        assert isinstance(app.screen, LabelPicker)
        await press(pilot, *"GPE", "enter")
        await settle(pilot)
        assert page.page is not None and page.page.labels == {"NORP": 3, "GPE": 1}
        await press(pilot, "f")  # the first label of the distribution: NORP
        await settle(pilot)
        assert page.label_filter == "NORP" and page.total == 3
        await press(pilot, "f")
        await settle(pilot)
        assert page.label_filter == "GPE" and page.total == 1


async def test_capital_l_gives_every_mention_one_label_after_a_preview(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        page = await open_page(pilot, app)
        await press(pilot, "L")
        assert isinstance(app.screen, LabelPicker)
        await press(pilot, *"GPE", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the preview")
        assert "4 mention(s) in 2 article(s)" in app.screen.question
        await press(pilot, "y")
        await settle(pilot)
        assert page.page is not None and page.page.labels == {"GPE": 4}
        await press(pilot, "u")
        await settle(pilot)
        assert page.page.labels == {"NORP": 4}


async def test_equals_adds_an_alias_whose_mentions_join_the_page(seeded):
    text = "Halab was shelled again."
    from store import ArticleDraft

    seeded.add_article(ArticleDraft(text, title="Halab", spans=spans_for(text, [("Halab", "GPE")])))
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        page = await open_page(pilot, app)
        await press(pilot, "equals_sign")
        assert isinstance(app.screen, NamePrompt)
        await press(pilot, *"Halab", "enter")
        await settle(pilot)
        assert page.page is not None and page.page.entity.aliases == ("Halab",)
        assert page.total == 5 and page.page.labels == {"NORP": 4, "GPE": 1}
        assert "also: Halab" in str(page.query_one("#entity-title").render())


async def test_capital_s_asks_yes_no_skip_for_likely_aliases(seeded):
    from store import ArticleDraft

    text = "Assad spoke on Tuesday."
    seeded.add_article(
        ArticleDraft(text, title="Assad", spans=spans_for(text, [("Assad", "PERSON")]))
    )
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_entity("Bashar al-Assad")
        await settle(pilot)
        page = app.screen
        assert isinstance(page, EntityPageScreen)
        await press(pilot, "S")
        assert isinstance(app.screen, AliasSuggestions)
        assert app.screen.current is not None and app.screen.current.alias == "Assad"
        await press(pilot, "y")
        await settle(pilot)
        assert app.screen is page
        assert seeded.resolve_entity("Assad").name == "Bashar al-Assad"


async def test_the_timeline_moves_by_bar_and_b_keeps_the_bars_mentions(seeded):
    with seeded.unit() as tx:
        tx.execute("UPDATE articles SET date = '2024-01-01' WHERE id = 1")
        tx.execute("UPDATE articles SET date = '2024-02-01' WHERE id = 3")
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        page = await open_page(pilot, app)
        assert "per week 2024-01-01 … 2024-01-29" in str(page.query_one("#entity-bar").render())
        await press(pilot, "w")  # per day
        await press(pilot, "b")  # the last bar: 2024-02-01, the quiet day
        await settle(pilot)
        assert page.total == 1 and page.mentions[0].article_id == 3
        await press(pilot, "left_square_bracket", "b")  # the day before: nothing
        await settle(pilot)
        assert page.total == 0
        await press(pilot, "right_square_bracket", "b", "b")  # that bar, then all again
        await settle(pilot)
        assert page.total == 4


async def test_enter_on_a_neighbour_opens_its_page_and_escape_comes_back(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        page = await open_page(pilot, app)
        await press(pilot, "tab", "enter")
        other = app.screen
        assert isinstance(other, EntityPageScreen) and other is not page
        await wait_for(pilot, lambda: not other.busy, "the other page")
        assert other.page is not None and other.page.entity.name != "Aleppo"
        await press(pilot, "escape")
        assert app.screen is page
        await press(pilot, "q")
        assert isinstance(app.screen, ReaderScreen)


async def test_question_mark_lists_the_page_keys(seeded):
    from tui.screens.help import HelpScreen

    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_page(pilot, app)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen) and "entity page" in app.screen.title_text
        rows = {row[1]: row[0] for row in app.screen.rows}
        assert rows["Back"] == "escape q" and rows["One label for all"] == "L"


async def test_d_in_the_library_keeps_a_date_range(seeded):
    from tui.screens.library import LibraryScreen

    with seeded.unit() as tx:
        tx.execute("UPDATE articles SET date = '2024-01-0' || id")
    app = MarginApp(seeded)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        library = app.screen
        assert isinstance(library, LibraryScreen) and library.total == 3
        await press(pilot, "D")
        assert isinstance(app.screen, NamePrompt)
        await press(pilot, *"2024-01-02..2024-01-03", "enter")
        await settle(pilot)
        assert library.total == 2
        assert sorted(r.id for r in library.articles.rows.values()) == [2, 3]
        await press(pilot, "D", "escape")  # escape keeps the range
        assert library.total == 2
        await press(pilot, "D")
        app.screen.query_one("Input").value = ""
        await press(pilot, "enter")
        assert library.total == 3
