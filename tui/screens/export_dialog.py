"""The export dialog: choose a format and a path, export in a thread worker, show the summary."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static
from textual.worker import Worker, WorkerState

from store.errors import ExportError
from store.export import (
    ExportOptions,
    ExportResult,
    parse_split,
    run_export,
    select_ids,
    summary_lines,
)
from store.formats import OUTPUTS

from ..plain import plain
from ..workers import store_work
from .base import StoreModal


def default_path(fmt: str) -> str:
    """A file (or folder for brat) in the current folder named after the format, as an absolute
    path: the dialog shows where it will land, not a bare name in a folder nobody sees."""
    ext = OUTPUTS[fmt].extension
    return str(Path.cwd() / (f"margin-{fmt}{ext}" if ext else f"margin-{fmt}"))


def scope(article_ids: tuple[int, ...]) -> str:
    """What the dialog exports, in words: every article, article 3, 4 articles."""
    if not article_ids:
        return "every article"
    return f"article {article_ids[0]}" if len(article_ids) == 1 else f"{len(article_ids)} articles"


def ending_mismatch(fmt: str, path: Path) -> str | None:
    """A sentence when path ends like another format's files (out.jsonl for spaCy), else None."""
    ext = OUTPUTS[fmt].extension
    if not ext or not path.suffix or path.suffix.lower() == ext:
        return None
    name = OUTPUTS[fmt].description
    return (
        f"{path.name} ends in {path.suffix}, but {fmt} writes {name} ({ext}):"
        " press Export again to write it anyway, or change the format or the path"
    )


class Tick(Checkbox):
    """A checkbox whose mark is X when on and blank when off (Textual's shows X both ways, only
    its colour differs: a text capture or a monochrome terminal could not tell them apart)."""

    def __init__(self, label: str, value: bool = False, *, id: str | None = None) -> None:
        super().__init__(label, value, id=id)
        self.BUTTON_INNER = "X" if value else " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "X" if self.value else " "
        super().watch_value()


