"""Pilot tests of the propagation preview: every mention listed, space leaves one out, the
toggles read the preview again, and A after a resize replaces the old boundaries."""

from __future__ import annotations

from store import ArticleDraft, SpanDraft, Store
from tui.app import MarginApp
from tui.screens.propagate import PropagateScreen
from tui.screens.reader import ReaderScreen

from .helpers import press, settle, wait_for

MANY = 30  # more mentions than the dialog has lines: the list scrolls


def corpus(store: Store) -> None:
    first = "Aleppo fell. " + " ".join(["Aleppo again."] * (MANY - 1))
    store.add_article(ArticleDraft(first, title="Many", spans=(SpanDraft(0, 6, "NORP", "m"),)))
    store.add_article(ArticleDraft("Aleppo is reviewed here.", title="Done"))
    store.add_article(ArticleDraft("ALEPPO shouted the crowd.", title="Loud"))
    store.set_reviewed(2)


async def open_dialog(app: MarginApp, pilot) -> PropagateScreen:
    await settle(pilot)
    await press(pilot, "right_square_bracket", "5")  # the first Aleppo: NORP -> GPE
    await press(pilot, "A")
    await wait_for(pilot, lambda: isinstance(app.screen, PropagateScreen), "the preview")
    await settle(pilot)
    assert isinstance(app.screen, PropagateScreen)
    return app.screen


async def test_every_mention_is_listed_and_space_leaves_one_out(store: Store) -> None:
    corpus(store)
    app = MarginApp(store, 1)
    async with app.run_test(size=(120, 30)) as pilot:
        dialog = await open_dialog(app, pilot)
        assert len(dialog.corpus.mentions) == MANY - 1  # the one relabelled is done
        assert [m.article_id for m in dialog.corpus.reviewed] == [2]
        counts = str(dialog.query_one("#propagate-counts").render())
        assert (
            f"{MANY - 1} newly tagged" in counts and "1 in reviewed articles, left alone" in counts
        )
        assert len(dialog.rows) == MANY  # every mention, then the one left alone
        await press(pilot, "end")  # the list scrolls to the last mention
        listing = dialog.query_one("#propagate-mentions")
        assert listing.highlighted == MANY - 1 and listing.scroll_y > 0
        await press(pilot, "home", "j", "space")  # leave out the second mention
        out = dialog.rows[1][0]
        assert out.key in dialog.excluded
        assert "1 excluded" in str(dialog.query_one("#propagate-counts").render())
        await press(pilot, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        await wait_for(
            pilot, lambda: not store.preview_propagation("Aleppo", "GPE").mentions[1:], "saved"
        )
        tagged = {(s.start, s.label) for s in store.spans(1) if s.status != "rejected"}
        assert (out.start, "GPE") not in tagged and len(tagged) == MANY - 1
        assert store.spans(2) == []  # the reviewed article is left alone
        await press(pilot, "u")  # one undo: the propagation and the relabel it repeated
        await wait_for(
            pilot, lambda: store.spans(1)[0].label == "NORP" and len(store.spans(1)) == 1, "undone"
        )


async def test_the_toggles_read_the_preview_again(store: Store) -> None:
    corpus(store)
    app = MarginApp(store, 1)
    async with app.run_test(size=(120, 30)) as pilot:
        dialog = await open_dialog(app, pilot)
        n = len(dialog.corpus.mentions)
        await press(pilot, "r")
        await wait_for(pilot, lambda: dialog.corpus.include_reviewed, "reviewed too")
        assert len(dialog.corpus.mentions) == n + 1
        await press(pilot, "i")
        await wait_for(pilot, lambda: not dialog.corpus.case_sensitive, "ignore case")
        assert len(dialog.corpus.mentions) == n + 2  # ALEPPO too
        options = str(dialog.query_one("#propagate-options").render())
        assert "ignore case on" in options and "reviewed articles on" in options
        await press(pilot, "enter")
        await wait_for(pilot, lambda: bool(store.spans(3)), "saved")
        assert [s.label for s in store.spans(2)] == ["GPE"] and [
            s.text for s in store.spans(3)
        ] == ["ALEPPO"]


async def test_a_after_a_resize_offers_the_same_boundaries_everywhere(store: Store) -> None:
    text = "Real Madrid won. Later Real Madrid lost."
    second = text.index("Madrid", 10)
    spans = (SpanDraft(5, 11, "GPE", "m"), SpanDraft(second, second + 6, "GPE", "m"))
    store.add_article(ArticleDraft(text, title="Football", spans=spans))
    store.resize(store.spans(1)[0].id, 0, 11, "ORG")  # Madrid -> Real Madrid
    app = MarginApp(store, 1)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "A")
        await wait_for(pilot, lambda: isinstance(app.screen, PropagateScreen), "the preview")
        dialog = app.screen
        assert isinstance(dialog, PropagateScreen)
        assert dialog.corpus.replace and dialog.corpus.counts() == {"replace": 1}
        await press(pilot, "enter")
        await wait_for(pilot, lambda: any(s.start == second - 5 for s in store.spans(1)), "saved")
        now = {(s.start, s.end, s.label, s.status) for s in store.spans(1)}
        assert (second, second + 6, "GPE", "rejected") in now  # the old boundaries, as evidence
        assert (second - 5, second + 6, "ORG", "accepted") in now
