"""The `margin export` command: standard output and summary, reported spans, one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from store import ArticleDraft
from tests.helpers import export_corpus
from tui.cli import cli


def test_cli_stdout_and_summary(tmp_path, store, db_path):
    a1, a2 = export_corpus(store)
    runner = CliRunner()
    res = runner.invoke(cli, ["--db", str(db_path), "export", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0] == "article,start,end,label,text,source,status,entity_id"
    assert len(res.stdout.splitlines()) == 4
    assert "2 article(s), 3 span(s) -> standard output" in res.stderr


def test_cli_reports_unexpressible_spans(tmp_path, store, db_path):
    aid = store.add_article(ArticleDraft("Berliners like Berlin.")).article_id
    store.add_span(aid, 0, 6, "GPE")
    store.add_span(aid, 15, 21, "GPE")
    out = tmp_path / "x.conll"
    res = CliRunner().invoke(
        cli, ["--db", str(db_path), "export", "--format", "conll", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert (
        "1 span(s) could not be expressed and were left out: 1 not on token boundaries"
        in res.stderr
    )
    assert f"article {aid} 0..6 GPE 'Berlin': not on token boundaries" in res.stderr
    assert "Berlin B-GPE" in out.read_text("utf-8")


def test_cli_errors_are_one_line(tmp_path, store, db_path):
    runner = CliRunner()
    res = runner.invoke(cli, ["--db", str(db_path), "export", "--format", "spacy"])
    assert res.exit_code != 0 and "give --out PATH" in res.stderr
    margin = str(Path(sys.executable).with_name("margin"))
    proc = subprocess.run(
        [margin, "--db", str(db_path), "export", "--format", "csv", "99"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == "margin: article 99 does not exist\n"


def test_dash_is_stdout(tmp_path, store, db_path):
    for i in range(10):
        aid = store.add_article(ArticleDraft(f"Story {i} from Paris.")).article_id
        store.add_span(aid, len(f"Story {i} from "), len(f"Story {i} from Paris"), "GPE")
    out = CliRunner().invoke(
        cli, ["--db", str(db_path), "export", "--format", "doccano", "--out", "-"]
    )
    assert out.exit_code == 0 and len(out.stdout.splitlines()) == 10


def test_out_dev_stdout_writes_to_the_pipe_or_the_redirected_file(tmp_path, store, db_path):
    from tests.helpers import command, env, margin

    export_corpus(store)
    res = margin(db_path, "export", "--format", "csv", "--out", "/dev/stdout")
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0] == "article,start,end,label,text,source,status,entity_id"
    redirected = tmp_path / "redirected.csv"
    with redirected.open("wb") as fh:
        done = subprocess.run(
            command(db_path, "export", "--format", "labelstudio", "--out", "/dev/stdout"),
            stdout=fh,
            stderr=subprocess.PIPE,
            env=env(tmp_path),
        )
    assert done.returncode == 0, done.stderr
    assert redirected.read_text("utf-8").lstrip().startswith("[")
    assert not [p for p in tmp_path.iterdir() if ".margin-tmp-" in p.name or "config" in p.name]
