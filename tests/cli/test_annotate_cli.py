"""The correcting commands end to end: annotate, propagate, undo, redo, review, rules, stats."""

from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

from store import open_store
from tests.helpers import SEED, FakeExtractor, snapshot
from tui import cli as cli_module
from tui.cli import cli

SECOND = "Aid reached Aleppo on Monday. Aleppo residents queued."


@pytest.fixture
def run(db_path, monkeypatch):
    """Run `margin --db DB ...`; the fake model stands in for spaCy."""
    monkeypatch.setattr("tui.cli.articles.SpacyExtractor", FakeExtractor)
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True):
        result = runner.invoke(cli, ["--db", str(db_path), *args], catch_exceptions=not ok)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return invoke


@pytest.fixture
def fail(db_path, monkeypatch, capsys):
    """Run the real entry point and return (exit code, stdout, stderr) of a failing command."""
    monkeypatch.setattr("tui.cli.articles.SpacyExtractor", FakeExtractor)

    def invoke(*args: str):
        monkeypatch.setattr(sys, "argv", ["margin", "--db", str(db_path), *args])
        with pytest.raises(SystemExit) as exc:
            cli_module.main()
        out = capsys.readouterr()
        return exc.value.code, out.out, out.err

    return invoke


@pytest.fixture
def seeded(run, tmp_path):
    f = tmp_path / "seed.txt"
    f.write_text(SEED, encoding="utf-8")
    run("import", str(f))
    return 1


def show(run, aid=1):
    return json.loads(run("show", str(aid), "--json").output)


def test_the_aleppo_story(run, seeded, db_path, tmp_path):
    spans = show(run)["spans"]
    aleppo = [s for s in spans if s["text"] == "Aleppo"]
    assert [s["label"] for s in aleppo] == ["NORP", "NORP"]
    with open_store(db_path) as s:
        start = snapshot(s)

    out = run("annotate", "1", "--relabel", str(aleppo[0]["id"]), "GPE").output
    assert "GPE" in out and "accepted" in out

    dry = json.loads(run("propagate", "Aleppo", "GPE", "--dry-run", "--json").output)
    assert dry["changes"] == 1 and dry["articles"] == 1 and dry["counts"] == {"relabel": 1}
    text = run("propagate", "Aleppo", "GPE", "--dry-run").output
    assert "1 mention(s) in 1 article(s) would change" in text and "[Aleppo]" in text
    assert [s["label"] for s in show(run)["spans"] if s["text"] == "Aleppo"] == [
        "NORP",
        "GPE",
        "NORP",
    ]

    out = run("propagate", "Aleppo", "GPE").output
    assert "1 mention(s) changed in 1 article(s) (1 relabel); rule 1 learned" in out
    now = [s for s in show(run)["spans"] if s["text"] == "Aleppo"]
    assert {(s["label"], s["status"], s["source"]) for s in now} == {
        ("NORP", "rejected", "model:fake@1"),
        ("GPE", "accepted", "user"),
    }
    assert len(now) == 4

    rules = json.loads(run("rules", "--json").output)
    assert [(r["surface"], r["label"], r["action"]) for r in rules] == [("Aleppo", "GPE", "label")]

    # the relabel that was propagated belongs to the propagation: one undo reverts both
    assert "undone: propagate 'Aleppo' NORP→GPE, 2 mentions in 1 article" in run("undo").output
    with open_store(db_path) as s:
        assert snapshot(s) == start
        assert not s.can_undo()
    assert "redone: propagate" in run("redo").output
    assert {
        s["label"]
        for s in show(run)["spans"]
        if s["text"] == "Aleppo" and s["status"] != "rejected"
    } == {"GPE"}

    f = tmp_path / "second.txt"
    f.write_text(SECOND, encoding="utf-8")
    run("import", str(f))
    second = [s for s in show(run, 2)["spans"] if s["text"] == "Aleppo"]
    assert [(s["label"], s["source"]) for s in second] == [("GPE", "rule:Aleppo")] * 2


def test_annotate_each_action(run, seeded, db_path):
    spans = show(run)["spans"]
    russia = next(s for s in spans if s["text"] == "Russia")
    iran = next(s for s in spans if s["text"] == "Iran")
    assert "accepted" in run("annotate", "1", "--accept", str(russia["id"])).output
    assert "rejected" in run("annotate", "1", "--reject", str(iran["id"])).output
    start = SEED.index("Syrian government")
    added = json.loads(
        run("annotate", "1", "--add", str(start), str(start + 17), "ORG", "--json").output
    )
    assert added["text"] == "Syrian government" and added["source"] == "user"
    resized = json.loads(
        run(
            "annotate", "1", "--resize", str(added["id"]), str(start + 7), str(start + 17), "--json"
        ).output
    )
    assert resized["text"] == "government" and resized["label"] == "ORG"
    out = run("annotate", "1", "--add", "0", "5", "MILITIA", "--new-label").output
    assert "MILITIA" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("annotate", "1", "--reject", "999"), "span 999 does not exist"),
        (("annotate", "7", "--reject", "1"), "article 7 does not exist"),
        (("annotate", "1", "--add", "0", "99999", "GPE"), "outside the text"),
        (("annotate", "1", "--add", "5", "2", "GPE"), "outside the text"),
        (("annotate", "1", "--add", "0", "5", "GPEE"), "unknown label 'GPEE'"),
        (("annotate", "1", "--relabel", "1", "GEP"), "unknown label 'GEP'"),
        (("annotate", "1"), "exactly one of"),
        (("annotate", "1", "--accept", "1", "--reject", "2"), "exactly one of"),
        (("propagate", "Aleppo"), "give a LABEL or --reject"),
        (("propagate", "Aleppo", "GPE", "--reject"), "give a LABEL or --reject"),
        (("propagate", "Aleppo", "GPE", "--article", "5"), "article 5 does not exist"),
        (("rules", "--remove", "3"), "rule 3 does not exist"),
        (("review", "9"), "article 9 does not exist"),
        (("redo",), "nothing to redo"),
    ],
)
def test_errors_are_one_line_and_write_nothing(seeded, db_path, fail, args, message):
    with open_store(db_path) as s:
        before = snapshot(s)
    code, out, err = fail(*args)
    assert code != 0
    assert err.count("\n") == 1 and message in err and err.startswith("margin: ")
    assert "Traceback" not in err + out
    with open_store(db_path) as s:
        assert snapshot(s) == before


