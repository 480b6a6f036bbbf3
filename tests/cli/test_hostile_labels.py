"""Every command that prints a label makes a hostile one (escape sequences) plain."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from store import open_store
from tests.helpers import SEED, UNSAFE
from tui.cli import cli

EVIL = "\x1b]2;X\x07"  # an OSC sequence from an imported file: retitles the terminal
EVIL2 = "\x1b[2JGPE"


@pytest.fixture
def hostile(db_path: Path) -> Path:
    """One article whose two 'Aleppo' mentions carry hostile labels, and a hostile rule."""
    s = open_store(db_path)
    from store import ArticleDraft

    s.add_article(ArticleDraft(text=SEED, title="seed"))
    at = SEED.index("Aleppo")
    s.add_span(1, at, at + 6, EVIL)
    s.close()
    return db_path


def run(db: Path, *args: str, tmp: Path | None = None) -> tuple[str, str]:
    runner = CliRunner()
    # color=True: click strips nothing, as on a real terminal
    done = runner.invoke(cli, ["--db", str(db), *args], color=True, catch_exceptions=False)
    return done.stdout, done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("show", "1"),
        ("search", "Aleppo"),
        ("propagate", "Aleppo", EVIL2, "--new-label", "--dry-run"),
        ("propagate", "Aleppo", EVIL2, "--new-label"),
        ("rules",),
        ("stats",),
        ("annotate", "1", "--relabel", "1", EVIL2, "--new-label"),
        ("undo",),
        ("export", "--format", "csv", "--out", "OUT"),
    ],
)
def test_no_escape_reaches_the_terminal(
    hostile: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    if args[0] in ("rules", "undo"):
        run(hostile, "propagate", "Aleppo", EVIL2, "--new-label")
    args = tuple(str(tmp_path / "out.csv") if a == "OUT" else a for a in args)
    out, err = run(hostile, *args)
    assert out or err
    assert not UNSAFE.search(out), repr(out)
    assert not UNSAFE.search(err), repr(err)
