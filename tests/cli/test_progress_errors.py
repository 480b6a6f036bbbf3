"""On a terminal an error line never continues the progress bar's line."""

from __future__ import annotations

import io
import sys

import pytest

from tui.cli.output import error, progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_an_error_line_starts_on_a_line_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    with progress(3, "importing") as bar:
        bar.update(3)
        error("x.txt: is not UTF-8")
        bar.update(0)
    seen = term.getvalue()
    before = seen[: seen.index("margin: x.txt")]
    assert before.endswith("\n"), repr(seen)  # not "...100%margin: x.txt"


def test_no_blank_line_without_a_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    error("x.txt: is not UTF-8")
    assert term.getvalue() == "margin: x.txt: is not UTF-8\n"
