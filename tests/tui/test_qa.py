"""Pilot tests for what QA of the reader found: narrow legend, help labels, and the like."""

from __future__ import annotations

from textual.widgets import Button

from store import ArticleDraft, PropagationPreview
from tui.app import MarginApp
from tui.screens.export_dialog import ExportDialog
from tui.screens.help import HelpScreen
from tui.screens.propagate import describe
from tui.widgets.entity_panel import EntityPanel
from tui.widgets.legend import Legend

from .conftest import spans_for
from .helpers import drawn_lines, notes, press, settle, wait_for


async def test_narrow_reader_still_shows_which_number_gives_which_label(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        shown = [w for w in screen.query(Legend) if w.display and w.region.height > 0]
        assert shown, "no legend on screen below 100 columns"
        legend = shown[0]
        names = [lab.name for lab in seeded.legend()]
        drawn = str(legend.render())
        assert f"1 {names[0]}" in drawn and f"2 {names[1]}" in drawn
        assert legend.region.height == 1  # nine spaCy labels fit on one line at 80 columns
        await press(pilot, "tab")  # the panel opens with its own legend: one legend only
        shown = [w for w in screen.query(Legend) if w.display and w.region.height > 0]
        assert len(shown) == 1


async def test_help_names_the_labels_of_the_number_keys(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = {row[2]: row[1] for row in app.screen.rows}
        legend = seeded.legend()
        assert legend[0].name in rows["reader.label_1"]
        assert legend[1].name in rows["reader.label_2"]
        assert "Label 1" != rows["reader.label_1"]


async def test_export_dialog_buttons_reachable_on_a_small_terminal(seeded, tmp_path):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_export()
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        button = dialog.query_one("#export", Button)
        button.focus()
        await settle(pilot)
        region = button.region
        assert region.height > 0 and region.bottom <= 24 and region.right <= 80


def test_propagation_preview_says_reject_plainly():
    preview = PropagationPreview("Aleppo", None, ())
    assert describe(preview).startswith("reject every 'Aleppo': 0 mentions")


async def test_narrow_panel_rows_do_not_wrap_and_status_leaves_room(seeded):
    text = "The Syrian Observatory for Human Rights of the Mediterranean said so on Monday."
    seeded.add_article(
        ArticleDraft(
            text,
            title="Long name",
            spans=spans_for(
                text, [("Syrian Observatory for Human Rights of the Mediterranean", "ORG")]
            ),
        )
    )
    app = MarginApp(seeded, 4)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#status-article").region.width <= 40
        await press(pilot, "tab")
        lines = drawn_lines(screen.query_one(EntityPanel))
        assert any("Syrian Observatory" in line and line.endswith("…") for line in lines)
        assert not any(line.lstrip().startswith("Mediterranean") for line in lines)


async def test_help_scrolls_with_j_and_k_like_a_pager(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        body = app.screen.query_one("#help-body")
        await press(pilot, "j", "j", "j")
        assert body.scroll_y == 3
        await press(pilot, "k")
        assert body.scroll_y == 2
        await press(pilot, "G")
        assert body.scroll_y == body.max_scroll_y > 0
        await press(pilot, "g")
        assert body.scroll_y == 0
        await press(pilot, "q")
        assert not isinstance(app.screen, HelpScreen)


def test_a_headline_hit_is_not_shown_twice():
    from store import SearchHit
    from tui.screens.search import hit_prompt

    hit = SearchHit(
        "article",
        7,
        "Plant Startup Challenged",
        1.0,
        snippet="Plant Startup Challenged",
        highlights=((6, 13),),
    )
    lines = hit_prompt(hit, {}).plain.splitlines()
    assert len(lines) == 1 and "Plant Startup Challenged" in lines[0]
    other = SearchHit("article", 8, "Title", 1.0, snippet="…body text…")
    assert len(hit_prompt(other, {}).plain.splitlines()) == 2


def test_library_source_shows_the_file_name_not_the_folders():
    from tui.widgets.article_list import short_source

    src = "/work/data/prodigy/annotated_news_headlines-ner.jsonl#line 373"
    assert short_source(src, 60).rstrip() == "annotated_news_headlines-ner.jsonl#line 373"
    cut = short_source(src, 20)
    assert cut.startswith("…") and cut.endswith("jsonl#line 373") and len(cut) == 20
    assert short_source("seed.txt", 12) == "seed.txt    "


async def test_status_says_1_entity(store):
    text = "Qwil raises money."
    store.add_article(ArticleDraft(text, title=text, spans=spans_for(text, [("Qwil", "ORG")])))
    app = MarginApp(store, 1)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        status = str(app.screen.query_one("#status-article").render())
        assert status.startswith("1 entity · 1 to check")


async def test_a_number_key_without_a_label_says_so(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.data.legend[:] = screen.data.legend[:2]  # a legend of two labels
        await press(pilot, "right_square_bracket", "9")
        assert any("no label 9" in n for n in notes(app))


async def test_the_entity_page_moves_with_j_k_and_closes_with_q(seeded):
    from tui.screens.entity_page import EntityPageScreen

    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "right_square_bracket", "m")
        screen = app.screen
        assert isinstance(screen, EntityPageScreen)
        await settle(pilot)
        listing = screen.query_one("#entity-mentions")
        assert listing.option_count == 4 and listing.highlighted == 0
        await press(pilot, "j", "j")
        assert listing.highlighted == 2
        await press(pilot, "k")
        assert listing.highlighted == 1
        await press(pilot, "q")
        assert not isinstance(app.screen, EntityPageScreen)


async def test_toasts_leave_the_status_line_readable(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "right_square_bracket", "a")
        status = app.screen.query_one("#status-article").region
        toasts = list(app.screen.query("Toast"))
        assert toasts, "accepting says so in a toast"
        assert all(not t.region.overlaps(status) for t in toasts)


async def test_notes_about_entities_show_brackets_literally(store):
    text = "The group [bold red]X[/] and [link=http://x]Y said so."
    store.add_article(
        ArticleDraft(
            text,
            title="Markup",
            spans=spans_for(text, [("[bold red]X[/]", "ORG"), ("[link", "ORG")]),
        )
    )
    app = MarginApp(store, 1)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "right_square_bracket", "a")
        await press(pilot, "right_square_bracket", "x")
        await press(pilot, "right_square_bracket", "a")
        toasts = [str(t.render()) for t in app.screen.query("Toast")]
        assert any("[bold red]X[/]" in t for t in toasts), toasts
        assert any("'[link'" in t for t in toasts), toasts


async def test_go_to_article_shows_a_markup_title_literally(store):
    from textual.command import CommandPalette

    title = "[bold red]Boom[/] and [/oops]"
    store.add_article(ArticleDraft("Some text.", title=title))
    app = MarginApp(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await press(pilot, *"boom")

        def lines() -> list[str]:  # the palette searches in its own worker
            return [str(o.prompt) for o in app.screen.query_one("CommandList").options]

        await wait_for(pilot, lambda: any("Go to article" in line for line in lines()))
        assert any(f"Go to article: {title}" in line for line in lines()), lines()


async def test_label_picker_shows_number_keys_on_one_line_each(seeded):
    from tui.screens.label_picker import LabelPicker

    app = MarginApp(seeded, 1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "right_square_bracket", "l")
        assert isinstance(app.screen, LabelPicker)
        lines = [line for line in drawn_lines(app.screen.query_one("#picker-list")) if line.strip()]
        legend = seeded.legend()
        for i, lab in enumerate(legend[: len(lines)]):
            assert lines[i].startswith(f"{i + 1}  {lab.name} ")
        # a long description ends in … rather than wrapping onto a line of its own
        assert all(line[0].isdigit() or line.startswith("   ") for line in lines)


async def test_a_slow_correction_does_not_pull_the_reader_back_after_n(seeded):
    import threading

    from tui.screens.reader import ReaderScreen

    release = threading.Event()
    accept = seeded.accept

    def slow_accept(span_id):  # the store answers only once the reader has moved on
        release.wait(5)
        return accept(span_id)

    seeded.accept = slow_accept
    app = MarginApp(seeded, 2)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReaderScreen) and screen.article_id == 2
        await press(pilot, "right_square_bracket")
        await pilot.press("a", "n")
        await wait_for(pilot, lambda: screen.article_id != 2, "n to open another article")
        moved_to = screen.article_id
        assert moved_to != 2
        release.set()
        await settle(pilot)
        assert screen.article_id == moved_to
        assert screen.data.article.id == moved_to
        assert seeded.spans(2)[0].status == "accepted"  # the correction itself was made


async def test_help_keeps_the_action_column_on_a_small_terminal(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(50, 16)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        table = app.screen.query_one("#help-table")
        lines = drawn_lines(table)
        assert any("?" in line and "Help" in line for line in lines), lines


async def test_g_and_G_go_to_the_top_and_bottom_of_the_text(seeded):
    from tui.widgets.article_text import ArticleText

    app = MarginApp(seeded, 1)
    async with app.run_test(size=(50, 10)) as pilot:
        await settle(pilot)
        text = app.screen.query_one(ArticleText)
        await press(pilot, "G")
        assert text.caret == len(text.text) - 1 and text.scroll_y > 0
        await press(pilot, "g")
        assert text.caret == 0 and text.scroll_y == 0


async def test_mention_rows_never_wrap_even_with_a_scrollbar(store):
    from tui.screens.entity_page import EntityPageScreen

    text = " ".join(f"Aleppo was shelled on day {i} of the long siege." for i in range(40))
    title = "A very long title about the siege of the city " * 4
    store.add_article(ArticleDraft(text, title=title, spans=spans_for(text, [("Aleppo", "GPE")])))
    app = MarginApp(store, 1)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "right_square_bracket", "m")
        assert isinstance(app.screen, EntityPageScreen)
        await settle(pilot)
        lines = drawn_lines(app.screen.query_one("#entity-mentions"))
        assert len(app.screen.mentions) == 40  # more than the list's height: a scrollbar
        assert all(line.endswith("…") and "Aleppo" in line for line in lines if line.strip())
        assert lines[1].lstrip().startswith("…") or "Aleppo was shelled" in lines[1]
