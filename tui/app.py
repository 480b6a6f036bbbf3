"""The Textual App: screens, global keys (help, search, undo), the command palette; thin."""

from __future__ import annotations

import asyncio
import gc
import re
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, ClassVar

from rich.cells import cell_len
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.command import Hit, Hits, Provider
from textual.markup import escape
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen

from store import Store
from store.entities.watch import Watch
from store.errors import DatabaseError, MarginError

from . import keymap as keys
from .messages import OpenArticle
from .plain import plain
from .screens.common import StoreChanged
from .screens.disagreements import DisagreementsScreen
from .screens.error import ErrorScreen
from .screens.help import HelpScreen, active_rows
from .screens.library import LibraryScreen
from .screens.reader import ReaderScreen
from .screens.train import LAUNCH, TrainScreen
from .workers import WorkFailed, store_work

_GO_TO = re.compile(r"^\s*(go\s*to\s*)?(article\s*)?:?\s*", re.IGNORECASE)


TOAST_SHARE = 0.8  # app.tcss: a toast is as wide as its text, at most 80% of the screen
TOAST_FRAME = 4  # its padding (1 + 1) and its border (the coloured bar on its left)


def toast_line(text: str, screen_width: int) -> str:
    """The text cut to one line of a toast on a screen this wide (an ellipsis ends a cut)."""
    # the rack keeps a column for its scrollbar; one more spares a rounded-up percentage
    room = max(10, int((screen_width - 1) * TOAST_SHARE) - TOAST_FRAME - 1)
    line = plain(text, one_line=True)
    if cell_len(line) <= room:
        return line
    while line and cell_len(line) > room - 1:
        line = line[:-1]
    return line.rstrip() + "…"


class ArticleTitles(Provider):
    """Palette commands "Go to article: <title>" for titles that contain what was typed."""

    async def search(self, query: str) -> Hits:
        app = self.app
        assert isinstance(app, MarginApp)
        words = _GO_TO.sub("", query)
        if not words:
            return
        try:
            rows = await asyncio.to_thread(app.store.find_titles, words, 20)
        except MarginError as exc:  # the palette's own worker must not end the app
            app.notify(plain(str(exc), one_line=True), severity="warning", timeout=4)
            return
        matcher = self.matcher(words)
        for article_id, title in rows:
            name = f"Go to article: {plain(title, one_line=True)}"
            score = matcher.match(title) or 0.5
            yield Hit(
                score,
                matcher.highlight(escape(name)),  # highlight() reads markup: titles are not
                partial(app.post_message, OpenArticle(article_id)),
                text=name,
                help=f"article {article_id}",
            )


class EntityNames(Provider):
    """Palette commands "Entity: <name>" for entities whose name matches what was typed."""

    async def search(self, query: str) -> Hits:
        app = self.app
        assert isinstance(app, MarginApp)
        # only after "entity" (or "Entity:"): a plain word is for the titles ("Go to article")
        prefixed = re.match(r"^\s*entity\s*:?\s*", query, flags=re.IGNORECASE)
        if prefixed is None:
            return
        words = query[prefixed.end() :]
        if len(words) < 2:
            return
        try:
            hits = await asyncio.to_thread(app.store.search, words, 10)
        except MarginError as exc:
            app.notify(plain(str(exc), one_line=True), severity="warning", timeout=4)
            return
        matcher = self.matcher(words)
        seen: set[str] = set()
        for hit in hits:
            if hit.kind != "entity" or not hit.text or hit.text in seen:
                continue
            seen.add(hit.text)
            name = f"Entity: {plain(hit.text, one_line=True)}"
            yield Hit(
                matcher.match(hit.text) or 0.5,
                matcher.highlight(escape(name)),
                partial(app.action_entity, hit.text),
                text=name,
                help=f"the entity page ({plain(hit.label or '', one_line=True)},"
                f" {hit.mentions:,} mentions)",
            )


