"""Command-line output helpers: JSON, progress bars on a terminal only, errors on stderr."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from ..plain import plain

# characters json.dumps leaves raw with ensure_ascii=False that a terminal may act on
_RAW_IN_JSON = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escaped(text: str) -> str:
    """JSON text with every character _RAW_IN_JSON names written as a \\u escape."""
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def json_text(data: Any, indent: int | None = 2) -> str:
    """Return data as JSON with the exact text: non-ASCII kept, every control character escaped."""
    return _escaped(json.dumps(data, ensure_ascii=False, indent=indent))


def echo_json(data: Any) -> None:
    """Print data as JSON with the exact text (non-ASCII kept, control characters escaped)."""
    click.echo(json_text(data))


def echo_json_pieces(pieces: Iterable[str]) -> None:
    """Print JSON text given in pieces as echo_json would print it whole (memory: one piece)."""
    for piece in pieces:
        click.echo(_escaped(piece), nl=False)
    click.echo("")


# progress bars drawing on the terminal now: their line has no newline until they finish
_drawing: list[Any] = []


def error(message: str) -> None:
    """Print one error line on stderr, safe for the terminal, below a progress bar if one is drawn.

    A bar redraws its line in place (no newline), so the error would continue it
    (``…100%margin: x.txt``); the bar's line is ended first and the bar redraws below.
    """
    if _drawing:
        click.echo("", err=True)
    click.echo(f"margin: {plain(message, one_line=True)}", err=True)


def echo(message: str = "") -> None:
    """Print a human-readable line (already made plain by the caller where it holds data)."""
    click.echo(message)


class _Progress:
    def __init__(self, bar: Any | None) -> None:
        self._bar = bar

    def update(self, n: int = 1, label: str | None = None) -> None:
        if self._bar is not None:
            if label is not None:
                self._bar.label = plain(label, one_line=True)[-40:]
            self._bar.update(n)


@contextmanager
def progress(total: int, label: str) -> Iterator[_Progress]:
    """A progress bar on stderr when it is a terminal; nothing when piped."""
    if not sys.stderr.isatty() or total <= 1:
        yield _Progress(None)
        return
    with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True) as bar:
        _drawing.append(bar)
        try:
            yield _Progress(bar)
        finally:
            _drawing.remove(bar)
