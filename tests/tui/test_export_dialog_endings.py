"""The export dialog says what it exports, asks before writing a file whose ending belongs to
another format (a spaCy DocBin in out.jsonl), and a typed path follows a change of format."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.widgets import Button, Input, Select, Static

from store import ArticleDraft
from tui.screens.export_dialog import ExportDialog

from .helpers import settle, wait_for


class _Host(App[None]):
    def __init__(self, store, article_ids: tuple[int, ...] = ()) -> None:
        super().__init__()
        self.store = store
        self.article_ids = article_ids

    def on_mount(self) -> None:
        self.push_screen(ExportDialog(self.article_ids))


def _summary(dialog: ExportDialog) -> str:
    return str(dialog.query_one("#summary", Static).render())


async def test_a_path_ending_like_another_format_is_written_on_the_second_press(tmp_path, store):
    aid = store.add_article(ArticleDraft("Paris is in France.")).article_id
    store.add_span(aid, 0, 5, "GPE")
    out = tmp_path / "out.jsonl"
    app = _Host(store)
    async with app.run_test(size=(100, 40)) as pilot:
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.query_one("#path", Input).value = str(out)
        await pilot.click("#export")
        await settle(pilot)
        assert "out.jsonl ends in .jsonl, but spacy writes spaCy DocBin (.spacy)" in _summary(
            dialog
        )
        assert not out.exists()
        # the same format and path again: written as asked (once the button's 0.2 s press
        # effect is over: Textual's Button ignores a press while it lasts, as a person's would be)
        button = dialog.query_one("#export", Button)
        await wait_for(pilot, lambda: not button.has_class("-active"))
        await pilot.click("#export")
        await settle(pilot)
        assert "1 article(s)" in _summary(dialog)
    assert out.read_bytes()[:1] != b"{"  # a DocBin, as the format said


async def test_a_typed_path_takes_the_new_formats_ending(store):
    app = _Host(store)
    async with app.run_test(size=(100, 40)) as pilot:
        dialog = app.screen
        dialog.query_one("#format", Select).value = "conll"
        await pilot.pause()
        dialog.query_one("#path", Input).value = "/data/gold.conll"
        await pilot.pause()
        dialog.query_one("#format", Select).value = "prodigy"
        await pilot.pause()
        assert dialog.query_one("#path", Input).value == str(Path("/data/gold.jsonl"))
        dialog.query_one("#path", Input).value = "/data/notes.txt"  # not a format's ending: kept
        await pilot.pause()
        dialog.query_one("#format", Select).value = "csv"
        await pilot.pause()
        assert dialog.query_one("#path", Input).value == "/data/notes.txt"


async def test_the_title_says_what_is_exported(store):
    for ids, words in [((), "every article"), ((3,), "article 3"), ((3, 4), "2 articles")]:
        app = _Host(store, ids)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            title = str(app.screen.query_one("#title", Static).render())
            assert title == f"Export annotations of {words}"
