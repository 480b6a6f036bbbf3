"""The labels command, rules --import/--export, annotate --resize LABEL, --batch, --reject-remaining."""

from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

from store import open_store
from tests.helpers import SEED, FakeExtractor, snapshot
from tui import cli as cli_module
from tui.cli import cli


@pytest.fixture
def run(db_path, monkeypatch):
    monkeypatch.setattr("tui.cli.articles.SpacyExtractor", FakeExtractor)
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(cli, ["--db", str(db_path), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


@pytest.fixture
def fail(db_path, monkeypatch, capsys):
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


def spans(run):
    return json.loads(run("show", "1", "--json"))["spans"]


def test_labels_lists_counts_and_the_overlap_setting(run, seeded):
    data = json.loads(run("labels", "--json"))
    assert data["allow_overlaps"] is False
    norp = next(x for x in data["labels"] if x["name"] == "NORP")
    assert norp["counts"] == {"suggested": 2, "accepted": 0, "rejected": 0}
    assert norp["key"] == "2" and norp["color"].startswith("#")
    assert "allow_overlaps: false" in run("labels")
    run("labels", "overlaps", "on")
    assert json.loads(run("labels", "--json"))["allow_overlaps"] is True


def test_rename_merge_drop_map_each_undo_as_one_step(run, seeded, db_path, tmp_path):
    with open_store(db_path) as s:
        start = snapshot(s)
    assert "2 span(s) relabelled" in run("labels", "rename", "NORP", "GPE_X")
    out = json.loads(run("labels", "merge", "GPE_X", "GPE", "--into", "LOC", "--json"))
    assert out["relabelled"] == 4
    assert "1 rejected" in run("labels", "drop", "PERSON")
    f = tmp_path / "map.json"
    f.write_text(json.dumps({"LOC": "GPE"}))
    run("labels", "map", str(f), "--keep")
    assert {s["label"] for s in spans(run) if s["status"] != "rejected"} == {"GPE"}
    assert "label LOC -> GPE" in run("rules")
    for _ in range(4):
        run("undo")
    with open_store(db_path) as s:
        assert snapshot(s) == start


def test_order_and_hide_decide_the_number_keys(run, seeded):
    assert run("labels", "order", "DATE", "ORG").startswith("legend: 1 DATE  2 ORG  3 PERSON")
    assert "PERSON" not in run("labels", "hide", "PERSON")
    assert "  -  PERSON" in run("labels")
    assert "PERSON" in run("labels", "show", "PERSON")


def test_a_bad_map_file_is_one_line_naming_it(fail, seeded, tmp_path):
    f = tmp_path / "map.tsv"
    f.write_text("PERSON\tPER\nNORP\tA\tB\n")
    code, out, err = fail("labels", "map", str(f))
    assert (
        code == 1 and err.strip() == f"margin: {f}, line 2: has 3 columns; expected 2 (label, new)"
    )


def test_resize_sets_the_label_in_the_same_step(run, seeded):
    aleppo = next(s for s in spans(run) if s["text"] == "Aleppo")
    s, e = aleppo["start"], aleppo["end"]
    out = json.loads(
        run("annotate", "1", "--resize", str(aleppo["id"]), str(s), str(e + 2), "GPE", "--json")
    )
    assert (out["label"], out["end"], out["status"]) == ("GPE", e + 2, "accepted")
    assert "resize" in run("undo")
    assert all(x["status"] == "suggested" for x in spans(run))


def test_reject_remaining_rejects_only_open_suggestions(run, seeded):
    first = spans(run)[0]
    run("annotate", "1", "--accept", str(first["id"]))
    assert "4 suggestion(s) rejected" in run("annotate", "1", "--reject-remaining")
    assert [x["status"] for x in spans(run)] == ["accepted"] + ["rejected"] * 4
    assert "reject remaining: 4 suggestion(s) in article 1" in run("undo")


def test_batch_is_all_or_nothing_and_names_the_line(run, fail, seeded, tmp_path, db_path):
    ids = [s["id"] for s in spans(run)]
    f = tmp_path / "ops.jsonl"
    f.write_text(
        json.dumps({"op": "accept", "span": ids[0]})
        + "\n"
        + json.dumps({"op": "relabel", "span": ids[1], "label": "GPE"})
        + "\n\n"
        + json.dumps({"op": "reject", "span": 9999})
        + "\n"
    )
    with open_store(db_path) as s:
        start = snapshot(s)
    code, _, err = fail("annotate", "1", "--batch", str(f))
    assert code == 1 and err.strip() == f"margin: {f}, line 4: span 9999 does not exist"
    with open_store(db_path) as s:
        assert snapshot(s) == start
    f.write_text("\n".join(f.read_text().splitlines()[:2]) + "\n")
    assert "2 operation(s) made as one step" in run("annotate", "1", "--batch", str(f))
    assert [x["status"] for x in spans(run)][:2] == ["accepted", "rejected"]
    run("undo")
    with open_store(db_path) as s:
        assert snapshot(s) == start
    f.write_text('{"op": "add", "start": 0, "end": 5, "label": "MILITIA"}\n')
    code, _, err = fail("annotate", "1", "--batch", str(f))
    assert "line 1: unknown label 'MILITIA'; --new-label adds it" in err
    f.write_text('{"op": "explode"}\n')
    code, _, err = fail("annotate", "--batch", str(f))
    assert code == 1 and 'line 1: needs "op"' in err


def test_rules_import_and_export_patterns(run, fail, seeded, tmp_path):
    f = tmp_path / "patterns.jsonl"
    f.write_text('{"label": "ORG", "pattern": [{"lower": "hezbollah"}]}\n')
    assert "1 pattern rule(s) kept" in run("rules", "--import", str(f))
    run("propagate", "Aleppo", "GPE")
    lines = [json.loads(x) for x in run("rules", "--export", "-").splitlines()]
    assert lines == [
        {"label": "ORG", "pattern": [{"lower": "hezbollah"}]},
        {"label": "GPE", "pattern": "Aleppo"},
    ]
    out = tmp_path / "out.jsonl"
    run("rules", "--export", str(out))
    assert [json.loads(x) for x in out.read_text().splitlines()] == lines
    assert 'pattern [{"lower": "hezbollah"}] -> ORG' in run("rules")
    f.write_text('{"label": "ORG", "pattern": [{"LEMMA": "be"}]}\n')
    code, _, err = fail("rules", "--import", str(f))
    assert code == 1 and err.startswith(f"margin: {f}, line 1: token 1 uses LEMMA")
    assert "strip prefix 'the'" in run("rules", "--strip-prefix", "the")