class ExportDialog(StoreModal[ExportResult | None]):
    """Export the store's corrected annotations; dismisses with the result (None if cancelled).

    ``article_ids`` limits the export to some articles.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", id="export.close")]

    @dataclass
    class Counted(Message):
        """How many articles the export will write."""

        total: int

    @dataclass
    class Advanced(Message):
        """Some more articles written."""

        step: int

    @dataclass
    class Exported(Message):
        """The export is written."""

        result: ExportResult

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > VerticalScroll {
        width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 1 2;
    }
    ExportDialog .row { height: auto; }
    ExportDialog Label { margin: 1 0 0 0; }
    ExportDialog #summary { height: auto; max-height: 12; overflow-y: auto; margin: 1 0 0 0; }
    ExportDialog ProgressBar { margin: 1 0 0 0; }
    ExportDialog Button { margin: 1 1 0 0; }
    """

    def __init__(self, article_ids: tuple[int, ...] = (), fmt: str = "spacy") -> None:
        super().__init__()
        self.article_ids = article_ids
        self.fmt = fmt if fmt in OUTPUTS else next(iter(OUTPUTS))
        self.result: ExportResult | None = None
        self._path_edited = False
        self._confirmed: tuple[str, str] | None = None  # (format, path) written despite its ending

    def compose(self) -> ComposeResult:
        with VerticalScroll():  # scrolls on a short terminal: the buttons stay reachable
            yield Static(f"[b]Export annotations of {scope(self.article_ids)}[/b]", id="title")
            yield Label("Format")
            yield Select(
                [(f"{name}  ({fmt.description})", name) for name, fmt in OUTPUTS.items()],
                value=self.fmt,
                allow_blank=False,
                id="format",
            )
            yield Label("Path (a folder for brat)")
            yield Input(default_path(self.fmt), id="path")
            with Horizontal(classes="row"):
                yield Tick("Reviewed articles only", id="reviewed-only")
                yield Tick("Include open suggestions", id="suggestions")
            yield Label("Hold out (optional, e.g. dev=0.2)")
            yield Input(placeholder="dev=0.2", id="split")
            yield ProgressBar(total=None, show_eta=False, id="progress")
            yield Static("", id="summary", markup=False)
            with Horizontal(classes="row"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#progress", ProgressBar).display = False
        self.query_one("#format", Select).focus()  # the first field: tab walks on from there

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        old, self.fmt = self.fmt, str(event.value)
        path = self.query_one("#path", Input)
        if not self._path_edited:
            path.value = default_path(self.fmt)
            self._path_edited = False
        elif (typed := Path(path.value.strip())).suffix and typed.suffix == OUTPUTS[old].extension:
            # a path the user typed keeps its name and takes the new format's ending
            path.value = str(typed.with_suffix(OUTPUTS[self.fmt].extension))

    @on(Input.Changed, "#path")
    def _path_changed(self, event: Input.Changed) -> None:
        self._path_edited = event.value != default_path(self.fmt)

    @on(Button.Pressed, "#cancel")
    def action_close(self) -> None:
        """Close the dialog (with the result when an export ran)."""
        self.workers.cancel_group(self, "export")
        self.dismiss(self.result)

    @on(Button.Pressed, "#export")
    @on(Input.Submitted)
    def _start(self) -> None:
        if self.query_one("#export", Button).disabled:
            return  # an export is running (enter in a field would start a second one)
        summary = self.query_one("#summary", Static)
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            summary.update("give a path to write to")
            return
        warning = ending_mismatch(self.fmt, Path(raw))
        if warning and self._confirmed != (self.fmt, raw):
            self._confirmed = (self.fmt, raw)  # the second press writes it
            summary.update(plain(warning, one_line=True))
            return
        try:
            split = (
                parse_split([self.query_one("#split", Input).value])
                if self.query_one("#split", Input).value.strip()
                else ()
            )
        except ExportError as exc:
            summary.update(str(exc))
            return
        opts = ExportOptions(
            fmt=self.fmt,
            out=Path(raw).expanduser(),
            reviewed_only=self.query_one("#reviewed-only", Checkbox).value,
            include_suggestions=self.query_one("#suggestions", Checkbox).value,
            article_ids=self.article_ids,
            split=split,
        )
        self.query_one("#export", Button).disabled = True
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        summary.update("exporting…")
        self._export(opts)

    @store_work(group="export", exclusive=True)
    def _export(self, opts: ExportOptions) -> None:
        total = len(select_ids(self.store, opts))
        self.post_message(self.Counted(total))
        step = max(1, total // 100)  # at most about a hundred updates of the bar
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            if done % step == 0:
                self.post_message(self.Advanced(step))

        try:
            result = run_export(self.store, opts, on_article=tick)
        except OSError as exc:  # name what the user asked for, not the temporary file beside it
            raise ExportError(f"cannot write {opts.out}: {exc.strerror or exc}") from exc
        self.post_message(self.Exported(result))

    def on_export_dialog_counted(self, message: Counted) -> None:
        self.query_one("#progress", ProgressBar).update(total=max(message.total, 1), progress=0)

    def on_export_dialog_advanced(self, message: Advanced) -> None:
        self.query_one("#progress", ProgressBar).advance(message.step)

    def on_export_dialog_exported(self, message: Exported) -> None:
        self._finished()
        self.result = message.result
        lines = summary_lines(message.result, 20)
        self.query_one("#summary", Static).update("\n".join(plain(x, one_line=True) for x in lines))
        self.query_one("#cancel", Button).label = "Close"

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The export failed: say why here too (the App has notified it, or shown the error)."""
        if event.worker.group == "export" and event.state == WorkerState.ERROR:
            self._finished()
            summary = self.query_one("#summary", Static)
            summary.update(plain(f"export failed: {event.worker.error}", one_line=True))

    def _finished(self) -> None:
        self.query_one("#export", Button).disabled = False
        self.query_one("#progress", ProgressBar).display = False
