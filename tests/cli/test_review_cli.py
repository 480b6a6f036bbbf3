"""The review commands: log, merge, agreement, list --unreviewed / --unread, stats progress and --by-annotator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store import ArticleDraft, SpanDraft, open_store
from tests.helpers import run_cli

TEXTS = ["Troops left Aleppo.", "Rain in Idlib.", "Calm in Homs."]


def _file(path: Path, label: str) -> None:
    s = open_store(path)
    s.add_articles(
        [
            ArticleDraft(
                t, title=t, spans=(SpanDraft(t.index(w), t.index(w) + len(w), label, "m"),)
            )
            for t, w in zip(TEXTS, ["Aleppo", "Idlib", "Homs"], strict=True)
        ]
    )
    s.close()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MARGIN_ANNOTATOR", "ana")
    path = tmp_path / "ana.db"
    _file(path, "GPE")
    return path


def test_list_by_state(db: Path) -> None:
    assert run_cli("--db", str(db), "review", "2")[0] == 0
    code, out, _ = run_cli("--db", str(db), "list", "--unreviewed", "--json")
    assert code == 0 and [a["id"] for a in json.loads(out)] == [1, 3]
    code, out, _ = run_cli("--db", str(db), "list", "--unread")
    assert [line.split()[0] for line in out.splitlines()] == ["1", "2", "3"]
    code, _, err = run_cli("--db", str(db), "list", "--unread", "--unreviewed")
    assert code == 2 and "not both" in err


def test_log_says_what_who_and_from_where(db: Path) -> None:
    run_cli("--db", str(db), "annotate", "1", "--relabel", "1", "LOC")
    run_cli("--db", str(db), "--annotator", "bea", "annotate", "2", "--reject", "2")
    run_cli("--db", str(db), "undo")
    code, out, _ = run_cli("--db", str(db), "log", "--json", "--limit", "2")
    assert code == 0
    entries = json.loads(out)
    assert [(e["what"], e["state"], e["annotator"]) for e in entries] == [
        ("reject 'Idlib' in article 2", "undone", "bea"),
        ("relabel 'Aleppo' GPE→LOC in article 1", "done", "ana"),
    ]
    assert entries[0]["origin"].startswith("cli:")
    code, out, _ = run_cli("--db", str(db), "log")
    assert "↶" in out.splitlines()[0] and "bea via cli:" in out.splitlines()[0]


def test_stats_progress_and_by_annotator(db: Path) -> None:
    run_cli("--db", str(db), "review", "1")
    code, out, _ = run_cli("--db", str(db), "stats")
    assert "progress ██████░░░░░░░░░░░░░░ 1/3 reviewed (33%)" in out
    code, out, _ = run_cli("--db", str(db), "stats", "--by-annotator", "--json")
    assert json.loads(out)["annotators"]["ana"]["actions"] == {"review": 1}


def test_merge_then_agreement(db: Path, tmp_path: Path) -> None:
    other = tmp_path / "bea.db"
    _file(other, "LOC")
    for aid in ("1", "2"):
        run_cli("--db", str(other), "review", aid)
        run_cli("--db", str(db), "review", aid)
    code, out, err = run_cli("--db", str(db), "merge", str(other), "--annotator", "bea")
    assert code == 0, err
    assert "merged 'bea': 3 article(s) (2 reviewed there), 2 entities" in out
    code, out, _ = run_cli("--db", str(db), "agreement", "--json")
    report = json.loads(out)
    assert report["articles"] == 2
    assert report["labels"]["GPE"] == {
        "precision": None,
        "recall": 0.0,
        "f1": 0.0,
        "matched": 0,
        "own": 2,
        "other": 0,
    }
    assert report["labels"]["LOC"]["other"] == 2
    code, out, _ = run_cli("--db", str(db), "agreement")
    assert "2 article(s) both reviewed" in out and "Cohen's kappa" in out


def test_merge_mistakes_are_one_line(db: Path, tmp_path: Path) -> None:
    code, _, err = run_cli("--db", str(db), "merge", str(tmp_path / "nope.db"))
    assert code == 1 and err.count("\n") == 1 and "no such margin database" in err
    code, _, err = run_cli("--db", str(db), "merge", str(db))
    assert code == 2 and "this database itself" in err
    code, _, err = run_cli("--db", str(db), "agreement")
    assert code == 1 and "margin merge OTHER.db first" in err and "Traceback" not in err
