"""The export dialog: pick a format and path, export in a worker, see the summary."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.widgets import Input, Select, Static

from store import ArticleDraft
from tui.screens.export_dialog import ExportDialog

from .helpers import drawn_lines


class _Host(App[None]):
    def __init__(self, store) -> None:
        super().__init__()
        self.store = store
        self.closed_with: object = "not closed"

    def on_mount(self) -> None:
        self.push_screen(ExportDialog(), callback=lambda r: setattr(self, "closed_with", r))


async def test_export_from_dialog(tmp_path, store):
    aid = store.add_article(ArticleDraft("Berliners like Berlin.")).article_id
    store.add_span(aid, 0, 6, "GPE")
    store.add_span(aid, 15, 21, "GPE")
    app = _Host(store)
    out = tmp_path / "gold.conll"
    async with app.run_test(size=(100, 40)) as pilot:
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.query_one("#format", Select).value = "conll"
        await pilot.pause()
        dialog.query_one("#path", Input).value = str(out)
        await pilot.click("#export")
        await app.workers.wait_for_complete()
        await pilot.pause()
        summary = str(dialog.query_one("#summary", Static).render())
        assert "1 article(s), 1 span(s)" in summary
        assert "1 span(s) could not be expressed" in summary
        await pilot.press("escape")
        await pilot.pause()
    assert "Berlin B-GPE" in out.read_text("utf-8")
    assert app.closed_with is not None and app.closed_with.total.articles == 1


async def test_format_change_updates_default_path(store):
    app = _Host(store)
    async with app.run_test(size=(100, 40)) as pilot:
        dialog = app.screen
        dialog.query_one("#format", Select).value = "brat"
        await pilot.pause()
        assert dialog.query_one("#path", Input).value == str(Path.cwd() / "margin-brat")
        await pilot.press("escape")
        await pilot.pause()
    assert app.closed_with is None


async def test_dialog_in_the_real_app(tmp_path, store):
    """Pushed over the library of MarginApp, it exports the store the app holds."""
    from tui.app import MarginApp

    aid = store.add_article(ArticleDraft("Paris is in France.")).article_id
    store.add_span(aid, 0, 5, "GPE")
    app = MarginApp(store)
    out = tmp_path / "x.jsonl"
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.push_screen(ExportDialog(fmt="doccano"))
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#path", Input).value = str(out)
        await pilot.click("#export")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportDialog)
    assert '"label": [[0, 5, "GPE"]]' in out.read_text("utf-8")


async def test_palette_offers_export(store):
    from tui.app import MarginApp
    from tui.screens.reader import ReaderScreen

    aid = store.add_article(ArticleDraft("Paris is in France.")).article_id
    app = MarginApp(store, aid)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Export: annotations of every article" in titles
        assert "Export: annotations of this article" in titles
        command = next(
            c for c in app.get_system_commands(app.screen) if c.title.endswith("this article")
        )
        command.callback()
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        assert app.screen.article_ids == (aid,)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)


async def test_default_path_is_absolute_and_the_format_is_focused(store, tmp_path, monkeypatch):
    """The path names its folder (files landed in whatever folder margin ran in)."""
    monkeypatch.chdir(tmp_path)
    app = _Host(store)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        dialog = app.screen
        path = dialog.query_one("#path", Input).value
        assert Path(path).is_absolute() and path == str(tmp_path / "margin-spacy.spacy")
        assert app.focused is dialog.query_one("#format", Select)


async def test_checkboxes_read_on_and_off_in_text(store):
    from textual.widgets import Checkbox

    app = _Host(store)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        dialog = app.screen
        reviewed = dialog.query_one("#reviewed-only", Checkbox)
        suggestions = dialog.query_one("#suggestions", Checkbox)
        off = drawn_lines(reviewed)[0]
        reviewed.value = True
        await pilot.pause()
        on = drawn_lines(reviewed)[0]
        assert on != off  # the text alone says which is ticked
        assert "X" in on and "X" not in off
        assert "X" not in drawn_lines(suggestions)[0]
        reviewed.value = False
        await pilot.pause()
        assert drawn_lines(reviewed)[0] == off
