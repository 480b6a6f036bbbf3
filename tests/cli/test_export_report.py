"""`margin export --report FILE` and `--json`: every span left out, not only the first 50."""

from __future__ import annotations

import csv
import json

from click.testing import CliRunner

from store import ArticleDraft
from tui.cli import cli


def _many_skipped(store, n: int = 60) -> list[int]:
    """n articles, each with one span off the token boundaries (CoNLL cannot write it)."""
    ids = []
    for i in range(n):
        aid = store.add_article(ArticleDraft(f"Berliners like Berlin, story\t{i}.")).article_id
        store.add_span(aid, 0, 6, "GPE")
        ids.append(aid)
    return ids


def _run(db_path, *args):
    return CliRunner().invoke(cli, ["--db", str(db_path), "export", *args])


def test_report_tsv_lists_every_skipped_span(tmp_path, store, db_path):
    ids = _many_skipped(store)
    report = tmp_path / "left-out.tsv"
    res = _run(
        db_path, "--format", "conll", "--out", str(tmp_path / "x.conll"), "--report", str(report)
    )
    assert res.exit_code == 0, res.output
    assert "... and 10 more" in res.stderr and str(report) in res.stderr
    with report.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert [int(r["article"]) for r in rows] == ids
    assert rows[0] == {
        "part": "",
        "article": str(ids[0]),
        "start": "0",
        "end": "6",
        "label": "GPE",
        "text": "Berlin",
        "reason": "not on token boundaries",
    }


def test_report_jsonl_and_with_data_on_stdout(tmp_path, store, db_path):
    ids = _many_skipped(store, 3)
    report = tmp_path / "left-out.jsonl"
    res = _run(db_path, "--format", "conll", "--report", str(report))
    assert res.exit_code == 0, res.output
    assert "-DOCSTART-" in res.stdout
    recs = [json.loads(x) for x in report.read_text("utf-8").splitlines()]
    assert [(r["article"], r["text"]) for r in recs] == [(a, "Berlin") for a in ids]


def test_json_summary_lists_every_skipped_span(tmp_path, store, db_path):
    ids = _many_skipped(store)
    out = tmp_path / "x.conll"
    res = _run(db_path, "--format", "conll", "--out", str(out), "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["articles"] == 60 and data["parts"][""]["files"] == [str(out)]
    assert [s["article"] for s in data["skipped"]] == ids
    assert data["skipped_reasons"] == {"not on token boundaries": 60}
    assert res.stderr == ""


def test_json_needs_out(tmp_path, store, db_path):
    _many_skipped(store, 1)
    res = _run(db_path, "--format", "conll", "--json")
    assert res.exit_code == 1 and res.stdout == ""
    assert "--json" in res.stderr and "--out" in res.stderr


def test_hostile_text_in_json_is_escaped(tmp_path, store, db_path):
    aid = store.add_article(ArticleDraft("Ber\x9blinners like it.")).article_id
    store.add_span(aid, 0, 7, "GPE")
    res = _run(db_path, "--format", "conll", "--out", str(tmp_path / "x.conll"), "--json")
    assert res.exit_code == 0, res.output
    assert "\x9b" not in res.stdout and "\x1b" not in res.stdout
    assert json.loads(res.stdout)["skipped"][0]["text"] == "Ber\x9blin"
