"""Pilot tests of the reader: opening, entity panel, navigation, literal text, small screens."""

from __future__ import annotations

from store import ArticleDraft
from tui.app import MarginApp
from tui.messages import OpenArticle
from tui.screens.help import HelpScreen
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.article_text import ArticleText
from tui.widgets.entity_panel import EntityPanel

from .conftest import SEED
from .helpers import drawn_lines, notes, press, settle, wait_for


def panel_rows(panel: EntityPanel) -> list[str]:
    return [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]


def palette_options(app: MarginApp) -> list[str]:
    """The rows the command palette lists now (it searches in its own worker)."""
    from textual.command import CommandList, CommandPalette

    if not isinstance(app.screen, CommandPalette):
        return []
    return [str(o.prompt) for o in app.screen.query_one(CommandList).options]


async def test_reader_shows_text_entities_and_marks_read(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        text = screen.query_one(ArticleText)
        assert drawn_lines(text)[0].startswith("Rebel forces have taken control")
        rows = panel_rows(screen.query_one(EntityPanel))
        assert "▌PERSON 1" in rows and "  Bashar al-Assad" in rows
        assert "▌GPE 2" in rows and "  Russia" in rows
        assert "  Aleppo ×3" in rows
        assert seeded.article(1).read
        assert str(screen.query_one("#status-article").render()) == (
            "8 entities · 8 to check · 0 rejected · not reviewed · token mode · 3/3"
        )


async def test_brackets_select_entities_and_the_panel_follows(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await press(pilot, "right_square_bracket")
        assert screen.selected.text == "Aleppo"
        await press(pilot, "right_square_bracket")
        assert screen.selected.text == "Bashar al-Assad"
        panel = screen.query_one(EntityPanel)
        assert panel.highlighted_id() == "PERSON\x00Bashar al-Assad"
        await press(pilot, "left_square_bracket")
        assert screen.selected.text == "Aleppo"
        assert screen.query_one(ArticleText).caret == SEED.index("Aleppo")


async def test_moving_in_the_panel_selects_the_mention(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await press(pilot, "tab")
        panel = screen.query_one(EntityPanel)
        assert panel.has_focus
        await press(pilot, "down")
        assert screen.selected is not None
        assert screen.selected.text == "Bashar al-Assad"
        await press(pilot, "down", "down")  # past the GPE header to Russia
        picked = panel.highlighted_id().split("\x00")[1]
        assert screen.selected.text == picked
        await press(pilot, "tab")
        assert screen.query_one(ArticleText).has_focus


async def test_space_in_the_panel_walks_the_mentions(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await press(pilot, "tab")
        panel = screen.query_one(EntityPanel)
        index = panel.get_option_index("NORP\x00Aleppo")
        panel.highlighted = index
        await settle(pilot)
        first = screen.selected.start
        await press(pilot, "space")
        second = screen.selected.start
        assert screen.selected.text == "Aleppo" and second > first
        assert app.screen is screen  # walking stays in the reader


async def test_enter_on_a_panel_row_opens_its_entity_page_and_escape_comes_back(seeded):
    from tui.screens.entity_page import EntityPageScreen

    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await press(pilot, "tab")
        panel = screen.query_one(EntityPanel)
        assert panel.has_focus
        await press(pilot, "j")  # past the first row (the page is of the row under the cursor)
        row = panel.highlighted_id()
        assert row is not None
        label, surface = row.split("\x00", 1)
        article, caret = screen.article_id, screen.text_view.caret
        await press(pilot, "enter")
        page = app.screen
        assert isinstance(page, EntityPageScreen)
        await wait_for(pilot, lambda: not page.busy, "the page")
        assert page.page is not None and page.page.entity.name == surface
        assert page.page.labels.get(label)  # the row's label is among the page's counts
        await press(pilot, "escape")
        assert app.screen is screen and screen.article_id == article
        assert panel.has_focus and panel.highlighted_id() == row
        assert screen.text_view.caret == caret


async def test_the_palettes_entity_command_opens_the_page(seeded):
    from tui.screens.entity_page import EntityPageScreen

    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await pilot.press(*"entity Bashar")
        await wait_for(
            pilot,
            lambda: any("Entity: Bashar al-Assad" in o for o in palette_options(app)),
            "the palette's entity command",
        )
        options = palette_options(app)
        from textual.command import CommandList

        listing = app.screen.query_one(CommandList)
        listing.highlighted = next(
            i for i, o in enumerate(options) if "Entity: Bashar al-Assad" in o
        )
        await press(pilot, "enter")
        page = app.screen
        assert isinstance(page, EntityPageScreen)
        await wait_for(pilot, lambda: not page.busy, "the page")
        assert page.page is not None and page.page.entity.name == "Bashar al-Assad"


async def test_next_and_previous_article(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        order = [a.id for a in seeded.articles(sort="newest")]
        assert screen.article_id == 1 and order[-1] == 1  # newest first: 1 is last
        await press(pilot, "p")
        assert screen.article_id == order[-2]
        assert seeded.article(order[-2]).read
        await press(pilot, "n")
        assert screen.article_id == 1
        await press(pilot, "n")  # no next: stays, says so
        assert screen.article_id == 1


async def test_fast_presses_of_p_add_up(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        order = [a.id for a in seeded.articles(sort="newest")]
        screen = app.screen
        screen.action_article(-1)  # two presses of p, the second before the first has loaded
        screen.action_article(-1)
        await settle(pilot)  # the first load is cancelled by the second (exclusive workers)
        assert app.screen.article_id == order[-3]


async def test_literal_text_is_never_interpreted(store):
    text = "Alarm: [bold red]alarm[/] then \x1b[31mred\x1b[0m and a\ttab [link=http://x]y[/link]"
    store.add_article(ArticleDraft(text, title="[b]not bold[/b] \x1b[2J"))
    app = MarginApp(store, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lines = drawn_lines(app.screen.query_one(ArticleText))
        assert " ".join(lines[:2]) == (
            "Alarm: [bold red]alarm[/] then \\x1b[31mred\\x1b[0m and a    tab"
            " [link=http://x]y[/link]"
        )
        for line in lines:
            assert "\x1b" not in line
        title = str(app.screen.query_one("#reader-title").render())
        assert title == "[b]not bold[/b] \\x1b[2J"


async def test_very_long_line_wraps(store):
    store.add_article(ArticleDraft("x" * 5000 + " end", title="long"))
    app = MarginApp(store, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = app.screen.query_one(ArticleText)
        assert text.layout_lines > 40
        assert all(len(line) <= text.size.width for line in drawn_lines(text))


async def test_small_terminal_folds_the_panel(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        side = screen.query_one("#side")
        assert screen.has_class("-narrow") and not side.display
        await press(pilot, "tab")
        assert side.display and screen.query_one(EntityPanel).has_focus
        await press(pilot, "tab")
        assert not side.display


async def test_library_lists_sorts_and_opens(seeded):
    app = MarginApp(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        lines = drawn_lines(screen.query_one("#articles"))
        assert "Quiet day" in lines[0] and "Aleppo falls" in lines[2]
        assert lines[0].startswith("●")  # unread stands out
        await press(pilot, "s")  # by title
        assert screen.sort == "title"
        lines = drawn_lines(screen.query_one("#articles"))
        assert "Aleppo falls" in lines[0]
        await press(pilot, "enter")
        assert isinstance(app.screen, ReaderScreen) and app.screen.article_id == 1
        await press(pilot, "q")
        assert app.screen is screen
        lines = drawn_lines(screen.query_one("#articles"))
        assert not lines[0].startswith("●")  # read now
        await press(pilot, "q")
    assert app.return_code == 0


async def test_help_lists_the_bindings_with_ids(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        ids = {row[2] for row in app.screen.rows}
        assert {"reader.next_article", "reader.accept", "app.search", "reader.label_1"} <= ids
        hints = " ".join(str(w.render()) for w in app.screen.query(".hint"))
        assert "label:" in hints and "status:" in hints  # search filters are documented too
        await press(pilot, "escape")
        assert isinstance(app.screen, ReaderScreen)


async def test_keymap_remaps_a_binding(seeded):
    app = MarginApp(seeded, 1, keymap={"reader.next_entity": "ctrl+n"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+n")
        assert app.screen.selected.text == "Aleppo"


async def test_search_and_open_article_message(seeded):
    from tui.screens.search import SearchScreen

    app = MarginApp(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        assert isinstance(app.screen, SearchScreen)
        start = SEED.index("Bashar")
        app.screen.post_message(OpenArticle(1, start, start + 15))
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.selected.text == "Bashar al-Assad"


async def test_command_palette_goes_to_an_article(seeded):
    app = MarginApp(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await pilot.press(*"geneva")
        await wait_for(pilot, lambda: any("Geneva talks" in o for o in palette_options(app)))
        await press(pilot, "enter")
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.data.article.title == "Geneva talks"


async def test_library_n_jumps_to_the_next_unread(seeded):
    app = MarginApp(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        order = [a.id for a in seeded.articles(sort="newest")]
        seeded.mark_read(order[1])
        await press(pilot, "n")
        assert screen.articles.cursor == 2
        await press(pilot, "p")
        assert screen.articles.cursor == 0
        await press(pilot, "p")  # none above: round to the last unread below
        assert screen.articles.cursor == 2
        assert "wrapped to the bottom" in notes(app)


async def test_opening_a_missing_article_goes_back(seeded):
    app = MarginApp(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.post_message(OpenArticle(999))
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert any("999" in n for n in notes(app))


async def test_paging_and_caret_moves_keep_the_caret_in_view(store):
    text = "\n".join(f"Line {i} speaks of Aleppo and more words here." for i in range(300))
    store.add_article(ArticleDraft(text, title="long"))
    app = MarginApp(store, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        view = app.screen.query_one(ArticleText)
        await press(pilot, "pagedown", "pagedown")
        top = int(view.scroll_offset.y)
        assert top > 40
        assert top <= view.caret_line < top + view.size.height
        await press(pilot, "end")
        assert view.caret == len(text) - 1
        assert int(view.scroll_offset.y) + view.size.height >= view.layout_lines
        await press(pilot, "home", "w", "w")
        assert text[view.caret :].startswith("speaks")
        await press(pilot, "b")
        assert text[view.caret :].startswith("0 speaks")
        await press(pilot, "escape")
        assert isinstance(app.screen, LibraryScreen)


async def test_memory_frozen_while_reading_is_released_on_exit(seeded):
    import gc

    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


async def test_m_opens_the_entity_page_and_enter_opens_a_mention(seeded):
    from tui.screens.entity_page import EntityPageScreen

    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "right_square_bracket", "m")  # Aleppo (NORP): 3 here, 1 in "Quiet day"
        assert isinstance(app.screen, EntityPageScreen)
        await settle(pilot)
        await press(pilot, "down", "down", "down", "enter")
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.data.article.title in ("Aleppo falls", "Quiet day")
        assert app.screen.selected.text == "Aleppo"


async def test_q_quits_when_opened_at_an_article_and_escape_shows_the_library(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "escape")
        assert isinstance(app.screen, LibraryScreen)
        await press(pilot, "enter")  # opened from the library: q comes back
        await press(pilot, "q")
        assert isinstance(app.screen, LibraryScreen)
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "q")
    assert app.return_code == 0 and not app.is_running


async def test_library_notices_articles_another_process_imported(seeded):
    app = MarginApp(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        library = app.screen
        assert isinstance(library, LibraryScreen)
        before = library.total
        # as if `margin import` ran elsewhere: a write through another store on the same file
        from store import open_store

        with open_store(seeded.path) as other:
            other.add_article(ArticleDraft("Idlib was shelled again on Friday."))
        library.poll()  # what the timer does every POLL_SECONDS
        await settle(pilot)
        assert library.total == before + 1