class MarginApp(App[None]):
    """margin's reader: the library, the reader, search, help and the command palette."""

    CSS_PATH = "app.tcss"
    TITLE = "margin"
    BINDINGS: ClassVar[list[BindingType]] = [*keys.APP]
    COMMANDS = App.COMMANDS | {ArticleTitles, EntityNames}
    review_and_next = False  # [review] review_and_next: R moves on to the next article to review

    @dataclass
    class UndoDone(Message):
        """Undo or redo finished: which articles it touched."""

        what: str
        article_ids: list[int] = field(default_factory=list)
        change: str = ""  # what the journal says the group did (Change.describe())
        warning: str | None = None  # the change came from another process or window

    def __init__(
        self,
        store: Store,
        article_id: int | None = None,
        keymap: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.start_article = article_id
        self.user_keymap = keymap or {}
        self.library = LibraryScreen()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Notify in plain text, always: notes quote article text, which is never markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_mount(self) -> None:
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        self.push_screen(self.library)
        if self.start_article is not None:
            self.push_screen(ReaderScreen(self.start_article, self.library.sort, direct=True))

    def on_unmount(self) -> None:
        gc.unfreeze()  # what the screens froze (see freeze_memory) can be collected again

    # -- opening articles --------------------------------------------------------------

    def on_open_article(self, message: OpenArticle) -> None:
        select = None
        if message.start is not None and message.end is not None:
            select = (message.start, message.end)
        while isinstance(self.screen, ModalScreen):
            self.pop_screen()
        if isinstance(self.screen, ReaderScreen):
            self.screen.open(message.article_id, select)
        else:
            scope = self.library.scope  # n / p walk what the library shows
            self.push_screen(
                ReaderScreen(message.article_id, self.library.sort, select, scope=scope)
            )

    # -- global actions ----------------------------------------------------------------

    def action_help(self) -> None:
        """?: the keys of this screen, from its bindings."""
        if isinstance(self.screen, HelpScreen):
            return
        screen = self.screen
        title = "reader" if isinstance(screen, ReaderScreen) else "library"
        title = getattr(screen, "HELP_TITLE", title)
        names = screen.label_key_names() if isinstance(screen, ReaderScreen) else {}
        self.push_screen(HelpScreen(title, active_rows(screen.active_bindings, names)))

    def action_search(self) -> None:
        """/: fuzzy search over articles and entities."""
        from .screens.search import SearchScreen

        if not isinstance(self.screen, SearchScreen):
            self.push_screen(SearchScreen())

    def action_entity(self, name: str) -> None:
        """The entity page of a name (any of its aliases)."""
        from .screens.entity_page import EntityPageScreen

        self.push_screen(EntityPageScreen(name))

    def action_check(self) -> None:
        """The consistency queue: where the corpus contradicts itself."""
        from .screens.consistency import ConsistencyScreen

        if not isinstance(self.screen, ConsistencyScreen):
            self.push_screen(ConsistencyScreen())

    def action_watches(self) -> None:
        """The watch-lists with their unread and new counts."""
        from .screens.watch import WatchScreen

        if not isinstance(self.screen, WatchScreen):
            shown = self.library.watching
            self.push_screen(WatchScreen(shown.id if shown else None), self._show_watch)

    def _show_watch(self, watch: Watch | None) -> None:
        """A watch-list chosen: back to the library, which shows only its articles."""
        if watch is None:
            return
        while self.screen is not self.library and len(self.screen_stack) > 2:
            self.pop_screen()
        self.library.show_watch(watch)

    def action_history(self) -> None:
        """H: the journal in words; u / ctrl+r walk it, enter opens a change's article."""
        from .screens.history import HistoryScreen

        if not isinstance(self.screen, HistoryScreen):
            self.push_screen(HistoryScreen())

    def action_export(self, article_ids: tuple[int, ...] = ()) -> None:
        """Export the corrected annotations (all articles, or the given ones)."""
        from .screens.export_dialog import ExportDialog

        self.push_screen(ExportDialog(article_ids), self._exported)

    def _exported(self, result: object) -> None:
        if result is not None:
            self.notify("export written", timeout=3)

    # -- models: train, re-extract, disagreements (issue 14) ------------------------------

    def action_train(self) -> None:
        """Model: train (palette): the training runs in a process of its own."""
        self.push_screen(TrainScreen(), self._trained)

    def _trained(self, name: str | None) -> None:
        if name:
            self.notify(f"re-extracting the unreviewed articles with {name}…", timeout=4)
            self.reextract(name)

    @store_work(group="reextract", exclusive=True)
    def reextract(self, name: str) -> None:
        """`margin extract --all --model NAME` in a process of its own, then the queue."""
        argv = [
            sys.executable,
            "-c",
            LAUNCH,
            "--db",
            self.store.path,
            "extract",
            "--all",
            "--model",
            name,
        ]
        done = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace"
        )
        self.post_message(
            self.Reextracted(done.returncode, (done.stderr.strip().splitlines() or [""])[0])
        )

    @dataclass
    class Reextracted(Message):
        """The re-extraction process ended (its first line says what it did)."""

        code: int
        line: str

    def on_margin_app_reextracted(self, message: Reextracted) -> None:
        line = plain(message.line.removeprefix("margin: "), one_line=True)
        self.notify(
            line or "re-extracted",
            severity="information" if message.code == 0 else "warning",
            timeout=5,
        )
        if message.code == 0:
            self.screen.post_message(StoreChanged([]))
            self.action_disagreements()

    def action_disagreements(self) -> None:
        """Model: disagreements (palette): the queue after a re-extraction."""
        self.push_screen(DisagreementsScreen())

    def action_undo(self) -> None:
        """u: undo the last correction (the journal survives a restart)."""
        self.undo_redo("undo")

    def action_redo(self) -> None:
        """ctrl+r: redo what was undone."""
        self.undo_redo("redo")

    @store_work(group="undo")
    def undo_redo(self, what: str) -> None:
        """Walk the journal one group back or forward ("nothing to undo" is a CorrectionError)."""
        change = self.store.undo_change() if what == "undo" else self.store.redo_change()
        warning = self.store.made_elsewhere(change) if what == "undo" else None
        self.post_message(self.UndoDone(what, list(change.articles), change.describe(), warning))

    def on_margin_app_undo_done(self, message: UndoDone) -> None:
        done = "undone" if message.what == "undo" else "redone"
        line = f"{done}: {message.change}" if message.change else f"{message.what} done"
        self.notify(toast_line(line, self.size.width), timeout=3)
        if message.warning:
            self.notify(toast_line(message.warning, self.size.width), severity="warning", timeout=5)
        for screen in self.screen_stack:  # the reader under the history screen too
            if screen is self.screen or isinstance(screen, ReaderScreen):
                screen.post_message(StoreChanged(message.article_ids))

    def action_help_quit(self) -> None:
        """ctrl+c: say which key quits, in plain text (Textual's own note is markup)."""
        for key, active in self.screen.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                shown = keys.pretty_keys(self.get_key_display(active.binding) or key)
                self.notify(f"press {shown} to quit margin", timeout=3)
                return
        self.notify("press q in the library to quit margin", timeout=3)

    # -- the one handler of failed workers ----------------------------------------------

    def on_work_failed(self, message: WorkFailed) -> None:
        """A store refusal becomes a one-line notification; anything else an error screen."""
        error = message.error
        if isinstance(error, MarginError):
            severity: SeverityLevel = "error" if isinstance(error, DatabaseError) else "warning"
            self.notify(plain(str(error), one_line=True), severity=severity, timeout=4)
            return
        self.log.error(f"worker {message.group} failed", error)
        self.push_screen(ErrorScreen(error, message.group))

    # -- command palette ---------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        run = screen.run_action
        yield SystemCommand("Help: keys of this screen", "Every key and its id", self.action_help)
        yield SystemCommand("Search: articles and entities", "Fuzzy search", self.action_search)
        yield SystemCommand(
            "Export: annotations of every article",
            "Prodigy, doccano, brat, CoNLL, spaCy, Label Studio, CSV",
            self.action_export,
        )
        if isinstance(screen, ReaderScreen):
            yield SystemCommand(
                "Export: annotations of this article",
                "The article on screen only",
                partial(self.action_export, (screen.article_id,)),
            )
        yield SystemCommand(
            "Check: consistency queue",
            "Same name with several labels, contradicting decisions, drifting boundaries",
            self.action_check,
        )
        yield SystemCommand(
            "Watch: watch-lists", "Saved searches with unread and new counts", self.action_watches
        )
        yield SystemCommand(
            "Model: train", "Fine-tune the NER on the reviewed articles", self.action_train
        )
        yield SystemCommand(
            "Model: disagreements",
            "Where the last re-extraction changed suggestions",
            self.action_disagreements,
        )
        yield SystemCommand("Edit: undo", "Undo the last correction", self.action_undo)
        yield SystemCommand("Edit: redo", "Redo what was undone", self.action_redo)
        yield SystemCommand("History: every change", "The journal in words", self.action_history)
        if isinstance(screen, LibraryScreen):
            yield SystemCommand(
                "Library: change sort", "Newest, title, entities, date", partial(run, "cycle_sort")
            )
            yield SystemCommand(
                "Library: change filter",
                "All, unread, not reviewed, reviewed",
                partial(run, "cycle_filter"),
            )
        if isinstance(screen, ReaderScreen):
            for name, action, help_text in (
                ("Article: next", "article(1)", "The next article in the list"),
                ("Article: previous", "article(-1)", "The previous article in the list"),
                ("Article: mark reviewed", "toggle_reviewed", "Reviewed or not"),
                ("Article: back to the library", "back", "The article list"),
                ("Entity: next", "entity(1)", "Select the next entity"),
                ("Entity: previous", "entity(-1)", "Select the previous entity"),
                ("Entity: accept", "accept", "Accept the selected entity"),
                ("Entity: reject", "reject", "Reject the selected entity"),
                ("Entity: label…", "pick_label", "Give the selection a label"),
                ("Entity: apply to every mention", "propagate", "Propagate the last correction"),
                ("Entity: page", "mentions", "Every mention, aliases, neighbours, timeline"),
                ("Article: reject remaining suggestions", "reject_remaining", "One undo step"),
                ("Labels: order, hide, rename, merge, drop, map…", "label_set", "Label set"),
                ("Review: next article not reviewed", "unreviewed(1)", "The review queue"),
                ("Review: next suggestion to check", "undecided(1)", "Skipping decided ones"),
                ("Review: jump to an entity on screen", "hints", "Type its label"),
                ("Review: compare with the other annotator", "adjudicate", "Take a side"),
            ):
                yield SystemCommand(name, help_text, partial(run, action))