def test_overlapping_add_is_refused(seeded, db_path, fail, run):
    aleppo = next(s for s in show(run)["spans"] if s["text"] == "Aleppo")
    code, _, err = fail(
        "annotate", "1", "--add", str(aleppo["start"] - 2), str(aleppo["end"]), "GPE"
    )
    assert code == 1 and f"overlaps entity {aleppo['id']} 'Aleppo' (NORP)" in err


def test_span_of_another_article(run, seeded, fail, tmp_path):
    f = tmp_path / "second.txt"
    f.write_text(SECOND, encoding="utf-8")
    run("import", str(f))
    code, _, err = fail("annotate", "2", "--reject", "1")
    assert code == 1 and "span 1 belongs to article 1, not article 2" in err


def test_undo_with_nothing_to_undo(seeded, fail):
    code, _, err = fail("undo")
    assert code == 1 and err == "margin: nothing to undo\n"


def test_review_and_unreview(run, seeded):
    out = run("review", "1").output
    assert "article 1 marked reviewed: 5 suggestion(s) count as accepted" in out
    assert "already reviewed" in run("review", "1").output
    assert show(run)["reviewed"] is True
    assert "marked not reviewed" in run("review", "1", "--undo").output
    run("undo")
    assert show(run)["reviewed"] is True


def test_propagate_reject_and_rules_remove(run, seeded):
    out = run("propagate", "Iran", "--reject").output
    assert "'Iran' rejected: 1 mention(s) changed" in out
    listing = run("rules").output
    assert "'Iran' rejected" in listing
    assert "rule 1 removed" in run("rules", "--remove", "1").output
    assert "no rules yet" in run("rules").output
    run("undo")
    assert "'Iran' rejected" in run("rules").output


def test_propagate_no_learn_ignore_case_and_article(run, seeded):
    out = json.loads(
        run(
            "propagate", "aleppo", "GPE", "--ignore-case", "--no-learn", "--article", "1", "--json"
        ).output
    )
    assert out == {
        "changed": 2,
        "articles": [1],
        "rule": None,
        "breakdown": {"relabel": 2, "reviewed": 0, "skipped": 0},
    }
    assert json.loads(run("rules", "--json").output) == []
    out = json.loads(run("propagate", "Aleppo", "LOC", "--article", "1", "--json").output)
    assert out["rule"] is None and json.loads(run("rules", "--json").output) == []
    out = json.loads(
        run("propagate", "Aleppo", "GPE", "--article", "1", "--learn", "--json").output
    )
    assert out["rule"] == 1


def test_stats_reports_corrections(run, seeded):
    spans = show(run)["spans"]
    aleppo = [s for s in spans if s["text"] == "Aleppo"]
    russia = next(s for s in spans if s["text"] == "Russia")
    assad = next(s for s in spans if s["text"] == "Bashar al-Assad")
    run("annotate", "1", "--relabel", str(aleppo[0]["id"]), "GPE")
    run("annotate", "1", "--reject", str(aleppo[1]["id"]))
    run("annotate", "1", "--accept", str(russia["id"]))
    start = SEED.index("President")
    run("annotate", "1", "--resize", str(assad["id"]), str(start), str(assad["end"]))
    run("annotate", "1", "--add", str(SEED.index("Syrian")), str(SEED.index("Syrian") + 6), "NORP")
    data = json.loads(run("stats", "--json").output)
    assert data["articles"] == 1 and "labels" in data
    c = data["corrections"]
    assert c["model_sources"] == ["model:fake@1"]
    norp, gpe, person = c["labels"]["NORP"], c["labels"]["GPE"], c["labels"]["PERSON"]
    assert (norp["relabelled"], norp["rejected"], norp["added"]) == (1, 1, 1)
    assert (gpe["accepted"], gpe["pending"]) == (1, 1)
    assert person["resized"] == 1
    total = c["total"]
    assert (total["accepted"], total["relabelled"], total["resized"], total["rejected"]) == (
        1,
        1,
        1,
        1,
    )
    assert total["precision"] == 0.25
    # confirmed: GPE Aleppo (user), Russia (model), President Bashar al-Assad, Syrian: model found 1
    assert total["recall"] == 0.25
    assert c["reviewed_only"]["total"]["precision"] is None
    run("review", "1")
    c = json.loads(run("stats", "--json").output)["corrections"]
    # the remaining suggestion (Iran) now counts as accepted
    assert c["total"]["accepted"] == 2 and c["reviewed_only"]["total"]["precision"] == 0.4
    text = run("stats").output
    assert (
        "precision" in text
        and "relabelled" in text
        and "reviewed articles only: precision 40.0%" in text
    )
