"""Undo and propagate say what they did themselves, with another process writing beside them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from store import ArticleDraft, SpanDraft, Store, open_store
from tests.helpers import margin
from tui.cli import cli

ONE = "Aleppo fell. Later Aleppo was quiet."
TWO = "Homs waited."
THREE = "Homs again."


@pytest.fixture
def corpus(db_path: Path) -> Path:
    with open_store(db_path) as s:
        s.add_article(ArticleDraft(ONE, spans=(SpanDraft(0, 6, "NORP", "model:m@1"),)))
        s.add_article(ArticleDraft(TWO))
        s.add_article(ArticleDraft(THREE))
    return db_path


def run(db: Path, *args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    return done.exit_code, done.stdout, done.stderr


def test_propagate_reports_its_own_change_not_the_newest_entry(corpus: Path, monkeypatch) -> None:
    """Another process propagates 'Homs' the moment ours commits: our summary stays ours."""
    for name in ("propagate", "apply_propagation"):
        original = Store.__dict__.get(name)  # a delegating descriptor
        if original is None:
            continue

        def racing(self, *args, _original=original, **kwargs):
            result = _original.__get__(self, Store)(*args, **kwargs)
            other = margin(corpus, "propagate", "Homs", "GPE", "--no-learn")
            assert other.returncode == 0, other.stderr
            return result

        monkeypatch.setattr(Store, name, racing)
    code, out, _err = run(corpus, "propagate", "Aleppo", "GPE", "--article", "1")
    assert code == 0
    assert "2 mention(s) changed in 1 article(s)" in out, out


def test_undo_says_exactly_what_it_undoes(corpus: Path) -> None:
    run(corpus, "annotate", "1", "--relabel", "1", "GPE")
    code, out, err = run(corpus, "undo")
    assert code == 0
    assert "undone: relabel 'Aleppo' NORP→GPE in article 1" in out, out
    assert err == ""  # this shell's own change: no warning
    _code, out, _err = run(corpus, "redo")
    assert "redone: relabel 'Aleppo' NORP→GPE in article 1" in out, out


def test_undo_of_a_propagation_counts_mentions_and_articles(corpus: Path) -> None:
    run(corpus, "propagate", "Homs", "GPE")
    _code, out, _err = run(corpus, "undo")
    assert "undone: propagate 'Homs' → GPE, 2 mentions in 2 articles" in out, out


def test_undo_warns_about_another_command_line(corpus: Path) -> None:
    """A change made by a margin process in another session (here: a child of the tests)."""
    other = margin(corpus, "annotate", "1", "--relabel", "1", "GPE")
    assert other.returncode == 0, other.stderr
    code, out, err = run(corpus, "undo")
    assert code == 0
    assert "undone: relabel 'Aleppo' NORP→GPE in article 1" in out
    assert "made by another command" in err, err


def test_undo_warns_about_the_reader(corpus: Path) -> None:
    with Store(corpus, origin="tui:4242") as window:
        window.relabel(1, "GPE")
    _code, _out, err = run(corpus, "undo")
    assert "made by the reader (process 4242)" in err, err


def test_the_journal_keeps_the_origin_and_old_rows_have_none(corpus: Path) -> None:
    with Store(corpus, origin="tui:7") as window:
        window.relabel(1, "GPE")
        assert window.next_undo().origin == "tui:7"
    with Store(corpus) as s:
        s.set_reviewed(2, True)
        assert s.next_undo().origin is None


def test_the_reader_writes_as_the_reader_when_the_store_was_opened_first(corpus: Path) -> None:
    """margin --sample opens the store for its import, then the reader: the reader's changes
    must still be journalled as tui:PID (else u in it warns about "another command")."""
    from tui.cli import read
    from tui.cli.context import Context

    obj = Context(db_path=corpus)
    try:
        assert (obj.store().origin or "").startswith("cli:")
        read.open_reader(obj, 1)  # no terminal here: it prints the article and returns
        assert (obj.store().origin or "").startswith("tui:")
    finally:
        obj.close()
