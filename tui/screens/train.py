"""Training from the reader: `margin train` in a process of its own, its epochs as a progress bar."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, ProgressBar, Static

from ..keymap import app_keys
from ..plain import plain
from ..workers import store_work
from .base import StoreModal

LAUNCH = "from tui.cli import main; main()"  # the command line, as a program (never imported)

APP_KEYS = app_keys("app.help")


def _f(scores: dict[str, Any] | None) -> str:
    value = (scores or {}).get("f")
    return "-" if value is None else f"{value:.3f}"


class TrainScreen(StoreModal[str | None]):
    """Runs `margin train --progress-json` and shows its epochs; dismisses with the model's name
    when asked to re-extract with it (e), else None."""

    HELP_TITLE = "train"
    DEFAULT_CSS = """
    TrainScreen { align: center middle; }
    TrainScreen > #train-box {
        width: 80%; max-width: 110; height: auto; max-height: 80%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    TrainScreen #train-title { height: auto; }
    TrainScreen #train-log { height: auto; max-height: 16; color: $text-muted; }
    TrainScreen #train-bar { margin: 1 0; }
    """

    @dataclass
    class Event(Message):
        """One JSON line of the training process."""

        data: dict[str, Any]

    @dataclass
    class Ended(Message):
        """The training process ended."""

        code: int
        error: str = ""
        done: dict[str, Any] = field(default_factory=dict)

    BINDINGS: ClassVar[list[BindingType]] = [
        *APP_KEYS,
        Binding("escape,q", "close", "Stop / close", id="train.close"),
        Binding("e", "extract", "Re-extract with it", id="train.extract"),
    ]

    def __init__(self, args: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.args = args  # extra `margin train` options (--epochs 2 ...)
        self.proc: subprocess.Popen[str] | None = None
        self.done: dict[str, Any] = {}
        self.running = False
        self.epochs = 0
        self.lines: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="train-box"):
            yield Static("starting the training…", id="train-title")
            yield ProgressBar(total=None, show_eta=False, id="train-bar")
            yield Static("", id="train-log")
        yield Footer()

    def on_mount(self) -> None:
        self.running = True
        self._run()

    def command(self) -> list[str]:
        """The training process's argv: this interpreter running margin on the reader's database."""
        return [
            sys.executable,
            "-c",
            LAUNCH,
            "--db",
            self.store.path,
            "train",
            "--progress-json",
            *self.args,
        ]

    @store_work(group="train")
    def _run(self) -> None:
        proc = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        self.proc = proc
        assert proc.stdout is not None and proc.stderr is not None
        done: dict[str, Any] = {}
        for line in proc.stdout:
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if isinstance(data, dict):
                if data.get("event") == "done":
                    done = data
                self.post_message(self.Event(data))
        err = proc.stderr.read()
        code = proc.wait()
        last = next((x for x in reversed(err.splitlines()) if x.strip()), "")
        self.post_message(self.Ended(code, last.removeprefix("margin: "), done))

    def _log(self, line: str) -> None:
        self.lines = [*self.lines, line][-12:]
        self.query_one("#train-log", Static).update(Text("\n".join(self.lines)))

    def on_train_screen_event(self, message: Event) -> None:
        data = message.data
        kind = data.get("event")
        bar = self.query_one("#train-bar", ProgressBar)
        title = self.query_one("#train-title", Static)
        if kind == "start":
            self.epochs = int(data.get("epochs", 0))
            bar.update(total=self.epochs, progress=0)
            title.update(
                Text(
                    f"training {plain(str(data['name']), one_line=True)} from"
                    f" {plain(str(data['base']), one_line=True)}: {data['train_articles']}"
                    f" reviewed article(s), {data['dev_articles']} for dev;"
                    f" base dev F1 {_f(data.get('base_scores'))} · escape stops (keeps the best)"
                )
            )
        elif kind == "epoch":
            bar.update(progress=int(data["epoch"]))
            sc = data.get("scores")
            best = "  best" if data.get("best") and sc else ""
            self._log(f"epoch {data['epoch']}: loss {data['loss']:.1f}, dev F1 {_f(sc)}{best}")

    def on_train_screen_ended(self, message: Ended) -> None:
        self.running = False
        title = self.query_one("#train-title", Static)
        bar = self.query_one("#train-bar", ProgressBar)
        if message.code == 0 and message.done:
            self.done = message.done
            bar.update(total=self.epochs or 1, progress=self.epochs or 1)
            name = plain(str(message.done["name"]), one_line=True)
            line = (
                f"model {name} trained: dev F1 {_f(message.done.get('scores'))}"
                f" (base {_f(message.done.get('base_scores'))})"
            )
            title.update(
                Text(f"{line}. e re-extracts the unreviewed articles with it, escape closes")
            )
            self.app.notify(line, timeout=6)
        else:
            why = plain(
                message.error or f"the training stopped (exit code {message.code})", one_line=True
            )
            title.update(Text(f"not trained: {why}"))
            self.app.notify(f"not trained: {why}", severity="warning", timeout=6)

    def action_close(self) -> None:
        """escape: stop a running training (Ctrl-C: it keeps the best epoch), else close."""
        if self.running and self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            self._log("stopping: the best epoch so far is kept…")
            return
        self.dismiss(None)

    def action_extract(self) -> None:
        """e: once trained, close and re-extract with the new model."""
        if self.done:
            self.dismiss(str(self.done["name"]))
