"""What is exported: the corrected view, filters, splits by article, and the export command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from store import ArticleDraft, ExportError, SpanDraft
from store.export import ExportOptions, parse_split, run_export, split_ids
from tui.cli import cli


def _corpus(store):
    """Article 1: reviewed, one accepted and one open suggestion; article 2: not reviewed."""
    t1 = "Aleppo and Damascus are in Syria."
    a1 = store.add_article(
        ArticleDraft(
            t1,
            spans=(
                SpanDraft(0, 6, "GPE", "model:m@1"),
                SpanDraft(11, 19, "GPE", "model:m@1"),
                SpanDraft(27, 32, "PERSON", "model:m@1"),
            ),
        )
    ).article_id
    s = store.spans(a1)
    store.accept(s[0].id)
    store.reject(s[2].id)
    store.set_reviewed(a1)
    t2 = "Obama met Merkel in Berlin."
    a2 = store.add_article(
        ArticleDraft(
            t2,
            spans=(SpanDraft(0, 5, "PERSON", "model:m@1"), SpanDraft(20, 26, "GPE", "model:m@1")),
        )
    ).article_id
    store.add_span(a2, 10, 16, "PERSON")
    return a1, a2


def _exported(store, tmp_path, **kw):
    out = tmp_path / "o.jsonl"
    run_export(store, ExportOptions(fmt="doccano", out=out, **kw))
    return {
        r["id"]: sorted((s, e, lab) for s, e, lab in r["label"])
        for r in map(json.loads, out.read_text("utf-8").splitlines())
    }


def test_default_is_the_corrected_view(tmp_path, store):
    a1, a2 = _corpus(store)
    got = _exported(store, tmp_path)
    assert got == {a1: [(0, 6, "GPE"), (11, 19, "GPE")], a2: [(10, 16, "PERSON")]}


def test_filters(tmp_path, store):
    a1, a2 = _corpus(store)
    assert _exported(store, tmp_path, reviewed_only=True) == {a1: [(0, 6, "GPE"), (11, 19, "GPE")]}
    assert _exported(store, tmp_path, include_suggestions=True)[a2] == [
        (0, 5, "PERSON"),
        (10, 16, "PERSON"),
        (20, 26, "GPE"),
    ]
    assert _exported(store, tmp_path, labels=("PERSON",)) == {a1: [], a2: [(10, 16, "PERSON")]}
    assert list(_exported(store, tmp_path, article_ids=(a2,))) == [a2]


def test_split_is_by_article_and_deterministic(tmp_path, store):
    ids = [
        store.add_article(ArticleDraft(f"Article number {i} about Paris.")).article_id
        for i in range(50)
    ]
    parts = split_ids(store, ids, parse_split(["dev=0.2"]))
    assert len(parts["dev"]) == 10 and len(parts["train"]) == 40
    assert set(parts["dev"]) | set(parts["train"]) == set(ids)
    assert split_ids(store, ids, parse_split(["dev=0.2"])) == parts
    res = run_export(
        store, ExportOptions(fmt="conll", out=tmp_path / "c.conll", split=parse_split(["dev=0.2"]))
    )
    assert (tmp_path / "c.train.conll").exists() and (tmp_path / "c.dev.conll").exists()
    assert res.parts["dev"].articles == 10
    dev = (tmp_path / "c.dev.conll").read_text("utf-8")
    assert dev.count("-DOCSTART-") == 10


@pytest.mark.parametrize(
    "bad", ["dev", "dev=0", "dev=1.5", "train=0.2", "dev=0.6,test=0.5", "dev=x"]
)
def test_bad_split(bad):
    with pytest.raises(ExportError):
        parse_split([bad])


def test_reimported_annotations_merge_into_existing_article(tmp_path, store):
    from store.importer import import_paths

    text = "Obama met Merkel in Berlin."
    aid = store.add_article(
        ArticleDraft(
            text, spans=(SpanDraft(0, 5, "GPE", "model:m@1"), SpanDraft(20, 26, "GPE", "model:m@1"))
        )
    ).article_id
    p = tmp_path / "gold.jsonl"
    p.write_text(
        json.dumps({"text": text, "label": [[0, 5, "PERSON"], [10, 16, "PERSON"], [20, 26, "GPE"]]})
        + "\n"
    )
    summary = import_paths(store, [str(p)])
    assert summary.ok and summary.existing == [aid]
    assert (summary.merged.added, summary.merged.accepted, summary.merged.rejected) == (2, 1, 1)
    spans = {(s.start, s.end, s.label): (s.source, s.status) for s in store.spans(aid)}
    assert spans == {
        (0, 5, "GPE"): ("model:m@1", "rejected"),  # evidence of what the model said
        (0, 5, "PERSON"): ("import:doccano", "accepted"),
        (10, 16, "PERSON"): ("import:doccano", "accepted"),
        (20, 26, "GPE"): ("model:m@1", "accepted"),
    }
    store.undo()  # the merge is one undoable step
    assert {(s.start, s.end, s.label, s.status) for s in store.spans(aid)} == {
        (0, 5, "GPE", "suggested"),
        (20, 26, "GPE", "suggested"),
    }


def test_cli_stdout_and_summary(tmp_path, store, db_path):
    a1, a2 = _corpus(store)
    runner = CliRunner()
    res = runner.invoke(cli, ["--db", str(db_path), "export", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0] == "article,start,end,label,text,source,status"
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


def test_written_files_have_the_usual_mode(tmp_path, store):
    import os

    _corpus(store)
    out = tmp_path / "m.csv"
    run_export(store, ExportOptions(fmt="csv", out=out))
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_overlapping_spans_are_reported_by_token_formats(tmp_path, store):
    from store.importer import import_paths

    p = tmp_path / "o.jsonl"
    p.write_text(
        json.dumps({"text": "New York City is big", "label": [[0, 8, "GPE"], [4, 13, "GPE"]]})
        + "\n"
    )
    assert import_paths(store, [str(p)]).ok
    for fmt in ("conll", "spacy", "doccano"):
        res = run_export(store, ExportOptions(fmt=fmt, out=tmp_path / f"x.{fmt}"))
        reasons = [s.reason for s in res.total.skipped]
        assert reasons == ([] if fmt == "doccano" else ["overlaps another span"]), fmt


def test_complete_reimport_rejects_what_the_annotator_removed(tmp_path, store):
    """Export to Prodigy, remove a wrong entity there, import: the entity is rejected."""
    from store.importer import import_paths

    text = "Obama met Merkel in Berlin on Monday."
    aid = store.add_article(
        ArticleDraft(
            text,
            spans=(SpanDraft(0, 5, "GPE", "model:m@1"), SpanDraft(30, 36, "DATE", "model:m@1")),
        )
    ).article_id
    store.add_span(aid, 10, 16, "PERSON")
    store.add_span(aid, 20, 26, "PERSON")  # wrong: the annotator removes it
    store.add_span(aid, 26, 29, "CARDINAL")  # not exported below: a decision the file cannot see
    out = tmp_path / "p.jsonl"
    run_export(
        store,
        ExportOptions(
            fmt="prodigy", out=out, include_suggestions=True, labels=("PERSON", "GPE", "DATE")
        ),
    )
    rec = json.loads(out.read_text("utf-8"))
    rec["spans"] = [s for s in rec["spans"] if s["label"] == "PERSON" and s["start"] != 20]
    rec["spans"].append({"start": 0, "end": 5, "token_start": 0, "token_end": 0, "label": "PERSON"})
    rec["answer"] = "accept"
    out.write_text(json.dumps(rec) + "\n", "utf-8")
    assert import_paths(store, [str(out)]).ok
    got = {(s.start, s.end, s.label): s.status for s in store.spans(aid)}
    assert got == {
        (0, 5, "GPE"): "rejected",
        (0, 5, "PERSON"): "accepted",
        (10, 16, "PERSON"): "accepted",
        (20, 26, "PERSON"): "rejected",
        (30, 36, "DATE"): "rejected",  # an open suggestion the annotator did not keep
        (26, 29, "CARDINAL"): "accepted",  # a person's decision of a label the file lacks stays
    }
    assert store.article(aid).reviewed


def test_brat_split_writes_subfolders_and_dash_is_stdout(tmp_path, store, db_path):
    for i in range(10):
        aid = store.add_article(ArticleDraft(f"Story {i} from Paris.")).article_id
        store.add_span(aid, len(f"Story {i} from "), len(f"Story {i} from Paris"), "GPE")
    res = run_export(
        store, ExportOptions(fmt="brat", out=tmp_path / "b", split=parse_split(["dev=0.3"]))
    )
    assert len(list((tmp_path / "b" / "dev").glob("*.ann"))) == 3
    assert len(list((tmp_path / "b" / "train").glob("*.ann"))) == 7
    assert (tmp_path / "b" / "train" / "annotation.conf").exists()
    assert res.total.spans == 10
    out = CliRunner().invoke(
        cli, ["--db", str(db_path), "export", "--format", "doccano", "--out", "-"]
    )
    assert out.exit_code == 0 and len(out.stdout.splitlines()) == 10
