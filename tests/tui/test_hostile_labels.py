"""Labels holding escape sequences or markup never reach the terminal raw, on any screen."""

from __future__ import annotations

import html
import re

import pytest
from textual.widgets import Input

from store import ArticleDraft, SpanDraft
from tui.app import MarginApp
from tui.screens.entity_page import EntityPageScreen
from tui.screens.export_dialog import ExportDialog
from tui.screens.help import HelpScreen
from tui.screens.label_picker import LabelPicker
from tui.screens.propagate import PropagateScreen
from tui.screens.reader import ReaderScreen
from tui.screens.search import SearchScreen

from .conftest import spans_for
from .helpers import press, settle, wait_for

TITLE = "\x1b]2;X\x07"  # retitles the terminal
CLEAR = "\x1b[2J"  # clears it
MARKUP = "[bold]x[/]"  # Rich markup: must show as typed
SHOWN = {TITLE: r"\x1b]2;X\x07", CLEAR: r"\x1b[2J", MARKUP: MARKUP}

TEXT = "Paris said no. Later Paris said yes. In the end Paris said maybe."
OTHER = "Paris was quiet."


@pytest.fixture
def hostile(store):
    """Two articles whose entities carry the hostile labels; they own number keys 1..3."""
    spans = list(spans_for(TEXT, [("Paris", "X")]))
    labels = [MARKUP, CLEAR, MARKUP]
    drafts = tuple(
        SpanDraft(s.start, s.end, lab, s.source) for s, lab in zip(spans, labels, strict=True)
    )
    store.add_article(ArticleDraft(TEXT, title="Paris talks", source="a.txt", spans=drafts))
    other = tuple(
        SpanDraft(s.start, s.end, TITLE, s.source) for s in spans_for(OTHER, [("Paris", "X")])
    )
    store.add_article(ArticleDraft(OTHER, title="Quiet", source="b.txt", spans=other))
    with store.unit() as tx:  # the hostile labels get the first number keys: the legend shows them
        tx.execute("UPDATE labels SET key = '' WHERE key IN ('1', '2', '3')")
        for key, name in (("1", TITLE), ("2", CLEAR), ("3", MARKUP)):
            tx.execute("UPDATE labels SET key = ? WHERE name = ?", (key, name))
    return store


def screen_text(app: MarginApp) -> str:
    """Everything on screen now, as the text of the screenshot (what a terminal would get)."""
    svg = app.export_screenshot()
    parts = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape("".join(parts)).replace("\xa0", " ")


def check(app: MarginApp, where: str, *expected: str) -> str:
    """No ESC or BEL on screen; each expected label shown in its escaped, literal form."""
    text = screen_text(app)
    assert "\x1b" not in text and "\x07" not in text, f"{where}: a control character is drawn"
    for label in expected:
        assert SHOWN[label] in text, f"{where}: {SHOWN[label]!r} is not shown"
    return text


async def test_every_screen_shows_hostile_labels_escaped(hostile):
    app = MarginApp(hostile)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        check(app, "library")

        await press(pilot, "j", "enter")  # newest first: "Paris talks" is the second row
        await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        assert app.screen.article_id == 1
        await settle(pilot)
        # the panel, the legend and the status line are on the reader's screen
        check(app, "reader", TITLE, CLEAR, MARKUP)

        await press(pilot, "right_square_bracket", "right_square_bracket")  # Paris #2 (CLEAR)
        check(app, "reader, an entity selected", CLEAR)
        await press(pilot, "l")
        assert isinstance(app.screen, LabelPicker)
        check(app, "label picker (now …)", CLEAR, TITLE, MARKUP)
        await press(pilot, "escape")

        await press(pilot, "left_square_bracket")  # Paris #1 (MARKUP)
        await press(pilot, "l")
        picker = app.screen
        assert isinstance(picker, LabelPicker)
        check(app, "label picker", MARKUP)
        picker.query_one(Input).value = TITLE
        await settle(pilot)
        await press(pilot, "enter")
        assert not isinstance(app.screen, LabelPicker)
        await settle(pilot)
        check(app, "reader after a relabel", TITLE)

        await press(pilot, "A")
        await wait_for(pilot, lambda: isinstance(app.screen, PropagateScreen), "the preview")
        text = check(app, "propagate dialog", TITLE, MARKUP)  # (it covers the legend)
        assert f"give {SHOWN[TITLE]} to every 'Paris'" in text
        await press(pilot, "escape")

        await press(pilot, "m")
        assert isinstance(app.screen, EntityPageScreen)
        await settle(pilot)
        check(app, "entity page", TITLE)
        await press(pilot, "escape")

        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        check(app, "help", TITLE, CLEAR, MARKUP)  # the number keys name their labels
        await press(pilot, "escape")

        await press(pilot, "slash")
        search = app.screen
        assert isinstance(search, SearchScreen)
        await press(pilot, *"paris")
        await wait_for(pilot, lambda: not search.busy and search.hits, "the search")
        await settle(pilot)
        check(app, "search", CLEAR, MARKUP)
        await press(pilot, "enter")  # the first hit's entity page
        await wait_for(pilot, lambda: isinstance(app.screen, EntityPageScreen), "the page")
        await settle(pilot)
        check(app, "entity page from search")
        await press(pilot, "escape", "escape")

        app.action_export()
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        check(app, "export dialog")


def test_the_preview_line_escapes_label_and_surface_once():
    from store import PropagationPreview
    from tui.screens.propagate import describe

    line = describe(PropagationPreview(CLEAR + "Paris", TITLE, ()))
    assert line.startswith(r"give \x1b]2;X\x07 to every '\x1b[2JParis': 0 mentions")
