"""propagate's one line: a hostile surface escaped once; no rule learned from nothing."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from store import ArticleDraft, open_store
from tui.cli import cli


def run(db: Path, *args: str) -> str:
    done = CliRunner().invoke(cli, ["--db", str(db), *args], color=True, catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return done.stdout


def test_a_hostile_surface_is_escaped_once(db_path: Path) -> None:
    with open_store(db_path) as s:
        s.add_article(ArticleDraft("Paris is here."))
    out = run(db_path, "propagate", "\x1b[2JParis", "GPE")
    assert "'\\x1b[2JParis'" in out, out  # one backslash, as the user would type it
    assert "\\\\x1b" not in out


def test_no_rule_is_learned_when_nothing_matched(db_path: Path) -> None:
    with open_store(db_path) as s:
        s.add_article(ArticleDraft("Paris is here."))
    out = run(db_path, "propagate", "Lyon", "GPE")
    assert "0 mention(s) changed" in out and "rule" not in out and "undo" not in out, out
    assert json.loads(run(db_path, "rules", "--json")) == []


def test_an_explicit_learn_keeps_the_rule_for_later_articles(db_path: Path) -> None:
    out = run(db_path, "propagate", "Lyon", "GPE", "--learn")
    assert "rule 1 learned" in out and "`margin undo` reverts it" in out, out
    assert [r["surface"] for r in json.loads(run(db_path, "rules", "--json"))] == ["Lyon"]
