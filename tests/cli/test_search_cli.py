"""The `margin search` command: JSON shape, human output, options, errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from store import ArticleDraft, open_store
from tests.helpers import SEARCH_ENTITIES as ENTITIES
from tests.helpers import SEARCH_TEXT as TEXT
from tests.helpers import spans_for
from tui.cli import cli


def make_db(path: Path, text: str = TEXT) -> None:
    store = open_store(path)
    try:
        store.add_article(ArticleDraft(text=text, title="Rebels", spans=spans_for(text, ENTITIES)))
    finally:
        store.close()


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), "search", *args], catch_exceptions=False)


def test_json_shape_and_first_hit(db_path: Path) -> None:
    make_db(db_path)
    result = run(db_path, "Bashar al-Asad", "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    first = hits[0]
    assert first["kind"] == "entity" and first["text"] == "Bashar al-Assad"
    assert first["label"] == "PERSON"
    assert TEXT[first["start"] : first["end"]] == "Bashar al-Assad"
    assert {"kind", "article_id", "title", "score"} <= set(first)
    articles = [h for h in hits if h["kind"] == "article"]
    assert articles and {"kind", "article_id", "title", "score", "snippet"} <= set(articles[0])


def test_label_and_limit_options(db_path: Path) -> None:
    make_db(db_path)
    hits = json.loads(run(db_path, "a", "--label", "GPE", "--json", "--limit", "1").output)
    assert len(hits) == 1 and hits[0]["label"] == "GPE"


def test_human_output_is_plain(db_path: Path) -> None:
    make_db(db_path, TEXT + " \x1b[31mred\x1b[0m")
    result = run(db_path, "red")
    assert result.exit_code == 0
    assert "\x1b" not in result.output
    assert "entity" in run(db_path, "hezbolah").output
    assert run(db_path, "zzzzqqq").output.strip() == "no matches"


def test_bad_filter_is_one_line_error(db_path: Path) -> None:
    make_db(db_path)
    import subprocess
    import sys

    from tui.cli import main

    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from tui.cli import main; main()",
            "--db",
            str(db_path),
            "search",
            "status:maybe",
        ],
        capture_output=True,
        text=True,
    )
    assert main  # imported: the same entry point as the console script
    assert proc.returncode != 0
    assert proc.stderr.strip().count("\n") == 0 and "status:maybe" in proc.stderr
    assert "Traceback" not in proc.stderr
