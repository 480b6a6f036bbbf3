"""Pilot tests of the review workflow: the queue keys, hints, the library filter, history, adjudication."""

from __future__ import annotations

from pathlib import Path

from store import ArticleDraft, open_store
from tui.app import MarginApp
from tui.screens.adjudicate import AdjudicateScreen
from tui.screens.history import HistoryScreen
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.article_text import ArticleText

from .conftest import SEED, SEED_SPANS, spans_for
from .helpers import notes, press, settle, wait_for


async def reader(app, pilot) -> tuple[ReaderScreen, ArticleText]:
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ReaderScreen)
    return screen, screen.query_one(ArticleText)


async def test_capital_n_and_p_walk_the_articles_not_reviewed(seeded):
    seeded.set_reviewed(2, True)
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await reader(app, pilot)
        await press(pilot, "N")  # newest first: nothing older than 1, so round to 3 (2 is done)
        assert screen.article_id == 3
        assert screen.selected is not None and screen.selected.text == "Aleppo"  # first to check
        await press(pilot, "N")
        assert screen.article_id == 1
        await press(pilot, "P")
        assert screen.article_id == 3
        assert "1/3 rev" in str(screen.query_one("#status-progress").render())


async def test_brace_skips_decided_suggestions_and_moves_on_to_the_next_article(seeded):
    russia = next(s for s in seeded.spans(1) if s.text == "Russia")
    seeded.accept(russia.id)
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await reader(app, pilot)
        await press(pilot, "right_curly_bracket")
        assert screen.selected.text == "Aleppo"
        await press(pilot, "a", "right_curly_bracket")
        assert screen.selected.text == "Bashar al-Assad"
        await press(pilot, "right_curly_bracket")
        assert screen.selected.text == "Iran"  # Russia was accepted: skipped
        await press(pilot, "left_curly_bracket")
        assert screen.selected.text == "Bashar al-Assad"
        for _ in range(8):
            if screen.article_id != 1:
                break
            await press(pilot, "right_curly_bracket")
        assert screen.article_id == 3  # the next article to review, at its first suggestion
        assert screen.selected is not None and screen.selected.status == "suggested"


async def test_f_draws_hints_and_typing_one_selects_that_entity(seeded):
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await reader(app, pilot)
        await press(pilot, "f")
        monday = SEED.index("Monday")
        hint = text.hints[monday]
        assert len(text.hints) == len(text.spans) and len(hint) == 1
        drawn = "\n".join("".join(s.text for s in text.render_line(y)) for y in range(8))
        assert hint + "onday" in drawn  # the label is drawn over the entity's first letter
        await press(pilot, *hint)
        assert screen.selected.text == "Monday" and text.hints == {}
        await press(pilot, "f", "escape")
        assert screen.selected.text == "Monday" and text.hints == {}
        await press(pilot, "F")
        said = SEED.index("said")
        await press(pilot, *text.hints[said])
        assert text.caret == said and screen.selected is None


async def test_r_moves_on_when_the_project_says_so(seeded):
    app = MarginApp(seeded, 2)
    app.review_and_next = True
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await reader(app, pilot)
        await press(pilot, "R")
        await wait_for(pilot, lambda: screen.article_id != 2, "the next article")
        assert seeded.article(2).reviewed
        assert screen.article_id == 1  # newest first: 1 is after 2
        assert any("2 left to review" in n for n in notes(app))


async def test_library_filter_key_and_progress_bar(seeded):
    seeded.set_reviewed(2, True)
    app = MarginApp(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        library = app.screen
        assert isinstance(library, LibraryScreen)
        title = library.query_one("#lib-title")
        assert "1/3 reviewed (33%)" in str(title.render())
        shown = []
        for _ in range(4):
            await press(pilot, "f")
            await wait_for(pilot, lambda: library.articles.rows or library.total == 0)
            ids = sorted(r.id for r in library.articles.rows.values())
            shown.append((library.filter, library.total, ids, str(title.render())))
        assert [s[:3] for s in shown] == [
            ("unread", 3, [1, 2, 3]),
            ("unreviewed", 2, [1, 3]),
            ("reviewed", 1, [2]),
            ("all", 3, [1, 2, 3]),
        ]
        assert "filter: not reviewed" in shown[1][3] and "filter:" not in shown[3][3]


async def test_history_screen_walks_the_journal(seeded):
    aleppo = next(s for s in seeded.spans(1) if s.text == "Aleppo")
    seeded.relabel(aleppo.id, "GPE")
    app = MarginApp(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "H")
        history = app.screen
        assert isinstance(history, HistoryScreen)
        await wait_for(pilot, lambda: history.loaded)
        assert history.entries[0].line == "relabel 'Aleppo' NORP→GPE in article 1"
        assert history.current() == 0
        await press(pilot, "u")
        await wait_for(pilot, lambda: history.entries[0].state == "undone")
        assert any("undone: relabel 'Aleppo' NORP→GPE" in n for n in notes(app))
        assert history.current() is None  # the imports before it cannot be undone
        assert all(s.source != "user" for s in seeded.spans(1))
        await press(pilot, "ctrl+r")
        await wait_for(pilot, lambda: history.entries[0].state == "done")
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, ReaderScreen) and screen.article_id == 1


async def test_adjudication_takes_sides_and_records_the_gold(seeded, tmp_path: Path):
    seeded.annotator = "ana"
    other = open_store(tmp_path / "bea.db")
    other.annotator = "bea"
    theirs = [("Aleppo", "GPE") if s == "Aleppo" else (s, lab) for s, lab in SEED_SPANS]
    theirs = [t for t in theirs if t[0] != "Monday"]  # bea: Monday is no entity
    other.add_article(ArticleDraft(SEED, spans=spans_for(SEED, theirs)))
    other.set_reviewed(1, True)
    other.close()
    seeded.merge_file(tmp_path / "bea.db")
    app = MarginApp(seeded, 1)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, text = await reader(app, pilot)
        await press(pilot, "D")
        adj = app.screen
        assert isinstance(adj, AdjudicateScreen)
        assert len(adj.diffs) == 4  # three Aleppo labels and Monday
        await press(pilot, "2", "2", "1", "0")  # bea, bea, mine, neither: the last one saves
        await wait_for(pilot, lambda: app.screen is screen, "the reader again")
    live = sorted((s.start, s.label) for s in seeded.spans(1) if s.status != "rejected")
    labels = [lab for start, lab in live if SEED[start:].startswith("Aleppo")]
    assert labels == ["GPE", "GPE", "NORP"]
    assert not any(SEED[start:].startswith("Monday") for start, _ in live)
    assert seeded.article(1).reviewed
