"""Pilot tests of the disagreement queue (n / o / x decide a group, u undoes) and the train screen."""

from __future__ import annotations

import json
import sys

import pytest
from textual.widgets import OptionList, ProgressBar, Static

from store import ArticleDraft, Store
from store.extract import run_extraction
from tests.training_helpers import NEW, OLD, TEXT
from tui.app import MarginApp
from tui.screens.disagreements import DisagreementsScreen
from tui.screens.train import TrainScreen

from .helpers import notes, press, settle, wait_for


@pytest.fixture
def rerun(store: Store) -> Store:
    """Two unreviewed articles, extracted by OLD, then re-extracted by NEW (prior kept)."""
    ids = [
        store.add_article(ArticleDraft(f"{TEXT} ({i})", title=f"a{i}")).article_id for i in range(2)
    ]
    run_extraction(store, ids, OLD)
    store.keep_prior_suggestions(ids, NEW.source)
    run_extraction(store, ids, NEW)
    return store


def _rows(app: MarginApp) -> list[str]:
    listing = app.screen.query_one("#disagreements-list", OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def _open(app: MarginApp, pilot) -> DisagreementsScreen:
    await settle(pilot)
    app.action_disagreements()
    await wait_for(
        pilot, lambda: isinstance(app.screen, DisagreementsScreen) and not app.screen.busy
    )
    screen = app.screen
    assert isinstance(screen, DisagreementsScreen)
    return screen


async def test_n_takes_the_new_and_u_brings_the_group_back(rerun: Store) -> None:
    app = MarginApp(rerun)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _open(app, pilot)
        rows = _rows(app)
        assert len(rows) == 4 and "relabelled 'Aleppo' NORP -> GPE" in rows[0] and "4×" in rows[0]
        await press(pilot, "n")
        await wait_for(pilot, lambda: not screen.busy and len(screen.queue) == 3)
        aleppo = [s for s in rerun.spans(1) if s.text == "Aleppo"]
        assert {(s.label, s.status) for s in aleppo} == {("GPE", "accepted")}
        assert any(n.startswith("took the new: 4 ×") for n in notes(app)), notes(app)
        await press(pilot, "u")
        await wait_for(pilot, lambda: not screen.busy and len(screen.queue) == 4)
        assert {s.status for s in rerun.spans(1) if s.text == "Aleppo"} == {"suggested"}


async def test_o_keeps_the_old_x_rejects_both_escape_closes(rerun: Store) -> None:
    app = MarginApp(rerun)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _open(app, pilot)
        await press(pilot, "o")  # Aleppo back to NORP, as a person's span
        await wait_for(pilot, lambda: not screen.busy and len(screen.queue) == 3)
        current = {(s.label, s.status, s.source) for s in rerun.spans(2) if s.text == "Aleppo"}
        assert current == {("NORP", "accepted", "user"), ("GPE", "rejected", NEW.source)}
        first = screen.queue[0]
        await press(pilot, "x")
        await wait_for(pilot, lambda: not screen.busy and len(screen.queue) == 2)
        assert first.describe() not in [d.describe() for d in screen.queue]
        await press(pilot, "escape")
        assert not isinstance(app.screen, DisagreementsScreen)


async def test_an_empty_queue_says_how_to_fill_it(store: Store) -> None:
    store.add_article(ArticleDraft("Nothing re-extracted here."))
    app = MarginApp(store)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _open(app, pilot)
        title = str(screen.query_one("#disagreements-title", Static).render())
        assert title.startswith("no disagreement left")
        before = store.history()
        await press(pilot, "n")  # nothing to decide: nothing happens
        assert store.history() == before and isinstance(app.screen, DisagreementsScreen)


FAKE = [
    {
        "event": "start",
        "name": "m1",
        "base": "base",
        "train_articles": 6,
        "dev_articles": 2,
        "epochs": 3,
        "base_scores": {"f": 0.5},
    },
    {"event": "epoch", "epoch": 1, "loss": 9.0, "scores": {"f": 0.6}, "best": True},
    {"event": "epoch", "epoch": 2, "loss": 5.0, "scores": {"f": 0.7}, "best": True},
    {"event": "epoch", "epoch": 3, "loss": 4.0, "scores": {"f": 0.65}, "best": False},
    {"event": "done", "name": "m1", "scores": {"f": 0.7}, "base_scores": {"f": 0.5}},
]


async def test_train_screen_shows_epochs_and_notifies(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = "import sys\nfor line in sys.argv[1:]: print(line, flush=True)"
    argv = [sys.executable, "-c", script, *(json.dumps(e) for e in FAKE)]
    monkeypatch.setattr(TrainScreen, "command", lambda self: argv)
    app = MarginApp(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.action_train()
        await wait_for(pilot, lambda: isinstance(app.screen, TrainScreen) and bool(app.screen.done))
        screen = app.screen
        bar = screen.query_one("#train-bar", ProgressBar)
        assert (bar.total, bar.progress) == (3, 3)
        log = str(screen.query_one("#train-log", Static).render())
        assert "epoch 2: loss 5.0, dev F1 0.700  best" in log
        assert any(n.startswith("model m1 trained: dev F1 0.700 (base 0.500)") for n in notes(app))
        await press(pilot, "escape")
        assert not isinstance(app.screen, TrainScreen)


async def test_a_failed_training_says_why(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    script = "import sys\nprint('margin: no reviewed article to learn from', file=sys.stderr); sys.exit(1)"
    monkeypatch.setattr(TrainScreen, "command", lambda self: [sys.executable, "-c", script])
    app = MarginApp(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.action_train()
        await wait_for(
            pilot, lambda: isinstance(app.screen, TrainScreen) and not app.screen.running
        )
        await settle(pilot)
        assert any(n == "not trained: no reviewed article to learn from" for n in notes(app)), (
            notes(app)
        )
